//go:build race

package handlers

// raceEnabled: the race detector changes allocation counts (it drops
// sync.Pool items at random), so allocation budgets are checked without it.
const raceEnabled = true

//go:build race

package handlers

// raceEnabled: the race detector changes allocation counts (net/http's own
// sync.Pools drop items at random under it), so allocation budgets are
// checked without it.
const raceEnabled = true

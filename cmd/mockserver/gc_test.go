package main

import (
	"log/slog"
	"runtime/debug"
	"testing"
)

// The soft memory limit sits above what the loaded scenarios keep live, so
// a large set does not make the collector run without pause; a user's
// GOMEMLIMIT is left alone.
func TestMemoryLimitFollowsTheLiveHeap(t *testing.T) {
	for _, live := range []uint64{1 << 20, 60 << 20, 200 << 20} {
		if limit := memoryLimitFor(live); limit < 2*int64(live) || limit < baseMemoryLimit {
			t.Errorf("live heap %d MiB: limit %d MiB, want at least twice the live heap and %d MiB", live>>20, limit>>20, baseMemoryLimit>>20)
		}
	}
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	debug.SetMemoryLimit(123 << 20)
	setMemoryLimit(func(k string) string { return map[string]string{"GOMEMLIMIT": "123MiB"}[k] }, slog.New(slog.DiscardHandler))
	if got := debug.SetMemoryLimit(-1); got != 123<<20 {
		t.Errorf("with GOMEMLIMIT set the limit became %d", got)
	}
	setMemoryLimit(func(string) string { return "" }, slog.New(slog.DiscardHandler))
	if got := debug.SetMemoryLimit(-1); got < baseMemoryLimit || got == 123<<20 {
		t.Errorf("without GOMEMLIMIT the limit is %d", got)
	}
}

package main

import (
	"log/slog"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// baseMemoryLimit is the soft memory limit over the live heap: with the
// embedded scenarios (~1 MB live) a 20 MiB limit keeps RSS near 26 MB under
// the benchmark's load (16 MiB: 22 MB, ~2% fewer req/s).
const baseMemoryLimit = 20 << 20

// memoryLimitFor is the soft limit for a live heap of live bytes: never so
// close above it that the collector runs without pause (a fixed 20 MiB under
// a 60 MB heap cost 5-10% of throughput), so twice the live heap plus the base.
func memoryLimitFor(live uint64) int64 { return baseMemoryLimit + 2*int64(live) }

// setMemoryLimit sets the soft memory limit for the scenarios just loaded,
// unless the user set GOMEMLIMIT (which wins). It collects once to measure
// the live heap, so it runs at start-up and after a reload, never per request.
func setMemoryLimit(getenv func(string) string, log *slog.Logger) {
	if getenv("GOMEMLIMIT") != "" {
		return
	}
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	live := sample[0].Value.Uint64()
	limit := memoryLimitFor(live)
	debug.SetMemoryLimit(limit)
	log.Debug("soft memory limit", "live_heap_bytes", live, "limit_bytes", limit)
}

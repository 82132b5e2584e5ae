//go:build pgo

package main

import (
	"os"
	"runtime/pprof"
)

// Built with -tags pgo, the binary records a CPU profile from start to a
// graceful stop into the file MOCK_CPUPROFILE names. `go run ./tools/bench
// -pgo` builds it so, loads it and saves the profile as default.pgo, which
// every later `go build` of this package uses for profile-guided optimisation.
func init() {
	profile = func() func() {
		path := os.Getenv("MOCK_CPUPROFILE")
		if path == "" {
			return func() {}
		}
		f, err := os.Create(path)
		if err != nil {
			panic(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			panic(err)
		}
		return func() {
			pprof.StopCPUProfile()
			_ = f.Close()
		}
	}
}

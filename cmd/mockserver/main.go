// Command mockserver is a local emulator of Huawei Cloud Workspace's
// ListInstancesStatus API (GET /v2/{project_id}/connections/status).
//
//	mockserver [flags]              serve (embedded scenarios unless --scenarios)
//	mockserver validate [DIR]       check scenario files, print file:line: problem
//	mockserver healthcheck [flags]  exit 0 when the server at --addr is healthy
//	mockserver timeline [flags]     a scenario's counters over simulated instants
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// profile starts recording a CPU profile and returns what ends it; only a
// binary built with -tags pgo records one (see pgo.go).
var profile = func() (end func()) { return func() {} }

func main() {
	tuneGC()
	endProfile := profile()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C (or SIGTERM) during the graceful shutdown ends the process at once
	}()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	endProfile()
	var ex exitError
	switch {
	case err == nil:
	case errors.As(err, &ex):
		if ex.msg != "" {
			fmt.Fprintln(os.Stderr, "mockserver:", ex.msg)
		}
		os.Exit(ex.code)
	default:
		fmt.Fprintln(os.Stderr, "mockserver:", err)
		os.Exit(1)
	}
}

// tuneGC trades a few MB for throughput: a request leaves ~750 bytes of
// garbage (most of it chi's route context and net/http's path values), so at
// Go's default GOGC=100 the collector runs every few hundred requests under
// load. GOGC overrides; the soft memory limit is set once the scenarios are
// loaded (setMemoryLimit).
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(300)
	}
}

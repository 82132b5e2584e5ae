package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// The instants of a timeline are counted without saturation: 0001 to 9999
// by 25h37m14s is 3,421,059 instants, over the limit, refused before a
// row is printed (time.Sub saturated at ~292 years and let it through).
func TestTimelineCountsInstantsAcrossMillennia(t *testing.T) {
	var out strings.Builder
	err := run(context.Background(), []string{"timeline", "--scenario", "office-day", "--from", "0001-01-01T00:00:00Z",
		"--to", "9999-12-31T23:59:59Z", "--step", "25h37m14s"}, env(nil), &out, io.Discard)
	var ex exitError
	if !errors.As(err, &ex) || ex.code != 2 || !strings.Contains(ex.msg, "3421059") || out.Len() > 0 {
		t.Fatalf("err %v, %d bytes printed; want a usage error naming the 3,421,059 instants and nothing printed", err, out.Len())
	}
}

// A stopped timeline (Ctrl-C, SIGTERM) ends at once with what it printed.
func TestTimelineStopsWhenAsked(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out strings.Builder
	err := run(ctx, []string{"timeline", "--scenario", "office-day", "--from", "2026-11-30T00:00:00Z",
		"--to", "2026-12-30T00:00:00Z", "--step", "1m", "--format", "csv"}, env(nil), &out, io.Discard)
	if err == nil || strings.Count(out.String(), "\n") > 1 {
		t.Fatalf("err %v after %d lines; want it stopped after the header", err, strings.Count(out.String(), "\n"))
	}
}

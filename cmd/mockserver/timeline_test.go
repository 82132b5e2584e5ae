package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// timeline --view prints the fleet's other views from the same desktops:
// the tenant's login state at an instant is the sum of the pools' counters.
func TestTimelineViewsAgreeWithTheCounters(t *testing.T) {
	args := []string{"--scenario", "office-outage", "--from", "2026-11-30T09:55:00+08:00", "--to", "2026-11-30T14:05:00+08:00", "--step", "65m", "--seed", "3"}
	status := timelineJSON(t, args...)
	var out strings.Builder
	if err := run(context.Background(), append([]string{"timeline", "--view", "login-state", "--format", "json"}, args...), env(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var views []struct {
		Time   string
		Answer map[string]int64
		Error  *struct{ Status int }
	}
	if err := json.Unmarshal([]byte(out.String()), &views); err != nil || len(views) != len(status) {
		t.Fatalf("%d rows (%v), want %d:\n%s", len(views), err, len(status), out.String())
	}
	for i, row := range status {
		var groups []map[string]any
		_ = json.Unmarshal(row["statics"], &groups)
		want := map[string]int64{}
		for _, g := range groups {
			for _, k := range []string{"in_use_num", "ready_num", "disconnected_num", "unregistered_num"} {
				want[k] += int64(g[k].(float64))
			}
			want["unable_to_connect_num"] += int64(g["unknown_num"].(float64))
		}
		switch {
		case row["error"] != nil:
			if views[i].Error == nil || views[i].Error.Status != 500 {
				t.Errorf("%s: status answers an error, login-state %v", views[i].Time, views[i].Answer)
			}
		case fmt.Sprint(views[i].Answer) != fmt.Sprint(want):
			t.Errorf("%s: login-state %v, the counters sum to %v", views[i].Time, views[i].Answer, want)
		}
	}
	for _, view := range []string{"pools", "online-users"} {
		out.Reset()
		if err := run(context.Background(), append([]string{"timeline", "--view", view, "--format", "csv"}, args...), env(nil), &out, io.Discard); err != nil || strings.Count(out.String(), "\n") < 2 {
			t.Errorf("--view %s: %v\n%s", view, err, out.String())
		}
	}
	if err := run(context.Background(), append([]string{"timeline", "--view", "nope"}, args...), env(nil), io.Discard, io.Discard); err == nil {
		t.Error("--view nope accepted")
	}
}

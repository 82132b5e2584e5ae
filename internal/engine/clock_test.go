package engine

import (
	"testing"
	"time"
)

// A fast clock never runs backwards: at the top speed it passes the ~292
// years a time.Duration holds after 2.5 real hours, and it stops at the end
// of year 9999 instead of wrapping around.
func TestAFastClockNeverGoesBackwards(t *testing.T) {
	anchor := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	c := simClock{base: anchor, anchor: anchor, speed: MaxClockSpeed}
	prev := c.at(anchor)
	for real := anchor; real.Before(anchor.Add(400 * 24 * time.Hour)); real = real.Add(7 * time.Minute) {
		now := c.at(real)
		if now.Before(prev) {
			t.Fatalf("after %s of real time the clock read %s, before %s", real.Sub(anchor), now.Format(time.RFC3339), prev.Format(time.RFC3339))
		}
		prev = now
	}
	if !prev.Equal(clockEnd) {
		t.Fatalf("after 400 real days at speed %g the clock reads %s, want it to stand at %s", float64(MaxClockSpeed), prev, clockEnd)
	}
	// Three real hours at 1e6 is ~342 simulated years: exact to the second.
	got := c.at(anchor.Add(3 * time.Hour))
	if got.Year() < 2026+340 || got.Year() > 2026+344 {
		t.Fatalf("3 real hours at 1e6: %s", got)
	}
}

// A clock set near its end stops there at any speed, and can't be set past
// it: its reading always writes as RFC 3339.
func TestAClockNearItsEndStopsThere(t *testing.T) {
	e := newEngine(t, Config{})
	near := clockEnd.Add(-10 * time.Second)
	speed := 1000.0
	if err := e.SetClock("", &near, &speed); err != nil {
		t.Fatal(err)
	}
	if err := e.AdvanceClock("", time.Hour); err != nil {
		t.Fatal(err)
	}
	for _, zone := range []*time.Location{time.UTC, time.FixedZone("east", 14*3600), time.FixedZone("west", -12*3600)} {
		now := e.Now("").In(zone)
		if now.After(clockEnd) || now.Year() != 9999 {
			t.Fatalf("the clock reads %s", now.Format(time.RFC3339))
		}
	}
	if _, err := e.Now("").MarshalJSON(); err != nil {
		t.Fatal(err)
	}
	past := time.Date(9999, 12, 31, 23, 59, 59, 0, time.FixedZone("", -3600))
	if err := e.SetClock("", &past, nil); err == nil {
		t.Fatal("a clock was set past its end")
	}
}

package engine

import (
	"fmt"
	"math"
	"time"

	"github.com/workspace-mock/mockserver/internal/fixtures"
)

// simClock is a simulated clock: at the real instant anchor it read base,
// and it runs speed simulated seconds per real second (0: frozen). A value:
// changing a clock publishes a new one with the controls (copy on write).
type simClock struct {
	base, anchor time.Time
	speed        float64
}

// clockEnd is as far as a simulated clock goes: a day short of the last one
// RFC 3339 can write, so that it reads as year 9999 in every time zone. A
// fast clock stops there instead of wrapping around.
var clockEnd = time.Date(9999, 12, 30, 0, 0, 0, 0, time.UTC)

// at is the simulated time at the real instant real. The elapsed simulated
// time is worked out in float64 seconds, which do not overflow where a
// Duration would (speed 1e6 passes 292 years of simulated time in 2.5 real
// hours), and the reading saturates at clockEnd: it never goes backwards.
func (c *simClock) at(real time.Time) time.Time {
	if c.speed == 0 {
		return c.base
	}
	ns := float64(real.Sub(c.anchor)) * c.speed
	if math.Abs(ns) < 1<<62 {
		if t := c.base.Add(time.Duration(ns)); !t.After(clockEnd) {
			return t
		}
		return clockEnd.In(c.base.Location())
	}
	secs := math.Floor(ns / 1e9)
	if end := float64(clockEnd.Unix() - c.base.Unix()); secs >= end {
		return clockEnd.In(c.base.Location())
	}
	t := time.Unix(c.base.Unix()+int64(secs), int64(c.base.Nanosecond())).In(c.base.Location())
	return t.Add(time.Duration(ns - secs*1e9))
}

// freshClock is the start-up clock as it starts now: at --clock-start (or
// wall time), at --clock-speed.
func (e *Engine) freshClock() *simClock {
	real := time.Now()
	base := e.clockStart
	if base.IsZero() {
		base = real
	}
	return &simClock{base: base, anchor: real, speed: e.clockSpeed}
}

// MaxClockSpeed bounds --clock-speed: a simulated year per real minute.
const MaxClockSpeed = 1e6

// CheckClockSpeed says what is wrong with a clock speed, or "".
func CheckClockSpeed(x float64) string {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return "the speed must be a number"
	case x < 0:
		return fmt.Sprintf("speed %g is negative: give simulated seconds per real second, 0 to freeze", x)
	case x > MaxClockSpeed:
		return fmt.Sprintf("speed %g is more than %g", x, float64(MaxClockSpeed))
	}
	return ""
}

// clockOf is the clock a project reads: its own, else the server's.
func (c *controls) clockOf(project string) *simClock {
	return first(c.layersOf(project, nil), lookup{}, clockIn) // the start-up layer always has one
}

// Now is the simulated time of a project ("" for the server's clock).
func (e *Engine) Now(project string) time.Time {
	return e.ctl.Load().clockOf(project).at(time.Now())
}

// ClockSpeed is the speed of a project's clock ("" for the server's).
func (e *Engine) ClockSpeed(project string) float64 {
	return e.ctl.Load().clockOf(project).speed
}

// SetClock sets a project's clock ("" for the server's, which every project
// without a clock of its own reads): to now when now is not nil, to speed
// when speed is not nil.
func (e *Engine) SetClock(project string, now *time.Time, speed *float64) error {
	if speed != nil {
		if msg := CheckClockSpeed(*speed); msg != "" {
			return fmt.Errorf("%s", msg)
		}
	}
	if now != nil && now.After(clockEnd) {
		return fmt.Errorf("now %s is after %s, as far as a clock goes", now.Format(time.RFC3339), clockEnd.Format(time.RFC3339))
	}
	return e.setClock(project, func(cur *simClock, real time.Time) *simClock {
		next := &simClock{base: cur.at(real), anchor: real, speed: cur.speed}
		if now != nil {
			next.base = *now
		}
		if speed != nil {
			next.speed = *speed
		}
		return next
	})
}

// AdvanceClock moves a project's clock ("" for the server's) forward by d.
func (e *Engine) AdvanceClock(project string, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("advance by %s: the clock only moves forward (set it with a time instead)", d)
	}
	return e.setClock(project, func(cur *simClock, real time.Time) *simClock {
		t := cur.at(real).Add(d)
		if t.After(clockEnd) {
			t = clockEnd.In(t.Location())
		}
		return &simClock{base: t, anchor: real, speed: cur.speed}
	})
}

func (e *Engine) setClock(project string, next func(cur *simClock, real time.Time) *simClock) error {
	if project == "" {
		e.update(func(c *controls) { c.startup.clock = next(c.clockOf(""), time.Now()) })
		return nil
	}
	return e.edit(project, func(l *layer) {
		cur := l.clock // under the lock edit holds: two advances both count
		if cur == nil {
			cur = e.ctl.Load().startup.clock
		}
		l.clock = next(cur, time.Now())
	})
}

// ClockReading is how a clock reads over the admin API. A project's clock
// (Engine.Clock) is also read in the zone of the project's fleet (UTC for
// a scenario that is not a fleet), to the second, as a person reads it.
type ClockReading struct {
	Local string  `json:"local,omitempty"` // "2026-11-30 Mon 10:30:00"
	Now   string  `json:"now"`
	Speed float64 `json:"speed"`
	Zone  string  `json:"zone,omitempty"` // "Asia/Shanghai"
}

func (c *simClock) reading(real time.Time) ClockReading {
	return ClockReading{Now: c.at(real).Format(time.RFC3339Nano), Speed: c.speed}
}

// Clock is the reading of a project's clock ("" for the server's).
func (e *Engine) Clock(project string) ClockReading {
	c := e.ctl.Load().clockOf(project)
	real := time.Now()
	r := c.reading(real)
	zone := zoneOf(e.scenarioOf(project))
	r.Local, r.Zone = c.at(real).In(zone).Format(LocalLayout), zone.String()
	return r
}

// LocalLayout is how a simulated instant reads in its zone.
const LocalLayout = "2006-01-02 Mon 15:04:05"

// zoneOf is the zone of sc's fleet, else UTC.
func zoneOf(sc *fixtures.Scenario) *time.Location {
	if sc != nil {
		if f := sc.Steps[0].Fleet; f != nil && f.Zone != nil {
			return f.Zone
		}
	}
	return time.UTC
}

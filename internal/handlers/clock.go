package handlers

import (
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/workspace-mock/mockserver/internal/wire"
)

// simClock is a simulated clock: at the real instant anchor it read base,
// and it runs speed simulated seconds per real second (0: frozen). A value:
// changing a clock publishes a new one with the controls (copy on write).
type simClock struct {
	base, anchor time.Time
	speed        float64
}

// at is the simulated time at the real instant real.
func (c simClock) at(real time.Time) time.Time {
	if c.speed == 0 {
		return c.base
	}
	return c.base.Add(time.Duration(float64(real.Sub(c.anchor)) * c.speed))
}

// set returns the clock reading now at the real instant real, at speed.
func (c simClock) set(now, real time.Time, speed float64) simClock {
	return simClock{base: now, anchor: real, speed: speed}
}

// freshClock is the start-up clock as it starts now: at --clock-start (or
// wall time), at --clock-speed.
func (m *Mock) freshClock() simClock {
	real := time.Now()
	base := m.clockStart
	if base.IsZero() {
		base = real
	}
	return simClock{base: base, anchor: real, speed: m.clockSpeed}
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

// clockOf is the clock a project reads: its own, else the global one, else
// the start-up clock.
func (m *Mock) clockOf(project string, ctl *controls) simClock {
	if o, ok := ctl.projects[project]; ok && o.clock != nil {
		return *o.clock
	}
	if ctl.global.clock != nil {
		return *ctl.global.clock
	}
	return m.startClock
}

// Now is the simulated time of a project ("" for the global clock).
func (m *Mock) Now(project string) time.Time {
	return m.clockOf(project, m.ctl.Load()).at(time.Now())
}

// ClockSpeed is the speed of a project's clock ("" for the global one).
func (m *Mock) ClockSpeed(project string) float64 {
	return m.clockOf(project, m.ctl.Load()).speed
}

// SetClock sets a project's clock ("" for every project without its own):
// to now when now is not nil, to speed when speed is not nil.
func (m *Mock) SetClock(project string, now *time.Time, speed *float64) error {
	if speed != nil {
		if msg := CheckClockSpeed(*speed); msg != "" {
			return fmt.Errorf("%s", msg)
		}
	}
	m.update(func(c *controls) {
		real := time.Now()
		cur := m.clockOf(project, c)
		t, x := cur.at(real), cur.speed
		if now != nil {
			t = *now
		}
		if speed != nil {
			x = *speed
		}
		next := cur.set(t, real, x)
		c.edit(project, func(o *override) { o.clock = &next })
	})
	return nil
}

// AdvanceClock moves a project's clock ("" for the global one) forward by d.
func (m *Mock) AdvanceClock(project string, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("advance by %s: the clock only moves forward (set it with a time instead)", d)
	}
	m.update(func(c *controls) {
		real := time.Now()
		cur := m.clockOf(project, c)
		next := cur.set(cur.at(real).Add(d), real, cur.speed)
		c.edit(project, func(o *override) { o.clock = &next })
	})
	return nil
}

// instant is the simulated time a request is answered as of: X-Mock-Time,
// else the project's clock, truncated to the second (the resolution of the
// simulation, so answers within a second share their bytes).
func (m *Mock) instant(project string, sw *switches, ctl *controls) time.Time {
	if sw.hasTime {
		return sw.time.Truncate(time.Second)
	}
	return m.clockOf(project, ctl).at(time.Now()).Truncate(time.Second)
}

// clockJSON is how a clock reads over the admin API.
type clockJSON struct {
	Now   string  `json:"now"`
	Speed float64 `json:"speed"`
}

func (m *Mock) adminGetClock(w http.ResponseWriter, r *http.Request) {
	if project, ok := targetProject(w, r); ok {
		writeAdmin(w, m.clockReading(project))
	}
}

func (m *Mock) clockReading(project string) clockJSON {
	c := m.clockOf(project, m.ctl.Load())
	return clockJSON{Now: c.at(time.Now()).Format(time.RFC3339Nano), Speed: c.speed}
}

func (m *Mock) adminSetClock(w http.ResponseWriter, r *http.Request) {
	project, ok := targetProject(w, r)
	var body struct {
		Now   *string  `json:"now"`
		Speed *float64 `json:"speed"`
	}
	if !ok || !decodeBody(w, r, &body) {
		return
	}
	if body.Now == nil && body.Speed == nil {
		writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", `give "now" (RFC 3339), "speed" (simulated seconds per real second; 0 freezes), or both`))
		return
	}
	var now *time.Time
	if body.Now != nil {
		t, err := time.Parse(time.RFC3339Nano, *body.Now)
		if err != nil {
			writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", fmt.Sprintf("now %q: use RFC 3339, e.g. 2026-11-30T10:00:00+08:00", *body.Now)))
			return
		}
		now = &t
	}
	if err := m.SetClock(project, now, body.Speed); err != nil {
		writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", err.Error()))
		return
	}
	writeAdmin(w, m.clockReading(project))
}

func (m *Mock) adminAdvanceClock(w http.ResponseWriter, r *http.Request) {
	project, ok := targetProject(w, r)
	var body struct {
		By string `json:"by"`
	}
	if !ok || !decodeBody(w, r, &body) {
		return
	}
	d, err := time.ParseDuration(body.By)
	if err != nil {
		writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", fmt.Sprintf("by %q is not a duration (examples: 15m, 1h30m, 24h)", body.By)))
		return
	}
	if err := m.AdvanceClock(project, d); err != nil {
		writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", err.Error()))
		return
	}
	writeAdmin(w, m.clockReading(project))
}

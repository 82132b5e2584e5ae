package handlers

import (
	"fmt"
	"net/http"
	"time"

	"github.com/workspace-mock/mockserver/internal/wire"
)

// The clock over the admin API: GET and PUT /_mock/clock, POST /_mock/clock/advance.

func (m *Mock) adminGetClock(w http.ResponseWriter, r *http.Request) {
	if project, ok := targetProject(w, r); ok {
		writeAdmin(w, m.Clock(project))
	}
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
		writeSwitchError(w, err)
		return
	}
	writeAdmin(w, m.Clock(project))
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
		writeSwitchError(w, err)
		return
	}
	writeAdmin(w, m.Clock(project))
}

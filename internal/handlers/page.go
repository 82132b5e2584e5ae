package handlers

import (
	_ "embed"
	"fmt"
	"net/http"
	"time"

	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// The control page, and the admin calls it needs besides the others: it
// uses only the admin API, so whatever it does a script can do too.

//go:embed ui/index.html
var controlPage []byte

// adminUI serves the control page: one file, no request to another host.
func adminUI(w http.ResponseWriter, _ *http.Request) {
	w.Header()["Content-Security-Policy"] = []string{"default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:"}
	writeAs(w, http.StatusOK, "text/html;charset=utf-8", controlPage)
}

// SetDelay makes every answer of the project ("" for every project) wait d.
func (m *Mock) SetDelay(project string, d fixtures.Delay) {
	m.update(func(c *controls) { c.edit(project, func(o *override) { o.delay = &d }) })
}

// ClearDelay removes a run-time delay.
func (m *Mock) ClearDelay(project string) {
	m.update(func(c *controls) { c.edit(project, func(o *override) { o.delay = nil }) })
}

func (m *Mock) adminSetDelay(w http.ResponseWriter, r *http.Request) {
	project, ok := targetProject(w, r)
	var body struct {
		Delay string `json:"delay"`
	}
	if !ok || !decodeBody(w, r, &body) {
		return
	}
	d, err := fixtures.ParseDelay(body.Delay)
	if err != nil {
		writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", "delay: "+err.Error()))
		return
	}
	m.SetDelay(project, d)
	writeAdmin(w, map[string]string{"project_id": project, "delay": d.String()})
}

func (m *Mock) adminClearDelay(w http.ResponseWriter, r *http.Request) {
	if project, ok := targetProject(w, r); ok {
		m.ClearDelay(project)
		writeAdmin(w, map[string]string{"project_id": project})
	}
}

// controlsJSON is what the run-time switches set, for one project or all.
type controlsJSON struct {
	Scenario    string     `json:"scenario,omitempty"`
	ErrorStatus int        `json:"error_status,omitempty"`
	ErrorLeft   int64      `json:"error_left,omitempty"` // requests still to fail; 0 with a status: until cleared
	Delay       string     `json:"delay,omitempty"`
	Clock       *clockJSON `json:"clock,omitempty"` // a clock of its own
}

func (o override) json(real time.Time) controlsJSON {
	c := controlsJSON{Scenario: o.scenario}
	if o.inject != nil {
		if left := o.inject.left.Load(); left != 0 {
			c.ErrorStatus, c.ErrorLeft = o.inject.spec.Status, max(left, 0)
		}
	}
	if o.delay != nil {
		c.Delay = o.delay.String()
	}
	if o.clock != nil {
		c.Clock = &clockJSON{Now: o.clock.at(real).Format(time.RFC3339Nano), Speed: o.clock.speed}
	}
	return c
}

// adminControls lists every run-time switch in force, globally and per project.
func (m *Mock) adminControls(w http.ResponseWriter, _ *http.Request) {
	ctl, real := m.ctl.Load(), time.Now()
	global := ctl.global
	global.clock = nil // GET /_mock/clock reads it; per project, a clock of its own is a switch
	projects := map[string]controlsJSON{}
	for p, o := range ctl.projects {
		projects[p] = o.json(real)
	}
	writeAdmin(w, map[string]any{"startup": m.startName, "global": global.json(real), "projects": projects})
}

// MaxPreview bounds the instants of one preview.
const MaxPreview = 2000

// adminPreview is what the project's scenario answers (request headers
// aside), now or at instants from..to by step: for the control page's table
// and charts. It changes nothing: no sequence moves, no injected error is used up.
func (m *Mock) adminPreview(w http.ResponseWriter, r *http.Request) {
	project, ok := targetProject(w, r)
	if !ok {
		return
	}
	ctl, set := m.ctl.Load(), m.set.Load()
	po := ctl.projects[project]
	sc := m.scenarioFor(project, &switches{}, &po, ctl, set)
	if sc == nil {
		writeAdmin(w, map[string]any{"upstream": m.upstream != nil, "scenario": "", "fleet": false, "answers": []any{}})
		return
	}
	now := m.clockOf(project, ctl).at(time.Now()).Truncate(time.Second)
	from, to, step := now, now, time.Hour
	q := r.URL.Query()
	if q.Get("from") != "" || q.Get("to") != "" {
		var err1, err2, err3 error
		from, err1 = time.Parse(time.RFC3339, q.Get("from"))
		to, err2 = time.Parse(time.RFC3339, q.Get("to"))
		if s := q.Get("step"); s != "" {
			step, err3 = time.ParseDuration(s)
		}
		switch {
		case err1 != nil || err2 != nil || err3 != nil || step <= 0 || to.Before(from):
			writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", "give from and to as RFC 3339 times, to not before from, and step as a positive duration"))
			return
		case to.Sub(from)/step >= MaxPreview:
			writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", fmt.Sprintf("more than %d instants: take a longer step", MaxPreview)))
			return
		}
	}
	type answerJSON struct {
		Time    string           `json:"time"`
		Statics []fixtures.Group `json:"statics,omitempty"`
		Error   *wireErrorJSON   `json:"error,omitempty"`
		Fault   fixtures.Fault   `json:"fault,omitempty"`
	}
	var answers []answerJSON
	for t := from; !t.After(to); t = t.Add(step) {
		s := sc.SnapshotAt(m.seed, t.Truncate(time.Second))
		a := answerJSON{Time: s.Time.Format(time.RFC3339), Statics: s.Statics, Fault: s.Fault}
		if s.Error != nil {
			a.Error = &wireErrorJSON{s.Error.Status, s.Error.Code, s.Error.Msg}
		} else if a.Statics == nil && s.Fault == fixtures.FaultNone {
			a.Statics = []fixtures.Group{}
		}
		answers = append(answers, a)
	}
	writeAdmin(w, map[string]any{"upstream": false, "scenario": sc.Name, "fleet": sc.Steps[0].Fleet != nil, "answers": answers})
}

type wireErrorJSON struct {
	Status int    `json:"status"`
	Code   string `json:"error_code"`
	Msg    string `json:"error_msg"`
}

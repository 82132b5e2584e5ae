package handlers

import (
	_ "embed"
	"errors"
	"net/http"
	"time"

	"github.com/workspace-mock/mockserver/internal/engine"
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
	writeAdmin(w, delaySet{Project: project, Delay: d.String()})
}

func (m *Mock) adminClearDelay(w http.ResponseWriter, r *http.Request) {
	if project, ok := targetProject(w, r); ok {
		m.ClearDelay(project)
		writeAdmin(w, done{project})
	}
}

// adminControls lists every run-time switch in force, globally and per project.
func (m *Mock) adminControls(w http.ResponseWriter, _ *http.Request) {
	writeAdmin(w, m.Controls())
}

// adminPreview is what the project's scenario answers (request headers
// aside), now or at instants from..to by step: for the control page's table
// and charts. It changes nothing.
func (m *Mock) adminPreview(w http.ResponseWriter, r *http.Request) {
	project, ok := targetProject(w, r)
	if !ok {
		return
	}
	var from, to time.Time
	step := time.Hour
	q := r.URL.Query()
	if q.Get("from") != "" || q.Get("to") != "" {
		var err1, err2, err3 error
		from, err1 = time.Parse(time.RFC3339, q.Get("from"))
		to, err2 = time.Parse(time.RFC3339, q.Get("to"))
		if s := q.Get("step"); s != "" {
			step, err3 = time.ParseDuration(s)
		}
		if err1 != nil || err2 != nil || err3 != nil || step <= 0 || to.Before(from) {
			writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", "give from and to as RFC 3339 times, to not before from, and step as a positive duration"))
			return
		}
	}
	p, err := m.Preview(project, from, to, step)
	switch {
	case errors.Is(err, engine.ErrTooManyInstants):
		writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", err.Error()+": take a longer step"))
		return
	case err != nil:
		writeError(w, wire.Mock(http.StatusInternalServerError, "MOCK.0002", err.Error()))
		return
	}
	writeAdmin(w, p)
}

package handlers

import (
	"bufio"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
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
	// No framing: a page elsewhere must not overlay the controls (clickjacking).
	w.Header()["Content-Security-Policy"] = []string{"default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"}
	w.Header()["X-Frame-Options"] = []string{"DENY"}
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
	if err := m.SetDelay(project, d); err != nil {
		writeSwitchError(w, err)
		return
	}
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
// aside), now or at instants from..to by step, at most limit pools each (or
// their total, total=1): for the control page's table and charts. It changes
// nothing. Bounded before any work, and written as it is computed.
func (m *Mock) adminPreview(w http.ResponseWriter, r *http.Request) {
	project, ok := targetProject(w, r)
	if !ok {
		return
	}
	var q engine.PreviewQuery
	v := r.URL.Query()
	if v.Get("from") != "" || v.Get("to") != "" {
		var err1, err2, err3 error
		q.From, err1 = time.Parse(time.RFC3339, v.Get("from"))
		q.To, err2 = time.Parse(time.RFC3339, v.Get("to"))
		q.Step = time.Hour
		if s := v.Get("step"); s != "" {
			q.Step, err3 = time.ParseDuration(s)
		}
		if err1 != nil || err2 != nil || err3 != nil || q.Step <= 0 || q.To.Before(q.From) {
			writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", "give from and to as RFC 3339 times, to not before from, and step as a positive duration"))
			return
		}
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", fmt.Sprintf("limit %q: give how many pools per instant, 1 or more", s)))
			return
		}
		q.Limit = n
	}
	switch v.Get("total") {
	case "", "0", "false":
	case "1", "true":
		q.Total = true
	default:
		writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", fmt.Sprintf("total %q: give 1 (one summed pool per instant) or 0", v.Get("total"))))
		return
	}
	p, err := m.Preview(project, q)
	if err != nil {
		writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", err.Error()))
		return
	}
	writePreview(w, r, p)
}

// writePreview streams {"answers":[...],"fleet":..,"injected":..,"scenario":..,"upstream":..}:
// one instant in memory at a time. A failure half-way (the client left) can
// only end the connection.
func writePreview(w http.ResponseWriter, r *http.Request, p *engine.Preview) {
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 32<<10)
	_, _ = bw.WriteString(`{"answers":[`)
	n := 0
	err := p.Each(r.Context(), func(a engine.SnapshotJSON) error {
		if n > 0 {
			_ = bw.WriteByte(',')
		}
		n++
		b, err := json.Marshal(a)
		if err != nil {
			return err
		}
		_, err = bw.Write(b)
		return err
	})
	if err != nil {
		panic(http.ErrAbortHandler) // the answer is cut short: drop the connection rather than end it as if whole
	}
	tail, _ := json.Marshal(struct {
		Fleet    bool                  `json:"fleet"`
		Injected *engine.InjectedError `json:"injected,omitempty"`
		Scenario string                `json:"scenario"`
		Upstream bool                  `json:"upstream"`
	}{p.Fleet, p.Injected, p.Scenario, p.Upstream})
	_, _ = bw.WriteString("]," + string(tail[1:]))
	_ = bw.Flush()
}

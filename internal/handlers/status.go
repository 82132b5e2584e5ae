package handlers

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/http"
	"time"

	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// answer is how one request is answered, decided before anything is written:
// an error body, a transport fault or a 200 body, after a delay.
type answer struct {
	project  string // for the journal; "" outside the API route
	scenario string // the scenario that answered, for the journal
	proxy    bool   // the upstream answers (--upstream)
	delay    time.Duration
	err      *wire.Error
	fault    fixtures.Fault
	body     fixtures.Payload
}

func errorAnswer(e wire.Error) answer { return answer{err: &e} }

// journaled serves a route whose requests the journal keeps (the API, IAM,
// unknown routes), in one sequence: decide, wait, write, record.
func (m *Mock) journaled(decide func(http.ResponseWriter, *http.Request) answer) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		e := m.begin(w, r)
		defer m.record(&e) // also when a fault drops the connection (a panic)
		a := decide(w, r)
		e.ProjectID, e.Scenario, e.Fault = own(a.project, longLine(r)), a.scenario, string(a.fault)
		switch m.wait(r.Context(), a.delay) {
		case clientLeft:
			return // nobody to answer
		case serverStopped:
			panic(http.ErrAbortHandler) // drop the connection
		}
		e.Status = m.write(w, r, a)
		if a.proxy {
			e.Proxied, e.RequestID = true, requestID(w) // the upstream's
		}
	}
}

// listInstancesStatus decides the answer of GET /v2/{project_id}/connections/status.
func (m *Mock) listInstancesStatus(w http.ResponseWriter, r *http.Request) answer {
	project := projectParam(r)
	if e := m.authenticate(r); e != nil {
		return answer{project: project, err: e}
	}
	a := m.decide(project, r.Header)
	a.project = project
	return a
}

// decide is the whole of the API's answer to one request, as plain data.
// Every switch meets here, strongest first: request headers, run-time
// overrides for the project, global run-time overrides, the project's bound
// scenario, then the start-up settings.
func (m *Mock) decide(project string, h http.Header) answer {
	if msg := wire.CheckProjectID(project); msg != "" {
		return errorAnswer(wire.Error{Status: http.StatusBadRequest, Code: "WKS.00170312", Msg: "The tenant does not exist.",
			Detail: fmt.Sprintf("project_id %q in the path is not a project id: %s.", truncate(project, 80), msg)})
	}
	set := m.set.Load()
	var sw switches
	if hasSwitches(h) {
		var bad string
		if sw, bad = parseSwitches(h, set.Set); bad != "" {
			return errorAnswer(wire.Mock(http.StatusBadRequest, "MOCK.0001", bad))
		}
	}
	ctl := m.ctl.Load()
	po := ctl.projects[project]
	sc := m.scenarioFor(project, &sw, &po, ctl, set)
	if sc == nil && m.upstream != nil {
		return m.proxyAnswer(project, &sw, &po, ctl)
	}
	if sc == nil {
		return errorAnswer(wire.Mock(http.StatusInternalServerError, "MOCK.0002",
			fmt.Sprintf("the start-up scenario %q is no longer loaded (its file was removed?)", m.startName)))
	}

	seed := m.seed
	if sw.hasSeed {
		seed = sw.seed
	}
	delay := m.delayOf(&sw, &po, ctl)
	var n uint64 // the request's number, for sequences and draws; counted only where it matters
	if sc.Counted() || delay != nil && delay.IsRange() {
		n = m.counters.next(sc.Name, project)
	}
	forced := sw.err
	if forced == nil && !sw.success {
		forced = m.injected(&po, ctl)
	}
	step, index := sc.Turn(seed, n, forced == nil && !sw.success)
	if delay == nil {
		d := sc.DelayOf(step)
		delay = &d
	}

	a := answer{scenario: sc.Name, delay: delay.Draw(seed, n)}
	switch {
	case forced != nil:
		a.err = forced
	case step.Error != nil:
		a.err = step.Error
	case step.Fault != fixtures.FaultNone:
		a.fault = step.Fault
	case step.Fleet != nil:
		at := m.instant(project, &sw, ctl)
		if a.err = step.Fleet.Failing(at); a.err == nil {
			a.body = step.Fleet.Payload(seed, at)
		}
	default:
		a.body = sc.Payload(index, seed, n)
	}
	return a
}

// scenarioFor picks the scenario: X-Mock-Scenario, then the project's
// run-time choice, the global one, the scenario bound to the project, the
// start-up one (nil once its file is gone).
func (m *Mock) scenarioFor(project string, sw *switches, po *override, ctl *controls, set *served) *fixtures.Scenario {
	if sw.scenario != nil {
		return sw.scenario
	}
	for _, name := range [...]string{po.scenario, ctl.global.scenario} {
		if name == "" {
			continue
		}
		if sc := set.Get(name); sc != nil {
			return sc
		}
	}
	if set.HasBindings() {
		if sc := set.ForProject(project); sc != nil {
			return sc
		}
	}
	if m.upstream != nil {
		return nil // the upstream takes the start-up scenario's place
	}
	return set.start
}

// proxyAnswer is the answer of a request no switch chose a scenario for,
// with --upstream: an injected error still wins (and never reaches the
// upstream); else the upstream answers, after any delay a switch asks for.
func (m *Mock) proxyAnswer(project string, sw *switches, po *override, ctl *controls) answer {
	forced := sw.err
	if forced == nil && !sw.success {
		forced = m.injected(po, ctl)
	}
	delay := m.delayOf(sw, po, ctl)
	a := answer{err: forced, proxy: forced == nil}
	if delay != nil {
		var n uint64
		if delay.IsRange() {
			n = m.counters.next("(upstream)", project)
		}
		a.delay = delay.Draw(m.seed, n)
	}
	return a
}

// delayOf is the delay the switches give a request: X-Mock-Delay, the
// project's run-time delay, the global one, --delay; nil leaves it to the
// scenario.
func (m *Mock) delayOf(sw *switches, po *override, ctl *controls) *fixtures.Delay {
	for _, d := range [...]*fixtures.Delay{sw.delay, po.delay, ctl.global.delay} {
		if d != nil {
			return d
		}
	}
	return m.delay
}

// injected is the run-time error this request takes, if any: the project's,
// then the global one, then the start-up --error. Taking one uses up one of
// its count.
func (m *Mock) injected(po *override, ctl *controls) *wire.Error {
	switch {
	case po.inject.take():
		return &po.inject.spec
	case ctl.global.inject.take():
		return &ctl.global.inject.spec
	}
	return m.startErr
}

// waited is how a wait ended.
type waited int

const (
	waitedOut     waited = iota // the whole delay passed: answer
	clientLeft                  // the client went away
	serverStopped               // Close ended it: drop the connection
)

// wait holds the answer for d, or less if the client goes away or Close
// ends every wait. A graceful shutdown does not cut it short: in-flight
// requests finish. Waiting requests are counted for /healthz.
func (m *Mock) wait(ctx context.Context, d time.Duration) waited {
	if d <= 0 {
		return waitedOut
	}
	m.waiting.Add(1)
	defer m.waiting.Add(-1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return waitedOut
	case <-ctx.Done():
		return clientLeft
	case <-m.closed:
		return serverStopped
	}
}

// write sends the answer and returns the status it wrote (0: none, a
// transport fault answered).
func (m *Mock) write(w http.ResponseWriter, r *http.Request, a answer) int {
	switch {
	case a.err != nil:
		writeError(w, *a.err)
		return a.err.Status
	case a.fault != fixtures.FaultNone:
		return m.fault(w, r, a.fault)
	case a.proxy:
		return m.forward(w, r, a.project)
	}
	writeBody(w, http.StatusOK, a.body.Bytes, a.body.Length)
	return http.StatusOK
}

// forward asks the upstream and writes its answer as the proxy returns it:
// the upstream's status and body, its X-Request-Id (bounded, scrubbed) and
// the proxy's headers (upstream.Proxy.Forward checks and records it).
func (m *Mock) forward(w http.ResponseWriter, r *http.Request, project string) int {
	up, e := m.proxy.Forward(r.Context(), project, r, nil)
	if e != nil {
		writeError(w, *e)
		return e.Status
	}
	defer up.Release()                 // its bytes count in flight until written
	delete(w.Header(), "X-Request-Id") // the upstream's, or none
	maps.Copy(w.Header(), up.Header)
	writeAs(w, up.Status, up.ContentType, up.Body)
	return up.Status
}

// malformedBody is a 200 body cut off mid-object, as a proxy that drops the
// connection would leave it.
var malformedBody = []byte(`{"statics":[{"static_name":"finance-pool","running_num":42,"stop_num":`)

// FaultWriter is a ResponseWriter with no connection to break (the Go
// package's in-process transport): the handler tells it the fault instead.
type FaultWriter interface {
	http.ResponseWriter
	WriteFault(fixtures.Fault)
}

// fault fails the request at the transport level; it returns the status
// written, 200 for a malformed body and 0 otherwise.
func (m *Mock) fault(w http.ResponseWriter, r *http.Request, f fixtures.Fault) int {
	switch f {
	case fixtures.FaultMalformed:
		writeJSON(w, http.StatusOK, malformedBody)
		return http.StatusOK
	case fixtures.FaultHang:
		m.waiting.Add(1)
		defer m.waiting.Add(-1)
		select {
		case <-r.Context().Done():
		case <-m.done:
		case <-m.closed:
		}
		panic(http.ErrAbortHandler) // drop the connection, answer nothing
	}
	if fw, ok := w.(FaultWriter); ok {
		fw.WriteFault(f)
		return 0
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // not hijackable (HTTP/2): drop it as we can
	}
	if f == fixtures.FaultReset {
		if tc, ok := conn.(interface{ NetConn() net.Conn }); ok {
			conn = tc.NetConn() // TLS: reset the TCP connection under it, no close_notify
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close with RST instead of FIN
		}
	}
	_ = conn.Close()
	return 0
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

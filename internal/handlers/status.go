package handlers

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/workspace-mock/mockserver/internal/fixtures"
)

// listInstancesStatus serves GET /v2/{project_id}/connections/status. Every
// switch meets here, strongest first: request headers, run-time overrides for
// the project, global run-time overrides, the project's bound scenario, then
// the start-up flags.
func (m *Mock) listInstancesStatus(w http.ResponseWriter, r *http.Request) {
	project, _ := apiProject(r.URL) // the route matched: it is there
	hs := scanHeaders(r)
	rec := m.begin(w, r, project, &hs)
	defer m.finish(&rec)
	if hs.size > m.maxHeader {
		rec.fail(w, headersTooLarge(hs.size, m.maxHeader))
		return
	}
	if m.verifier != nil {
		if e := m.verifier.Verify(r, nil); e != nil {
			rec.fail(w, *e)
			return
		}
	}
	if msg := fixtures.CheckProjectID(project); msg != "" {
		rec.fail(w, fixtures.ErrorSpec{Status: http.StatusBadRequest, Code: "WKS.00170312", Msg: "The tenant does not exist.",
			Detail: fmt.Sprintf("project_id %q in the path is not a project id: %s.", truncate(project, 80), msg)})
		return
	}

	set := m.set.Load()
	var sw switches
	if hs.switches {
		var bad string
		if sw, bad = parseSwitches(r.Header, set.Set); bad != "" {
			rec.fail(w, mockError(http.StatusBadRequest, "MOCK.0001", bad))
			return
		}
	}

	ctl := m.ctl.Load()
	var po override
	if len(ctl.projects) > 0 {
		po = ctl.projects[project]
	}
	sc := sw.scenario
	for _, name := range [...]string{po.scenario, ctl.global.scenario} {
		if sc == nil && name != "" {
			sc = set.Get(name)
		}
	}
	if sc == nil && set.HasBindings() {
		sc = set.ForProject(project)
	}
	if sc == nil {
		if sc = set.start; sc == nil {
			rec.fail(w, mockError(http.StatusInternalServerError, "MOCK.0002",
				fmt.Sprintf("the start-up scenario %q is no longer loaded (its file was removed?)", m.startName)))
			return
		}
	}

	rec.Scenario = sc.Name
	seed := m.seed
	if sw.hasSeed {
		seed = sw.seed
	}
	var n uint64
	if sc.Stateful() {
		n = m.counter(sc.Name, project).Add(1) - 1
	}
	idx := sc.StepAt(n)
	step := &sc.Steps[idx]

	forced := sw.err
	if forced == nil && !sw.success {
		switch {
		case po.inject.take():
			forced = &po.inject.spec
		case ctl.global.inject.take():
			forced = &ctl.global.inject.spec
		case m.startErr != nil:
			forced = m.startErr
		case sc.FailureRate > 0 && fixtures.Unit(fixtures.Mix(seed, n, 0xfa11)) < sc.FailureRate:
			step = &sc.Failure
		}
	}

	delay := sw.delay
	if delay == nil {
		delay = m.delay
	}
	if delay == nil {
		delay = step.Delay
	}
	if delay == nil {
		delay = &sc.Delay
	}
	if !delay.IsZero() && !m.sleep(r.Context(), delay.Pick(fixtures.Unit(fixtures.Mix(seed, n, 0xde1a)))) {
		return // the client gave up
	}

	switch {
	case forced != nil:
		rec.fail(w, *forced)
	case step.Error != nil:
		rec.fail(w, *step.Error)
	case step.Fault != fixtures.FaultNone:
		rec.Fault = string(step.Fault)
		if step.Fault == fixtures.FaultMalformed {
			rec.Status = http.StatusOK
		}
		m.fault(w, r, step.Fault)
	default:
		rec.Status = http.StatusOK
		pl := sc.Payload(idx, seed, n)
		writeBody(w, http.StatusOK, pl.Bytes, pl.Length)
	}
}

// sleep waits d, or less if the client goes away; it reports whether the
// whole wait passed. Server shutdown does not cut it short: in-flight
// requests finish. Waiting requests are counted for /healthz.
func (m *Mock) sleep(ctx context.Context, d time.Duration) bool {
	m.waiting.Add(1)
	defer m.waiting.Add(-1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// malformedBody is a 200 body cut off mid-object, as a proxy that drops the
// connection would leave it.
var malformedBody = []byte(`{"statics":[{"static_name":"finance-pool","running_num":42,"stop_num":`)

// fault fails the request at the transport level.
func (m *Mock) fault(w http.ResponseWriter, r *http.Request, f fixtures.Fault) {
	switch f {
	case fixtures.FaultMalformed:
		writeJSON(w, http.StatusOK, malformedBody)
	case fixtures.FaultHang:
		m.waiting.Add(1)
		defer m.waiting.Add(-1)
		select {
		case <-r.Context().Done():
		case <-m.done:
		}
		panic(http.ErrAbortHandler) // drop the connection, answer nothing
	case fixtures.FaultReset, fixtures.FaultEmpty:
		if in, ok := w.(interface{ InjectFault(string) }); ok {
			in.InjectFault(string(f)) // in process: no connection to drop
			return
		}
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(http.ErrAbortHandler) // not hijackable (HTTP/2, in-process): drop it as we can
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
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

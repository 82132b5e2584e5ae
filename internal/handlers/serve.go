package handlers

import (
	"context"
	"maps"
	"net"
	"net/http"
	"time"

	"github.com/workspace-mock/mockserver/internal/engine"
	"github.com/workspace-mock/mockserver/internal/fixtures"
)

// decider decides a journaled request's answer: the project it is for (""
// outside the API) and the engine's answer, for a request that arrived at
// arrived. Nothing is written before it returns.
type decider func(r *http.Request, arrived time.Time) (project string, a engine.Answer)

// journaled serves a route whose requests the journal keeps (the API, IAM,
// unknown routes), in one sequence: decide, wait, write, record. operation
// names it in the journal ("" for a route that does not exist).
func (m *Mock) journaled(operation string, decide decider) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		e := begin(w, r)
		e.Operation = operation
		defer m.Record(&e) // also when a fault drops the connection (a panic)
		project, a := decide(r, e.Time)
		e.ProjectID, e.Scenario, e.Fault = own(project, longLine(r)), a.Scenario, string(a.Fault)
		switch m.wait(r.Context(), a.Delay) {
		case clientLeft:
			return // nobody to answer
		case serverStopped:
			panic(http.ErrAbortHandler) // drop the connection
		}
		e.Status = m.write(w, r, operation, project, a)
		if a.Proxy {
			e.Proxied, e.RequestID = true, clip(requestID(w)) // the upstream's
		}
	}
}

// api serves one operation of the emulated API: the project from the path,
// the signature checked, the switches and the operation's own arguments
// read, the engine's answer.
func (m *Mock) api(op *engine.Operation, args func(*http.Request) engine.Args) http.HandlerFunc {
	return m.journaled(op.Name, func(r *http.Request, arrived time.Time) (string, engine.Answer) {
		project := projectParam(r)
		if e := m.authenticate(r); e != nil {
			return project, engine.Answer{Err: e}
		}
		sw := parseSwitches(r.Header)
		a := args(r)
		a.Arrived = arrived
		return project, m.Decide(op, project, a, &sw)
	})
}

// The arguments operations take from a request.
func noArgs(*http.Request) engine.Args { return engine.Args{} }

func query(r *http.Request) engine.Args { return engine.Args{Query: r.URL.Query()} }

func pathID(name string) func(*http.Request) engine.Args {
	return func(r *http.Request) engine.Args { return engine.Args{ID: pathParam(r, name)} }
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
func (m *Mock) write(w http.ResponseWriter, r *http.Request, operation, project string, a engine.Answer) int {
	switch {
	case a.Err != nil:
		writeError(w, *a.Err)
		return a.Err.Status
	case a.Fault != fixtures.FaultNone:
		return m.fault(w, r, a.Fault)
	case a.Proxy:
		return m.forward(w, r, operation, project)
	}
	writeBody(w, http.StatusOK, a.Body.Bytes, a.Body.Length)
	return http.StatusOK
}

// forward asks the upstream and writes its answer as the proxy returns it:
// the upstream's status and body, its X-Request-Id (bounded, scrubbed) and
// the proxy's headers (upstream.Proxy.Forward checks and records it).
func (m *Mock) forward(w http.ResponseWriter, r *http.Request, operation, project string) int {
	up, e := m.proxy.Forward(r.Context(), operation, project, r, nil)
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

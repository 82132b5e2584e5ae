package upstream

import (
	"context"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/workspace-mock/mockserver/internal/wire"
)

// MaxDrift is how many departures from the contract GET /_mock/drift keeps.
const MaxDrift = 1000

// Proxy is --upstream as the rest of the emulator knows it: one call per
// request that fetches the answer, checks it against the contract, logs and
// keeps its drift, records it, and returns what to write.
type Proxy struct {
	up    *Upstream
	rec   *Recorder // nil: no recording
	drift *DriftLog
	log   *slog.Logger
}

// NewProxy builds the proxy to up, recording with rec (nil: none; it is
// started here, see Recorder.Start) and logging to log (nil: nowhere). It
// returns nil when up is nil: a nil Proxy has no drift.
func NewProxy(up *Upstream, rec *Recorder, log *slog.Logger) *Proxy {
	if up == nil {
		return nil
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if rec != nil {
		if n := rec.Start(); n > 0 {
			log.Info("removed the temporary files of interrupted recordings", "dir", rec.Dir, "removed", n)
		}
	}
	return &Proxy{up: up, rec: rec, drift: NewDriftLog(MaxDrift), log: log}
}

// Forward asks the upstream for r's API call on behalf of project (body is
// r's body, nil for none) and returns the answer to write, or the error to
// answer (502 MOCK.0502) when there is none. Call the answer's Release once
// it is written: until then its body counts against the bytes in flight
// (Config.MaxInFlight). Each answer is checked against the contract: its
// departures (at most MaxProblems, and a count of the others) are kept for
// Drift and logged in one line. With a recorder, it is recorded, or the log
// says why not.
//
// What the emulator keeps or logs of an answer is bounded and scrubbed: the
// request id is cut to MaxRequestID bytes (for the client too), each problem
// to MaxProblem, and Authorization-shaped values (Signature=, Access=) and
// the AK/SK are masked. The answer's own body and status pass unchanged;
// it is sent with X-Content-Type-Options: nosniff and, when it is not JSON,
// Content-Security-Policy: sandbox, so that an upstream's HTML served on
// the emulator's origin is never run as a page there.
func (p *Proxy) Forward(ctx context.Context, operation, project string, r *http.Request, body []byte) (*Answer, *wire.Error) {
	up := p.up
	a, e := up.Fetch(ctx, project, r, body)
	if e != nil {
		p.log.Warn("upstream failed", "upstream", up.Host(), "problem", e.Msg)
		return nil, e
	}
	if problems := CheckAs(operation, a); len(problems) > 0 {
		for i, text := range problems {
			problems[i] = cut(scrubAuth(cut(text, 4*MaxProblem), up.ak, up.sk), MaxProblem)
		}
		p.drift.Add(a, problems)
		p.log.Warn("the upstream's answer departs from the contract", "request_id", a.RequestID, "status", a.Status,
			"problems", problems)
	}
	if p.rec != nil && operation == StatusOperation { // recordings are connections/status scenarios
		switch file, skipped, err := p.rec.record(a, up.Secrets(project)); {
		case err != nil:
			p.log.Error("recording the upstream's answer failed", "error", err.Error())
		case skipped != "":
			p.log.Info("the upstream's answer is not recorded", "request_id", a.RequestID, "status", a.Status, "why", skipped)
		case file != "":
			p.log.Info("recorded the upstream's answer", "file", file, "status", a.Status)
		}
	}
	a.Header = http.Header{"X-Content-Type-Options": {"nosniff"}}
	if a.RequestID != "" {
		a.Header["X-Request-Id"] = []string{a.RequestID}
	}
	if !isJSON(a.ContentType) {
		a.Header["Content-Security-Policy"] = []string{"sandbox"} // served on our origin: never run as a page
	}
	return a, nil
}

// isJSON reports a JSON media type (application/json, or any +json).
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// Drift lists the latest departures from the contract, oldest first (none
// for a nil Proxy).
func (p *Proxy) Drift() []Drift {
	if p == nil {
		return []Drift{}
	}
	return p.drift.List()
}

package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/workspace-mock/mockserver/internal/fixtures"
)

// begin starts the journal entry of an API request. It copies header
// strings that already exist: recording a request allocates nothing.
func (m *Mock) begin(w http.ResponseWriter, r *http.Request, project string) Entry {
	h := r.Header
	return Entry{
		Time: time.Now(), Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, ProjectID: project,
		RequestID: requestID(w), XProjectID: first(h["X-Project-Id"]), UserAgent: first(h["User-Agent"]),
		SdkDate: first(h["X-Sdk-Date"]), Authorization: len(h["Authorization"]) > 0,
		SecurityToken: len(h["X-Security-Token"]) > 0, AuthToken: len(h["X-Auth-Token"]) > 0,
	}
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// fail writes an error answer and notes its status.
func (e *Entry) fail(w http.ResponseWriter, spec fixtures.ErrorSpec) {
	e.Status = spec.Status
	writeError(w, spec)
}

// finish journals the request and, at debug level, logs it.
func (m *Mock) finish(e *Entry) {
	e.Latency = time.Since(e.Time)
	m.journal.add(e)
	if m.log.Enabled(context.Background(), slog.LevelDebug) {
		m.log.LogAttrs(context.Background(), slog.LevelDebug, "request",
			slog.String("method", e.Method), slog.String("path", e.Path), slog.Int("status", e.Status),
			slog.String("fault", e.Fault), slog.String("scenario", e.Scenario), slog.String("request_id", e.RequestID),
			slog.Duration("latency", e.Latency))
	}
}

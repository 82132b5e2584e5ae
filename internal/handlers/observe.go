package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/workspace-mock/mockserver/internal/fixtures"
)

// begin starts the journal entry of a request. It copies header strings
// that already exist: recording a request allocates nothing.
func (m *Mock) begin(w http.ResponseWriter, r *http.Request, project string, hs *headerScan) Entry {
	return Entry{
		Time: time.Now(), Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, ProjectID: project,
		RequestID: requestID(w), XProjectID: hs.xProjectID, UserAgent: hs.userAgent, SdkDate: hs.sdkDate,
		Authorization: hs.authorization, SecurityToken: hs.securityToken, AuthToken: hs.auth,
	}
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

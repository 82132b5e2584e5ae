package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/workspace-mock/mockserver/internal/engine"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// routes registers every route the emulator serves, in one place. The
// middleware applies to every route, unknown ones included.
func (m *Mock) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(withRequestID, recoverPanics(m.log), limitHeaders(m.maxHeader), readBodies(m.bodyTimeout))

	// The emulated API: one line an operation, answered by the engine.
	r.Get("/v2/{project_id}/connections/status", m.api(engine.ListInstancesStatus, noArgs))
	r.Get("/v2/{project_id}/desktops/detail", m.api(engine.ListDesktopsDetail, query))
	r.Get("/v2/{project_id}/desktops/{desktop_id}", m.api(engine.ShowDesktopDetail, pathID("desktop_id")))
	r.Get("/v2/{project_id}/desktops/statistics/login-state", m.api(engine.ListLoginState, query))
	r.Get("/v2/{project_id}/desktop-pools", m.api(engine.ListDesktopPools, query))
	r.Get("/v2/{project_id}/connections/online-users", m.api(engine.ListHistoryOnlineInfoNew, query))
	r.Get("/v2/{project_id}/connections/desktops", m.api(engine.ListLoginRecordsNew, query))
	r.With(guardBrowserWrites(m.allowedHosts)).Post("/v2/{project_id}/desktops/action", m.api(engine.BatchRunDesktops, bodyArgs))
	r.With(guardBrowserWrites(m.allowedHosts)).Post("/v2/{project_id}/desktop-pools/{pool_id}/action", m.api(engine.ExecuteDesktopPoolAction, pathBody("pool_id")))
	r.Get("/v2/{project_id}/workspace-jobs/{job_id}", m.api(engine.ShowJob, pathID("job_id")))

	// IAM's project discovery, which an SDK built with a region calls first.
	r.With(withIAMTraceID).Get("/v3/projects", m.journaled("KeystoneListProjects", m.iamProjects))
	r.Get("/healthz", m.healthz)
	r.Route("/_mock", m.adminRoutes)

	// Like Huawei's gateway: anything else is an API that does not exist.
	notFound := m.journaled("", func(*http.Request, time.Time) (string, engine.Answer) { return "", engine.ErrorAnswer(wire.NotFound()) })
	r.NotFound(notFound)
	r.MethodNotAllowed(notFound)
	return r
}

// projectParam is the {project_id} of the API path.
func projectParam(r *http.Request) string { return pathParam(r, "project_id") }

// pathParam is a parameter of the API path, unescaped: chi matches the
// escaped path when the request has one.
func pathParam(r *http.Request, name string) string {
	id := chi.URLParam(r, name)
	if r.URL.RawPath != "" {
		if unescaped, err := url.PathUnescape(id); err == nil {
			return unescaped
		}
	}
	return id
}

// healthz answers 200 while the server serves; waiting counts the API
// requests held by a delay or a hang (a test can wait on it instead of sleeping).
func (m *Mock) healthz(w http.ResponseWriter, _ *http.Request) {
	body := fmt.Appendf(nil, `{"status":"ok","scenarios":%d,"waiting":%d}`, m.Scenarios().Len(), m.waiting.Load())
	writeJSON(w, http.StatusOK, body)
}

package handlers

import (
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/workspace-mock/mockserver/internal/fixtures"
)

// routes registers every route the emulator serves, in one place.
func (m *Mock) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(withRequestID, recoverPanics(m.log), limitHeaders(m.maxHeader))

	r.Get("/v2/{project_id}/connections/status", m.listInstancesStatus)
	r.Get("/v3/projects", m.iamProjects)
	r.Get("/healthz", m.healthz)
	r.Route("/_mock", m.adminRoutes)

	// Like Huawei's gateway: anything else is an API that does not exist.
	r.NotFound(m.notFound)
	r.MethodNotAllowed(m.notFound)
	return r
}

// notFound answers, and journals, a path or method the API does not have:
// a test can see its client called the wrong thing.
func (m *Mock) notFound(w http.ResponseWriter, r *http.Request) {
	rec := m.begin(w, r, "")
	defer m.finish(&rec)
	rec.fail(w, fixtures.NotFoundRoute())
}

// healthz answers 200 while the server serves; in_flight counts the API
// requests being answered (a test can wait on it instead of sleeping).
func (m *Mock) healthz(w http.ResponseWriter, _ *http.Request) {
	body := fmt.Appendf(nil, `{"status":"ok","scenarios":%d,"in_flight":%d}`, m.set.Load().Len(), m.inFlight.Load())
	writeJSON(w, http.StatusOK, body)
}

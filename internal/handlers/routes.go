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

	// Like Huawei's gateway: anything else is an API that does not exist.
	r.NotFound(notFound)
	r.MethodNotAllowed(notFound)
	return r
}

func notFound(w http.ResponseWriter, _ *http.Request) { writeError(w, fixtures.NotFoundRoute()) }

// healthz answers 200 while the server serves; in_flight counts the API
// requests being answered (a test can wait on it instead of sleeping).
func (m *Mock) healthz(w http.ResponseWriter, _ *http.Request) {
	body := fmt.Appendf(nil, `{"status":"ok","scenarios":%d,"in_flight":%d}`, m.set.Load().Len(), m.inFlight.Load())
	writeJSON(w, http.StatusOK, body)
}

package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/workspace-mock/mockserver/internal/fixtures"
)

// routes registers every route the emulator serves, in one place.
func (m *Mock) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(withRequestID, recoverPanics(m.log))

	// The hot route is also matched by hand, ahead of chi, through the same
	// middleware: chi's route context costs 4 allocations and ~10% of the
	// throughput of the one call every client makes.
	api := withRequestID(recoverPanics(m.log)(http.HandlerFunc(m.listInstancesStatus)))

	r.Get("/v2/{project_id}/connections/status", m.listInstancesStatus)
	r.Group(func(r chi.Router) {
		r.Use(limitHeaders(m.maxHeader)) // the API route checks its own, in its one pass over the headers
		r.Get("/v3/projects", m.iamProjects)
		r.Get("/healthz", m.healthz)
		r.Route("/_mock", m.adminRoutes)
	})

	// Like Huawei's gateway: anything else is an API that does not exist.
	r.NotFound(m.notFound)
	r.MethodNotAllowed(m.notFound)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodGet {
			if _, ok := apiProject(req.URL); ok {
				api.ServeHTTP(w, req)
				return
			}
		}
		r.ServeHTTP(w, req)
	})
}

// apiProject returns the project id of a /v2/{project_id}/connections/status
// path, unescaped; like chi, it reads the escaped path when there is one.
func apiProject(u *url.URL) (string, bool) {
	p := u.RawPath
	if p == "" {
		p = u.Path
	}
	rest, ok := strings.CutPrefix(p, "/v2/")
	if !ok {
		return "", false
	}
	id, ok := strings.CutSuffix(rest, "/connections/status")
	if !ok || id == "" || strings.IndexByte(id, '/') >= 0 {
		return "", false
	}
	if u.RawPath != "" {
		unescaped, err := url.PathUnescape(id)
		if err != nil {
			return "", false
		}
		id = unescaped
	}
	return id, true
}

// notFound answers, and journals, a path or method the API does not have:
// a test can see its client called the wrong thing.
func (m *Mock) notFound(w http.ResponseWriter, r *http.Request) {
	hs := scanHeaders(r)
	rec := m.begin(w, r, "", &hs)
	defer m.finish(&rec)
	rec.fail(w, fixtures.NotFoundRoute())
}

// healthz answers 200 while the server serves; waiting counts the API
// requests held by a delay or a hang (a test can wait on it instead of sleeping).
func (m *Mock) healthz(w http.ResponseWriter, _ *http.Request) {
	body := fmt.Appendf(nil, `{"status":"ok","scenarios":%d,"waiting":%d}`, m.set.Load().Len(), m.waiting.Load())
	writeJSON(w, http.StatusOK, body)
}

package handlers

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/workspace-mock/mockserver/api"
	"github.com/workspace-mock/mockserver/internal/engine"
	"github.com/workspace-mock/mockserver/internal/upstream"

	"github.com/workspace-mock/mockserver/internal/wire"
)

// adminRoutes is the JSON admin API under /_mock/.
func (m *Mock) adminRoutes(r chi.Router) {
	r.Use(guardAdmin(m.allowedHosts))
	r.Get("/ui", adminUI) // the page loads without the token, then asks for it
	r.Group(func(r chi.Router) {
		r.Use(m.requireAdminToken)
		r.Get("/scenarios", m.adminScenarios)
		r.Put("/scenario", m.adminSetScenario)
		r.Put("/error", m.adminInjectError)
		r.Delete("/error", m.adminClearError)
		r.Get("/requests", m.adminRequests)
		r.Delete("/requests", m.adminClearRequests)
		r.Post("/reset", m.adminReset)
		r.Get("/clock", m.adminGetClock)
		r.Put("/clock", m.adminSetClock)
		r.Post("/clock/advance", m.adminAdvanceClock)
		r.Put("/delay", m.adminSetDelay)
		r.Delete("/delay", m.adminClearDelay)
		r.Get("/controls", m.adminControls)
		r.Get("/preview", m.adminPreview)
		r.Get("/desktops", m.adminDesktops)
		r.Get("/sessions", m.adminSessions)
		r.Get("/drift", m.adminDrift)
		r.Get("/actions", m.adminActions)
		r.Get("/openapi.yaml", adminOpenAPI)
	})
}

// requireAdminToken checks the Bearer token, in constant time, when one is set.
func (m *Mock) requireAdminToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m.adminToken != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(m.adminToken)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="mockserver admin"`)
				writeError(w, wire.Mock(http.StatusUnauthorized, "MOCK.0401", "admin API: missing or wrong bearer token (Authorization: Bearer <--admin-token>)"))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// targetProject reads ?project_id=; "" is the global form.
func targetProject(w http.ResponseWriter, r *http.Request) (string, bool) {
	p := r.URL.Query().Get("project_id")
	if p == "" {
		return "", true
	}
	if msg := wire.CheckProjectID(p); msg != "" {
		writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", fmt.Sprintf("project_id %q: %s", wire.Truncate(p, 80), msg)))
		return "", false
	}
	return p, true
}

// decodeBody reads a JSON body strictly: size-limited, unknown fields refused.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if r.ContentLength > MaxBody {
		writeError(w, wire.Mock(http.StatusRequestEntityTooLarge, "MOCK.0413", fmt.Sprintf("request body over the %d-byte limit", MaxBody)))
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return true
	case errors.As(err, &tooBig):
		writeError(w, wire.Mock(http.StatusRequestEntityTooLarge, "MOCK.0413", fmt.Sprintf("request body over the %d-byte limit", MaxBody)))
	default:
		writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", "request body: "+err.Error()))
	}
	return false
}

// writeSwitchError answers a switch the engine refused: 429 past the bound
// on projects with switches of their own, else 400.
func writeSwitchError(w http.ResponseWriter, err error) {
	if errors.Is(err, engine.ErrTooManyProjects) {
		writeError(w, wire.Mock(http.StatusTooManyRequests, "MOCK.0429", err.Error()))
		return
	}
	writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", err.Error()))
}

func writeAdmin(w http.ResponseWriter, v any) {
	body, _ := json.Marshal(v)
	writeJSON(w, http.StatusOK, body)
}

// The admin API's answers, as api/openapi.yaml describes them; fields in
// the order of their names, as the JSON has them.
type (
	scenariosAnswer struct {
		Global    string            `json:"global"`
		Projects  map[string]string `json:"projects"`
		Scenarios []scenarioInfo    `json:"scenarios"`
		Startup   string            `json:"startup"`
	}
	scenarioSet struct {
		Project  string `json:"project_id"`
		Scenario string `json:"scenario"`
	}
	errorInjected struct {
		Count      int      `json:"count"`
		Code       string   `json:"error_code"`
		Operations []string `json:"operations,omitempty"`
		Project    string   `json:"project_id"`
		Status     int      `json:"status"`
	}
	delaySet struct {
		Delay   string `json:"delay"`
		Project string `json:"project_id"`
	}
	// done answers a change that has nothing else to report.
	done struct {
		Project string `json:"project_id"`
	}
	requestsAnswer struct {
		Requests []Entry `json:"requests"`
	}
	driftAnswer struct {
		Drift []upstream.Drift `json:"drift"`
	}
)

type scenarioInfo struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	File        string   `json:"file"`
	Projects    []string `json:"projects,omitempty"`
}

func (m *Mock) adminScenarios(w http.ResponseWriter, _ *http.Request) {
	set := m.Scenarios()
	list := make([]scenarioInfo, 0, set.Len())
	for _, name := range set.Names() {
		sc := set.Get(name)
		list = append(list, scenarioInfo{sc.Name, sc.Description, sc.File, sc.Projects})
	}
	global, projects := m.Active()
	writeAdmin(w, scenariosAnswer{Global: global, Projects: projects, Scenarios: list, Startup: m.Startup()})
}

func (m *Mock) adminSetScenario(w http.ResponseWriter, r *http.Request) {
	project, ok := targetProject(w, r)
	var body struct {
		Name string `json:"name"`
	}
	if !ok || !decodeBody(w, r, &body) {
		return
	}
	if err := m.SetScenario(project, body.Name); err != nil {
		writeSwitchError(w, err)
		return
	}
	writeAdmin(w, scenarioSet{Project: project, Scenario: body.Name})
}

func (m *Mock) adminInjectError(w http.ResponseWriter, r *http.Request) {
	project, ok := targetProject(w, r)
	var body struct {
		Status     int      `json:"status"`
		Count      int      `json:"count"`      // 0 or left out: until cleared
		Operations []string `json:"operations"` // left out: every operation
		Code       *string  `json:"error_code"`
		Msg        *string  `json:"error_msg"`
		Detail     *string  `json:"error_detail"`
		EncodedMsg *string  `json:"encoded_authorization_message"`
	}
	if !ok || !decodeBody(w, r, &body) {
		return
	}
	e, msg := documentedError(fmt.Sprint(body.Status))
	if msg != "" {
		writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", "status: "+msg))
		return
	}
	e = e.Override(body.Code, body.Msg, body.Detail, body.EncodedMsg)
	if body.Operations != nil && len(body.Operations) == 0 {
		writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", "operations: name at least one operation, or leave it out for every one"))
		return
	}
	if err := m.InjectError(project, e, body.Count, body.Operations...); err != nil {
		writeSwitchError(w, err)
		return
	}
	writeAdmin(w, errorInjected{Count: body.Count, Code: e.Code, Operations: body.Operations, Project: project, Status: e.Status})
}

func (m *Mock) adminClearError(w http.ResponseWriter, r *http.Request) {
	if project, ok := targetProject(w, r); ok {
		m.ClearError(project)
		writeAdmin(w, done{project})
	}
}

func (m *Mock) adminRequests(w http.ResponseWriter, r *http.Request) {
	project, ok := targetProject(w, r)
	if !ok {
		return
	}
	var since time.Time
	if s := r.URL.Query().Get("since"); s != "" {
		var err error
		if since, err = time.Parse(time.RFC3339Nano, s); err != nil {
			writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", fmt.Sprintf("since %q: use RFC 3339, e.g. 2026-11-26T10:30:00Z", s)))
			return
		}
	}
	writeAdmin(w, requestsAnswer{m.Requests(project, since)})
}

func (m *Mock) adminClearRequests(w http.ResponseWriter, r *http.Request) {
	if project, ok := targetProject(w, r); ok {
		m.ClearRequests(project)
		writeAdmin(w, done{project})
	}
}

func (m *Mock) adminReset(w http.ResponseWriter, r *http.Request) {
	if project, ok := targetProject(w, r); ok {
		m.Reset(project)
		writeAdmin(w, done{project})
	}
}

// adminOpenAPI serves the contract, the same bytes as api/openapi.yaml.
func adminOpenAPI(w http.ResponseWriter, _ *http.Request) {
	writeAs(w, http.StatusOK, "application/yaml", api.OpenAPI)
}

// adminDrift lists how the upstream's answers departed from the contract.
func (m *Mock) adminDrift(w http.ResponseWriter, _ *http.Request) {
	writeAdmin(w, driftAnswer{m.proxy.Drift()})
}

package handlers

import (
	"net/http"

	"github.com/workspace-mock/mockserver/internal/engine"
)

// bodyArgs: an action's body (read whole by readBodies).
func bodyArgs(r *http.Request) engine.Args { return engine.Args{Body: requestBody(r)} }

// pathBody: an action on the object its path names, and its body.
func pathBody(name string) func(*http.Request) engine.Args {
	return func(r *http.Request) engine.Args { return engine.Args{ID: pathParam(r, name), Body: requestBody(r)} }
}

// adminActions answers GET /_mock/actions[?project_id=]: the actions each
// project took on its fleet, oldest first, with their jobs.
func (m *Mock) adminActions(w http.ResponseWriter, r *http.Request) {
	project, ok := targetProject(w, r)
	if !ok {
		return
	}
	writeAdmin(w, m.Actions(project))
}

package engine

// InjectedError is an injected error in force for a project: what its next
// request of the operation asked about answers instead of the scenario.
type InjectedError struct {
	Status     int      `json:"status"`
	Code       string   `json:"error_code"`
	Msg        string   `json:"error_msg"`
	Left       int64    `json:"left,omitempty"`       // requests still to fail; absent: until cleared
	Layer      string   `json:"layer"`                // where it was injected: "project", "global" or "startup" (--error)
	Operations []string `json:"operations,omitempty"` // the operations it is limited to; absent: every one
}

// layerNames name the layers as layersOf orders them.
var layerNames = [len(layers{})]string{"project", "global", "scenario", "startup"}

// InjectedFor is the injected error a request of op for the project would
// answer with (request switches aside), or nil: the same layers Decide
// takes it from, read without taking it, so nothing is used up.
func (e *Engine) InjectedFor(project string, op *Operation) *InjectedError {
	set, ctl := e.set.Load(), e.ctl.Load()
	for k, l := range ctl.layersOf(project, set.bindings) {
		in := l.inject
		if !in.appliesTo(op.Name) {
			continue
		}
		left := in.left.Load()
		if left == 0 {
			continue // used up: the next layer's applies, as in take
		}
		return &InjectedError{Status: in.spec.Status, Code: in.spec.Code, Msg: in.spec.Msg, Left: max(left, 0),
			Layer: layerNames[k], Operations: in.ops}
	}
	return nil
}

package engine

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// layer is what one source of settings sets: the run-time switches of one
// project, the global ones, or the start-up flags. Unset fields leave the
// setting to the next weaker layer.
type layer struct {
	scenario string
	inject   *injection
	clock    *simClock
	delay    *fixtures.Delay
}

// controls is replaced whole on every change (copy on write), so a request
// sees one consistent state with a single atomic load.
type controls struct {
	projects map[string]*layer
	global   layer
	startup  layer // the flags; its clock is the server's clock, which PUT /_mock/clock sets
}

// noLayer stands for a project without switches of its own.
var noLayer layer

// layers is the one ordered list every setting is looked up in, strongest
// first: the project's run-time switches, the global ones, the scenario
// bound to the project (a scenario only), the start-up flags.
type layers [4]*layer

func (c *controls) layersOf(project string, bindings map[string]*layer) layers {
	p, b := c.projects[project], bindings[project]
	if p == nil {
		p = &noLayer
	}
	if b == nil {
		b = &noLayer
	}
	return layers{p, &c.global, b, &c.startup}
}

// first is the setting of the strongest layer that has one. Each getter
// reads one setting of a layer; what the request is (its operation, the set
// it is answered from) is passed along for the getters that need it (a
// value, not a closure: the request path allocates nothing).
func first[T any](ls layers, q lookup, get func(lookup, *layer) (T, bool)) T {
	for _, l := range ls {
		if v, ok := get(q, l); ok {
			return v
		}
	}
	var zero T
	return zero
}

// lookup is what a getter may need of the request.
type lookup struct {
	set *fixtures.Set
	op  string
}

// The settings, each read the same way from a layer.

func scenarioIn(q lookup, l *layer) (*fixtures.Scenario, bool) {
	if l.scenario == "" {
		return nil, false
	}
	sc := q.set.Get(l.scenario) // a name the set no longer has falls through
	return sc, sc != nil
}

func delayIn(_ lookup, l *layer) (*fixtures.Delay, bool) { return l.delay, l.delay != nil }

func clockIn(_ lookup, l *layer) (*simClock, bool) { return l.clock, l.clock != nil }

// injectedIn takes one of the layer's injected errors, if it has any left
// and it applies to the request's operation.
func injectedIn(q lookup, l *layer) (*wire.Error, bool) {
	if l.inject.appliesTo(q.op) && l.inject.take() {
		return &l.inject.spec, true
	}
	return nil, false
}

// injection is an error injected at run time, for count requests or until
// cleared, of every operation or of some.
type injection struct {
	spec wire.Error
	ops  []string     // nil: every operation
	left atomic.Int64 // requests still to fail; < 0: until cleared
}

func (in *injection) appliesTo(op string) bool {
	return in != nil && (in.ops == nil || slices.Contains(in.ops, op))
}

func untilCleared(e wire.Error) *injection {
	in := &injection{spec: e}
	in.left.Store(-1)
	return in
}

// take reports whether this request is one of those to fail.
func (in *injection) take() bool {
	if in == nil {
		return false
	}
	for {
		n := in.left.Load()
		if n < 0 {
			return true
		}
		if n == 0 {
			return false
		}
		if in.left.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

// update applies fn to a copy of the controls and publishes it atomically:
// each request sees the state before or after a change, never half of it.
func (e *Engine) update(fn func(c *controls)) {
	e.ctlMu.Lock()
	defer e.ctlMu.Unlock()
	old := e.ctl.Load()
	c := &controls{global: old.global, startup: old.startup, projects: maps.Clone(old.projects)}
	fn(c)
	e.ctl.Store(c)
}

// edit changes the layer of a project, or the global one for "".
func (c *controls) edit(project string, fn func(l *layer)) {
	if project == "" {
		fn(&c.global)
		return
	}
	if c.projects == nil {
		c.projects = map[string]*layer{}
	}
	l := layer{}
	if old := c.projects[project]; old != nil {
		l = *old
	}
	fn(&l)
	if l == (layer{}) {
		delete(c.projects, project)
	} else {
		c.projects[project] = &l
	}
}

// The run-time switches, for the admin API and the Go package. An empty
// project means every project (the global layer).

// SetScenario makes name answer the project's requests (every project's, for "").
func (e *Engine) SetScenario(project, name string) error {
	if e.Scenarios().Get(name) == nil {
		return fmt.Errorf("unknown scenario %q (known: %v)", name, e.Scenarios().Names())
	}
	e.update(func(c *controls) { c.edit(project, func(l *layer) { l.scenario = name }) })
	return nil
}

// InjectError makes the project's next count requests fail with e; count 0
// means every request until ClearError or Reset (the one meaning of a count,
// for the admin API and the Go package alike). A negative count is an error.
// Given operations, only their requests fail (and count).
func (e *Engine) InjectError(project string, err wire.Error, count int, operations ...string) error {
	if count < 0 {
		return fmt.Errorf("count %d: give how many requests fail (1 or more), or 0 for every request until cleared", count)
	}
	for _, op := range operations {
		if !slices.Contains(wire.Operations, op) {
			return fmt.Errorf("unknown operation %q (one of %s)", op, strings.Join(wire.Operations, ", "))
		}
	}
	in := untilCleared(err)
	if len(operations) > 0 {
		in.ops = slices.Clone(operations)
	}
	if count > 0 {
		in.left.Store(int64(count))
	}
	e.update(func(c *controls) { c.edit(project, func(l *layer) { l.inject = in }) })
	return nil
}

// ClearError removes an injected error.
func (e *Engine) ClearError(project string) {
	e.update(func(c *controls) { c.edit(project, func(l *layer) { l.inject = nil }) })
}

// SetDelay makes every answer of the project ("" for every project) wait d.
func (e *Engine) SetDelay(project string, d fixtures.Delay) {
	e.update(func(c *controls) { c.edit(project, func(l *layer) { l.delay = &d }) })
}

// ClearDelay removes a run-time delay.
func (e *Engine) ClearDelay(project string) {
	e.update(func(c *controls) { c.edit(project, func(l *layer) { l.delay = nil }) })
}

// Active reports the run-time scenario choices: the global one and per project.
func (e *Engine) Active() (global string, projects map[string]string) {
	c := e.ctl.Load()
	projects = map[string]string{}
	for p, l := range c.projects {
		if l.scenario != "" {
			projects[p] = l.scenario
		}
	}
	return c.global.scenario, projects
}

// Controls is what the run-time switches of one layer set.
type Controls struct {
	Scenario    string        `json:"scenario,omitempty"`
	ErrorStatus int           `json:"error_status,omitempty"`
	ErrorLeft   int64         `json:"error_left,omitempty"` // requests still to fail; 0 with a status: until cleared
	Delay       string        `json:"delay,omitempty"`
	Clock       *ClockReading `json:"clock,omitempty"`            // a clock of its own
	Operations  []string      `json:"error_operations,omitempty"` // the operations the error is limited to
}

// ControlsReport is every run-time switch in force, globally and per
// project; the server's clock is read with Clock("").
type ControlsReport struct {
	Global   Controls            `json:"global"`
	Projects map[string]Controls `json:"projects"`
	Startup  string              `json:"startup"`
}

func (l *layer) controls(real time.Time) Controls {
	c := Controls{Scenario: l.scenario}
	if l.inject != nil {
		if left := l.inject.left.Load(); left != 0 {
			c.ErrorStatus, c.ErrorLeft, c.Operations = l.inject.spec.Status, max(left, 0), l.inject.ops
		}
	}
	if l.delay != nil {
		c.Delay = l.delay.String()
	}
	if l.clock != nil {
		r := l.clock.reading(real)
		c.Clock = &r
	}
	return c
}

// Controls lists every run-time switch in force.
func (e *Engine) Controls() ControlsReport {
	ctl, real := e.ctl.Load(), time.Now()
	r := ControlsReport{Startup: e.startName, Global: ctl.global.controls(real), Projects: map[string]Controls{}}
	for p, l := range ctl.projects {
		r.Projects[p] = l.controls(real)
	}
	return r
}

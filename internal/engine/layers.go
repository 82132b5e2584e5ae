package engine

import (
	"fmt"
	"hash/maphash"
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

// controls is replaced whole on every change of the global or start-up
// layer (copy on write), so a request sees one consistent state with a
// single atomic load. The projects' layers sit in shards of their own, each
// copied on write: a change to one project copies 1/256 of them, not all
// (copying every project's made 31,000 projects' writes 18 times slower).
type controls struct {
	projects *projectLayers
	global   layer
	startup  layer // the flags; its clock is the server's clock, which PUT /_mock/clock sets
}

// MaxProjectLayers bounds the projects with switches of their own, like the
// request counters: a client that makes up project ids cannot grow them
// without end. Past it, a switch for one more project is refused.
const MaxProjectLayers = 100_000

// ErrTooManyProjects is a switch for a project past MaxProjectLayers.
var ErrTooManyProjects = fmt.Errorf("%d projects already have switches of their own, the limit: reset some (POST /_mock/reset?project_id=...) or all", MaxProjectLayers)

const projectShards = 256

type projectLayers struct {
	seed   maphash.Seed
	shards [projectShards]atomic.Pointer[map[string]*layer]
	count  int   // projects with a layer; written under Engine.ctlMu
	limit  int   // MaxProjectLayers
	pruned int64 // Engine.spent when prune last looked: nothing to find until it moves
}

func newProjectLayers() *projectLayers {
	return &projectLayers{seed: maphash.MakeSeed(), limit: MaxProjectLayers}
}

func (p *projectLayers) shard(project string) *atomic.Pointer[map[string]*layer] {
	return &p.shards[maphash.String(p.seed, project)%projectShards]
}

// get is the project's layer, or nil.
func (p *projectLayers) get(project string) *layer {
	if m := p.shard(project).Load(); m != nil {
		return (*m)[project]
	}
	return nil
}

// each calls fn for every project's layer.
func (p *projectLayers) each(fn func(project string, l *layer)) {
	for i := range p.shards {
		if m := p.shards[i].Load(); m != nil {
			for project, l := range *m {
				fn(project, l)
			}
		}
	}
}

// noLayer stands for a project without switches of its own.
var noLayer layer

// layers is the one ordered list every setting is looked up in, strongest
// first: the project's run-time switches, the global ones, the scenario
// bound to the project (a scenario only), the start-up flags.
type layers [4]*layer

func (c *controls) layersOf(project string, bindings map[string]*layer) layers {
	p, b := c.projects.get(project), bindings[project]
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
	spec  wire.Error
	ops   []string      // nil: every operation
	left  atomic.Int64  // requests still to fail; < 0: until cleared
	spent *atomic.Int64 // counts the injections whose requests have all failed (Engine.spent)
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
			if n == 1 && in.spent != nil {
				in.spent.Add(1) // the last one: its layer may have room to give
			}
			return true
		}
	}
}

// update applies fn to a copy of the global and start-up layers and
// publishes it atomically: each request sees the state before or after a
// change, never half of it.
func (e *Engine) update(fn func(c *controls)) {
	e.ctlMu.Lock()
	defer e.ctlMu.Unlock()
	c := *e.ctl.Load()
	fn(&c)
	e.ctl.Store(&c)
}

// edit changes the layer of a project, or the global one for "": the
// project's shard is copied and published with the change.
func (e *Engine) edit(project string, fn func(l *layer)) error {
	if project == "" {
		e.update(func(c *controls) { fn(&c.global) })
		return nil
	}
	e.ctlMu.Lock()
	defer e.ctlMu.Unlock()
	pl := e.ctl.Load().projects
	if spent := e.spent.Load(); pl.count >= pl.limit && spent != pl.pruned && pl.get(project) == nil {
		pl.prune() // before the shard is read: it may change it
		pl.pruned = spent
	}
	sh := pl.shard(project)
	var old map[string]*layer
	if m := sh.Load(); m != nil {
		old = *m
	}
	l := layer{}
	prev, had := old[project]
	if had {
		l = *prev
	}
	fn(&l)
	l = l.live()
	next := maps.Clone(old)
	if next == nil {
		next = map[string]*layer{}
	}
	switch {
	case l == (layer{}):
		delete(next, project)
		if had {
			pl.count--
		}
	case !had && pl.count >= pl.limit:
		return ErrTooManyProjects
	default:
		next[project] = &l
		if !had {
			pl.count++
		}
	}
	sh.Store(&next)
	return nil
}

// live is the layer without an injected error whose count is used up: it
// fails no more requests, so it no longer keeps its project's layer (a
// layer that sets nothing is dropped). A used-up count never grows again.
func (l layer) live() layer {
	if l.inject != nil && l.inject.left.Load() == 0 {
		l.inject = nil
	}
	return l
}

// prune drops the layers whose settings are all used up (injected errors
// whose requests have failed), so that those projects stop counting toward
// the limit. Under Engine.ctlMu, when the limit is reached and a count ran
// out since the last look (Engine.spent): one pass over the projects
// (~1.6 ms for 100,000), so refusals at the bound stay cheap.
func (p *projectLayers) prune() {
	for i := range p.shards {
		m := p.shards[i].Load()
		if m == nil {
			continue
		}
		var next map[string]*layer // a copy, once one layer of the shard goes
		for project, l := range *m {
			if l.live() != (layer{}) {
				continue
			}
			if next == nil {
				next = maps.Clone(*m)
			}
			delete(next, project)
			p.count--
		}
		if next != nil {
			p.shards[i].Store(&next)
		}
	}
}

// The run-time switches, for the admin API and the Go package. An empty
// project means every project (the global layer).

// SetScenario makes name answer the project's requests (every project's, for "").
func (e *Engine) SetScenario(project, name string) error {
	if e.Scenarios().Get(name) == nil {
		return fmt.Errorf("unknown scenario %q (known: %v)", name, e.Scenarios().Names())
	}
	return e.edit(project, func(l *layer) { l.scenario = name })
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
	in.spent = &e.spent
	if len(operations) > 0 {
		in.ops = slices.Clone(operations)
	}
	if count > 0 {
		in.left.Store(int64(count))
	}
	return e.edit(project, func(l *layer) { l.inject = in })
}

// ClearError removes an injected error.
func (e *Engine) ClearError(project string) {
	_ = e.edit(project, func(l *layer) { l.inject = nil }) // clearing never adds a project
}

// SetDelay makes every answer of the project ("" for every project) wait d.
func (e *Engine) SetDelay(project string, d fixtures.Delay) error {
	return e.edit(project, func(l *layer) { l.delay = &d })
}

// ClearDelay removes a run-time delay.
func (e *Engine) ClearDelay(project string) {
	_ = e.edit(project, func(l *layer) { l.delay = nil })
}

// Active reports the run-time scenario choices: the global one and per project.
func (e *Engine) Active() (global string, projects map[string]string) {
	c := e.ctl.Load()
	projects = map[string]string{}
	c.projects.each(func(p string, l *layer) {
		if l.scenario != "" {
			projects[p] = l.scenario
		}
	})
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
	ctl.projects.each(func(p string, l *layer) { r.Projects[p] = l.controls(real) })
	return r
}

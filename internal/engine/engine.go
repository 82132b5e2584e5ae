// Package engine is the emulator without HTTP: the scenario set being served,
// the run-time controls (one ordered list of layers), the simulated clocks,
// the request counters, the journal, and the answer to one request as plain
// data. The HTTP edge (internal/handlers) parses a request into Switches,
// asks Decide, waits and writes; `mockserver timeline` and the control page's
// preview ask Snapshot without a request.
package engine

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// Config is what the emulator starts with; the zero value of each field is a
// usable default except Scenarios.
type Config struct {
	Scenarios   *fixtures.Set
	Scenario    string          // start-up scenario; "": "default", or the only one
	Seed        int64           // seed of generated data
	Error       *wire.Error     // start-up error for every request; nil: none
	Delay       *fixtures.Delay // start-up delay for every answer; nil: the scenario's
	ClockStart  time.Time       // the simulated clock's reading at start-up; zero: wall time
	ClockSpeed  *float64        // simulated seconds per real second; nil: 1; 0: frozen
	JournalSize int             // requests kept; 0: DefaultJournalSize; < 0: no journal
	Proxied     bool            // an upstream answers in the start-up scenario's place (--upstream)
	Logger      *slog.Logger
}

// DefaultJournalSize is how many requests the journal keeps by default.
const DefaultJournalSize = 1000

// Engine is the emulator's state and its decisions.
type Engine struct {
	log        *slog.Logger
	seed       int64
	startName  string
	proxied    bool
	clockStart time.Time // the start-up clock's settings, for Reset: zero start is wall time
	clockSpeed float64

	set      atomic.Pointer[served]
	ctl      atomic.Pointer[controls]
	ctlMu    sync.Mutex   // serialises writers of ctl
	spent    atomic.Int64 // injected errors whose count ran out, ever: a project's layer may have room to give
	counters *counters    // requests seen per scenario and project
	journal  *journal
	views    viewCache   // desktops made from counters, per scenario, step and seed
	actions  actionStore // each project's actions on the fleet
}

// New checks the configuration and builds the engine; the start-up scenario
// is resolved here, once.
func New(c Config) (*Engine, error) {
	if c.Scenarios == nil || c.Scenarios.Len() == 0 {
		return nil, errors.New("no scenarios loaded")
	}
	start, err := c.Scenarios.StartName(c.Scenario)
	if err != nil {
		return nil, ScenarioError{err}
	}
	e := &Engine{log: c.Logger, seed: c.Seed, startName: start, proxied: c.Proxied,
		clockStart: c.ClockStart, clockSpeed: 1, counters: newCounters(DefaultCounterLimit)}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	switch {
	case c.JournalSize == 0:
		e.journal = newJournal(DefaultJournalSize)
	case c.JournalSize > 0:
		e.journal = newJournal(c.JournalSize)
	}
	if c.ClockStart.After(clockEnd) {
		return nil, fmt.Errorf("clock: start %s is after %s, as far as a clock goes", c.ClockStart.Format(time.RFC3339), clockEnd.Format(time.RFC3339))
	}
	if c.ClockSpeed != nil {
		if msg := CheckClockSpeed(*c.ClockSpeed); msg != "" {
			return nil, fmt.Errorf("clock: %s", msg)
		}
		e.clockSpeed = *c.ClockSpeed
	}
	startup := layer{clock: e.freshClock(), delay: c.Delay}
	if !c.Proxied {
		startup.scenario = start
	}
	if c.Error != nil {
		startup.inject = untilCleared(*c.Error)
	}
	e.ctl.Store(&controls{startup: startup, projects: newProjectLayers()})
	e.SetScenarios(c.Scenarios)
	return e, nil
}

// ScenarioError is a start-up scenario that cannot be served (unknown, or
// none named among several).
type ScenarioError struct{ error }

func (e ScenarioError) Unwrap() error { return e.error }

// Startup is the start-up scenario: the one that answers when no switch
// chooses another.
func (e *Engine) Startup() string { return e.startName }

// Scenarios is the set being served.
func (e *Engine) Scenarios() *fixtures.Set { return e.set.Load().Set }

// SetScenarios swaps in a new scenario set (a reload), its answers encoded
// first; switches that name a scenario the set no longer has fall through to
// the next weaker one.
func (e *Engine) SetScenarios(set *fixtures.Set) {
	bindings := map[string]*layer{} // set.ForProject, as the layer a request reads
	for _, name := range set.Names() {
		sc := set.Get(name)
		sc.Prepare(e.seed)
		for _, p := range sc.Projects {
			bindings[p] = &layer{scenario: name}
		}
	}
	e.set.Store(&served{Set: set, bindings: bindings})
	e.views.clear()
}

// served is the scenario set being served, and the layer each project bound
// to a scenario of it reads.
type served struct {
	*fixtures.Set
	bindings map[string]*layer
}

// Reset brings one project, or everything for "", back to the start-up
// state: no run-time switches, sequences from their start, no actions, empty journal;
// the clock starts again from --clock-start (or wall time) for everything,
// or follows the global clock again for one project.
func (e *Engine) Reset(project string) {
	if project == "" {
		e.update(func(c *controls) {
			c.startup.clock = e.freshClock()
			c.global, c.projects = layer{}, newProjectLayers()
		})
	} else {
		_ = e.edit(project, func(l *layer) { *l = layer{} }) // forgetting never adds a project
	}
	e.counters.reset(project)
	e.actions.reset(project)
	e.ClearRequests(project)
}

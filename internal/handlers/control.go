package handlers

import (
	"fmt"
	"maps"
	"time"

	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// The run-time switches, for the admin API and the embeddable package. An
// empty project means every project (the global form).

// update applies fn to a copy of the controls and publishes it atomically:
// each request sees the state before or after a change, never half of it.
func (m *Mock) update(fn func(c *controls)) {
	m.ctlMu.Lock()
	defer m.ctlMu.Unlock()
	old := m.ctl.Load()
	c := &controls{global: old.global, projects: maps.Clone(old.projects)}
	fn(c)
	m.ctl.Store(c)
}

func (c *controls) edit(project string, fn func(o *override)) {
	if project == "" {
		fn(&c.global)
		return
	}
	if c.projects == nil {
		c.projects = map[string]override{}
	}
	o := c.projects[project]
	fn(&o)
	if o == (override{}) {
		delete(c.projects, project)
	} else {
		c.projects[project] = o
	}
}

// SetScenario makes name answer the project's requests (every project's, for "").
func (m *Mock) SetScenario(project, name string) error {
	if m.set.Load().Get(name) == nil {
		return fmt.Errorf("unknown scenario %q (known: %v)", name, m.set.Load().Names())
	}
	m.update(func(c *controls) { c.edit(project, func(o *override) { o.scenario = name }) })
	return nil
}

// InjectError makes the project's next count requests fail with e; count 0
// means every request until ClearError or Reset (the one meaning of a count,
// for the admin API and the Go package alike). A negative count is an error.
func (m *Mock) InjectError(project string, e wire.Error, count int) error {
	if count < 0 {
		return fmt.Errorf("count %d: give how many requests fail (1 or more), or 0 for every request until cleared", count)
	}
	in := &injection{spec: e}
	in.left.Store(int64(count))
	if count == 0 {
		in.left.Store(-1)
	}
	m.update(func(c *controls) { c.edit(project, func(o *override) { o.inject = in }) })
	return nil
}

// ClearError removes an injected error.
func (m *Mock) ClearError(project string) {
	m.update(func(c *controls) { c.edit(project, func(o *override) { o.inject = nil }) })
}

// Requests returns the journal, newest last: one project's requests, or all
// for ""; only those at or after since when it is not zero.
func (m *Mock) Requests(project string, since time.Time) []Entry {
	return m.journal.list(func(e *Entry) bool {
		return (project == "" || e.ProjectID == project) && (since.IsZero() || !e.Time.Before(since))
	})
}

// ClearRequests empties the journal of one project, or all for "".
func (m *Mock) ClearRequests(project string) {
	if project == "" {
		m.journal.clear(nil)
		return
	}
	m.journal.clear(func(e *Entry) bool { return e.ProjectID == project })
}

// Reset brings one project, or everything for "", back to the start-up
// state: no run-time switches, sequences from their start, empty journal;
// the clock starts again from --clock-start (or wall time) for everything,
// or follows the global clock again for one project.
func (m *Mock) Reset(project string) {
	if project == "" {
		m.update(func(c *controls) {
			fresh := m.freshClock()
			*c = controls{global: override{clock: &fresh}}
		})
	} else {
		m.update(func(c *controls) { delete(c.projects, project) })
	}
	m.counters.reset(project)
	m.ClearRequests(project)
}

// SetScenarios swaps in a new scenario set (a reload); switches that name a
// scenario the set no longer has fall through to the next weaker one.
func (m *Mock) SetScenarios(set *fixtures.Set) { m.setScenarios(set) }

// Active reports the run-time scenario choices: the global one and per project.
func (m *Mock) Active() (global string, projects map[string]string) {
	c := m.ctl.Load()
	projects = map[string]string{}
	for p, o := range c.projects {
		if o.scenario != "" {
			projects[p] = o.scenario
		}
	}
	return c.global.scenario, projects
}

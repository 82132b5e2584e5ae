package engine

import (
	"errors"
	"time"

	"github.com/workspace-mock/mockserver/internal/desktops"
	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// The control page's drill-down: a pool's desktops and a desktop's sessions
// at the project's instant, from the scenario that answers the project (its
// first step, like the preview) and the project's actions. Nothing changes:
// no sequence moves, no injected error is used up.

// Drill is what the desktops and the sessions of a project share: the
// scenario and instant they are read at, the answer in the way (the
// scenario's error or fault at that instant: then there are no desktops),
// and the injected error that would answer the operation instead.
type Drill struct {
	Scenario string
	Time     time.Time // in the fleet's zone, else UTC
	Error    *wire.Error
	Fault    fixtures.Fault
	Injected *InjectedError
}

// DesktopsPage is a page of one pool's desktops.
type DesktopsPage struct {
	Drill
	Pool     string
	PoolID   string         // the pool's id, as ExecuteDesktopPoolAction takes it
	Counters fixtures.Group // the pool's counters at the instant: what connections/status answers for it
	Total    int64          // the pool's desktops
	Desktops []desktops.Desktop
}

// DesktopSessions are one desktop's sessions of the simulated day so far.
type DesktopSessions struct {
	Drill
	Pool     string
	Desktop  desktops.Desktop
	Sessions []desktops.Session
}

// Errors of the drill-down.
var (
	ErrNoSuchPool    = errors.New("no such pool")
	ErrNoSuchDesktop = errors.New("no such desktop")
)

// drill is the view the project's scenario answers op from at the project's
// instant, or nil with the error or fault in its way.
func (e *Engine) drill(project string, op *Operation) (Drill, *desktops.View, error) {
	sc := e.scenarioOf(project)
	if sc == nil {
		return Drill{}, nil, ErrUpstream
	}
	at := e.Now(project).Truncate(time.Second)
	d := Drill{Scenario: sc.Name, Time: at.In(zoneOf(sc)), Injected: e.InjectedFor(project, op)}
	r := resolve(op.Name, sc, &sc.Steps[0], 0, e.seed, 0, at)
	if !r.ok {
		d.Error, d.Fault = r.err, r.fault
		return d, nil, nil
	}
	x := e.actingOf(project)
	r.data.views, r.data.acts = x.views, x.acts
	return d, r.data.View(), nil
}

// Desktops are desktops offset..offset+limit of the pool named pool, as
// ListDesktopsDetail would list them at the project's instant.
func (e *Engine) Desktops(project, pool string, offset, limit int64) (DesktopsPage, error) {
	d, v, err := e.drill(project, ListDesktopsDetail)
	page := DesktopsPage{Drill: d, Pool: pool}
	if err != nil || v == nil {
		return page, err
	}
	var ok bool
	if page.Counters, ok = v.Counters(pool); !ok {
		return page, ErrNoSuchPool
	}
	page.PoolID, _ = v.PoolID(pool)
	page.Desktops, page.Total = v.Desktops(pool, offset, limit)
	return page, nil
}

// Sessions are the sessions of the desktop id names (its id or computer
// name) over the simulated day so far, as ListLoginRecordsNew would list
// them at the project's instant.
func (e *Engine) Sessions(project, id string) (DesktopSessions, error) {
	d, v, err := e.drill(project, ListLoginRecordsNew)
	s := DesktopSessions{Drill: d}
	if err != nil || v == nil {
		return s, err
	}
	var ok bool
	if s.Desktop, s.Pool, s.Sessions, ok = v.Sessions(id); !ok {
		return s, ErrNoSuchDesktop
	}
	return s, nil
}

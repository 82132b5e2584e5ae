package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/workspace-mock/mockserver/internal/desktops"
	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// Switches are what one request asks for besides its operation (the
// X-Mock-* and Prefer headers, read by the HTTP edge).
type Switches struct {
	Scenario string          // X-Mock-Scenario
	Error    *wire.Error     // X-Mock-Error, or Prefer: code=4xx/5xx
	Success  bool            // Prefer: code=200: skip injected errors and the failure rate
	Delay    *fixtures.Delay // X-Mock-Delay
	Seed     *int64          // X-Mock-Seed
	Time     *time.Time      // X-Mock-Time: answer as of this simulated instant
	Problem  string          // a switch the edge could not read: answered 400 MOCK.0001
}

// Answer is how one request is answered, decided before anything is
// written: an error body, a transport fault, the upstream's answer or a 200
// body, after a delay.
type Answer struct {
	Scenario string // the scenario that answered, for the journal
	Proxy    bool   // the upstream answers (--upstream)
	Delay    time.Duration
	Err      *wire.Error
	Fault    fixtures.Fault
	Body     fixtures.Payload
}

// Operation is one operation of the emulated API: its name, as Huawei's
// operation id, and how it answers from a scenario's data.
type Operation struct {
	Name   string
	answer func(d Data, a Args) (fixtures.Payload, *wire.Error)
	acts   bool // it acts on the fleet: taken at the project's clock, never at X-Mock-Time
}

// ListInstancesStatus: GET /v2/{project_id}/connections/status, the
// counters of every pool.
var ListInstancesStatus = &Operation{Name: "ListInstancesStatus", answer: func(d Data, _ Args) (fixtures.Payload, *wire.Error) {
	return d.StaticsPayload(), nil
}}

// ErrorAnswer is the answer that is the error e.
func ErrorAnswer(e wire.Error) Answer { return Answer{Err: &e} }

// String is what the answer comes to, in brief: "default 200 14B",
// "fail-twice 500 WKS.00000003", "fault-reset fault reset".
func (a Answer) String() string {
	switch {
	case a.Err != nil:
		return fmt.Sprintf("%s %d %s", a.Scenario, a.Err.Status, a.Err.Code)
	case a.Fault != fixtures.FaultNone:
		return fmt.Sprintf("%s fault %s", a.Scenario, a.Fault)
	case a.Proxy:
		return "upstream"
	}
	return fmt.Sprintf("%s 200 %dB", a.Scenario, len(a.Body.Bytes))
}

// Decide is the whole of one request's answer, as plain data. Every switch
// meets here, strongest first: the request's switches, then the layers
// (the project's run-time switches, the global ones, the project's bound
// scenario, the start-up flags).
func (e *Engine) Decide(op *Operation, project string, args Args, sw *Switches) Answer {
	if msg := wire.CheckProjectID(project); msg != "" {
		return ErrorAnswer(wire.Error{Status: 400, Code: "WKS.00170312", Msg: "The tenant does not exist.",
			Detail: fmt.Sprintf("project_id %q in the path is not a project id: %s.", wire.Truncate(project, 80), msg)})
	}
	if sw.Problem != "" {
		return ErrorAnswer(wire.Mock(400, "MOCK.0001", sw.Problem))
	}
	set, ctl := e.set.Load(), e.ctl.Load()
	ls := ctl.layersOf(project, set.bindings)
	var sc *fixtures.Scenario
	if sw.Scenario != "" {
		if sc = set.Get(sw.Scenario); sc == nil {
			return ErrorAnswer(wire.Mock(400, "MOCK.0001",
				fmt.Sprintf("X-Mock-Scenario: unknown scenario %q (known: %s)", sw.Scenario, strings.Join(set.Names(), ", "))))
		}
	} else {
		sc = first(ls, lookup{set: set.Set}, scenarioIn)
	}
	switch {
	case sc == nil && e.proxied:
		return e.proxyAnswer(op, project, sw, ls)
	case sc == nil:
		return ErrorAnswer(wire.Mock(500, "MOCK.0002",
			fmt.Sprintf("the start-up scenario %q is no longer loaded (its file was removed?)", e.startName)))
	}

	seed := e.seed
	if sw.Seed != nil {
		seed = *sw.Seed
	}
	delay := sw.Delay
	if delay == nil {
		delay = first(ls, lookup{}, delayIn)
	}
	var n uint64 // the request's number, for sequences and draws; counted only where it matters
	if sc.Counted() || delay != nil && delay.IsRange() {
		n = e.counters.next(sc.Name, project)
	}
	forced := e.forcedError(op, sw, ls)
	step, index := sc.Turn(seed, n, forced == nil && !sw.Success, op.Name)
	if delay == nil {
		d := sc.DelayOf(step)
		delay = &d
	}
	a := Answer{Scenario: sc.Name, Delay: delay.Draw(seed, n), Err: forced}
	if forced == nil {
		at := instant(sw, first(ls, lookup{}, clockIn), args.Arrived, op.acts)
		r := resolve(op.Name, sc, step, index, seed, n, at)
		r.data.views = &e.views
		r.data.project, r.data.store, r.data.acts = project, &e.actions, e.actions.of(project)
		a.Err, a.Fault, a.Body = op.answerStep(r, args)
	}
	return a
}

// forcedError is the error a switch forces on this request, if any: the
// request's own, else an injected one (taking it uses up one of its count),
// unless the request asks for success.
func (e *Engine) forcedError(op *Operation, sw *Switches, ls layers) *wire.Error {
	if sw.Error != nil || sw.Success {
		return sw.Error
	}
	return first(ls, lookup{op: op.Name}, injectedIn)
}

// proxyAnswer is the answer of a request no switch chose a scenario for,
// with --upstream: an injected error still wins (and never reaches the
// upstream); else the upstream answers, after any delay a switch asks for.
func (e *Engine) proxyAnswer(op *Operation, project string, sw *Switches, ls layers) Answer {
	forced := e.forcedError(op, sw, ls)
	a := Answer{Err: forced, Proxy: forced == nil}
	delay := sw.Delay
	if delay == nil {
		delay = first(ls, lookup{}, delayIn)
	}
	if delay != nil {
		var n uint64
		if delay.IsRange() {
			n = e.counters.next("(upstream)", project)
		}
		a.Delay = delay.Draw(e.seed, n)
	}
	return a
}

// instant is the simulated time a request is answered as of: X-Mock-Time
// (not for an action, which happens on the project's clock), else the
// project's clock when the request arrived (zero: now), truncated to the
// second (the resolution of the simulation, so answers within a second
// share their bytes).
func instant(sw *Switches, clock *simClock, arrived time.Time, acts bool) time.Time {
	if sw.Time != nil && !acts {
		return sw.Time.Truncate(time.Second)
	}
	if arrived.IsZero() {
		arrived = time.Now()
	}
	return clock.at(arrived).Truncate(time.Second)
}

// resolved is a step's answer before an operation shapes it: an error, a
// transport fault, or data.
type resolved struct {
	err   *wire.Error
	fault fixtures.Fault
	data  Data
	ok    bool // data is set
}

// resolve is the one place a step's kind is told apart, for the server, the
// preview and the timeline alike: its error (for operation op), its fault, a
// fleet's incident that makes the API fail at that instant, or its data.
func resolve(op string, sc *fixtures.Scenario, st *fixtures.Step, index int, seed int64, nonce uint64, at time.Time) resolved {
	switch {
	case st.ErrorFor(op) != nil:
		return resolved{err: st.Error}
	case st.Fault != fixtures.FaultNone:
		return resolved{fault: st.Fault}
	case st.Fleet != nil:
		if err := st.Fleet.Failing(at); err != nil {
			return resolved{err: err}
		}
	}
	return resolved{ok: true, data: Data{sc: sc, step: st, index: index, seed: seed, nonce: nonce, at: at}}
}

func (op *Operation) answerStep(r resolved, args Args) (*wire.Error, fixtures.Fault, fixtures.Payload) {
	if !r.ok {
		return r.err, r.fault, fixtures.Payload{}
	}
	body, err := op.answer(r.data, args)
	return err, fixtures.FaultNone, body
}

// Data is a step's data at an instant: what every operation's answer is
// made from.
type Data struct {
	sc    *fixtures.Scenario
	step  *fixtures.Step
	index int
	seed  int64
	nonce uint64
	at    time.Time
	views *viewCache // where views made from counters are kept; nil: not kept

	project string
	store   *actionStore  // where projects' actions are kept; nil: none (the timeline)
	acts    *desktops.Log // the project's actions; nil: none
}

// StaticsPayload is the 200 body of ListInstancesStatus, cached where it can be.
func (d Data) StaticsPayload() fixtures.Payload {
	if d.acts != nil { // the project acted: its counters are counted from its desktops
		return fixtures.NewPayload(fixtures.EncodeStatics(nil, d.View().Groups())) // counted from the desktops
	}
	if d.step.Fleet != nil {
		return d.step.Fleet.Payload(d.seed, d.at)
	}
	return d.sc.Payload(d.index, d.seed, d.nonce)
}

// Groups are the pools' counters: the same groups StaticsPayload encodes.
func (d Data) Groups() []fixtures.Group {
	if d.step.Fleet != nil {
		return d.step.Fleet.Groups(d.seed, d.at)
	}
	return d.sc.GroupsAnswered(d.index, d.seed, d.nonce)
}

// Statics are the pools' counters as ListInstancesStatus answers them: the
// project's actions included, when it took some.
func (d Data) Statics() []fixtures.Group {
	if d.acts != nil { // the project acted: its counters are counted from its desktops
		return d.View().Groups()
	}
	return d.Groups()
}

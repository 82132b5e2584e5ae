package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"time"

	"github.com/workspace-mock/mockserver/internal/desktops"
	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// Snapshot is what a scenario answers at an instant when no switch steers
// it: its first step, moved to the instant when it is a fleet. What
// `mockserver timeline` prints and the control page previews.
type Snapshot struct {
	Time    time.Time
	Statics []fixtures.Group // a 200 answer
	Error   *wire.Error      // an error answer
	Fault   fixtures.Fault   // a transport fault
}

// SnapshotAt is sc's answer at t for seed, as if no project had acted on it.
func SnapshotAt(sc *fixtures.Scenario, seed int64, t time.Time) Snapshot {
	return acting{}.snapshotAt(sc, seed, t)
}

// acting is what a project's answers read besides its scenario: its
// actions (nil: none, as for the timeline) and where views made from
// counters are kept.
type acting struct {
	acts  *desktops.Log
	views *viewCache
}

// actingOf is the project's actions, for a snapshot or a drill-down.
func (e *Engine) actingOf(project string) acting {
	return acting{acts: e.actions.of(project), views: &e.views}
}

// snapshotAt is sc's answer at t with the actions: the counters
// ListInstancesStatus answers at that instant.
func (x acting) snapshotAt(sc *fixtures.Scenario, seed int64, t time.Time) Snapshot {
	t = t.Truncate(time.Second)
	r := resolve(ListInstancesStatus.Name, sc, &sc.Steps[0], 0, seed, 0, t)
	s := Snapshot{Time: t, Error: r.err, Fault: r.fault}
	if r.ok {
		r.data.views, r.data.acts = x.views, x.acts
		s.Statics = r.data.Statics()
	}
	return s
}

// SnapshotJSON is a snapshot as the preview and the timeline write it.
type SnapshotJSON struct {
	Time    string           `json:"time"`
	Statics []fixtures.Group `json:"statics,omitempty"`
	Error   *ErrorSummary    `json:"error,omitempty"`
	Fault   fixtures.Fault   `json:"fault,omitempty"`
}

// ErrorSummary is an error answer in brief.
type ErrorSummary struct {
	Status int    `json:"status"`
	Code   string `json:"error_code"`
	Msg    string `json:"error_msg"`
}

// Summarize is e in brief; nil for none.
func Summarize(e *wire.Error) *ErrorSummary {
	if e == nil {
		return nil
	}
	return &ErrorSummary{e.Status, e.Code, e.Msg}
}

// JSON is the snapshot as it is written: an empty answer has "statics": [].
func (s Snapshot) JSON() SnapshotJSON {
	j := SnapshotJSON{Time: s.Time.Format(time.RFC3339), Statics: s.Statics, Fault: s.Fault}
	switch {
	case s.Error != nil:
		j.Error = Summarize(s.Error)
	case j.Statics == nil && s.Fault == fixtures.FaultNone:
		j.Statics = []fixtures.Group{}
	}
	return j
}

// CountInstants is how many instants from..to by step holds, exactly: the
// span is counted in 128 bits, since time.Sub saturates at ~292 years.
func CountInstants(from, to time.Time, step time.Duration) uint64 {
	if step <= 0 || to.Before(from) {
		return 0
	}
	secs := uint64(to.Unix() - from.Unix()) // at most ~3.2e11 between year 1 and 9999
	hi, lo := bits.Mul64(secs, uint64(time.Second))
	nanos := int64(to.Nanosecond()) - int64(from.Nanosecond())
	var borrow, carry uint64
	if nanos < 0 {
		lo, borrow = bits.Sub64(lo, uint64(-nanos), 0)
		hi -= borrow
	} else {
		lo, carry = bits.Add64(lo, uint64(nanos), 0)
		hi += carry
	}
	if hi >= uint64(step) {
		return math.MaxUint64 // the quotient does not fit: far past any limit
	}
	q, _ := bits.Div64(hi, lo, uint64(step))
	if q == math.MaxUint64 {
		return q
	}
	return q + 1
}

// ErrTooManyInstants is a range of instants over the limit given.
var ErrTooManyInstants = errors.New("too many instants")

// EachInstant calls fn for every instant from..to by step, in order: the
// one loop of the preview and the timeline. More than max instants is an
// error before any call; an error from fn (a client that left) stops it.
func EachInstant(from, to time.Time, step time.Duration, max int, fn func(time.Time) error) error {
	if n := CountInstants(from, to, step); n > uint64(max) {
		return fmt.Errorf("%w: %d, the limit is %d", ErrTooManyInstants, n, max)
	}
	for t := from; !t.After(to); t = t.Add(step) {
		if err := fn(t); err != nil {
			return err
		}
	}
	return nil
}

// Snapshots calls fn with the answer of the project's scenario (request
// switches aside) at each instant from..to by step, at most max of them, as
// they are computed: for the timeline. The project's actions count as
// connections/status counts them (the timeline's project "" has none).
// It changes nothing: no sequence
// moves, no injected error is used up. When the upstream answers, not a
// scenario: ErrUpstream.
func (e *Engine) Snapshots(ctx context.Context, project string, from, to time.Time, step time.Duration, max int, fn func(Snapshot) error) error {
	sc := e.scenarioOf(project)
	if sc == nil {
		return ErrUpstream
	}
	return e.actingOf(project).eachSnapshot(ctx, sc, e.seed, from, to, step, max, fn)
}

// eachSnapshot is the one loop over instants. A scenario that is not a fleet
// answers the same at every instant, unless the project acted on it:
// computed once.
func (x acting) eachSnapshot(ctx context.Context, sc *fixtures.Scenario, seed int64, from, to time.Time, step time.Duration, max int, fn func(Snapshot) error) error {
	var still *Snapshot
	if sc.Steps[0].Fleet == nil && x.acts == nil {
		s := x.snapshotAt(sc, seed, from)
		still = &s
	}
	return EachInstant(from, to, step, max, func(t time.Time) error {
		if err := ctx.Err(); err != nil {
			return err // the client left, or the command was stopped
		}
		if still != nil {
			s := *still
			s.Time = t.Truncate(time.Second)
			return fn(s)
		}
		return fn(x.snapshotAt(sc, seed, t))
	})
}

// ErrUpstream: the upstream answers, not a scenario.
var ErrUpstream = errors.New("the upstream answers in the start-up scenario's place")

// scenarioOf is the scenario that answers the project's requests when no
// header steers them.
func (e *Engine) scenarioOf(project string) *fixtures.Scenario {
	set, ctl := e.set.Load(), e.ctl.Load()
	return first(ctl.layersOf(project, set.bindings), lookup{set: set.Set}, scenarioIn)
}

// The bounds of one preview: instants, pools written (instants x pools
// each), and the work of a fleet (instants x desktops simulated).
const (
	MaxPreview      = 2000
	MaxPreviewPools = 100_000
	MaxPreviewWork  = 20_000_000
)

// PreviewQuery is what a preview asks for: now (From and To zero) or the
// instants From..To by Step; at most Limit pools per instant (0: all), or
// their Total only.
type PreviewQuery struct {
	From, To time.Time
	Step     time.Duration
	Limit    int
	Total    bool
}

// Preview is what a project's scenario answers (request switches aside),
// checked against the bounds before any work: the control page's table and
// charts. Each computes it instant by instant, the project's actions
// included: at each instant, what connections/status answers.
type Preview struct {
	Scenario string
	Fleet    bool
	Upstream bool // the upstream answers: nothing to preview
	Pools    int  // pools per instant, before Limit or Total
	// Injected is the injected error a ListInstancesStatus request would
	// answer with now instead: the scenario's answers are then not what
	// the API answers.
	Injected *InjectedError

	sc     *fixtures.Scenario
	seed   int64
	q      PreviewQuery
	acting acting // the project's actions, counted as connections/status counts them
}

// ErrPreviewTooBig is a preview past one of its bounds.
var ErrPreviewTooBig = errors.New("too much to preview")

// Preview plans the project's preview; it changes nothing: no sequence
// moves, no injected error is used up.
func (e *Engine) Preview(project string, q PreviewQuery) (*Preview, error) {
	sc := e.scenarioOf(project)
	injected := e.InjectedFor(project, ListInstancesStatus)
	if sc == nil {
		return &Preview{Upstream: e.proxied, Injected: injected}, nil
	}
	if q.From.IsZero() && q.To.IsZero() {
		q.From = e.Now(project)
		q.To, q.Step = q.From, time.Hour
	}
	p := &Preview{Scenario: sc.Name, Fleet: sc.Steps[0].Fleet != nil, Injected: injected, sc: sc, seed: e.seed, q: q, acting: e.actingOf(project)}
	n := CountInstants(q.From, q.To, q.Step)
	if n > MaxPreview {
		return nil, fmt.Errorf("%w: %d instants, the limit is %d: take a longer step", ErrTooManyInstants, n, MaxPreview)
	}
	if f := sc.Steps[0].Fleet; f != nil {
		p.Pools = len(f.Pools)
		if work := n * uint64(f.Desktops()); work > MaxPreviewWork {
			return nil, fmt.Errorf("%w: %d instants of %d desktops, more than %d desktop-instants to simulate: take a longer step", ErrPreviewTooBig, n, f.Desktops(), MaxPreviewWork)
		}
	} else {
		p.Pools = len(SnapshotAt(sc, e.seed, q.From).Statics)
		if acts := p.acting.acts; acts != nil { // counted at each instant: each pool, then each desktop acted on
			if work := n * uint64(p.Pools+acts.Targets()); work > MaxPreviewWork {
				return nil, fmt.Errorf("%w: %d instants of %d pools and %d desktops acted on, more than %d to count: take a longer step", ErrPreviewTooBig, n, p.Pools, acts.Targets(), MaxPreviewWork)
			}
		}
	}
	written := uint64(p.Pools)
	switch {
	case q.Total:
		written = 1
	case q.Limit > 0:
		written = uint64(min(q.Limit, p.Pools))
	}
	if written*n > MaxPreviewPools {
		return nil, fmt.Errorf("%w: %d instants of %d pools, more than %d pools in all: take a longer step, limit the pools (limit=N) or ask for their total (total=1)", ErrPreviewTooBig, n, written, MaxPreviewPools)
	}
	return p, nil
}

// Each calls fn with the preview's answer at each instant, as written; it
// stops when ctx ends (the client left).
func (p *Preview) Each(ctx context.Context, fn func(SnapshotJSON) error) error {
	if p.sc == nil {
		return nil
	}
	return p.acting.eachSnapshot(ctx, p.sc, p.seed, p.q.From, p.q.To, p.q.Step, MaxPreview, func(s Snapshot) error {
		switch {
		case p.q.Total && s.Statics != nil:
			s.Statics = []fixtures.Group{fixtures.Total("(all pools)", s.Statics)}
		case p.q.Limit > 0 && len(s.Statics) > p.q.Limit:
			s.Statics = s.Statics[:p.q.Limit]
		}
		return fn(s.JSON())
	})
}

// AnswerAt is operation op's answer for the project's scenario at instant t,
// request switches aside: its 200 body, or the error or fault it answers
// instead. For `mockserver timeline --view`; it changes nothing.
func (e *Engine) AnswerAt(op *Operation, project string, args Args, t time.Time) ([]byte, *wire.Error, fixtures.Fault, error) {
	sc := e.scenarioOf(project)
	if sc == nil {
		return nil, nil, fixtures.FaultNone, ErrUpstream
	}
	r := resolve(op.Name, sc, &sc.Steps[0], 0, e.seed, 0, t.Truncate(time.Second))
	r.data.views = &e.views
	err, fault, body := op.answerStep(r, args)
	return body.Bytes, err, fault, nil
}

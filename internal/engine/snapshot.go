package engine

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"time"

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

// SnapshotAt is sc's answer at t for seed.
func SnapshotAt(sc *fixtures.Scenario, seed int64, t time.Time) Snapshot {
	t = t.Truncate(time.Second)
	r := resolve(sc, &sc.Steps[0], 0, seed, 0, t)
	s := Snapshot{Time: t, Error: r.err, Fault: r.fault}
	if r.ok {
		s.Statics = r.data.Groups()
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

// JSON is the snapshot as it is written: an empty answer has "statics": [].
func (s Snapshot) JSON() SnapshotJSON {
	j := SnapshotJSON{Time: s.Time.Format(time.RFC3339), Statics: s.Statics, Fault: s.Fault}
	switch {
	case s.Error != nil:
		j.Error = &ErrorSummary{s.Error.Status, s.Error.Code, s.Error.Msg}
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

// Preview is what a project's scenario answers (request switches aside) at
// instants, for the control page's table and charts.
type Preview struct {
	Answers  []SnapshotJSON `json:"answers"`
	Fleet    bool           `json:"fleet"`
	Scenario string         `json:"scenario"`
	Upstream bool           `json:"upstream"` // the upstream answers: nothing to preview
}

// MaxPreview bounds the instants of one preview.
const MaxPreview = 2000

// Snapshots calls fn with the answer of the project's scenario (request
// switches aside) at each instant from..to by step, at most max of them:
// for the timeline and the preview. It changes nothing: no sequence moves,
// no injected error is used up. No scenario answers (the upstream does):
// no call, and ErrUpstream.
func (e *Engine) Snapshots(project string, from, to time.Time, step time.Duration, max int, fn func(Snapshot) error) error {
	sc := e.scenarioOf(project)
	if sc == nil {
		return ErrUpstream
	}
	return EachInstant(from, to, step, max, func(t time.Time) error { return fn(SnapshotAt(sc, e.seed, t)) })
}

// ErrUpstream: the upstream answers, not a scenario.
var ErrUpstream = errors.New("the upstream answers in the start-up scenario's place")

// scenarioOf is the scenario that answers the project's requests when no
// header steers them.
func (e *Engine) scenarioOf(project string) *fixtures.Scenario {
	set, ctl := e.set.Load(), e.ctl.Load()
	return first(ctl.layersOf(project, set.bindings), set.Set, scenarioIn)
}

// Preview is the project's answer now (from and to zero) or at the instants
// from..to by step, as the control page shows it.
func (e *Engine) Preview(project string, from, to time.Time, step time.Duration) (Preview, error) {
	sc := e.scenarioOf(project)
	if sc == nil {
		return Preview{Upstream: e.proxied, Answers: []SnapshotJSON{}}, nil
	}
	if from.IsZero() && to.IsZero() {
		from = e.Now(project)
		to, step = from, time.Hour
	}
	p := Preview{Scenario: sc.Name, Fleet: sc.Steps[0].Fleet != nil, Answers: []SnapshotJSON{}}
	err := e.Snapshots(project, from, to, step, MaxPreview, func(s Snapshot) error {
		p.Answers = append(p.Answers, s.JSON())
		return nil
	})
	return p, err
}

package engine

import (
	"net/url"
	"sync"
	"time"

	"github.com/workspace-mock/mockserver/internal/desktops"
	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// The operations of the emulated API, by Huawei's operation id. Each reads
// the same data (a scenario's step at an instant), so every view agrees:
// aggregating ListDesktopsDetail by pool gives ListInstancesStatus.
var (
	ListDesktopsDetail       = viewOperation("ListDesktopsDetail", byQuery((*desktops.View).ListDesktopsDetail))
	ShowDesktopDetail        = viewOperation("ShowDesktopDetail", byID((*desktops.View).ShowDesktopDetail))
	ListDesktopPools         = viewOperation("ListDesktopPools", byQuery((*desktops.View).ListDesktopPools))
	ListLoginState           = viewOperation("ListLoginState", byQuery((*desktops.View).ListLoginState))
	ListHistoryOnlineInfoNew = viewOperation("ListHistoryOnlineInfoNew", byQuery((*desktops.View).ListHistoryOnlineInfoNew))
	ListLoginRecordsNew      = viewOperation("ListLoginRecordsNew", byQuery((*desktops.View).ListLoginRecordsNew))
)

// viewAnswer is how a view operation answers from the desktops and its arguments.
type viewAnswer func(v *desktops.View, a Args) ([]byte, *wire.Error)

// byQuery is an operation that reads its query, byID one that reads the id in its path.
func byQuery(f func(*desktops.View, url.Values) ([]byte, *wire.Error)) viewAnswer {
	return func(v *desktops.View, a Args) ([]byte, *wire.Error) { return f(v, a.Query) }
}

func byID(f func(*desktops.View, string) ([]byte, *wire.Error)) viewAnswer {
	return func(v *desktops.View, a Args) ([]byte, *wire.Error) { return f(v, a.ID) }
}

// Operations are every operation the emulator serves, for checking the
// names a switch or a scenario file limits an error to.
var Operations = []*Operation{ListInstancesStatus, ListDesktopsDetail, ShowDesktopDetail, ListDesktopPools,
	ListLoginState, ListHistoryOnlineInfoNew, ListLoginRecordsNew, BatchRunDesktops, ExecuteDesktopPoolAction, ShowJob}

// OperationNames lists their names, in that order.
func OperationNames() []string {
	out := make([]string, len(Operations))
	for i, op := range Operations {
		out[i] = op.Name
	}
	return out
}

// Args are an operation's own parameters: the id its path names (a desktop,
// a pool, a job), its query and body, and when the request arrived.
type Args struct {
	ID      string
	Query   url.Values
	Body    []byte    // the request's body (an action's)
	Arrived time.Time // when the request arrived, read on the project's clock; zero: now
}

// viewOperation is an operation answered from the desktops of the data. Its
// answers are kept per instant, like a fleet's counters: requests within one
// simulated second (a frozen clock, a dashboard polling) share one
// computation.
func viewOperation(name string, answer viewAnswer) *Operation {
	op := &Operation{Name: name}
	op.answer = func(d Data, a Args) (fixtures.Payload, *wire.Error) {
		cacheable := !d.sc.Fresh && d.views != nil && d.acts == nil // a project's actions are its own
		var k answerKey
		if cacheable {
			k = answerKey{op: op, sc: d.sc, index: d.index, seed: d.seed, unix: d.at.Unix(), id: a.ID, query: a.Query.Encode()}
			if p, ok := d.views.answer(k); ok {
				return p, nil
			}
		}
		body, err := answer(d.View(), a)
		if err != nil {
			return fixtures.Payload{}, err
		}
		p := fixtures.NewPayload(body)
		if cacheable {
			d.views.keep(k, p)
		}
		return p, nil
	}
	return op
}

// answerKey is what a view operation's answer depends on.
type answerKey struct {
	op        *Operation
	sc        *fixtures.Scenario
	index     int
	seed      int64
	unix      int64
	id, query string
}

// View is the data's desktops at its instant: a fleet's simulated desktops,
// or desktops made from a scenario's counters. Made from counters, a view is
// kept per (scenario, step, seed), since drawing the pools' traits costs a
// few milliseconds for a thousand pools; fresh data is never kept.
func (d Data) View() *desktops.View {
	v := d.baseView()
	if d.acts != nil {
		v.WithActions(d.acts, d.sc.Name)
	}
	return v
}

// baseView is View without the project's actions: always a view of its own
// (a kept one is moved, never handed out).
func (d Data) baseView() *desktops.View {
	if d.step.Fleet != nil {
		return desktops.FromFleet(d.step.Fleet, d.seed, d.at)
	}
	if d.sc.Fresh || d.views == nil {
		return desktops.FromGroups(d.Groups(), d.seed, d.at)
	}
	k := viewKey{d.sc, d.index, d.seed}
	if v := d.views.get(k); v != nil {
		return v.MovedTo(d.at)
	}
	v := desktops.FromGroups(d.Groups(), d.seed, d.at)
	d.views.put(k, v)
	return v.MovedTo(d.at)
}

type viewKey struct {
	sc    *fixtures.Scenario
	index int
	seed  int64
}

// viewCache keeps the desktops made from counters, at most maxViews of them
// (seeds a client makes up are not kept past it), and the latest answers of
// the view operations, at most maxAnswers of them and maxAnswerBytes in all;
// a reload empties it.
type viewCache struct {
	mu      sync.Mutex
	m       map[viewKey]*desktops.View
	answers map[answerKey]fixtures.Payload
	bytes   int
}

const (
	maxViews       = 64
	maxAnswers     = 256
	maxAnswerBytes = 32 << 20
)

func (c *viewCache) answer(k answerKey) (fixtures.Payload, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.answers[k]
	return p, ok
}

// keep keeps an answer; when full, the kept answers are dropped together
// (the next second's answers replace them anyway).
func (c *viewCache) keep(k answerKey, p fixtures.Payload) {
	if len(p.Bytes) > maxAnswerBytes/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.answers == nil || len(c.answers) >= maxAnswers || c.bytes+len(p.Bytes) > maxAnswerBytes {
		c.answers, c.bytes = map[answerKey]fixtures.Payload{}, 0
	}
	c.answers[k] = p
	c.bytes += len(p.Bytes)
}

func (c *viewCache) get(k viewKey) *desktops.View {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

func (c *viewCache) put(k viewKey, v *desktops.View) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxViews {
		c.m = map[viewKey]*desktops.View{}
	}
	c.m[k] = v
}

func (c *viewCache) clear() {
	c.mu.Lock()
	c.m, c.answers, c.bytes = nil, nil, 0
	c.mu.Unlock()
}

// Package handlers serves the emulated API, the health check and the admin
// API: the chi routes, and the one path every request of the API goes through
// (switches, injected errors, sequences, delays, faults).
package handlers

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/workspace-mock/mockserver/internal/aksk"
	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/upstream"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// Options configure a Mock; the zero value of each field is a usable default
// except Scenarios.
type Options struct {
	Scenarios      *fixtures.Set
	Scenario       string          // start-up scenario; "": "default", or the only one (Set.StartName)
	Seed           int64           // seed of generated data
	Error          *wire.Error     // start-up error for every request; nil: none
	Delay          *fixtures.Delay // start-up delay for every answer; nil: the scenario's
	MaxHeaderBytes int             // request header limit (431 past it); 0: 64 KiB
	Logger         *slog.Logger

	BodyTimeout time.Duration // how long a client may take to send an announced body; 0: DefaultBodyTimeout
	ClockStart  time.Time     // the simulated clock's reading at start-up; zero: wall time
	ClockSpeed  *float64      // simulated seconds per real second; nil: 1; 0: frozen
	JournalSize int           // requests kept for GET /_mock/requests; 0: DefaultJournalSize; < 0: no journal
	AdminToken  string        // Bearer token the admin API requires; "": none

	Upstream *upstream.Upstream // forward what the start-up scenario would answer; nil: none
	Recorder *upstream.Recorder // record upstream answers as scenario files; nil: none

	Verifier       *aksk.Verifier    // nil: no authentication, like --auth none
	RegionProjects map[string]string // IAM: region -> project id; others get StableProjectID
}

// DefaultMaxHeaderBytes is the request header limit: Huawei's gateway accepts
// far less than Go's 1 MiB.
const DefaultMaxHeaderBytes = 64 << 10

// MaxDrift is how many departures from the contract GET /_mock/drift keeps.
const MaxDrift = upstream.MaxDrift

// DefaultJournalSize is how many requests the journal keeps by default.
const DefaultJournalSize = 1000

// Mock is the emulator: an http.Handler plus the state its switches change.
type Mock struct {
	log        *slog.Logger
	seed       int64
	startName  string
	startErr   *wire.Error
	startClock simClock  // the clock until a switch sets another
	clockStart time.Time // the start-up clock's settings, for reset: zero start is wall time
	clockSpeed float64
	delay      *fixtures.Delay
	maxHeader  int

	upstream       *upstream.Upstream
	proxy          *upstream.Proxy // nil without --upstream
	verifier       *aksk.Verifier
	regionProjects map[string]string
	adminToken     string
	journal        *journal

	set      atomic.Pointer[served]
	ctl      atomic.Pointer[controls]
	ctlMu    sync.Mutex // serialises writers of ctl
	counters *counters  // requests seen per scenario and project

	waiting atomic.Int64 // API requests waiting on a delay or a hang (counted only there: it's a shared cache line)

	done        chan struct{} // closed by Shutdown: ends hanging requests
	doneOnce    sync.Once
	closed      chan struct{} // closed by Close: ends every waiting request
	closeOnce   sync.Once
	bodyTimeout time.Duration
	handler     http.Handler
}

// New checks the options and builds the emulator.
func New(o Options) (*Mock, error) {
	if o.Scenarios == nil || o.Scenarios.Len() == 0 {
		return nil, errors.New("no scenarios loaded")
	}
	start, err := o.Scenarios.StartName(o.Scenario)
	if err != nil {
		return nil, err
	}
	m := &Mock{log: o.Logger, seed: o.Seed, startName: start, delay: o.Delay, startErr: o.Error,
		maxHeader: o.MaxHeaderBytes, done: make(chan struct{}), closed: make(chan struct{}), bodyTimeout: o.BodyTimeout,
		verifier: o.Verifier, regionProjects: o.RegionProjects, adminToken: o.AdminToken,
		upstream: o.Upstream}
	switch {
	case o.JournalSize == 0:
		m.journal = newJournal(DefaultJournalSize)
	case o.JournalSize > 0:
		m.journal = newJournal(o.JournalSize)
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	m.proxy = upstream.NewProxy(o.Upstream, o.Recorder, m.log)
	if m.maxHeader <= 0 {
		m.maxHeader = DefaultMaxHeaderBytes
	}
	if m.bodyTimeout <= 0 {
		m.bodyTimeout = DefaultBodyTimeout
	}
	m.counters = newCounters(DefaultCounterLimit)
	m.clockStart, m.clockSpeed = o.ClockStart, 1
	if o.ClockSpeed != nil {
		if msg := CheckClockSpeed(*o.ClockSpeed); msg != "" {
			return nil, fmt.Errorf("clock: %s", msg)
		}
		m.clockSpeed = *o.ClockSpeed
	}
	m.startClock = m.freshClock()
	m.setScenarios(o.Scenarios)
	m.ctl.Store(&controls{})
	m.handler = m.routes()
	return m, nil
}

// ServeHTTP serves the emulated API, the health check and the admin API.
func (m *Mock) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.handler.ServeHTTP(w, r) }

// StartName is the start-up scenario: the one that answers when no switch
// chooses another.
func (m *Mock) StartName() string { return m.startName }

// Shutdown ends requests that hang on a fault, so a graceful server shutdown
// is not held up by them; delayed requests still finish.
func (m *Mock) Shutdown() { m.doneOnce.Do(func() { close(m.done) }) }

// Close ends every waiting request at once, delayed or hanging, by dropping
// its connection: for a test's cleanup, and for a shutdown whose grace
// period is over.
func (m *Mock) Close() { m.closeOnce.Do(func() { close(m.closed) }) }

// Waiting is how many API requests wait on a delay or a hang.
func (m *Mock) Waiting() int64 { return m.waiting.Load() }

// setScenarios swaps the served set atomically, its answers encoded first.
func (m *Mock) setScenarios(set *fixtures.Set) {
	for _, name := range set.Names() {
		set.Get(name).Prepare(m.seed)
	}
	m.set.Store(&served{Set: set, start: set.Get(m.startName)})
}

// served is the scenario set being served and, looked up once rather than
// per request, its start-up scenario (nil once its file is removed).
type served struct {
	*fixtures.Set
	start *fixtures.Scenario
}

// injection is an error injected at run time, for count requests or until cleared.
type injection struct {
	spec wire.Error
	left atomic.Int64 // requests still to fail; < 0: until cleared
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

// override is what the run-time switches set, globally or for one project.
type override struct {
	scenario string
	inject   *injection
	clock    *simClock // nil: the global clock (or, globally, the start-up one)
	delay    *fixtures.Delay
}

// controls is replaced whole on every change (copy on write), so a request
// sees one consistent state with a single atomic load.
type controls struct {
	global   override
	projects map[string]override
}

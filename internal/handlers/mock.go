// Package handlers is the emulator's HTTP edge: the chi routes, a request
// parsed into switches, the engine asked for the answer, the wait, the one
// writer; plus the health check, the admin API, the control page and the IAM
// route. What is answered is decided in internal/engine.
package handlers

import (
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/workspace-mock/mockserver/internal/aksk"
	"github.com/workspace-mock/mockserver/internal/engine"
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
	// AllowedHosts are host names the admin API may be reached by, besides
	// IP addresses, localhost, names without a dot and names nobody can
	// register (guard.go); "*": any.
	AllowedHosts []string

	Upstream *upstream.Upstream // forward what the start-up scenario would answer; nil: none
	Recorder *upstream.Recorder // record upstream answers as scenario files; nil: none

	Verifier       *aksk.Verifier    // nil: no authentication, like --auth none
	RegionProjects map[string]string // IAM: region -> project id; others get StableProjectID
}

// DefaultMaxHeaderBytes is the request header limit: Huawei's gateway accepts
// far less than Go's 1 MiB.
const DefaultMaxHeaderBytes = 64 << 10

// DefaultJournalSize is how many requests the journal keeps by default.
const DefaultJournalSize = engine.DefaultJournalSize

// MaxEntryField bounds each string a journal entry keeps.
const MaxEntryField = engine.MaxEntryField

// Entry is one request as the journal keeps it.
type Entry = engine.Entry

// Mock is the emulator: the engine, and the HTTP edge in front of it.
type Mock struct {
	*engine.Engine

	log            *slog.Logger
	maxHeader      int
	bodyTimeout    time.Duration
	proxy          *upstream.Proxy // nil without --upstream
	verifier       *aksk.Verifier
	regionProjects map[string]string
	regions        []string // regionProjects' keys, sorted: IAM lists them in this order
	adminToken     string
	allowedHosts   []string

	waiting atomic.Int64 // API requests waiting on a delay or a hang (counted only there: it's a shared cache line)

	done      chan struct{} // closed by Shutdown: ends hanging requests
	doneOnce  sync.Once
	closed    chan struct{} // closed by Close: ends every waiting request
	closeOnce sync.Once
	handler   http.Handler
}

// New builds the emulator, its engine and its edge: the one constructor, for
// the command and the Go package alike.
func New(o Options) (*Mock, error) {
	eng, err := engine.New(engine.Config{Scenarios: o.Scenarios, Scenario: o.Scenario, Seed: o.Seed,
		Error: o.Error, Delay: o.Delay, ClockStart: o.ClockStart, ClockSpeed: o.ClockSpeed,
		JournalSize: o.JournalSize, Proxied: o.Upstream != nil, Logger: o.Logger})
	if err != nil {
		return nil, err
	}
	m := &Mock{Engine: eng, log: o.Logger, maxHeader: o.MaxHeaderBytes, bodyTimeout: o.BodyTimeout,
		verifier: o.Verifier, regionProjects: o.RegionProjects, adminToken: o.AdminToken,
		allowedHosts: o.AllowedHosts, done: make(chan struct{}), closed: make(chan struct{})}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	m.proxy = upstream.NewProxy(o.Upstream, o.Recorder, m.log)
	m.regions = slices.Sorted(maps.Keys(o.RegionProjects))
	if m.maxHeader <= 0 {
		m.maxHeader = DefaultMaxHeaderBytes
	}
	if m.bodyTimeout <= 0 {
		m.bodyTimeout = DefaultBodyTimeout
	}
	m.handler = m.routes()
	return m, nil
}

// ServeHTTP serves the emulated API, the health check and the admin API.
func (m *Mock) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.handler.ServeHTTP(w, r) }

// Shutdown ends requests that hang on a fault, so a graceful server shutdown
// is not held up by them; delayed requests still finish.
func (m *Mock) Shutdown() { m.doneOnce.Do(func() { close(m.done) }) }

// Close ends every waiting request at once, delayed or hanging, by dropping
// its connection: for a test's cleanup, and for a shutdown whose grace
// period is over.
func (m *Mock) Close() { m.closeOnce.Do(func() { close(m.closed) }) }

// Waiting is how many API requests wait on a delay or a hang.
func (m *Mock) Waiting() int64 { return m.waiting.Load() }

// Package workspacemock runs the Huawei Cloud Workspace ListInstancesStatus
// emulator inside a Go test, in the style of net/http/httptest: start it,
// point your client at URL() (or use Client(), which needs no port at all),
// steer it, read what your client sent, close it.
//
//	srv, err := workspacemock.NewServer(workspacemock.Options{})
//	if err != nil { t.Fatal(err) }
//	defer srv.Close()
//	srv.InjectError(500, 2)         // the next two calls fail
//	... call srv.URL() + "/v2/<project>/connections/status" ...
//	for _, r := range srv.Requests() { ... }
//
// Every server is independent: no package-level state, so parallel tests may
// each start their own, or share one and use a project id each (Project).
//
// Where it differs from the real service: see the repository README, "Known
// differences" (project ids are not checked against an account, only
// SDK-HMAC-SHA256 signatures are verified).
package workspacemock

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/workspace-mock/mockserver/internal/aksk"
	"github.com/workspace-mock/mockserver/internal/engine"
	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/handlers"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// Options configure a Server. The zero value serves the embedded scenarios
// on a loopback port with no authentication, and answers the same bytes as
// the mockserver command and its container started with no flags.
type Options struct {
	Scenario    string // start-up scenario; "": "default", or the only scenario of a one-scenario folder
	Seed        int64  // seed of generated data, like --seed (both default to 0)
	ScenarioDir string // serve this folder instead of the embedded scenarios
	ScenarioFS  fs.FS  // or this file system (its root holds the *.yaml files)
	Credentials []Credential
	Addr        string    // listen address; "" means 127.0.0.1:0
	InProcess   bool      // no listener: use Client(), whose transport calls the handler directly
	TLS         bool      // serve HTTPS with a self-signed certificate that Client() trusts
	JournalSize int       // requests kept, like --journal-size: 0 means 1000; negative: no journal
	ClockStart  time.Time // the simulated clock's reading at start, like --clock-start; zero: wall time
	FreezeClock bool      // the clock stands still until SetTime or Advance moves it (--clock-speed 0)
	Logger      *slog.Logger
}

// Credential is an AK/SK pair the server accepts; with any credentials the
// server verifies SDK-HMAC-SHA256 signatures like the API gateway.
type Credential struct {
	AK, SK        string
	SecurityToken string // for a temporary pair: requests must send it as X-Security-Token
}

// Request is one request the server answered, as a test inspects it: the
// same record GET /_mock/requests shows. Auth headers are kept as booleans
// only, never their values.
type Request struct {
	Time          time.Time
	Operation     string // Huawei's operation id (ListInstancesStatus...); "" for a route that does not exist
	Method        string
	Path          string
	Query         string
	ProjectID     string // from the API path
	RequestID     string // the X-Request-Id it was answered with
	Status        int    // 0 when a transport fault answered, or the client left first
	Fault         string // reset, empty, malformed, hang
	Scenario      string
	Latency       time.Duration
	XProjectID    string // the X-Project-Id header
	UserAgent     string
	SdkDate       string
	Authorization bool // an Authorization header was sent
	SecurityToken bool // an X-Security-Token header was sent
	AuthToken     bool // an X-Auth-Token header was sent
	Proxied       bool // the upstream answered (--upstream)
}

func requests(entries []engine.Entry) []Request {
	out := make([]Request, len(entries))
	for i, e := range entries {
		out[i] = Request(e)
	}
	return out
}

// Server is a running emulator.
type Server struct {
	mock      *handlers.Mock
	http      *httptest.Server // nil in process
	url       string
	client    *http.Client
	closeOnce sync.Once
}

// inProcessURL is the base URL of a server without a listener; Client()
// routes it to the handler, nothing else can reach it.
const (
	inProcessHost = "workspacemock.in-process"
	inProcessURL  = "http://" + inProcessHost
)

// NewServer starts an emulator.
func NewServer(o Options) (*Server, error) {
	if o.InProcess && o.TLS {
		return nil, fmt.Errorf("workspacemock: TLS needs a listener; InProcess has none")
	}
	mock, err := newMock(o)
	if err != nil {
		return nil, err
	}
	s := &Server{mock: mock}
	if o.InProcess {
		s.url = inProcessURL
		s.client = &http.Client{Transport: &inProcess{h: mock}}
		return s, nil
	}
	addr := o.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("workspacemock: listen on %s: %w", addr, err)
	}
	// net/http's own complaints (a client that fails the TLS handshake, say)
	// go to Logger at warn level, or nowhere: never onto the test's stderr.
	errorLog := log.New(io.Discard, "", 0)
	if o.Logger != nil {
		errorLog = slog.NewLogLogger(o.Logger.Handler(), slog.LevelWarn)
	}
	s.http = &httptest.Server{Listener: ln, Config: &http.Server{Handler: mock, ReadHeaderTimeout: 10 * time.Second, ErrorLog: errorLog}}
	if o.TLS {
		s.http.StartTLS()
	} else {
		s.http.Start()
	}
	s.url = s.http.URL
	s.client = s.http.Client()
	return s, nil
}

// newMock builds the emulator the options describe.
func newMock(o Options) (*handlers.Mock, error) {
	var set *fixtures.Set
	var problems fixtures.Problems
	if o.ScenarioFS != nil {
		_, set, problems = fixtures.OpenFolder(o.ScenarioFS, "scenarios")
	} else {
		_, set, problems = fixtures.Open(o.ScenarioDir)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	var verifier *aksk.Verifier
	if len(o.Credentials) > 0 {
		creds := make([]aksk.Credential, len(o.Credentials))
		for i, c := range o.Credentials {
			creds[i] = aksk.Credential{AK: c.AK, SK: c.SK, SecurityToken: c.SecurityToken}
		}
		var err error
		if verifier, err = aksk.NewVerifier(creds, nil); err != nil {
			return nil, err
		}
	}
	var speed *float64
	if o.FreezeClock {
		speed = new(float64)
	}
	m, err := handlers.New(handlers.Options{Scenarios: set, Scenario: o.Scenario, Seed: o.Seed, ClockStart: o.ClockStart, ClockSpeed: speed,
		Logger: o.Logger, Verifier: verifier, JournalSize: o.JournalSize, AllowedHosts: []string{inProcessHost}})
	var bad engine.ScenarioError
	if errors.As(err, &bad) {
		return nil, fmt.Errorf("workspacemock: Options.Scenario: %w", bad.Unwrap())
	}
	return m, err
}

// URL is the base URL to give clients (an SDK endpoint), without a trailing slash.
func (s *Server) URL() string { return s.url }

// Client returns an HTTP client for the server; in process it is the only way in.
// Its Transport can be handed to the SDK (config.HttpConfig.WithHttpRoundTripper).
func (s *Server) Client() *http.Client { return s.client }

// Requests returns every request answered so far, newest last.
func (s *Server) Requests() []Request { return s.Project("").Requests() }

// SetScenario makes name answer every request that no header steers.
func (s *Server) SetScenario(name string) error { return s.Project("").SetScenario(name) }

// InjectError makes the next count requests fail with the documented error
// for status; count 0 means every request until ClearError or Reset, as in
// the admin API. Given operations (ListDesktopsDetail...), only their
// requests fail. An undocumented status, an unknown operation or a negative
// count is an error.
func (s *Server) InjectError(status, count int, operations ...string) error {
	return s.Project("").InjectError(status, count, operations...)
}

// ClearError removes an injected error.
func (s *Server) ClearError() { s.mock.ClearError("") }

// Reset brings the server back to its start-up state: no switches, sequences
// from the start, empty journal.
func (s *Server) Reset() { s.mock.Reset("") }

// Close stops the server at once: requests waiting on a delay or hanging on
// a fault have their connections dropped, so t.Cleanup(srv.Close) never
// waits for a delay. After Close, Client() fails like a closed port.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mock.Close()
		s.mock.Shutdown()
		if t, ok := s.client.Transport.(*inProcess); ok {
			t.closed.Store(true)
		}
		if s.http != nil {
			s.http.Close()
		}
	})
}

// Now is the simulated time: what a fleet scenario answers as of.
func (s *Server) Now() time.Time { return s.Project("").Now() }

// SetTime sets the simulated clock to t; it goes on at its speed from there.
func (s *Server) SetTime(t time.Time) { s.Project("").SetTime(t) }

// Advance moves the simulated clock forward by d (negative: an error).
func (s *Server) Advance(d time.Duration) error { return s.Project("").Advance(d) }

// SetClockSpeed sets how many simulated seconds pass per real second; 0
// freezes the clock (negative: an error).
func (s *Server) SetClockSpeed(x float64) error { return s.Project("").SetClockSpeed(x) }

// Project is the view of one project id: its switches and its requests only,
// so tests sharing a server with a project id each don't disturb each other.
type Project struct {
	s  *Server
	id string
}

// Project returns the view of project id ("" is the whole server).
func (s *Server) Project(id string) *Project { return &Project{s, id} }

// SetScenario makes name answer this project's requests.
func (p *Project) SetScenario(name string) error { return p.s.mock.SetScenario(p.id, name) }

// InjectError makes this project's next count requests fail with the
// documented error for status; count 0: until ClearError or Reset. Given
// operations, only their requests fail.
func (p *Project) InjectError(status, count int, operations ...string) error {
	e, err := wire.Documented(status)
	if err != nil {
		return err
	}
	return p.s.mock.InjectError(p.id, e, count, operations...)
}

// ClearError removes this project's injected error.
func (p *Project) ClearError() { p.s.mock.ClearError(p.id) }

// Now is this project's simulated time.
func (p *Project) Now() time.Time { return p.s.mock.Now(p.id) }

// SetTime sets this project's own clock to t (other projects keep theirs).
func (p *Project) SetTime(t time.Time) { _ = p.s.mock.SetClock(p.id, &t, nil) }

// Advance moves this project's clock forward by d.
func (p *Project) Advance(d time.Duration) error { return p.s.mock.AdvanceClock(p.id, d) }

// SetClockSpeed sets the speed of this project's clock; 0 freezes it.
func (p *Project) SetClockSpeed(x float64) error { return p.s.mock.SetClock(p.id, nil, &x) }

// Reset clears this project's switches, sequences and journal.
func (p *Project) Reset() { p.s.mock.Reset(p.id) }

// Requests returns this project's requests, newest last.
func (p *Project) Requests() []Request { return requests(p.s.mock.Requests(p.id, time.Time{})) }

// inProcess is a RoundTripper that calls the handler directly: no port, no
// goroutine, no network. Transport faults become the errors a socket gives.
type inProcess struct {
	h      http.Handler
	closed atomic.Bool
}

func (t *inProcess) RoundTrip(req *http.Request) (resp *http.Response, err error) {
	if t.closed.Load() {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	r := req.Clone(req.Context())
	r.RequestURI = req.URL.RequestURI()
	if r.Host == "" {
		r.Host = req.URL.Host
	}
	r.RemoteAddr = "127.0.0.1:1"
	if r.Body == nil {
		r.Body = http.NoBody
	}
	rec := &faultRecorder{ResponseRecorder: httptest.NewRecorder()}
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				panic(v)
			}
			resp, err = nil, abortError(req.Context())
		}
	}()
	t.h.ServeHTTP(rec, r)
	switch rec.fault {
	case fixtures.FaultReset:
		return nil, &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	case fixtures.FaultEmpty:
		return nil, fmt.Errorf("in-process workspacemock: server closed the connection with no reply: %w", io.EOF)
	}
	res := rec.Result()
	res.Request = req
	return res, nil
}

func abortError(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return fmt.Errorf("in-process workspacemock: connection dropped: %w", io.EOF)
}

// faultRecorder lets the handler report a connection-level fault in process,
// where there is no connection to reset (a handlers.FaultWriter).
type faultRecorder struct {
	*httptest.ResponseRecorder
	fault fixtures.Fault
}

// WriteFault is called by the handler instead of hijacking a connection.
func (f *faultRecorder) WriteFault(fault fixtures.Fault) { f.fault = fault }

var _ handlers.FaultWriter = (*faultRecorder)(nil)

// Action is one action a project took on its fleet (BatchRunDesktops,
// ExecuteDesktopPoolAction), as GET /_mock/actions lists it.
type Action struct {
	Seq        int
	AcceptedAt time.Time // on the project's simulated clock
	Operation  string    // BatchRunDesktops or ExecuteDesktopPoolAction
	PoolID     string    // the pool of a pool action
	OpType     string    // os-start, os-stop, reboot, os-hibernate (hibernate for a pool)
	Type       string    // SOFT or HARD
	JobID      string
	JobType    string
	JobStatus  string    // at the project's clock: RUNNING, then SUCCESS
	JobEnd     time.Time // when the job succeeded; zero while it runs
	Scenario   string    // the scenario whose desktops it acts on
	Seed       int64
	Desktops   int // desktops it was taken on
	Refused    int // desktops it was refused for (failed_operation_list)
}

// Actions are the actions of the server's projects, oldest first; see
// Project.Actions for one project's.
func (s *Server) Actions() []Action { return s.Project("").Actions() }

// Actions are the project's actions on its fleet, oldest first ("" for
// every project's, by project id then order). Reset forgets them.
func (p *Project) Actions() []Action {
	r := p.s.mock.Actions(p.id)
	ids := make([]string, 0, len(r.Projects))
	for id := range r.Projects {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []Action
	for _, id := range ids {
		for _, a := range r.Projects[id] {
			var end time.Time
			if a.JobEndTime != nil {
				end = *a.JobEndTime
			}
			out = append(out, Action{JobStatus: a.JobStatus, JobEnd: end, Seq: a.Seq, AcceptedAt: a.AcceptedAt, Operation: a.Operation, PoolID: a.Pool, OpType: a.OpType,
				Type: a.Type, JobID: a.JobID, JobType: a.JobType, Scenario: a.Scenario, Seed: a.Seed, Desktops: a.Desktops, Refused: len(a.Failed)})
		}
	}
	return out
}

package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	golog "log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/workspace-mock/mockserver/internal/engine"
	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/handlers"
	"github.com/workspace-mock/mockserver/internal/upstream"
)

// run is the whole program, so tests can start it as it runs in production.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && (args[0] == "validate" || args[0] == "healthcheck" || args[0] == "serve" || args[0] == "timeline") {
		cmd, args = args[0], args[1:]
	}
	if cmd == "timeline" {
		return timeline(ctx, args, getenv, stdout)
	}
	cfg, rest, err := parseConfig(cmd, args, getenv, stdout)
	if err != nil {
		return err
	}
	switch cmd {
	case "validate":
		return validate(cfg, rest, stdout, stderr)
	case "healthcheck":
		return healthcheck(ctx, cfg.addr)
	}
	if len(rest) > 0 {
		return usageError("unexpected argument %q (commands: validate, healthcheck, timeline)", rest[0])
	}
	return serve(ctx, cfg, getenv, stderr)
}

// validate checks the scenario folder and, when given, the credentials file.
func validate(cfg *config, rest []string, stdout, stderr io.Writer) error {
	dir := cfg.scenariosDir
	if len(rest) > 0 {
		dir = rest[0]
	}
	_, set, problems := fixtures.Open(dir)
	lines := make([]string, 0, len(problems)+1)
	for _, p := range problems {
		lines = append(lines, p.String())
	}
	creds, err := cfg.loadCredentials()
	if err != nil {
		lines = append(lines, err.Error())
	}
	for _, l := range lines {
		fmt.Fprintln(stderr, l)
	}
	if len(lines) > 0 {
		return exitError{code: 1, msg: fmt.Sprintf("%d problem(s)", len(lines))}
	}
	fmt.Fprintf(stdout, "ok: %d scenarios", set.Len())
	if cfg.credentials != "" {
		fmt.Fprintf(stdout, ", %d credentials", len(creds))
	}
	fmt.Fprintln(stdout)
	return nil
}

func newLogger(cfg *config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.logLevel}
	if cfg.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func serve(ctx context.Context, cfg *config, getenv func(string) string, stderr io.Writer) error {
	log := newLogger(cfg, stderr)
	folder, set, problems := fixtures.Open(cfg.scenariosDir)
	if len(problems) > 0 {
		return exitError{code: 1, msg: "the scenario files have problems:\n" + problems.Error()}
	}
	mock, err := newMock(cfg, set, log)
	if err != nil {
		return err
	}
	setMemoryLimit(getenv, log)
	listeners, logAttrs, err := listen(cfg)
	if err != nil {
		return err
	}
	// No WriteTimeout: delays and the hang fault must not be cut short.
	srv := &http.Server{
		Handler:           mock,
		ReadHeaderTimeout: cfg.headerTimeout,
		IdleTimeout:       cfg.idleTimeout,
		MaxHeaderBytes:    1 << 20, // Go's own limit; ours (smaller, documented shape) is in the handler
		ErrorLog:          golog.New(&quietTLSErrors{w: slog.NewLogLogger(log.Handler(), slog.LevelWarn).Writer(), every: time.Minute}, "", 0),
	}
	srv.RegisterOnShutdown(mock.Shutdown)

	// Warnings first: the listening line says start-up is over (tests wait on it).
	for _, addr := range []string{cfg.addr, cfg.tlsAddr} {
		if host, _, err := net.SplitHostPort(addr); err == nil && cfg.adminToken == "" && !isLoopback(host) {
			log.Warn("the admin API (/_mock/) is open to the network without a token: anyone who reaches this port can steer the emulator; "+
				openAdminAdvice(inContainer(getenv)), "addr", addr)
		}
	}
	source := "embedded"
	if cfg.scenariosDir != "" {
		source = cfg.scenariosDir
	}
	if cfg.upstream != "" {
		logAttrs = append(logAttrs, "upstream", upstream.Redacted(cfg.upstream), "record", cfg.record)
	}
	if !cfg.clockStart.IsZero() || cfg.clockSpeed != 1 {
		logAttrs = append(logAttrs, "clock", mock.Now("").Format(time.RFC3339), "clock_speed", cfg.clockSpeed)
	}
	log.Info("mockserver listening", append(logAttrs, "scenario", mock.Startup(), "seed", cfg.seed,
		"scenarios", set.Len(), "source", source, "auth", cfg.auth)...)
	if cfg.scenariosDir != "" && cfg.watch {
		go folder.Watch(ctx, cfg.watchInterval, func(set *fixtures.Set, problems fixtures.Problems) {
			for _, p := range problems {
				log.Error("scenario file rejected; its last good version keeps serving", "problem", p.String())
			}
			mock.SetScenarios(set)
			setMemoryLimit(getenv, log)
			log.Info("scenarios reloaded", "scenarios", set.Len(), "problems", len(problems))
		})
	}
	return serveUntilStopped(ctx, srv, listeners, mock, cfg.shutdownTimeout, log)
}

// newMock builds the emulator from the settings.
func newMock(cfg *config, set *fixtures.Set, log *slog.Logger) (*handlers.Mock, error) {
	verifier, err := cfg.verifier()
	if err != nil {
		return nil, exitError{code: 2, msg: err.Error()}
	}
	up, recorder, err := cfg.upstreamAndRecorder()
	if err != nil {
		return nil, exitError{code: 2, msg: err.Error()}
	}
	mock, err := handlers.New(handlers.Options{Upstream: up, Recorder: recorder,
		Scenarios: set, Scenario: cfg.scenario, Seed: cfg.seed, Error: cfg.startErr, Delay: cfg.delay,
		MaxHeaderBytes: cfg.maxHeaderBytes, Logger: log, Verifier: verifier, RegionProjects: cfg.iamProjects,
		JournalSize: cfg.journalSize, AdminToken: cfg.adminToken, AllowedHosts: cfg.allowedHosts, BodyTimeout: cfg.headerTimeout,
		ClockStart: cfg.clockStart, ClockSpeed: &cfg.clockSpeed,
	})
	var bad engine.ScenarioError
	switch {
	case errors.As(err, &bad):
		return nil, exitError{code: 2, msg: "--scenario: " + bad.Unwrap().Error()}
	case err != nil:
		return nil, exitError{code: 2, msg: err.Error()}
	}
	return mock, nil
}

// listen opens --addr and, if given, --tls-addr; it returns what the
// start-up line says of them.
func listen(cfg *config) ([]net.Listener, []any, error) {
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, nil, exitError{code: 1, msg: fmt.Sprintf("--addr %s: %v", cfg.addr, err)}
	}
	listeners := []net.Listener{ln}
	logAttrs := []any{"addr", ln.Addr().String()}
	if cfg.tlsAddr == "" {
		return listeners, logAttrs, nil
	}
	tc, about, err := tlsConfig(cfg.tlsCert, cfg.tlsKey)
	if err != nil {
		ln.Close()
		return nil, nil, exitError{code: 2, msg: err.Error()}
	}
	tln, err := net.Listen("tcp", cfg.tlsAddr)
	if err != nil {
		ln.Close()
		return nil, nil, exitError{code: 1, msg: fmt.Sprintf("--tls-addr %s: %v", cfg.tlsAddr, err)}
	}
	return append(listeners, tls.NewListener(tln, tc)), append(logAttrs, "tls_addr", tln.Addr().String(), "tls_cert", about), nil
}

// serveUntilStopped serves until ctx ends, then shuts down gracefully: the
// requests in flight may finish within grace; after it, those still waiting
// are ended (their connections dropped). Either way a clean stop.
func serveUntilStopped(ctx context.Context, srv *http.Server, listeners []net.Listener, mock *handlers.Mock, grace time.Duration, log *slog.Logger) error {
	served := make(chan error, len(listeners))
	for _, l := range listeners {
		go func() { served <- srv.Serve(l) }()
	}
	select {
	case err := <-served:
		_ = srv.Close()
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", grace.String())
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("grace period over: ending the requests still waiting", "waiting", mock.Waiting())
		mock.Close()
		_ = srv.Close()
	}
	for range listeners {
		if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	log.Info("stopped")
	return nil
}

// quietTLSErrors passes net/http's own log lines on, except that the line a
// failed TLS handshake writes (any client that isn't speaking TLS, or
// probing) is passed once per period, with a count of those held back.
type quietTLSErrors struct {
	w     io.Writer
	every time.Duration
	now   func() time.Time // nil: time.Now

	mu   sync.Mutex
	last time.Time
	held int
}

func (q *quietTLSErrors) Write(p []byte) (int, error) {
	if !bytes.Contains(p, []byte("TLS handshake error")) {
		return q.w.Write(p)
	}
	now := time.Now()
	if q.now != nil {
		now = q.now()
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.last.IsZero() && now.Sub(q.last) < q.every {
		q.held++
		return len(p), nil
	}
	q.last = now
	if q.held > 0 {
		p = append(bytes.TrimRight(p, "\n"), fmt.Sprintf(" (and %d more TLS handshake errors since the last one logged)\n", q.held)...)
		q.held = 0
	}
	_, err := q.w.Write(p)
	return len(p), err
}

// openAdminAdvice fits where the emulator runs: in a container, listening on
// 127.0.0.1 would make it unreachable, so only a token helps.
func openAdminAdvice(container bool) string {
	if container {
		return "set --admin-token (MOCK_ADMIN_TOKEN) and give it to your tests; keep the published port on the host's loopback (-p 127.0.0.1:8080:8080)"
	}
	return "set --admin-token, or listen on loopback only (--addr 127.0.0.1:8080) if only this machine calls it"
}

// inContainer reports signs of a container: Docker's marker file, Podman's,
// the variable systemd and Podman set, Kubernetes' service variables.
func inContainer(getenv func(string) string) bool {
	if getenv("container") != "" || getenv("KUBERNETES_SERVICE_HOST") != "" {
		return true
	}
	for _, f := range []string{"/.dockerenv", "/run/.containerenv"} {
		if _, err := os.Stat(f); err == nil {
			return true
		}
	}
	return false
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// healthcheck asks the server at addr for /healthz; for a Docker HEALTHCHECK
// in an image without a shell.
func healthcheck(ctx context.Context, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return exitError{code: 2, msg: fmt.Sprintf("--addr %q: %v", addr, err)}
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return exitError{code: 1, msg: "unhealthy: " + err.Error()}
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return exitError{code: 1, msg: "unhealthy: /healthz answered " + resp.Status}
	}
	return nil
}

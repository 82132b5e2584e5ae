package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/handlers"
	"github.com/workspace-mock/mockserver/scenarios"
)

// run is the whole program, so tests can start it as it runs in production.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && (args[0] == "validate" || args[0] == "healthcheck" || args[0] == "serve") {
		cmd, args = args[0], args[1:]
	}
	cfg, rest, err := parseConfig("mockserver "+cmd, args, getenv, stderr)
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
		return exitError{code: 2, msg: fmt.Sprintf("unexpected argument %q (commands: validate, healthcheck)", rest[0])}
	}
	return serve(ctx, cfg, stderr)
}

// openScenarios reads dir, or the embedded set when dir is "".
func openScenarios(dir string) (*fixtures.Folder, *fixtures.Set, fixtures.Problems) {
	if dir == "" {
		return fixtures.OpenFolder(scenarios.FS, "embedded")
	}
	return fixtures.OpenFolder(os.DirFS(dir), dir)
}

func validate(cfg *config, rest []string, stdout, stderr io.Writer) error {
	dir := cfg.scenariosDir
	if len(rest) > 0 {
		dir = rest[0]
	}
	_, set, problems := openScenarios(dir)
	for _, p := range problems {
		fmt.Fprintln(stderr, p)
	}
	if len(problems) > 0 {
		return exitError{code: 1, msg: fmt.Sprintf("%d problem(s) in the scenario files", len(problems))}
	}
	fmt.Fprintf(stdout, "ok: %d scenarios\n", set.Len())
	return nil
}

func newLogger(cfg *config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.logLevel}
	if cfg.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func serve(ctx context.Context, cfg *config, stderr io.Writer) error {
	log := newLogger(cfg, stderr)
	folder, set, problems := openScenarios(cfg.scenariosDir)
	if len(problems) > 0 {
		return exitError{code: 1, msg: "the scenario files have problems:\n" + problems.Error()}
	}
	verifier, err := cfg.verifier()
	if err != nil {
		return exitError{code: 2, msg: err.Error()}
	}
	regions, _ := cfg.regionProjects() // checked with the flags
	journal := cfg.journalSize
	if journal == 0 {
		journal = -1 // the flag's 0 is "off"; the option's 0 is "default"
	}
	mock, err := handlers.New(handlers.Options{
		Scenarios: set, Scenario: cfg.scenario, Seed: cfg.seed, Error: cfg.errStatus, Delay: cfg.delay,
		MaxHeaderBytes: cfg.maxHeaderBytes, Logger: log, Verifier: verifier, RegionProjects: regions,
		JournalSize: journal, AdminToken: cfg.adminToken,
	})
	if err != nil {
		return exitError{code: 2, msg: err.Error()}
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return exitError{code: 1, msg: fmt.Sprintf("--addr %s: %v", cfg.addr, err)}
	}
	listeners := []net.Listener{ln}
	logAttrs := []any{"addr", ln.Addr().String()}
	if cfg.tlsAddr != "" {
		tc, about, err := tlsConfig(cfg.tlsCert, cfg.tlsKey)
		if err != nil {
			ln.Close()
			return exitError{code: 2, msg: err.Error()}
		}
		tln, err := net.Listen("tcp", cfg.tlsAddr)
		if err != nil {
			ln.Close()
			return exitError{code: 1, msg: fmt.Sprintf("--tls-addr %s: %v", cfg.tlsAddr, err)}
		}
		listeners = append(listeners, tls.NewListener(tln, tc))
		logAttrs = append(logAttrs, "tls_addr", tln.Addr().String(), "tls_cert", about)
	}
	// Slow or idle clients are cut off by the guard (see handlers.ConnGuard),
	// not by ReadHeaderTimeout/IdleTimeout, which cost two timer updates per
	// request. No WriteTimeout: delays and the hang fault must not be cut short.
	guard := &handlers.ConnGuard{Headers: cfg.headerTimeout, Idle: cfg.idleTimeout}
	srv := &http.Server{
		Handler:        mock,
		ConnState:      guard.ConnState,
		MaxHeaderBytes: 1 << 20, // Go's own limit; ours (smaller, documented shape) is in the handler
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go guard.Sweep(ctx, guardInterval(cfg.headerTimeout, cfg.idleTimeout))
	srv.RegisterOnShutdown(mock.Shutdown)
	srv.RegisterOnShutdown(guard.CloseUnused)
	source := "embedded"
	if cfg.scenariosDir != "" {
		source = cfg.scenariosDir
	}
	// Warnings first: the listening line says start-up is over (tests wait on it).
	for _, addr := range []string{cfg.addr, cfg.tlsAddr} {
		if host, _, err := net.SplitHostPort(addr); err == nil && cfg.adminToken == "" && !isLoopback(host) {
			log.Warn("the admin API (/_mock/) is open to the network without a token: anyone who reaches this port can steer the emulator; set --admin-token or listen on 127.0.0.1",
				"addr", addr)
		}
	}
	log.Info("mockserver listening", append(logAttrs, "scenario", cfg.scenario, "seed", cfg.seed,
		"scenarios", set.Len(), "source", source, "auth", cfg.auth)...)
	if cfg.scenariosDir != "" && cfg.watch {
		go folder.Watch(ctx, cfg.watchInterval, func(set *fixtures.Set, problems fixtures.Problems) {
			for _, p := range problems {
				log.Error("scenario file rejected; its last good version keeps serving", "problem", p.String())
			}
			mock.SetScenarios(set)
			log.Info("scenarios reloaded", "scenarios", set.Len(), "problems", len(problems))
		})
	}

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
	log.Info("shutting down", "grace", cfg.shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	for range listeners {
		if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	log.Info("stopped")
	return nil
}

// guardInterval sweeps often enough that a deadline is overrun by a fifth at most.
func guardInterval(ds ...time.Duration) time.Duration {
	iv := time.Second
	for _, d := range ds {
		if d > 0 && d/10 < iv {
			iv = max(d/10, 10*time.Millisecond)
		}
	}
	return iv
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

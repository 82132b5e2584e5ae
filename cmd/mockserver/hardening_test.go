package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// startRunLogs is startRun keeping every log line.
func startRunLogs(t *testing.T, args []string, environ map[string]string) (string, context.CancelFunc, <-chan error, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	ready := make(chan string, 1)
	logs.onLine = func(line string) {
		var l struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "mockserver listening" {
			ready <- l.Addr
		}
	}
	go func() {
		done <- run(ctx, append([]string{"--addr", "127.0.0.1:0", "--log-format", "json"}, args...), env(environ), logs, logs)
	}()
	select {
	case a := <-ready:
		t.Cleanup(cancel)
		return "http://" + strings.Replace(a, "[::]", "127.0.0.1", 1), cancel, done, logs
	case err := <-done:
		t.Fatalf("server did not start: %v\n%s", err, logs.String())
	}
	return "", nil, nil, nil
}

type syncBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	onLine func(string)
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if b.onLine != nil {
		for _, line := range strings.Split(strings.TrimSpace(string(p)), "\n") {
			b.onLine(line)
		}
	}
	return len(p), nil
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func call(t *testing.T, method, url, body string, hdr map[string]string) (int, string) {
	t.Helper()
	code, _, b := exchange(t, method, url, body, hdr)
	return code, b
}

// exchange is call with the response headers.
func exchange(t *testing.T, method, url, body string, hdr map[string]string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// TestLoadWhileSwitchesFlipAndFilesChange: 64 connections; admin switches
// flip and a scenario file is rewritten meanwhile. Every answer must be one
// of the expected ones; the journal stays at its bound; no goroutine is
// left; memory stays flat. MOCK_LOAD_REQUESTS sets the count (.ci/run: 200000).
func TestLoadWhileSwitchesFlipAndFilesChange(t *testing.T) {
	total := 20000
	if n, err := strconv.Atoi(os.Getenv("MOCK_LOAD_REQUESTS")); err == nil {
		total = n
	}
	dir := t.TempDir()
	file := func(name, group string) string {
		return fmt.Sprintf("name: %s\nstatics:\n  - static_name: %s\n    running_num: 1\n", name, group)
	}
	os.WriteFile(filepath.Join(dir, "default.yaml"), []byte(file("default", "v1")), 0o644)
	os.WriteFile(filepath.Join(dir, "other.yaml"), []byte(file("other", "o")), 0o644)
	url, _, _, _ := startRunLogs(t, []string{"--scenarios", dir, "--watch-interval", "20ms", "--journal-size", "500"}, nil)
	api := url + "/v2/p1/connections/status"
	expected := func(code int, body string) bool {
		switch code {
		case 200:
			for _, g := range []string{"v1", "v2", "o"} {
				if body == `{"statics":[{"static_name":"`+g+`","running_num":1,"stop_num":0,"hibernate_num":0,"other_num":0,"attached_num":0,"unattached_num":0,"cannot_attach_num":0,"in_process_num":0,"in_use_num":0,"unregistered_num":0,"ready_num":0,"disconnected_num":0,"unknown_num":0}]}` {
					return true
				}
			}
		case 500:
			return strings.HasPrefix(body, `{"error_code":"WKS.00000003"`)
		}
		return false
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	get := func() (int, string, error) {
		resp, err := client.Get(api)
		if err != nil {
			return 0, "", err
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b), err
	}
	for i := 0; i < 200; i++ { // warm up: connections, caches, heap
		get()
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	baseline := runtime.NumGoroutine()

	var left atomic.Int64
	left.Store(int64(total))
	stop := make(chan struct{})
	var flips sync.WaitGroup
	flips.Add(1)
	go func() { // the switches flip and the file changes while the load runs
		defer flips.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			switch i % 4 {
			case 0:
				call(t, "PUT", url+"/_mock/scenario", `{"name":"other"}`, nil)
			case 1:
				call(t, "PUT", url+"/_mock/error", `{"status":500,"count":3}`, nil)
			case 2:
				call(t, "POST", url+"/_mock/reset", "", nil)
			case 3:
				os.WriteFile(filepath.Join(dir, "default.yaml"), []byte(file("default", []string{"v1", "v2"}[i/4%2])), 0o644)
			}
		}
	}()
	var clients sync.WaitGroup
	var bad atomic.Int64
	for c := 0; c < 64; c++ {
		clients.Add(1)
		go func() {
			defer clients.Done()
			for left.Add(-1) >= 0 {
				code, body, err := get()
				if err != nil || !expected(code, body) {
					if bad.Add(1) <= 3 {
						t.Errorf("unexpected answer: %d %q %v", code, body, err)
					}
				}
			}
		}()
	}
	clients.Wait()
	close(stop)
	flips.Wait()
	if n := bad.Load(); n > 0 {
		t.Fatalf("%d of %d answers unexpected", n, total)
	}

	for i := 0; i < 600; i++ { // the flipper's resets emptied the journal: fill it past its bound
		get()
	}
	_, body := call(t, "GET", url+"/_mock/requests", "", nil)
	var j struct{ Requests []json.RawMessage }
	json.Unmarshal([]byte(body), &j)
	if len(j.Requests) != 500 {
		t.Errorf("journal holds %d entries, bound 500", len(j.Requests))
	}
	client.CloseIdleConnections()
	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > baseline && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	if n := runtime.NumGoroutine(); n > baseline {
		t.Errorf("%d goroutines after the load, %d before", n, baseline)
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > 8<<20 {
		t.Errorf("heap in use grew by %d MB over %d requests", grew>>20, total)
	}
	t.Logf("%d requests; heap in use %d -> %d KB; goroutines %d -> %d", total, before.HeapInuse>>10, after.HeapInuse>>10, baseline, runtime.NumGoroutine())
}

// TestShutdownUnderLoad: on SIGTERM (the context run gets) requests in flight
// finish, new ones are refused, and run returns nil within the grace period.
func TestShutdownUnderLoad(t *testing.T) {
	url, stop, done, _ := startRunLogs(t, []string{"--delay", "300ms", "--shutdown-timeout", "20s"}, nil)
	api := url + "/v2/p1/connections/status"
	var wg sync.WaitGroup
	var completed, refused, other atomic.Int64
	stopped := make(chan struct{})
	for c := 0; c < 16; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			for {
				resp, err := client.Get(api)
				switch {
				case err == nil:
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode == 200 && strings.HasSuffix(string(b), "]}") {
						completed.Add(1)
					} else {
						other.Add(1)
					}
				case errors.Is(err, syscall.ECONNREFUSED):
					refused.Add(1)
					return
				default:
					select {
					case <-stopped: // the listener closed between connect and request
						refused.Add(1)
						return
					default:
						other.Add(1)
						t.Errorf("during shutdown: %v", err)
						return
					}
				}
			}
		}()
	}
	waitWaiting(t, url, 16)
	t0 := time.Now()
	stop()
	close(stopped)
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	took := time.Since(t0)
	wg.Wait()
	if completed.Load() < 16 || refused.Load() != 16 || other.Load() != 0 {
		t.Fatalf("completed %d, refused %d, other %d", completed.Load(), refused.Load(), other.Load())
	}
	t.Logf("stopped after %v with %d requests completed", took, completed.Load())
}

// TestSecretsNeverAppear sends a secret key's signature, a security token
// and admin tokens, then searches every output: logs (at debug), the journal,
// error bodies.
func TestSecretsNeverAppear(t *testing.T) {
	const sk, token, admin = "SK-very-secret-123", "SECURITY-TOKEN-456", "ADMIN-TOKEN-789"
	url, _, _, logs := startRunLogs(t, []string{"--auth", "aksk", "--ak", "AK1", "--sk", sk, "--admin-token", admin, "--log-level", "debug"}, nil)
	var outputs []string
	for _, h := range []map[string]string{
		{"Authorization": "SDK-HMAC-SHA256 Access=AK1, SignedHeaders=x-sdk-date, Signature=" + sk, "X-Sdk-Date": time.Now().UTC().Format("20060102T150405Z"), "X-Security-Token": token},
		{"Authorization": "SDK-HMAC-SHA256 Access=" + sk + ", SignedHeaders=x-sdk-date, Signature=00", "X-Sdk-Date": "x"},
		{"X-Auth-Token": token},
	} {
		_, body := call(t, "GET", url+"/v2/p1/connections/status", "", h)
		outputs = append(outputs, body)
	}
	_, body := call(t, "GET", url+"/_mock/requests", "", map[string]string{"Authorization": "Bearer wrong-" + admin})
	outputs = append(outputs, body)
	_, body = call(t, "GET", url+"/_mock/requests", "", map[string]string{"Authorization": "Bearer " + admin})
	outputs = append(outputs, body, logs.String())
	if !strings.Contains(body, `"security_token":true`) {
		t.Fatalf("journal: %s", body)
	}
	for _, out := range outputs {
		for _, secret := range []string{sk, token, admin} {
			if strings.Contains(out, secret) {
				t.Fatalf("%q appears in an output:\n%s", secret, out)
			}
		}
	}
}

func TestOpenAdminOnTheNetworkWarns(t *testing.T) {
	_, _, _, logs := startRunLogs(t, []string{"--addr", ":0"}, nil)
	if !strings.Contains(logs.String(), "admin API (/_mock/) is open to the network without a token") {
		t.Fatalf("no warning:\n%s", logs.String())
	}
	_, _, _, logs = startRunLogs(t, nil, nil)
	if strings.Contains(logs.String(), "without a token") {
		t.Fatal("warned on loopback")
	}
}

func TestBrokenScenarioFilesStopStartUp(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "default.yaml"), []byte("name: default\nstatics: []\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("name: bad\ndelay: soon\nerror: {status: 503}\n"), 0o644)
	err := run(context.Background(), []string{"--scenarios", dir}, env(nil), io.Discard, io.Discard)
	var ex exitError
	if !errors.As(err, &ex) || ex.code == 0 ||
		!strings.Contains(ex.msg, filepath.Join(dir, "bad.yaml")+":2: delay") || !strings.Contains(ex.msg, filepath.Join(dir, "bad.yaml")+":3: status 503") {
		t.Fatalf("%v", err)
	}
}

// When the grace period runs out, the requests still waiting are ended and
// the program stops cleanly: run returns nil (exit 0), as the README says.
func TestShutdownPastTheGracePeriodIsStillClean(t *testing.T) {
	url, stop, done, logs := startRunLogs(t, []string{"--delay", "10m", "--shutdown-timeout", "100ms"}, nil)
	got := make(chan error, 1)
	go func() {
		resp, err := http.Get(url + "/v2/p1/connections/status")
		if err == nil {
			resp.Body.Close()
		}
		got <- err
	}()
	waitWaiting(t, url, 1)
	stop()
	if err := <-done; err != nil {
		t.Fatalf("run after the grace period: %v, want nil (exit 0)\n%s", err, logs.String())
	}
	if err := <-got; err == nil {
		t.Error("the request ended at the grace period got an answer; want its connection dropped")
	}
	if !strings.Contains(logs.String(), "grace period over") {
		t.Errorf("no log line says the grace period ended:\n%s", logs.String())
	}
}

func TestTLSHandshakeErrorsAreLoggedOncePerPeriod(t *testing.T) {
	var out bytes.Buffer
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	q := &quietTLSErrors{w: &out, every: time.Minute, now: func() time.Time { return now }}
	for i := 0; i < 100; i++ {
		fmt.Fprintf(q, "http: TLS handshake error from 127.0.0.1:%d: EOF\n", 40000+i)
	}
	fmt.Fprintln(q, "http: some other complaint")
	now = now.Add(time.Minute)
	fmt.Fprintln(q, "http: TLS handshake error from 127.0.0.1:1: EOF")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[2], "and 99 more TLS handshake errors") || lines[1] != "http: some other complaint" {
		t.Fatalf("%d lines:\n%s", len(lines), out.String())
	}
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// env builds a getenv from a map, so tests never read the real environment.
func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// startRun starts the real program through run on a free port and returns its
// base URL, a stop function and the channel run's result arrives on.
func startRun(t *testing.T, args []string, environ map[string]string) (string, context.CancelFunc, <-chan error) {
	t.Helper()
	url, stop, done, _ := startRunLogs(t, args, environ)
	return url, stop, done
}

func TestRunServesAndStopsGracefully(t *testing.T) {
	url, stop, done := startRun(t, nil, nil)
	resp, err := http.Get(url + "/v2/0bec5db98280d2d02fd6c00c2de791ce/connections/status")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(string(body), `{"statics":[{"static_name":`) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if err := run(context.Background(), []string{"healthcheck", "--addr", strings.TrimPrefix(url, "http://")}, env(nil), io.Discard, io.Discard); err != nil {
		t.Errorf("healthcheck of a running server: %v", err)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("run after stop: %v", err)
	}
}

func TestInFlightDelayedRequestFinishesOnShutdown(t *testing.T) {
	url, stop, done := startRun(t, []string{"--delay", "500ms", "--shutdown-timeout", "30s"}, nil)
	got := make(chan int, 1)
	go func() {
		resp, err := http.Get(url + "/v2/p1/connections/status")
		if err != nil {
			got <- -1
			return
		}
		resp.Body.Close()
		got <- resp.StatusCode
	}()
	waitWaiting(t, url, 1)
	stop()
	if code := <-got; code != 200 {
		t.Fatalf("in-flight request got %d", code)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// waitWaiting polls /healthz until n API requests wait on a delay.
func waitWaiting(t *testing.T, url string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		var h struct {
			Waiting int `json:"waiting"`
		}
		json.NewDecoder(resp.Body).Decode(&h)
		resp.Body.Close()
		if h.Waiting == n {
			return
		}
	}
	t.Fatalf("never saw %d requests waiting", n)
}

func TestAuthAKSKFromTheEnvironment(t *testing.T) {
	url, _, _ := startRun(t, nil, map[string]string{"MOCK_AUTH": "aksk", "MOCK_AK": "AK1", "MOCK_SK": "very-secret-sk"})
	resp, err := http.Get(url + "/v2/p1/connections/status")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.Contains(string(body), `"error_code":"APIGW.0301"`) {
		t.Fatalf("unsigned request under --auth aksk: %d %s", resp.StatusCode, body)
	}
}

func TestHealthcheckFailsWithNoServer(t *testing.T) {
	err := run(context.Background(), []string{"healthcheck", "--addr", "127.0.0.1:1"}, env(nil), io.Discard, io.Discard)
	var ex exitError
	if !errors.As(err, &ex) || ex.code != 1 {
		t.Fatalf("healthcheck with nothing listening: %v", err)
	}
}

func TestConfigFlagsAndEnvironment(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want func(*config) bool
	}{
		{"defaults", nil, nil, func(c *config) bool {
			return c.addr == ":8080" && c.scenario == "" && c.seed == 0 && c.startErr == nil && c.delay == nil && c.logFormat == "text" && c.journalSize == 1000
		}},
		{"env twin", nil, map[string]string{"MOCK_ADDR": ":9", "MOCK_SEED": "7", "MOCK_LOG_FORMAT": "json", "MOCK_DELAY": "1s..2s"},
			func(c *config) bool {
				return c.addr == ":9" && c.seed == 7 && c.logFormat == "json" && c.delay.String() == "1s..2s"
			}},
		{"flag beats env", []string{"--seed", "3", "--error", "403"}, map[string]string{"MOCK_SEED": "7", "MOCK_ERROR": "500"},
			func(c *config) bool {
				return c.seed == 3 && c.startErr.Status == 403 && c.startErr.Code == "APIGW.0302"
			}},
		{"iam projects", []string{"--iam-projects", "cn-north-4=abc,ap-southeast-1=def"}, nil,
			func(c *config) bool {
				return c.iamProjects["cn-north-4"] == "abc" && c.iamProjects["ap-southeast-1"] == "def"
			}},
		{"log level", []string{"--log-level", "debug"}, nil, func(c *config) bool { return c.logLevel.String() == "DEBUG" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, _, err := parseConfig("serve", c.args, env(c.env), io.Discard)
			if err != nil || !c.want(cfg) {
				t.Fatalf("%+v, %v", cfg, err)
			}
		})
	}
}

func TestBadStartUpValuesStopWithAMessage(t *testing.T) {
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--error", "503"}, nil, `"503" for --error: status 503 is not a documented error status`},
		{nil, map[string]string{"MOCK_ERROR": "418"}, `MOCK_ERROR="418" (the twin of --error): status 418 is not a documented`},
		{nil, map[string]string{"MOCK_SEED": "x"}, `MOCK_SEED="x" (the twin of --seed): "x" is not an integer`},
		{nil, map[string]string{"MOCK_WATCH_INTERVAL": "5"}, `MOCK_WATCH_INTERVAL="5" (the twin of --watch-interval): "5" is not a duration`},
		{[]string{"--seed", "1.5"}, nil, `"1.5" for --seed: "1.5" is not an integer`},
		{[]string{"--addr"}, nil, "a value is missing after --addr"},
		{[]string{"--journal-size", "100000000"}, nil, "--journal-size 100000000: at most 100000"},
		{nil, map[string]string{"MOCK_DELAY": "later"}, `MOCK_DELAY="later" (the twin of --delay): "later" is not a duration`},
		{nil, map[string]string{"MOCK_LOG_FORMAT": "xml"}, `"xml" is not one of text, json`},
		{[]string{"--scenario", "nope"}, nil, `unknown scenario "nope"`},
		{[]string{"--scenarios", "/does/not/exist"}, nil, "cannot read the scenario folder"},
		{[]string{"--addr", "127.0.0.1:bad"}, nil, "--addr 127.0.0.1:bad"},
		{[]string{"stray"}, nil, `unexpected argument "stray"`},
		{[]string{"--delay", "soon"}, nil, ""},
		{[]string{"--auth", "aksk"}, nil, "--auth aksk needs --ak and --sk, or --credentials FILE"},
		{[]string{"--ak", "A", "--sk", "S"}, nil, "take effect only with --auth aksk"},
		{[]string{"--auth", "aksk", "--ak", "A"}, nil, "--ak and --sk go together"},
		{[]string{"--auth", "basic"}, nil, ""},
		{[]string{"--auth", "aksk", "--credentials", "/does/not/exist"}, nil, "--credentials: open /does/not/exist"},
		{[]string{"--iam-projects", "cn-north-4"}, nil, "write region=project_id pairs"},
		{[]string{"--iam-projects", "cn-north-4=a b"}, nil, `project id "a b" for cn-north-4`},
	}
	for _, c := range cases {
		err := run(context.Background(), c.args, env(c.env), io.Discard, io.Discard)
		var ex exitError
		if !errors.As(err, &ex) || ex.code == 0 || !strings.Contains(ex.msg, c.want) {
			t.Errorf("%v %v: got %v, want exit != 0 with %q", c.args, c.env, err, c.want)
		}
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "good.yaml"), []byte("name: good\nstatics: []\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("name: bad\nerror:\n  status: 503\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "worse.yaml"), []byte("name: worse\nfailure_rate: 2\nstatics: []\n"), 0o644)
	var out strings.Builder
	err := run(context.Background(), []string{"validate", dir}, env(nil), io.Discard, &out)
	if err == nil {
		t.Fatal("validate passed broken files")
	}
	for _, want := range []string{filepath.Join(dir, "bad.yaml") + ":3: status 503", filepath.Join(dir, "worse.yaml") + ":2: failure_rate"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("validate output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := run(context.Background(), []string{"validate"}, env(nil), &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "ok: ") {
		t.Errorf("validate of the embedded set: %v %s", err, out.String())
	}
	if err := run(context.Background(), []string{"validate", "../../scenarios"}, env(nil), io.Discard, io.Discard); err != nil {
		t.Errorf("validate of the repo's scenarios/: %v", err)
	}
}

func TestHelpListsEveryFlagWithItsEnvTwin(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), []string{"--help"}, env(nil), &out, io.Discard); err != nil {
		var ex exitError
		if !errors.As(err, &ex) || ex.code != 0 {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"addr", "scenarios", "scenario", "seed", "error", "delay", "log-level", "log-format"} {
		if newFlagSet("x", &config{}).Lookup(name) == nil {
			t.Errorf("flag --%s is not defined", name)
		}
	}
	newFlagSet("x", &config{}).VisitAll(func(f *flag.Flag) {
		if !strings.Contains(out.String(), "--"+f.Name) || !strings.Contains(out.String(), envName(f.Name)) {
			t.Errorf("--help lacks --%s or %s", f.Name, envName(f.Name))
		}
	})
}

func TestHotReloadChangesAnswersAndABrokenEditChangesNothing(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "default.yaml")
	os.WriteFile(file, []byte("name: default\nstatics:\n  - static_name: before\n"), 0o644)
	url, _, _ := startRun(t, []string{"--scenarios", dir, "--watch-interval", "20ms"}, nil)
	api := url + "/v2/p1/connections/status"
	body := func() string {
		resp, err := http.Get(api)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	// waitFor polls until the answer contains want: reload is asynchronous
	waitFor := func(want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if strings.Contains(body(), want) {
				return
			}
		}
		t.Fatalf("answer never contained %q: %s", want, body())
	}
	waitFor(`"before"`)
	os.WriteFile(file, []byte("name: default\nstatics:\n  - static_name: after\n"), 0o644)
	waitFor(`"after"`)
	os.WriteFile(file, []byte("name: default\nstatics: [\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "marker.yaml"), []byte("name: marker\nstatics: []\n"), 0o644)
	// once the marker is served the broken edit has been read too
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, _ := http.Get(url + "/healthz")
		var h struct{ Scenarios int }
		json.NewDecoder(resp.Body).Decode(&h)
		resp.Body.Close()
		if h.Scenarios == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("marker never loaded")
		}
	}
	if got := body(); !strings.Contains(got, `"after"`) {
		t.Fatalf("a broken edit changed the answer: %s", got)
	}
}

// closedAfter sends send on a new connection to addr and returns what the
// server answered before it closed the connection; failing if it doesn't
// within 10 s, far beyond the limits the tests set.
func closedAfter(t *testing.T, addr, send string) []byte {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte(send))
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("the server did not close the connection: %v", err)
	}
	return got
}

func TestSlowAndIdleClientsAreCutOff(t *testing.T) {
	url, _, _ := startRun(t, []string{"--header-timeout", "200ms", "--idle-timeout", "300ms"}, nil)
	addr := strings.TrimPrefix(url, "http://")
	for name, send := range map[string]string{
		"never finishes its headers": "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ",
		"sends nothing":              "",
		"idle after an answer":       "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			got := closedAfter(t, addr, send)
			if send == "" || strings.HasSuffix(send, ": ") {
				if len(got) != 0 {
					t.Fatalf("answered a request that never ended: %q", got)
				}
			} else if !strings.HasPrefix(string(got), "HTTP/1.1 200") {
				t.Fatalf("got %q", got)
			}
		})
	}
	// a long delay is not cut short by the header deadline
	resp, err := http.Get(url + "/v2/p1/connections/status?x=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req, _ := http.NewRequest("GET", url+"/v2/p1/connections/status", nil)
	req.Header.Set("X-Mock-Delay", "700ms")
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("a 700ms delay under a 200ms header deadline: %v", err)
	}
	resp.Body.Close()
}

package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

const project = "0bec5db98280d2d02fd6c00c2de791ce"
const apiPath = "/v2/" + project + "/connections/status"

func newMock(t testing.TB, o Options) *Mock {
	t.Helper()
	if o.Scenarios == nil {
		_, set, problems := fixtures.Open("")
		if len(problems) > 0 {
			t.Fatal(problems)
		}
		o.Scenarios = set
	}
	m, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func do(m http.Handler, method, path string, hdr map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, req)
	return rec
}

var requestIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

type errorBody struct {
	Code      *string `json:"error_code"`
	Msg       *string `json:"error_msg"`
	Detail    *string `json:"error_detail"`
	Encoded   *string `json:"encoded_authorization_message"`
	RequestID string  `json:"request_id"`
}

// checkCommon asserts what every response carries.
func checkCommon(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if got := rec.Header().Get("Content-Type"); got != "application/json;charset=UTF-8" {
		t.Errorf("Content-Type = %q", got)
	}
	if id := rec.Header().Get("X-Request-Id"); !requestIDPattern.MatchString(id) {
		t.Errorf("X-Request-Id = %q, want 32 lowercase hex", id)
	}
}

// checkError asserts the documented error body, all four fields strings.
func checkError(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) errorBody {
	t.Helper()
	checkCommon(t, rec)
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	var b errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, rec.Body)
	}
	if b.Code == nil || b.Msg == nil || b.Detail == nil || b.Encoded == nil {
		t.Fatalf("error body lacks a documented field: %s", rec.Body)
	}
	if *b.Code != code || *b.Msg == "" {
		t.Errorf("error_code %q (want %q), error_msg %q", *b.Code, code, *b.Msg)
	}
	if strings.HasPrefix(code, "APIGW.") && b.RequestID != rec.Header().Get("X-Request-Id") {
		t.Errorf("gateway error request_id %q differs from X-Request-Id %q", b.RequestID, rec.Header().Get("X-Request-Id"))
	}
	return b
}

func groups(t *testing.T, rec *httptest.ResponseRecorder) []fixtures.Group {
	t.Helper()
	checkCommon(t, rec)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var b struct {
		Statics []fixtures.Group `json:"statics"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil || b.Statics == nil {
		t.Fatalf("body %s: %v", rec.Body, err)
	}
	return b.Statics
}

func TestDefaultAnswersRealisticStableData(t *testing.T) {
	m := newMock(t, Options{Seed: 1})
	a, b := do(m, "GET", apiPath, nil), do(m, "GET", apiPath, nil)
	if len(groups(t, a)) < 2 {
		t.Fatalf("default has %d groups", len(groups(t, a)))
	}
	if a.Body.String() != b.Body.String() {
		t.Error("two requests, two different bodies")
	}
	if a.Header().Get("X-Request-Id") == b.Header().Get("X-Request-Id") {
		t.Error("request ids repeat")
	}
	if a.Header().Get("Content-Length") == "" {
		t.Error("no Content-Length")
	}
	other := do(newMock(t, Options{Seed: 2}), "GET", apiPath, nil)
	if other.Body.String() == a.Body.String() {
		t.Error("seed 2 gives seed 1's data")
	}
}

func TestEachDocumentedErrorStatus(t *testing.T) {
	m := newMock(t, Options{})
	want := map[int]string{400: "APIGW.0201", 401: "APIGW.0301", 403: "APIGW.0302", 404: "APIGW.0101", 429: "APIGW.0308", 500: "WKS.00000003"}
	for status, code := range want {
		for _, how := range []map[string]string{
			{"X-Mock-Error": strconv.Itoa(status)},
			{"Prefer": "code=" + strconv.Itoa(status)},
			{"X-Mock-Scenario": "error-" + strconv.Itoa(status)},
		} {
			b := checkError(t, do(m, "GET", apiPath, how), status, code)
			if status == 403 && *b.Encoded == "" {
				t.Errorf("403 via %v has no encoded_authorization_message", how)
			}
			if status != 403 && *b.Encoded != "" {
				t.Errorf("%d via %v has an encoded_authorization_message", status, how)
			}
		}
	}
	b := checkError(t, do(m, "GET", apiPath, map[string]string{"X-Mock-Scenario": "service-disabled"}), 403, "WKS.00010099")
	if *b.Msg != "The Workspace service is disabled." {
		t.Errorf("scenario's own message lost: %q", *b.Msg)
	}
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	m := newMock(t, Options{})
	for _, c := range []struct{ method, path string }{
		{"GET", "/"},
		{"GET", "/v2/" + project + "/connections"},
		{"GET", apiPath + "/"},
		{"GET", "/v1/" + project + "/connections/status"},
		{"POST", apiPath},
		{"DELETE", apiPath},
		{"PUT", "/healthz"},
	} {
		checkError(t, do(m, c.method, c.path, nil), 404, "APIGW.0101")
	}
}

func TestInvalidSwitchesAnswer400NamingTheProblem(t *testing.T) {
	m := newMock(t, Options{})
	for hdr, want := range map[[2]string]string{
		{"X-Mock-Scenario", "nope"}: `unknown scenario "nope"`,
		{"X-Mock-Error", "503"}:     "status 503 is not a documented error status",
		{"X-Mock-Error", "boom"}:    `"boom" is not an HTTP status`,
		{"Prefer", "code=418"}:      "Prefer: code=418: status 418 is not a documented",
		{"X-Mock-Delay", "soon"}:    `X-Mock-Delay: "soon" is not a duration`,
		{"X-Mock-Delay", "-1s"}:     "negative",
		{"X-Mock-Seed", "1.5"}:      `X-Mock-Seed: "1.5" is not an integer`,
	} {
		b := checkError(t, do(m, "GET", apiPath, map[string]string{hdr[0]: hdr[1]}), 400, "MOCK.0001")
		if !strings.Contains(*b.Msg, want) {
			t.Errorf("%s: %s: error_msg %q lacks %q", hdr[0], hdr[1], *b.Msg, want)
		}
	}
}

func TestRequestSwitchesBeatStartUpOnes(t *testing.T) {
	e500, _ := wire.Documented(500)
	m := newMock(t, Options{Error: &e500, Scenario: "empty"})
	checkError(t, do(m, "GET", apiPath, nil), 500, "WKS.00000003")
	checkError(t, do(m, "GET", apiPath, map[string]string{"X-Mock-Error": "404"}), 404, "APIGW.0101")
	if g := groups(t, do(m, "GET", apiPath, map[string]string{"Prefer": "code=200"})); len(g) != 0 {
		t.Errorf("empty scenario gave %d groups", len(g))
	}
	g := groups(t, do(m, "GET", apiPath, map[string]string{"Prefer": "code=200", "X-Mock-Scenario": "max-values"}))
	if len(g) != 1 || g[0].UnknownNum != 2147483647 {
		t.Errorf("max-values: %+v", g)
	}
	seeded := do(m, "GET", apiPath, map[string]string{"Prefer": "code=200", "X-Mock-Scenario": "default", "X-Mock-Seed": "42"})
	again := do(newMock(t, Options{Seed: 42}), "GET", apiPath, nil)
	if seeded.Body.String() != again.Body.String() {
		t.Error("X-Mock-Seed: 42 differs from --seed 42")
	}
}

func TestProjectBoundScenario(t *testing.T) {
	fsys := map[string]string{
		"default.yaml": "name: default\nstatics: []\n",
		"bound.yaml":   "name: bound\nprojects: [aaaa]\nerror: {status: 403}\n",
	}
	m := newMock(t, Options{Scenarios: setOf(t, fsys)})
	checkError(t, do(m, "GET", "/v2/aaaa/connections/status", nil), 403, "APIGW.0302")
	groups(t, do(m, "GET", "/v2/bbbb/connections/status", nil))
	groups(t, do(m, "GET", "/v2/aaaa/connections/status", map[string]string{"X-Mock-Scenario": "default"}))
}

func setOf(t testing.TB, files map[string]string) *fixtures.Set {
	t.Helper()
	fsys := make(mapFS)
	for k, v := range files {
		fsys[k] = v
	}
	_, set, problems := fixtures.OpenFolder(fsys.FS(), "test")
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	return set
}

func TestSequenceIsWalkedPerProject(t *testing.T) {
	m := newMock(t, Options{})
	hdr := map[string]string{"X-Mock-Scenario": "fail-twice"}
	for i := 0; i < 2; i++ {
		checkError(t, do(m, "GET", apiPath, hdr), 500, "WKS.00000003")
	}
	// another project starts its own sequence
	checkError(t, do(m, "GET", "/v2/other/connections/status", hdr), 500, "WKS.00000003")
	for i := 0; i < 3; i++ {
		groups(t, do(m, "GET", apiPath, hdr))
	}
}

func TestSequenceLoops(t *testing.T) {
	m := newMock(t, Options{Scenarios: setOf(t, map[string]string{
		"default.yaml": "name: default\nloop: true\nsequence:\n  - statics: []\n  - error: {status: 429}\n",
	})})
	for i := 0; i < 3; i++ {
		groups(t, do(m, "GET", apiPath, nil))
		checkError(t, do(m, "GET", apiPath, nil), 429, "APIGW.0308")
	}
}

func TestFailureRateIsSeededAndNearItsRate(t *testing.T) {
	outcomes := func() string {
		m := newMock(t, Options{Scenario: "flaky"})
		var b strings.Builder
		for i := 0; i < 400; i++ {
			if do(m, "GET", apiPath, nil).Code == 200 {
				b.WriteByte('.')
			} else {
				b.WriteByte('x')
			}
		}
		return b.String()
	}
	a, b := outcomes(), outcomes()
	if a != b {
		t.Fatal("same seed, different failures")
	}
	if n := strings.Count(a, "x"); n < 60 || n > 140 {
		t.Errorf("%d of 400 failed; flaky's rate is 0.25", n)
	}
}

func TestDelayWaitsAndGivesUpWithTheClient(t *testing.T) {
	m := newMock(t, Options{})
	start := time.Now()
	groups(t, do(m, "GET", apiPath, map[string]string{"X-Mock-Delay": "50ms"}))
	if took := time.Since(start); took < 50*time.Millisecond {
		t.Errorf("answered after %v, before its 50ms delay", took)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest("GET", apiPath, nil).WithContext(ctx)
	req.Header.Set("X-Mock-Delay", "10m")
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, req) // returns at once: the client is gone
	if rec.Body.Len() != 0 {
		t.Errorf("answered a client that left: %s", rec.Body)
	}
}

func TestStartUpDelayAndScenarioDelayApply(t *testing.T) {
	d := fixtures.Delay{Min: 30 * time.Millisecond, Max: 30 * time.Millisecond}
	m := newMock(t, Options{Delay: &d})
	start := time.Now()
	do(m, "GET", apiPath, nil)
	if took := time.Since(start); took < 30*time.Millisecond {
		t.Errorf("--delay 30ms answered after %v", took)
	}
	m = newMock(t, Options{Scenarios: setOf(t, map[string]string{"default.yaml": "name: default\ndelay: 40ms\nstatics: []\n"})})
	start = time.Now()
	do(m, "GET", apiPath, nil)
	if took := time.Since(start); took < 40*time.Millisecond {
		t.Errorf("scenario delay 40ms answered after %v", took)
	}
}

func TestFaultsOverARealConnection(t *testing.T) {
	m := newMock(t, Options{})
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	t.Cleanup(m.Shutdown)
	get := func(scenario string, timeout time.Duration) (*http.Response, error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+apiPath, nil)
		req.Header.Set("X-Mock-Scenario", scenario)
		resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		return resp, err
	}
	if _, err := get("fault-reset", 5*time.Second); err == nil || !strings.Contains(err.Error(), "reset") {
		t.Errorf("reset: %v", err)
	}
	if _, err := get("fault-empty", 5*time.Second); err == nil || !strings.Contains(err.Error(), "EOF") {
		t.Errorf("empty: %v", err)
	}
	if _, err := get("fault-hang", 100*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hang: %v", err)
	}
	resp, err := get("fault-malformed", 5*time.Second)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("malformed: %v", err)
	}
	rec := do(m, "GET", apiPath, map[string]string{"X-Mock-Scenario": "fault-malformed"})
	var v any
	if json.Unmarshal(rec.Body.Bytes(), &v) == nil {
		t.Error("malformed body parses as JSON")
	}
}

func TestHangEndsOnShutdown(t *testing.T) {
	m := newMock(t, Options{Scenario: "fault-hang"})
	done := make(chan any)
	go func() {
		defer func() { done <- recover() }()
		do(m, "GET", apiPath, nil)
	}()
	m.Shutdown()
	if v := <-done; v != http.ErrAbortHandler {
		t.Fatalf("hang ended with %v, want the connection dropped", v)
	}
}

func TestBadProjectIDs(t *testing.T) {
	m := newMock(t, Options{})
	for _, id := range []string{strings.Repeat("a", 65), "%E4%B8%AD%E6%96%87", "a%20b", "%7Bproject_id%7D"} {
		checkError(t, do(m, "GET", "/v2/"+id+"/connections/status", nil), 400, "WKS.00170312")
	}
	groups(t, do(m, "GET", "/v2/abc-DEF_123/connections/status", nil))
}

func TestHeadersOverTheLimitGet431(t *testing.T) {
	m := newMock(t, Options{MaxHeaderBytes: 2048})
	checkError(t, do(m, "GET", apiPath, map[string]string{"X-Big": strings.Repeat("x", 4096)}), 431, "APIGW.0201")
	groups(t, do(m, "GET", apiPath, map[string]string{"X-Small": "x"}))
}

func TestPanicsAnswerTheDocumented500(t *testing.T) {
	m := newMock(t, Options{})
	h := recoverPanics(m.log)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	checkError(t, do(withRequestID(h), "GET", apiPath, nil), 500, "WKS.00000003")
}

func TestNewRejectsBadOptions(t *testing.T) {
	set := setOf(t, map[string]string{"default.yaml": "name: default\nstatics: []\n"})
	for _, o := range []Options{{}, {Scenarios: set, Scenario: "nope"}} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
}

func TestHealthz(t *testing.T) {
	rec := do(newMock(t, Options{}), "GET", "/healthz", nil)
	checkCommon(t, rec)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"ok"`) {
		t.Errorf("healthz: %d %s", rec.Code, rec.Body)
	}
}

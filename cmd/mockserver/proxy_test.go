package main

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/workspace-mock/mockserver/internal/aksk"
	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/handlers"
	"github.com/workspace-mock/mockserver/internal/wire"
)

const proxyProject = "0bec5db98280d2d02fd6c00c2de791ce"

// upstreamScenario is what the stand-in for Huawei Cloud answers: pool names
// a recording must not keep.
const upstreamScenario = "name: default\nstatics:\n" +
	"  - {static_name: Finance Dept Pool A, running_num: 40, stop_num: 2, attached_num: 42, in_use_num: 30, ready_num: 10, unregistered_num: 2}\n" +
	"  - {static_name: R&D Pool B, running_num: 5, attached_num: 5, in_use_num: 5}\n"

// signingUpstream is a second emulator standing for Huawei Cloud: HTTPS with
// a test CA, AK/SK signatures really checked, pools with real-looking names.
func signingUpstream(t *testing.T) (*handlers.Mock, *httptest.Server, string) {
	t.Helper()
	_, set, problems := fixtures.OpenFolder(fstest.MapFS{"default.yaml": {Data: []byte(upstreamScenario)}}, "upstream")
	if problems != nil {
		t.Fatal(problems)
	}
	v, err := aksk.NewVerifier([]aksk.Credential{{AK: "UPSTREAMAK", SK: "up-secret-key"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := handlers.New(handlers.Options{Scenarios: set, Verifier: v})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(m)
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644)
	return m, srv, ca
}

func get(t *testing.T, url string, hdr map[string]string) (int, http.Header, string) {
	t.Helper()
	return exchange(t, "GET", url, "", hdr)
}

// The acceptance, end to end: a signature-checking upstream, the
// proxy re-signing, switches on top, answers recorded as anonymised scenario
// files that validate and replay the counters exactly.
func TestProxyReSignsSwitchesOnTopAndRecords(t *testing.T) {
	up, upSrv, ca := signingUpstream(t)
	dir := filepath.Join(t.TempDir(), "recorded")
	url, _, _ := startRun(t, []string{"--upstream", upSrv.URL, "--upstream-ca", ca, "--record", dir},
		map[string]string{"HUAWEICLOUD_SDK_AK": "UPSTREAMAK", "HUAWEICLOUD_SDK_SK": "up-secret-key"})
	api := url + "/v2/" + proxyProject + "/connections/status"

	// the client's own signature is not forwarded: the upstream sees the proxy's
	code, hdr, body := get(t, api, map[string]string{"Authorization": "SDK-HMAC-SHA256 Access=CLIENTAK, SignedHeaders=x-sdk-date, Signature=00"})
	upReqs := up.Requests("", time.Time{})
	if code != 200 || !strings.Contains(body, `"static_name":"Finance Dept Pool A"`) || len(upReqs) != 1 || upReqs[0].Status != 200 {
		t.Fatalf("through the proxy: %d %s; upstream saw %+v", code, body, upReqs)
	}
	if hdr.Get("X-Request-Id") != upReqs[0].RequestID || upReqs[0].XProjectID != proxyProject {
		t.Errorf("X-Request-Id %q, upstream's %q; upstream saw X-Project-Id %q", hdr.Get("X-Request-Id"), upReqs[0].RequestID, upReqs[0].XProjectID)
	}
	_, _, journal := get(t, url+"/_mock/requests", nil)
	if !strings.Contains(journal, `"proxied":true`) {
		t.Errorf("the journal does not mark the proxied request: %s", journal)
	}

	// every switch applies on top, and a switched request never reaches the upstream
	if code, _, _ := get(t, api, map[string]string{"X-Mock-Error": "403"}); code != 403 {
		t.Errorf("X-Mock-Error over the upstream: %d", code)
	}
	call(t, "PUT", url+"/_mock/scenario?project_id=p2", `{"name":"empty"}`, nil)
	if _, _, body := get(t, url+"/v2/p2/connections/status", nil); body != `{"statics":[]}` {
		t.Errorf("a project switched to empty: %s", body)
	}
	if n := len(up.Requests("", time.Time{})); n != 1 {
		t.Errorf("switched requests reached the upstream: it saw %d requests", n)
	}

	// the same answer again is not recorded twice; an error is recorded too
	get(t, api, nil)
	up.InjectError("", mustError(t, 403), 1)
	if code, _, body := get(t, api, nil); code != 403 || !strings.Contains(body, "APIGW.0302") {
		t.Fatalf("the upstream's 403 through the proxy: %d %s", code, body)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if len(files) != 2 {
		t.Fatalf("recorded %v, want one 200 and one 403", files)
	}
	var all string
	for _, f := range files {
		b, _ := os.ReadFile(f)
		all += string(b)
	}
	for _, secret := range []string{proxyProject, "UPSTREAMAK", "up-secret-key", upReqs[0].RequestID, "Finance Dept", "R&D Pool", "CLIENTAK", "Signature"} {
		if strings.Contains(all, secret) {
			t.Errorf("a recording holds %q:\n%s", secret, all)
		}
	}
	var out strings.Builder
	if err := run(context.Background(), []string{"validate", dir}, env(nil), &out, &out); err != nil {
		t.Fatalf("the recorded folder does not validate: %v\n%s", err, out.String())
	}

	// replayed: the same counters, fake names
	ok200, _ := filepath.Glob(filepath.Join(dir, "recorded-200-*.yaml"))
	name := strings.TrimSuffix(filepath.Base(ok200[0]), ".yaml")
	replay, _, _ := startRun(t, []string{"--scenarios", dir, "--scenario", name}, nil)
	_, _, replayed := get(t, replay+"/v2/any/connections/status", nil)
	if countersOnly(t, replayed) != countersOnly(t, body200(t)) || strings.Contains(replayed, "Finance") {
		t.Fatalf("replay:\n%s\nupstream:\n%s", replayed, body200(t))
	}
}

func mustError(t *testing.T, status int) wire.Error {
	e, err := wire.Documented(status)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// body200 is what the upstream's scenario answers, asked directly.
func body200(t *testing.T) string {
	_, set, _ := fixtures.OpenFolder(fstest.MapFS{"default.yaml": {Data: []byte(upstreamScenario)}}, "upstream")
	plain, err := handlers.New(handlers.Options{Scenarios: set})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	plain.ServeHTTP(rec, httptest.NewRequest("GET", "/v2/p/connections/status", nil))
	return rec.Body.String()
}

// countersOnly is the body with the names left out.
func countersOnly(t *testing.T, body string) string {
	var b struct{ Statics []map[string]any }
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	for _, g := range b.Statics {
		delete(g, "static_name")
	}
	out, _ := json.Marshal(b.Statics)
	return string(out)
}

// An upstream that departs from the contract: the client gets its answer
// unchanged, and /_mock/drift says what is wrong.
func TestDriftIsListedAndTheAnswerPassesUnchanged(t *testing.T) {
	bodies := map[string]struct {
		status      int
		contentType string
		body        string
	}{
		"missing":   {200, "application/json", `{"statics":[{"static_name":"a","running_num":1}]}`},
		"string":    {200, "application/json", `{"statics":[{"static_name":"a","running_num":"3","stop_num":0,"hibernate_num":0,"other_num":0,"attached_num":0,"unattached_num":0,"cannot_attach_num":0,"in_process_num":0,"in_use_num":0,"unregistered_num":0,"ready_num":0,"disconnected_num":0,"unknown_num":0}]}`},
		"overflow":  {200, "application/json", `{"statics":[{"static_name":"a","running_num":2147483648,"stop_num":0,"hibernate_num":0,"other_num":0,"attached_num":2147483648,"unattached_num":0,"cannot_attach_num":0,"in_process_num":0,"in_use_num":0,"unregistered_num":2147483648,"ready_num":0,"disconnected_num":0,"unknown_num":0}]}`},
		"relations": {200, "application/json", `{"statics":[{"static_name":"a","running_num":1,"stop_num":0,"hibernate_num":0,"other_num":0,"attached_num":1,"unattached_num":0,"cannot_attach_num":0,"in_process_num":0,"in_use_num":5,"unregistered_num":0,"ready_num":0,"disconnected_num":0,"unknown_num":0}]}`},
		"gateway":   {401, "application/json", `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: verify aksk signature fail","request_id":"0123456789abcdef0123456789abcdef"}`},
		"text":      {503, "text/html", `<html>Service Unavailable</html>`},
	}
	want := map[string]string{
		"missing":   "statics[0] (a): stop_num is missing",
		"string":    "statics[0] (a): running_num is not an integer",
		"overflow":  "running_num = 2147483648 is outside 0..2147483647 (int32)",
		"relations": "5 desktops connected but 1 running",
		"gateway":   "the error body has no error_detail",
		"text":      "status 503 is not one the contract documents",
	}
	upSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := bodies[r.Header.Get("X-Project-Id")]
		w.Header().Set("Content-Type", b.contentType)
		w.Header().Set("X-Request-Id", "0123456789abcdef0123456789abcdef")
		w.WriteHeader(b.status)
		io.WriteString(w, b.body)
	}))
	t.Cleanup(upSrv.Close)
	url, _, _ := startRun(t, []string{"--upstream", upSrv.URL, "--upstream-ak", "AK", "--upstream-sk", "SK"}, nil)
	for project, b := range bodies {
		code, hdr, body := get(t, url+"/v2/"+project+"/connections/status", nil)
		if code != b.status || body != b.body || hdr.Get("Content-Type") != b.contentType {
			t.Errorf("%s: the client got %d %q %s, the upstream said %d %q %s", project, code, hdr.Get("Content-Type"), body, b.status, b.contentType, b.body)
		}
	}
	_, _, drift := get(t, url+"/_mock/drift", nil)
	for project, problem := range want {
		if !strings.Contains(drift, problem) {
			t.Errorf("%s: /_mock/drift lacks %q:\n%s", project, problem, drift)
		}
	}
}

// An upstream that cannot be reached, hangs or resets: 502 MOCK.0502 naming
// the upstream and the cause, within the timeout, and the server keeps serving.
func TestUpstreamFailuresAre502(t *testing.T) {
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedAddr := closed.Addr().String()
	closed.Close()
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	t.Cleanup(func() { close(release); hang.Close() })
	reset := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _, _ := http.NewResponseController(w).Hijack()
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	}))
	t.Cleanup(reset.Close)
	for _, c := range []struct{ upstream, cause string }{
		{"http://" + closedAddr, "connection refused"},
		{hang.URL, "no answer within 300ms (--upstream-timeout)"},
		{reset.URL, "connection reset"},
	} {
		url, _, _ := startRun(t, []string{"--upstream", c.upstream, "--upstream-ak", "AK", "--upstream-sk", "SK", "--upstream-timeout", "300ms"}, nil)
		code, _, body := get(t, url+"/v2/p1/connections/status", nil)
		host := strings.TrimPrefix(c.upstream, "http://")
		if code != 502 || !strings.Contains(body, `"error_code":"MOCK.0502"`) || !strings.Contains(body, host) || !strings.Contains(body, c.cause) {
			t.Errorf("%s: %d %s", c.upstream, code, body)
		}
		if code, _, _ := get(t, url+"/healthz", nil); code != 200 {
			t.Errorf("after a failed upstream the server does not serve: %d", code)
		}
	}
}

func TestProxyFlagsGoTogether(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--record", "x"}, "--record writes what --upstream answers"},
		{[]string{"--upstream", "https://example.invalid"}, "--upstream needs credentials"},
		{[]string{"--upstream", "ftp://x", "--upstream-ak", "a", "--upstream-sk", "b"}, "give a URL like https://workspace.cn-north-4.myhuaweicloud.com"},
		{[]string{"--upstream-ak", "a"}, "take effect only with --upstream"},
		{[]string{"--upstream", "https://x", "--upstream-ak", "a", "--upstream-sk", "b", "--upstream-ca", "/nope"}, "--upstream-ca: open /nope"},
	} {
		ex := runErr(t, c.args, nil)
		if ex.code != 2 || !strings.Contains(ex.msg, c.want) {
			t.Errorf("%v: exit %d %q, want %q", c.args, ex.code, ex.msg, c.want)
		}
	}
}

// The other operations go through the proxy too: their answers pass
// unchanged, are not taken for connections/status answers (no drift) and
// are not recorded (recordings are connections/status scenarios).
func TestProxiedDesktopViewsAreNotDriftNorRecorded(t *testing.T) {
	_, upSrv, ca := signingUpstream(t)
	dir := filepath.Join(t.TempDir(), "recorded")
	url, _, _ := startRun(t, []string{"--upstream", upSrv.URL, "--upstream-ca", ca, "--record", dir},
		map[string]string{"HUAWEICLOUD_SDK_AK": "UPSTREAMAK", "HUAWEICLOUD_SDK_SK": "up-secret-key"})
	for _, route := range []string{"/desktops/detail?limit=3", "/desktop-pools", "/desktops/statistics/login-state"} {
		code, _, body := get(t, url+"/v2/"+proxyProject+route, nil)
		if code != 200 || !strings.HasPrefix(body, "{") {
			t.Fatalf("%s through the proxy: %d %.200s", route, code, body)
		}
	}
	if _, _, drift := get(t, url+"/_mock/drift", nil); drift != `{"drift":[]}` {
		t.Errorf("the desktop views were taken for drift: %.300s", drift)
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("the desktop views were recorded: %d files", len(files))
	}
}

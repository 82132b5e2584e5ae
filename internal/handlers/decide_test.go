package handlers

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/workspace-mock/mockserver/internal/aksk"
	"github.com/workspace-mock/mockserver/internal/engine"
	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// what an answer comes to, for a table.
func outcome(a engine.Answer) string { return a.String() }

// decide is the answer to a connections/status request with headers h, as
// the edge reads them and the engine decides it: no HTTP.
func decide(m *Mock, project string, h http.Header) engine.Answer {
	sw := parseSwitches(h)
	return m.Decide(engine.ListInstancesStatus, project, engine.Args{}, &sw)
}

// The switches in their documented order, decided as plain data: no HTTP.
func TestDecideAppliesTheSwitchesInTheirDocumentedOrder(t *testing.T) {
	e500, _ := wire.Documented(500)
	m := newMock(t, Options{Scenarios: setOf(t, map[string]string{
		"default.yaml": "name: default\nstatics: []\n",
		"empty.yaml":   "name: empty\nstatics: []\n",
		"bound.yaml":   "name: bound\nprojects: [bound-p]\nerror: {status: 403}\n",
		"reset.yaml":   "name: reset\nfault: reset\n",
		"twice.yaml":   "name: twice\nsequence:\n  - error: {status: 429}\n  - statics: []\n",
	}), Error: &e500})
	if err := m.SetScenario("admin-p", "reset"); err != nil {
		t.Fatal(err)
	}
	if err := m.InjectError("inject-p", mustDocumented(t, 404), 1); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, project string
		hdr           map[string]string
		want          string
	}{
		{"start-up --error", "p", nil, "default 500 WKS.00000003"},
		{"Prefer: code=200 lifts --error", "p", map[string]string{"Prefer": "code=200"}, "default 200 14B"},
		{"X-Mock-Error beats everything", "bound-p", map[string]string{"X-Mock-Error": "401"}, "bound 401 APIGW.0301"},
		{"X-Mock-Error beats Prefer", "p", map[string]string{"X-Mock-Error": "401", "Prefer": "code=200"}, "default 401 APIGW.0301"},
		{"bound scenario's own error", "bound-p", map[string]string{"Prefer": "code=200"}, "bound 403 APIGW.0302"},
		{"X-Mock-Scenario beats the binding", "bound-p", map[string]string{"X-Mock-Scenario": "empty", "Prefer": "code=200"}, "empty 200 14B"},
		{"admin scenario for the project", "admin-p", map[string]string{"Prefer": "code=200"}, "reset fault reset"},
		{"header scenario beats the admin one", "admin-p", map[string]string{"X-Mock-Scenario": "twice", "Prefer": "code=200"}, "twice 429 APIGW.0308"},
		{"a sequence is walked per project", "admin-p", map[string]string{"X-Mock-Scenario": "twice", "Prefer": "code=200"}, "twice 200 14B"},
		{"injected error for the project, once", "inject-p", nil, "default 404 APIGW.0101"},
		{"then --error again", "inject-p", nil, "default 500 WKS.00000003"},
		{"bad project id", "a b", nil, " 400 WKS.00170312"},
		{"unknown switch header", "p", map[string]string{"X-Mock-Sceanrio": "empty"}, " 400 MOCK.0001"},
		{"bad switch value", "p", map[string]string{"X-Mock-Seed": "x"}, " 400 MOCK.0001"},
	}
	for _, c := range cases {
		h := http.Header{}
		for k, v := range c.hdr {
			h.Set(k, v)
		}
		if got := outcome(decide(m, c.project, h)); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func mustDocumented(t *testing.T, status int) wire.Error {
	t.Helper()
	e, err := wire.Documented(status)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// A delay range is drawn per request, for every scenario: the n-th request
// of a project gets the same delay on every run, and reset starts over.
func TestDelayRangeIsDrawnPerRequestAndRepeatsAcrossRuns(t *testing.T) {
	draws := func(m *Mock, hdr http.Header, n int) []time.Duration {
		out := make([]time.Duration, n)
		for i := range out {
			out[i] = decide(m, "p", hdr).Delay
		}
		return out
	}
	header := http.Header{"X-Mock-Delay": {"100ms..900ms"}}
	slow := http.Header{"X-Mock-Scenario": {"slow"}}
	for name, hdr := range map[string]http.Header{"X-Mock-Delay on default": header, "the slow scenario": slow} {
		m := newMock(t, Options{})
		first := draws(m, hdr, 20)
		distinct := map[time.Duration]bool{}
		for _, d := range first {
			distinct[d] = true
			if d < 100*time.Millisecond || d > 2500*time.Millisecond {
				t.Errorf("%s: delay %v outside its range", name, d)
			}
		}
		if len(distinct) < 15 {
			t.Errorf("%s: 20 requests drew %d distinct delays: %v", name, len(distinct), first)
		}
		if again := draws(newMock(t, Options{}), hdr, 20); fmt.Sprint(again) != fmt.Sprint(first) {
			t.Errorf("%s: another run drew other delays:\n%v\n%v", name, first, again)
		}
		m.Reset("p")
		if after := draws(m, hdr, 20); fmt.Sprint(after) != fmt.Sprint(first) {
			t.Errorf("%s: reset did not start the draws over", name)
		}
	}
	d := fixtures.Delay{Min: 50 * time.Millisecond, Max: 150 * time.Millisecond}
	m := newMock(t, Options{Delay: &d})
	if got := draws(m, nil, 5); got[0] == got[1] && got[1] == got[2] {
		t.Errorf("--delay 50ms..150ms drew one delay for every request: %v", got)
	}
}

func TestTheHeaderLimitHoldsOnEveryRoute(t *testing.T) {
	m := newMock(t, Options{})
	big := map[string]string{"X-Big": strings.Repeat("x", 70<<10)}
	for _, path := range []string{"/nope", apiPath, "/v3/projects?name=cn-north-4", "/healthz", "/_mock/scenarios"} {
		checkError(t, do(m, "GET", path, big), 431, "APIGW.0201")
	}
}

// signNode signs a request the way Huawei's Node.js SDK does, written out
// here from the published algorithm rather than with the package under test.
func signNode(method, path, query, host, date string, body []byte, sk string) (signedHeaders, signature string) {
	sum := sha256.Sum256(body)
	canonical := strings.Join([]string{method, path + "/", query,
		"content-type:application/json\nhost:" + host + "\nx-sdk-date:" + date + "\n",
		"content-type;host;x-sdk-date", hex.EncodeToString(sum[:])}, "\n")
	crHash := sha256.Sum256([]byte(canonical))
	mac := hmac.New(sha256.New, []byte(sk))
	mac.Write([]byte("SDK-HMAC-SHA256\n" + date + "\n" + hex.EncodeToString(crHash[:])))
	return "content-type;host;x-sdk-date", hex.EncodeToString(mac.Sum(nil))
}

// A GET that carries a body is verified over the bytes received, on every
// verified route: signed over its hash it passes, over the empty hash it fails.
func TestSignatureCoversTheBodyOfAGET(t *testing.T) {
	v, err := aksk.NewVerifier([]aksk.Credential{{AK: "NODEAK", SK: "node-secret"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newMock(t, Options{Verifier: v}))
	t.Cleanup(srv.Close)
	host := srv.Listener.Addr().String()
	date := time.Now().UTC().Format(aksk.DateFormat)
	send := func(path, query string, signedBody, sentBody []byte) *http.Response {
		t.Helper()
		signed, sig := signNode("GET", path, query, host, date, signedBody, "node-secret")
		target := path
		if query != "" {
			target += "?" + query
		}
		c, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// The Node SDK's shape: lower-case host, Content-Type on a GET, User-Agent not signed.
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nhost: %s\r\ncontent-type: application/json\r\nx-sdk-date: %s\r\n"+
			"authorization: SDK-HMAC-SHA256 Access=NODEAK, SignedHeaders=%s, Signature=%s\r\n"+
			"user-agent: huaweicloud-usdk-nodejs/3.0\r\ncontent-length: %d\r\n\r\n%s",
			target, host, date, signed, sig, len(sentBody), sentBody)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp
	}
	body := []byte("{}")
	for _, route := range [][2]string{{"/v3/projects", "name=cn-north-4"}, {apiPath, ""}} {
		if resp := send(route[0], route[1], body, body); resp.StatusCode != 200 {
			t.Errorf("%s signed over its body: %d", route[0], resp.StatusCode)
		}
		if resp := send(route[0], route[1], nil, body); resp.StatusCode != 401 {
			t.Errorf("%s signed over the empty hash but carrying {}: %d", route[0], resp.StatusCode)
		}
		if resp := send(route[0], route[1], nil, nil); resp.StatusCode != 200 {
			t.Errorf("%s without a body: %d", route[0], resp.StatusCode)
		}
	}
	big := []byte(strings.Repeat("x", MaxBody+1))
	if resp := send(apiPath, "", big, big); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a body over %d bytes: %d", MaxBody, resp.StatusCode)
	}
}

// A run-time delay sits between the request's header and --delay; the
// project's beats the global one.
func TestRunTimeDelaysInTheirPlace(t *testing.T) {
	d := fixtures.Delay{Min: 5 * time.Second, Max: 5 * time.Second}
	m := newMock(t, Options{Delay: &d})
	m.SetDelay("", fixtures.Delay{Min: 2 * time.Second, Max: 2 * time.Second})
	m.SetDelay("p", fixtures.Delay{Min: time.Second, Max: time.Second})
	for _, c := range []struct {
		project string
		hdr     http.Header
		want    time.Duration
	}{
		{"p", nil, time.Second},
		{"q", nil, 2 * time.Second},
		{"p", http.Header{"X-Mock-Delay": {"3s"}}, 3 * time.Second},
	} {
		if got := decide(m, c.project, c.hdr).Delay; got != c.want {
			t.Errorf("%s %v: delay %s, want %s", c.project, c.hdr, got, c.want)
		}
	}
	m.ClearDelay("")
	m.ClearDelay("p")
	if got := decide(m, "p", nil).Delay; got != 5*time.Second {
		t.Errorf("cleared: delay %s, want --delay's 5s", got)
	}
}

// The control page's preview changes nothing: an injected error is not used
// up, a sequence does not move.
func TestPreviewChangesNothing(t *testing.T) {
	m := newMock(t, Options{})
	if err := m.InjectError("p", mustDocumented(t, 500), 1); err != nil {
		t.Fatal(err)
	}
	m.SetScenario("q", "fail-twice")
	for i := 0; i < 3; i++ {
		do(m, "GET", "/_mock/preview?project_id=p", nil)
		do(m, "GET", "/_mock/preview?project_id=q", nil)
	}
	checkError(t, do(m, "GET", "/v2/p/connections/status", nil), 500, "WKS.00000003")
	checkError(t, do(m, "GET", "/v2/q/connections/status", nil), 500, "WKS.00000003")
}

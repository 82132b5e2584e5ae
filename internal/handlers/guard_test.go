package handlers

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A web page the user opens cannot steer an emulator that has no admin
// token: cross-site requests, DNS-rebinding hosts and bodies a page can send
// without asking (text/plain) are refused; scripts and the control page
// itself are not affected.
func TestCrossSitePagesCannotSteerTheEmulator(t *testing.T) {
	m := newMock(t, Options{AllowedHosts: []string{"mock.dev.example"}})
	start := m.Now("")
	send := func(method, host, target, body string, hdr map[string]string) int {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Host = host
		if body == "" {
			req.Body, req.ContentLength = http.NoBody, 0
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, req)
		return rec.Code
	}
	advance := `{"by":"1000h"}`
	plain := map[string]string{"Content-Type": "text/plain"}
	for _, c := range []struct {
		name, method, host, target, body string
		hdr                              map[string]string
		want                             int
	}{
		{"no-cors text/plain POST from another site", "POST", "127.0.0.1:8080", "/_mock/clock/advance", advance,
			map[string]string{"Content-Type": "text/plain", "Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, 403},
		{"empty POST reset from another site", "POST", "127.0.0.1:8080", "/_mock/reset", "",
			map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, 403},
		{"Origin of another site (no Sec-Fetch-Site)", "POST", "127.0.0.1:8080", "/_mock/reset", "", map[string]string{"Origin": "http://evil.example"}, 403},
		{"same-site subdomain", "GET", "127.0.0.1:8080", "/_mock/requests", "", map[string]string{"Sec-Fetch-Site": "same-site"}, 403},
		{"DNS rebinding: same-origin to the browser, foreign host", "POST", "evil.com:8080", "/_mock/reset", "",
			map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://evil.com:8080"}, 403},
		{"DNS rebinding read over plain http: no browser header at all", "GET", "evil.com:8080", "/_mock/requests", "", nil, 403},
		{"a cross-site page acting on the fleet (text/plain needs no preflight)", "POST", "127.0.0.1:8080", "/v2/p1/desktops/action",
			`{"desktop_ids":["x"],"op_type":"os-start"}`, map[string]string{"Content-Type": "text/plain", "Origin": "https://evil.com"}, 403},
		{"a Kubernetes service name", "GET", "mockserver.default.svc.cluster.local:8080", "/_mock/requests", "", nil, 200},
		{"text/plain body from a script", "POST", "127.0.0.1:8080", "/_mock/clock/advance", advance, plain, 415},
		{"form body from a browser page of the same origin", "POST", "localhost:8080", "/_mock/clock/advance", advance,
			map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin", "Origin": "http://localhost:8080"}, 415},
		{"the control page's own call", "POST", "localhost:8080", "/_mock/clock/advance", advance,
			map[string]string{"Content-Type": "application/json", "Sec-Fetch-Site": "same-origin", "Origin": "http://localhost:8080"}, 200},
		{"a compose service name", "GET", "mockserver:8080", "/_mock/requests", "", map[string]string{"Sec-Fetch-Site": "same-origin"}, 200},
		{"a host given with --allowed-hosts", "GET", "mock.dev.example", "/_mock/requests", "", map[string]string{"Sec-Fetch-Site": "same-origin"}, 200},
		{"curl -d (form-encoded, no browser)", "POST", "127.0.0.1:8080", "/_mock/clock/advance", advance,
			map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 200},
		{"an SDK acting by any host name", "POST", "workspace.cn-north-4.myhuaweicloud.com", "/v2/p1/desktops/action",
			`{"desktop_ids":["x"],"op_type":"os-start"}`, map[string]string{"Content-Type": "application/json"}, 404},
		{"following a link to the control page", "GET", "127.0.0.1:8080", "/_mock/ui", "",
			map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}, 200},
	} {
		if got := send(c.method, c.host, c.target, c.body, c.hdr); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	// Two calls were let through (the page's, curl's): 2000 hours, no more.
	if moved := m.Now("").Sub(start); moved < 2000*time.Hour || moved > 2001*time.Hour {
		t.Errorf("the clock moved %s; want the two accepted advances' 2000h", moved)
	}
	rec := do(m, "GET", "/_mock/ui", nil)
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || rec.Header().Get("X-Frame-Options") != "DENY" {
		t.Errorf("the control page may be framed: CSP %q", csp)
	}
}

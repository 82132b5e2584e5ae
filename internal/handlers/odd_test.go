package handlers

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// raw sends bytes on a fresh connection and reads every response until the
// server closes it (or 5 s pass).
func raw(t *testing.T, addr, req string) []*http.Response {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	var out []*http.Response
	for {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return out
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body = io.NopCloser(strings.NewReader(string(body)))
		out = append(out, resp)
	}
}

func bodyOf(r *http.Response) string { b, _ := io.ReadAll(r.Body); return string(b) }

func TestOddRequestsOverTheWire(t *testing.T) {
	m := newMock(t, Options{})
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()
	api := "/v2/" + project + "/connections/status"

	t.Run("HTTP/1.0", func(t *testing.T) {
		rs := raw(t, addr, "GET "+api+" HTTP/1.0\r\n\r\n")
		if len(rs) != 1 || rs[0].StatusCode != 200 || !strings.HasPrefix(bodyOf(rs[0]), `{"statics":[`) {
			t.Fatalf("%v", rs)
		}
	})
	t.Run("pipelined", func(t *testing.T) {
		one := "GET " + api + " HTTP/1.1\r\nHost: x\r\n\r\n"
		rs := raw(t, addr, one+"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n"+strings.Replace(one, "\r\n\r\n", "\r\nConnection: close\r\n\r\n", 1))
		if len(rs) != 3 || rs[0].StatusCode != 200 || rs[1].StatusCode != 404 || rs[2].StatusCode != 200 {
			t.Fatalf("want 200, 404, 200 in order, got %d responses", len(rs))
		}
		for _, r := range rs {
			if len(r.Header.Get("X-Request-Id")) != 32 {
				t.Fatal("a pipelined answer lacks X-Request-Id")
			}
		}
	})
	for _, method := range []string{"HEAD", "OPTIONS", "PATCH", "TRACE", "CONNECTX"} {
		t.Run(method, func(t *testing.T) {
			rs := raw(t, addr, method+" "+api+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
			if len(rs) != 1 || rs[0].StatusCode != 404 || rs[0].Header.Get("Content-Type") != "application/json;charset=UTF-8" {
				t.Fatalf("%v", rs)
			}
			if method != "HEAD" && !strings.Contains(bodyOf(rs[0]), "APIGW.0101") {
				t.Fatal("not the gateway's 404")
			}
		})
	}
	t.Run("over-long path", func(t *testing.T) {
		rs := raw(t, addr, "GET /v2/"+strings.Repeat("a", 70<<10)+"/connections/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		if len(rs) != 1 || rs[0].StatusCode != 431 || !strings.Contains(bodyOf(rs[0]), `"error_code":"APIGW.0201"`) {
			t.Fatalf("%v", rs)
		}
	})
	t.Run("non-ASCII project id", func(t *testing.T) {
		rs := raw(t, addr, "GET /v2/\xe4\xb8\xad\xe6\x96\x87/connections/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		if len(rs) != 1 || rs[0].StatusCode != 400 || !strings.Contains(bodyOf(rs[0]), "WKS.00170312") {
			t.Fatalf("%v", rs)
		}
	})
	t.Run("headers over the limit", func(t *testing.T) {
		rs := raw(t, addr, "GET "+api+" HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("b", 65<<10)+"\r\nConnection: close\r\n\r\n")
		if len(rs) != 1 || rs[0].StatusCode != 431 || !strings.Contains(bodyOf(rs[0]), "request headers too large") {
			t.Fatalf("%v", rs)
		}
	})
	t.Run("still serving", func(t *testing.T) {
		resp, err := http.Get(srv.URL + api)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%v %v", resp, err)
		}
		resp.Body.Close()
	})
}

func TestAPanicKeepsTheServerServing(t *testing.T) {
	m := newMock(t, Options{})
	panicky := recoverPanics(m.log)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/boom" {
			panic("boom")
		}
		m.ServeHTTP(w, r)
	}))
	srv := httptest.NewServer(withRequestID(panicky))
	t.Cleanup(srv.Close)
	for _, p := range []string{"/boom", apiPath, "/boom", apiPath} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := map[bool]int{true: 500, false: 200}[p == "/boom"]
		if resp.StatusCode != want || len(resp.Header.Get("X-Request-Id")) != 32 {
			t.Fatalf("%s: %d %s", p, resp.StatusCode, b)
		}
		if p == "/boom" && !strings.Contains(string(b), "WKS.00000003") {
			t.Fatalf("panic answer: %s", b)
		}
	}
}

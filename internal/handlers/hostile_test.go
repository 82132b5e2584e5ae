package handlers

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// serveCounting serves m on a loopback port and counts the connections the
// server has closed: a handler that never returns keeps its connection open.
func serveCounting(t *testing.T, m *Mock) (addr string, closed *atomic.Int64) {
	t.Helper()
	closed = &atomic.Int64{}
	srv := httptest.NewUnstartedServer(m)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateClosed || s == http.StateHijacked {
			closed.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(m.Close)
	return srv.Listener.Addr().String(), closed
}

// eventually fails the test unless cond holds within 10 s: a bound on a
// defect (a handler held for ever), not a measure of speed.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s: %s", what)
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

// A client that announces a body, sends none and leaves, or sends it and
// leaves while its answer waits in a delay or a hang, is let go at once.
func TestAClientThatLeavesIsLetGo(t *testing.T) {
	cases := map[string]string{
		"announced body never sent, delayed": "X-Mock-Delay: 10m\r\nContent-Length: 1\r\n\r\n",
		"announced body never sent, hang":    "X-Mock-Scenario: fault-hang\r\nContent-Length: 1\r\n\r\n",
		"body sent, then a delay":            "X-Mock-Delay: 10m\r\nContent-Length: 1\r\n\r\nx",
		"body sent, then a hang":             "X-Mock-Scenario: fault-hang\r\nContent-Length: 1\r\n\r\nx",
	}
	for name, rest := range cases {
		t.Run(name, func(t *testing.T) {
			m := newMock(t, Options{})
			addr, closed := serveCounting(t, m)
			const clients = 20
			for i := 0; i < clients; i++ {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n%s", apiPath, rest)
				if strings.HasSuffix(rest, "x") {
					waitFor(t, m, 1) // its answer is waiting: now leave
				}
				c.Close()
				eventually(t, fmt.Sprintf("client %d left: %d connections closed, %d requests still waiting", i+1, closed.Load(), m.Waiting()),
					func() bool { return closed.Load() == int64(i+1) && m.Waiting() == 0 })
			}
		})
	}
}

func waitFor(t *testing.T, m *Mock, n int64) {
	t.Helper()
	eventually(t, fmt.Sprintf("%d requests waiting, want %d", m.Waiting(), n), func() bool { return m.Waiting() == n })
}

// A client that announces a body and then sends nothing, on any route, gets
// a 408 in the documented shape once the body timeout passes.
func TestASilentBodyIsCutOff(t *testing.T) {
	m := newMock(t, Options{BodyTimeout: 200 * time.Millisecond})
	addr, _ := serveCounting(t, m)
	// While a silent client is held, others keep getting their answers.
	silent, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	fmt.Fprintf(silent, "GET %s HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", apiPath)
	if resp, err := http.Get("http://" + addr + apiPath); err != nil || resp.StatusCode != 200 {
		t.Fatalf("another client while one is silent: %v %v", resp, err)
	}
	for _, target := range []string{"PUT /_mock/error", "GET " + apiPath, "GET /v3/projects", "POST /nope"} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(c, "%s HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", target)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("%s: no answer: %v", target, err)
		}
		body, _ := io.ReadAll(resp.Body)
		c.Close()
		if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(body), `"error_code":"APIGW.0201"`) || !resp.Close {
			t.Errorf("%s: %d close=%v %s", target, resp.StatusCode, resp.Close, body)
		}
	}
}

// Close ends every waiting request at once: a test's cleanup is never held
// by a long delay.
func TestCloseEndsWaitingRequests(t *testing.T) {
	m := newMock(t, Options{})
	srv := httptest.NewServer(m)
	errs := make(chan error, 2)
	for _, h := range []string{"X-Mock-Delay", "X-Mock-Scenario"} {
		v := map[string]string{"X-Mock-Delay": "10m", "X-Mock-Scenario": "fault-hang"}[h]
		go func() {
			req, _ := http.NewRequest("GET", srv.URL+apiPath, nil)
			req.Header.Set(h, v)
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
			}
			errs <- err
		}()
	}
	waitFor(t, m, 2)
	closed := make(chan struct{})
	go func() { m.Close(); srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for a 10-minute delay")
	}
	for i := 0; i < 2; i++ {
		if err := <-errs; err == nil {
			t.Error("a request ended by Close got an answer; want its connection dropped")
		}
	}
}

// The journal keeps a bounded copy of each request: a thousand requests
// with 55 KB of headers leave a few MB, not 55.
func TestJournalMemoryIsBoundedInBytes(t *testing.T) {
	m := newMock(t, Options{})
	big := strings.Repeat("u", 20<<10) // with the query, under the 64 KiB header limit
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	for i := 0; i < DefaultJournalSize; i++ {
		do(m, "GET", "/v2/p/connections/status?q="+strings.Repeat("x", 15<<10), map[string]string{"User-Agent": big, "X-Sdk-Date": big})
	}
	grew := int64(heap()) - int64(before)
	if grew > 8<<20 {
		t.Fatalf("the journal of %d requests with 55 KB headers holds %d bytes", DefaultJournalSize, grew)
	}
	e := m.Requests("", time.Time{})[0]
	if len(e.UserAgent) > MaxEntryField+16 || !strings.HasSuffix(e.UserAgent, "...(cut)") || len(e.Query) > MaxEntryField+16 {
		t.Errorf("entry keeps %d bytes of user agent, %d of query", len(e.UserAgent), len(e.Query))
	}
}

func TestJournalMasksSecretsInQueries(t *testing.T) {
	m := newMock(t, Options{})
	do(m, "GET", "/v3/projects?name=cn-north-4&access_token=abc123&X-Auth-Key=k9&page=2", nil)
	q := m.Requests("", time.Time{})[0].Query
	if strings.Contains(q, "abc123") || strings.Contains(q, "k9") || q != "name=cn-north-4&access_token=***&X-Auth-Key=***&page=2" {
		t.Fatalf("journaled query %q", q)
	}
}

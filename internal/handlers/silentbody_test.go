package handlers

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"
)

// A client that announces a body and never sends it gets 408 after the body
// timeout, and then its connection is closed: it used to stay open for ever
// (net/http waited to discard the body), so 250 such clients locked everyone
// out at a 256-descriptor limit.
func TestASilentBodyIsAnsweredAndItsConnectionClosed(t *testing.T) {
	srv := httptest.NewServer(newMock(t, Options{BodyTimeout: 100 * time.Millisecond}))
	t.Cleanup(srv.Close)
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n", apiPath)
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second)) // a bound for the failure case, not a wait
	r := bufio.NewReader(c)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("status %d, want 408", resp.StatusCode)
	}
	if _, err := r.ReadByte(); errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal("the connection is still open 10 s after the 408")
	} else if err != io.EOF {
		t.Logf("connection ended with %v", err)
	}
}

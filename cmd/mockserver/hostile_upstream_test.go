package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/workspace-mock/mockserver/internal/handlers"
	"github.com/workspace-mock/mockserver/internal/upstream"
)

// hostileUpstream is an upstream on 127.0.0.1 that answers with answer, and
// the emulator proxying to it, with its logs.
func hostileUpstream(t *testing.T, answer http.HandlerFunc, args ...string) (string, *syncBuffer) {
	t.Helper()
	upSrv := httptest.NewServer(answer)
	t.Cleanup(upSrv.Close)
	url, _, _, logs := startRunLogs(t, append([]string{"--upstream", upSrv.URL, "--upstream-ak", "UPSTREAMAK", "--upstream-sk", "up-secret-key"}, args...), nil)
	return url, logs
}

// #21: an upstream answering a 4 MB X-Request-Id put it whole in the
// journal, the drift (twice: as the id and in the problem) and the log.
func TestHugeUpstreamRequestIDIsCutEverywhere(t *testing.T) {
	huge := strings.Repeat("a", 4<<20)
	url, logs := hostileUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", huge)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"statics":[]}`)
	})
	code, hdr, body := get(t, url+"/v2/"+proxyProject+"/connections/status", nil)
	if code != 200 || body != `{"statics":[]}` {
		t.Fatalf("through the proxy: %d %s", code, body)
	}
	if id := hdr.Get("X-Request-Id"); len(id) > 600 || !strings.HasPrefix(id, "aaaa") {
		t.Errorf("the client got an X-Request-Id of %d bytes", len(id))
	}
	_, _, journal := get(t, url+"/_mock/requests", nil)
	_, _, drift := get(t, url+"/_mock/drift", nil)
	if len(journal) > 16<<10 || len(drift) > 16<<10 || len(logs.String()) > 64<<10 {
		t.Errorf("journal %d bytes, drift %d bytes, logs %d bytes for one answer", len(journal), len(drift), len(logs.String()))
	}
	if !strings.Contains(drift, "is not 32 lowercase hex") {
		t.Errorf("the drift does not name the request id: %.300s", drift)
	}
}

// #21: an upstream that echoes the proxy's signature put it in the drift,
// the log and the journal.
func TestEchoedSignatureIsScrubbed(t *testing.T) {
	var mu sync.Mutex
	var auth string
	url, logs := hostileUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = r.Header.Get("Authorization")
		mu.Unlock()
		w.Header().Set("X-Request-Id", auth)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		io.WriteString(w, `{"error_code":"APIGW.0301","error_msg":{"echo":`+quoteJSON(auth)+`},"error_detail":"up-secret-key"}`)
	})
	get(t, url+"/v2/"+proxyProject+"/connections/status", nil)
	mu.Lock()
	sig := regexp.MustCompile(`Signature=([0-9a-f]{64})`).FindStringSubmatch(auth)
	mu.Unlock()
	if sig == nil {
		t.Fatalf("the upstream saw no signature: %q", auth)
	}
	_, _, journal := get(t, url+"/_mock/requests", nil)
	_, _, drift := get(t, url+"/_mock/drift", nil)
	for where, text := range map[string]string{"journal": journal, "drift": drift, "log": logs.String()} {
		for _, secret := range []string{sig[1], "UPSTREAMAK", "up-secret-key"} {
			if strings.Contains(text, secret) {
				t.Errorf("the %s holds %q: %.600s", where, secret, text)
			}
		}
	}
	if !strings.Contains(drift, "Signature=***") {
		t.Errorf("the drift does not show what was scrubbed: %.600s", drift)
	}
}

func quoteJSON(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

// #21: an upstream's text/html answer was served on the emulator's origin as
// a page a browser would run.
func TestNonJSONUpstreamAnswersAreInert(t *testing.T) {
	url, _ := hostileUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(503)
		io.WriteString(w, `<script>fetch("/_mock/reset",{method:"POST"})</script>`)
	})
	code, hdr, body := get(t, url+"/v2/"+proxyProject+"/connections/status", nil)
	if code != 503 || !strings.Contains(body, "<script>") || hdr.Get("Content-Type") != "text/html" {
		t.Fatalf("the upstream's answer is not passed unchanged: %d %q %s", code, hdr.Get("Content-Type"), body)
	}
	if hdr.Get("X-Content-Type-Options") != "nosniff" || hdr.Get("Content-Security-Policy") != "sandbox" {
		t.Errorf("an upstream's HTML is served live: X-Content-Type-Options %q, Content-Security-Policy %q",
			hdr.Get("X-Content-Type-Options"), hdr.Get("Content-Security-Policy"))
	}
}

// #21: --upstream https://user:password@host printed the password in the
// start-up line.
func TestUpstreamPasswordIsNotLogged(t *testing.T) {
	_, _, _, logs := startRunLogs(t, []string{"--upstream", "http://someone:pa55word@127.0.0.1:1", "--upstream-ak", "AK", "--upstream-sk", "SK"}, nil)
	if strings.Contains(logs.String(), "pa55word") || !strings.Contains(logs.String(), "someone") {
		t.Errorf("the start-up log: %s", logs.String())
	}
}

// The upstream's request id is bounded as the journal bounds its fields:
// the two bounds are one value, kept in two packages.
func TestRequestIDBoundIsTheJournals(t *testing.T) {
	if upstream.MaxRequestID != handlers.MaxEntryField {
		t.Fatalf("upstream.MaxRequestID %d, handlers.MaxEntryField %d", upstream.MaxRequestID, handlers.MaxEntryField)
	}
}

package aksk_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/workspace-mock/mockserver/internal/aksk"
)

// SignRequest and Verify are the two halves of one algorithm: whatever
// SignRequest signs, Verify accepts, and a change to a signed part is caught.
func TestSignRequestIsWhatVerifyAccepts(t *testing.T) {
	v := verifier(t)
	for _, c := range []struct {
		method, url string
		body        string
		hdr         map[string]string
	}{
		{"GET", "http://127.0.0.1:8080" + path, "", map[string]string{"Content-Type": "application/json", "X-Project-Id": "0bec5db98280d2d02fd6c00c2de791ce"}},
		{"GET", "http://upstream.example/v3/projects?name=cn-north-4&b=x%20y%2Fz", "", nil},
		{"GET", "http://upstream.example/v2/%7Bproject_id%7D/connections/status", "", nil},
		{"POST", "http://upstream.example/v2/p/desktops/batch-start", `{"desktop_ids":["a"]}`, map[string]string{"Content-Type": "application/json"}},
	} {
		r, err := http.NewRequest(c.method, c.url, strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		for k, val := range c.hdr {
			r.Header.Set(k, val)
		}
		r.Header.Set("Authorization", "stale")
		if err := aksk.SignRequest(r, []byte(c.body), "AK1", "SK1", now); err != nil {
			t.Fatal(err)
		}
		if e := v.Verify(r, []byte(c.body)); e != nil {
			t.Errorf("%s %s: rejected: %+v (%s)", c.method, c.url, e, r.Header.Get("Authorization"))
		}
		if e := v.Verify(r, []byte(c.body+" ")); c.body != "" && e == nil {
			t.Errorf("%s %s: a changed body is accepted", c.method, c.url)
		}
		r.URL.Path += "x"
		if e := v.Verify(r, []byte(c.body)); e == nil {
			t.Errorf("%s %s: a changed path is accepted", c.method, c.url)
		}
	}
}

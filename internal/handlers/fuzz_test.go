package handlers

import (
	"net/http"
	"strings"
	"testing"
)

// FuzzSwitches: any header values give a valid switch set or a message for
// the 400, never a panic; and a request with them always gets an answer
// carrying X-Request-Id. Seed corpus: testdata/fuzz/FuzzSwitches.
func FuzzSwitches(f *testing.F) {
	f.Add("default", "500", "code=404", "10ms", "42")
	f.Add("", "", "", "", "")
	f.Add("nope", "abc", "code=200, dynamic=true", "1ms..2ms", "-1")
	m := newMock(f, Options{})
	f.Fuzz(func(t *testing.T, scenario, status, prefer, delay, seed string) {
		h := http.Header{}
		for k, v := range map[string]string{"X-Mock-Scenario": scenario, "X-Mock-Error": status, "Prefer": prefer, "X-Mock-Delay": delay, "X-Mock-Seed": seed} {
			if v != "" {
				h[k] = []string{v}
			}
		}
		sw := parseSwitches(h)
		bad := sw.Problem
		if bad == "" && sw.Delay != nil && sw.Delay.Max > 10*60e9 {
			t.Fatalf("accepted a delay over the limit: %v", sw.Delay)
		}
		if bad != "" {
			if strings.TrimSpace(bad) == "" {
				t.Fatal("empty message")
			}
			return
		}
		if sw.Delay != nil && sw.Delay.Max > 0 {
			return // valid, but the fuzzer must not sleep
		}
		if sw.Scenario == "slow" || sw.Scenario == "fault-hang" || sw.Scenario == "fault-reset" || sw.Scenario == "fault-empty" {
			return // waits or drops a connection the recorder doesn't have
		}
		rec := do(m, "GET", apiPath, flatten(h))
		if len(rec.Header().Get("X-Request-Id")) != 32 || rec.Code == 0 {
			t.Fatalf("answer %d without a request id", rec.Code)
		}
	})
}

func flatten(h http.Header) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		out[k] = v[0]
	}
	return out
}

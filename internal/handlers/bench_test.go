package handlers

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// discardWriter is the cheapest ResponseWriter, so benchmarks measure the
// emulator's own work.
type discardWriter struct {
	h      http.Header
	status int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(s int)           { d.status = s }

func (d *discardWriter) reset() {
	clear(d.h)
	d.status = 0
}

func benchRequest(b *testing.B, m *Mock, hdr map[string]string) {
	req := httptest.NewRequest("GET", apiPath, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.reset()
		m.ServeHTTP(w, req)
	}
	if w.status != 200 {
		b.Fatalf("status %d", w.status)
	}
}

func BenchmarkDefault(b *testing.B) { benchRequest(b, newMock(b, Options{}), nil) }
func BenchmarkLarge(b *testing.B)   { benchRequest(b, newMock(b, Options{Scenario: "large"}), nil) }
func BenchmarkFresh(b *testing.B)   { benchRequest(b, newMock(b, Options{Scenario: "fresh"}), nil) }
func BenchmarkWithSwitches(b *testing.B) {
	benchRequest(b, newMock(b, Options{}), map[string]string{"X-Mock-Scenario": "empty", "X-Mock-Seed": "3"})
}

// TestDefaultHotPathAllocationBudget pins the allocations of the default
// scenario's request path (emulator code only, not net/http's): deterministic,
// so it can guard CI against a slip in the hot path.
func TestDefaultHotPathAllocationBudget(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under -race (net/http's sync.Pools drop items); .ci/run checks the budget without it")
	}
	m := newMock(t, Options{})
	req := httptest.NewRequest("GET", apiPath, nil)
	w := &discardWriter{h: http.Header{}}
	allocs := testing.AllocsPerRun(1000, func() {
		w.reset()
		m.ServeHTTP(w, req)
	})
	// The X-Request-Id value, and chi's four (its route context on the
	// request, and net/http's path values); everything else is cached or on
	// the stack.
	const budget = 5
	if allocs > budget {
		t.Fatalf("%.0f allocations per request, budget %d", allocs, budget)
	}
	t.Logf("%.0f allocations per request", allocs)
}

func BenchmarkOfficeDay(b *testing.B) {
	benchRequest(b, newMock(b, Options{Scenario: "office-day"}), nil)
}
func BenchmarkOfficeDayByHeader(b *testing.B) {
	benchRequest(b, newMock(b, Options{}), map[string]string{"X-Mock-Scenario": "office-day"})
}

func BenchmarkCallCentre(b *testing.B) {
	benchRequest(b, newMock(b, Options{Scenario: "call-centre"}), nil)
}

func BenchmarkCallCentreByHeader(b *testing.B) {
	benchRequest(b, newMock(b, Options{}), map[string]string{"X-Mock-Scenario": "call-centre"})
}

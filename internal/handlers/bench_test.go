package handlers

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
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

// BenchmarkDesktopPageAtNewInstant: a page of 500 desktops of a
// 100,000-desktop fleet, each request at an instant not asked before (the
// bench's "computed at a new instant" row, without the transfer).
func BenchmarkDesktopPageAtNewInstant(b *testing.B) {
	var pools strings.Builder
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&pools, "    - {name: pool-%d, desktops: 10000}\n", i)
	}
	m := newMock(b, Options{Scenarios: setOf(b, map[string]string{"big.yaml": "name: big\nfleet:\n  time_zone: Asia/Shanghai\n  pools:\n" + pools.String()}), Scenario: "big"})
	req := httptest.NewRequest("GET", "/v2/"+project+"/desktops/detail?limit=500&offset=50000", nil)
	w := &discardWriter{h: http.Header{}}
	at := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		req.Header.Set("X-Mock-Time", at.Add(time.Duration(i)*time.Second).Format(time.RFC3339))
		w.reset()
		m.ServeHTTP(w, req)
		if w.status != 200 {
			b.Fatalf("status %d", w.status)
		}
	}
}

func BenchmarkHandWrittenByHeader(b *testing.B) {
	benchRequest(b, newMock(b, Options{}), map[string]string{"X-Mock-Scenario": "hand-written"})
}

package engine

import (
	"fmt"
	"strings"
	"testing"

	"github.com/workspace-mock/mockserver/internal/fixtures"
)

func newEngine(t testing.TB, c Config) *Engine {
	t.Helper()
	if c.Scenarios == nil {
		_, set, problems := fixtures.Open("")
		if len(problems) > 0 {
			t.Fatal(problems)
		}
		c.Scenarios = set
	}
	e, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// what an answer comes to, for a table.
func outcome(a Answer) string { return a.String() }

// Made-up project ids cannot grow the per-project state without bound, and a
// project in use keeps its place in its sequence.
func TestPerProjectStateIsBounded(t *testing.T) {
	m := newEngine(t, Config{})
	m.counters = newCounters(1000)
	hdr := &Switches{Scenario: "fail-twice"}
	if got := outcome(m.Decide(ListInstancesStatus, "steady", Args{}, hdr)); got != "fail-twice 500 WKS.00000003" {
		t.Fatalf("first request of a fail-twice project: %s", got)
	}
	for i := 0; i < 10_000; i++ {
		m.Decide(ListInstancesStatus, fmt.Sprintf("p%d", i), Args{}, hdr)
		if i%500 == 0 {
			m.Decide(ListInstancesStatus, "steady", Args{}, hdr) // in use: keeps its count
		}
	}
	if n := m.counters.len(); n > 2000 {
		t.Fatalf("%d counters kept for 10,001 projects, limit 2 x 1000", n)
	}
	if got := outcome(m.Decide(ListInstancesStatus, "steady", Args{}, hdr)); got != "fail-twice 200 45B" && !strings.HasPrefix(got, "fail-twice 200") {
		t.Fatalf("a project in use lost its place in the sequence: %s", got)
	}
}

// Projects that keep actions are bounded: one more is refused 429 until a
// reset forgets some.
func TestProjectsWithActionsAreBounded(t *testing.T) {
	s := &actionStore{limit: 2}
	for _, p := range []string{"a", "b", "a"} {
		if _, err := s.logFor(p); err != nil {
			t.Fatalf("%s: %+v", p, err)
		}
	}
	if _, err := s.logFor("c"); err == nil || err.Status != 429 {
		t.Fatalf("a third project: %+v", err)
	}
	s.reset("a")
	if _, err := s.logFor("c"); err != nil || s.of("a") != nil {
		t.Fatalf("after a reset: %+v", err)
	}
	other := &actionStore{}
	if s.jobID("p", 1, 0) != other.jobID("p", 1, 0) || s.jobID("p", 1, 0) == s.jobID("p", 1, 1) || s.jobID("p", 1, 0) == s.jobID("q", 1, 0) {
		t.Fatal("job ids are not a function of (project, sequence, seed)")
	}
}

package engine

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
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

func setOf(t testing.TB, files map[string]string) *fixtures.Set {
	t.Helper()
	var list []*fixtures.Scenario
	for name, body := range files {
		sc, problems := fixtures.ParseFile(name, []byte(body))
		if len(problems) > 0 {
			t.Fatal(problems)
		}
		list = append(list, sc)
	}
	set, problems := fixtures.Build(list)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	return set
}

// An error can be limited to operations, from a scenario's error or failure
// and from the admin API, so a test fails one call of a dashboard and not
// the others; an injected count is used up by its operations only.
func TestErrorsLimitedToOperations(t *testing.T) {
	group := "statics:\n  - {static_name: p, running_num: 2, stop_num: 0, hibernate_num: 0, other_num: 0, attached_num: 2, unattached_num: 0, cannot_attach_num: 0, in_process_num: 0, in_use_num: 1, unregistered_num: 0, ready_num: 1, disconnected_num: 0, unknown_num: 0}\n"
	e := newEngine(t, Config{Scenarios: setOf(t, map[string]string{
		"default.yaml": "name: default\n" + group,
		"limited.yaml": "name: limited\n" + group + "error: {status: 500, operations: [ListDesktopsDetail]}\n",
		"flaky.yaml":   "name: flaky\n" + group + "failure_rate: 1\nfailure: {error: {status: 429, operations: [ListLoginState]}}\n",
	})})
	ask := func(op *Operation, project, scenario string) string {
		return e.Decide(op, project, Args{}, &Switches{Scenario: scenario}).String()
	}
	for _, c := range []struct {
		op       *Operation
		scenario string
		want     string
	}{
		{ListInstancesStatus, "limited", "limited 200"},
		{ListDesktopsDetail, "limited", "limited 500 WKS.00000003"},
		{ListLoginState, "flaky", "flaky 429 APIGW.0308"},
		{ListDesktopPools, "flaky", "flaky 200"},
	} {
		if got := ask(c.op, "p", c.scenario); !strings.HasPrefix(got, c.want) {
			t.Errorf("%s of %s: %s, want %s", c.op.Name, c.scenario, got, c.want)
		}
	}
	e500, _ := wire.Documented(500)
	if err := e.InjectError("q", e500, 1, "ListDesktopPools"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		op   *Operation
		want string
	}{{ListInstancesStatus, "default 200"}, {ListDesktopPools, "default 500"}, {ListDesktopPools, "default 200"}} {
		if got := ask(c.op, "q", ""); !strings.HasPrefix(got, c.want) {
			t.Errorf("injected for ListDesktopPools, once: %s answers %s, want %s", c.op.Name, got, c.want)
		}
	}
	if err := e.InjectError("q", e500, 0, "ListDesktop"); err == nil || !strings.Contains(err.Error(), "unknown operation") {
		t.Errorf("an unknown operation: %v", err)
	}
	for body, want := range map[string]string{
		"name: x\nerror: {status: 500, operations: [ListDesktopsDetail]}\n": "x.yaml:1: the scenario limits its error to some operations",
		"name: x\n" + group + "error: {status: 500, operations: [Nope]}\n":  "unknown operation \"Nope\"",
	} {
		if _, problems := fixtures.ParseFile("x.yaml", []byte(body)); len(problems) == 0 || !strings.Contains(problems.Error(), want) {
			t.Errorf("%q: %v, want %q", body, problems, want)
		}
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

// The operations the engine serves are the names switches and scenario
// files are checked against, one list.
func TestOperationsAreWiresNames(t *testing.T) {
	if got := strings.Join(OperationNames(), ","); got != strings.Join(wire.Operations, ",") {
		t.Fatalf("engine serves %s; wire.Operations lists %s", got, strings.Join(wire.Operations, ","))
	}
}

// A scenario that counts requests (flaky: a failure rate) answers the same
// pools on connections/status and on the desktop views.
func TestCountedScenariosShowTheSamePoolsInEveryView(t *testing.T) {
	e := newEngine(t, Config{})
	sw := &Switches{Scenario: "flaky", Success: true}
	for i := 0; i < 3; i++ {
		status := e.Decide(ListInstancesStatus, "p", Args{}, sw)
		pools := e.Decide(ListDesktopPools, "p", Args{}, sw)
		var first struct {
			Statics []struct {
				Name string `json:"static_name"`
			} `json:"statics"`
		}
		var second struct {
			Pools []struct {
				Name string `json:"name"`
			} `json:"desktop_pools"`
		}
		if json.Unmarshal(status.Body.Bytes, &first) != nil || json.Unmarshal(pools.Body.Bytes, &second) != nil ||
			len(first.Statics) == 0 || len(first.Statics) != len(second.Pools) || first.Statics[0].Name != second.Pools[0].Name {
			t.Fatalf("request %d: connections/status %.120s, desktop-pools %.120s", i, status.Body.Bytes, pools.Body.Bytes)
		}
	}
}

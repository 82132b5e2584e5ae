package engine

import (
	"errors"
	"fmt"
	"testing"

	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// Projects with switches of their own are bounded: past the bound a switch
// for one more project is refused (the others keep theirs), and forgetting
// one makes room.
func TestProjectSwitchesAreBounded(t *testing.T) {
	e := newEngine(t, Config{})
	e.ctl.Load().projects.limit = 1000
	for i := 0; i < 1000; i++ {
		if err := e.SetScenario(fmt.Sprintf("p%d", i), "empty"); err != nil {
			t.Fatalf("project %d: %v", i, err)
		}
	}
	if err := e.SetDelay("one-more", fixtures.Delay{}); !errors.Is(err, ErrTooManyProjects) {
		t.Fatalf("the 1001st project's switch: %v, want ErrTooManyProjects", err)
	}
	if err := e.SetScenario("p7", "large"); err != nil {
		t.Fatalf("a project that has switches changes them past the bound: %v", err)
	}
	e.Reset("p3")
	if err := e.SetScenario("one-more", "empty"); err != nil {
		t.Fatalf("after a project's reset: %v", err)
	}
	if _, projects := e.Active(); len(projects) != 1000 || projects["p7"] != "large" || projects["p3"] != "" {
		t.Fatalf("%d projects with a scenario, p7 %q, p3 %q", len(projects), projects["p7"], projects["p3"])
	}
	e.Reset("")
	if _, projects := e.Active(); len(projects) != 0 {
		t.Fatalf("after reset: %d projects", len(projects))
	}
}

// A project whose injected errors have all been answered no longer counts
// toward the bound: at the bound, a new project's switch takes the room of
// one whose count is used up; one still to fail keeps its place.
func TestUsedUpInjectionsMakeRoom(t *testing.T) {
	e := newEngine(t, Config{})
	e.ctl.Load().projects.limit = 3
	for _, p := range []string{"a", "b", "c"} {
		if err := e.InjectError(p, wire.Error{Status: 503, Code: "x"}, 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.SetDelay("d", fixtures.Delay{}); !errors.Is(err, ErrTooManyProjects) {
		t.Fatalf("a fourth project while three errors wait: %v, want ErrTooManyProjects", err)
	}
	if a := e.Decide(ListInstancesStatus, "b", Args{}, &Switches{}); a.Err == nil || a.Err.Status != 503 {
		t.Fatalf("b's first request: %+v, want the injected 503", a)
	}
	if err := e.SetScenario("d", "empty"); err != nil {
		t.Fatalf("a fourth project once b's error was answered: %v", err)
	}
	if err := e.SetScenario("e", "empty"); !errors.Is(err, ErrTooManyProjects) {
		t.Fatalf("a fifth project: %v, want ErrTooManyProjects", err)
	}
	if a := e.Decide(ListInstancesStatus, "a", Args{}, &Switches{}); a.Err == nil || a.Err.Status != 503 {
		t.Fatalf("a's error was lost to the pruning: %+v", a)
	}
	if c := e.Controls(); len(c.Projects) != 3 || c.Projects["d"].Scenario != "empty" {
		t.Fatalf("projects listed: %+v", c.Projects)
	}
}

// BenchmarkSwitchWithManyProjects: a switch for one project when 30,000
// have their own (it copied all of them: 55 writes/s at 31,000 projects).
func BenchmarkSwitchWithManyProjects(b *testing.B) {
	e := newEngine(b, Config{})
	for i := 0; i < 30_000; i++ {
		_ = e.SetScenario(fmt.Sprintf("p%d", i), "empty")
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = e.SetScenario(fmt.Sprintf("p%d", i%30_000), "large")
	}
}

// BenchmarkRefusalAtTheBound: one more project's switch when 100,000 have
// theirs and none has used its settings up (each refusal looks for room).
func BenchmarkRefusalAtTheBound(b *testing.B) {
	e := newEngine(b, Config{})
	for i := 0; i < MaxProjectLayers; i++ {
		_ = e.SetScenario(fmt.Sprintf("p%d", i), "empty")
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := e.SetScenario("one-more", "large"); !errors.Is(err, ErrTooManyProjects) {
			b.Fatal(err)
		}
	}
}

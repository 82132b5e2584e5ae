package engine

import (
	"errors"
	"fmt"
	"testing"

	"github.com/workspace-mock/mockserver/internal/fixtures"
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

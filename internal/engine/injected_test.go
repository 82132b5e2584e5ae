package engine

import (
	"fmt"
	"testing"

	"github.com/workspace-mock/mockserver/internal/wire"
)

// InjectedFor says what Decide would take, layer by layer, and takes
// nothing: the next requests still fail as many times as injected.
func TestInjectedForReadsWhatDecideTakes(t *testing.T) {
	boot := wire.Mock(503, "MOCK.0503", "start-up")
	e := newEngine(t, Config{Error: &boot})
	say := func(in *InjectedError) string {
		if in == nil {
			return "none"
		}
		return fmt.Sprintf("%d %s left %d %v", in.Status, in.Layer, in.Left, in.Operations)
	}
	steps := []struct {
		do      func()
		project string
		op      *Operation
		want    string
	}{
		{func() {}, "p1", ListInstancesStatus, "503 startup left 0 []"},
		{func() { _ = e.InjectError("", wire.Mock(429, "X", "global"), 0) }, "p1", ListInstancesStatus, "429 global left 0 []"},
		{func() { _ = e.InjectError("p1", wire.Mock(500, "X", "p1"), 2, "ListDesktopsDetail") }, "p1", ListDesktopsDetail, "500 project left 2 [ListDesktopsDetail]"},
		{func() {}, "p1", ListInstancesStatus, "429 global left 0 []"}, // limited to another operation
		{func() {}, "p2", ListDesktopsDetail, "429 global left 0 []"},
		{func() { e.Decide(ListDesktopsDetail, "p1", Args{}, &Switches{}) }, "p1", ListDesktopsDetail, "500 project left 1 [ListDesktopsDetail]"},
		{func() { e.Decide(ListDesktopsDetail, "p1", Args{}, &Switches{}) }, "p1", ListDesktopsDetail, "429 global left 0 []"}, // used up
		{func() { e.ClearError("") }, "p1", ListInstancesStatus, "503 startup left 0 []"},
	}
	for k, s := range steps {
		s.do()
		for range 3 { // reading takes nothing
			if got := say(e.InjectedFor(s.project, s.op)); got != s.want {
				t.Fatalf("step %d: %s for %s: %s, want %s", k, s.project, s.op.Name, got, s.want)
			}
		}
	}
	e2 := newEngine(t, Config{})
	if in := e2.InjectedFor("p1", ListInstancesStatus); in != nil {
		t.Fatalf("nothing injected: %+v", in)
	}
}

package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/workspace-mock/mockserver/internal/fixtures"
)

// statusOf is what connections/status answers the project (at X-Mock-Time
// at, unless nil).
func statusOf(t *testing.T, e *Engine, project string, at *time.Time) []fixtures.Group {
	t.Helper()
	a := e.Decide(ListInstancesStatus, project, Args{}, &Switches{Time: at})
	if a.Err != nil || a.Fault != fixtures.FaultNone {
		t.Fatalf("connections/status: %s", a)
	}
	var body struct{ Statics []fixtures.Group }
	if err := json.Unmarshal(a.Body.Bytes, &body); err != nil {
		t.Fatal(err)
	}
	return body.Statics
}

// previewOf is the project's preview over q, instant by instant.
func previewOf(t *testing.T, e *Engine, project string, q PreviewQuery) []SnapshotJSON {
	t.Helper()
	p, err := e.Preview(project, q)
	if err != nil {
		t.Fatal(err)
	}
	var out []SnapshotJSON
	if err := p.Each(context.Background(), func(s SnapshotJSON) error { out = append(out, s); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func act(t *testing.T, e *Engine, op *Operation, project string, args Args) string {
	t.Helper()
	a := e.Decide(op, project, args, &Switches{})
	if a.Err != nil {
		t.Fatalf("%s: %s %s", op.Name, a, a.Err.Detail)
	}
	var body struct {
		JobID string `json:"job_id"`
	}
	if err := json.Unmarshal(a.Body.Bytes, &body); err != nil || body.JobID == "" {
		t.Fatalf("%s: %s (%v)", op.Name, a.Body.Bytes, err)
	}
	return body.JobID
}

// A project that started a desktop at night: the preview and the drill-down
// count it as connections/status does at every instant (starting, then
// running), the instant before the action shows the fleet without it, and
// another project sees none of it.
func TestThePreviewAndTheDrillDownShowTheProjectsActions(t *testing.T) {
	zero := 0.0
	night := time.Date(2026, 12, 1, 19, 30, 0, 0, time.UTC) // 03:30 in Shanghai, a Wednesday
	e := newEngine(t, Config{Scenario: "office-day", ClockStart: night, ClockSpeed: &zero, Seed: 7})
	page, err := e.Desktops("p1", "finance-pool", 0, 200)
	if err != nil || page.Error != nil {
		t.Fatal(err, page.Error)
	}
	var off string
	for _, d := range page.Desktops {
		if d.Status == "SHUTOFF" || d.Status == "HIBERNATED" {
			off = d.ID
			break
		}
	}
	if off == "" {
		t.Fatal("no desktop of finance-pool is off at 03:30")
	}
	before := page.Counters
	job := act(t, e, BatchRunDesktops, "p1", Args{Body: fmt.Appendf(nil, `{"desktop_ids":[%q],"op_type":"os-start"}`, off)})

	same := func(when string) {
		t.Helper()
		now := statusOf(t, e, "p1", nil)
		if got := previewOf(t, e, "p1", PreviewQuery{}); len(got) != 1 || !reflect.DeepEqual(got[0].Statics, now) {
			t.Fatalf("%s: the preview counts %+v, connections/status %+v", when, got, now)
		}
		page, err := e.Desktops("p1", "finance-pool", 0, 200)
		if err != nil || !reflect.DeepEqual(page.Counters, now[0]) || now[0].StaticName != "finance-pool" {
			t.Fatalf("%s: the drill-down counts %+v (%v), connections/status %+v", when, page.Counters, err, now[0])
		}
	}
	same("while it starts")
	if now := statusOf(t, e, "p1", nil)[0]; now.RunningNum != before.RunningNum+1 {
		t.Fatalf("a starting desktop is not counted running: before %+v, now %+v", before, now)
	}
	if other := statusOf(t, e, "p2", nil)[0]; !reflect.DeepEqual(other, before) {
		t.Fatalf("another project sees the action: %+v, before %+v", other, before)
	}
	if err := e.AdvanceClock("p1", 10*time.Minute); err != nil {
		t.Fatal(err)
	}
	same("ten minutes on")
	page, _ = e.Desktops("p1", "finance-pool", 0, 200)
	for _, d := range page.Desktops {
		if d.ID == off && (d.Status != "ACTIVE" || d.LoginStatus != "REGISTERED") {
			t.Fatalf("the started desktop ten minutes on: %+v", d)
		}
	}
	acts := e.Actions("p1").Projects["p1"]
	if len(acts) != 1 || acts[0].JobID != job || acts[0].JobStatus != "SUCCESS" || acts[0].SubJobsOK != 1 || acts[0].JobEndsAt != *acts[0].JobEndTime {
		t.Fatalf("the action ten minutes on: %+v", acts)
	}

	// over a range, each instant is what connections/status answers at it
	from := night.Add(-time.Minute)
	over := previewOf(t, e, "p1", PreviewQuery{From: from, To: from.Add(12 * time.Minute), Step: time.Minute})
	for k, s := range over {
		at := from.Add(time.Duration(k) * time.Minute)
		if want := statusOf(t, e, "p1", &at); !reflect.DeepEqual(s.Statics, want) {
			t.Fatalf("at %s the preview counts %+v, connections/status %+v", at, s.Statics[0], want[0])
		}
	}
	if !reflect.DeepEqual(over[0].Statics[0], before) || reflect.DeepEqual(over[1].Statics[0], before) {
		t.Fatalf("before the action %+v, at it %+v; the fleet without it %+v", over[0].Statics[0], over[1].Statics[0], before)
	}
}

// On a scenario of counters, which answers the same at every instant, a
// pool action shows in the preview from its instant on.
func TestThePreviewOfCountersShowsAPoolAction(t *testing.T) {
	zero := 0.0
	at := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	e := newEngine(t, Config{Scenario: "default", ClockStart: at, ClockSpeed: &zero, Seed: 7})
	first := statusOf(t, e, "p1", nil)[0]
	page, err := e.Desktops("p1", first.StaticName, 0, 1)
	if err != nil || page.PoolID == "" {
		t.Fatalf("pool %q: id %q (%v)", first.StaticName, page.PoolID, err)
	}
	act(t, e, ExecuteDesktopPoolAction, "p1", Args{ID: page.PoolID, Body: []byte(`{"op_type":"os-stop","type":"HARD"}`)})
	if err := e.AdvanceClock("p1", 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	now := statusOf(t, e, "p1", nil)
	if now[0].RunningNum != 0 || now[0].StopNum <= first.StopNum {
		t.Fatalf("after stopping the pool: %+v, before %+v", now[0], first)
	}
	over := previewOf(t, e, "p1", PreviewQuery{From: at.Add(-time.Minute), To: at.Add(5 * time.Minute), Step: 6 * time.Minute})
	if len(over) != 2 || !reflect.DeepEqual(over[0].Statics[0], first) || !reflect.DeepEqual(over[1].Statics, now) {
		t.Fatalf("the preview: %+v; before %+v, now %+v", over, first, now[0])
	}
}

// Counted at each instant, a project's acted desktops count towards the
// preview's bound of work, as a fleet's desktops do.
func TestThePreviewBoundCountsTheDesktopsActedOn(t *testing.T) {
	zero := 0.0
	at := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	e := newEngine(t, Config{Scenario: "large", ClockStart: at, ClockSpeed: &zero, Seed: 7})
	day := PreviewQuery{From: at, To: at.Add(MaxPreview*time.Minute - time.Minute), Step: time.Minute, Total: true}
	if _, err := e.Preview("p1", day); err != nil {
		t.Fatalf("%d instants of 1,000 pools without actions: %v", MaxPreview, err)
	}
	for _, g := range statusOf(t, e, "p1", nil) {
		if e.actions.of("p1") != nil && e.actions.of("p1").Targets() > MaxPreviewWork/MaxPreview {
			break
		}
		page, err := e.Desktops("p1", g.StaticName, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		e.Decide(ExecuteDesktopPoolAction, "p1", Args{ID: page.PoolID, Body: []byte(`{"op_type":"os-stop"}`)}, &Switches{})
	}
	if _, err := e.Preview("p1", day); !errors.Is(err, ErrPreviewTooBig) {
		t.Fatalf("%d instants of 1,000 pools and %d desktops acted on: %v", MaxPreview, e.actions.of("p1").Targets(), err)
	}
	if _, err := e.Preview("p2", day); err != nil {
		t.Fatalf("another project's preview: %v", err)
	}
}

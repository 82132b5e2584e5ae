package desktops

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// countActed counts a desktop the way the counters' definitions read a
// transition: starting and rebooting are running, stopping is stop,
// hibernating is hibernate, whatever status the desktop still shows.
func countActed(g *fixtures.Group, status, task, attach, login string) error {
	switch task {
	case "powering-on", "rebooting", "rebooting_hard":
		status = "ACTIVE"
	case "powering-off":
		status = "SHUTOFF"
	case "hibernating":
		status = "HIBERNATED"
	case "":
	default:
		return fmt.Errorf("task_status %q", task)
	}
	return countWords(g, status, attach, login)
}

func idsWhere(t *testing.T, v *View, n int, keep func(status, login string) bool) []string {
	var out []string
	for _, d := range *list(t, v, "limit=500").Desktops {
		if len(out) < n && keep(s(d.Status), s(d.LoginStatus)) {
			out = append(out, s(d.DesktopId))
		}
	}
	if len(out) < n {
		t.Fatalf("%d desktops found, %d wanted", len(out), n)
	}
	return out
}

func take(t *testing.T, v *View, l *Log, op Op, ids []string) {
	t.Helper()
	_, err := v.Accept(l, BatchRequest{DesktopIDs: ids, OpType: op.String()}, op, func(n int) string { return fmt.Sprintf("job-%d", n) })
	if err != nil {
		t.Fatalf("%s: %+v", op, err)
	}
}

// Every view agrees with the counters at every instant of the actions'
// transitions: the desktops counted by their words give connections/status,
// the counter relations hold, and the login records hold exactly the
// CONNECTED desktops.
func TestActionsKeepEveryViewTheCounters(t *testing.T) {
	f := shipped(t).Get("office-day").Steps[0].Fleet
	at := monday.Add(10*time.Hour + 30*time.Minute)
	l := NewLog()
	v := FromFleet(f, 7, at).WithActions(l, "office-day")
	connected := idsWhere(t, v, 40, func(st, lg string) bool { return lg == "CONNECTED" })
	take(t, v, l, OpStop, connected[:20])
	take(t, v, l, OpHibernate, connected[20:30])
	take(t, v, l, OpReboot, connected[30:])
	v = FromFleet(f, 7, at.Add(3*time.Minute)).WithActions(l, "office-day")
	take(t, v, l, OpStart, connected[:10]) // started again three minutes after the stop
	for _, d := range []time.Duration{0, 30 * time.Second, 70 * time.Second, 2 * time.Minute, 3 * time.Minute,
		3*time.Minute + 40*time.Second, 5 * time.Minute, 20 * time.Minute, 4 * time.Hour, 14 * time.Hour} {
		now := at.Add(d)
		v := FromFleet(f, 7, now).WithActions(l, "office-day")
		counted := map[string]*fixtures.Group{}
		for _, dt := range *list(t, v, "limit=500").Desktops {
			name := s(dt.ComputerName)
			pool := name[:strings.LastIndexByte(name, '-')]
			if counted[pool] == nil {
				counted[pool] = &fixtures.Group{}
			}
			if err := countActed(counted[pool], s(dt.Status), s(dt.TaskStatus), dt.AttachState.Value(), s(dt.LoginStatus)); err != nil {
				t.Fatal(err)
			}
		}
		var sum, want fixtures.Group
		for _, g := range v.Groups() {
			want = fixtures.Total("", []fixtures.Group{want, g})
			c := g.Counters()
			if p := wire.CounterRelations(g.StaticName, &c); len(p) > 0 {
				t.Fatalf("+%s: %s", d, p)
			}
		}
		for _, g := range counted {
			sum = fixtures.Total("", []fixtures.Group{sum, *g})
		}
		if sum != want {
			t.Fatalf("+%s: the desktops count\n%+v\nthe counters say\n%+v", d, sum, want)
		}
		if recs := allRecords(t, v, ""); !same(heldAt(t, recs, now.Unix()), connectedAt(t, v)) {
			t.Fatalf("+%s: records and login_status disagree", d)
		}
	}
	// At once, the stopped desktops are stopping; three minutes on, stopped.
	for _, probe := range []struct {
		d                   time.Duration
		status, task, login string
	}{{0, "ACTIVE", "powering-off", "UNREGISTER"}, {150 * time.Second, "SHUTOFF", "", "UNREGISTER"}} {
		body, err := FromFleet(f, 7, at.Add(probe.d)).WithActions(l, "office-day").ShowDesktopDetail(connected[15])
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"status":"` + probe.status + `"`, `"task_status":"` + probe.task + `"`, `"login_status":"` + probe.login + `"`} {
			if !strings.Contains(string(body), want) {
				t.Fatalf("+%s: no %s in %.300s", probe.d, want, body)
			}
		}
	}
}

// bigLog is 10,000 actions of 10 desktops each on bigFleet, taken over the
// two hours before busy: every desktop named once.
func bigLog(f *fixtures.Fleet) *Log {
	l := NewLog()
	ops := []Op{OpStop, OpStart, OpReboot, OpHibernate}
	for k := 0; k < 10_000; k++ {
		a := &Action{At: busy.Add(-2*time.Hour + time.Duration(k)*700*time.Millisecond).Unix(), Op: ops[k%4],
			JobID: fmt.Sprintf("job-%d", k), JobType: "operateDesktops", Scenario: "office-day", Seed: 1}
		for j := 0; j < 10; j++ {
			n := k*10 + j
			a.Targets = append(a.Targets, Target{Pool: int32(n % len(f.Pools)), Index: int64(n / len(f.Pools)), Before: fixtures.PowerRunning})
		}
		l.add(a)
	}
	return l
}

// connections/status of a 100,000-desktop fleet with 10,000 actions on it,
// counted from the desktops: the actions cost their desktops, not a scan of
// the log per desktop.
func BenchmarkStatusWith10kActionsOn100k(b *testing.B) {
	f := bigFleet(b)
	l := bigLog(f)
	benchOp(b, func() *View { return FromFleet(f, 1, busy).WithActions(l, "office-day") }, func(v *View) ([]byte, error) {
		return fixtures.EncodeStatics(nil, v.Groups()), nil
	})
}

// The same without actions, for comparison.
func BenchmarkStatusWithoutActionsOn100k(b *testing.B) {
	f := bigFleet(b)
	benchOp(b, func() *View { return FromFleet(f, 1, busy) }, func(v *View) ([]byte, error) {
		return fixtures.EncodeStatics(nil, v.Groups()), nil
	})
}

func BenchmarkDetailPage500With10kActionsOn100k(b *testing.B) {
	f := bigFleet(b)
	l := bigLog(f)
	benchOp(b, func() *View { return FromFleet(f, 1, busy).WithActions(l, "office-day") }, func(v *View) ([]byte, error) {
		return wrapErr(v.ListDesktopsDetail(values("offset=60000&limit=500")))
	})
}

func BenchmarkShowJobWith10kActionsOn100k(b *testing.B) {
	f := bigFleet(b)
	l := bigLog(f)
	benchOp(b, func() *View { return FromFleet(f, 1, busy).WithActions(l, "office-day") }, func(v *View) ([]byte, error) {
		return wrapErr(v.ShowJob("job-9999"))
	})
}

// Past the log's bounds an action is refused 429 and the log is unchanged.
func TestTheLogIsBounded(t *testing.T) {
	f := shipped(t).Get("office-day").Steps[0].Fleet
	at := monday.Add(3 * time.Hour)
	v := FromFleet(f, 7, at)
	ids := idsWhere(t, v, 1, func(st, _ string) bool { return st != "ACTIVE" })
	for _, fill := range []func(l *Log){
		func(l *Log) { // 10,000 actions
			for k := 0; k < MaxActions; k++ {
				l.add(&Action{JobID: fmt.Sprint(k), Scenario: "other"})
			}
		},
		func(l *Log) { // 200,000 desktops named
			l.add(&Action{JobID: "big", Scenario: "other", Targets: make([]Target, MaxTargets)})
		},
	} {
		l := NewLog()
		fill(l)
		n := l.Len()
		v := FromFleet(f, 7, at).WithActions(l, "office-day")
		_, err := v.Accept(l, BatchRequest{DesktopIDs: ids, OpType: "os-start"}, OpStart, func(int) string { return "x" })
		if err == nil || err.Status != 429 || err.Code != "APIGW.0308" || l.Len() != n {
			t.Fatalf("past the bound: %+v, %d actions (had %d)", err, l.Len(), n)
		}
	}
}

// The per-pool index finds every desktop's references, sparse or dense,
// and its slice stays within denseRatio of the acted desktops.
func TestDeskIndexAgreesWithAMap(t *testing.T) {
	for _, spread := range []int64{10, 1000, 1 << 30} {
		var x deskIndex
		want := map[int64][]uint64{}
		for k := uint64(0); k < 5000; k++ {
			i := int64(fixtures.Mix(int64(spread), k) % uint64(min(spread*int64(k+1), 1<<40)))
			x.add(i, k)
			want[i] = append(want[i], k)
		}
		for i, refs := range want {
			if got := x.of(i); fmt.Sprint(got) != fmt.Sprint(refs) {
				t.Fatalf("spread %d, desktop %d: %v, want %v", spread, i, got, refs)
			}
		}
		if x.of(-1) != nil || x.of(1<<41) != nil || len(x.desks) != len(want) {
			t.Fatalf("spread %d: %d desktops, want %d", spread, len(x.desks), len(want))
		}
		if dense := len(x.dense) > 0; dense != (spread < 1<<30) {
			t.Fatalf("spread %d: dense %v", spread, dense)
		}
		if len(x.dense) > denseRatio*len(x.desks)+1 {
			t.Fatalf("spread %d: a dense slice of %d for %d desktops", spread, len(x.dense), len(x.desks))
		}
	}
}

// On a scenario of counters too, the counters are the desktops with their
// actions, and the actions move them.
func TestActionsOnCounterDesktops(t *testing.T) {
	sc := shipped(t).Get("default")
	groups := sc.Groups(0, 7, 0)
	at := monday.Add(9 * time.Hour)
	l := NewLog()
	v := FromGroups(groups, 7, at).WithActions(l, "default")
	off := idsWhere(t, v, 3, func(st, _ string) bool { return st == "SHUTOFF" })
	on := idsWhere(t, v, 3, func(st, lg string) bool { return st == "ACTIVE" && lg == "CONNECTED" })
	take(t, v, l, OpStart, off)
	take(t, v, l, OpStop, on)
	base := fixtures.Total("", FromGroups(groups, 7, at).Groups())
	for _, d := range []time.Duration{0, 10 * time.Minute} {
		v := FromGroups(groups, 7, at.Add(d)).WithActions(l, "default")
		var counted fixtures.Group
		for _, dt := range *list(t, v, "limit=500").Desktops {
			if err := countActed(&counted, s(dt.Status), s(dt.TaskStatus), dt.AttachState.Value(), s(dt.LoginStatus)); err != nil {
				t.Fatal(err)
			}
		}
		got := fixtures.Total("", v.Groups())
		counted.StaticName = got.StaticName
		if counted != got {
			t.Fatalf("+%s: desktops %+v, counters %+v", d, counted, got)
		}
		if got.RunningNum != base.RunningNum || got.StopNum != base.StopNum || got.InUseNum != base.InUseNum-3 {
			t.Fatalf("+%s: three started and three stopped: %+v from %+v", d, got, base)
		}
	}
}

package desktops

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"
	"github.com/workspace-mock/mockserver/internal/fixtures"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

// monday is a Monday, Shanghai time; officeHours are instants of its day
// that show every part of it: night, arrivals, lunch, the outage, departures.
var (
	monday      = time.Date(2026, 11, 30, 0, 0, 0, 0, shanghai)
	officeHours = []time.Duration{3 * time.Hour, 8*time.Hour + 50*time.Minute, 10*time.Hour + 10*time.Minute,
		12*time.Hour + 20*time.Minute, 15 * time.Hour, 19*time.Hour + 30*time.Minute, 22 * time.Hour}
)

func shipped(t testing.TB) *fixtures.Set {
	t.Helper()
	_, set, problems := fixtures.Open("")
	if len(problems) > 0 {
		t.Fatalf("shipped scenarios: %v", problems)
	}
	return set
}

// viewOf is what a handler would build for scenario sc at t: nil for a
// scenario that answers with an error or a fault.
func viewOf(sc *fixtures.Scenario, seed int64, t time.Time) (*View, []fixtures.Group) {
	st := &sc.Steps[0]
	switch {
	case st.Error != nil || st.Fault != fixtures.FaultNone:
		return nil, nil
	case st.Fleet != nil:
		if st.Fleet.Failing(t) != nil {
			return nil, nil
		}
		return FromFleet(st.Fleet, seed, t), st.Fleet.Groups(seed, t)
	}
	groups := sc.Groups(0, seed, 0)
	return FromGroups(groups, seed, t), groups
}

func fleetView(t testing.TB, name string, at time.Time) *View {
	t.Helper()
	sc := shipped(t).Get(name)
	if sc == nil || sc.Steps[0].Fleet == nil {
		t.Fatalf("no fleet scenario %s", name)
	}
	return FromFleet(sc.Steps[0].Fleet, 7, at)
}

// wordsToGroup counts desktops by the words the wire shows, the way the
// counters' definitions read them.
func countWords(g *fixtures.Group, status, attach, login string) error {
	switch status {
	case "ACTIVE":
		g.RunningNum++
	case "SHUTOFF":
		g.StopNum++
	case "HIBERNATED":
		g.HibernateNum++
	case "ERROR":
		g.OtherNum++
	default:
		return fmt.Errorf("status %q", status)
	}
	switch attach {
	case "ATTACHED":
		g.AttachedNum++
	case "UNATTACH":
		g.UnattachedNum++
	case "ATTACHFAIL", "DEATTACHFAIL", "DEATTACHED":
		g.CannotAttachNum++
	case "ATTACHING", "DEATTACHING":
		g.InProcessNum++
	default:
		return fmt.Errorf("attach_state %q", attach)
	}
	switch login {
	case "CONNECTED":
		g.InUseNum++
	case "REGISTERED":
		g.ReadyNum++
	case "DISCONNECTED":
		g.DisconnectedNum++
	case "UNREGISTER":
		g.UnregisteredNum++
	default:
		g.UnknownNum++
	}
	return nil
}

func sums(g fixtures.Group) (power, attach, login int64) {
	power = int64(g.RunningNum) + int64(g.StopNum) + int64(g.HibernateNum) + int64(g.OtherNum)
	attach = int64(g.AttachedNum) + int64(g.UnattachedNum) + int64(g.CannotAttachNum) + int64(g.InProcessNum)
	login = int64(g.InUseNum) + int64(g.ReadyNum) + int64(g.DisconnectedNum) + int64(g.UnregisteredNum) + int64(g.UnknownNum)
	return
}

// One truth: for every shipped scenario with data, at instants of a day,
// the desktops counted one by one by their wire words give back exactly the
// groups connections/status answers.
func TestDesktopsAddUpToTheCounters(t *testing.T) {
	set := shipped(t)
	checked := map[string]int{}
	for _, name := range set.Names() {
		sc := set.Get(name)
		for _, h := range officeHours {
			at := monday.Add(h)
			v, want := viewOf(sc, 3, at)
			if v == nil {
				continue
			}
			for k := range v.pools {
				p := &v.pools[k]
				pw, aw, lw := sums(want[k])
				if pw != aw || aw != lw {
					continue // hand-written counters that cannot add up: TestMaxValues
				}
				if p.n != pw {
					t.Fatalf("%s %s: %d desktops, counters say %d", name, p.name, p.n, pw)
				}
				got := fixtures.Group{StaticName: p.name, Listed: want[k].Listed}
				for i := int64(0); i < p.n; i++ {
					d := v.desk(p, i)
					if err := countWords(&got, d.status(), d.attachState(), d.loginStatus()); err != nil {
						t.Fatalf("%s %s/%d: %v", name, p.name, i, err)
					}
				}
				if got != want[k] {
					t.Fatalf("%s at %s, pool %s:\n got %+v\nwant %+v", name, at, p.name, got, want[k])
				}
				if g := v.Groups()[k]; g != want[k] {
					t.Fatalf("%s: Groups() %+v, want %+v", name, g, want[k])
				}
				checked[name]++
			}
			if sc.Steps[0].Fleet == nil {
				break // counters do not move with the clock
			}
		}
	}
	for _, name := range []string{"default", "large", "office-day", "office-outage", "call-centre", "fresh"} {
		if checked[name] == 0 {
			t.Errorf("scenario %s: no pool checked", name)
		}
	}
	t.Logf("pools checked: %v", checked)
}

func realisticView(n int, seed int64) *View {
	g := fixtures.Realistic("paging-pool", n, rand.New(rand.NewPCG(uint64(seed), 1)))
	return FromGroups([]fixtures.Group{g}, seed, monday.Add(11*time.Hour))
}

func decodeList(t testing.TB, body []byte) model.ListDesktopsDetailResponse {
	t.Helper()
	var r model.ListDesktopsDetailResponse
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("the SDK's model does not decode the answer: %v\n%.2000s", err, body)
	}
	if r.TotalCount == nil || r.Desktops == nil {
		t.Fatalf("total_count or desktops missing: %.500s", body)
	}
	return r
}

func list(t testing.TB, v *View, q string) model.ListDesktopsDetailResponse {
	t.Helper()
	vals, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	body, werr := v.ListDesktopsDetail(vals)
	if werr != nil {
		t.Fatalf("%s: %+v", q, werr)
	}
	return decodeList(t, body)
}

func TestPagingThroughAThousandDesktopsYieldsEachOnce(t *testing.T) {
	v := realisticView(1000, 5)
	pool := v.pools[0].id
	for _, q := range []string{"", "&sort_field=created&sort_type=DESC", "&sort_field=computer_name", "&status=ACTIVE"} {
		seen := map[string]bool{}
		want := int32(-1)
		for off := 0; ; off += 37 {
			r := list(t, v, fmt.Sprintf("pool_id=%s&limit=37&offset=%d%s", pool, off, q))
			if want < 0 {
				want = *r.TotalCount
			}
			if *r.TotalCount != want {
				t.Fatalf("%s: total_count moved from %d to %d", q, want, *r.TotalCount)
			}
			for _, d := range *r.Desktops {
				if seen[*d.DesktopId] {
					t.Fatalf("%s: %s twice", q, *d.DesktopId)
				}
				seen[*d.DesktopId] = true
			}
			if len(*r.Desktops) < 37 {
				break
			}
		}
		if int32(len(seen)) != want || q == "" && want != 1000 {
			t.Fatalf("%s: %d desktops seen, total_count %d", q, len(seen), want)
		}
	}
}

// Every operation answers every shipped scenario with data, in bodies the
// SDK's models decode.
func TestEveryOperationAnswersEveryScenario(t *testing.T) {
	set := shipped(t)
	for _, name := range set.Names() {
		v, groups := viewOf(set.Get(name), 4, monday.Add(11*time.Hour))
		if v == nil {
			continue
		}
		r := list(t, v, "limit=3")
		for _, d := range *r.Desktops {
			if _, err := v.ShowDesktopDetail(s(d.DesktopId)); err != nil {
				t.Fatalf("%s: %s: %+v", name, s(d.DesktopId), err)
			}
		}
		if len(pools(t, v, "")) != min(len(groups), DefaultPoolsLimit) {
			t.Fatalf("%s: pools", name)
		}
		records(t, v, "")
		for _, q := range []string{"query_type=DAY", "query_type=MONTH"} {
			body, err := v.ListHistoryOnlineInfoNew(url.Values{"query_type": {q[len("query_type="):]}})
			var o model.ListHistoryOnlineInfoNewResponse
			if err != nil || json.Unmarshal(body, &o) != nil || o.TimeCounts == nil {
				t.Fatalf("%s %s: %v %s", name, q, err, body)
			}
		}
		if len(groups) > 0 {
			g := groups[0]
			ds, n := v.Desktops(g.StaticName, 0, 5)
			if p, _, _ := sums(g); n != max(p, n) || int64(len(ds)) != min(5, n) {
				t.Fatalf("%s: Desktops(%q) = %d of %d", name, g.StaticName, len(ds), n)
			}
			if n > 0 && len(*r.Desktops) > 0 && ds[0].ID != s((*r.Desktops)[0].DesktopId) && v.pools[0].n > 0 {
				t.Fatalf("%s: Desktops and ListDesktopsDetail disagree on the first desktop", name)
			}
		}
	}
}

func TestMovedToIsBuiltAfresh(t *testing.T) {
	f := shipped(t).Get("office-day").Steps[0].Fleet
	early, late := monday.Add(7*time.Hour), monday.Add(11*time.Hour)
	a, _ := FromFleet(f, 3, early).MovedTo(late).ListDesktopsDetail(nil)
	b, _ := FromFleet(f, 3, late).ListDesktopsDetail(nil)
	if string(a) != string(b) {
		t.Fatal("a view moved to an instant differs from one built there")
	}
	g := FromGroups(f.Groups(3, late), 3, early)
	a, _ = g.MovedTo(late).ListLoginRecordsNew(nil)
	b, _ = FromGroups(f.Groups(3, late), 3, late).ListLoginRecordsNew(nil)
	if string(a) != string(b) {
		t.Fatal("a counter view moved to an instant differs from one built there")
	}
}

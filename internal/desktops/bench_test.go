package desktops

import (
	"net/url"
	"testing"
	"time"

	"github.com/workspace-mock/mockserver/internal/fixtures"
)

// bigFleet is office-day grown to 100,000 desktops (four pools of 25,000).
func bigFleet(b *testing.B) *fixtures.Fleet {
	f := shipped(b).Get("office-day").Steps[0].Fleet
	big := &fixtures.Fleet{Zone: f.Zone, Pools: append([]fixtures.Pool(nil), f.Pools...), Events: f.Events}
	for i := range big.Pools {
		big.Pools[i].Desktops = 25_000
	}
	return big
}

var busy = monday.Add(10*time.Hour + 30*time.Minute)

func benchOp(b *testing.B, view func() *View, op func(*View) ([]byte, error)) {
	b.ReportAllocs()
	size := 0
	for b.Loop() {
		body, err := op(view())
		if err != nil {
			b.Fatal(err)
		}
		size = len(body)
	}
	b.ReportMetric(float64(size), "bytes/answer")
}

func values(q string) url.Values { v, _ := url.ParseQuery(q); return v }

func wrapErr[T any](body []byte, err *T) ([]byte, error) {
	if err != nil {
		return nil, errString("error answer")
	}
	return body, nil
}

type errString string

func (e errString) Error() string { return string(e) }

// A page of 500 desktops of a 100,000-desktop fleet, the view built per
// request as a handler would (target: 5 ms).
func BenchmarkListDesktopsDetailPage500Of100k(b *testing.B) {
	f := bigFleet(b)
	benchOp(b, func() *View { return FromFleet(f, 1, busy) }, func(v *View) ([]byte, error) {
		return wrapErr(v.ListDesktopsDetail(values("offset=60000&limit=500")))
	})
}

// A filter walks the 100,000 desktops.
func BenchmarkListDesktopsDetailFiltered100k(b *testing.B) {
	f := bigFleet(b)
	benchOp(b, func() *View { return FromFleet(f, 1, busy) }, func(v *View) ([]byte, error) {
		return wrapErr(v.ListDesktopsDetail(values("status=ACTIVE&user_attached=true&offset=1000&limit=100")))
	})
}

func BenchmarkShowDesktopDetail(b *testing.B) {
	f := bigFleet(b)
	id := string(appendUUIDOf(FromFleet(f, 1, busy), 2, 777))
	benchOp(b, func() *View { return FromFleet(f, 1, busy) }, func(v *View) ([]byte, error) {
		return wrapErr(v.ShowDesktopDetail(id))
	})
}

func appendUUIDOf(v *View, pool int, i int64) []byte {
	hi, lo := v.desktopID(&v.pools[pool], i)
	return appendUUID(nil, hi, lo)
}

// A page of the last 24 hours' login records of 100,000 desktops: a walk
// that holds one desktop's connections at a time.
func BenchmarkListLoginRecordsNewDayOf100k(b *testing.B) {
	f := bigFleet(b)
	benchOp(b, func() *View { return FromFleet(f, 1, busy) }, func(v *View) ([]byte, error) {
		return wrapErr(v.ListLoginRecordsNew(values("offset=50000&limit=100")))
	})
}

func BenchmarkListHistoryOnlineInfoNewDayOf100k(b *testing.B) {
	f := bigFleet(b)
	benchOp(b, func() *View { return FromFleet(f, 1, busy) }, func(v *View) ([]byte, error) {
		return wrapErr(v.ListHistoryOnlineInfoNew(values("query_type=DAY")))
	})
}

// Pools and login state count the 100,000 desktops once per view.
func BenchmarkListDesktopPools100k(b *testing.B) {
	f := bigFleet(b)
	benchOp(b, func() *View { return FromFleet(f, 1, busy) }, func(v *View) ([]byte, error) {
		return wrapErr(v.ListDesktopPools(nil))
	})
}

// max-values: 10 billion desktops, a page at the far end.
func BenchmarkMaxValuesPage500(b *testing.B) {
	groups := shipped(b).Get("max-values").Steps[0].Statics
	benchOp(b, func() *View { return FromGroups(groups, 1, busy) }, func(v *View) ([]byte, error) {
		return wrapErr(v.ListDesktopsDetail(values("offset=2147483000&limit=500")))
	})
}

// A page costs no allocation per desktop beyond its strings.
func TestPageAllocations(t *testing.T) {
	v := fleetView(t, "office-day", busy)
	q := values("offset=100&limit=100")
	allocs := testing.AllocsPerRun(20, func() { v.ListDesktopsDetail(q) })
	if allocs > 100*16 {
		t.Fatalf("%.0f allocations for a page of 100 desktops", allocs)
	}
}

// Building the view of the largest shipped scenario (1,000 pools), as each
// request does.
func BenchmarkFromGroupsLarge(b *testing.B) {
	sc := shipped(b).Get("large")
	groups := sc.Groups(0, 1, 0)
	b.ReportAllocs()
	for b.Loop() {
		FromGroups(groups, 1, busy)
	}
}

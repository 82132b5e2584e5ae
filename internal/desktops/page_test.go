package desktops

import (
	"net/url"
	"strconv"
	"testing"

	"github.com/workspace-mock/mockserver/internal/fixtures"
)

// What the control page reads agrees with the API's answers: a pool's
// counters with Groups, a desktop's sessions with its login records of the
// day, found by id or by computer name.
func TestThePagesReadingsAgreeWithTheOperations(t *testing.T) {
	set := shipped(t)
	at := monday.Add(officeHours[2])
	for _, name := range []string{"office-day", "default", "large"} {
		v, _ := viewOf(set.Get(name), 3, at)
		for k, g := range v.Groups() {
			if got, ok := v.Counters(g.StaticName); !ok || got != g {
				t.Fatalf("%s pool %d: Counters %+v, Groups %+v", name, k, got, g)
			}
		}
		pool := v.pools[0].name
		list, total := v.Desktops(pool, 0, 20)
		if total != v.pools[0].n {
			t.Fatalf("%s: %d desktops, the pool has %d", name, total, v.pools[0].n)
		}
		for _, d := range list {
			byID, p, sessions, ok := v.Sessions(d.ID)
			byName, _, again, ok2 := v.Sessions(d.ComputerName)
			if !ok || !ok2 || byID != d || byName != d || p != pool || len(sessions) != len(again) {
				t.Fatalf("%s %s: by id %v %+v, by name %v %+v", name, d.ComputerName, ok, byID, ok2, byName)
			}
			q := url.Values{"computer_name": {d.ComputerName}, "limit": {"1000"},
				"start_time": {fixtures.LocalMidnight(at, v.zone, 0).UTC().Format("2006-01-02T15:04:05Z")},
				"end_time":   {at.Add(1e9).UTC().Format("2006-01-02T15:04:05Z")}}
			body, err := v.ListLoginRecordsNew(q)
			if err != nil {
				t.Fatal(err)
			}
			if want := `"total_count":` + strconv.Itoa(len(sessions)) + `}`; string(body[len(body)-len(want):]) != want {
				t.Fatalf("%s %s: %d sessions, the records say %s", name, d.ComputerName, len(sessions), body[max(len(body)-40, 0):])
			}
		}
	}
	if _, _, _, ok := v0(t).Sessions("nope"); ok {
		t.Fatal("a made-up desktop has sessions")
	}
}

func v0(t *testing.T) *View {
	v, _ := viewOf(shipped(t).Get("default"), 3, monday)
	return v
}

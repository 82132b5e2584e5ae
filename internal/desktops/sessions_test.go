package desktops

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"
	"github.com/workspace-mock/mockserver/internal/fixtures"
)

func records(t testing.TB, v *View, q string) model.ListLoginRecordsNewResponse {
	t.Helper()
	vals, _ := url.ParseQuery(q)
	body, err := v.ListLoginRecordsNew(vals)
	if err != nil {
		t.Fatalf("%s: %+v", q, err)
	}
	var r model.ListLoginRecordsNewResponse
	if err := json.Unmarshal(body, &r); err != nil || r.Records == nil || r.TotalCount == nil {
		t.Fatalf("the SDK's model does not decode the records: %v\n%.1000s", err, body)
	}
	return r
}

// allRecords pages through every record of q, 1000 at a time.
func allRecords(t testing.TB, v *View, q string) []model.Record {
	t.Helper()
	var out []model.Record
	for off := 0; ; off += 1000 {
		r := records(t, v, q+"&limit=1000&offset="+strconv.Itoa(off))
		out = append(out, *r.Records...)
		if len(*r.Records) < 1000 {
			if len(out) != int(*r.TotalCount) {
				t.Fatalf("%s: %d records paged, total_count %d", q, len(out), *r.TotalCount)
			}
			return out
		}
	}
}

func parse(t testing.TB, s *string) int64 {
	t.Helper()
	if s == nil {
		return 1 << 62
	}
	x, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		t.Fatal(err)
	}
	return x.Unix()
}

// connectedAt lists the computer names whose login_status is CONNECTED.
func connectedAt(t testing.TB, v *View) map[string]bool {
	out := map[string]bool{}
	for _, d := range *list(t, v, "").Desktops {
		if s(d.LoginStatus) == "CONNECTED" {
			out[s(d.ComputerName)] = true
		}
	}
	return out
}

func heldAt(t testing.TB, recs []model.Record, at int64) map[string]bool {
	out := map[string]bool{}
	for _, r := range recs {
		if parse(t, r.ConnectionSetupTime) <= at && at < parse(t, r.ConnectionEndTime) {
			if out[s(r.ComputerName)] {
				t.Fatalf("%s: two records hold %d", s(r.ComputerName), at)
			}
			out[s(r.ComputerName)] = true
		}
	}
	return out
}

func same(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

const minute = "2006-01-02T15:04Z"

// A record never disagrees with login_status: at the view's instant and at
// instants before it, the desktops a record holds are the CONNECTED ones.
func TestLoginRecordsAgreeWithTheLoginState(t *testing.T) {
	set := shipped(t)
	for _, name := range []string{"office-day", "office-outage", "call-centre"} {
		f := set.Get(name).Steps[0].Fleet
		for _, h := range officeHours[1:6] {
			at := monday.Add(h)
			v := FromFleet(f, 5, at)
			recs := allRecords(t, v, "")
			if !same(heldAt(t, recs, at.Unix()), connectedAt(t, v)) {
				t.Fatalf("%s at %s: records and login_status disagree", name, at)
			}
			for _, back := range []time.Duration{17 * time.Minute, 95 * time.Minute, 5 * time.Hour} {
				then := at.Add(-back)
				if !same(heldAt(t, recs, then.Unix()), connectedAt(t, FromFleet(f, 5, then))) {
					t.Fatalf("%s: the records of %s and login_status at %s disagree", name, at, then)
				}
			}
			for _, r := range recs {
				if s(r.UserName) == "" || *r.NetworkRtt <= 0 || *r.E2eRtt < *r.NetworkRtt ||
					parse(t, r.ConnectionStartTime) >= parse(t, r.ConnectionSetupTime) {
					t.Fatalf("%s: implausible record %+v", name, r)
				}
			}
		}
	}
}

// Online users per hour are the desktops with a record in the hour.
func TestOnlineUsersCountTheRecords(t *testing.T) {
	set := shipped(t)
	for _, name := range []string{"office-day", "office-outage", "call-centre"} {
		f := set.Get(name).Steps[0].Fleet
		at := monday.Add(15*time.Hour + 30*time.Minute)
		v := FromFleet(f, 9, at)
		mid := fixtures.LocalMidnight(at, f.Zone, 0)
		recs := allRecords(t, v, "start_time="+mid.UTC().Format(minute)+"&end_time="+at.Add(time.Minute).UTC().Format(minute))
		body, err := v.ListHistoryOnlineInfoNew(url.Values{"query_type": {"DAY"}})
		if err != nil {
			t.Fatal(err)
		}
		var r model.ListHistoryOnlineInfoNewResponse
		if err := json.Unmarshal(body, &r); err != nil || r.TimeCounts == nil {
			t.Fatalf("the SDK's model does not decode: %v %s", err, body)
		}
		if want := at.In(f.Zone).Hour() + 1; len(*r.TimeCounts) != want {
			t.Fatalf("%s: %d hourly buckets at %s, want %d: %v", name, len(*r.TimeCounts), at.In(f.Zone), want, *r.TimeCounts)
		}
		for k, tc := range *r.TimeCounts {
			label, count, ok := strings.Cut(tc, " : ")
			n, _ := strconv.Atoi(count)
			if !ok || label != time.Date(2000, 1, 1, k, 0, 0, 0, time.UTC).Format("15:04") {
				t.Fatalf("%s: bucket %d is %q", name, k, tc)
			}
			from, to := mid.Add(time.Duration(k)*time.Hour).Unix(), min(mid.Add(time.Duration(k+1)*time.Hour).Unix(), at.Unix()+1)
			users := map[string]bool{}
			for _, rec := range recs {
				if parse(t, rec.ConnectionSetupTime) < to && parse(t, rec.ConnectionEndTime) > from {
					users[s(rec.ComputerName)] = true
				}
			}
			inUse := 0
			if g := FromFleet(f, 9, time.Unix(from, 0)).Groups(); true {
				for _, x := range g {
					inUse += int(x.InUseNum)
				}
			}
			if n != len(users) || n < inUse {
				t.Fatalf("%s %s: %d online, %d users in the records, %d in use at its start", name, tc, n, len(users), inUse)
			}
		}
		for _, q := range []string{"query_type=WEEK", "query_type=MONTH", "start_time=2026-11-20T00:00Z&end_time=2026-11-30T00:00Z"} {
			vals, _ := url.ParseQuery(q)
			body, err := v.ListHistoryOnlineInfoNew(vals)
			if err != nil {
				t.Fatal(q, err)
			}
			var r model.ListHistoryOnlineInfoNewResponse
			if json.Unmarshal(body, &r) != nil || len(*r.TimeCounts) < 7 || !strings.HasPrefix((*r.TimeCounts)[0], "2026-11-") {
				t.Fatalf("%s %s: %s", name, q, body)
			}
		}
	}
}

// A counter scenario's records: one open record per CONNECTED desktop, one
// closed one per DISCONNECTED desktop.
func TestCounterRecordsFollowTheLoginState(t *testing.T) {
	for _, name := range []string{"default", "fresh"} {
		v, groups := viewOf(shipped(t).Get(name), 2, monday.Add(14*time.Hour))
		recs := allRecords(t, v, "")
		var inUse, disc int
		for _, g := range groups {
			inUse += int(g.InUseNum)
			disc += int(g.DisconnectedNum)
		}
		if len(recs) != inUse+disc || len(heldAt(t, recs, v.at.Unix())) != inUse {
			t.Fatalf("%s: %d records, %d open; want %d and %d", name, len(recs), len(heldAt(t, recs, v.at.Unix())), inUse+disc, inUse)
		}
		if !same(heldAt(t, recs, v.at.Unix()), connectedAt(t, v)) {
			t.Fatalf("%s: the open records are not the CONNECTED desktops", name)
		}
		// a window or a filter that forces the walk gives the same records
		walked := allRecords(t, v, "terminal_type=WI&min_network_rtt=0")
		if len(walked) != len(recs) || s(walked[len(walked)-1].TransactionId) != s(recs[len(recs)-1].TransactionId) {
			t.Fatalf("%s: the walk and the arithmetic disagree", name)
		}
	}
}

func TestRecordFilters(t *testing.T) {
	v := fleetView(t, "office-day", monday.Add(16*time.Hour))
	all := allRecords(t, v, "")
	r0 := all[len(all)/2]
	cases := map[string]func(model.Record) bool{
		"user_name=" + s(r0.UserName):                          func(r model.Record) bool { return s(r.UserName) == s(r0.UserName) },
		"computer_name=" + s(r0.ComputerName):                  func(r model.Record) bool { return s(r.ComputerName) == s(r0.ComputerName) },
		"terminal_type=WI":                                     func(model.Record) bool { return true },
		"terminal_type=" + url.QueryEscape(s(r0.TerminalType)): func(r model.Record) bool { return s(r.TerminalType) == s(r0.TerminalType) },
		"public_ip=" + s(r0.PublicIp):                          func(r model.Record) bool { return s(r.PublicIp) == s(r0.PublicIp) },
		"min_network_rtt=50":                                   func(r model.Record) bool { return *r.NetworkRtt >= 50 },
		"max_network_rtt=20":                                   func(r model.Record) bool { return *r.NetworkRtt <= 20 },
		"enterprise_project_id=0":                              func(model.Record) bool { return true },
		"enterprise_project_id=x":                              func(model.Record) bool { return false },
		"start_time=" + monday.Add(11*time.Hour).UTC().Format(minute) + "&end_time=" + monday.Add(11*time.Hour+time.Minute).UTC().Format(minute): func(r model.Record) bool {
			return parse(t, r.ConnectionSetupTime) < monday.Add(11*time.Hour+time.Minute).Unix() && parse(t, r.ConnectionEndTime) > monday.Add(11*time.Hour).Unix()
		},
	}
	for q, keep := range cases {
		got := allRecords(t, v, q)
		want := 0
		for _, r := range all {
			if keep(r) {
				want++
			}
		}
		if len(got) != want {
			t.Errorf("%s: %d records, want %d", q, len(got), want)
		}
	}
}

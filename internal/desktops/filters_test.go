package desktops

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"
	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

func pools(t testing.TB, v *View, q string) []model.SimpleDesktopPoolInfo {
	t.Helper()
	vals, _ := url.ParseQuery(q)
	body, err := v.ListDesktopPools(vals)
	if err != nil {
		t.Fatalf("%s: %+v", q, err)
	}
	var r model.ListDesktopPoolsResponse
	if err := json.Unmarshal(body, &r); err != nil || r.DesktopPools == nil || r.TotalCount == nil {
		t.Fatalf("the SDK's model does not decode the pools: %v\n%.1000s", err, body)
	}
	return *r.DesktopPools
}

func s(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func b(p *bool) bool { return p != nil && *p }

// Every filter the SDK exposes, checked against the whole list filtered
// here by what each desktop shows.
func TestEveryFilterOfListDesktopsDetail(t *testing.T) {
	v := fleetView(t, "office-day", monday.Add(10*time.Hour+10*time.Minute))
	all := *list(t, v, "").Desktops
	if len(all) != 460 {
		t.Fatalf("%d desktops, want 460", len(all))
	}
	ps := pools(t, v, "")
	poolOf := map[string]string{} // subnet -> pool id: each pool has its subnet
	for _, p := range ps {
		poolOf[s(p.SubnetId)] = s(p.Id)
	}
	var withUser []model.DesktopDetailInfo
	for _, d := range all {
		if s(d.UserName) != "" {
			withUser = append(withUser, d)
		}
	}
	u1, u2 := s(withUser[3].UserName), s(withUser[200].UserName)
	n1, n2 := s(all[7].ComputerName), s(all[300].ComputerName)
	id1, id2 := s(all[450].DesktopId), s(all[2].DesktopId)
	d9 := all[9]
	tagged := func(key, value string) func(model.DesktopDetailInfo) bool {
		return func(d model.DesktopDetailInfo) bool {
			return slices.ContainsFunc(*d.Tags, func(t model.Tag) bool { return t.Key == key && s(t.Value) == value })
		}
	}
	dept := (*all[0].Tags)[0]
	cases := []struct {
		q    string
		keep func(model.DesktopDetailInfo) bool
	}{
		{"status=ACTIVE", func(d model.DesktopDetailInfo) bool { return s(d.Status) == "ACTIVE" }},
		{"status=SHUTOFF", func(d model.DesktopDetailInfo) bool { return s(d.Status) == "SHUTOFF" }},
		{"status=HIBERNATED", func(d model.DesktopDetailInfo) bool { return s(d.Status) == "HIBERNATED" }},
		{"status=ERROR", func(d model.DesktopDetailInfo) bool { return s(d.Status) == "ERROR" }},
		{"user_name=" + u1, func(d model.DesktopDetailInfo) bool { return s(d.UserName) == u1 }},
		{"user_names=" + u1 + "&user_names=" + u2, func(d model.DesktopDetailInfo) bool { return s(d.UserName) == u1 || s(d.UserName) == u2 }},
		{"user_name=" + u1 + "&user_names=" + u2, func(d model.DesktopDetailInfo) bool { return s(d.UserName) == u2 }},
		{"computer_name=" + n1, func(d model.DesktopDetailInfo) bool { return s(d.ComputerName) == n1 }},
		{"computer_names=" + n1 + "&computer_names=" + n2, func(d model.DesktopDetailInfo) bool { return s(d.ComputerName) == n1 || s(d.ComputerName) == n2 }},
		{"computer_name=NOPE-00001", func(model.DesktopDetailInfo) bool { return false }},
		{"desktop_ip=" + s(d9.Ipv4), func(d model.DesktopDetailInfo) bool { return s(d.Ipv4) == s(d9.Ipv4) }},
		{"desktop_id=" + id1 + "&desktop_id=" + id2, func(d model.DesktopDetailInfo) bool { return s(d.DesktopId) == id1 || s(d.DesktopId) == id2 }},
		{"desktop_type=POOLED", func(model.DesktopDetailInfo) bool { return true }},
		{"desktop_type=DEDICATED", func(model.DesktopDetailInfo) bool { return false }},
		{"desktop_type=SHARED", func(model.DesktopDetailInfo) bool { return false }},
		{"tag=" + dept.Key + "=" + s(dept.Value), tagged(dept.Key, s(dept.Value))},
		{"tag=" + dept.Key + "=" + s(dept.Value) + ",nope=1", func(model.DesktopDetailInfo) bool { return false }},
		{"pool_id=" + s(ps[1].Id) + "," + s(ps[3].Id), func(d model.DesktopDetailInfo) bool {
			return poolOf[s(d.SubnetId)] == s(ps[1].Id) || poolOf[s(d.SubnetId)] == s(ps[3].Id)
		}},
		{"user_attached=true", func(d model.DesktopDetailInfo) bool { return d.AttachState.Value() == "ATTACHED" }},
		{"user_attached=false", func(d model.DesktopDetailInfo) bool { return d.AttachState.Value() != "ATTACHED" }},
		{"enterprise_project_id=0", func(model.DesktopDetailInfo) bool { return true }},
		{"enterprise_project_id=other", func(model.DesktopDetailInfo) bool { return false }},
		{"image_id=" + d9.Metadata["metering.image_id"], func(d model.DesktopDetailInfo) bool {
			return d.Metadata["metering.image_id"] == d9.Metadata["metering.image_id"]
		}},
		{"charge_mode=0", func(d model.DesktopDetailInfo) bool { return s(d.Product.ChargeMode) == "0" }},
		{"charge_mode=1", func(d model.DesktopDetailInfo) bool { return s(d.Product.ChargeMode) == "1" }},
		{"in_maintenance_mode=true", func(d model.DesktopDetailInfo) bool { return b(d.InMaintenanceMode) }},
		{"in_maintenance_mode=false", func(d model.DesktopDetailInfo) bool { return !b(d.InMaintenanceMode) }},
		{"is_share_desktop=true", func(model.DesktopDetailInfo) bool { return false }},
		{"is_share_desktop=false", func(model.DesktopDetailInfo) bool { return true }},
		{"subnet_id=" + s(d9.SubnetId), func(d model.DesktopDetailInfo) bool { return s(d.SubnetId) == s(d9.SubnetId) }},
		{"is_support_internet=true", func(d model.DesktopDetailInfo) bool { return b(d.IsSupportInternet) }},
		{"is_support_internet=false", func(d model.DesktopDetailInfo) bool { return !b(d.IsSupportInternet) }},
		{"availability_zone=" + s(d9.AvailabilityZone), func(d model.DesktopDetailInfo) bool {
			return s(d.AvailabilityZone) == s(d9.AvailabilityZone)
		}},
		{"status=ACTIVE&user_attached=true&charge_mode=1", func(d model.DesktopDetailInfo) bool {
			return s(d.Status) == "ACTIVE" && d.AttachState.Value() == "ATTACHED" && s(d.Product.ChargeMode) == "1"
		}},
	}
	nonEmpty := 0
	for _, c := range cases {
		var want []string
		for _, d := range all {
			if c.keep(d) {
				want = append(want, s(d.DesktopId))
			}
		}
		r := list(t, v, c.q)
		var got []string
		for _, d := range *r.Desktops {
			got = append(got, s(d.DesktopId))
		}
		if !slices.Equal(got, want) || int(*r.TotalCount) != len(want) {
			t.Errorf("%s: got %d (total_count %d), want %d", c.q, len(got), *r.TotalCount, len(want))
		}
		if len(want) > 0 && len(want) < len(all) {
			nonEmpty++
		}
	}
	if nonEmpty < 20 {
		t.Errorf("only %d filters select a proper part of the fleet: the test shows little", nonEmpty)
	}
}

func TestSortAndPage(t *testing.T) {
	v := fleetView(t, "office-day", monday.Add(9*time.Hour))
	for _, c := range []struct {
		q   string
		key func(model.DesktopDetailInfo) string
		rev bool
	}{
		{"sort_field=created", func(d model.DesktopDetailInfo) string { return s(d.Created) }, false},
		{"sort_field=created&sort_type=DESC", func(d model.DesktopDetailInfo) string { return s(d.Created) }, true},
		{"sort_field=computer_name&sort_type=ASC", func(d model.DesktopDetailInfo) string { return s(d.ComputerName) }, false},
		{"sort_field=computer_name&sort_type=DESC", func(d model.DesktopDetailInfo) string { return s(d.ComputerName) }, true},
	} {
		ds := *list(t, v, c.q).Desktops
		for k := 1; k < len(ds); k++ {
			a, z := c.key(ds[k-1]), c.key(ds[k])
			if c.rev {
				a, z = z, a
			}
			if a > z {
				t.Fatalf("%s: %q before %q", c.q, c.key(ds[k-1]), c.key(ds[k]))
			}
		}
		page := *list(t, v, c.q+"&offset=100&limit=10").Desktops
		if len(page) != 10 || s(page[0].DesktopId) != s(ds[100].DesktopId) || s(page[9].DesktopId) != s(ds[109].DesktopId) {
			t.Fatalf("%s: offset=100&limit=10 is not items 100..109 of the whole", c.q)
		}
	}
	if r := list(t, v, "limit=0"); len(*r.Desktops) != 0 || *r.TotalCount != 460 {
		t.Fatalf("limit=0: %d desktops, total_count %d", len(*r.Desktops), *r.TotalCount)
	}
	if r := list(t, v, "offset=460"); len(*r.Desktops) != 0 || *r.TotalCount != 460 {
		t.Fatalf("offset past the end: %d desktops, total_count %d", len(*r.Desktops), *r.TotalCount)
	}
}

func TestShowDesktopDetail(t *testing.T) {
	v := fleetView(t, "office-outage", monday.Add(10*time.Hour+5*time.Minute))
	for _, d := range *list(t, v, "").Desktops {
		body, err := v.ShowDesktopDetail(s(d.DesktopId))
		if err != nil {
			t.Fatalf("%s: %+v", s(d.DesktopId), err)
		}
		var r model.ShowDesktopDetailResponse
		if err := json.Unmarshal(body, &r); err != nil || r.Desktop == nil {
			t.Fatalf("the SDK's model does not decode the desktop: %v", err)
		}
		got := *r.Desktop
		if got.SecurityGroups == nil || len(*got.SecurityGroups) == 0 {
			t.Fatalf("no security groups in the single-desktop answer")
		}
		got.SecurityGroups = nil
		a, _ := json.Marshal(got)
		z, _ := json.Marshal(d)
		if string(a) != string(z) {
			t.Fatalf("ShowDesktopDetail and ListDesktopsDetail differ:\n%s\n%s", a, z)
		}
	}
	id := s((*list(t, v, "limit=1").Desktops)[0].DesktopId)
	for _, bad := range []string{"", "nope", id[:35] + "0", id[:35] + "1", strings.ToUpper(id), "00000000-0000-4000-8000-000000000000"} {
		if bad == id {
			continue
		}
		_, err := v.ShowDesktopDetail(bad)
		if err == nil || err.Status != 404 || err.Code != "WKS.0202" {
			t.Fatalf("%q: %+v, want 404 WKS.0202", bad, err)
		}
	}
	// another seed's ids are not this seed's
	other := FromFleet(v.fleet, v.seed+1, v.at)
	if _, err := other.ShowDesktopDetail(id); err == nil {
		t.Fatalf("seed %d knows seed %d's desktop %s", v.seed+1, v.seed, id)
	}
}

func TestEveryBadParameterIsA400NamingIt(t *testing.T) {
	v := fleetView(t, "office-day", monday.Add(11*time.Hour))
	many := strings.Repeat("desktop_id=x&", 101)
	manyUsers := strings.Repeat("user_names=u&", 101)
	cases := []struct {
		op, q, param string
	}{
		{"desktops", "limit=-1", "limit"},
		{"desktops", "limit=501", "limit"},
		{"desktops", "limit=ten", "limit"},
		{"desktops", "limit=1&limit=2", "limit"},
		{"desktops", "offset=-1", "offset"},
		{"desktops", "offset=2147483648", "offset"},
		{"desktops", "status=RUNNING", "status"},
		{"desktops", "status=active", "status"},
		{"desktops", "sort_field=name", "sort_field"},
		{"desktops", "sort_type=asc", "sort_type"},
		{"desktops", "desktop_type=VDI", "desktop_type"},
		{"desktops", "charge_mode=2", "charge_mode"},
		{"desktops", "user_attached=yes", "user_attached"},
		{"desktops", "in_maintenance_mode=1", "in_maintenance_mode"},
		{"desktops", "is_share_desktop=TRUE", "is_share_desktop"},
		{"desktops", "is_support_internet=", "is_support_internet"},
		{"desktops", many, "desktop_id"},
		{"desktops", manyUsers, "user_names"},
		{"desktops", "user_names=" + strings.Repeat("u", 37), "user_names"},
		{"desktops", "user_name=" + strings.Repeat("u", 256), "user_name"},
		{"desktops", "tag=novalue", "tag"},
		{"desktops", "enterprise_project_id=a%20b", "enterprise_project_id"},
		{"pools", "limit=1001", "limit"},
		{"pools", "offset=20001", "offset"},
		{"pools", "type=DEDICATED", "type"},
		{"pools", "in_maintenance_mode=no", "in_maintenance_mode"},
		{"pools", "enterprise_project_id=" + strings.Repeat("e", 37), "enterprise_project_id"},
		{"records", "limit=1001", "limit"},
		{"records", "offset=-5", "offset"},
		{"records", "start_time=2026-11-30T01:00Z", "end_time"},
		{"records", "end_time=2026-11-30T01:00Z", "start_time"},
		{"records", "start_time=2026-11-30%2001:00&end_time=2026-11-30T02:00Z", "start_time"},
		{"records", "start_time=2026-11-30T01:00+08:00&end_time=2026-11-30T02:00Z", "start_time"},
		{"records", "start_time=2026-11-30T01:00Z&end_time=2026-11-30T02:61Z", "end_time"},
		{"records", "start_time=2026-11-30T03:00Z&end_time=2026-11-30T02:00Z", "end_time"},
		{"records", "start_time=2026-10-01T03:00Z&end_time=2026-11-30T02:00Z", "end_time"},
		{"records", "min_network_rtt=fast", "min_network_rtt"},
		{"records", "max_network_rtt=-1", "max_network_rtt"},
		{"online", "", "query_type"},
		{"online", "query_type=YEAR", "query_type"},
		{"online", "query_type=day", "query_type"},
		{"online", "start_time=2026-11-30T01:00Z", "end_time"},
		{"online", "start_time=yesterday&end_time=2026-11-30T02:00Z", "start_time"},
	}
	for _, c := range cases {
		vals, perr := url.ParseQuery(c.q)
		if perr != nil {
			t.Fatal(perr)
		}
		var werr *wire.Error
		switch c.op {
		case "desktops":
			_, werr = v.ListDesktopsDetail(vals)
		case "pools":
			_, werr = v.ListDesktopPools(vals)
		case "records":
			_, werr = v.ListLoginRecordsNew(vals)
		case "online":
			_, werr = v.ListHistoryOnlineInfoNew(vals)
		}
		if werr == nil || werr.Status != 400 || werr.Code != "WKS.0001" || !strings.Contains(werr.Msg+werr.Detail, c.param) {
			t.Errorf("%s %.60s: %+v, want 400 WKS.0001 naming %s", c.op, c.q, werr, c.param)
		}
	}
}

func TestPoolsAndLoginStateAreTheCounters(t *testing.T) {
	set := shipped(t)
	for _, name := range []string{"office-day", "call-centre", "default", "large"} {
		v, groups := viewOf(set.Get(name), 11, monday.Add(12*time.Hour+20*time.Minute))
		ps := pools(t, v, "")
		if len(ps) != min(len(groups), DefaultPoolsLimit) {
			t.Fatalf("%s: %d pools for %d groups", name, len(ps), len(groups))
		}
		var want [5]int32
		for k, g := range groups {
			want[0] += g.InUseNum
			want[1] += g.UnregisteredNum
			want[2] += g.UnknownNum
			want[3] += g.ReadyNum
			want[4] += g.DisconnectedNum
			if k >= len(ps) {
				continue
			}
			p := ps[k]
			pw, _, _ := sums(g)
			if s(p.Name) != g.StaticName || int64(*p.DesktopCount) != pw || *p.DesktopUsed != g.AttachedNum {
				t.Fatalf("%s: pool %s count %d used %d, group %+v", name, s(p.Name), *p.DesktopCount, *p.DesktopUsed, g)
			}
		}
		body, _ := v.ListLoginState(nil)
		var r model.ListLoginStateResponse
		if err := json.Unmarshal(body, &r); err != nil || r.InUseNum == nil {
			t.Fatalf("the SDK's model does not decode the login state: %v %s", err, body)
		}
		got := [5]int32{*r.InUseNum, *r.UnregisteredNum, *r.UnableToConnectNum, *r.ReadyNum, *r.DisconnectedNum}
		if got != want {
			t.Fatalf("%s: login state %v, want %v", name, got, want)
		}
	}
	v := fleetView(t, "office-day", monday.Add(10*time.Hour))
	for q, want := range map[string]int{"name=finance": 1, "name=pool": 4, "type=STATIC": 4, "type=DYNAMIC": 0,
		"offset=3": 1, "limit=2": 2, "in_maintenance_mode=true": 0, "enterprise_project_id=0": 4} {
		if got := len(pools(t, v, q)); got != want {
			t.Errorf("pools %s: %d, want %d", q, got, want)
		}
	}
}

// Counters that cannot add up (max-values: every counter 2147483647) still
// answer pages cheaply: see docs/desktops.md.
func TestMaxValues(t *testing.T) {
	v, groups := viewOf(shipped(t).Get("max-values"), 1, monday)
	if v.total != 5*int64(fixtures.MaxCount) {
		t.Fatalf("%d desktops, want 5 × 2147483647 (the largest sum)", v.total)
	}
	r := list(t, v, "limit=500")
	if *r.TotalCount != fixtures.MaxCount || len(*r.Desktops) != 500 {
		t.Fatalf("total_count %d, %d desktops", *r.TotalCount, len(*r.Desktops))
	}
	last := list(t, v, "offset=2147483147")
	if len(*last.Desktops) != 500 {
		t.Fatalf("the last reachable page has %d desktops", len(*last.Desktops))
	}
	id := s((*last.Desktops)[499].DesktopId)
	if _, err := v.ShowDesktopDetail(id); err != nil {
		t.Fatalf("%s: %+v", id, err)
	}
	if r := list(t, v, "desktop_id="+id); *r.TotalCount != 1 {
		t.Fatalf("desktop_id lookup: %d", *r.TotalCount)
	}
	if r := list(t, v, "computer_name="+s((*last.Desktops)[0].ComputerName)); *r.TotalCount != 1 {
		t.Fatalf("computer_name lookup: %d", *r.TotalCount)
	}
	g := v.Groups()[0]
	if g.RunningNum != fixtures.MaxCount || g.InUseNum != fixtures.MaxCount {
		t.Fatalf("aggregate %+v", g)
	}
	ps := pools(t, v, "")
	if *ps[0].DesktopCount != fixtures.MaxCount || s(ps[0].Name) != groups[0].StaticName {
		t.Fatalf("pool %+v", ps[0])
	}
	rec := records(t, v, "limit=1000&offset=5000000")
	if *rec.TotalCount != fixtures.MaxCount || len(*rec.Records) != 1000 {
		t.Fatalf("records: total_count %d, %d records", *rec.TotalCount, len(*rec.Records))
	}
}

func TestPermIsABijection(t *testing.T) {
	for _, n := range []int64{0, 1, 2, 3, 7, 64, 65, 1000, 4099} {
		p := newPerm(n, uint64(n)*31)
		seen := make([]bool, n)
		for i := int64(0); i < n; i++ {
			r := p.at(i)
			if r < 0 || r >= n || seen[r] {
				t.Fatalf("n=%d: rank %d of %d out of range or taken", n, r, i)
			}
			seen[r] = true
			if back := p.index(r); back != i {
				t.Fatalf("n=%d: index(at(%d)) = %d", n, i, back)
			}
		}
	}
}

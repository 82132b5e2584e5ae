package sdkconformance

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	workspace "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"

	"github.com/workspace-mock/mockserver/internal/aksk"
	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/handlers"
)

// The six operations answered from the desktops, called by the official Go
// SDK's workspace/v2 client unchanged.

// thousand is a scenario of counters: big-pool has 1,000 desktops, small-pool 20.
const thousand = `name: thousand
statics:
  - {static_name: big-pool, running_num: 700, stop_num: 200, hibernate_num: 50, other_num: 50,
     attached_num: 800, unattached_num: 150, cannot_attach_num: 30, in_process_num: 20,
     in_use_num: 500, unregistered_num: 100, ready_num: 250, disconnected_num: 100, unknown_num: 50}
  - {static_name: small-pool, running_num: 15, stop_num: 5, hibernate_num: 0, other_num: 0,
     attached_num: 12, unattached_num: 8, cannot_attach_num: 0, in_process_num: 0,
     in_use_num: 9, unregistered_num: 2, ready_num: 6, disconnected_num: 3, unknown_num: 0}
`

func thousandSet(t *testing.T) *fixtures.Set {
	t.Helper()
	sc, problems := fixtures.ParseFile("thousand.yaml", []byte(thousand))
	if problems != nil {
		t.Fatal(problems)
	}
	set, problems := fixtures.Build([]*fixtures.Scenario{sc})
	if problems != nil {
		t.Fatal(problems)
	}
	return set
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func i32(p *int32) int32 {
	if p == nil {
		return -1
	}
	return *p
}

// attachState is the desktop's attach_state, "" when absent.
func attachState(d model.DesktopDetailInfo) string {
	if d.AttachState == nil {
		return ""
	}
	return d.AttachState.Value()
}

// listAll pages through the desktops req selects, limit at a time, and
// checks every page gives the same total_count.
func listAll(t *testing.T, c *workspace.WorkspaceClient, req model.ListDesktopsDetailRequest, limit int32) []model.DesktopDetailInfo {
	t.Helper()
	var all []model.DesktopDetailInfo
	total := int32(-1)
	for offset := int32(0); total < 0 || offset < total; offset += limit {
		req.Offset, req.Limit = &offset, &limit
		resp, err := c.ListDesktopsDetail(&req)
		if err != nil {
			t.Fatalf("offset %d: %v", offset, err)
		}
		if resp.Desktops == nil || resp.TotalCount == nil || (total >= 0 && *resp.TotalCount != total) {
			t.Fatalf("offset %d: total_count %d (was %d), desktops %v", offset, i32(resp.TotalCount), total, resp.Desktops)
		}
		total = *resp.TotalCount
		page := *resp.Desktops
		if want := min(limit, max(total-offset, 0)); int32(len(page)) != want {
			t.Fatalf("offset %d limit %d of %d: %d desktops, want %d", offset, limit, total, len(page), want)
		}
		all = append(all, page...)
	}
	return all
}

// counters counts desktops by their wire words, as the reference defines
// the counters of ListInstancesStatus (a word outside them fails the test).
func counters(t *testing.T, name string, desktops []model.DesktopDetailInfo) fixtures.Group {
	t.Helper()
	g := fixtures.Group{StaticName: name}
	power := map[string]*int32{"ACTIVE": &g.RunningNum, "SHUTOFF": &g.StopNum, "HIBERNATED": &g.HibernateNum, "ERROR": &g.OtherNum}
	attach := map[string]*int32{"ATTACHED": &g.AttachedNum, "UNATTACH": &g.UnattachedNum, "ATTACHING": &g.InProcessNum, "DEATTACHING": &g.InProcessNum,
		"ATTACHFAIL": &g.CannotAttachNum, "DEATTACHFAIL": &g.CannotAttachNum, "DEATTACHED": &g.CannotAttachNum}
	login := map[string]*int32{"CONNECTED": &g.InUseNum, "REGISTERED": &g.ReadyNum, "DISCONNECTED": &g.DisconnectedNum,
		"UNREGISTER": &g.UnregisteredNum, "": &g.UnknownNum}
	for _, d := range desktops {
		for _, w := range []struct {
			counts map[string]*int32
			word   string
		}{{power, str(d.Status)}, {attach, attachState(d)}, {login, str(d.LoginStatus)}} {
			n, ok := w.counts[w.word]
			if !ok {
				t.Fatalf("desktop %s: %q is no word the counters count", str(d.DesktopId), w.word)
			}
			*n++
		}
	}
	return g
}

// group is the SDK's statistics object as the emulator's model.
func group(s model.InstanceStatusStatistics) fixtures.Group {
	return fixtures.Group{StaticName: str(s.StaticName), RunningNum: i32(s.RunningNum), StopNum: i32(s.StopNum),
		HibernateNum: i32(s.HibernateNum), OtherNum: i32(s.OtherNum), AttachedNum: i32(s.AttachedNum),
		UnattachedNum: i32(s.UnattachedNum), CannotAttachNum: i32(s.CannotAttachNum), InProcessNum: i32(s.InProcessNum),
		InUseNum: i32(s.InUseNum), UnregisteredNum: i32(s.UnregisteredNum), ReadyNum: i32(s.ReadyNum),
		DisconnectedNum: i32(s.DisconnectedNum), UnknownNum: i32(s.UnknownNum)}
}

// poolsByName lists the desktop pools through the SDK.
func poolsByName(t *testing.T, c *workspace.WorkspaceClient) map[string]model.SimpleDesktopPoolInfo {
	t.Helper()
	resp, err := c.ListDesktopPools(&model.ListDesktopPoolsRequest{})
	if err != nil || resp.DesktopPools == nil || resp.TotalCount == nil || int(*resp.TotalCount) != len(*resp.DesktopPools) {
		t.Fatalf("ListDesktopPools: %v %+v", err, resp)
	}
	byName := map[string]model.SimpleDesktopPoolInfo{}
	for _, p := range *resp.DesktopPools {
		byName[str(p.Name)] = p
	}
	return byName
}

// ListDesktopsDetail pages through a pool of 1,000 desktops, signed and
// not: each desktop seen once, total_count right, the pool's counters
// found again; ShowDesktopDetail shows a listed desktop and answers an
// unknown id with the documented 404.
func TestSDKPagesThroughAThousandDesktopPool(t *testing.T) {
	v, err := aksk.NewVerifier([]aksk.Credential{{AK: "GOODAK", SK: "good-secret"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, signed := range []bool{false, true} {
		o := handlers.Options{Scenarios: thousandSet(t), Scenario: "thousand"}
		if signed {
			o.Verifier = v
		}
		c := client(t, serve(t, o).URL, "GOODAK", "good-secret", httpConfig())

		big := poolsByName(t, c)["big-pool"]
		if i32(big.DesktopCount) != 1000 || i32(big.DesktopUsed) != 800 {
			t.Fatalf("big-pool: desktop_count %d, desktop_used %d; want 1000, 800", i32(big.DesktopCount), i32(big.DesktopUsed))
		}
		desktops := listAll(t, c, model.ListDesktopsDetailRequest{PoolId: big.Id}, 128)
		seen := map[string]bool{}
		for _, d := range desktops {
			if seen[str(d.DesktopId)] {
				t.Fatalf("desktop %s listed twice", str(d.DesktopId))
			}
			seen[str(d.DesktopId)] = true
		}
		if len(seen) != 1000 {
			t.Fatalf("signed %v: %d distinct desktops in big-pool, want 1000", signed, len(seen))
		}
		status, err := c.ListInstancesStatus(&model.ListInstancesStatusRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := counters(t, "big-pool", desktops), group((*status.Statics)[0]); got != want {
			t.Errorf("the desktops of big-pool count\n%+v\nthe counters say\n%+v", got, want)
		}
		if n := len(listAll(t, c, model.ListDesktopsDetailRequest{}, 500)); n != 1020 {
			t.Errorf("%d desktops in all, want 1020", n)
		}

		// Repeated keys (desktop_id=a&desktop_id=b) and a wrong secret: the
		// signature covers the query as the SDK canonicalises it.
		ids := []string{str(desktops[999].DesktopId), str(desktops[3].DesktopId)}
		two, err := c.ListDesktopsDetail(&model.ListDesktopsDetailRequest{DesktopId: &ids})
		if err != nil || i32(two.TotalCount) != 2 {
			t.Fatalf("signed %v: desktop_id twice: %v %+v", signed, err, two)
		}
		_, err = client(t, serve(t, o).URL, "GOODAK", "wrong-secret", httpConfig()).ListDesktopsDetail(&model.ListDesktopsDetailRequest{DesktopId: &ids})
		if signed != (err != nil) {
			t.Errorf("signed %v: a wrong secret gave %v", signed, err)
		}

		listed := desktops[617]
		shown, err := c.ShowDesktopDetail(&model.ShowDesktopDetailRequest{DesktopId: str(listed.DesktopId)})
		if err != nil || shown.Desktop == nil {
			t.Fatalf("ShowDesktopDetail %s: %v", str(listed.DesktopId), err)
		}
		d := shown.Desktop
		if str(d.ComputerName) != str(listed.ComputerName) || str(d.Status) != str(listed.Status) || str(d.LoginStatus) != str(listed.LoginStatus) ||
			str(d.Created) != str(listed.Created) || str(d.UserName) != str(listed.UserName) || d.SecurityGroups == nil || len(*d.SecurityGroups) == 0 {
			t.Errorf("shown %+v\nlisted %+v", d, listed)
		}
		_, err = c.ShowDesktopDetail(&model.ShowDesktopDetailRequest{DesktopId: "3fa85f64-5717-4562-b3fc-2c963f66afa6"})
		if se := serviceError(t, err); se.StatusCode != 404 || se.ErrorCode != "WKS.0202" || se.ErrorMessage != "The resource not found." || se.RequestId == "" {
			t.Errorf("unknown desktop: %d %q %q %q", se.StatusCode, se.ErrorCode, se.ErrorMessage, se.RequestId)
		}
	}
}

// Every filter of the SDK's ListDesktopsDetailRequest, as the SDK sends it,
// selects what the desktops of the whole list show.
func TestSDKFiltersListDesktopsDetail(t *testing.T) {
	c := client(t, serve(t, handlers.Options{Scenarios: thousandSet(t), Scenario: "thousand"}).URL, "ak", "sk", httpConfig())
	all := listAll(t, c, model.ListDesktopsDetailRequest{}, 500)
	pools := poolsByName(t, c)
	small := pools["small-pool"]
	var users []string
	for _, d := range all {
		if str(d.UserName) != "" {
			users = append(users, str(d.UserName))
		}
	}
	d1, d2 := all[5], all[1013]
	tag := (*d2.Tags)[0]
	yes, no := true, false
	pooled, dedicated := "POOLED", "DEDICATED"
	epid, other := "0", "other"
	both := str(pools["big-pool"].Id) + "," + str(small.Id)
	ptr := func(s string) *string { return &s }
	charge := []string{"0", "1"} // prepaid, pay-per-use: the two pools may or may not differ
	cases := []struct {
		name string
		req  model.ListDesktopsDetailRequest
		keep func(d model.DesktopDetailInfo) bool
		pass string // how many desktops pass: some, none, every; any where the pools may differ or not
	}{
		{"status", model.ListDesktopsDetailRequest{Status: ptr("SHUTOFF")}, func(d model.DesktopDetailInfo) bool { return str(d.Status) == "SHUTOFF" }, "some"},
		{"user_name", model.ListDesktopsDetailRequest{UserName: &users[40]}, func(d model.DesktopDetailInfo) bool { return str(d.UserName) == users[40] }, "some"},
		{"user_names", model.ListDesktopsDetailRequest{UserNames: &[]string{users[3], users[700]}},
			func(d model.DesktopDetailInfo) bool {
				return str(d.UserName) == users[3] || str(d.UserName) == users[700]
			}, "some"},
		{"computer_name", model.ListDesktopsDetailRequest{ComputerName: d1.ComputerName}, func(d model.DesktopDetailInfo) bool { return str(d.ComputerName) == str(d1.ComputerName) }, "some"},
		{"computer_names", model.ListDesktopsDetailRequest{ComputerNames: &[]string{str(d1.ComputerName), str(d2.ComputerName)}},
			func(d model.DesktopDetailInfo) bool {
				return d.ComputerName == nil || *d.ComputerName == *d1.ComputerName || *d.ComputerName == *d2.ComputerName
			}, "some"},
		{"desktop_ip", model.ListDesktopsDetailRequest{DesktopIp: d2.Ipv4}, func(d model.DesktopDetailInfo) bool { return str(d.Ipv4) == str(d2.Ipv4) }, "some"},
		{"desktop_id", model.ListDesktopsDetailRequest{DesktopId: &[]string{str(d2.DesktopId), str(d1.DesktopId)}},
			func(d model.DesktopDetailInfo) bool {
				return str(d.DesktopId) == str(d1.DesktopId) || str(d.DesktopId) == str(d2.DesktopId)
			}, "some"},
		{"desktop_type POOLED", model.ListDesktopsDetailRequest{DesktopType: &pooled}, func(model.DesktopDetailInfo) bool { return true }, "every"},
		{"desktop_type DEDICATED", model.ListDesktopsDetailRequest{DesktopType: &dedicated}, func(model.DesktopDetailInfo) bool { return false }, "none"},
		{"tag", model.ListDesktopsDetailRequest{Tag: ptr(tag.Key + "=" + str(tag.Value))},
			func(d model.DesktopDetailInfo) bool {
				return slices.ContainsFunc(*d.Tags, func(x model.Tag) bool { return x.Key == tag.Key && str(x.Value) == str(tag.Value) })
			}, "some"},
		{"pool_id", model.ListDesktopsDetailRequest{PoolId: small.Id}, func(d model.DesktopDetailInfo) bool { return str(d.SubnetId) == str(small.SubnetId) }, "some"},
		{"pool_id, two", model.ListDesktopsDetailRequest{PoolId: &both}, func(model.DesktopDetailInfo) bool { return true }, "every"},
		{"user_attached", model.ListDesktopsDetailRequest{UserAttached: &yes}, func(d model.DesktopDetailInfo) bool { return attachState(d) == "ATTACHED" }, "some"},
		{"user_attached false", model.ListDesktopsDetailRequest{UserAttached: &no}, func(d model.DesktopDetailInfo) bool { return attachState(d) != "ATTACHED" }, "some"},
		{"enterprise_project_id", model.ListDesktopsDetailRequest{EnterpriseProjectId: &epid}, func(model.DesktopDetailInfo) bool { return true }, "every"},
		{"enterprise_project_id other", model.ListDesktopsDetailRequest{EnterpriseProjectId: &other}, func(model.DesktopDetailInfo) bool { return false }, "none"},
		{"image_id", model.ListDesktopsDetailRequest{ImageId: ptr(d2.Metadata["metering.image_id"])},
			func(d model.DesktopDetailInfo) bool {
				return d.Metadata["metering.image_id"] == d2.Metadata["metering.image_id"]
			}, "some"},
		{"charge_mode", model.ListDesktopsDetailRequest{ChargeMode: &charge[0]},
			func(d model.DesktopDetailInfo) bool { return str(d.Product.ChargeMode) == charge[0] }, "any"},
		{"charge_mode, the other", model.ListDesktopsDetailRequest{ChargeMode: &charge[1]},
			func(d model.DesktopDetailInfo) bool { return str(d.Product.ChargeMode) == charge[1] }, "any"},
		{"in_maintenance_mode", model.ListDesktopsDetailRequest{InMaintenanceMode: &yes},
			func(d model.DesktopDetailInfo) bool { return d.InMaintenanceMode != nil && *d.InMaintenanceMode }, "some"},
		{"is_share_desktop", model.ListDesktopsDetailRequest{IsShareDesktop: &yes}, func(model.DesktopDetailInfo) bool { return false }, "none"},
		{"is_share_desktop false", model.ListDesktopsDetailRequest{IsShareDesktop: &no}, func(model.DesktopDetailInfo) bool { return true }, "every"},
		{"subnet_id", model.ListDesktopsDetailRequest{SubnetId: d2.SubnetId}, func(d model.DesktopDetailInfo) bool { return str(d.SubnetId) == str(d2.SubnetId) }, "some"},
		{"is_support_internet", model.ListDesktopsDetailRequest{IsSupportInternet: &yes},
			func(d model.DesktopDetailInfo) bool { return *d.IsSupportInternet }, "any"},
		{"is_support_internet false", model.ListDesktopsDetailRequest{IsSupportInternet: &no},
			func(d model.DesktopDetailInfo) bool { return !*d.IsSupportInternet }, "any"},
		{"availability_zone", model.ListDesktopsDetailRequest{AvailabilityZone: d2.AvailabilityZone},
			func(d model.DesktopDetailInfo) bool { return str(d.AvailabilityZone) == str(d2.AvailabilityZone) }, "some"},
		{"status and user_attached", model.ListDesktopsDetailRequest{Status: ptr("ACTIVE"), UserAttached: &yes},
			func(d model.DesktopDetailInfo) bool {
				return str(d.Status) == "ACTIVE" && attachState(d) == "ATTACHED"
			}, "some"},
	}
	for _, tc := range cases {
		var want []string
		for _, d := range all {
			if tc.keep(d) {
				want = append(want, str(d.DesktopId))
			}
		}
		pass := "some"
		switch len(want) {
		case 0:
			pass = "none"
		case len(all):
			pass = "every"
		}
		if pass != tc.pass && tc.pass != "any" {
			t.Errorf("%s: %d of %d desktops pass, the case expects %s", tc.name, len(want), len(all), tc.pass)
		}
		var got []string
		for _, d := range listAll(t, c, tc.req, 500) {
			got = append(got, str(d.DesktopId))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %d desktops, want %d", tc.name, len(got), len(want))
		}
	}

	sortField, sortType := model.GetListDesktopsDetailRequestSortFieldEnum(), model.GetListDesktopsDetailRequestSortTypeEnum()
	byName := listAll(t, c, model.ListDesktopsDetailRequest{SortField: &sortField.COMPUTER_NAME, SortType: &sortType.DESC}, 300)
	if len(byName) != len(all) || !sort.SliceIsSorted(byName, func(a, b int) bool { return str(byName[a].ComputerName) > str(byName[b].ComputerName) }) {
		t.Errorf("sort_field=computer_name&sort_type=DESC: %d desktops, not by name descending", len(byName))
	}
	byAge := listAll(t, c, model.ListDesktopsDetailRequest{SortField: &sortField.CREATED, SortType: &sortType.ASC}, 300)
	if len(byAge) != len(all) || !sort.SliceIsSorted(byAge, func(a, b int) bool { return str(byAge[a].Created) < str(byAge[b].Created) }) {
		t.Errorf("sort_field=created&sort_type=ASC: %d desktops, not oldest first", len(byAge))
	}
}

// The check: with the clock frozen, the counters, the pools, the
// desktops of each pool, the login statistics, the records and the online
// users all tell the same numbers.
func TestSDKFrozenClockEveryOperationAgrees(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	at := time.Date(2026, 11, 30, 10, 10, 0, 0, shanghai) // a Monday morning
	speed := 0.0
	c := client(t, serve(t, handlers.Options{Scenario: "office-day", ClockStart: at, ClockSpeed: &speed}).URL, "ak", "sk", httpConfig())

	status, err := c.ListInstancesStatus(&model.ListInstancesStatusRequest{})
	if err != nil || status.Statics == nil || len(*status.Statics) == 0 {
		t.Fatalf("ListInstancesStatus: %v", err)
	}
	pools := poolsByName(t, c)
	var sum fixtures.Group
	for _, s := range *status.Statics {
		want := group(s)
		p, ok := pools[want.StaticName]
		if !ok {
			t.Fatalf("no desktop pool named %s", want.StaticName)
		}
		if got := counters(t, want.StaticName, listAll(t, c, model.ListDesktopsDetailRequest{PoolId: p.Id}, 100)); got != want {
			t.Errorf("the desktops of %s count\n%+v\nthe counters say\n%+v", want.StaticName, got, want)
		}
		if i32(p.DesktopCount) != want.RunningNum+want.StopNum+want.HibernateNum+want.OtherNum || i32(p.DesktopUsed) != want.AttachedNum {
			t.Errorf("pool %s: desktop_count %d, desktop_used %d; counters %+v", want.StaticName, i32(p.DesktopCount), i32(p.DesktopUsed), want)
		}
		sum.InUseNum += want.InUseNum
		sum.UnregisteredNum += want.UnregisteredNum
		sum.ReadyNum += want.ReadyNum
		sum.DisconnectedNum += want.DisconnectedNum
		sum.UnknownNum += want.UnknownNum
	}
	if sum.InUseNum == 0 {
		t.Fatal("nobody is connected on a Monday at 10:10: the check tells nothing")
	}

	state, err := c.ListLoginState(&model.ListLoginStateRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if i32(state.InUseNum) != sum.InUseNum || i32(state.UnregisteredNum) != sum.UnregisteredNum || i32(state.ReadyNum) != sum.ReadyNum ||
		i32(state.DisconnectedNum) != sum.DisconnectedNum || i32(state.UnableToConnectNum) != sum.UnknownNum {
		t.Errorf("ListLoginState %+v, counters summed %+v", state, sum)
	}

	// The records of the last 24 hours, paged: each once; the open ones are
	// the connected desktops.
	limit, total := int32(70), int32(-1)
	seen, open := map[string]bool{}, map[string]bool{}
	for offset := int32(0); total < 0 || offset < total; offset += limit {
		resp, err := c.ListLoginRecordsNew(&model.ListLoginRecordsNewRequest{Offset: &offset, Limit: &limit})
		if err != nil || resp.Records == nil || resp.TotalCount == nil || total >= 0 && *resp.TotalCount != total {
			t.Fatalf("records at offset %d: %v %+v", offset, err, resp)
		}
		total = *resp.TotalCount
		for _, r := range *resp.Records {
			if seen[str(r.TransactionId)] {
				t.Fatalf("record %s listed twice", str(r.TransactionId))
			}
			seen[str(r.TransactionId)] = true
			if r.ConnectionEndTime == nil {
				open[str(r.ComputerName)] = true
			}
		}
	}
	if int32(len(seen)) != total || int32(len(open)) != sum.InUseNum {
		t.Errorf("%d records of %d; %d desktops with an open one, %d in use", len(seen), total, len(open), sum.InUseNum)
	}

	// Online users: today's hours so far, the same by query_type and by a
	// time range; the hour under way counts at least the users connected now.
	day := "DAY"
	byType, err := c.ListHistoryOnlineInfoNew(&model.ListHistoryOnlineInfoNewRequest{QueryType: &day})
	if err != nil || byType.TimeCounts == nil {
		t.Fatal(err)
	}
	from, to := "2026-11-29T16:00Z", "2026-11-30T02:10Z" // 00:00 to 10:10 in Shanghai
	byRange, err := c.ListHistoryOnlineInfoNew(&model.ListHistoryOnlineInfoNewRequest{StartTime: &from, EndTime: &to})
	if err != nil || byRange.TimeCounts == nil {
		t.Fatal(err)
	}
	counts := *byType.TimeCounts
	if len(counts) != 11 || !strings.HasPrefix(counts[0], "00:00 : ") || !slices.Equal(counts, *byRange.TimeCounts) {
		t.Fatalf("query_type=DAY %q; the range %s..%s %q", counts, from, to, *byRange.TimeCounts)
	}
	label, n, _ := strings.Cut(counts[10], " : ")
	now, err := strconv.Atoi(n)
	if label != "10:00" || err != nil {
		t.Fatalf("bucket %q", counts[10])
	}
	t.Logf("%d pools, %d records (%d open), login state %+v, online %q", len(pools), total, len(open), sum, counts)
	if int32(now) < sum.InUseNum {
		t.Errorf("10:00 counts %d users, %d are connected at 10:10", now, sum.InUseNum)
	}
}

// An error limited to ListDesktopsDetail fails that call through the SDK,
// and not ListInstancesStatus nor the other desktop operations.
func TestSDKErrorLimitedToOneOperation(t *testing.T) {
	srv := serve(t, handlers.Options{})
	admin := func(method, body string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+"/_mock/error", strings.NewReader(body))
		resp, err := srv.Client().Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s /_mock/error: %v %v", method, err, resp)
		}
		resp.Body.Close()
	}
	c := client(t, srv.URL, "ak", "sk", httpConfig())
	admin("PUT", `{"status":500,"operations":["ListDesktopsDetail"]}`)
	_, err := c.ListDesktopsDetail(&model.ListDesktopsDetailRequest{})
	if se := serviceError(t, err); se.StatusCode != 500 || se.ErrorCode != "WKS.00000003" {
		t.Errorf("ListDesktopsDetail: %d %q", se.StatusCode, se.ErrorCode)
	}
	if resp, err := call(c, nil); err != nil || resp.Statics == nil {
		t.Errorf("ListInstancesStatus failed with an error limited to ListDesktopsDetail: %v", err)
	}
	if _, err := c.ListDesktopPools(&model.ListDesktopPoolsRequest{}); err != nil {
		t.Errorf("ListDesktopPools: %v", err)
	}
	admin("DELETE", "")
	if _, err := c.ListDesktopsDetail(&model.ListDesktopsDetailRequest{}); err != nil {
		t.Errorf("ListDesktopsDetail once cleared: %v", err)
	}
}

// Every scenario with data answers the six operations in a shape the SDK
// decodes, the scenario chosen by the SDK's extra headers.
func TestEveryDataScenarioAnswersTheDesktopOperationsThroughTheSDK(t *testing.T) {
	c := client(t, serve(t, handlers.Options{Seed: 1}).URL, "ak", "sk", httpConfig())
	for _, name := range []string{"default", "empty", "max-values", "large", "flaky", "slow", "fail-twice", "fresh", "office-day", "call-centre"} {
		t.Run(name, func(t *testing.T) {
			h := map[string]string{"X-Mock-Scenario": name, "Prefer": "code=200", "X-Mock-Delay": "0s"}
			if name == "fail-twice" {
				for i := 0; i < 2; i++ {
					call(c, h) // its two failures
				}
			}
			limit := int32(5)
			list := c.ListDesktopsDetailInvoker(&model.ListDesktopsDetailRequest{Limit: &limit})
			list.GetBaseInvoker().AddHeaders(h)
			desktops, err := list.Invoke()
			if err != nil || desktops.TotalCount == nil || desktops.Desktops == nil || (name == "empty") != (len(*desktops.Desktops) == 0) {
				t.Fatalf("ListDesktopsDetail: %v %+v", err, desktops)
			}
			for _, d := range *desktops.Desktops {
				if name == "fresh" {
					break // new desktops on every request: the next one need not have this id
				}
				show := c.ShowDesktopDetailInvoker(&model.ShowDesktopDetailRequest{DesktopId: str(d.DesktopId)})
				show.GetBaseInvoker().AddHeaders(h)
				if shown, err := show.Invoke(); err != nil || shown.Desktop == nil || str(shown.Desktop.ComputerName) != str(d.ComputerName) {
					t.Fatalf("ShowDesktopDetail %s: %v", str(d.DesktopId), err)
				}
			}
			pools := c.ListDesktopPoolsInvoker(&model.ListDesktopPoolsRequest{})
			pools.GetBaseInvoker().AddHeaders(h)
			if resp, err := pools.Invoke(); err != nil || resp.DesktopPools == nil || resp.TotalCount == nil {
				t.Fatalf("ListDesktopPools: %v %+v", err, resp)
			}
			state := c.ListLoginStateInvoker(&model.ListLoginStateRequest{})
			state.GetBaseInvoker().AddHeaders(h)
			if resp, err := state.Invoke(); err != nil || resp.InUseNum == nil || resp.UnableToConnectNum == nil {
				t.Fatalf("ListLoginState: %v %+v", err, resp)
			}
			records := c.ListLoginRecordsNewInvoker(&model.ListLoginRecordsNewRequest{Limit: &limit})
			records.GetBaseInvoker().AddHeaders(h)
			if resp, err := records.Invoke(); err != nil || resp.Records == nil || resp.TotalCount == nil {
				t.Fatalf("ListLoginRecordsNew: %v %+v", err, resp)
			}
			if name == "max-values" {
				return // online users examine desktops.MaxWalk of its desktops: seconds
			}
			week := "WEEK"
			online := c.ListHistoryOnlineInfoNewInvoker(&model.ListHistoryOnlineInfoNewRequest{QueryType: &week})
			online.GetBaseInvoker().AddHeaders(h)
			if resp, err := online.Invoke(); err != nil || resp.TimeCounts == nil || len(*resp.TimeCounts) == 0 {
				t.Fatalf("ListHistoryOnlineInfoNew: %v %+v", err, resp)
			}
		})
	}
}

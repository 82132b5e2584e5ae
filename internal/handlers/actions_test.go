package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/workspace-mock/mockserver/internal/fixtures"
)

func doBody(m http.Handler, method, path, body string, hdr map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, req)
	return rec
}

// A weekday at 03:30 in Shanghai: most of office-day's desktops are off.
var nightShanghai = time.Date(2026, 12, 1, 19, 30, 0, 0, time.UTC)

func frozenMock(t testing.TB, scenario string, at time.Time) *Mock {
	t.Helper()
	zero := 0.0
	return newMock(t, Options{Scenario: scenario, ClockStart: at, ClockSpeed: &zero, Seed: 7})
}

type detailPage struct {
	Desktops []struct {
		ID          string `json:"desktop_id"`
		Status      string `json:"status"`
		TaskStatus  string `json:"task_status"`
		LoginStatus string `json:"login_status"`
	} `json:"desktops"`
	Total int `json:"total_count"`
}

func okJSON(t *testing.T, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("%v: %s", err, rec.Body)
	}
}

func total(gs []fixtures.Group) fixtures.Group { return fixtures.Total("", gs) }

// The autoscaler's loop on a frozen clock: read the counters, start
// desktops, poll the job, advance the clock, see them running and
// registered in every view; run twice, it writes the same bytes.
func TestStartDesktopsAndFollowTheJob(t *testing.T) {
	run := func(t *testing.T) []byte {
		m := frozenMock(t, "office-day", nightShanghai)
		var log bytes.Buffer
		get := func(path string) *httptest.ResponseRecorder {
			rec := do(m, "GET", path, nil)
			log.Write(rec.Body.Bytes())
			return rec
		}
		before := total(groups(t, get("/v2/p1/connections/status")))
		var off detailPage
		okJSON(t, get("/v2/p1/desktops/detail?status=SHUTOFF&limit=5"), &off)
		if len(off.Desktops) != 5 {
			t.Fatalf("%d stopped desktops at night", len(off.Desktops))
		}
		ids := make([]string, len(off.Desktops))
		for k, d := range off.Desktops {
			ids[k] = `"` + d.ID + `"`
		}
		rec := doBody(m, "POST", "/v2/p1/desktops/action", `{"desktop_ids":[`+strings.Join(ids, ",")+`],"op_type":"os-start","type":"SOFT"}`, nil)
		log.Write(rec.Body.Bytes())
		var accepted struct {
			JobID  string            `json:"job_id"`
			Failed []json.RawMessage `json:"failed_operation_list"`
		}
		okJSON(t, rec, &accepted)
		if accepted.JobID == "" || len(accepted.Failed) != 0 {
			t.Fatalf("accepted: %s", rec.Body)
		}

		// At once: counted running (starting), shown SHUTOFF powering-on, the job running.
		now := total(groups(t, get("/v2/p1/connections/status")))
		if now.RunningNum != before.RunningNum+5 || now.StopNum != before.StopNum-5 {
			t.Fatalf("starting desktops not counted running: before %+v, now %+v", before, now)
		}
		var one struct {
			Desktop struct {
				Status      string `json:"status"`
				TaskStatus  string `json:"task_status"`
				LoginStatus string `json:"login_status"`
			} `json:"desktop"`
		}
		okJSON(t, get("/v2/p1/desktops/"+off.Desktops[0].ID), &one)
		if one.Desktop.Status != "SHUTOFF" || one.Desktop.TaskStatus != "powering-on" || one.Desktop.LoginStatus != "UNREGISTER" {
			t.Fatalf("a starting desktop: %+v", one.Desktop)
		}
		var job struct {
			Status  string `json:"status"`
			Total   int    `json:"sub_jobs_total"`
			SubJobs []struct {
				Status   string `json:"status"`
				Entities struct {
					DesktopID string `json:"desktop_id"`
				} `json:"entities"`
			} `json:"sub_jobs"`
		}
		okJSON(t, get("/v2/p1/workspace-jobs/"+accepted.JobID), &job)
		if job.Status != "RUNNING" || job.Total != 5 || len(job.SubJobs) != 5 {
			t.Fatalf("job at once: %+v", job)
		}

		// Two minutes and a half later (the admin clock): running, registered, done.
		if rec := doBody(m, "POST", "/_mock/clock/advance", `{"by":"150s"}`, nil); rec.Code != 200 {
			t.Fatalf("advance: %d %s", rec.Code, rec.Body)
		}
		after := total(groups(t, get("/v2/p1/connections/status")))
		if after.RunningNum != before.RunningNum+5 || after.ReadyNum < before.ReadyNum+5 {
			t.Fatalf("started desktops: before %+v, after %+v", before, after)
		}
		started := map[string]bool{}
		for _, d := range off.Desktops {
			started[d.ID] = true
			okJSON(t, get("/v2/p1/desktops/"+d.ID), &one)
			if one.Desktop.Status != "ACTIVE" || one.Desktop.TaskStatus != "" || one.Desktop.LoginStatus != "REGISTERED" {
				t.Fatalf("a started desktop two minutes on: %+v", one.Desktop)
			}
		}
		okJSON(t, get("/v2/p1/workspace-jobs/"+accepted.JobID), &job)
		if job.Status != "SUCCESS" {
			t.Fatalf("job after two minutes: %+v", job)
		}
		for _, s := range job.SubJobs {
			if s.Status != "SUCCESS" || !started[s.Entities.DesktopID] {
				t.Fatalf("sub-job: %+v", s)
			}
		}
		// Asked as of before the action: as if it never was, and no job yet.
		early := total(groups(t, get2(m, "/v2/p1/connections/status", nightShanghai.Add(-time.Second), &log)))
		if early != before {
			t.Fatalf("before the action: %+v, want %+v", early, before)
		}
		if rec := do(m, "GET", "/v2/p1/workspace-jobs/"+accepted.JobID, map[string]string{"X-Mock-Time": nightShanghai.Add(-time.Second).Format(time.RFC3339)}); rec.Code != 404 {
			t.Fatalf("the job before it was taken: %d", rec.Code)
		}
		// Another project sees none of it; a reset forgets it.
		if other := total(groups(t, do(m, "GET", "/v2/p2/connections/status", nil))); other.RunningNum == after.RunningNum {
			t.Fatalf("another project sees p1's action")
		}
		doBody(m, "POST", "/_mock/reset?project_id=p1", "", nil)
		if rec := do(m, "GET", "/v2/p1/workspace-jobs/"+accepted.JobID, nil); rec.Code != 404 {
			t.Fatalf("the job after a reset: %d", rec.Code)
		}
		return log.Bytes()
	}
	first, second := run(t), run(t)
	if !bytes.Equal(first, second) {
		t.Fatal("two runs of the same test wrote different bytes")
	}
}

func get2(m http.Handler, path string, at time.Time, log *bytes.Buffer) *httptest.ResponseRecorder {
	rec := do(m, "GET", path, map[string]string{"X-Mock-Time": at.Format(time.RFC3339)})
	log.Write(rec.Body.Bytes())
	return rec
}

// firstDesktop is the id of the first desktop of a listing (query q) of
// project p at the project's instant.
func firstDesktop(t *testing.T, m http.Handler, p, q string) string {
	t.Helper()
	var page detailPage
	okJSON(t, do(m, "GET", "/v2/"+p+"/desktops/detail?limit=1&"+q, nil), &page)
	if len(page.Desktops) == 0 {
		t.Fatalf("no desktop for %s", q)
	}
	return page.Desktops[0].ID
}

func actionsOf(t *testing.T, m http.Handler, p string) int {
	t.Helper()
	var r struct {
		Projects map[string][]json.RawMessage `json:"projects"`
	}
	okJSON(t, do(m, "GET", "/_mock/actions?project_id="+p, nil), &r)
	return len(r.Projects[p])
}

// What the service refuses, each in the documented shape and the contract,
// and nothing recorded; a partial refusal in failed_operation_list.
func TestActionRefusals(t *testing.T) {
	c := loadContract(t)
	m := frozenMock(t, "office-day", nightShanghai)
	off := firstDesktop(t, m, "p", "status=SHUTOFF")
	unknown := "00000000-0000-4000-8000-000000000000"
	many := strings.TrimSuffix(strings.Repeat(`"`+off+`",`, 101), ",")
	batch := func(ids, op, typ string) string {
		return fmt.Sprintf(`{"desktop_ids":[%s],"op_type":%q,"type":%q}`, ids, op, typ)
	}
	q := func(id string) string { return `"` + id + `"` }
	for _, tc := range []struct {
		name, body string
		hdr        map[string]string
		status     int
		code       string
	}{
		{"not JSON", `{"desktop_ids":`, nil, 400, "WKS.0001"},
		{"no body", ``, nil, 400, "WKS.0001"},
		{"an empty list", batch(``, "os-start", "SOFT"), nil, 400, "WKS.0001"},
		{"101 ids", batch(many, "os-start", "SOFT"), nil, 400, "WKS.0001"},
		{"an unknown op_type", batch(q(off), "os-fly", "SOFT"), nil, 400, "WKS.0001"},
		{"the pool's op_type", batch(q(off), "hibernate", "SOFT"), nil, 400, "WKS.0001"},
		{"an unknown type", batch(q(off), "os-start", "GENTLE"), nil, 400, "WKS.0001"},
		{"only unknown ids", batch(q(unknown), "os-start", "SOFT"), nil, 404, "WKS.0202"},
		{"stopping a stopped desktop", batch(q(off), "os-stop", "SOFT"), nil, 409, "WKS.00010032"},
		{"rebooting a stopped desktop", batch(q(off), "reboot", "HARD"), nil, 409, "WKS.00010032"},
		{"an injected error", batch(q(off), "os-start", "SOFT"), map[string]string{"X-Mock-Error": "500"}, 500, "WKS.00000003"},
		{"an error scenario", batch(q(off), "os-start", "SOFT"), map[string]string{"X-Mock-Scenario": "error-403"}, 403, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := request("POST", "/v2/p/desktops/action", tc.body, tc.hdr)
			rec := c.check(t, m, req)
			if tc.code != "" {
				checkError(t, rec, tc.status, tc.code)
			} else if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			if n := actionsOf(t, m, "p"); n != 0 {
				t.Fatalf("%d actions recorded after a refusal", n)
			}
		})
	}
	// An error switch limited to the operation refuses it, and only it.
	if rec := doBody(m, "PUT", "/_mock/error?project_id=p", `{"status":500,"operations":["BatchRunDesktops"]}`, nil); rec.Code != 200 {
		t.Fatalf("inject: %d %s", rec.Code, rec.Body)
	}
	checkError(t, doBody(m, "POST", "/v2/p/desktops/action", batch(q(off), "os-start", "SOFT"), nil), 500, "WKS.00000003")
	if n := actionsOf(t, m, "p"); n != 0 {
		t.Fatalf("an injected error recorded the action")
	}
	do(m, "DELETE", "/_mock/error?project_id=p", nil)

	// A partial refusal: the known desktop starts, the unknown is listed.
	rec := c.check(t, m, request("POST", "/v2/p/desktops/action", batch(q(off)+","+q(unknown), "os-start", "HARD"), nil))
	var r struct {
		JobID  string `json:"job_id"`
		Failed []struct {
			ID   string `json:"desktop_id"`
			Code string `json:"error_code"`
		} `json:"failed_operation_list"`
	}
	okJSON(t, rec, &r)
	if len(r.Failed) != 1 || r.Failed[0].ID != unknown || r.Failed[0].Code != "WKS.0202" {
		t.Fatalf("partial refusal: %s", rec.Body)
	}
	// A desktop being started can be neither started nor stopped.
	for _, op := range []string{"os-start", "os-stop"} {
		checkError(t, c.check(t, m, request("POST", "/v2/p/desktops/action", batch(q(off), op, "SOFT"), nil)), 409, "WKS.00010032")
	}
	c.check(t, m, request("GET", "/v2/p/workspace-jobs/"+r.JobID, "", nil))
	c.check(t, m, request("GET", "/_mock/actions", "", nil))
	checkError(t, c.check(t, m, request("GET", "/v2/p/workspace-jobs/"+unknown, "", nil)), 404, "WKS.0202")
	if n := actionsOf(t, m, "p"); n != 1 {
		t.Fatalf("%d actions, want 1", n)
	}
	// The journal names the operation.
	var journal struct {
		Requests []struct {
			Operation string `json:"operation"`
			Status    int    `json:"status"`
		} `json:"requests"`
	}
	okJSON(t, do(m, "GET", "/_mock/requests?project_id=p", nil), &journal)
	found := false
	for _, e := range journal.Requests {
		found = found || e.Operation == "BatchRunDesktops" && e.Status == 200
	}
	if !found {
		t.Fatalf("the journal has no BatchRunDesktops: %+v", journal)
	}
}

// The schedule meets the actions: a desktop a user stopped and started again
// at 17:50 is still powered down by the evening schedule, and an action
// taken after the schedule acted wins over it.
func TestTheScheduleActsOnActedDesktopsAndLaterActionsWin(t *testing.T) {
	evening := time.Date(2026, 12, 2, 9, 40, 0, 0, time.UTC) // 17:40 in Shanghai, a Wednesday
	m := frozenMock(t, "office-day", evening)
	id := firstDesktop(t, m, "p", "status=ACTIVE")
	status := func(at time.Time) (s string) {
		var one struct {
			Desktop struct {
				Status string `json:"status"`
				Task   string `json:"task_status"`
			} `json:"desktop"`
		}
		okJSON(t, do(m, "GET", "/v2/p/desktops/"+id, map[string]string{"X-Mock-Time": at.Format(time.RFC3339)}), &one)
		return one.Desktop.Status + "/" + one.Desktop.Task
	}
	setClock := func(at time.Time) {
		if rec := doBody(m, "PUT", "/_mock/clock", `{"now":"`+at.Format(time.RFC3339)+`"}`, nil); rec.Code != 200 {
			t.Fatalf("clock: %d %s", rec.Code, rec.Body)
		}
	}
	act := func(op string) {
		rec := doBody(m, "POST", "/v2/p/desktops/action", `{"desktop_ids":["`+id+`"],"op_type":"`+op+`"}`, nil)
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", op, rec.Code, rec.Body)
		}
	}
	act("os-stop")
	if got := status(evening.Add(5 * time.Minute)); got != "SHUTOFF/" {
		t.Fatalf("stopped at 17:40, at 17:45: %s", got)
	}
	setClock(evening.Add(10 * time.Minute))
	act("os-start")
	if got := status(evening.Add(15 * time.Minute)); got != "ACTIVE/" {
		t.Fatalf("started at 17:50, at 17:55: %s", got)
	}
	night := evening.Add(10 * time.Hour) // 03:40 the next day
	if got := status(night); got == "ACTIVE/" {
		t.Fatalf("the evening schedule did not power down a desktop started at 17:50: %s at 03:40", got)
	}
	setClock(night)
	act("os-start")
	if got := status(night.Add(5 * time.Minute)); got != "ACTIVE/" {
		t.Fatalf("started at 03:40, after the schedule: %s at 03:45", got)
	}
	// Asked again in any order, the same answers.
	if got := status(evening.Add(5 * time.Minute)); got != "SHUTOFF/" {
		t.Fatalf("17:45 asked again: %s", got)
	}
}

// Clients racing to start one desktop: one is accepted, the others refused.
func TestConcurrentActionsOnOneDesktop(t *testing.T) {
	m := frozenMock(t, "office-day", nightShanghai)
	id := firstDesktop(t, m, "p", "status=SHUTOFF")
	codes := make(chan int, 8)
	for k := 0; k < cap(codes); k++ {
		go func() {
			codes <- doBody(m, "POST", "/v2/p/desktops/action", `{"desktop_ids":["`+id+`"],"op_type":"os-start"}`, nil).Code
		}()
	}
	won := 0
	for k := 0; k < cap(codes); k++ {
		switch c := <-codes; c {
		case 200:
			won++
		case 409:
		default:
			t.Fatalf("status %d", c)
		}
	}
	if won != 1 || actionsOf(t, m, "p") != 1 {
		t.Fatalf("%d accepted, %d recorded", won, actionsOf(t, m, "p"))
	}
}

// A pool action, its refusals and its job, each against the contract.
func TestPoolActionKeepsTheContract(t *testing.T) {
	c := loadContract(t)
	m := frozenMock(t, "office-day", nightShanghai)
	var pools struct {
		Pools []struct {
			ID string `json:"id"`
		} `json:"desktop_pools"`
	}
	okJSON(t, do(m, "GET", "/v2/p/desktop-pools", nil), &pools)
	path := "/v2/p/desktop-pools/" + pools.Pools[0].ID + "/action"
	checkError(t, c.check(t, m, request("POST", "/v2/p/desktop-pools/nope/action", `{"op_type":"os-start"}`, nil)), 400, "WKS.0001")
	checkError(t, c.check(t, m, request("POST", path, `{"op_type":"os-hibernate"}`, nil)), 400, "WKS.0001")
	checkError(t, c.check(t, m, request("POST", path, `{"op_type":"hibernate"}`, nil)), 409, "WKS.00010032") // all off at night
	var r struct {
		JobID string `json:"job_id"`
	}
	okJSON(t, c.check(t, m, request("POST", path, `{"op_type":"os-start","type":"HARD"}`, nil)), &r)
	c.check(t, m, request("GET", "/v2/p/workspace-jobs/"+r.JobID, "", nil))
	c.check(t, m, request("GET", "/_mock/actions?project_id=p", "", nil))
	if n := actionsOf(t, m, "p"); n != 1 {
		t.Fatalf("%d actions", n)
	}
}

// A request answered with a transport fault does not act; an action ignores
// X-Mock-Time (it happens now, on the project's clock).
func TestFaultsDoNotActAndActionsHappenNow(t *testing.T) {
	m := frozenMock(t, "office-day", nightShanghai)
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	id := firstDesktop(t, m, "p", "status=SHUTOFF")
	body := `{"desktop_ids":["` + id + `"],"op_type":"os-start"}`
	for _, sc := range []string{"fault-reset", "fault-empty", "fault-malformed"} {
		req, _ := http.NewRequest("POST", srv.URL+"/v2/p/desktops/action", strings.NewReader(body))
		req.Header.Set("X-Mock-Scenario", sc)
		if resp, err := srv.Client().Do(req); err == nil {
			resp.Body.Close()
		}
		if n := actionsOf(t, m, "p"); n != 0 {
			t.Fatalf("%s: %d actions recorded", sc, n)
		}
	}
	later := nightShanghai.Add(time.Hour).Format(time.RFC3339)
	if rec := doBody(m, "POST", "/v2/p/desktops/action", body, map[string]string{"X-Mock-Time": later}); rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	var r struct {
		Projects map[string][]struct {
			At time.Time `json:"accepted_at"`
		} `json:"projects"`
	}
	okJSON(t, do(m, "GET", "/_mock/actions", nil), &r)
	if got := r.Projects["p"]; len(got) != 1 || !got[0].At.Equal(nightShanghai) {
		t.Fatalf("accepted at %+v, want the project's clock %s", got, nightShanghai)
	}
}

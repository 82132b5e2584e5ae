package handlers

import (
	"bytes"
	"encoding/json"
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

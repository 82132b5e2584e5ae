package sdkconformance

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"

	"github.com/workspace-mock/mockserver/internal/handlers"
)

// advance moves the emulator's clock through the admin API.
func advance(t *testing.T, url, by string) {
	t.Helper()
	resp, err := http.Post(url+"/_mock/clock/advance", "application/json", strings.NewReader(`{"by":"`+by+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("advance: %d", resp.StatusCode)
	}
}

func ptr[T any](v T) *T { return &v }

func sum(r *model.ListInstancesStatusResponse) (running, ready int32) {
	for _, g := range *r.Statics {
		running += *g.RunningNum
		ready += *g.ReadyNum
	}
	return running, ready
}

// An autoscaler's loop through the official SDK, unchanged, on a frozen
// clock: read the counters, start three stopped desktops, poll the job,
// advance the clock two minutes and a half, see them running and
// registered in every view; then a pool action and a refusal. Run twice, it
// reads the same answers.
func TestAutoscalerLoopThroughTheSDK(t *testing.T) {
	run := func() string {
		zero := 0.0
		srv := serve(t, handlers.Options{Scenario: "office-day", Seed: 3, ClockSpeed: &zero,
			ClockStart: time.Date(2026, 12, 1, 19, 30, 0, 0, time.UTC)}) // 03:30 in Shanghai
		c := client(t, srv.URL, "ak", "sk", httpConfig())
		var seen strings.Builder
		note := func(v fmt.Stringer) { seen.WriteString(v.String() + "\n") }

		before, err := c.ListInstancesStatus(&model.ListInstancesStatusRequest{})
		if err != nil {
			t.Fatal(err)
		}
		note(before)
		off, err := c.ListDesktopsDetail(&model.ListDesktopsDetailRequest{Status: ptr("SHUTOFF"), Limit: ptr(int32(3))})
		if err != nil || len(*off.Desktops) != 3 {
			t.Fatalf("stopped desktops: %v %v", err, off)
		}
		var ids []string
		for _, d := range *off.Desktops {
			ids = append(ids, *d.DesktopId)
		}
		soft := model.GetBatchActionDesktopsReqTypeEnum().SOFT
		started, err := c.BatchRunDesktops(&model.BatchRunDesktopsRequest{Body: &model.BatchActionDesktopsReq{DesktopIds: ids, OpType: "os-start", Type: &soft}})
		if err != nil || started.JobId == nil || len(*started.FailedOperationList) != 0 {
			t.Fatalf("BatchRunDesktops: %v %v", err, started)
		}
		note(started)
		job, err := c.ShowJob(&model.ShowJobRequest{JobId: *started.JobId})
		if err != nil || *job.Status != "RUNNING" || *job.SubJobsTotal != 3 {
			t.Fatalf("ShowJob at once: %v %v", err, job)
		}
		note(job)
		advance(t, srv.URL, "150s")
		job, err = c.ShowJob(&model.ShowJobRequest{JobId: *started.JobId})
		if err != nil || *job.Status != "SUCCESS" || job.EndTime == nil {
			t.Fatalf("ShowJob after two minutes: %v %v", err, job)
		}
		note(job)
		for _, sj := range *job.SubJobs {
			if *sj.Status != "SUCCESS" {
				t.Fatalf("sub-job %v", sj)
			}
		}
		for _, id := range ids {
			d, err := c.ShowDesktopDetail(&model.ShowDesktopDetailRequest{DesktopId: id})
			if err != nil || *d.Desktop.Status != "ACTIVE" || *d.Desktop.LoginStatus != "REGISTERED" || *d.Desktop.TaskStatus != "" {
				t.Fatalf("a started desktop: %v %v", err, d)
			}
		}
		after, err := c.ListInstancesStatus(&model.ListInstancesStatusRequest{})
		if err != nil {
			t.Fatal(err)
		}
		note(after)
		r0, g0 := sum(before)
		r1, g1 := sum(after)
		if r1 != r0+3 || g1 < g0+3 {
			t.Fatalf("counters: running %d -> %d, ready %d -> %d", r0, r1, g0, g1)
		}
		state, err := c.ListLoginState(&model.ListLoginStateRequest{})
		if err != nil || *state.ReadyNum != g1 {
			t.Fatalf("login state %v %v, ready %d", err, state, g1)
		}

		// A pool action, followed the same way.
		pools, err := c.ListDesktopPools(&model.ListDesktopPoolsRequest{})
		if err != nil {
			t.Fatal(err)
		}
		hard := model.GetDesktopPoolActionReqTypeEnum().HARD
		pooled, err := c.ExecuteDesktopPoolAction(&model.ExecuteDesktopPoolActionRequest{PoolId: *(*pools.DesktopPools)[0].Id,
			Body: &model.DesktopPoolActionReq{OpType: "os-start", Type: &hard}})
		if err != nil || pooled.JobId == nil {
			t.Fatalf("ExecuteDesktopPoolAction: %v %v", err, pooled)
		}
		note(pooled)
		advance(t, srv.URL, "2m")
		job, err = c.ShowJob(&model.ShowJobRequest{JobId: *pooled.JobId})
		if err != nil || *job.Status != "SUCCESS" || *job.JobType != "executeDesktopsAction" {
			t.Fatalf("the pool's job: %v %v", err, job)
		}
		note(job)

		// Refusals surface as the SDK's service errors.
		_, err = c.BatchRunDesktops(&model.BatchRunDesktopsRequest{Body: &model.BatchActionDesktopsReq{DesktopIds: ids, OpType: "os-start"}})
		if se := serviceError(t, err); se.StatusCode != 409 || se.ErrorCode != "WKS.00010032" {
			t.Fatalf("starting running desktops: %+v", se)
		}
		_, err = c.ShowJob(&model.ShowJobRequest{JobId: "no-such-job"})
		if se := serviceError(t, err); se.StatusCode != 404 {
			t.Fatalf("an unknown job: %+v", se)
		}
		return seen.String()
	}
	if first, second := run(), run(); first != second {
		t.Fatalf("two runs read different answers:\n%s\n---\n%s", first, second)
	}
}

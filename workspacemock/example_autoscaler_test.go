package workspacemock_test

import (
	"fmt"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	workspace "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"

	"github.com/workspace-mock/mockserver/workspacemock"
)

// A tiny autoscaler, tested end to end through the official SDK on a frozen
// clock: read the counters, start stopped desktops when too few are ready,
// poll the job, let two and a half simulated minutes pass, see them ready.
func Example_autoscaler() {
	night := time.Date(2026, 12, 1, 3, 30, 0, 0, time.FixedZone("CST", 8*3600)) // office-day's desktops are off
	srv, err := workspacemock.NewServer(workspacemock.Options{Scenario: "office-day", ClockStart: night, FreezeClock: true})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	cred, err := basic.NewCredentialsBuilder().WithAk("AK").WithSk("SK").WithProjectId("0bec5db98280d2d02fd6c00c2de791ce").SafeBuild()
	if err != nil {
		panic(err)
	}
	hc, err := workspace.WorkspaceClientBuilder().WithEndpoints([]string{srv.URL()}).
		WithCredential(cred).WithHttpConfig(config.DefaultHttpConfig()).SafeBuild()
	if err != nil {
		panic(err)
	}
	c := workspace.NewWorkspaceClient(hc)

	ready := func() (n int32) {
		r, err := c.ListInstancesStatus(&model.ListInstancesStatusRequest{})
		if err != nil {
			panic(err)
		}
		for _, g := range *r.Statics {
			n += *g.ReadyNum
		}
		return n
	}
	fmt.Println("ready:", ready())

	// The autoscaler's step: fewer than 10 ready, start 10 stopped desktops.
	off, err := c.ListDesktopsDetail(&model.ListDesktopsDetailRequest{Status: ptr("SHUTOFF"), Limit: ptr(int32(10))})
	if err != nil {
		panic(err)
	}
	var ids []string
	for _, d := range *off.Desktops {
		ids = append(ids, *d.DesktopId)
	}
	started, err := c.BatchRunDesktops(&model.BatchRunDesktopsRequest{Body: &model.BatchActionDesktopsReq{DesktopIds: ids, OpType: "os-start"}})
	if err != nil {
		panic(err)
	}
	job, _ := c.ShowJob(&model.ShowJobRequest{JobId: *started.JobId})
	fmt.Println("job:", *job.Status, "desktops:", *job.SubJobsTotal)

	_ = srv.Advance(150 * time.Second) // starting takes the simulated clock, not the test's
	job, _ = c.ShowJob(&model.ShowJobRequest{JobId: *started.JobId})
	fmt.Println("job:", *job.Status)
	fmt.Println("ready:", ready())
	// Output:
	// ready: 0
	// job: RUNNING desktops: 10
	// job: SUCCESS
	// ready: 10
}

func ptr[T any](v T) *T { return &v }

package mockserver_test

import (
	"context"
	"fmt"
	"time"

	"github.com/testcontainers/testcontainers-go"

	mockserver "github.com/workspace-mock/mockserver/testcontainers"
)

// The shape of docs/testing.md's example, compiled with the module so it
// cannot drift from the API (it has no Output line: it needs Docker).
func ExampleRun() {
	ctx := context.Background()
	ctr, err := mockserver.Run(ctx, "workspace-mockserver:latest",
		mockserver.WithScenario("office-outage"),
		mockserver.WithClock(time.Date(2026, 11, 30, 5, 50, 0, 0, time.UTC), 0), // 13:50 in Shanghai, frozen
		mockserver.WithAdminToken("s3cret"))
	defer func() { _ = testcontainers.TerminateContainer(ctr) }()
	if err != nil {
		fmt.Println(err)
		return
	}
	url, _ := ctr.APIURL(ctx)
	admin, _ := ctr.Admin(ctx)
	_, _ = admin.Advance(ctx, 10*time.Minute)
	_ = admin.Project("p1").InjectError(ctx, 500, 2)
	fmt.Println(url + "/v2/p1/connections/status")
	reqs, _ := admin.Requests(ctx)
	fmt.Println(len(reqs), "requests")
}

// Command sdk-client calls ListInstancesStatus through the official Huawei
// Cloud Go SDK — against the emulator, unchanged but for the endpoint.
//
//	go run ./cmd/mockserver &                 # the emulator on :8080
//	go run ./examples/sdk-client              # prints the desktop pools
//	go run ./examples/sdk-client -scenario error-403
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	workspace "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"
)

func main() {
	endpoint := flag.String("endpoint", "http://localhost:8080", "Workspace endpoint (the emulator, or https://workspace.<region>.myhuaweicloud.com)")
	project := flag.String("project", "0bec5db98280d2d02fd6c00c2de791ce", "project id")
	ak := flag.String("ak", envOr("HUAWEICLOUD_SDK_AK", "any-ak"), "access key (any value unless the emulator runs with --auth aksk)")
	sk := flag.String("sk", envOr("HUAWEICLOUD_SDK_SK", "any-sk"), "secret key")
	scenario := flag.String("scenario", "", "emulator scenario for this call (sent as X-Mock-Scenario)")
	flag.Parse()

	cred, err := basic.NewCredentialsBuilder().WithAk(*ak).WithSk(*sk).WithProjectId(*project).SafeBuild()
	if err != nil {
		fail(err)
	}
	hc, err := workspace.WorkspaceClientBuilder().
		WithEndpoints([]string{*endpoint}).
		WithCredential(cred).
		WithHttpConfig(config.DefaultHttpConfig().WithUserAgent("sdk-client-example")).
		SafeBuild()
	if err != nil {
		fail(err)
	}
	client := workspace.NewWorkspaceClient(hc)

	inv := client.ListInstancesStatusInvoker(&model.ListInstancesStatusRequest{})
	if *scenario != "" {
		inv.GetBaseInvoker().AddHeaders(map[string]string{"X-Mock-Scenario": *scenario})
	}
	resp, err := inv.Invoke()
	var se *sdkerr.ServiceResponseError
	if errors.As(err, &se) {
		fmt.Printf("HTTP %d %s: %s (request id %s)\n", se.StatusCode, se.ErrorCode, se.ErrorMessage, se.RequestId)
		os.Exit(1)
	}
	if err != nil {
		fail(err)
	}
	fmt.Printf("%-28s %8s %8s %8s %8s\n", "pool", "running", "in use", "ready", "stopped")
	for _, g := range *resp.Statics {
		fmt.Printf("%-28s %8d %8d %8d %8d\n", *g.StaticName, *g.RunningNum, *g.InUseNum, *g.ReadyNum, *g.StopNum)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "sdk-client:", err)
	os.Exit(1)
}

package wsclient_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/workspace-mock/mockserver/examples/openapi-client/wsclient"
	"github.com/workspace-mock/mockserver/workspacemock"
)

// A client generated from the contract calls the emulator and reads its
// answers: data, and a documented error.
func TestGeneratedClientCallsTheEmulator(t *testing.T) {
	srv, err := workspacemock.NewServer(workspacemock.Options{InProcess: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c, err := wsclient.NewClientWithResponses(srv.URL(), wsclient.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.ListInstancesStatusWithResponse(context.Background(), "0bec5db98280d2d02fd6c00c2de791ce", nil)
	if err != nil || resp.JSON200 == nil || len(resp.JSON200.Statics) == 0 || resp.JSON200.Statics[0].StaticName == "" {
		t.Fatalf("%v %+v", err, resp)
	}
	if rid := resp.HTTPResponse.Header.Get("X-Request-Id"); len(rid) != 32 {
		t.Errorf("X-Request-Id %q", rid)
	}
	status := wsclient.ListInstancesStatusParamsXMockError(403)
	denied, err := c.ListInstancesStatusWithResponse(context.Background(), "p1", &wsclient.ListInstancesStatusParams{XMockError: &status})
	if err != nil || denied.StatusCode() != http.StatusForbidden || denied.JSON403 == nil || denied.JSON403.ErrorCode != "APIGW.0302" {
		t.Fatalf("403: %v %+v", err, denied)
	}
}

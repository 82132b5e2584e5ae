package wsclient_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/workspace-mock/mockserver/examples/openapi-client/wsclient"
	"github.com/workspace-mock/mockserver/workspacemock"
)

// newClient is a generated client of an emulator in this process.
func newClient(t *testing.T) *wsclient.ClientWithResponses {
	t.Helper()
	srv, err := workspacemock.NewServer(workspacemock.Options{InProcess: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c, err := wsclient.NewClientWithResponses(srv.URL(), wsclient.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A client generated from the contract calls the emulator and reads its
// answers: data, and a documented error.
func TestGeneratedClientCallsTheEmulator(t *testing.T) {
	c := newClient(t)
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

// The generated client lists desktops with filters and a page, shows one it
// listed by its id, and reads the 404 of an id no desktop has.
func TestGeneratedClientListsAndShowsDesktops(t *testing.T) {
	c := newClient(t)
	ctx, project := context.Background(), "0bec5db98280d2d02fd6c00c2de791ce"
	all, err := c.ListDesktopsDetailWithResponse(ctx, project, nil)
	if err != nil || all.JSON200 == nil || all.JSON200.TotalCount == 0 {
		t.Fatalf("%v %+v", err, all)
	}
	status, limit := wsclient.ACTIVE, int32(2)
	page, err := c.ListDesktopsDetailWithResponse(ctx, project, &wsclient.ListDesktopsDetailParams{Status: &status, Limit: &limit})
	if err != nil || page.JSON200 == nil || len(page.JSON200.Desktops) == 0 || len(page.JSON200.Desktops) > 2 ||
		page.JSON200.TotalCount > all.JSON200.TotalCount {
		t.Fatalf("status=ACTIVE&limit=2: %v %+v", err, page)
	}
	for _, d := range page.JSON200.Desktops {
		if d.Status != "ACTIVE" {
			t.Errorf("%s: status %q with status=ACTIVE", d.DesktopId, d.Status)
		}
		shown, err := c.ShowDesktopDetailWithResponse(ctx, project, d.DesktopId, nil)
		if err != nil || shown.JSON200 == nil {
			t.Fatalf("show %s: %v %+v", d.DesktopId, err, shown)
		}
		if got := shown.JSON200.Desktop; got.DesktopId != d.DesktopId || got.ComputerName != d.ComputerName ||
			got.SecurityGroups == nil || len(*got.SecurityGroups) == 0 {
			t.Errorf("show %s: %+v, listed %+v", d.DesktopId, got, d)
		}
	}
	missing, err := c.ShowDesktopDetailWithResponse(ctx, project, "no-such-desktop", nil)
	if err != nil || missing.StatusCode() != http.StatusNotFound || missing.JSON404 == nil || missing.JSON404.ErrorCode != "WKS.0202" {
		t.Fatalf("404: %v %+v", err, missing)
	}
}

package mockserver_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"

	mockserver "github.com/workspace-mock/mockserver/testcontainers"
)

// image is the emulator's image under test: built from the repository's
// Dockerfile (.ci/container-smoke builds it, then runs these tests).
func image() string {
	if img := os.Getenv("MOCKSERVER_IMAGE"); img != "" {
		return img
	}
	return "workspace-mockserver:latest"
}

// requireDockerAndImage skips, saying why, where no Docker engine answers
// or the image is not built: these tests never pull. With
// MOCKSERVER_REQUIRE_DOCKER set (.ci/container-smoke sets it) it fails
// instead, so CI cannot pass by skipping.
func requireDockerAndImage(t *testing.T) {
	t.Helper()
	skip := t.Skipf
	if os.Getenv("MOCKSERVER_REQUIRE_DOCKER") != "" {
		skip = t.Fatalf
	}
	// The test terminates its own container (CleanupContainer), so it needs
	// no reaper, whose image it could not pull where no registry is reachable.
	if os.Getenv("TESTCONTAINERS_RYUK_DISABLED") == "" {
		t.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
	ctx := context.Background()
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		skip("no Docker engine reachable (DOCKER_HOST=%q): %v", os.Getenv("DOCKER_HOST"), err)
		return
	}
	defer cli.Close()
	if _, err := cli.ImageInspect(ctx, image()); err != nil {
		skip("no image %s from a reachable Docker engine (DOCKER_HOST=%q; build it with docker build -t %s ., or set MOCKSERVER_IMAGE): %v",
			image(), os.Getenv("DOCKER_HOST"), image(), err)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestRunServesAFolderOnAFrozenClockWithAToken(t *testing.T) {
	requireDockerAndImage(t)
	ctx := context.Background()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "mine.yaml"), []byte("name: mine\nstatics: [{static_name: my-pool, running_num: 3}]\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "empty.yaml"), []byte("name: empty\nstatics: []\n"), 0o644)
	start := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

	ctr, err := mockserver.Run(ctx, image(),
		mockserver.WithScenariosDir(dir), mockserver.WithScenario("mine"),
		mockserver.WithClock(start, 0), mockserver.WithAdminToken("s3cret"))
	testcontainers.CleanupContainer(t, ctr)
	if err != nil {
		t.Fatal(err)
	}
	url, err := ctr.APIURL(ctx)
	if err != nil {
		t.Fatal(err)
	}
	api := url + "/v2/p1/connections/status"
	if code, body := get(t, api); code != 200 || !strings.Contains(body, `"static_name":"my-pool","running_num":3`) {
		t.Fatalf("the folder's scenario: %d %s", code, body)
	}

	admin, err := ctr.Admin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var apiErr *mockserver.Error
	if err := mockserver.NewAdmin(url, "").Reset(ctx); !errors.As(err, &apiErr) || apiErr.Status != 401 {
		t.Fatalf("admin call without the token: %v, want a 401", err)
	}

	if c, err := admin.Clock(ctx); err != nil || !c.Now.Equal(start) || c.Speed != 0 {
		t.Fatalf("frozen clock: %+v %v, want %s at speed 0", c, err, start)
	}
	if c, err := admin.Advance(ctx, 15*time.Minute); err != nil || !c.Now.Equal(start.Add(15*time.Minute)) {
		t.Fatalf("advance: %+v %v", c, err)
	}

	if err := admin.InjectError(ctx, 500, 1); err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, api); code != 500 || !strings.Contains(body, `"error_code":"WKS.00000003"`) {
		t.Fatalf("after InjectError(500, 1): %d %s", code, body)
	}
	if code, _ := get(t, api); code != 200 {
		t.Fatalf("the error was for one request; the next answered %d", code)
	}

	if err := admin.Project("p2").SetScenario(ctx, "empty"); err != nil {
		t.Fatal(err)
	}
	if _, body := get(t, url+"/v2/p2/connections/status"); body != `{"statics":[]}` {
		t.Fatalf("p2 switched to empty: %s", body)
	}
	if _, body := get(t, api); !strings.Contains(body, "my-pool") {
		t.Fatalf("p1 must keep its scenario: %s", body)
	}

	reqs, err := admin.Requests(ctx)
	if err != nil || len(reqs) != 5 || reqs[1].Status != 500 || reqs[0].Operation != "ListInstancesStatus" || reqs[3].ProjectID != "p2" || reqs[0].RequestID == "" {
		t.Fatalf("journal: %v %+v", err, reqs)
	}
	if err := admin.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if reqs, err := admin.Requests(ctx); err != nil || len(reqs) != 0 {
		t.Fatalf("after reset the journal is empty: %v %d", err, len(reqs))
	}
	if c, err := admin.Clock(ctx); err != nil || !c.Now.Equal(start) {
		t.Fatalf("after reset the clock is back at its start: %+v %v", c, err)
	}
	if err := admin.InjectError(ctx, 503, 1); !errors.As(err, &apiErr) || apiErr.Status != 400 || apiErr.Code != "MOCK.0001" {
		t.Fatalf("an undocumented status: %v, want 400 MOCK.0001", err)
	}
}

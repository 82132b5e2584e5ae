package workspacemock_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	workspace "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"

	"github.com/workspace-mock/mockserver/workspacemock"
)

const project = "0bec5db98280d2d02fd6c00c2de791ce"

func start(t *testing.T, o workspacemock.Options) *workspacemock.Server {
	t.Helper()
	srv, err := workspacemock.NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, srv *workspacemock.Server, project string, hdr map[string]string) (int, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL()+"/v2/"+project+"/connections/status", nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// sdkClient builds an official SDK client for srv, over its URL or, in
// process, through its transport.
func sdkClient(t *testing.T, srv *workspacemock.Server, ak, sk string) *workspace.WorkspaceClient {
	t.Helper()
	hc := config.DefaultHttpConfig().WithUserAgent("workspacemock-test").WithHttpRoundTripper(srv.Client().Transport)
	cred := credentials(t, basic.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithProjectId(project))
	c, err := workspace.WorkspaceClientBuilder().WithEndpoints([]string{srv.URL()}).WithCredential(cred).WithHttpConfig(hc).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return workspace.NewWorkspaceClient(c)
}

func TestDrivenByTheOfficialSDK(t *testing.T) {
	for _, inProcess := range []bool{false, true} {
		t.Run(map[bool]string{false: "tcp", true: "in-process"}[inProcess], func(t *testing.T) {
			srv := start(t, workspacemock.Options{InProcess: inProcess, Credentials: []workspacemock.Credential{{AK: "AK", SK: "SK"}}})
			c := sdkClient(t, srv, "AK", "SK")
			resp, err := c.ListInstancesStatus(&model.ListInstancesStatusRequest{})
			if err != nil || resp.Statics == nil || len(*resp.Statics) == 0 {
				t.Fatalf("%v %v", resp, err)
			}
			if err := srv.InjectError(403, 1); err != nil {
				t.Fatal(err)
			}
			_, err = c.ListInstancesStatus(&model.ListInstancesStatusRequest{})
			var se *sdkerr.ServiceResponseError
			if !errors.As(err, &se) || se.StatusCode != 403 || se.EncodedAuthorizationMessage == "" {
				t.Fatalf("injected 403: %v", err)
			}
			if _, err := sdkClient(t, srv, "AK", "wrong").ListInstancesStatus(&model.ListInstancesStatusRequest{}); !errors.As(err, &se) || se.ErrorCode != "APIGW.0301" {
				t.Fatalf("wrong SK: %v", err)
			}
			reqs := srv.Requests()
			if len(reqs) != 3 || reqs[0].Status != 200 || reqs[1].Status != 403 || reqs[2].Status != 401 ||
				reqs[0].XProjectID != project || !reqs[0].Authorization || !strings.Contains(reqs[0].UserAgent, "workspacemock-test") {
				t.Fatalf("journal: %+v", reqs)
			}
		})
	}
}

func TestInProcessFaultsReadLikeANetwork(t *testing.T) {
	srv := start(t, workspacemock.Options{InProcess: true})
	if _, _, err := get(t, srv, project, map[string]string{"X-Mock-Scenario": "fault-reset"}); err == nil || !strings.Contains(err.Error(), "connection reset by peer") {
		t.Errorf("reset: %v", err)
	}
	if _, _, err := get(t, srv, project, map[string]string{"X-Mock-Scenario": "fault-empty"}); !errors.Is(err, io.EOF) {
		t.Errorf("empty: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL()+"/v2/p/connections/status", nil)
	req.Header.Set("X-Mock-Scenario", "fault-hang")
	if _, err := srv.Client().Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hang: %v", err)
	}
}

func TestSwitchScenarioInjectCountAndReset(t *testing.T) {
	srv := start(t, workspacemock.Options{InProcess: true})
	if err := srv.SetScenario("max-values"); err != nil {
		t.Fatal(err)
	}
	if _, body, _ := get(t, srv, project, nil); !strings.Contains(body, "2147483647") {
		t.Fatalf("max-values: %s", body)
	}
	if err := srv.SetScenario("nope"); err == nil {
		t.Error("unknown scenario accepted")
	}
	if err := srv.InjectError(418, 1); err == nil {
		t.Error("undocumented status accepted")
	}
	if err := srv.InjectError(500, -1); err == nil || !strings.Contains(err.Error(), "0 for every request until cleared") {
		t.Errorf("negative count: %v", err)
	}
	srv.InjectError(500, 2)
	var codes []int
	for i := 0; i < 3; i++ {
		code, _, _ := get(t, srv, project, nil)
		codes = append(codes, code)
	}
	if codes[0] != 500 || codes[1] != 500 || codes[2] != 200 {
		t.Fatalf("count 2: %v", codes)
	}
	srv.InjectError(429, 0)
	for i := 0; i < 3; i++ {
		if code, _, _ := get(t, srv, project, nil); code != 429 {
			t.Fatalf("until cleared: %d", code)
		}
	}
	srv.ClearError()
	srv.Reset()
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("journal after reset: %d", n)
	}
	if _, body, _ := get(t, srv, project, nil); strings.Contains(body, "2147483647") {
		t.Error("reset kept the scenario switch")
	}
}

func TestProjectsSharingAServerDoNotDisturbEachOther(t *testing.T) {
	srv := start(t, workspacemock.Options{})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			id := "proj" + string(rune('a'+i))
			p := srv.Project(id)
			p.InjectError(429, 0) // until cleared
			p.ClearError()
			p.InjectError(500, 2)
			if i%2 == 0 {
				p.SetScenario("empty")
			}
			var got []int
			for k := 0; k < 4; k++ {
				code, body, err := get(t, srv, id, nil)
				if err != nil {
					t.Error(err)
					return
				}
				if code == 200 && (i%2 == 0) != (body == `{"statics":[]}`) {
					t.Errorf("%s got another project's scenario: %s", id, body)
				}
				got = append(got, code)
			}
			if got[0] != 500 || got[1] != 500 || got[2] != 200 || got[3] != 200 {
				t.Errorf("%s: %v", id, got)
			}
			if n := len(p.Requests()); n != 4 {
				t.Errorf("%s journal: %d requests", id, n)
			}
			p.Reset()
			if n := len(p.Requests()); n != 0 {
				t.Errorf("%s journal after its reset: %d", id, n)
			}
		}(i)
	}
	wg.Wait()
}

func TestTwoServersAreIndependent(t *testing.T) {
	a := start(t, workspacemock.Options{InProcess: true, Seed: 1})
	b := start(t, workspacemock.Options{InProcess: true, Seed: 2})
	a.InjectError(500, 0)
	if code, _, _ := get(t, a, project, nil); code != 500 {
		t.Fatalf("a: %d", code)
	}
	if code, _, _ := get(t, b, project, nil); code != 200 {
		t.Fatalf("b affected by a's error: %d", code)
	}
	_, bodyB, _ := get(t, b, project, nil)
	c := start(t, workspacemock.Options{InProcess: true, Seed: 1})
	_, bodyC, _ := get(t, c, project, nil)
	if bodyB == bodyC {
		t.Error("seeds 1 and 2 gave the same data")
	}
	if len(a.Requests()) != 1 || len(b.Requests()) != 2 {
		t.Errorf("journals mixed: %d %d", len(a.Requests()), len(b.Requests()))
	}
}

func TestScenarioFSAndBadOptions(t *testing.T) {
	fsys := fstest.MapFS{"default.yaml": {Data: []byte("name: default\nstatics:\n  - static_name: mine\n")}}
	srv := start(t, workspacemock.Options{ScenarioFS: fsys, InProcess: true})
	if _, body, _ := get(t, srv, project, nil); !strings.Contains(body, `"mine"`) {
		t.Errorf("ScenarioFS not served: %s", body)
	}
	bad := fstest.MapFS{"default.yaml": {Data: []byte("name: default\nstatics: 3\n")}}
	if _, err := workspacemock.NewServer(workspacemock.Options{ScenarioFS: bad}); err == nil || !strings.Contains(err.Error(), "default.yaml:2:") {
		t.Errorf("broken ScenarioFS: %v", err)
	}
	if _, err := workspacemock.NewServer(workspacemock.Options{Scenario: "nope"}); err == nil {
		t.Error("unknown scenario accepted")
	}
	if _, err := workspacemock.NewServer(workspacemock.Options{Addr: "256.0.0.1:0"}); err == nil {
		t.Error("bad address accepted")
	}
	if _, err := workspacemock.NewServer(workspacemock.Options{InProcess: true, TLS: true}); err == nil {
		t.Error("TLS without a listener accepted")
	}
}

func TestTLSServerIsTrustedByItsClientOnly(t *testing.T) {
	srv := start(t, workspacemock.Options{TLS: true})
	if !strings.HasPrefix(srv.URL(), "https://127.0.0.1:") {
		t.Fatalf("URL %s", srv.URL())
	}
	if code, body, err := get(t, srv, project, nil); err != nil || code != 200 || !strings.HasPrefix(body, `{"statics":[{`) {
		t.Fatalf("Client(): %d %s %v", code, body, err)
	}
	resp, err := sdkClient(t, srv, "ak", "sk").ListInstancesStatus(&model.ListInstancesStatusRequest{})
	if err != nil || resp.Statics == nil {
		t.Fatalf("SDK over TLS: %v", err)
	}
	var unknownCA x509.UnknownAuthorityError
	if _, err := http.Get(srv.URL() + "/healthz"); !errors.As(err, &unknownCA) {
		t.Errorf("a client that doesn't trust the certificate: %v", err)
	}
}

func TestRequestsCarryNoSecrets(t *testing.T) {
	srv := start(t, workspacemock.Options{InProcess: true, Credentials: []workspacemock.Credential{{AK: "AK", SK: "super-secret-sk"}}})
	sdkClient(t, srv, "AK", "super-secret-sk").ListInstancesStatus(&model.ListInstancesStatusRequest{})
	out, _ := json.Marshal(srv.Requests())
	if strings.Contains(string(out), "super-secret-sk") || strings.Contains(string(out), "Signature=") {
		t.Fatalf("journal leaks: %s", out)
	}
}

// The package and the admin API show one record and one meaning of a number.
func TestOneRecordAndOneMeaningOfCountsAndSizes(t *testing.T) {
	srv := start(t, workspacemock.Options{})
	get(t, srv, project, map[string]string{"X-Sdk-Date": "20261126T103014Z", "X-Auth-Token": "t"})
	var admin struct{ Requests []map[string]any }
	resp, err := http.Get(srv.URL() + "/_mock/requests")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&admin)
	resp.Body.Close()
	reqs := srv.Requests()
	if len(reqs) != 1 || len(admin.Requests) != 1 {
		t.Fatalf("journal: %+v %+v", reqs, admin.Requests)
	}
	r, a := reqs[0], admin.Requests[0]
	if r.SdkDate != "20261126T103014Z" || a["x_sdk_date"] != r.SdkDate || !r.AuthToken || a["auth_token"] != true || a["request_id"] != r.RequestID {
		t.Errorf("package %+v, admin API %v", r, a)
	}

	// count 0 is "until cleared" in the admin API too
	body := strings.NewReader(`{"status":429,"count":0}`)
	req, _ := http.NewRequest("PUT", srv.URL()+"/_mock/error", body)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("PUT /_mock/error count 0: %v %v", resp, err)
	}
	for i := 0; i < 3; i++ {
		if code, _, _ := get(t, srv, project, nil); code != 429 {
			t.Fatalf("count 0 through the admin API: request %d answered %d", i, code)
		}
	}

	// journal size: 0 is the default 1000; negative keeps none
	for size, want := range map[int]int{0: 1, -1: 0} {
		s := start(t, workspacemock.Options{JournalSize: size, InProcess: true})
		get(t, s, project, nil)
		if n := len(s.Requests()); n != want {
			t.Errorf("JournalSize %d: %d requests kept, want %d", size, n, want)
		}
	}
}

// credentials builds SDK credentials with SafeBuild (Build is deprecated: it panics).
func credentials(t *testing.T, b *basic.CredentialsBuilder) *basic.Credentials {
	t.Helper()
	c, err := b.SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Close never waits for a delay, in process or over a port, and an
// in-process client fails after it like a closed port.
func TestCloseEndsDelaysAndTheInProcessClient(t *testing.T) {
	for _, inProcess := range []bool{false, true} {
		srv, err := workspacemock.NewServer(workspacemock.Options{InProcess: inProcess})
		if err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, 1)
		go func() { // no client timeout: only Close can end it
			req, _ := http.NewRequest("GET", srv.URL()+"/v2/"+project+"/connections/status", nil)
			req.Header.Set("X-Mock-Delay", "10m")
			resp, err := srv.Client().Do(req)
			if err == nil {
				resp.Body.Close()
			}
			errs <- err
		}()
		for {
			resp, err := srv.Client().Get(srv.URL() + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), `"waiting":1`) {
				break
			}
			runtime.Gosched()
		}
		closed := make(chan struct{})
		go func() { srv.Close(); close(closed) }()
		select {
		case <-closed:
		case <-time.After(10 * time.Second):
			t.Fatalf("in process %v: Close waited for a 10-minute delay", inProcess)
		}
		if err := <-errs; err == nil {
			t.Errorf("in process %v: the delayed request got an answer after Close", inProcess)
		}
		if _, err := srv.Client().Get(srv.URL() + "/healthz"); err == nil || (inProcess && !errors.Is(err, syscall.ECONNREFUSED)) {
			t.Errorf("in process %v: a request after Close: %v, want connection refused", inProcess, err)
		}
	}
}

// The clock from Go: freeze it, set it, advance it, per project too.
func TestClockFromGo(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 3, 0, 0, 0, time.FixedZone("CST", 8*3600))
	srv := start(t, workspacemock.Options{Scenario: "office-day", ClockStart: t0, FreezeClock: true, InProcess: true})
	if !srv.Now().Equal(t0) {
		t.Fatalf("Now %s, want the frozen start %s", srv.Now(), t0)
	}
	_, night, _ := get(t, srv, project, nil)
	if err := srv.Advance(7*time.Hour + 30*time.Minute); err != nil || !srv.Now().Equal(t0.Add(450*time.Minute)) {
		t.Fatalf("Advance: %v, now %s", err, srv.Now())
	}
	_, morning, _ := get(t, srv, project, nil)
	if morning == night || srv.Advance(-time.Minute) == nil {
		t.Fatal("advancing the clock did not move the fleet, or went backwards")
	}
	p := srv.Project("other")
	p.SetTime(t0)
	if _, body, _ := get(t, srv, "other", nil); body != night || !p.Now().Equal(t0) {
		t.Fatal("a project's own clock")
	}
	if _, body, _ := get(t, srv, project, nil); body != morning {
		t.Fatal("setting one project's clock moved another's")
	}
	if err := srv.SetClockSpeed(-1); err == nil {
		t.Error("a negative speed accepted")
	}
}

// Actions in process: the official SDK starts desktops, the fixture's clock
// moves them, Actions lists them and Reset forgets them.
func TestActionsFromGo(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 3, 30, 0, 0, time.FixedZone("CST", 8*3600))
	srv := start(t, workspacemock.Options{Scenario: "office-day", ClockStart: t0, FreezeClock: true, InProcess: true})
	c := sdkClient(t, srv, "ak", "sk")
	status := "SHUTOFF"
	limit := int32(2)
	off, err := c.ListDesktopsDetail(&model.ListDesktopsDetailRequest{Status: &status, Limit: &limit})
	if err != nil || len(*off.Desktops) != 2 {
		t.Fatalf("%v %v", err, off)
	}
	ids := []string{*(*off.Desktops)[0].DesktopId, *(*off.Desktops)[1].DesktopId}
	r, err := c.BatchRunDesktops(&model.BatchRunDesktopsRequest{Body: &model.BatchActionDesktopsReq{DesktopIds: ids, OpType: "os-start"}})
	if err != nil {
		t.Fatal(err)
	}
	acts := srv.Project(project).Actions()
	if len(acts) != 1 || acts[0].JobID != *r.JobId || acts[0].Desktops != 2 || !acts[0].AcceptedAt.Equal(t0) || acts[0].OpType != "os-start" {
		t.Fatalf("actions: %+v", acts)
	}
	if err := srv.Advance(3 * time.Minute); err != nil {
		t.Fatal(err)
	}
	job, err := c.ShowJob(&model.ShowJobRequest{JobId: *r.JobId})
	if err != nil || *job.Status != "SUCCESS" {
		t.Fatalf("job: %v %v", err, job)
	}
	if a := srv.Project(project).Actions()[0]; a.JobStatus != "SUCCESS" || a.JobEnd.IsZero() || !a.JobEnd.After(t0) {
		t.Fatalf("the action's job: %+v", a)
	}
	if len(srv.Project("other").Actions()) != 0 {
		t.Fatal("another project sees the actions")
	}
	srv.Project(project).Reset()
	if len(srv.Actions()) != 0 {
		t.Fatal("Reset kept the actions")
	}
	if _, err := c.ShowJob(&model.ShowJobRequest{JobId: *r.JobId}); err == nil {
		t.Fatal("the job outlived Reset")
	}
}

package sdkconformance

import (
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer/algorithm"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/region"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	workspace "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"
	wsregion "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/region"

	"github.com/workspace-mock/mockserver/internal/aksk"
	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/handlers"
	"github.com/workspace-mock/mockserver/internal/upstream"
	"github.com/workspace-mock/mockserver/internal/wire"
)

const projectID = "0bec5db98280d2d02fd6c00c2de791ce"

// serve starts the emulator on a loopback port for one test.
func serve(t *testing.T, o handlers.Options) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(newMock(t, o))
	t.Cleanup(srv.Close)
	return srv
}

// newMock is the emulator's handler, on the embedded scenarios unless o has some.
func newMock(t *testing.T, o handlers.Options) *handlers.Mock {
	t.Helper()
	if o.Scenarios == nil {
		_, set, problems := fixtures.Open("")
		if len(problems) > 0 {
			t.Fatal(problems)
		}
		o.Scenarios = set
	}
	m, err := handlers.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Shutdown)
	return m
}

// httpConfig sets a user agent, which also keeps the SDK from writing
// ~/.huaweicloud/application_id into the real home directory.
func httpConfig() *config.HttpConfig {
	return config.DefaultHttpConfig().WithUserAgent("mock-conformance").WithTimeout(5 * time.Second)
}

func client(t *testing.T, endpoint, ak, sk string, hc *config.HttpConfig) *workspace.WorkspaceClient {
	t.Helper()
	cred, err := basic.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithProjectId(projectID).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	c, err := workspace.WorkspaceClientBuilder().WithEndpoints([]string{endpoint}).WithCredential(cred).WithHttpConfig(hc).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return workspace.NewWorkspaceClient(c)
}

// The SDK keeps for the life of the process the endpoint it read from
// HUAWEICLOUD_SDK_REGION_WORKSPACE_<REGION> and the project id IAM gave an AK
// in a region. So that tests pass under -count=N, each region id is used once
// per process: the real name first, then name-2, name-3, ...
var (
	regionsMu   sync.Mutex
	regionsUsed = map[string]int{}
)

// freshRegion returns a region id based on name not used before in this process.
func freshRegion(name string) string {
	regionsMu.Lock()
	defer regionsMu.Unlock()
	regionsUsed[name]++
	if n := regionsUsed[name]; n > 1 {
		return name + "-" + strconv.Itoa(n)
	}
	return name
}

// envRegion points the SDK's region variable for region id at url, and
// returns the SDK's region for it.
func envRegion(t *testing.T, id, url string) *region.Region {
	t.Helper()
	t.Setenv("HUAWEICLOUD_SDK_REGION_WORKSPACE_"+strings.ToUpper(strings.ReplaceAll(id, "-", "_")), url)
	reg, err := wsregion.SafeValueOf(id)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func call(c *workspace.WorkspaceClient, headers map[string]string) (*model.ListInstancesStatusResponse, error) {
	inv := c.ListInstancesStatusInvoker(&model.ListInstancesStatusRequest{})
	if len(headers) > 0 {
		inv.GetBaseInvoker().AddHeaders(headers)
	}
	return inv.Invoke()
}

func TestServerBinaryDoesNotLinkTheSDK(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../../cmd/mockserver").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, testOnly := range []string{"huaweicloud-sdk-go-v3", "kin-openapi", "oapi-codegen", "chromedp"} {
		if strings.Contains(string(out), testOnly) {
			t.Errorf("cmd/mockserver depends on %s; it must stay a test dependency", testOnly)
		}
	}
}

func TestEveryDataScenarioParsesThroughTheSDK(t *testing.T) {
	srv := serve(t, handlers.Options{Seed: 1})
	c := client(t, srv.URL, "ak", "sk", httpConfig())
	for _, name := range []string{"default", "empty", "max-values", "large", "flaky", "slow", "fail-twice", "fresh"} {
		t.Run(name, func(t *testing.T) {
			h := map[string]string{"X-Mock-Scenario": name, "Prefer": "code=200"}
			if name == "slow" {
				h["X-Mock-Delay"] = "0s"
			}
			if name == "fail-twice" {
				for i := 0; i < 2; i++ {
					call(c, h)
				}
			}
			resp, err := call(c, h)
			if err != nil {
				t.Fatal(err)
			}
			if resp.HttpStatusCode != 200 || resp.Statics == nil {
				t.Fatalf("status %d, statics %v", resp.HttpStatusCode, resp.Statics)
			}
			groups := *resp.Statics
			for _, g := range groups {
				for i, f := range []*int32{g.RunningNum, g.StopNum, g.HibernateNum, g.OtherNum, g.AttachedNum, g.UnattachedNum,
					g.CannotAttachNum, g.InProcessNum, g.InUseNum, g.UnregisteredNum, g.ReadyNum, g.DisconnectedNum, g.UnknownNum} {
					if f == nil {
						t.Fatalf("group %v: counter %d is nil", g.StaticName, i)
					}
					if name == "max-values" && *f != 2147483647 {
						t.Errorf("max-values counter %d = %d", i, *f)
					}
				}
				if g.StaticName == nil || *g.StaticName == "" {
					t.Fatal("group without static_name")
				}
			}
			switch {
			case name == "empty" && len(groups) != 0,
				name == "large" && len(groups) != 1000,
				name == "max-values" && len(groups) != 1,
				name != "empty" && len(groups) == 0:
				t.Errorf("%d groups", len(groups))
			}
		})
	}
}

// serviceError asserts the SDK surfaced a *sdkerr.ServiceResponseError.
func serviceError(t *testing.T, err error) *sdkerr.ServiceResponseError {
	t.Helper()
	var se *sdkerr.ServiceResponseError
	if !errors.As(err, &se) {
		t.Fatalf("want *sdkerr.ServiceResponseError, got %T: %v", err, err)
	}
	return se
}

// recordIDs wraps the transport to see the X-Request-Id the SDK received.
type recordIDs struct {
	last string
}

func (r *recordIDs) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err == nil {
		r.last = resp.Header.Get("X-Request-Id")
	}
	return resp, err
}

func TestEachDocumentedErrorSurfacesAsServiceResponseError(t *testing.T) {
	srv := serve(t, handlers.Options{})
	rt := &recordIDs{}
	c := client(t, srv.URL, "ak", "sk", httpConfig().WithHttpRoundTripper(rt))
	for _, status := range wire.Statuses() {
		want, _ := wire.Documented(status)
		_, err := call(c, map[string]string{"X-Mock-Scenario": "error-" + strconv.Itoa(status)})
		se := serviceError(t, err)
		if se.StatusCode != status || se.ErrorCode != want.Code || se.ErrorMessage != want.Msg {
			t.Errorf("%d: got %d %q %q", status, se.StatusCode, se.ErrorCode, se.ErrorMessage)
		}
		if se.RequestId == "" || se.RequestId != rt.last {
			t.Errorf("%d: RequestId %q, X-Request-Id %q", status, se.RequestId, rt.last)
		}
		if (status == 403) != (se.EncodedAuthorizationMessage != "") {
			t.Errorf("%d: EncodedAuthorizationMessage %q", status, se.EncodedAuthorizationMessage)
		}
	}
	_, err := call(c, map[string]string{"X-Mock-Scenario": "service-disabled"})
	if se := serviceError(t, err); se.ErrorCode != "WKS.00010099" || se.ErrorMessage != "The Workspace service is disabled." {
		t.Errorf("scenario's own error: %+v", se)
	}
}

func TestTransportFaultsSurfaceAsClientErrors(t *testing.T) {
	srv := serve(t, handlers.Options{})
	c := client(t, srv.URL, "ak", "sk", httpConfig().WithTimeout(300*time.Millisecond))
	for fault, want := range map[string]string{
		"fault-reset": "connection reset by peer",
		"fault-empty": "EOF",
		"fault-hang":  "Client.Timeout exceeded",
	} {
		_, err := call(c, map[string]string{"X-Mock-Scenario": fault})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error with %q", fault, err, want)
		}
	}
	_, err := call(c, map[string]string{"X-Mock-Scenario": "fault-malformed"})
	if se := serviceError(t, err); se.StatusCode != 200 {
		t.Errorf("malformed: %+v", se)
	}
}

func TestClientConfiguredOnlyThroughTheRegionEnvironment(t *testing.T) {
	srv := serve(t, handlers.Options{})
	t.Setenv("HOME", t.TempDir())
	reg := envRegion(t, freshRegion("cn-north-4"), srv.URL)
	cred := credentials(t, basic.NewCredentialsBuilder().WithAk("env-ak").WithSk("sk").WithProjectId(projectID))
	hc, err := workspace.WorkspaceClientBuilder().WithRegion(reg).WithCredential(cred).WithHttpConfig(httpConfig()).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := call(workspace.NewWorkspaceClient(hc), nil)
	if err != nil || resp.Statics == nil || len(*resp.Statics) == 0 {
		t.Fatalf("%v %v", resp, err)
	}
}

func TestProjectIDDiscoveredThroughIAM(t *testing.T) {
	const wanted = "aaaabbbbccccddddeeeeffff00001111"
	regionID := freshRegion("cn-north-1")
	srv := serve(t, handlers.Options{RegionProjects: map[string]string{regionID: wanted}, Scenarios: boundSet(t, wanted)})
	reg := envRegion(t, regionID, srv.URL)
	cred := credentials(t, basic.NewCredentialsBuilder().WithAk("iam-ak").WithSk("sk").WithIamEndpointOverride(srv.URL))
	hc, err := workspace.WorkspaceClientBuilder().WithRegion(reg).WithCredential(cred).WithHttpConfig(httpConfig()).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := call(workspace.NewWorkspaceClient(hc), nil)
	if err != nil {
		t.Fatal(err)
	}
	// the bound scenario answers only for the discovered project id
	if g := *resp.Statics; len(g) != 1 || *g[0].StaticName != "bound-to-"+wanted {
		t.Fatalf("answered %v: the request did not use the discovered project id", g)
	}
}

// The SDK always reaches HUAWEICLOUD_SDK_IAM_ENDPOINT, and an endpoint written
// without a scheme, over https: the emulator's HTTPS listener (--tls-addr)
// serves both, to a client that skips verification of its certificate.
func TestIAMEndpointEnvironmentAndSchemelessEndpointOverHTTPS(t *testing.T) {
	const wanted = "99998888777766665555444433332222"
	regionID := freshRegion("cn-east-3")
	m := newMock(t, handlers.Options{RegionProjects: map[string]string{regionID: wanted}, Scenarios: boundSet(t, wanted)})
	plain, secure := httptest.NewServer(m), httptest.NewTLSServer(m)
	t.Cleanup(plain.Close)
	t.Cleanup(secure.Close)
	hostPort := strings.TrimPrefix(secure.URL, "https://")
	t.Setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", hostPort)
	hc := httpConfig().WithIgnoreSSLVerification(true)

	reg := envRegion(t, regionID, plain.URL)
	cred := credentials(t, basic.NewCredentialsBuilder().WithAk("iam-env-ak").WithSk("sk")) // no project id, no IAM override
	b, err := workspace.WorkspaceClientBuilder().WithRegion(reg).WithCredential(cred).WithHttpConfig(hc).SafeBuild()
	if err != nil {
		t.Fatalf("IAM over HUAWEICLOUD_SDK_IAM_ENDPOINT: %v", err)
	}
	resp, err := call(workspace.NewWorkspaceClient(b), nil)
	if err != nil {
		t.Fatal(err)
	}
	if g := *resp.Statics; len(g) != 1 || *g[0].StaticName != "bound-to-"+wanted {
		t.Fatalf("answered %v: the request did not use the project id IAM gave", g)
	}

	resp, err = call(client(t, hostPort, "ak", "sk", hc), nil) // the SDK prepends https://
	if err != nil || resp.Statics == nil {
		t.Fatalf("endpoint %s: %v", hostPort, err)
	}
}

func boundSet(t *testing.T, project string) *fixtures.Set {
	t.Helper()
	list := []*fixtures.Scenario{}
	for name, text := range map[string]string{
		"default.yaml": "name: default\nstatics: []\n",
		"bound.yaml":   "name: bound\nprojects: [" + project + "]\nstatics:\n  - static_name: bound-to-" + project + "\n",
	} {
		sc, problems := fixtures.ParseFile(name, []byte(text))
		if problems != nil {
			t.Fatal(problems)
		}
		list = append(list, sc)
	}
	set, problems := fixtures.Build(list)
	if problems != nil {
		t.Fatal(problems)
	}
	return set
}

func TestAKSKAcceptsGoodSignaturesAndRejectsEachBadCase(t *testing.T) {
	v, err := aksk.NewVerifier([]aksk.Credential{
		{AK: "GOODAK", SK: "good-secret"},
		{AK: "TEMPAK", SK: "temp-secret", SecurityToken: "session-token"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := serve(t, handlers.Options{Verifier: v, RegionProjects: map[string]string{"ap-southeast-1": projectID}})

	if resp, err := call(client(t, srv.URL, "GOODAK", "good-secret", httpConfig()), nil); err != nil || resp.Statics == nil {
		t.Fatalf("good credentials: %v", err)
	}
	tempCred := credentials(t, basic.NewCredentialsBuilder().WithAk("TEMPAK").WithSk("temp-secret").WithSecurityToken("session-token").WithProjectId(projectID))
	tc, _ := workspace.WorkspaceClientBuilder().WithEndpoints([]string{srv.URL}).WithCredential(tempCred).WithHttpConfig(httpConfig()).SafeBuild()
	if _, err := call(workspace.NewWorkspaceClient(tc), nil); err != nil {
		t.Fatalf("temporary credentials with their token: %v", err)
	}

	cases := []struct {
		name, ak, sk string
		hc           *config.HttpConfig
		code, msg    string
	}{
		{"unknown AK", "NOSUCHAK", "good-secret", httpConfig(), "APIGW.0301", "Incorrect IAM authentication information: Get secretKey failed,ak:NOSUCHAK,err:ak not exist"},
		{"wrong SK", "GOODAK", "wrong-secret", httpConfig(), "APIGW.0301", "Incorrect IAM authentication information: verify aksk signature fail"},
		{"temporary AK without token", "TEMPAK", "temp-secret", httpConfig(), "APIGW.0301", "Incorrect IAM authentication information: verify aksk signature fail"},
		{"unsupported algorithm", "GOODAK", "good-secret", httpConfig().WithSigningAlgorithm(algorithm.HmacSM3), "APIGW.0301", "Incorrect IAM authentication information: verify aksk signature fail"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := call(client(t, srv.URL, c.ak, c.sk, c.hc), nil)
			se := serviceError(t, err)
			if se.StatusCode != 401 || se.ErrorCode != c.code || se.ErrorMessage != c.msg {
				t.Errorf("got %d %q %q", se.StatusCode, se.ErrorCode, se.ErrorMessage)
			}
			t.Logf("SDK saw ErrorCode=%s ErrorMessage=%q", se.ErrorCode, se.ErrorMessage)
		})
	}

	t.Run("stale X-Sdk-Date", func(t *testing.T) {
		stale := time.Now().UTC().Add(-20 * time.Minute).Format(aksk.DateFormat)
		_, err := call(client(t, srv.URL, "GOODAK", "good-secret", httpConfig()), map[string]string{"X-Sdk-Date": stale})
		se := serviceError(t, err)
		if se.StatusCode != 401 || se.ErrorCode != "APIGW.0303" ||
			!strings.HasPrefix(se.ErrorMessage, "Incorrect app authentication information: signature expired, signature time:"+stale+",server time:") {
			t.Errorf("got %d %q %q", se.StatusCode, se.ErrorCode, se.ErrorMessage)
		}
		t.Logf("SDK saw ErrorCode=%s ErrorMessage=%q", se.ErrorCode, se.ErrorMessage)
	})

	t.Run("IAM discovery is signed too", func(t *testing.T) {
		// The SDK caches an AK's project id per region, so each case has a
		// region of its own.
		for _, sk := range []string{"good-secret", "bad-secret"} {
			wantErr := sk == "bad-secret"
			reg := envRegion(t, freshRegion("ap-southeast-1"), srv.URL)
			cred := credentials(t, basic.NewCredentialsBuilder().WithAk("GOODAK").WithSk(sk).WithIamEndpointOverride(srv.URL))
			// the SDK asks IAM for the project id while building the client
			hc, err := workspace.WorkspaceClientBuilder().WithRegion(reg).WithCredential(cred).WithHttpConfig(httpConfig()).SafeBuild()
			if err == nil {
				_, err = call(workspace.NewWorkspaceClient(hc), nil)
			}
			if (err != nil) != wantErr {
				t.Errorf("sk %s: %v", sk, err)
			}
			if wantErr && (err == nil || !strings.Contains(err.Error(), "verify aksk signature fail")) {
				t.Errorf("IAM rejection: %v", err)
			}
			if err != nil {
				t.Logf("SDK saw: %v", err)
			}
		}
	})
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

// The official SDK works through the proxy: it signs for the proxy (which
// does not check), the proxy signs anew for the signature-checking upstream.
func TestSDKThroughTheProxy(t *testing.T) {
	v, err := aksk.NewVerifier([]aksk.Credential{{AK: "UPSTREAMAK", SK: "upstream-secret"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	upstreamSrv := httptest.NewTLSServer(newMock(t, handlers.Options{Verifier: v, Scenario: "max-values"}))
	t.Cleanup(upstreamSrv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: upstreamSrv.Certificate().Raw}), 0o644)
	up, err := upstream.New(upstream.Config{URL: upstreamSrv.URL, AK: "UPSTREAMAK", SK: "upstream-secret", CAFile: ca})
	if err != nil {
		t.Fatal(err)
	}
	proxy := serve(t, handlers.Options{Upstream: up})
	resp, err := call(client(t, proxy.URL, "client-ak", "client-sk", httpConfig()), nil)
	if err != nil || resp.Statics == nil || len(*resp.Statics) != 1 || *(*resp.Statics)[0].UnknownNum != 2147483647 {
		t.Fatalf("the SDK through the proxy: %v %+v", err, resp)
	}
}

package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	legacyrouter "github.com/getkin/kin-openapi/routers/legacy"
	"github.com/go-chi/chi/v5"

	"github.com/workspace-mock/mockserver/api"
	"github.com/workspace-mock/mockserver/internal/aksk"
	"github.com/workspace-mock/mockserver/internal/fixtures"
)

// contract is api/openapi.yaml, loaded and checked by kin-openapi.
type contract struct {
	doc    *openapi3.T
	router routers.Router
}

func loadContract(t *testing.T) *contract {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatalf("api/openapi.yaml does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("api/openapi.yaml is not a valid OpenAPI 3 document: %v", err)
	}
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.FileBodyDecoder) // the control page
	router, err := legacyrouter.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &contract{doc, router}
}

// check sends req to h and validates the request and its answer against the
// contract: status, headers, body.
func (c *contract) check(t *testing.T, h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)

	in := c.input(t, req, reqBody)
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
		Body: io.NopCloser(bytes.NewReader(rec.Body.Bytes())), Options: in.Options}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s %s %v: answer %d breaks the contract: %v\n%.300s", req.Method, req.URL, req.Header, rec.Code, err, rec.Body)
	}
	return rec
}

// input is req as the contract's route of it sees it.
func (c *contract) input(t *testing.T, req *http.Request, body []byte) *openapi3filter.RequestValidationInput {
	t.Helper()
	// The contract's router matches the documented server URL.
	probe := req.Clone(context.Background())
	probe.URL.Scheme, probe.URL.Host, probe.Host = "http", "localhost:8080", "localhost:8080"
	probe.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := c.router.FindRoute(probe)
	if err != nil {
		t.Fatalf("%s %s: not in the contract: %v", req.Method, req.URL, err)
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true, MultiError: true}
	return &openapi3filter.RequestValidationInput{Request: probe, PathParams: params, Route: route, Options: opts}
}

func request(method, target, body string, hdr map[string]string) *http.Request {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return req
}

func TestTheContractMatchesTheRouterRouteForRoute(t *testing.T) {
	c := loadContract(t)
	var served []string
	routes, ok := newMock(t, Options{}).handler.(chi.Routes)
	if !ok {
		t.Fatal("the handler is not a chi router")
	}
	chi.Walk(routes, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		served = append(served, method+" "+strings.TrimSuffix(route, "/"))
		return nil
	})
	var documented []string
	for path, item := range c.doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	sort.Strings(served)
	sort.Strings(documented)
	if !slices.Equal(served, documented) {
		t.Fatalf("routes served and documented differ:\nserved:     %v\ndocumented: %v", served, documented)
	}
}

// The counters are one list: the Go model, the contract and the scenario
// files' JSON Schema name the same fields.
func TestTheContractTheModelAndTheScenarioSchemaAgree(t *testing.T) {
	c := loadContract(t)
	var model []string
	gt := reflect.TypeOf(fixtures.Group{})
	for i := 0; i < gt.NumField(); i++ {
		if tag := gt.Field(i).Tag.Get("json"); tag != "-" { // "-": not on the wire
			model = append(model, tag)
		}
	}
	item := c.doc.Components.Schemas["InstanceStatusStatistics"].Value
	var contract []string
	for name, p := range item.Properties {
		contract = append(contract, name)
		if name != "static_name" {
			count := p.Value
			if len(count.AllOf) == 1 {
				count = count.AllOf[0].Value
			}
			if count.Format != "int32" || count.Min == nil || *count.Min != 0 {
				t.Errorf("%s is not an int32 counter from 0 in the contract", name)
			}
		}
	}
	data, err := os.ReadFile("../../scenarios/scenario.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Defs struct {
			Group struct {
				Properties map[string]any `json:"properties"`
			} `json:"group"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	var files []string
	for name := range schema.Defs.Group.Properties {
		files = append(files, name)
	}
	for _, l := range [][]string{model, contract, files, item.Required} {
		sort.Strings(l)
	}
	if len(model) != 14 || !slices.Equal(model, contract) || !slices.Equal(model, files) || !slices.Equal(model, item.Required) {
		t.Fatalf("the counters differ:\nmodel    %v\ncontract %v (required %v)\nschema   %v", model, contract, item.Required, files)
	}
}

// Every answer the emulator gives: every shipped scenario, every error
// switch, its own complaints, IAM, health, the admin API.
func TestEveryAnswerKeepsTheContract(t *testing.T) {
	c := loadContract(t)
	m := newMock(t, Options{})
	for _, name := range m.Scenarios().Names() {
		sc := m.Scenarios().Get(name)
		if f := sc.Steps[0].Fault; f == fixtures.FaultHang || f == fixtures.FaultReset || f == fixtures.FaultEmpty || f == fixtures.FaultMalformed {
			continue // no answer, or not JSON on purpose
		}
		turns := len(sc.Steps) // walk sequences
		if sc.FailureRate > 0 {
			turns = 8 // and failure draws
		}
		for i := 0; i < turns; i++ {
			c.check(t, m, request("GET", apiPath, "", map[string]string{"X-Mock-Scenario": name}))
			c.checkDesktops(t, m, map[string]string{"X-Mock-Scenario": name})
		}
		if sc.Steps[0].Fleet == nil {
			continue
		}
		for _, at := range []string{"2026-11-30T03:00:00+08:00", "2026-11-30T10:10:00+08:00", "2026-11-30T14:01:00+08:00", "2026-12-06T12:00:00+08:00"} {
			c.check(t, m, request("GET", apiPath, "", map[string]string{"X-Mock-Scenario": name, "X-Mock-Time": at}))
			c.checkDesktops(t, m, map[string]string{"X-Mock-Scenario": name, "X-Mock-Time": at})
		}
	}
	for _, target := range badDesktopQueries {
		if rec := c.check(t, m, request("GET", target, "", nil)); rec.Code != 400 || !strings.Contains(rec.Body.String(), `"WKS.0001"`) {
			t.Errorf("GET %s: %d %s, want 400 WKS.0001", target, rec.Code, rec.Body)
		}
	}
	for _, target := range []string{desktopsPath + "/no-such-desktop", desktopsPath + "/a%20b"} {
		if rec := c.check(t, m, request("GET", target, "", nil)); rec.Code != 404 || !strings.Contains(rec.Body.String(), `"WKS.0202"`) {
			t.Errorf("GET %s: %d %s, want 404 WKS.0202", target, rec.Code, rec.Body)
		}
	}
	for _, hdr := range []map[string]string{
		{"X-Mock-Error": "400"}, {"X-Mock-Error": "401"}, {"X-Mock-Error": "403"}, {"X-Mock-Error": "404"},
		{"X-Mock-Error": "429"}, {"X-Mock-Error": "500"}, {"Prefer": "code=403"}, {"Prefer": "code=200"},
		{"X-Mock-Error": "503"}, {"X-Mock-Scenario": "nope"}, {"X-Mock-Seed": "42"}, {"X-Mock-Delay": "1ms..2ms"},
		{"X-Big": strings.Repeat("x", 70<<10)},
	} {
		c.check(t, m, request("GET", apiPath, "", hdr))
		for _, target := range []string{desktopsPath + "/detail", desktopsPath + "/no-such-desktop", desktopsPath + "/statistics/login-state",
			poolsPath, onlinePath + "?query_type=DAY", recordsPath} {
			c.check(t, m, request("GET", target, "", hdr))
		}
	}
	c.check(t, m, request("GET", "/v2/a%20b/connections/status", "", nil))
	c.check(t, m, request("GET", "/v3/projects?name=cn-north-4", "", nil))
	c.check(t, m, request("GET", "/v3/projects", "", nil))
	c.check(t, m, request("GET", "/healthz", "", nil))

	v, _ := aksk.NewVerifier([]aksk.Credential{{AK: "AK", SK: "SK"}}, nil)
	signed := newMock(t, Options{Verifier: v})
	c.check(t, signed, request("GET", apiPath, "", nil))
	c.check(t, signed, request("GET", "/v3/projects?name=cn-north-4", "", map[string]string{"Authorization": "SDK-HMAC-SHA256 Access=NOPE, SignedHeaders=x-sdk-date, Signature=00"}))

	for _, a := range []struct{ method, target, body string }{
		{"GET", "/_mock/scenarios", ""},
		{"PUT", "/_mock/scenario?project_id=p1", `{"name":"empty"}`},
		{"PUT", "/_mock/scenario", `{"name":"nope"}`},
		{"PUT", "/_mock/scenario", `{"name":"` + strings.Repeat("a", MaxBody) + `"}`},
		{"GET", "/_mock/scenarios", ""},
		{"PUT", "/_mock/error?project_id=p1", `{"status":429,"count":2}`},
		{"PUT", "/_mock/error", `{"status":503}`},
		{"DELETE", "/_mock/error?project_id=p1", ""},
		{"GET", "/_mock/requests", ""},
		{"GET", "/_mock/requests?project_id=p1&since=2026-01-01T00:00:00Z", ""},
		{"GET", "/_mock/requests?since=yesterday", ""},
		{"DELETE", "/_mock/requests", ""},
		{"GET", "/_mock/clock", ""},
		{"PUT", "/_mock/clock?project_id=p1", `{"now":"2026-11-30T10:00:00+08:00","speed":0}`},
		{"PUT", "/_mock/clock", `{"speed":-1}`},
		{"POST", "/_mock/clock/advance", `{"by":"15m"}`},
		{"POST", "/_mock/clock/advance", `{"by":"later"}`},
		{"POST", "/_mock/reset?project_id=p1", ""},
		{"POST", "/_mock/reset?project_id=a%20b", ""},
		{"POST", "/_mock/reset", ""},
		{"GET", "/_mock/openapi.yaml", ""},
		{"PUT", "/_mock/delay?project_id=p1", `{"delay":"1ms..2ms"}`},
		{"PUT", "/_mock/delay", `{"delay":"soon"}`},
		{"GET", "/_mock/controls", ""},
		{"DELETE", "/_mock/delay?project_id=p1", ""},
		{"GET", "/_mock/preview", ""},
		{"PUT", "/_mock/scenario?project_id=p3", `{"name":"office-outage"}`},
		{"GET", "/_mock/preview?project_id=p3&from=2026-11-30T13:00:00%2B08:00&to=2026-11-30T15:00:00%2B08:00&step=30m", ""},
		{"GET", "/_mock/preview?from=yesterday", ""},
		{"GET", "/_mock/desktops?project_id=p3&pool=finance-pool&limit=3", ""},
		{"GET", "/_mock/desktops?pool=finance-pool&offset=1", ""},
		{"GET", "/_mock/desktops?pool=nope", ""},
		{"GET", "/_mock/desktops?pool=finance-pool&limit=0", ""},
		{"GET", "/_mock/sessions?project_id=p3&desktop_id=FINANCE-00000", ""},
		{"GET", "/_mock/sessions?desktop_id=nope", ""},
		{"GET", "/_mock/sessions", ""},
		{"GET", "/_mock/drift", ""},
		{"GET", "/_mock/ui", ""},
	} {
		c.check(t, m, request(a.method, a.target, a.body, nil))
	}
	locked := newMock(t, Options{AdminToken: "secret"})
	c.check(t, locked, request("GET", "/_mock/scenarios", "", nil))
	c.check(t, locked, request("GET", "/_mock/scenarios", "", map[string]string{"Authorization": "Bearer secret"}))
}

// The paths of the operations answered from the desktops.
const (
	desktopsPath = "/v2/" + project + "/desktops"
	poolsPath    = "/v2/" + project + "/desktop-pools"
	onlinePath   = "/v2/" + project + "/connections/online-users"
	recordsPath  = "/v2/" + project + "/connections/desktops"
)

// checkDesktops validates the answers of the six desktop operations with
// the scenario's headers: lists with and without filters, a desktop listed
// shown by its id.
// A scenario's delay is lifted: the answers, not the waits, are checked.
// max-values (pools of 2^31 desktops) gets only the queries answered by
// arithmetic: the others examine desktops.MaxWalk desktops, seconds each.
func (c *contract) checkDesktops(t *testing.T, h http.Handler, scenario map[string]string) {
	t.Helper()
	hdr := map[string]string{"X-Mock-Delay": "0s"}
	for k, v := range scenario {
		hdr[k] = v
	}
	targets := arithmeticQueries
	if scenario["X-Mock-Scenario"] != "max-values" {
		targets = append(slices.Clip(targets), walkingQueries...)
	}
	for _, target := range targets {
		rec := c.check(t, h, request("GET", target, "", hdr))
		if !strings.Contains(target, "/detail?limit=3") || rec.Code != 200 {
			continue
		}
		var list struct {
			Desktops []struct {
				ID string `json:"desktop_id"`
			} `json:"desktops"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
			t.Fatalf("GET %s: %v", target, err)
		}
		for _, d := range list.Desktops { // fresh: new desktops on every request, this id may be gone
			if shown := c.check(t, h, request("GET", desktopsPath+"/"+d.ID, "", hdr)); shown.Code == 404 && scenario["X-Mock-Scenario"] != "fresh" {
				t.Errorf("GET %s/%s (listed): %d %s", desktopsPath, d.ID, shown.Code, shown.Body)
			}
		}
	}
}

// Queries of the desktop operations the emulator answers: by arithmetic
// however many desktops, and by examining them (desktops.MaxWalk at most).
var (
	arithmeticQueries = []string{
		desktopsPath + "/detail?limit=3",
		desktopsPath + "/detail?desktop_type=POOLED&offset=1&limit=2",
		desktopsPath + "/detail?limit=0",
		desktopsPath + "/statistics/login-state",
		poolsPath + "?limit=3",
		poolsPath + "?type=STATIC&offset=1&limit=2",
		recordsPath,
	}
	walkingQueries = []string{
		desktopsPath + "/detail?status=ACTIVE&user_attached=true&offset=1&limit=2",
		desktopsPath + "/detail?sort_field=computer_name&sort_type=DESC&limit=2&in_maintenance_mode=false",
		desktopsPath + "/detail?tag=a=b,c=&user_names=u1&user_names=u2&charge_mode=1&enterprise_project_id=0",
		onlinePath + "?query_type=DAY",
		onlinePath + "?query_type=MONTH",
		onlinePath + "?start_time=2026-11-29T00:00Z&end_time=2026-12-02T00:00Z",
		onlinePath + "?start_time=2026-11-30T01:00Z&end_time=2026-11-30T09:30Z",
		recordsPath + "?offset=1&limit=3&min_network_rtt=5&terminal_type=WI",
		recordsPath + "?start_time=2026-11-29T00:00Z&end_time=2026-12-01T00:00:00Z&limit=1000",
	}
)

// The contract's query parameters take what the emulator takes and refuse
// what it refuses (400 WKS.0001), except the rules a schema cannot say.
func TestTheContractRefusesTheQueriesTheEmulatorRefuses(t *testing.T) {
	c := loadContract(t)
	validate := func(target string) error {
		return openapi3filter.ValidateRequest(context.Background(), c.input(t, request("GET", target, "", nil), nil))
	}
	m := newMock(t, Options{})
	for _, target := range append(slices.Clip(arithmeticQueries), walkingQueries...) {
		if rec := do(m, "GET", target, nil); rec.Code != 200 {
			t.Errorf("GET %s: %d %s", target, rec.Code, rec.Body)
		}
		if err := validate(target); err != nil {
			t.Errorf("GET %s, which the emulator answers, breaks the contract: %v", target, err)
		}
	}
	for _, target := range badDesktopQueries { // each a 400 WKS.0001: TestEveryAnswerKeepsTheContract
		if err := validate(target); (err == nil) != slices.Contains(beyondTheSchema, target) {
			t.Errorf("GET %s, which the emulator refuses: the contract says %v", target, err)
		}
	}
}

// beyondTheSchema are the refused queries whose rule the contract states in
// words only: a scalar given twice, parameters that come together or not at
// all, one of two required, a time range's length; and a boolean written 1,
// which kin-openapi reads as true (Go's strconv.ParseBool).
var beyondTheSchema = []string{
	desktopsPath + "/detail?offset=1&offset=2",
	poolsPath + "?in_maintenance_mode=1",
	onlinePath,
	onlinePath + "?start_time=2026-11-30T01:00Z",
	onlinePath + "?start_time=2026-11-30T01:00Z&end_time=2026-11-30T01:00Z",
	recordsPath + "?end_time=2026-11-30T01:00Z",
	recordsPath + "?start_time=2026-10-01T00:00Z&end_time=2026-12-01T00:00Z",
}

// badDesktopQueries are refused with 400 WKS.0001, each for one parameter.
var badDesktopQueries = []string{
	desktopsPath + "/detail?limit=501",
	desktopsPath + "/detail?offset=-1",
	desktopsPath + "/detail?offset=2147483648",
	desktopsPath + "/detail?offset=1&offset=2",
	desktopsPath + "/detail?status=RUNNING",
	desktopsPath + "/detail?sort_field=name",
	desktopsPath + "/detail?sort_type=asc",
	desktopsPath + "/detail?desktop_type=VM",
	desktopsPath + "/detail?charge_mode=2",
	desktopsPath + "/detail?user_attached=yes",
	desktopsPath + "/detail?user_names=" + strings.Repeat("u", 37),
	desktopsPath + "/detail?desktop_id=" + strings.Repeat("d&desktop_id=", 100) + "d",
	desktopsPath + "/detail?tag=novalue",
	desktopsPath + "/detail?tag=a=b,=c",
	desktopsPath + "/detail?enterprise_project_id=a%20b",
	desktopsPath + "/detail?computer_name=" + strings.Repeat("c", 256),
	poolsPath + "?limit=1001",
	poolsPath + "?offset=20001",
	poolsPath + "?type=DEDICATED",
	poolsPath + "?in_maintenance_mode=1",
	onlinePath,
	onlinePath + "?query_type=YEAR",
	onlinePath + "?start_time=2026-11-30T01:00Z",
	onlinePath + "?start_time=2026-11-30&end_time=2026-12-01",
	onlinePath + "?start_time=2026-11-30T01:00Z&end_time=2026-11-30T01:00Z",
	recordsPath + "?limit=1001",
	recordsPath + "?end_time=2026-11-30T01:00Z",
	recordsPath + "?start_time=2026-10-01T00:00Z&end_time=2026-12-01T00:00Z",
	recordsPath + "?min_network_rtt=-1",
}

func TestTheServedDocumentIsTheFile(t *testing.T) {
	file, err := os.ReadFile("../../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rec := do(newMock(t, Options{}), "GET", "/_mock/openapi.yaml", nil)
	if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), file) || rec.Header().Get("Content-Type") != "application/yaml" {
		t.Fatalf("GET /_mock/openapi.yaml: %d %s, %d bytes, want the %d bytes of api/openapi.yaml", rec.Code, rec.Header().Get("Content-Type"), rec.Body.Len(), len(file))
	}
}

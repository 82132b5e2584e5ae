package handlers

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func admin(m http.Handler, method, path, body string, hdr map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, req)
	return rec
}

func TestAdminInjectErrorForCountThenClear(t *testing.T) {
	m := newMock(t, Options{})
	if rec := admin(m, "PUT", "/_mock/error", `{"status":500,"count":2}`, nil); rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	checkError(t, do(m, "GET", apiPath, nil), 500, "WKS.00000003")
	checkError(t, do(m, "GET", "/v2/other/connections/status", nil), 500, "WKS.00000003")
	groups(t, do(m, "GET", apiPath, nil))
	admin(m, "PUT", "/_mock/error", `{"status":403,"error_code":"WKS.00010099","error_msg":"The Workspace service is disabled."}`, nil)
	for i := 0; i < 3; i++ {
		b := checkError(t, do(m, "GET", apiPath, nil), 403, "WKS.00010099")
		if *b.Encoded == "" {
			t.Error("fields not given keep their defaults")
		}
	}
	admin(m, "DELETE", "/_mock/error", "", nil)
	groups(t, do(m, "GET", apiPath, nil))
}

func TestAdminPerProject(t *testing.T) {
	m := newMock(t, Options{})
	admin(m, "PUT", "/_mock/scenario?project_id=aaa", `{"name":"empty"}`, nil)
	admin(m, "PUT", "/_mock/error?project_id=bbb", `{"status":429}`, nil)
	if g := groups(t, do(m, "GET", "/v2/aaa/connections/status", nil)); len(g) != 0 {
		t.Error("aaa should be empty")
	}
	checkError(t, do(m, "GET", "/v2/bbb/connections/status", nil), 429, "APIGW.0308")
	if g := groups(t, do(m, "GET", "/v2/ccc/connections/status", nil)); len(g) == 0 {
		t.Error("ccc is disturbed")
	}
	// the journal, filtered by project
	var got struct {
		Requests []Entry `json:"requests"`
	}
	json.Unmarshal(admin(m, "GET", "/_mock/requests?project_id=bbb", "", nil).Body.Bytes(), &got)
	if len(got.Requests) != 1 || got.Requests[0].Status != 429 || got.Requests[0].ProjectID != "bbb" {
		t.Fatalf("bbb's journal: %+v", got.Requests)
	}
	admin(m, "POST", "/_mock/reset?project_id=bbb", "", nil)
	groups(t, do(m, "GET", "/v2/bbb/connections/status", nil))
	if g := groups(t, do(m, "GET", "/v2/aaa/connections/status", nil)); len(g) != 0 {
		t.Error("resetting bbb reset aaa")
	}
	json.Unmarshal(admin(m, "GET", "/_mock/requests", "", nil).Body.Bytes(), &got)
	if len(got.Requests) != 4 { // aaa, ccc, the new bbb, aaa again
		t.Fatalf("whole journal after resetting bbb: %d", len(got.Requests))
	}
	admin(m, "POST", "/_mock/reset", "", nil)
	if g := groups(t, do(m, "GET", "/v2/aaa/connections/status", nil)); len(g) == 0 {
		t.Error("global reset kept aaa's scenario")
	}
}

func TestAdminGlobalScenarioAndList(t *testing.T) {
	m := newMock(t, Options{})
	admin(m, "PUT", "/_mock/scenario", `{"name":"max-values"}`, nil)
	if g := groups(t, do(m, "GET", apiPath, nil)); len(g) != 1 || g[0].RunningNum != 2147483647 {
		t.Fatal("global scenario switch")
	}
	var list struct {
		Scenarios []scenarioInfo `json:"scenarios"`
		Global    string         `json:"global"`
	}
	json.Unmarshal(admin(m, "GET", "/_mock/scenarios", "", nil).Body.Bytes(), &list)
	if list.Global != "max-values" || len(list.Scenarios) < 10 {
		t.Fatalf("%+v", list)
	}
}

func TestAdminBadInputInTheDocumentedShape(t *testing.T) {
	m := newMock(t, Options{})
	cases := []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"PUT", "/_mock/scenario", `{"name":"nope"}`, 400, `unknown scenario \"nope\"`},
		{"PUT", "/_mock/scenario", `{"nam":"empty"}`, 400, `unknown field \"nam\"`},
		{"PUT", "/_mock/scenario", `{"name":`, 400, "request body"},
		{"PUT", "/_mock/scenario", `{"name":"empty"}{}`, 400, "more than one JSON value"},
		{"PUT", "/_mock/error", `{"status":503}`, 400, "status 503 is not a documented"},
		{"PUT", "/_mock/error", `{"status":500,"count":-1}`, 400, "count -1: give how many requests fail"},
		{"PUT", "/_mock/scenario?project_id=a%20b", `{"name":"empty"}`, 400, "project_id"},
		{"GET", "/_mock/requests?since=yesterday", "", 400, "RFC 3339"},
		{"PUT", "/_mock/scenario", `{"name":"` + strings.Repeat("a", MaxBody) + `"}`, 413, "limit"},
		{"PATCH", "/_mock/scenario", "", 404, "APIGW.0101"},
	}
	for _, c := range cases {
		rec := admin(m, c.method, c.path, c.body, nil)
		checkCommon(t, rec)
		if rec.Code != c.status || !strings.Contains(rec.Body.String(), c.want) {
			t.Errorf("%s %s %.40s: %d %s", c.method, c.path, c.body, rec.Code, rec.Body)
		}
	}
}

func TestAdminToken(t *testing.T) {
	m := newMock(t, Options{AdminToken: "s3cret"})
	for _, hdr := range []map[string]string{nil, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret"}} {
		rec := admin(m, "POST", "/_mock/reset", "", hdr)
		checkError(t, rec, 401, "MOCK.0401")
		if strings.Contains(rec.Body.String(), "s3cret") {
			t.Fatal("token in the error body")
		}
	}
	if rec := admin(m, "POST", "/_mock/reset", "", map[string]string{"Authorization": "Bearer s3cret"}); rec.Code != 200 {
		t.Fatalf("right token: %d", rec.Code)
	}
	groups(t, do(m, "GET", apiPath, nil)) // the API itself needs no token
}

func TestJournalIsBoundedNewestLastAndFilteredByTime(t *testing.T) {
	m := newMock(t, Options{JournalSize: 5})
	for i := 0; i < 12; i++ {
		do(m, "GET", "/v2/p"+string(rune('a'+i))+"/connections/status", nil)
	}
	got := m.Requests("", time.Time{})
	if len(got) != 5 || got[0].ProjectID != "ph" || got[4].ProjectID != "pl" {
		t.Fatalf("want ph..pl, got %d: first %s last %s", len(got), got[0].ProjectID, got[len(got)-1].ProjectID)
	}
	if since := m.Requests("", got[3].Time); len(since) < 2 || since[len(since)-1].ProjectID != "pl" {
		t.Fatalf("since: %d", len(since))
	}
	m.ClearRequests("pk")
	if got := m.Requests("", time.Time{}); len(got) != 4 {
		t.Fatalf("after clearing pk: %d", len(got))
	}
	off := newMock(t, Options{JournalSize: -1})
	do(off, "GET", apiPath, nil)
	if n := len(off.Requests("", time.Time{})); n != 0 {
		t.Fatalf("journal off kept %d", n)
	}
}

func TestJournalRecordsWhatTheClientSentButNoSecret(t *testing.T) {
	m := newMock(t, Options{})
	do(m, "GET", apiPath, map[string]string{"Authorization": "SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=abc",
		"X-Security-Token": "tok-secret", "X-Project-Id": project, "User-Agent": "ua/1"})
	do(m, "DELETE", "/nowhere", nil)
	body := admin(m, "GET", "/_mock/requests", "", nil).Body.String()
	for _, leak := range []string{"Signature=abc", "tok-secret"} {
		if strings.Contains(body, leak) {
			t.Fatalf("journal leaks %q: %s", leak, body)
		}
	}
	var got struct {
		Requests []Entry `json:"requests"`
	}
	json.Unmarshal([]byte(body), &got)
	r := got.Requests
	if len(r) != 2 || !r[0].Authorization || !r[0].SecurityToken || r[0].XProjectID != project || r[0].UserAgent != "ua/1" ||
		r[0].Scenario != "default" || len(r[0].RequestID) != 32 || r[1].Status != 404 || r[1].Method != "DELETE" {
		t.Fatalf("%+v", r)
	}
}

// TestSwitchesApplyAtomicallyUnderLoad flips the global scenario while
// requests run: every answer is whole and from one of the two scenarios.
func TestSwitchesApplyAtomicallyUnderLoad(t *testing.T) {
	m := newMock(t, Options{})
	empty := do(m, "GET", apiPath, map[string]string{"X-Mock-Scenario": "empty"}).Body.String()
	maxv := do(m, "GET", apiPath, map[string]string{"X-Mock-Scenario": "max-values"}).Body.String()
	m.SetScenario("", "empty")
	stop, flipped := make(chan struct{}), make(chan int)
	go func() {
		i := 0
		for ; ; i++ {
			select {
			case <-stop:
				flipped <- i
				return
			default:
			}
			m.SetScenario("", []string{"empty", "max-values"}[i%2])
		}
	}()
	var readers sync.WaitGroup
	for w := 0; w < 4; w++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for i := 0; i < 500; i++ {
				body := do(m, "GET", apiPath, nil).Body.String()
				if body != empty && body != maxv {
					t.Errorf("torn answer: %s", body)
					return
				}
			}
		}()
	}
	readers.Wait()
	close(stop)
	if n := <-flipped; n < 2 {
		t.Fatalf("the switch flipped only %d times", n)
	}
}

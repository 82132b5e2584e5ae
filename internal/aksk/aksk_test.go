package aksk_test

import (
	"net/http"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"

	"github.com/workspace-mock/mockserver/internal/aksk"
)

var now = time.Date(2026, 11, 26, 10, 30, 14, 0, time.UTC)

// sdkSigned builds a request signed by the official SDK's signer, at now.
func sdkSigned(t *testing.T, method, path string, query map[string]string, headers map[string]string, ak, sk string) *http.Request {
	t.Helper()
	b := request.NewHttpRequestBuilder().WithEndpoint("http://127.0.0.1:8080").WithPath(path).WithMethod(method).
		AddHeaderParam("Content-Type", "application/json").
		AddHeaderParam("User-Agent", "huaweicloud-usdk-go/3.0").
		AddHeaderParam("X-Project-Id", "0bec5db98280d2d02fd6c00c2de791ce").
		AddHeaderParam("X-Sdk-Date", now.Format(aksk.DateFormat))
	for k, v := range query {
		b.AddQueryParam(k, reflect.ValueOf(v))
	}
	for k, v := range headers {
		b.AddHeaderParam(k, v)
	}
	sreq := b.Build()
	add, err := signer.Sign(sreq, ak, sk)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range add {
		sreq.AddHeaderParam(k, v)
	}
	req, err := sreq.ConvertRequest()
	if err != nil {
		t.Fatal(err)
	}
	req.Host = req.URL.Host
	req.RequestURI = req.URL.RequestURI()
	return req
}

func verifier(t *testing.T) *aksk.Verifier {
	v, err := aksk.NewVerifier([]aksk.Credential{{AK: "AK1", SK: "SK1"}, {AK: "AKT", SK: "SKT", SecurityToken: "tok"}},
		func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	return v
}

const path = "/v2/0bec5db98280d2d02fd6c00c2de791ce/connections/status"

func TestVerifierOverSDKSignedRequests(t *testing.T) {
	v := verifier(t)
	type tamper func(*http.Request)
	cases := []struct {
		name   string
		method string
		path   string
		query  map[string]string
		hdr    map[string]string
		ak, sk string
		tamper tamper
		code   string // "" = accepted
		msg    string
	}{
		{name: "good", path: path},
		{name: "good with query", path: "/v3/projects", query: map[string]string{"name": "cn-north-4", "b": "x y/z"}},
		{name: "good, path needing escapes", path: "/v2/{project_id}/connections/status"},
		{name: "good, temporary with token", path: path, ak: "AKT", sk: "SKT", hdr: map[string]string{"X-Security-Token": "tok"}},
		{name: "unsigned header changed", path: path, tamper: func(r *http.Request) { r.Header.Set("Content-Type", "text/plain"); r.Header.Set("Accept", "x") }},
		{name: "tampered path", path: path, tamper: func(r *http.Request) { r.URL.Path = "/v2/other/connections/status" },
			code: "APIGW.0301", msg: "verify aksk signature fail"},
		{name: "tampered query", path: "/v3/projects", query: map[string]string{"name": "cn-north-4"},
			tamper: func(r *http.Request) { r.URL.RawQuery = "name=cn-north-1" }, code: "APIGW.0301", msg: "verify aksk signature fail"},
		{name: "added query", path: path, tamper: func(r *http.Request) { r.URL.RawQuery = "limit=1" }, code: "APIGW.0301", msg: "verify aksk signature fail"},
		{name: "added parameter with a bad escape", path: "/v3/projects", query: map[string]string{"name": "cn-north-4"},
			tamper: func(r *http.Request) { r.URL.RawQuery += "&x=%zz" }, code: "APIGW.0301", msg: "verify aksk signature fail"},
		{name: "added parameter after a semicolon", path: "/v3/projects", query: map[string]string{"name": "cn-north-4"},
			tamper: func(r *http.Request) { r.URL.RawQuery += ";x=1" }, code: "APIGW.0301", msg: "verify aksk signature fail"},
		{name: "too many parameters", path: "/v3/projects", query: map[string]string{"name": "cn-north-4"},
			tamper: func(r *http.Request) { r.URL.RawQuery += strings.Repeat("&x=1", aksk.MaxQueryParams) }, code: "APIGW.0301", msg: "verify aksk signature fail"},
		{name: "a signed header named twice", path: path, tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "SignedHeaders=", "SignedHeaders=host;host;", 1))
		}, code: "APIGW.0301", msg: "verify aksk signature fail"},
		{name: "tampered signed header", path: path, tamper: func(r *http.Request) { r.Header.Set("User-Agent", "curl/8") },
			code: "APIGW.0301", msg: "verify aksk signature fail"},
		{name: "tampered method", path: path, tamper: func(r *http.Request) { r.Method = "DELETE" }, code: "APIGW.0301", msg: "verify aksk signature fail"},
		{name: "tampered date within skew", path: path, tamper: func(r *http.Request) { r.Header.Set("X-Sdk-Date", now.Add(time.Minute).Format(aksk.DateFormat)) },
			code: "APIGW.0301", msg: "verify aksk signature fail"},
		{name: "stale date", path: path, tamper: func(r *http.Request) { r.Header.Set("X-Sdk-Date", now.Add(-16*time.Minute).Format(aksk.DateFormat)) },
			code: "APIGW.0303", msg: "signature expired, signature time:20261126T101414Z,server time:20261126T103014Z"},
		{name: "future date", path: path, tamper: func(r *http.Request) { r.Header.Set("X-Sdk-Date", now.Add(16*time.Minute).Format(aksk.DateFormat)) },
			code: "APIGW.0303", msg: "signature expired"},
		{name: "date missing", path: path, tamper: func(r *http.Request) { r.Header.Del("X-Sdk-Date") }, code: "APIGW.0301", msg: "verify aksk signature fail"},
		{name: "date malformed", path: path, tamper: func(r *http.Request) { r.Header.Set("X-Sdk-Date", "yesterday") }, code: "APIGW.0301", msg: "verify aksk signature fail"},
		{name: "no Authorization", path: path, tamper: func(r *http.Request) { r.Header.Del("Authorization") }, code: "APIGW.0301", msg: "x-auth-token not found"},
		{name: "token instead", path: path, tamper: func(r *http.Request) { r.Header.Del("Authorization"); r.Header.Set("X-Auth-Token", "t") },
			code: "APIGW.0301", msg: "decrypt token fail"},
		{name: "unknown AK", path: path, ak: "NOPE", sk: "SK1", code: "APIGW.0301", msg: "Get secretKey failed,ak:NOPE,err:ak not exist"},
		{name: "wrong SK", path: path, sk: "SK2", code: "APIGW.0301", msg: "verify aksk signature fail"},
		{name: "other algorithm", path: path, tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "SDK-HMAC-SHA256", "SDK-HMAC-SM3", 1))
		}, code: "APIGW.0301", msg: "verify aksk signature fail"},
		{name: "garbled Authorization", path: path, tamper: func(r *http.Request) { r.Header.Set("Authorization", "SDK-HMAC-SHA256 nonsense") },
			code: "APIGW.0301", msg: "verify aksk signature fail"},
		{name: "temporary without token", path: path, ak: "AKT", sk: "SKT", code: "APIGW.0301", msg: "verify aksk signature fail"},
		{name: "temporary with wrong token", path: path, ak: "AKT", sk: "SKT", hdr: map[string]string{"X-Security-Token": "other"},
			code: "APIGW.0301", msg: "verify aksk signature fail"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.method == "" {
				c.method = "GET"
			}
			if c.ak == "" {
				c.ak = "AK1"
			}
			if c.sk == "" {
				c.sk = "SK1"
			}
			r := sdkSigned(t, c.method, c.path, c.query, c.hdr, c.ak, c.sk)
			if c.tamper != nil {
				c.tamper(r)
			}
			e := v.Verify(r, nil)
			switch {
			case c.code == "" && e != nil:
				t.Fatalf("rejected: %+v", e)
			case c.code != "" && e == nil:
				t.Fatal("accepted")
			case c.code != "" && (e.Status != 401 || e.Code != c.code || !strings.Contains(e.Msg, c.msg)):
				t.Fatalf("got %d %s %q, want %s %q", e.Status, e.Code, e.Msg, c.code, c.msg)
			}
			if e != nil && (strings.Contains(e.Msg+e.Detail, "SK1") || strings.Contains(e.Msg+e.Detail, "SKT")) {
				t.Fatal("a secret key appears in the error")
			}
		})
	}
}

func TestCredentialsFile(t *testing.T) {
	creds, err := aksk.ParseCredentials("c.yaml", []byte("credentials:\n  - ak: A\n    sk: S\n  - ak: T\n    sk: S2\n    security_token: tok\n"))
	if err != nil || len(creds) != 2 || creds[1].SecurityToken != "tok" {
		t.Fatalf("%+v %v", creds, err)
	}
	for body, want := range map[string]string{
		"credentials:\n  - ak: A\n    sk: S\n    colour: red\n": "c.yaml:4: field colour not found",
		"credentials:\n  - ak: A\n":                             "c.yaml: credential 1 needs both ak and sk",
		"credentials: []\n":                                     "c.yaml: no credentials",
		"credentials: [\n":                                      "c.yaml:",
	} {
		if _, err := aksk.ParseCredentials("c.yaml", []byte(body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", body, err, want)
		}
	}
	if _, err := aksk.NewVerifier([]aksk.Credential{{AK: "A", SK: "S"}, {AK: "A", SK: "S"}}, nil); err == nil {
		t.Error("duplicate AK accepted")
	}
}

// One verification costs about the request's own size, however the
// Authorization header is crafted: a SignedHeaders list that repeats host
// thousands of times, with a 60 KB Host, is refused before anything is built.
func TestVerificationWorkIsBounded(t *testing.T) {
	v := verifier(t)
	r := sdkSigned(t, "GET", path, nil, nil, "AK1", "SK1")
	r.Host = strings.Repeat("h", 60<<10)
	r.Header.Set("Authorization", "SDK-HMAC-SHA256 Access=AK1, SignedHeaders="+strings.Repeat("host;", 10000)+"x-sdk-date, Signature=00")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	e := v.Verify(r, nil)
	runtime.ReadMemStats(&after)
	if e == nil || !strings.Contains(e.Detail, "twice") && !strings.Contains(e.Detail, "at most") {
		t.Fatalf("accepted, or for another reason: %+v", e)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Fatalf("one verification allocated %d bytes", grew)
	}
}

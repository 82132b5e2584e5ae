package aksk_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/workspace-mock/mockserver/internal/aksk"
)

// FuzzVerify: any Authorization header, date, path and query is accepted
// only with the right signature, and a rejection never carries the SK.
// Seed corpus: testdata/fuzz/FuzzVerify.
func FuzzVerify(f *testing.F) {
	f.Add("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=x-sdk-date, Signature=00", "20261126T103014Z", "/v2/p/connections/status", "a=1&b=2")
	f.Add("SDK-HMAC-SHA256 Access=, SignedHeaders=;;, Signature=", "", "/", "")
	f.Add("SDK-HMAC-SM3 x", "garbage", "/%zz", "%")
	v, _ := aksk.NewVerifier([]aksk.Credential{{AK: "AK1", SK: "the-secret-key"}}, func() time.Time { return now })
	f.Fuzz(func(t *testing.T, auth, date, path, query string) {
		r := &http.Request{Method: "GET", URL: &url.URL{Path: path, RawQuery: query}, Header: http.Header{}, Host: "h"}
		r.Header.Set("Authorization", auth)
		r.Header.Set("X-Sdk-Date", date)
		e := v.Verify(r, nil)
		if e == nil {
			// accepted: then the signature must really be the one for this request
			if !strings.Contains(auth, aksk.Sign(aksk.CanonicalRequest(r, signedHeaders(auth), nil), date, "the-secret-key")) {
				t.Fatalf("accepted a wrong signature: %q", auth)
			}
			return
		}
		if strings.Contains(e.Msg+e.Detail, "the-secret-key") || e.Status != 401 {
			t.Fatalf("rejection %+v", e)
		}
	})
}

func signedHeaders(auth string) []string {
	_, after, ok := strings.Cut(auth, "SignedHeaders=")
	if !ok {
		return nil
	}
	list, _, _ := strings.Cut(after, ",")
	return strings.Split(strings.ToLower(strings.TrimSpace(list)), ";")
}

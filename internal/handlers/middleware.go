package handlers

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/workspace-mock/mockserver/internal/fixtures"
)

// withRequestID gives every response, errors and unknown routes included, an
// X-Request-Id before any handler runs.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["X-Request-Id"] = newRequestID()
		next.ServeHTTP(w, r) // every writer sets Content-Type itself
	})
}

// headerScan is what one pass over a request's headers tells: their size,
// whether any mock switch is there, and what the journal keeps. One map
// iteration instead of a dozen lookups on the hot path.
type headerScan struct {
	size                               int
	switches                           bool
	xProjectID, userAgent, sdkDate     string
	authorization, securityToken, auth bool // auth: X-Auth-Token
}

func scanHeaders(r *http.Request) headerScan {
	s := headerScan{size: len(r.Method) + len(r.RequestURI) + 12}
	for k, vs := range r.Header {
		for _, v := range vs {
			s.size += len(k) + len(v) + 4
		}
		switch k {
		case "X-Mock-Scenario", "X-Mock-Error", "X-Mock-Delay", "X-Mock-Seed", "Prefer":
			s.switches = true
		case "X-Project-Id":
			s.xProjectID = vs[0]
		case "User-Agent":
			s.userAgent = vs[0]
		case "X-Sdk-Date":
			s.sdkDate = vs[0]
		case "Authorization":
			s.authorization = true
		case "X-Security-Token":
			s.securityToken = true
		case "X-Auth-Token":
			s.auth = true
		}
	}
	return s
}

// headersTooLarge is the 431 in the documented shape for headers over limit
// bytes: Huawei's gateway accepts far less than Go's 1 MiB default, and Go's
// own 431 is plain text.
func headersTooLarge(size, limit int) fixtures.ErrorSpec {
	return fixtures.ErrorSpec{Status: http.StatusRequestHeaderFieldsTooLarge, Code: "APIGW.0201",
		Msg:    "API request error: request headers too large.",
		Detail: fmt.Sprintf("The request headers take %d bytes; the limit is %d.", size, limit)}
}

// limitHeaders applies the header limit to routes other than the API's,
// which checks it in its own single pass over the headers.
func limitHeaders(limit int) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if size := scanHeaders(r).size; size > limit {
				writeError(w, headersTooLarge(size, limit))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// recoverPanics turns a handler panic into the documented 500, so one bad
// request never takes the server down or leaves the client without an answer.
func recoverPanics(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if v == http.ErrAbortHandler {
					panic(v) // a deliberate abort: net/http drops the connection quietly
				}
				log.Error("handler panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				e, _ := fixtures.DocumentedError(http.StatusInternalServerError)
				writeError(w, e)
			}()
			next.ServeHTTP(w, r)
		})
	}
}

package handlers

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/workspace-mock/mockserver/internal/fixtures"
)

// withRequestID gives every response, errors and unknown routes included, an
// X-Request-Id and the JSON content type before any handler runs.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["X-Request-Id"] = []string{newRequestID()}
		h["Content-Type"] = contentTypeJSON
		next.ServeHTTP(w, r)
	})
}

// limitHeaders answers 431 in the documented shape when the request's headers
// exceed limit bytes: Huawei's gateway accepts far less than Go's 1 MiB
// default, and Go's own 431 is plain text.
func limitHeaders(limit int) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			size := len(r.Method) + len(r.RequestURI) + 12
			for k, vs := range r.Header {
				for _, v := range vs {
					size += len(k) + len(v) + 4
				}
			}
			if size > limit {
				writeError(w, fixtures.ErrorSpec{Status: http.StatusRequestHeaderFieldsTooLarge, Code: "APIGW.0201",
					Msg:    "API request error: request headers too large.",
					Detail: fmt.Sprintf("The request headers take %d bytes; the limit is %d.", size, limit)})
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
				e, _ := fixtures.DefaultError(http.StatusInternalServerError)
				writeError(w, e)
			}()
			next.ServeHTTP(w, r)
		})
	}
}

package handlers

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/workspace-mock/mockserver/internal/wire"
)

// withRequestID gives every response, errors and unknown routes included, an
// X-Request-Id before any handler runs.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["X-Request-Id"] = newRequestID()
		next.ServeHTTP(w, r) // every writer sets Content-Type itself
	})
}

// headerSize is what the request line and headers take, as the gateway counts them.
func headerSize(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + 12
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// limitHeaders answers 431 in the documented shape for headers over limit
// bytes, on every route: Huawei's gateway accepts far less than Go's 1 MiB
// default, and Go's own 431 is plain text.
func limitHeaders(limit int) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if size := headerSize(r); size > limit {
				writeError(w, wire.TooLarge(http.StatusRequestHeaderFieldsTooLarge, "headers", size, limit))
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
				e, _ := wire.Documented(http.StatusInternalServerError)
				writeError(w, e)
			}()
			next.ServeHTTP(w, r)
		})
	}
}

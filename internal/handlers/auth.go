package handlers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/workspace-mock/mockserver/internal/wire"
)

// MaxBody bounds a request body: the admin API's JSON, and what a signed
// request may carry (the gateway hashes the bytes it receives).
const MaxBody = 1 << 20

// DefaultBodyTimeout is how long a client may take to send a body it announced.
const DefaultBodyTimeout = 10 * time.Second

// receivedBody is a request body read in full by readBodies, kept for the
// handler (the signature check hashes it; the admin API decodes it).
type receivedBody struct {
	*bytes.Reader
	data []byte
}

func (receivedBody) Close() error { return nil }

// requestBody is the body the request came with (nil: none).
func requestBody(r *http.Request) []byte {
	if b, ok := r.Body.(receivedBody); ok {
		return b.data
	}
	return nil
}

// readBodies reads, on every route, the whole body a request announces
// before its handler runs: at most MaxBody bytes, within timeout. A client
// that announces a body and sends none is answered 408 instead of being held
// for ever; one that leaves is let go. Once a body is read, net/http watches
// the connection, so a client that leaves while its answer waits (a delay,
// a hang) is noticed at once. Requests without a body pay nothing.
func readBodies(timeout time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Body == nil || r.Body == http.NoBody {
				next.ServeHTTP(w, r)
				return
			}
			if r.ContentLength > MaxBody {
				w.Header().Set("Connection", "close")
				writeError(w, wire.TooLarge(http.StatusRequestEntityTooLarge, "body", int(r.ContentLength), MaxBody))
				return
			}
			rc := http.NewResponseController(w)
			_ = rc.SetReadDeadline(time.Now().Add(timeout)) // not supported in process: nothing to wait for there
			data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
			var tooBig *http.MaxBytesError
			switch {
			case errors.As(err, &tooBig):
				writeError(w, wire.TooLarge(http.StatusRequestEntityTooLarge, "body", -1, MaxBody))
				return
			case errors.Is(err, os.ErrDeadlineExceeded):
				// The deadline stays in the past: net/http's attempt to
				// discard the rest of the body fails at once and the
				// connection is closed (cleared, it waited for ever).
				w.Header().Set("Connection", "close")
				writeError(w, wire.Error{Status: http.StatusRequestTimeout, Code: "APIGW.0201", Msg: "API request error: request body timeout.",
					Detail: fmt.Sprintf("The request announced a body that did not arrive within %s.", timeout)})
				return
			case err != nil:
				panic(http.ErrAbortHandler) // the client left mid-body: nobody to answer
			}
			_ = rc.SetReadDeadline(time.Time{})
			r.Body = receivedBody{bytes.NewReader(data), data}
			next.ServeHTTP(w, r)
		})
	}
}

// authenticate checks the request's signature when the emulator verifies
// them, over the body bytes it received.
func (m *Mock) authenticate(r *http.Request) *wire.Error {
	if m.verifier == nil {
		return nil
	}
	return m.verifier.Verify(r, requestBody(r))
}

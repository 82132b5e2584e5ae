package handlers

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/workspace-mock/mockserver/internal/wire"
)

// MaxBody bounds a request body: the admin API's JSON, and what a signed
// request may carry (the gateway hashes the bytes it receives).
const MaxBody = 1 << 20

// authenticate checks the request's signature when the emulator verifies
// them, over the body bytes it received; the body is read here, at most
// MaxBody, and put back for the handler.
func (m *Mock) authenticate(w http.ResponseWriter, r *http.Request) *wire.Error {
	if m.verifier == nil {
		return nil
	}
	body, e := readBody(w, r)
	if e != nil {
		return e
	}
	return m.verifier.Verify(r, body)
}

// readBody reads the whole body, at most MaxBody bytes, and leaves a copy in
// r.Body; a body over the limit is the gateway's 413.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, *wire.Error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > MaxBody {
		e := wire.TooLarge(http.StatusRequestEntityTooLarge, "body", int(r.ContentLength), MaxBody)
		return nil, &e
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	r.Body = io.NopCloser(bytes.NewReader(body))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		e := wire.TooLarge(http.StatusRequestEntityTooLarge, "body", -1, MaxBody)
		return nil, &e
	case err != nil:
		e := wire.Error{Status: http.StatusBadRequest, Code: "APIGW.0201", Msg: "API request error.",
			Detail: "The request body could not be read: " + err.Error()}
		return nil, &e
	}
	return body, nil
}

package handlers

import (
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"strconv"
	"unsafe"

	"github.com/workspace-mock/mockserver/internal/wire"
)

// Header values shared by every response; never mutated.
var (
	contentTypeJSON = []string{"application/json;charset=UTF-8"}
)

// requestIDHeader is an X-Request-Id header value and its bytes in one
// allocation (instead of a string and a slice).
type requestIDHeader struct {
	value [1]string
	hex   [32]byte
}

// newRequestID returns an X-Request-Id header value: 32 lowercase hex
// characters, like Huawei's gateway. math/rand/v2's global generator is
// per-thread and lock-free: no contention between requests.
func newRequestID() []string {
	h := new(requestIDHeader)
	var b [16]byte
	x, y := rand.Uint64(), rand.Uint64()
	for i := 0; i < 8; i++ {
		b[i], b[8+i] = byte(x>>(8*i)), byte(y>>(8*i))
	}
	hex.Encode(h.hex[:], b[:])
	h.value[0] = unsafe.String(&h.hex[0], len(h.hex)) // the bytes are never written again
	return h.value[:]
}

// requestID is the id the request-id middleware gave this response.
func requestID(w http.ResponseWriter) string {
	if v := w.Header()["X-Request-Id"]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// writeError writes every error this server answers, in the documented body.
func writeError(w http.ResponseWriter, e wire.Error) {
	writeJSON(w, e.Status, wire.AppendBody(make([]byte, 0, 256), e, requestID(w)))
}

// writeJSON writes an answer whose body is already encoded.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	writeBody(w, status, body, []string{strconv.Itoa(len(body))})
}

// writeBody writes body with its Content-Length header value; a cached
// answer passes one made with it, so sending it allocates nothing.
func writeBody(w http.ResponseWriter, status int, body []byte, length []string) {
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	h["Content-Length"] = length
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeAs writes an answer that is not JSON (the contract, the control
// page) or not ours (the upstream's): body as it is, with its content type
// when there is one.
func writeAs(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	if contentType != "" {
		h["Content-Type"] = []string{contentType}
	}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

package handlers

import (
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"strconv"
	"unsafe"

	"github.com/workspace-mock/mockserver/internal/fixtures"
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

// writeError writes every error this server answers, in the documented body:
// all four fields as strings, plus request_id where the gateway would add it.
func writeError(w http.ResponseWriter, e fixtures.ErrorSpec) {
	writeJSON(w, e.Status, appendErrorBody(make([]byte, 0, 256), e, requestID(w)))
}

func appendErrorBody(dst []byte, e fixtures.ErrorSpec, rid string) []byte {
	dst = append(dst, `{"error_code":`...)
	dst = fixtures.AppendJSONString(dst, e.Code)
	dst = append(dst, `,"error_msg":`...)
	dst = fixtures.AppendJSONString(dst, e.Msg)
	dst = append(dst, `,"error_detail":`...)
	dst = fixtures.AppendJSONString(dst, e.Detail)
	dst = append(dst, `,"encoded_authorization_message":`...)
	dst = fixtures.AppendJSONString(dst, e.EncodedMsg)
	if e.Gateway() && rid != "" {
		dst = append(dst, `,"request_id":`...)
		dst = fixtures.AppendJSONString(dst, rid)
	}
	return append(dst, '}')
}

// mockError is an error of the emulator's own, about a switch or an admin
// call: status 400 (or as given) in the documented shape, code MOCK.*, so it
// can't be mistaken for an emulated cloud error.
func mockError(status int, code, msg string) fixtures.ErrorSpec {
	return fixtures.ErrorSpec{Status: status, Code: code, Msg: msg,
		Detail: "This error comes from the emulator, not from the emulated API: see its README."}
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

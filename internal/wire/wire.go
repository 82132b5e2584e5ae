// Package wire is the emulated API's vocabulary on the wire: its documented
// errors and their body, the rules for a project id, and the JSON string
// encoding every hand-written body uses. It knows nothing of scenarios.
package wire

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Error is one documented error answer: the status and the four fields of
// the documented error body.
type Error struct {
	Status     int
	Code       string
	Msg        string
	Detail     string
	EncodedMsg string // encoded_authorization_message
}

// Gateway reports whether the error comes from the API gateway (APIGW.*),
// whose bodies also carry the request id as request_id.
func (e Error) Gateway() bool { return len(e.Code) > 6 && e.Code[:6] == "APIGW." }

// encodedDenial stands in for the encrypted reason IAM attaches to a policy
// denial: opaque to clients, base64 like the real one.
const encodedDenial = "N6S8dcg1xw8iqvpfBmdm1oL3ihvSMgcBD3HDrmpDvZu2ZS0CyY7khUY0RIC1HvZPwqaFV6DWjkI" +
	"HKHxSVmQ9G3vtqQ0ypqB8FbjfnmNpCYbHzeRgMOCBP6SVXwBXt1h3hqpCz3k2c8HPZ7TfyWQmUNXHxyNjAhyGtm9x" +
	"C1hKrNE5R9gyHRyjJkEa6F0WrxJ9w4fpSuuRAg1tpcc6UZVFWVr3Ni6J1nV0lUj3DdhNoEf5t0a2h1ui8PDdSY4="

// documented holds, per documented status, the error a real client most
// likely sees: gateway codes where the API gateway answers, WKS codes where the
// Workspace service does.
var documented = map[int]Error{
	400: {Status: 400, Code: "APIGW.0201", Msg: "API request error.",
		Detail: "The request could not be understood: check the path and the project id."},
	401: {Status: 401, Code: "APIGW.0301", Msg: "Incorrect IAM authentication information: verify aksk signature fail",
		Detail: "The request signature does not match the signature computed by the gateway."},
	403: {Status: 403, Code: "APIGW.0302", Msg: "The IAM user is not authorized to access the API.",
		Detail:     "Policy doesn't allow workspace:desktops:getConnectStatus to be performed.",
		EncodedMsg: encodedDenial},
	404: {Status: 404, Code: "APIGW.0101", Msg: "The API does not exist or has not been published in the environment.",
		Detail: "No API matches this method and path."},
	429: {Status: 429, Code: "APIGW.0308", Msg: "The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 second",
		Detail: "Too many requests for this user: retry after a second."},
	500: {Status: 500, Code: "WKS.00000003", Msg: "Failed to obtain database information.",
		Detail: "Internal service error: retry later or contact technical support."},
}

// Override returns e with each field that is given (non-nil) replaced: a
// scenario file or an admin call changes some body fields and keeps the
// documented defaults for the others.
func (e Error) Override(code, msg, detail, encoded *string) Error {
	for _, f := range []struct{ dst, src *string }{{&e.Code, code}, {&e.Msg, msg}, {&e.Detail, detail}, {&e.EncodedMsg, encoded}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	return e
}

// Documented returns the documented error for status, or, for a status this
// API does not document, an error that lists the ones it does: the one
// wording for every place that takes a status (flags, headers, files, admin
// API, the Go package).
func Documented(status int) (Error, error) {
	e, ok := documented[status]
	if !ok {
		return e, fmt.Errorf("status %d is not a documented error status of this API (one of %v)", status, Statuses())
	}
	return e, nil
}

// Statuses lists the error statuses an emulated answer may have, ascending.
func Statuses() []int {
	out := make([]int, 0, len(documented))
	for s := range documented {
		out = append(out, s)
	}
	sort.Ints(out)
	return out
}

// NotFound is what the gateway answers for a path or method it does not publish.
func NotFound() Error { return documented[404] }

// TooLarge is the gateway's answer to a request part over its limit (the
// headers: 431; a body: 413), in the documented shape.
func TooLarge(status int, what string, size, limit int) Error {
	detail := fmt.Sprintf("The %s take %d bytes; the limit is %d.", what, size, limit)
	if size < 0 {
		detail = fmt.Sprintf("The %s go over the limit of %d bytes.", what, limit)
	}
	return Error{Status: status, Code: "APIGW.0201", Msg: "API request error: request " + what + " too large.", Detail: detail}
}

// Mock is an error of the emulator's own, about a switch or an admin call,
// in the documented shape with a MOCK.* code, so it can't be mistaken for an
// emulated cloud error.
func Mock(status int, code, msg string) Error {
	return Error{Status: status, Code: code, Msg: msg,
		Detail: "This error comes from the emulator, not from the emulated API: see its README."}
}

// The fields of the documented error body, in its order.
const (
	FieldCode    = "error_code"
	FieldMsg     = "error_msg"
	FieldDetail  = "error_detail"
	FieldEncoded = "encoded_authorization_message"
)

// ErrorFields are the documented error body's fields, in order: the one list
// for the encoder, the scenario decoder and drift.
var ErrorFields = []string{FieldCode, FieldMsg, FieldDetail, FieldEncoded}

// AppendBody appends the documented error body: all four fields as strings,
// plus request_id where the gateway would add it.
func AppendBody(dst []byte, e Error, requestID string) []byte {
	sep := byte('{')
	for i, v := range [...]string{e.Code, e.Msg, e.Detail, e.EncodedMsg} {
		dst = append(dst, sep, '"')
		sep = ','
		dst = append(dst, ErrorFields[i]...)
		dst = append(dst, '"', ':')
		dst = AppendString(dst, v)
	}
	if e.Gateway() && requestID != "" {
		dst = append(dst, `,"request_id":`...)
		dst = AppendString(dst, requestID)
	}
	return append(dst, '}')
}

// MaxProjectID bounds a project id's length; real ones are 32 characters.
const MaxProjectID = 64

// CheckProjectID says what is wrong with a project id, or "" when nothing is.
func CheckProjectID(id string) string {
	switch {
	case id == "":
		return "it is empty"
	case len(id) > MaxProjectID:
		return fmt.Sprintf("it is longer than %d characters", MaxProjectID)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return "use letters, digits, '-' and '_' only (real ones are 32 lowercase hex characters)"
		}
	}
	return ""
}

// AppendString appends s as a JSON string, escaping what JSON requires;
// invalid UTF-8 becomes U+FFFD.
func AppendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\r':
				dst = append(dst, '\\', 'r')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}

// CutMark ends a string Clip has cut.
const CutMark = "...(cut)"

// Clip keeps s when it has at most n bytes, else a copy of its first n bytes
// or fewer (at a rune boundary) marked as cut: a bounded copy that does not
// keep a large string alive.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strings.Clone(s[:n]) + CutMark
}

// Truncate cuts s to n bytes, marked, for quoting a client's value in a message.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

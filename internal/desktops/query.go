package desktops

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/workspace-mock/mockserver/internal/wire"
)

// badParam is the 400 answer for a query parameter the service would refuse,
// naming it: WKS.0001 is the one Workspace code documented for a request
// that is not acceptable (the reference gives none per parameter).
func badParam(name, why string) *wire.Error {
	return &wire.Error{Status: 400, Code: "WKS.0001",
		Msg:    "The request message input by the interface is invalid: " + name + " " + why + ".",
		Detail: "Invalid query parameter " + name + ": " + why + "."}
}

// notFound is ShowDesktopDetail's answer for an id no desktop has. The
// reference documents the 404 but no code; WKS.0202 is the code Workspace
// gives for "The resource not found." elsewhere.
func notFound(id string) *wire.Error {
	return &wire.Error{Status: 404, Code: "WKS.0202", Msg: "The resource not found.",
		Detail: "No desktop has the id " + strconv.Quote(id) + "."}
}

// query reads url.Values, remembering the first problem: each parser
// returns the zero value once one was found.
type query struct {
	q   url.Values
	err *wire.Error
}

func (r *query) fail(name, why string) {
	if r.err == nil {
		r.err = badParam(name, why)
	}
}

// one is the single value of name ("", false when absent): a repeated key
// is refused, since the SDK never repeats a scalar parameter.
func (r *query) one(name string, maxLen int) (string, bool) {
	vs, ok := r.q[name]
	switch {
	case !ok:
		return "", false
	case len(vs) > 1:
		r.fail(name, "is given more than once")
		return "", false
	case len(vs[0]) > maxLen:
		r.fail(name, fmt.Sprintf("is longer than %d characters", maxLen))
		return "", false
	}
	return vs[0], true
}

// str is an optional string; "" means absent (an empty filter filters nothing).
func (r *query) str(name string, maxLen int) string {
	s, _ := r.one(name, maxLen)
	return s
}

func (r *query) integer(name string, min, max, def int64) int64 {
	s, ok := r.one(name, 20)
	if !ok || r.err != nil {
		return def
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < min || n > max {
		r.fail(name, fmt.Sprintf("must be an integer from %d to %d", min, max))
		return def
	}
	return n
}

// optInt is an integer that may be absent (nil).
func (r *query) optInt(name string, min, max int64) *int64 {
	if _, ok := r.q[name]; !ok {
		return nil
	}
	n := r.integer(name, min, max, 0)
	return &n
}

// boolean is nil when absent, else true or false: nothing else is a bool.
func (r *query) boolean(name string) *bool {
	s, ok := r.one(name, 5)
	if !ok {
		return nil
	}
	switch s {
	case "true":
		b := true
		return &b
	case "false":
		b := false
		return &b
	}
	r.fail(name, "must be true or false")
	return nil
}

// enum is one of values, or "" when absent.
func (r *query) enum(name string, maxLen int, values ...string) string {
	s := r.str(name, maxLen)
	if s == "" {
		return ""
	}
	for _, v := range values {
		if s == v {
			return s
		}
	}
	r.fail(name, "must be one of "+strings.Join(values, ", "))
	return ""
}

// list is a repeated parameter (the SDK sends one key per element).
func (r *query) list(name string, maxItems, maxLen int) []string {
	vs := r.q[name]
	if len(vs) > maxItems {
		r.fail(name, fmt.Sprintf("has %d items; at most %d are allowed", len(vs), maxItems))
		return nil
	}
	for _, s := range vs {
		if len(s) > maxLen || s == "" {
			r.fail(name, fmt.Sprintf("items must be 1 to %d characters long", maxLen))
			return nil
		}
	}
	return vs
}

// timeFormats: the documented minute precision ("2016-08-20T21:11Z"), and,
// more lenient than documented, with seconds, as the export API takes it.
var timeFormats = []string{"2006-01-02T15:04Z", "2006-01-02T15:04:05Z"}

func (r *query) time(name string) (time.Time, bool) {
	s, ok := r.one(name, 255)
	if !ok || r.err != nil {
		return time.Time{}, false
	}
	for _, f := range timeFormats {
		if t, err := time.Parse(f, s); err == nil {
			return t, true
		}
	}
	r.fail(name, "must be a UTC time like 2016-08-20T21:11Z")
	return time.Time{}, false
}

// timeRange reads start_time and end_time, which come together or not at all.
func (r *query) timeRange() (from, to time.Time, given bool) {
	from, hasFrom := r.time("start_time")
	to, hasTo := r.time("end_time")
	switch {
	case r.err != nil:
	case hasFrom != hasTo && hasFrom:
		r.fail("end_time", "is required when start_time is given")
	case hasFrom != hasTo:
		r.fail("start_time", "is required when end_time is given")
	case hasFrom && !to.After(from):
		r.fail("end_time", "must be after start_time")
	case hasFrom && to.Sub(from) > maxRange:
		r.fail("end_time", fmt.Sprintf("must be within %d days of start_time", maxRange/(24*time.Hour)))
	}
	return from, to, hasFrom && hasTo
}

// maxRange bounds a time query: a month of daily buckets, a month of records.
const maxRange = 31 * 24 * time.Hour

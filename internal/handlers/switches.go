package handlers

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/workspace-mock/mockserver/internal/engine"
	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

type switchHeader struct {
	name  string
	parse func(v string, sw engine.Switches) (engine.Switches, string)
}

// switchHeaders is the one list of the headers that steer a request, in the
// order they are read: X-Mock-Error is read before Prefer, so it wins. A
// parser returns the switches with its own set, and what is wrong with the
// value, or "": values, not a pointer, so the switches stay on the stack.
// The scenario a header names is looked up by the engine, in its set.
var switchHeaders = [...]switchHeader{
	{"X-Mock-Scenario", func(v string, sw engine.Switches) (engine.Switches, string) {
		sw.Scenario = v
		return sw, ""
	}},
	{"X-Mock-Error", func(v string, sw engine.Switches) (engine.Switches, string) {
		e, msg := documentedError(v)
		sw.Error = &e
		return sw, msg
	}},
	{"Prefer", func(v string, sw engine.Switches) (engine.Switches, string) {
		code, ok := preferCode(v)
		switch {
		case !ok || sw.Error != nil:
			return sw, ""
		case code == "200":
			sw.Success = true
			return sw, ""
		}
		e, msg := documentedError(code)
		sw.Error = &e
		if msg != "" {
			return sw, "code=" + code + ": " + msg
		}
		return sw, ""
	}},
	{"X-Mock-Delay", func(v string, sw engine.Switches) (engine.Switches, string) {
		d, err := fixtures.ParseDelay(v)
		if err != nil {
			return sw, err.Error()
		}
		sw.Delay = &d
		return sw, ""
	}},
	{"X-Mock-Time", func(v string, sw engine.Switches) (engine.Switches, string) {
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(v))
		if err != nil {
			return sw, fmt.Sprintf("%q is not an RFC 3339 time (example: 2026-11-30T10:30:00+08:00)", v)
		}
		sw.Time = &t
		return sw, ""
	}},
	{"X-Mock-Seed", func(v string, sw engine.Switches) (engine.Switches, string) {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return sw, fmt.Sprintf("%q is not an integer", v)
		}
		sw.Seed = &n
		return sw, ""
	}},
}

// isSwitch reports whether a header is meant to steer the emulator; such a
// header always reaches the parser, so a misspelt one is an error, not ignored.
func isSwitch(name string) bool { return name == "Prefer" || strings.HasPrefix(name, "X-Mock-") }

// parseSwitches reads the switch headers. A bad value or an unknown X-Mock-*
// header is a Problem the engine answers with 400, never a silent fallback.
// Most requests have no switch: one look at the header names, and no parsing.
func parseSwitches(h http.Header) engine.Switches {
	var values [len(switchHeaders)][]string // by the table's index: one pass over the names, no lookups
	found := false
	for k, v := range h {
		if !isSwitch(k) {
			continue
		}
		i := slices.IndexFunc(switchHeaders[:], func(s switchHeader) bool { return s.name == k })
		if i < 0 {
			return engine.Switches{Problem: fmt.Sprintf("%s: not a header the emulator knows (known: %s)", k, strings.Join(switchNames(), ", "))}
		}
		values[i], found = v, found || len(v) > 0
	}
	if !found {
		return engine.Switches{}
	}
	return readSwitches(&values)
}

// readSwitches parses the values, in the table's order.
func readSwitches(values *[len(switchHeaders)][]string) (sw engine.Switches) {
	for i, s := range switchHeaders {
		v := values[i]
		if len(v) == 0 {
			continue
		}
		value := v[0]
		if len(v) > 1 {
			value = strings.Join(v, ", ")
		}
		var msg string
		if sw, msg = s.parse(value, sw); msg != "" {
			sw.Problem = s.name + ": " + msg
			return sw
		}
	}
	return sw
}

func switchNames() []string {
	names := make([]string, len(switchHeaders))
	for i, s := range switchHeaders {
		names[i] = s.name
	}
	return names
}

// documentedError parses a status and returns its documented error, or says
// why it can't.
func documentedError(s string) (wire.Error, string) {
	status, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return wire.Error{}, fmt.Sprintf("%q is not an HTTP status", s)
	}
	e, err := wire.Documented(status)
	if err != nil {
		return e, err.Error()
	}
	return e, ""
}

// preferCode finds code=NNN among the preferences (Prism's convention); other
// preferences are ignored, as RFC 7240 asks.
func preferCode(v string) (string, bool) {
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' }) {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "code") {
			return strings.Trim(strings.TrimSpace(val), `"`), true
		}
	}
	return "", false
}

package handlers

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// switches are the per-request headers that steer one answer.
type switches struct {
	scenario *fixtures.Scenario
	err      *wire.Error // X-Mock-Error or Prefer: code=4xx/5xx
	success  bool        // Prefer: code=200: skip injected errors and the failure rate
	delay    *fixtures.Delay
	seed     int64
	hasSeed  bool
	time     time.Time // X-Mock-Time: answer as of this simulated instant
	hasTime  bool
}

type switchHeader struct {
	name  string
	parse func(v string, set *fixtures.Set, sw *switches) string
}

// switchHeaders is the one list of the headers that steer a request, in the
// order they are read: X-Mock-Error is read before Prefer, so it wins. A
// parser returns what is wrong with the value, or "".
var switchHeaders = []switchHeader{
	{"X-Mock-Scenario", func(v string, set *fixtures.Set, sw *switches) string {
		if sw.scenario = set.Get(v); sw.scenario == nil {
			return fmt.Sprintf("unknown scenario %q (known: %s)", v, strings.Join(set.Names(), ", "))
		}
		return ""
	}},
	{"X-Mock-Error", func(v string, _ *fixtures.Set, sw *switches) string {
		e, msg := documentedError(v)
		sw.err = &e
		return msg
	}},
	{"Prefer", func(v string, _ *fixtures.Set, sw *switches) string {
		code, ok := preferCode(v)
		switch {
		case !ok || sw.err != nil:
			return ""
		case code == "200":
			sw.success = true
			return ""
		}
		e, msg := documentedError(code)
		sw.err = &e
		if msg != "" {
			return "code=" + code + ": " + msg
		}
		return ""
	}},
	{"X-Mock-Delay", func(v string, _ *fixtures.Set, sw *switches) string {
		d, err := fixtures.ParseDelay(v)
		if err != nil {
			return err.Error()
		}
		sw.delay = &d
		return ""
	}},
	{"X-Mock-Time", func(v string, _ *fixtures.Set, sw *switches) string {
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(v))
		if err != nil {
			return fmt.Sprintf("%q is not an RFC 3339 time (example: 2026-11-30T10:30:00+08:00)", v)
		}
		sw.time, sw.hasTime = t, true
		return ""
	}},
	{"X-Mock-Seed", func(v string, _ *fixtures.Set, sw *switches) string {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return fmt.Sprintf("%q is not an integer", v)
		}
		sw.seed, sw.hasSeed = n, true
		return ""
	}},
}

// isSwitch reports whether a header is meant to steer the emulator; such a
// header always reaches the parser, so a misspelt one is an error, not ignored.
func isSwitch(name string) bool { return name == "Prefer" || strings.HasPrefix(name, "X-Mock-") }

// hasSwitches reports whether any header is a switch: most requests have
// none, and skip the parser.
func hasSwitches(h http.Header) bool {
	for k := range h {
		if isSwitch(k) {
			return true
		}
	}
	return false
}

// parseSwitches reads the switch headers. A bad value or an unknown X-Mock-*
// header is an error to answer with 400, never a silent fallback.
func parseSwitches(h http.Header, set *fixtures.Set) (sw switches, bad string) {
	for k := range h {
		if isSwitch(k) && !slices.ContainsFunc(switchHeaders, func(s switchHeader) bool { return s.name == k }) {
			return sw, fmt.Sprintf("%s: not a header the emulator knows (known: %s)", k, strings.Join(switchNames(), ", "))
		}
	}
	for _, s := range switchHeaders {
		if v := h[s.name]; len(v) > 0 {
			if msg := s.parse(strings.Join(v, ", "), set, &sw); msg != "" {
				return sw, s.name + ": " + msg
			}
		}
	}
	return sw, ""
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

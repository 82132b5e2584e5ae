package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/workspace-mock/mockserver/internal/fixtures"
)

// switches are the per-request headers that steer one answer.
type switches struct {
	scenario *fixtures.Scenario
	err      *fixtures.ErrorSpec // X-Mock-Error or Prefer: code=4xx/5xx
	success  bool                // Prefer: code=200: skip injected errors and the failure rate
	delay    *fixtures.Delay
	seed     int64
	hasSeed  bool
}

// parseSwitches reads the X-Mock-* and Prefer headers. A bad value is an error
// to answer with 400, never a silent fallback.
func parseSwitches(h http.Header, set *fixtures.Set) (sw switches, bad string) {
	if v := h["X-Mock-Scenario"]; len(v) > 0 {
		if sw.scenario = set.Get(v[0]); sw.scenario == nil {
			return sw, fmt.Sprintf("X-Mock-Scenario: unknown scenario %q (known: %s)", v[0], strings.Join(set.Names(), ", "))
		}
	}
	if v := h["X-Mock-Error"]; len(v) > 0 {
		e, msg := documentedError(v[0])
		if msg != "" {
			return sw, "X-Mock-Error: " + msg
		}
		sw.err = &e
	}
	if v := h["Prefer"]; len(v) > 0 && sw.err == nil {
		if code, ok := preferCode(v); ok {
			if code == "200" {
				sw.success = true
			} else {
				e, msg := documentedError(code)
				if msg != "" {
					return sw, "Prefer: code=" + code + ": " + msg
				}
				sw.err = &e
			}
		}
	}
	if v := h["X-Mock-Delay"]; len(v) > 0 {
		d, err := fixtures.ParseDelay(v[0])
		if err != nil {
			return sw, "X-Mock-Delay: " + err.Error()
		}
		sw.delay = &d
	}
	if v := h["X-Mock-Seed"]; len(v) > 0 {
		n, err := strconv.ParseInt(v[0], 10, 64)
		if err != nil {
			return sw, fmt.Sprintf("X-Mock-Seed: %q is not an integer", v[0])
		}
		sw.seed, sw.hasSeed = n, true
	}
	return sw, ""
}

// documentedError parses a status and returns its documented error, or says
// why it can't.
func documentedError(s string) (fixtures.ErrorSpec, string) {
	status, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return fixtures.ErrorSpec{}, fmt.Sprintf("%q is not an HTTP status", s)
	}
	e, err := fixtures.DocumentedError(status)
	if err != nil {
		return e, err.Error()
	}
	return e, ""
}

// preferCode finds code=NNN among the preferences (Prism's convention); other
// preferences are ignored, as RFC 7240 asks.
func preferCode(values []string) (string, bool) {
	for _, v := range values {
		for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' }) {
			k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "code") {
				return strings.Trim(strings.TrimSpace(val), `"`), true
			}
		}
	}
	return "", false
}

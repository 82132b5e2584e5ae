package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/workspace-mock/mockserver/internal/wire"
)

// The journal's view of a request: what an entry keeps of it, bounded.

// begin starts the journal entry of a request. A short string is kept as the
// request has it (no allocation); a long one is cut and copied, so the entry
// doesn't keep the request's large strings alive. A query's secrets are
// masked.
func begin(w http.ResponseWriter, r *http.Request) Entry {
	h := r.Header
	line := longLine(r)
	return Entry{
		Time: time.Now(), Method: own(r.Method, line), Path: own(r.URL.Path, line), Query: own(maskQuery(r.URL.RawQuery), line), RequestID: requestID(w),
		XProjectID: clip(first(h["X-Project-Id"])), UserAgent: clip(first(h["User-Agent"])), SdkDate: clip(first(h["X-Sdk-Date"])),
		Authorization: len(h["Authorization"]) > 0, SecurityToken: len(h["X-Security-Token"]) > 0, AuthToken: len(h["X-Auth-Token"]) > 0,
	}
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// longLine reports a request line long enough that the strings cut from it
// (method, path, query, project id) are copied, so as not to keep it alive.
func longLine(r *http.Request) bool { return len(r.RequestURI) > MaxEntryField }

// own is s as an entry keeps it: a copy when it may share memory with a
// longer string of the request (shared), cut when it is long itself.
func own(s string, shared bool) string {
	if shared && len(s) <= MaxEntryField {
		return strings.Clone(s)
	}
	return clip(s)
}

// clip keeps s, or a copy of its first MaxEntryField bytes marked as cut.
func clip(s string) string { return wire.Clip(s, MaxEntryField) }

// secretWords mark query parameters whose values the journal never keeps.
var secretWords = []string{"token", "secret", "password", "passwd", "signature", "credential", "auth", "key"}

func isSecretParam(name string) bool {
	name = strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// maskQuery replaces the values of parameters that look secret with ***;
// only the names are read, so a long query costs little.
func maskQuery(raw string) string {
	if raw == "" {
		return raw
	}
	var out []string // nil until a value is masked: most queries are kept as they are
	rest := raw
	for i := 0; rest != ""; i++ {
		var p string
		p, rest, _ = strings.Cut(rest, "&")
		k, _, hasValue := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if hasValue && (err != nil || isSecretParam(name)) {
			if out == nil {
				out = strings.Split(raw, "&")
			}
			out[i] = k + "=***"
		}
	}
	if out == nil {
		return raw
	}
	return strings.Join(out, "&")
}

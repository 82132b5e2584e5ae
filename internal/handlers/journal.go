package handlers

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Entry is one request as the journal keeps it: what a test needs to check
// what its client sent, and never a secret (auth headers: presence only).
// The admin API and the Go package show the same record.
type Entry struct {
	Time          time.Time     `json:"time"`
	Method        string        `json:"method"`
	Path          string        `json:"path"`
	Query         string        `json:"query,omitempty"`
	ProjectID     string        `json:"project_id,omitempty"` // from the API path
	RequestID     string        `json:"request_id"`           // the X-Request-Id it was answered with
	Status        int           `json:"status"`               // 0 when a transport fault answered, or the client left first
	Fault         string        `json:"fault,omitempty"`      // reset, empty, malformed, hang
	Scenario      string        `json:"scenario,omitempty"`
	Latency       time.Duration `json:"-"`                      // latency_ms in JSON
	XProjectID    string        `json:"x_project_id,omitempty"` // the X-Project-Id header
	UserAgent     string        `json:"user_agent,omitempty"`
	SdkDate       string        `json:"x_sdk_date,omitempty"`
	Authorization bool          `json:"authorization"`     // an Authorization header was sent
	SecurityToken bool          `json:"security_token"`    // an X-Security-Token header was sent
	AuthToken     bool          `json:"auth_token"`        // an X-Auth-Token header was sent
	Proxied       bool          `json:"proxied,omitempty"` // the upstream answered (--upstream)
}

// MarshalJSON writes the time in UTC and the latency in milliseconds.
func (e Entry) MarshalJSON() ([]byte, error) {
	type plain Entry
	return json.Marshal(struct {
		plain
		Time      string  `json:"time"`
		LatencyMS float64 `json:"latency_ms"`
	}{plain(e), e.Time.UTC().Format(time.RFC3339Nano), float64(e.Latency.Microseconds()) / 1000})
}

// MaxEntryField bounds each string an entry keeps (path, query, user agent,
// project id, date): an entry holds at most a few KB however large the
// request, so the journal's memory is bounded by its size in entries.
const MaxEntryField = 512

// begin starts the journal entry of a request. A short string is kept as the
// request has it (no allocation); a long one is cut and copied, so the entry
// doesn't keep the request's large strings alive. A query's secrets are
// masked.
func (m *Mock) begin(w http.ResponseWriter, r *http.Request) Entry {
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
func clip(s string) string {
	if len(s) <= MaxEntryField {
		return s
	}
	cut := MaxEntryField
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.Clone(s[:cut]) + "...(cut)"
}

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

// record journals the request and, at debug level, logs it.
func (m *Mock) record(e *Entry) {
	e.Latency = time.Since(e.Time)
	m.journal.add(e)
	if m.log.Enabled(context.Background(), slog.LevelDebug) {
		m.log.LogAttrs(context.Background(), slog.LevelDebug, "request",
			slog.String("method", e.Method), slog.String("path", e.Path), slog.Int("status", e.Status),
			slog.String("fault", e.Fault), slog.String("scenario", e.Scenario), slog.String("request_id", e.RequestID),
			slog.Duration("latency", e.Latency))
	}
}

// journal is a bounded ring of entries, newest last. A write takes one
// atomic add for its sequence number and then locks only its own slot, so
// concurrent requests don't queue on one lock; nothing is allocated.
type journal struct {
	seq   atomic.Uint64 // entries ever written; the next one is seq+1
	slots []slot
}

type slot struct {
	mu  sync.Mutex
	seq uint64 // 0: empty
	e   Entry
}

func newJournal(size int) *journal {
	if size <= 0 {
		return nil
	}
	return &journal{slots: make([]slot, size)}
}

func (j *journal) add(e *Entry) {
	if j == nil {
		return
	}
	n := j.seq.Add(1)
	s := &j.slots[(n-1)%uint64(len(j.slots))]
	s.mu.Lock()
	if n > s.seq { // a writer that lapped the ring keeps its newer entry
		s.seq, s.e = n, *e
	}
	s.mu.Unlock()
}

type numbered struct {
	seq uint64
	e   Entry
}

// list returns the entries, oldest first, that keep returns true for.
func (j *journal) list(keep func(*Entry) bool) []Entry {
	out := []Entry{}
	if j == nil {
		return out
	}
	var got []numbered
	for i := range j.slots {
		s := &j.slots[i]
		s.mu.Lock()
		if s.seq != 0 && (keep == nil || keep(&s.e)) {
			got = append(got, numbered{s.seq, s.e})
		}
		s.mu.Unlock()
	}
	sort.Slice(got, func(a, b int) bool { return got[a].seq < got[b].seq })
	for _, g := range got {
		out = append(out, g.e)
	}
	return out
}

// clear drops the entries drop returns true for (all when drop is nil).
func (j *journal) clear(drop func(*Entry) bool) {
	if j == nil {
		return
	}
	for i := range j.slots {
		s := &j.slots[i]
		s.mu.Lock()
		if s.seq != 0 && (drop == nil || drop(&s.e)) {
			s.seq, s.e = 0, Entry{}
		}
		s.mu.Unlock()
	}
}

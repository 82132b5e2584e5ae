package engine

import (
	"context"
	"encoding/json"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Entry is one request as the journal keeps it: what a test needs to check
// what its client sent, and never a secret (auth headers: presence only).
// The admin API and the Go package show the same record.
type Entry struct {
	Time          time.Time     `json:"time"`
	Operation     string        `json:"operation,omitempty"` // Huawei's operation id; "" for a route that does not exist
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

// Record journals a request and, at debug level, logs it.
func (e *Engine) Record(r *Entry) {
	r.Latency = time.Since(r.Time)
	e.journal.add(r)
	if e.log.Enabled(context.Background(), slog.LevelDebug) {
		e.log.LogAttrs(context.Background(), slog.LevelDebug, "request",
			slog.String("method", r.Method), slog.String("path", r.Path), slog.Int("status", r.Status),
			slog.String("fault", r.Fault), slog.String("scenario", r.Scenario), slog.String("request_id", r.RequestID),
			slog.Duration("latency", r.Latency))
	}
}

// Requests returns the journal, newest last: one project's requests, or all
// for ""; only those at or after since when it is not zero.
func (e *Engine) Requests(project string, since time.Time) []Entry {
	return e.journal.list(func(r *Entry) bool {
		return (project == "" || r.ProjectID == project) && (since.IsZero() || !r.Time.Before(since))
	})
}

// ClearRequests empties the journal of one project, or all for "".
func (e *Engine) ClearRequests(project string) {
	if project == "" {
		e.journal.clear(nil)
		return
	}
	e.journal.clear(func(r *Entry) bool { return r.ProjectID == project })
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

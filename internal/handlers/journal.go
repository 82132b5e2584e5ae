package handlers

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Entry is one request as the journal keeps it: what a test needs to check
// what its client sent, and never a secret (auth headers: presence only).
type Entry struct {
	Time          time.Time
	Method        string
	Path          string
	Query         string
	ProjectID     string
	RequestID     string
	Status        int    // 0 when a fault answered instead
	Fault         string // reset, empty, malformed, hang
	Scenario      string
	Latency       time.Duration
	XProjectID    string // the X-Project-Id header
	UserAgent     string
	SdkDate       string
	Authorization bool // an Authorization header was sent
	SecurityToken bool // an X-Security-Token header was sent
	AuthToken     bool // an X-Auth-Token header was sent
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

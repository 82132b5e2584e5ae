package handlers

import (
	"sync"
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

// journal is a bounded ring of entries, newest last. A write copies one
// struct under a mutex held for nanoseconds, and allocates nothing.
type journal struct {
	mu      sync.Mutex
	entries []Entry
	next    int  // where the next entry goes
	full    bool // the ring has wrapped
}

func newJournal(size int) *journal {
	if size <= 0 {
		return nil
	}
	return &journal{entries: make([]Entry, size)}
}

func (j *journal) add(e *Entry) {
	if j == nil {
		return
	}
	j.mu.Lock()
	j.entries[j.next] = *e
	j.next++
	if j.next == len(j.entries) {
		j.next, j.full = 0, true
	}
	j.mu.Unlock()
}

// list returns the entries, oldest first, that keep returns true for.
func (j *journal) list(keep func(*Entry) bool) []Entry {
	if j == nil {
		return []Entry{}
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.collect(keep)
}

func (j *journal) collect(keep func(*Entry) bool) []Entry {
	out := []Entry{}
	visit := func(es []Entry) {
		for i := range es {
			if keep == nil || keep(&es[i]) {
				out = append(out, es[i])
			}
		}
	}
	if j.full {
		visit(j.entries[j.next:])
	}
	visit(j.entries[:j.next])
	return out
}

// clear drops the entries drop returns true for (all when drop is nil).
func (j *journal) clear(drop func(*Entry) bool) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	var kept []Entry
	if drop != nil {
		kept = j.collect(func(e *Entry) bool { return !drop(e) })
	}
	clear(j.entries)
	j.next, j.full = copy(j.entries, kept), false
}

// len is how many entries the journal holds.
func (j *journal) len() int {
	if j == nil {
		return 0
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.full {
		return len(j.entries)
	}
	return j.next
}

package upstream

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"mime"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/workspace-mock/mockserver/internal/wire"
)

// counterNames are the 13 counters of a statics element, besides static_name.
var counterNames = []string{"running_num", "stop_num", "hibernate_num", "other_num", "attached_num", "unattached_num",
	"cannot_attach_num", "in_process_num", "in_use_num", "unregistered_num", "ready_num", "disconnected_num", "unknown_num"}

var (
	requestIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)
	errorFields      = []string{"error_code", "error_msg", "error_detail", "encoded_authorization_message"}
)

// Check lists how an answer departs from the contract (api/openapi.yaml and
// the counter relations of the wire contract); none when it keeps it.
func Check(a *Answer) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if !requestIDPattern.MatchString(a.RequestID) {
		add("X-Request-Id %q is not 32 lowercase hex characters", a.RequestID)
	}
	if mt, _, err := mime.ParseMediaType(a.ContentType); err != nil || mt != "application/json" {
		add("Content-Type %q is not application/json", a.ContentType)
	}
	if a.Status != 200 {
		if _, err := wire.Documented(a.Status); err != nil {
			add("status %d is not one the contract documents (200, %v)", a.Status, wire.Statuses())
		}
		return append(problems, checkError(a.Body)...)
	}
	return append(problems, checkStatics(a.Body)...)
}

func decode(body []byte) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&obj); err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, fmt.Errorf("not a JSON object")
	}
	return obj, nil
}

func checkError(body []byte) []string {
	obj, err := decode(body)
	if err != nil {
		return []string{fmt.Sprintf("the error body is not a JSON object: %v", err)}
	}
	var problems []string
	for _, f := range errorFields {
		raw, ok := obj[f]
		var s string
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("the error body has no %s", f))
		case json.Unmarshal(raw, &s) != nil:
			problems = append(problems, fmt.Sprintf("the error body's %s is not a string: %s", f, raw))
		}
	}
	return problems
}

func checkStatics(body []byte) []string {
	obj, err := decode(body)
	if err != nil {
		return []string{fmt.Sprintf("the 200 body is not a JSON object: %v", err)}
	}
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	for k := range obj {
		if k != "statics" {
			add("the 200 body has a field the contract does not: %s", k)
		}
	}
	raw, ok := obj["statics"]
	if !ok {
		return append(problems, "the 200 body has no statics")
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || items == nil {
		return append(problems, fmt.Sprintf("statics is not an array of objects: %.80s", raw))
	}
	for i, item := range items {
		where := fmt.Sprintf("statics[%d]", i)
		var name string
		if json.Unmarshal(item["static_name"], &name) != nil {
			add("%s: static_name is missing or not a string", where)
		} else {
			where = fmt.Sprintf("statics[%d] (%s)", i, name)
		}
		for k := range item {
			if k != "static_name" && !slices.Contains(counterNames, k) {
				add("%s: a field the contract does not have: %s", where, k)
			}
		}
		c := map[string]int64{}
		complete := true
		for _, f := range counterNames {
			v, present := item[f]
			if !present {
				add("%s: %s is missing", where, f)
				complete = false
				continue
			}
			var n float64
			if err := json.Unmarshal(v, &n); err != nil || n != math.Trunc(n) || bytes.ContainsAny(v, ".eE") {
				add("%s: %s is not an integer: %s", where, f, v)
				complete = false
				continue
			}
			if n < 0 || n > math.MaxInt32 {
				add("%s: %s = %s is outside 0..2147483647 (int32)", where, f, v)
			}
			c[f] = int64(n)
		}
		if complete {
			problems = append(problems, relations(where, c)...)
		}
	}
	return problems
}

// relations checks the counter relations of the wire contract.
func relations(where string, c map[string]int64) []string {
	var problems []string
	power := c["running_num"] + c["stop_num"] + c["hibernate_num"] + c["other_num"]
	assign := c["attached_num"] + c["unattached_num"] + c["cannot_attach_num"] + c["in_process_num"]
	login := c["in_use_num"] + c["ready_num"] + c["disconnected_num"] + c["unregistered_num"] + c["unknown_num"]
	if assign != power || login != power {
		problems = append(problems, fmt.Sprintf("%s: the power (%d), assignment (%d) and login (%d) counters add up to different totals", where, power, assign, login))
	}
	if connected := c["in_use_num"] + c["ready_num"] + c["disconnected_num"]; connected > c["running_num"] {
		problems = append(problems, fmt.Sprintf("%s: %d desktops connected but %d running", where, connected, c["running_num"]))
	}
	if sessions := c["in_use_num"] + c["disconnected_num"]; sessions > c["attached_num"] {
		problems = append(problems, fmt.Sprintf("%s: %d sessions but %d desktops assigned", where, sessions, c["attached_num"]))
	}
	return problems
}

// Drift is one departure from the contract, as GET /_mock/drift lists it.
type Drift struct {
	Time      time.Time `json:"time"`
	RequestID string    `json:"request_id"`
	Status    int       `json:"status"`
	Problem   string    `json:"problem"`
}

// MaxDriftBytes bounds the text the drift log keeps (request ids and
// problems, plus driftOverhead per entry), besides its count of entries:
// the latest entries are kept.
const MaxDriftBytes = 1 << 20

// driftOverhead is what an entry costs besides its strings.
const driftOverhead = 64

// DriftLog keeps the latest drift, at most max entries and MaxDriftBytes.
type DriftLog struct {
	mu      sync.Mutex
	max     int
	bytes   int // of the entries kept
	entries []Drift
}

// NewDriftLog keeps at most max entries.
func NewDriftLog(max int) *DriftLog { return &DriftLog{max: max} }

func (d *Drift) size() int { return len(d.RequestID) + len(d.Problem) + driftOverhead }

// Add records the problems of one answer.
func (l *DriftLog) Add(a *Answer, problems []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now().UTC()
	for _, p := range problems {
		d := Drift{now, a.RequestID, a.Status, p}
		l.entries = append(l.entries, d)
		l.bytes += d.size()
	}
	over := 0
	for n := len(l.entries); over < n && (n-over > l.max || l.bytes > MaxDriftBytes); over++ {
		l.bytes -= l.entries[over].size()
	}
	if over > 0 {
		l.entries = append(l.entries[:0:0], l.entries[over:]...)
	}
}

// List returns the drift, oldest first.
func (l *DriftLog) List() []Drift {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Drift{}, l.entries...)
}

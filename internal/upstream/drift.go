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

var (
	requestIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)
)

// MaxProblems bounds the problems kept of one answer: past it, one more
// says how many others there are ("... and N more problems in this
// answer"). They are counted without being written out, and a 200 body's
// statics are read one at a time, so an answer of a million pools costs
// the memory of one.
const MaxProblems = 20

// problems collects an answer's departures, at most MaxProblems of them.
type problems struct {
	list  []string
	count int
}

func (p *problems) add(format string, args ...any) {
	p.count++
	if len(p.list) < MaxProblems {
		p.list = append(p.list, fmt.Sprintf(format, args...))
	}
}

// full reports that further problems are only counted.
func (p *problems) full() bool { return len(p.list) >= MaxProblems }

func (p *problems) result() []string {
	if more := p.count - len(p.list); more > 0 {
		return append(p.list, fmt.Sprintf("... and %d more problems in this answer", more))
	}
	return p.list
}

// Check lists how an answer departs from the contract (api/openapi.yaml and
// the counter relations of the wire contract); none when it keeps it. At
// most MaxProblems are listed, and a last line counts the others.
func Check(a *Answer) []string { return CheckAs(StatusOperation, a) }

// StatusOperation is the operation whose 200 bodies are checked field by
// field and recorded: connections/status.
const StatusOperation = "ListInstancesStatus"

// CheckAs is Check of an answer to operation: a 200 of another operation
// than connections/status is only checked to be a JSON object (its fields
// are the SDK's, checked by the emulator's own contract tests).
func CheckAs(operation string, a *Answer) []string {
	p := &problems{}
	if !requestIDPattern.MatchString(a.RequestID) {
		p.add("X-Request-Id %q is not 32 lowercase hex characters", a.RequestID)
	}
	if mt, _, err := mime.ParseMediaType(a.ContentType); err != nil || mt != "application/json" {
		p.add("Content-Type %q is not application/json", a.ContentType)
	}
	if a.Status != 200 {
		if _, err := wire.Documented(a.Status); err != nil {
			p.add("status %d is not one the contract documents (200, %v)", a.Status, wire.Statuses())
		}
		checkError(a.Body, p)
	} else if operation == StatusOperation {
		checkStatics(a.Body, p)
	} else if !isObject(a.Body) {
		p.add("the 200 body is not a JSON object")
	}
	return p.result()
}

func isObject(body []byte) bool {
	var obj map[string]json.RawMessage
	return json.Unmarshal(body, &obj) == nil && obj != nil
}

func checkError(body []byte, p *problems) {
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&obj); err != nil || obj == nil {
		if err == nil {
			err = fmt.Errorf("not a JSON object")
		}
		p.add("the error body is not a JSON object: %v", err)
		return
	}
	for _, f := range wire.ErrorFields {
		raw, ok := obj[f]
		var s string
		switch {
		case !ok:
			p.add("the error body has no %s", f)
		case json.Unmarshal(raw, &s) != nil:
			p.add("the error body's %s is not a string: %s", f, raw)
		}
	}
}

// checkStatics reads a 200 body as a stream: one statics element at a time.
func checkStatics(body []byte, p *problems) {
	dec := json.NewDecoder(bytes.NewReader(body))
	notObject := func(err error) { p.add("the 200 body is not a JSON object: %v", err) }
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		if err == nil {
			err = fmt.Errorf("not a JSON object")
		}
		notObject(err)
		return
	}
	hasStatics := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			notObject(err)
			return
		}
		if key, _ := tok.(string); key != "statics" {
			p.add("the 200 body has a field the contract does not: %s", key)
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				notObject(err)
				return
			}
			continue
		}
		hasStatics = true
		if err := checkItems(dec, p); err != nil {
			notObject(err)
			return
		}
	}
	if _, err := dec.Token(); err != nil {
		notObject(err)
		return
	}
	if !hasStatics {
		p.add("the 200 body has no statics")
	}
}

// checkItems checks the statics array the decoder is at, one element at a
// time; an error is a body that is not JSON.
func checkItems(dec *json.Decoder, p *problems) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('[') {
		if d, ok := tok.(json.Delim); ok && d == '{' {
			var skip map[string]json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
		}
		p.add("statics is not an array of objects: %v", tok)
		return nil
	}
	for i := 0; dec.More(); i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		var item map[string]json.RawMessage
		if err := json.Unmarshal(raw, &item); err != nil || item == nil {
			p.add("statics[%d] is not an object: %.80s", i, raw)
			continue
		}
		checkItem(i, item, p)
	}
	_, err = dec.Token() // ]
	return err
}

// checkItem checks one statics element: its fields, its counters, their
// relations.
func checkItem(i int, item map[string]json.RawMessage, p *problems) {
	var name string
	named := json.Unmarshal(item["static_name"], &name) == nil
	where := ""
	switch {
	case p.full(): // past MaxProblems problems are only counted: no text to make
	case named:
		where = fmt.Sprintf("statics[%d] (%s)", i, cut(name, 80))
	default:
		where = fmt.Sprintf("statics[%d]", i)
	}
	if !named {
		p.add("%s: static_name is missing or not a string", where)
	}
	for k := range item {
		if k != "static_name" && !slices.Contains(wire.CounterNames[:], k) {
			p.add("%s: a field the contract does not have: %s", where, k)
		}
	}
	var c [wire.NumCounters]int64
	complete := true
	for j, f := range wire.CounterNames {
		v, present := item[f]
		if !present {
			p.add("%s: %s is missing", where, f)
			complete = false
			continue
		}
		var n float64
		if err := json.Unmarshal(v, &n); err != nil || n != math.Trunc(n) || bytes.ContainsAny(v, ".eE") {
			p.add("%s: %s is not an integer: %s", where, f, v)
			complete = false
			continue
		}
		if n < 0 || n > math.MaxInt32 {
			p.add("%s: %s = %s is outside 0..2147483647 (int32)", where, f, v)
		}
		c[j] = int64(n)
	}
	if complete {
		for _, problem := range wire.CounterRelations(where, &c) {
			p.add("%s", problem)
		}
	}
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

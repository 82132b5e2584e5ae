package upstream

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/brianvoe/gofakeit/v6"

	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// Recorder writes upstream answers as scenario files that the emulator
// replays: one file per distinct answer, named after itself, written
// atomically. Pool names become stable fake names unless RealNames; no
// project id, request id, AK, SK, token or Authorization is ever written.
type Recorder struct {
	Dir       string
	RealNames bool
	Source    string // the upstream host, for the description
	MaxFiles  int    // recordings (recorded-*.yaml) the folder may hold; 0: DefaultMaxFiles

	mu      sync.Mutex
	last    map[int]string   // by status: the name of the last file written
	lastRaw map[int][32]byte // by status: the answer (and secrets) that file was made from
	once    sync.Once
	files   int  // recordings in the folder
	full    bool // the bound was met, and said once
	removed int  // stale temporary files removed at start
}

// DefaultMaxFiles bounds the recordings a --record folder holds, those
// there before start-up included: an upstream whose answers all differ
// would otherwise fill the disk. Past it nothing more is written, and the
// log says so once.
const DefaultMaxFiles = 1000

// StaleTemp is how old a temporary file of the recorder's own naming
// (.recording-*.tmp) must be for Start to remove it: one left by a
// recording killed mid-write. A younger one may be another process's
// write in progress, and is left.
const StaleTemp = 10 * time.Minute

// Start prepares the folder, once: it removes the stale temporary files of
// interrupted recordings and counts the recordings already there. It
// returns how many files it removed. Record starts the recorder itself if
// need be.
func (r *Recorder) Start() int {
	r.once.Do(func() {
		entries, err := os.ReadDir(r.Dir)
		if err != nil {
			return // writing will say what is wrong
		}
		for _, e := range entries {
			name := e.Name()
			switch {
			case strings.HasPrefix(name, ".recording-") && strings.HasSuffix(name, ".tmp"):
				if info, err := e.Info(); err == nil && info.Mode().IsRegular() && time.Since(info.ModTime()) > StaleTemp &&
					os.Remove(filepath.Join(r.Dir, name)) == nil {
					r.removed++
				}
			case strings.HasPrefix(name, "recorded-") && strings.HasSuffix(name, ".yaml"):
				r.files++
			}
		}
	})
	return r.removed
}

func (r *Recorder) maxFiles() int {
	if r.MaxFiles > 0 {
		return r.MaxFiles
	}
	return DefaultMaxFiles
}

// Record writes a, unless it is the answer last recorded for its status.
// secrets are strings of the request that must not appear in the file (the
// project id, the credentials). It returns the file written, or "".
func (r *Recorder) Record(a *Answer, secrets []string) (string, error) {
	file, _, err := r.record(a, secrets)
	return file, err
}

// record is Record that also says why an answer was not written (past the
// folder's bound, once): what the
// emulator cannot replay faithfully (an undocumented status, counters
// outside int32, a body that is not the contract's), and what `mockserver
// validate` would refuse (a file over fixtures.MaxFileBytes, anything
// fixtures.ParseFile finds wrong). skipped is "" when a file was written or
// the answer is the one last recorded. One recording is made at a time: an
// answer of MaxBody costs its decoding once, not once per request.
func (r *Recorder) record(a *Answer, secrets []string) (file, skipped string, err error) {
	r.Start()
	r.mu.Lock()
	defer r.mu.Unlock()
	raw := rawSum(a, secrets)
	if r.lastRaw[a.Status] == raw {
		return "", "", nil // the same bytes make the same file: not decoded again
	}
	body, skipped := r.scenarioBody(a, secrets)
	if skipped != "" {
		return "", skipped, nil
	}
	sum := sha256.Sum256([]byte(body))
	name := fmt.Sprintf("recorded-%d-%s", a.Status, hex.EncodeToString(sum[:4]))
	if r.last[a.Status] == name {
		r.lastRaw[a.Status] = raw
		return "", "", nil
	}
	text := fmt.Sprintf("# Recorded from %s by mockserver --record. Serve it with --scenarios %s --scenario %s\nname: %s\ndescription: %s\n%s",
		r.Source, r.Dir, name, name, quote(fmt.Sprintf("The %d answer %s gave on %s.", a.Status, r.Source, time.Now().UTC().Format(time.RFC3339))), body)
	file = filepath.Join(r.Dir, name+".yaml")
	_, statErr := os.Lstat(file)
	added := errors.Is(statErr, fs.ErrNotExist)
	if added && r.files >= r.maxFiles() {
		if r.full {
			return "", "", nil // said once
		}
		r.full = true
		return "", fmt.Sprintf("the folder holds %d recordings, its bound: no more are written (the bound is said once)", r.files), nil
	}
	if len(text) > fixtures.MaxFileBytes {
		return "", fmt.Sprintf("the scenario file would have %d bytes; the loader reads at most %d (mockserver validate would refuse it)", len(text), fixtures.MaxFileBytes), nil
	}
	if _, problems := fixtures.ParseFile(file, []byte(text)); problems != nil {
		return "", fmt.Sprintf("mockserver validate would refuse the scenario file: %s", cut(problems[0].String(), MaxProblem)), nil
	}
	if err := writeAtomically(file, []byte(text)); err != nil {
		return "", "", err
	}
	if added {
		r.files++
	}
	if r.last == nil {
		r.last, r.lastRaw = map[int]string{}, map[int][32]byte{}
	}
	r.last[a.Status], r.lastRaw[a.Status] = name, raw
	return file, "", nil
}

// rawSum identifies an answer as the recorder got it: its body and the
// secrets scrubbed from it, which together make the file.
func rawSum(a *Answer, secrets []string) [32]byte {
	h := sha256.New()
	h.Write(a.Body)
	for _, s := range secrets {
		h.Write([]byte{0})
		h.Write([]byte(s))
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// writeAtomically writes a temporary file beside file and renames it over
// file: a crash leaves the old file or the new one, never half of one.
func writeAtomically(file string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(file), ".recording-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}

// scenarioBody is the answer part of the scenario file, or why the answer
// cannot be replayed faithfully (an undocumented status, counters outside
// int32, a body that is not the contract's).
func (r *Recorder) scenarioBody(a *Answer, secrets []string) (body, skipped string) {
	if a.Status != 200 {
		return r.errorBody(a, secrets)
	}
	var answer struct {
		Statics []map[string]json.RawMessage `json:"statics"`
	}
	if err := json.Unmarshal(a.Body, &answer); err != nil || answer.Statics == nil {
		return "", "the 200 body has no statics list that the emulator can replay"
	}
	if n := len(answer.Statics); n > fixtures.MaxGroupsPerFile {
		return "", fmt.Sprintf("%d pools; a scenario file may have at most %d (mockserver validate would refuse it)", n, fixtures.MaxGroupsPerFile)
	}
	var b strings.Builder
	if len(answer.Statics) == 0 {
		return "statics: []\n", ""
	}
	b.WriteString("statics:\n")
	fakes := fakeNames{}
	for _, item := range answer.Statics {
		var name string
		json.Unmarshal(item["static_name"], &name)
		if !r.RealNames {
			name = fakes.of(name)
		}
		fmt.Fprintf(&b, "  - static_name: %s\n", quote(scrub(name, secrets)))
		for _, f := range wire.CounterNames {
			var n float64
			if err := json.Unmarshal(item[f], &n); err != nil {
				continue // missing: replayed as 0
			}
			if n < 0 || n > math.MaxInt32 || n != math.Trunc(n) {
				return "", fmt.Sprintf("a counter (%s) is not an int32 the emulator can replay", f)
			}
			fmt.Fprintf(&b, "    %s: %d\n", f, int64(n))
		}
	}
	return b.String(), ""
}

func (r *Recorder) errorBody(a *Answer, secrets []string) (body, skipped string) {
	if _, err := wire.Documented(a.Status); err != nil {
		return "", fmt.Sprintf("status %d is not one the contract documents", a.Status)
	}
	var fields map[string]json.RawMessage
	json.Unmarshal(a.Body, &fields)
	var b strings.Builder
	fmt.Fprintf(&b, "error:\n  status: %d\n", a.Status)
	for _, f := range wire.ErrorFields {
		var s string
		if json.Unmarshal(fields[f], &s) == nil {
			fmt.Fprintf(&b, "  %s: %s\n", f, quote(scrub(s, secrets)))
		}
	}
	return b.String(), ""
}

// scrub removes from s what must never be written: the secrets of the
// request, and anything that looks like a request or project id.
func scrub(s string, secrets []string) string {
	for _, secret := range secrets {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	return maskHex32(s)
}

// maskHex32 replaces each run of 32 hex digits, how a request id (or a
// project id) looks, with ***: the leftmost first, as the regular
// expression [0-9a-fA-F]{32} would, at the cost of one pass.
func maskHex32(s string) string {
	var b strings.Builder
	done, run := 0, 0 // s[:done] is in b; run hex digits end at i
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			run = 0
			continue
		}
		if run++; run == 32 {
			if b.Len() == 0 {
				b.Grow(len(s))
			}
			b.WriteString(s[done : i+1-32])
			b.WriteString("***")
			done, run = i+1, 0
		}
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// fakeNames gives the pools of one recording fake names that are unique
// within it: FakeName's, and where two real names share one, the later
// gets a suffix (-2, -3, ...). The same answer gets the same names.
type fakeNames struct {
	byReal map[string]string // real name -> fake name
	used   map[string]bool
}

func (f *fakeNames) of(real string) string {
	if fake, ok := f.byReal[real]; ok {
		return fake
	}
	if f.byReal == nil {
		f.byReal, f.used = map[string]string{}, map[string]bool{}
	}
	base := FakeName(real)
	fake := base
	for i := 2; f.used[fake]; i++ {
		fake = base + "-" + strconv.Itoa(i)
	}
	f.byReal[real], f.used[fake] = fake, true
	return fake
}

// FakeName is a stable stand-in for a pool name: the same real name gives
// the same fake name on every run, and nothing of the real one.
func FakeName(real string) string {
	h := fnv.New64a()
	h.Write([]byte("workspace-mock pool " + real))
	seed := int64(h.Sum64() >> 1)
	if seed == 0 {
		seed = 1
	}
	f := gofakeit.NewUnlocked(seed)
	return strings.ToLower(f.SafeColor()+"-"+f.Animal()) + "-pool-" + strconv.Itoa(10+f.Number(0, 89))
}

// quote writes s as a YAML double-quoted scalar that reads back as the
// same string whatever it holds. YAML allows fewer characters raw than JSON
// does (not DEL, the C1 controls, U+FFFE or U+FFFF), so each character
// outside YAML's printable set is written as an escape, as are the line
// breaks; bytes that are not UTF-8 become U+FFFD, as JSON's would. A
// numeric escape ends in hex digits: a hex digit right after one is escaped
// too, so the file never holds a run of hex digits the string did not
// (scrub has masked those that look like request ids).
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	numeric := false // the last thing written was a numeric escape
	for _, r := range s {
		if named, ok := yamlEscapes[r]; ok {
			b.WriteString(named)
			numeric = false
			continue
		}
		switch {
		case yamlPrintable(r) && !(numeric && isHexRune(r)):
			b.WriteRune(r)
			numeric = false
			continue
		case r <= 0xFF:
			fmt.Fprintf(&b, `\x%02X`, r)
		case r <= 0xFFFF:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			fmt.Fprintf(&b, `\U%08X`, r)
		}
		numeric = true
	}
	b.WriteByte('"')
	return b.String()
}

// yamlEscapes are the characters quote writes as YAML's named escapes:
// the quote and backslash, and the controls and line breaks that have one.
var yamlEscapes = map[rune]string{
	'"': `\"`, '\\': `\\`, 0: `\0`, '\a': `\a`, '\b': `\b`, '\t': `\t`, '\n': `\n`, '\v': `\v`,
	'\f': `\f`, '\r': `\r`, 0x1B: `\e`, 0x85: `\N`, 0x2028: `\L`, 0x2029: `\P`,
}

func isHexRune(r rune) bool { return r < 0x80 && isHex(byte(r)) }

// yamlPrintable reports whether YAML 1.2 lets r stand raw in a stream
// (its production c-printable).
func yamlPrintable(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r' || r == 0x85:
		return true
	case r < 0x20 || r == 0x7F:
		return false
	case r < 0x7F:
		return true
	case r < 0xA0:
		return false
	}
	return r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

package main

// Docs that cannot rot: the shell examples of README.md and docs/*.md run
// here against a real emulator, and the flag table matches --help.
//
// The convention, written once for the docs' authors in docs/README.md
// ("Writing these pages"): every ```sh block is preceded by one of
//
//	<!-- run -->          the block runs (bash, set -euo pipefail) in a temp
//	                      folder, against an emulator started for it
//	<!-- norun: why -->   it does not (Docker, the SDK, a cloud account, ...)
//
// In a run block, localhost:8080 is the emulator's address, `mockserver` on
// PATH is this program, and a line `mockserver FLAGS &` (perhaps followed by
// `sleep N`, for a reader pasting it) is not run: it says which flags the
// block's emulator starts with (default: none). A block
// preceded by <!-- output --> right after a run block is what that block
// prints (stdout and stderr), compared after the emulator's address is
// written back as localhost:8080; `...` in it stands for any text (request
// ids, times, latencies, data).

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// asMockserver makes this test binary the mockserver command of the run
// blocks (PATH holds a script that execs it with this variable set), so they
// need no separate build.
const asMockserver = "MOCKSERVER_DOCS_AS_COMMAND"

func TestMain(m *testing.M) {
	if os.Getenv(asMockserver) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// docBlock is one fenced block of a page, with the marker before it.
type docBlock struct {
	file   string
	line   int    // of the opening fence
	lang   string // after the fence: sh, json, text, ...
	marker string // run, norun, output, or ""
	body   string
}

var markerRE = regexp.MustCompile(`^<!--\s*(run|norun|output)\b(:[^>]*)?\s*-->\s*$`)

// docBlocks reads the fenced blocks of a markdown file; a marker counts when
// it is the last non-blank line before the fence.
func docBlocks(t *testing.T, file string) []docBlock {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []docBlock
	var cur *docBlock
	marker := ""
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur != nil && strings.TrimSpace(line) == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.body += line + "\n"
		case strings.HasPrefix(line, "```"):
			cur = &docBlock{file: file, line: n, lang: strings.TrimSpace(strings.TrimPrefix(line, "```")), marker: marker}
			marker = ""
		case markerRE.MatchString(line):
			marker = markerRE.FindStringSubmatch(line)[1]
		case strings.TrimSpace(line) != "":
			marker = ""
		}
	}
	if cur != nil {
		t.Fatalf("%s:%d: a fenced block that never closes", file, cur.line)
	}
	return blocks
}

// docFiles are the pages whose examples are checked.
func docFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../../docs/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no docs/*.md: %v", err)
	}
	return append([]string{"../../README.md"}, files...)
}

func TestEveryShellExampleIsMarkedRunOrNorun(t *testing.T) {
	for _, f := range docFiles(t) {
		blocks := docBlocks(t, f)
		for i, b := range blocks {
			if b.lang == "sh" && b.marker != "run" && b.marker != "norun" {
				t.Errorf("%s:%d: a ```sh block needs <!-- run --> or <!-- norun: why --> before it (see docs/README.md)", b.file, b.line)
			}
			if b.marker == "output" && (i == 0 || blocks[i-1].marker != "run") {
				t.Errorf("%s:%d: <!-- output --> must follow a <!-- run --> block", b.file, b.line)
			}
			if (b.marker == "run" || b.marker == "norun") && b.lang != "sh" {
				t.Errorf("%s:%d: <!-- %s --> marks ```sh blocks only, not ```%s", b.file, b.line, b.marker, b.lang)
			}
		}
	}
}

// startLine is a run block's `mockserver FLAGS &`: the flags of its emulator.
var startLine = regexp.MustCompile(`(?m)^mockserver((?: +[^ &|;]+)*) *&(?: *sleep [0-9.]+)?[ \t]*(#.*)?$\n?`)

func TestShellExamplesRunAsDocumented(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("the examples use curl, which is not installed")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	script := fmt.Sprintf("#!/bin/sh\n%s=1 exec %q \"$@\"\n", asMockserver, self)
	if err := os.WriteFile(filepath.Join(bin, "mockserver"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, f := range docFiles(t) {
		blocks := docBlocks(t, f)
		for i, b := range blocks {
			if b.marker != "run" {
				continue
			}
			var want *docBlock
			if i+1 < len(blocks) && blocks[i+1].marker == "output" {
				want = &blocks[i+1]
			}
			ran++
			name := fmt.Sprintf("%s:%d", strings.TrimPrefix(b.file, "../../"), b.line)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				runDocBlock(t, bash, bin, b, want)
			})
		}
	}
	if ran < 8 {
		t.Errorf("only %d runnable examples in README.md and docs/: the markers are lost?", ran)
	}
}

func runDocBlock(t *testing.T, bash, bin string, b docBlock, want *docBlock) {
	body := b.body
	var args []string
	if m := startLine.FindStringSubmatch(body); m != nil {
		args = strings.Fields(m[1])
		body = startLine.ReplaceAllString(body, "")
	}
	url, _, _ := startRun(t, args, nil)
	addr := strings.TrimPrefix(url, "http://")
	body = strings.ReplaceAll(body, "localhost:8080", addr)

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bash, "-c", "set -euo pipefail\n"+body)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	got := strings.ReplaceAll(string(out), addr, "localhost:8080")
	if err != nil {
		t.Fatalf("%s:%d: the example failed: %v\n%s\n--- it printed:\n%s", b.file, b.line, err, b.body, got)
	}
	if want != nil {
		if msg := compareOutput(want.body, got); msg != "" {
			t.Errorf("%s:%d: the output shown does not match what the example printed (%s)\n--- shown:\n%s--- printed:\n%s", want.file, want.line, msg, want.body, got)
		}
	}
}

// compareOutput matches what an example printed against the page's output
// block: line ends and trailing blanks ignored; `...` in a line stands for any
// text within that line, and a line of only `...` for any number of lines.
func compareOutput(want, got string) string {
	norm := func(s string) []string {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
		for i, l := range lines {
			lines[i] = strings.TrimRight(l, " \t")
		}
		return lines
	}
	wl, gl := norm(want), norm(got)
	var re strings.Builder
	re.WriteString(`\A`)
	for _, l := range wl {
		if l == "..." {
			re.WriteString(`(?:[^\n]*\n)*?`)
			continue
		}
		parts := strings.Split(l, "...")
		for i, p := range parts {
			parts[i] = regexp.QuoteMeta(p)
		}
		re.WriteString(strings.Join(parts, `[^\n]*?`) + `\n`)
	}
	re.WriteString(`\z`)
	if regexp.MustCompile(re.String()).MatchString(strings.Join(gl, "\n") + "\n") {
		return ""
	}
	// Name the first line that differs, for a readable failure.
	for i := range min(len(wl), len(gl)) {
		if wl[i] == "..." {
			break
		}
		if ok, _ := regexp.MatchString(`\A`+strings.ReplaceAll(regexp.QuoteMeta(wl[i]), `\.\.\.`, `.*`)+`\z`, gl[i]); !ok {
			return fmt.Sprintf("line %d: shown %q, printed %q", i+1, wl[i], gl[i])
		}
	}
	return fmt.Sprintf("%d lines shown, %d printed", len(wl), len(gl))
}

func TestCompareOutputWildcards(t *testing.T) {
	cases := []struct {
		want, got string
		ok        bool
	}{
		{"a\nb\n", "a\r\nb  \n", true},
		{`{"id":"..."}`, `{"id":"4aaf6118c1a84099b0b4a8ff1f98d7f2"}`, true},
		{"HTTP/1.1 200 OK\n...\n{...}", "HTTP/1.1 200 OK\nDate: x\nX: y\n{\"a\":1}", true},
		{"500\n500\n200", "500\n200\n200", false},
		{"a", "ab", false},
		{"x\n...\nz", "x\nz", true},
		{"x\n...", "x\ny\nw", true},
		{`"a":...,"s":2`, "\"a\":1,\"s\":1\n\"a\":1,\"s\":2", false},
	}
	for _, c := range cases {
		if msg := compareOutput(c.want, c.got); (msg == "") != c.ok {
			t.Errorf("compareOutput(%q, %q) = %q, want ok=%v", c.want, c.got, msg, c.ok)
		}
	}
}

// flagRowRE finds the flags a row of docs/flags.md's table names: its first
// cell may name several (`--ak`, `--sk`), and the second their twins.
var flagRowRE = regexp.MustCompile("`--([a-z-]+)`")

func TestFlagTableMatchesHelp(t *testing.T) {
	var help strings.Builder
	if err := run(context.Background(), []string{"--help"}, env(nil), &help, io.Discard); err != nil && err.Error() != "" {
		t.Fatal(err)
	}
	inHelp := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^  --([a-z-]+) `).FindAllStringSubmatch(help.String(), -1) {
		inHelp[m[1]] = true
	}
	if len(inHelp) < 20 {
		t.Fatalf("read only %d flags from --help:\n%s", len(inHelp), help.String())
	}
	data, err := os.ReadFile("../../docs/flags.md")
	if err != nil {
		t.Fatal(err)
	}
	defaults := map[string]string{}
	newFlagSet("x", &config{}).VisitAll(func(f *flag.Flag) { defaults[f.Name] = f.DefValue })
	inTable := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 5 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`--") {
			continue
		}
		names := flagRowRE.FindAllStringSubmatch(cells[1], -1)
		twins := regexp.MustCompile("`(MOCK_[A-Z_]+)`").FindAllStringSubmatch(cells[2], -1)
		if len(twins) != len(names) {
			t.Errorf("docs/flags.md: %q names %d flags and %d MOCK_ twins", strings.TrimSpace(line), len(names), len(twins))
			continue
		}
		for i, n := range names {
			name := n[1]
			inTable[name] = true
			if twins[i][1] != envName(name) {
				t.Errorf("docs/flags.md: --%s's twin is %s, not %s", name, envName(name), twins[i][1])
			}
			if def, ok := defaults[name]; ok && def != "" && !sameDefault(def, cells[3]) {
				t.Errorf("docs/flags.md: --%s's default is %q (--help), the table says %s", name, def, strings.TrimSpace(cells[3]))
			}
		}
	}
	for name := range inHelp {
		if !inTable[name] {
			t.Errorf("--%s is in mockserver --help but not in docs/flags.md's table", name)
		}
	}
	for name := range inTable {
		if !inHelp[name] {
			t.Errorf("docs/flags.md's table has --%s, which mockserver --help does not list", name)
		}
	}
}

// sameDefault: the table's default cell starts with the flag's default, in
// backticks; durations compare by value (120s is 2m0s).
func sameDefault(def, cell string) bool {
	m := regexp.MustCompile("^\\s*`([^`]*)`").FindStringSubmatch(cell)
	if m == nil {
		return false
	}
	if m[1] == def {
		return true
	}
	a, errA := time.ParseDuration(def)
	b, errB := time.ParseDuration(m[1])
	return errA == nil && errB == nil && a == b
}

// TestDocLinksResolve: every relative link of README.md and docs/ names a
// file of the repository, and every #anchor a heading of its page.
func TestDocLinksResolve(t *testing.T) {
	linkRE := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	for _, f := range docFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range linkRE.FindAllStringSubmatch(string(data), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path, anchor, _ := strings.Cut(target, "#")
			file := f
			if path != "" {
				file = filepath.Join(filepath.Dir(f), path)
				if _, err := os.Stat(file); err != nil {
					t.Errorf("%s: link to %s: no such file", f, target)
					continue
				}
			}
			if anchor != "" && strings.HasSuffix(file, ".md") && !hasAnchor(t, file, anchor) {
				t.Errorf("%s: link to %s: no heading with that anchor", f, target)
			}
		}
	}
}

// hasAnchor reports whether a heading of file gets anchor, as GitHub makes
// them: lower case, punctuation dropped, spaces to hyphens.
func hasAnchor(t *testing.T, file, anchor string) bool {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	drop := regexp.MustCompile(`[^\p{L}\p{N} _-]`)
	for _, line := range strings.Split(string(data), "\n") {
		if h, ok := strings.CutPrefix(strings.TrimLeft(line, "#"), " "); ok && strings.HasPrefix(line, "#") {
			a := strings.ReplaceAll(drop.ReplaceAllString(strings.ToLower(strings.TrimSpace(h)), ""), " ", "-")
			if a == anchor {
				return true
			}
		}
	}
	return false
}

func TestReadmeIsAFrontDoor(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > 15<<10 {
		t.Errorf("README.md is %d bytes: keep it under 15 KB and move detail to docs/", len(data))
	}
	for _, cmd := range []string{"go run ./cmd/mockserver", "go test -race ./..."} {
		if i := strings.Index(string(data), cmd); i < 0 || i > 1500 {
			t.Errorf("README.md must show %q near the top", cmd)
		}
	}
}

// TestScenarioExamplesValidate: a ```yaml block of the docs that is a
// scenario file (a top-level name: key) passes `mockserver validate`, as a
// reader who pastes it into a file would find.
func TestScenarioExamplesValidate(t *testing.T) {
	nameRE := regexp.MustCompile(`(?m)^name: ([a-z0-9-]+)\s*(#.*)?$`)
	n := 0
	for _, f := range docFiles(t) {
		for _, b := range docBlocks(t, f) {
			m := nameRE.FindStringSubmatch(b.body)
			if b.lang != "yaml" || m == nil {
				continue
			}
			n++
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, m[1]+".yaml"), []byte(b.body), 0o644); err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			if err := run(context.Background(), []string{"validate", dir}, env(nil), io.Discard, &stderr); err != nil {
				t.Errorf("%s:%d: the scenario shown does not validate: %v\n%s", b.file, b.line, err, stderr.String())
			}
		}
	}
	if n < 2 {
		t.Errorf("found %d scenario examples in the docs, want the file format's and the fleet form's at least", n)
	}
}

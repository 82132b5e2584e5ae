// Command bench measures the emulator against a bare net/http server that
// writes the emulator's own answer bytes, on loopback, with wrk:
// throughput, p50/p99 latency, time from exec to first 200, RSS after load.
//
//	go run ./tools/bench              # installs wrk (Debian) if missing; ~2 minutes
//	go run ./tools/bench -rounds 1 -duration 3s
//	go run ./tools/bench -pgo         # re-record cmd/mockserver/default.pgo
//
// It prints a markdown table and writes it to bench-results/latest.md.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

const path = "/v2/0bec5db98280d2d02fd6c00c2de791ce/connections/status"

var (
	rounds      = flag.Int("rounds", 5, "alternating rounds per comparison")
	duration    = flag.Duration("duration", 5*time.Second, "wrk duration of one round")
	connections = flag.Int("c", 32, "wrk connections")
	out         = flag.String("out", "bench-results/latest.md", "where the table is written")
	pgo         = flag.Bool("pgo", false, "instead of measuring, record the CPU profile cmd/mockserver/default.pgo under this load")
	scenarios   = flag.String("scenarios", "default,large,office-day", "scenarios compared with the reference, each chosen by flag and by X-Mock-Scenario")
	all         = flag.Bool("all", false, "compare every shipped scenario whose answer is the same 200 on every request (overrides -scenarios)")
)

// steady are the shipped scenarios whose answer is one 200 body on every
// request (no sequence, failure rate, fresh data, delay or fault), with the
// flags that keep it so: office-outage fails 14:00-14:05 local, so its clock
// stands at 11:00.
var steady = map[string][]string{
	"default": nil, "empty": nil, "max-values": nil, "large": nil, "office-day": nil, "call-centre": nil, "hand-written": nil,
	"office-outage": {"--clock-start", "2026-11-30T11:00:00+08:00", "--clock-speed", "0"},
}

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type result struct {
	rps      float64
	p50, p99 time.Duration
	requests int
}

func run() error {
	if err := ensureWrk(); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "mock-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if *pgo {
		return recordProfile(tmp)
	}
	mockBin, refBin := filepath.Join(tmp, "mockserver"), filepath.Join(tmp, "refserver")
	for bin, pkg := range map[string]string{mockBin: "./cmd/mockserver", refBin: "./tools/bench/refserver"} {
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %v\n%s", pkg, err, b)
		}
	}
	rows := []string{"| measure | emulator | bare net/http | ratio | target |", "|---|---|---|---|---|"}
	add := func(format string, a ...any) { rows = append(rows, fmt.Sprintf(format, a...)) }
	for _, measure := range []func() error{
		func() error { return scenarioRows(mockBin, refBin, tmp, add) },
		func() error { return proxyRows(mockBin, add) },
		func() error { return fleetRows(mockBin, tmp, add) },
		func() error { return desktopRows(mockBin, refBin, tmp, add) },
		func() error { return freshRow(mockBin, add) },
	} {
		if err := measure(); err != nil {
			return err
		}
	}
	host, _ := os.Hostname()
	header := fmt.Sprintf("Measured %s on %s (%d cores, %s), loopback, `wrk -t1 -c%d -d%s`, %d alternating rounds (medians; ratio = median of paired rounds); release build, default flags.\n\n",
		time.Now().UTC().Format("2006-01-02"), host, runtime.NumCPU(), cpuModel(), *connections, *duration, *rounds)
	table := header + strings.Join(rows, "\n") + "\n"
	fmt.Print(table)
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err == nil {
		os.WriteFile(*out, []byte(table), 0o644)
	}
	return nil
}

// scenarioRows compares each scenario chosen (by flag and by header) with
// the reference, then the time from exec to the first 200 of both.
func scenarioRows(mockBin, refBin, tmp string, add func(string, ...any)) error {
	mockStart, err := medianStart(mockBin, func(addr string) []string { return []string{"--addr", addr} })
	if err != nil {
		return err
	}
	list := strings.Split(*scenarios, ",")
	if *all {
		list = slices.Sorted(maps.Keys(steady))
	}
	var body string // an answer of the emulator's own, for the reference's start
	for _, sc := range list {
		for _, byHeader := range []bool{false, true} {
			if body, err = compare(sc, byHeader, mockBin, refBin, tmp, add); err != nil {
				return err
			}
		}
	}
	refStart, err := medianStart(refBin, func(addr string) []string { return []string{"-addr", addr, "-body", body} })
	if err != nil {
		return err
	}
	add("| exec to first 200 (median of 7) | %s | %s | | ≤ 50 ms |", mockStart.Round(100*time.Microsecond), refStart.Round(100*time.Microsecond))
	return nil
}

func proxyRows(mockBin string, add func(string, ...any)) error {
	direct, proxied, err := proxyOverhead(mockBin)
	if err != nil {
		return err
	}
	add("| p50 latency of one call through `--upstream` (one connection; the emulator as upstream) | %s | %s direct | +%s | ≤ +1 ms |", proxied.p50, direct.p50, (proxied.p50 - direct.p50).Round(time.Microsecond))
	add("| calls through `--upstream` on one connection (req/s) | %.0f | %.0f direct | %.2f× | reported |", proxied.rps, direct.rps, proxied.rps/direct.rps)
	return nil
}

func fleetRows(mockBin, tmp string, add func(string, ...any)) error {
	perInstant, rss, err := bigFleet(mockBin, tmp)
	if err != nil {
		return err
	}
	add("| fleet of 100,000 desktops: one new instant computed and answered (mean of 50) | %s | | | ≤ 20 ms |", perInstant.Round(10*time.Microsecond))
	add("| RSS serving that fleet | %.1f MB | | | ≤ 64 MB |", float64(rss)/1024)
	return nil
}

func freshRow(mockBin string, add func(string, ...any)) error {
	fresh, err := start(mockBin, "--addr", freeAddr(), "--scenario", "fresh")
	if err != nil {
		return err
	}
	f, err := wrk(fresh.url)
	fresh.stop()
	if err != nil {
		return err
	}
	add("| throughput, `fresh` (new data per request) | %.0f req/s | | | reported |", f.rps)
	return nil
}

// proxyOverhead calls an emulator directly and through a second one started
// with --upstream pointing at it, one connection at a time (the time the
// proxy adds to one call, not to a queue), in alternating rounds: the medians.
func proxyOverhead(bin string) (direct, proxied result, err error) {
	up, err := start(bin, "--addr", freeAddr())
	if err != nil {
		return direct, proxied, err
	}
	defer up.stop()
	upBase := strings.TrimSuffix(up.url, path)
	px, err := start(bin, "--addr", freeAddr(), "--upstream", upBase, "--upstream-ak", "BENCHAK", "--upstream-sk", "bench-sk")
	if err != nil {
		return direct, proxied, err
	}
	defer px.stop()
	var ds, ps []result
	for i := 0; i < 3; i++ {
		d, err := wrkC(up.url, 1)
		if err != nil {
			return direct, proxied, err
		}
		p, err := wrkC(px.url, 1)
		if err != nil {
			return direct, proxied, err
		}
		ds, ps = append(ds, d), append(ps, p)
		fmt.Fprintf(os.Stderr, "proxy round %d: direct p50 %s, through the proxy %s\n", i+1, d.p50, p.p50)
	}
	return median(ds), median(ps), nil
}

// compare loads the emulator serving scenario sc and the bare server
// writing the same bytes in alternating rounds, and adds their rows; it
// returns the file of the answer's bytes.
func compare(sc string, byHeader bool, mockBin, refBin, tmp string, add func(string, ...any)) (string, error) {
	args := append([]string{"--addr", freeAddr()}, steady[sc]...)
	var hdr []string
	label := "`" + sc + "`"
	if byHeader {
		hdr = []string{"-H", "X-Mock-Scenario: " + sc}
		label += " by `X-Mock-Scenario`"
	} else {
		args = append(args, "--scenario", sc)
	}
	return compareAt(label, "", args, hdr, mockBin, refBin, tmp, add)
}

// compareAt loads the emulator started with args at suffix (appended to its
// connections/status URL's project path when it starts with "/": another
// operation) against the bare server writing the same bytes.
func compareAt(label, suffix string, args, hdr []string, mockBin, refBin, tmp string, add func(string, ...any)) (string, error) {
	sc := strings.Trim(strings.NewReplacer("`", "", " ", "-", "/", "-").Replace(label), "-")
	mock, err := start(mockBin, args...)
	if err != nil {
		return "", err
	}
	defer mock.stop()
	if suffix != "" {
		mock.url = strings.TrimSuffix(mock.url, "/connections/status") + suffix
	}
	b, err := fetch(mock.url, hdr...)
	if err != nil {
		return "", err
	}
	bodyFile := filepath.Join(tmp, sc+".json")
	if err := os.WriteFile(bodyFile, b, 0o644); err != nil {
		return "", err
	}
	ref, err := start(refBin, "-addr", freeAddr(), "-body", bodyFile)
	if err != nil {
		return "", err
	}
	defer ref.stop()
	mr, rr, rssEarly, err := alternate(label, mock, ref, hdr)
	if err != nil {
		return "", err
	}
	// Rounds alternate, so each emulator round has a reference round run
	// next to it under the same machine load: the ratio is the median of
	// those paired ratios, the figures the medians of each side.
	ratios := make([]float64, len(mr))
	for i := range mr {
		ratios[i] = mr[i].rps / rr[i].rps
	}
	m, r := median(mr), median(rr)
	target := "≥ 0.85"
	add("| throughput, %s (req/s) | %.0f | %.0f | %.2f× (rounds %.2f–%.2f) | %s |", label, m.rps, r.rps, medianOf(ratios), slices.Min(ratios), slices.Max(ratios), target)
	if label == "`default`" {
		add("| p50 latency, `default` | %s | %s | %.2f× | |", m.p50, r.p50, float64(m.p50)/float64(r.p50))
		add("| p99 latency, `default` | %s | %s | %.2f× | ≤ 1.3 |", m.p99, r.p99, float64(m.p99)/float64(r.p99))
		total := 0
		for _, x := range mr {
			total += x.requests
		}
		add("| RSS after %s requests (after the first round) | %.1f MB (%.1f MB) | %.1f MB | | ≤ 30 MB, flat |",
			human(total), float64(rssKB(mock.cmd.Process.Pid))/1024, float64(rssEarly)/1024, float64(rssKB(ref.cmd.Process.Pid))/1024)
	}
	return bodyFile, nil
}

// bigFleet serves a fleet of 100,000 desktops (10 pools) and asks for 50
// instants it has not computed (X-Mock-Time), one at a time: the mean time
// per answer, and the server's RSS after.
func bigFleet(bin, tmp string) (time.Duration, int, error) {
	dir := filepath.Join(tmp, "bigfleet")
	var pools strings.Builder
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&pools, "    - {name: pool-%d, desktops: 10000}\n", i)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, 0, err
	}
	if err := os.WriteFile(filepath.Join(dir, "big.yaml"), []byte("name: big\nfleet:\n  time_zone: Asia/Shanghai\n  pools:\n"+pools.String()), 0o644); err != nil {
		return 0, 0, err
	}
	p, err := start(bin, "--addr", freeAddr(), "--scenarios", dir, "--scenario", "big")
	if err != nil {
		return 0, 0, err
	}
	defer p.stop()
	t0 := time.Now()
	const n = 50
	base := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		if _, err := fetch(p.url, "-H", "X-Mock-Time: "+base.Add(time.Duration(i)*time.Minute).Format(time.RFC3339)); err != nil {
			return 0, 0, err
		}
	}
	return time.Since(t0) / n, rssKB(p.cmd.Process.Pid), nil
}

// journalLatency is the mean latency the server journaled for the requests
// whose path ends in suffix: from the request's arrival to its answer
// written, without the client's side of the transfer.
func journalLatency(base, suffix string) (time.Duration, error) {
	b, err := fetch(base[:strings.Index(base, "/v2/")] + "/_mock/requests")
	if err != nil {
		return 0, err
	}
	var j struct {
		Requests []struct {
			Path      string  `json:"path"`
			LatencyMS float64 `json:"latency_ms"`
		} `json:"requests"`
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return 0, err
	}
	var sum float64
	n := 0
	for _, r := range j.Requests {
		if strings.HasSuffix(r.Path, suffix) {
			sum, n = sum+r.LatencyMS, n+1
		}
	}
	if n == 0 {
		return 0, fmt.Errorf("the journal holds no request for %s", suffix)
	}
	return time.Duration(sum / float64(n) * float64(time.Millisecond)), nil
}

// desktopRows measures the desktop views of the 100,000-desktop fleet
// bigFleet wrote: a page of 500 desktops served (the same instant: answered
// from memory) against the same bytes; one page computed at new instants; a
// day of login records paged through, and the RSS after.
func desktopRows(mockBin, refBin, tmp string, add func(string, ...any)) error {
	dir := filepath.Join(tmp, "bigfleet")
	frozen := []string{"--addr", freeAddr(), "--scenarios", dir, "--scenario", "big", "--clock-start", "2026-11-30T10:30:00+08:00", "--clock-speed", "0"}
	page := "/desktops/detail?limit=500&offset=50000"
	if _, err := compareAt("a page of 500 desktops of 100,000 (`desktops/detail`, one instant)", page, frozen, nil, mockBin, refBin, tmp, add); err != nil {
		return err
	}
	p, err := start(mockBin, "--addr", freeAddr(), "--scenarios", dir, "--scenario", "big")
	if err != nil {
		return err
	}
	defer p.stop()
	base := strings.TrimSuffix(p.url, "/connections/status")
	t0 := time.Now()
	const n = 30
	at := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		if _, err := fetch(base+page, "-H", "X-Mock-Time: "+at.Add(time.Duration(i)*time.Minute).Format(time.RFC3339)); err != nil {
			return err
		}
	}
	overHTTP := (time.Since(t0) / n).Round(10 * time.Microsecond)
	served, err := journalLatency(base, "/desktops/detail")
	if err != nil {
		return err
	}
	add("| a page of 500 desktops of 100,000 computed at a new instant and written (mean of %d, the server's own latency from its journal) | %s | | | ≤ 5 ms |", n, served.Round(10*time.Microsecond))
	add("| the same, seen by a Go client (over HTTP, the 1 MB answer read) | %s | | | reported |", overHTTP)
	// A day of login records, paged 1,000 at a time.
	t0 = time.Now()
	records, pages := 0, 0
	day := "&start_time=2026-11-29T16:00Z&end_time=2026-11-30T15:59Z"
	for offset := 0; ; offset += 1000 {
		b, err := fetch(base+"/connections/desktops?limit=1000&offset="+strconv.Itoa(offset)+day, "-H", "X-Mock-Time: 2026-11-30T23:59:00+08:00")
		if err != nil {
			return err
		}
		var got struct {
			Records []json.RawMessage `json:"records"`
			Total   int               `json:"total_count"`
		}
		if err := json.Unmarshal(b, &got); err != nil {
			return fmt.Errorf("login records: %v: %.200s", err, b)
		}
		records, pages = records+len(got.Records), pages+1
		if len(got.Records) == 0 || records >= got.Total {
			break
		}
	}
	add("| a day of login records of 100,000 desktops, paged by 1,000 (%d records, %d pages) | %s in all, RSS %.1f MB | | | RSS ≤ 64 MB |",
		records, pages, time.Since(t0).Round(time.Millisecond), float64(rssKB(p.cmd.Process.Pid))/1024)
	return nil
}

// alternate loads the emulator and the reference in turn, *rounds times;
// it returns both sides' rounds and the emulator's RSS after its first.
func alternate(label string, mock, ref *proc, hdr []string) (mr, rr []result, rssEarly int, err error) {
	for i := 0; i < *rounds; i++ {
		m, err := wrk(mock.url, hdr...)
		if err != nil {
			return nil, nil, 0, err
		}
		if i == 0 {
			rssEarly = rssKB(mock.cmd.Process.Pid)
		}
		r, err := wrk(ref.url)
		if err != nil {
			return nil, nil, 0, err
		}
		mr, rr = append(mr, m), append(rr, r)
		fmt.Fprintf(os.Stderr, "%s round %d: emulator %.0f req/s, reference %.0f req/s\n", label, i+1, m.rps, r.rps)
	}
	return mr, rr, rssEarly, nil
}

// median is the round with the median throughput.
func median(rs []result) result {
	c := append([]result(nil), rs...)
	sort.Slice(c, func(i, j int) bool { return c[i].rps < c[j].rps })
	return c[len(c)/2]
}

func medianOf(xs []float64) float64 {
	c := append([]float64(nil), xs...)
	sort.Float64s(c)
	return c[len(c)/2]
}

func human(n int) string {
	if n >= 1e6 {
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	}
	return fmt.Sprintf("%dk", n/1000)
}

func ensureWrk() error {
	if _, err := exec.LookPath("wrk"); err == nil {
		return nil
	}
	fmt.Fprintln(os.Stderr, "installing wrk from Debian's packages")
	cmd := exec.Command("sh", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

type proc struct {
	cmd *exec.Cmd
	url string
}

func (p *proc) stop() {
	p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
	}
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start execs bin and returns once it answers 200 (or fails after 10 s).
func start(bin string, args ...string) (*proc, error) {
	p, _, err := startTimed(bin, args...)
	return p, err
}

func startTimed(bin string, args ...string) (*proc, time.Duration, error) {
	addr := ""
	for i, a := range args {
		if (a == "--addr" || a == "-addr") && i+1 < len(args) {
			addr = args[i+1]
		}
	}
	cmd := exec.Command(bin, args...)
	cmd.Stderr = io.Discard
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	p := &proc{cmd, "http://" + addr + path}
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for time.Since(t0) < 10*time.Second {
		resp, err := client.Get(p.url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p, time.Since(t0), nil
			}
		}
	}
	p.stop()
	return nil, 0, fmt.Errorf("%s did not answer 200 within 10 s", bin)
}

func medianStart(bin string, args func(addr string) []string) (time.Duration, error) {
	var ds []time.Duration
	for i := 0; i < 7; i++ {
		p, d, err := startTimed(bin, args(freeAddr())...)
		if err != nil {
			return 0, err
		}
		p.stop()
		ds = append(ds, d)
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2], nil
}

// fetch GETs url and its 200 body; hdr is wrk's form of headers: "-H",
// "Name: value", ... Another status is an error: a row must not time one.
func fetch(url string, hdr ...string) ([]byte, error) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return nil, err
	}
	for i := 1; i < len(hdr); i += 2 {
		k, v, _ := strings.Cut(hdr[i], ": ")
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s answered %d: %.200s", url, resp.StatusCode, b)
	}
	return b, err
}

var (
	rpsLine  = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	reqsLine = regexp.MustCompile(`(\d+) requests in`)
	pctLine  = regexp.MustCompile(`^\s+(50|99)%\s+([0-9.]+)(us|ms|s)`)
)

func wrk(url string, extra ...string) (result, error) { return wrkC(url, *connections, extra...) }

// wrkC is wrk with c connections.
func wrkC(url string, c int, extra ...string) (result, error) {
	args := append([]string{"-t1", "-c" + strconv.Itoa(c), "-d" + duration.String(), "--latency"}, extra...)
	cmd := exec.Command("wrk", append(args, url)...)
	b, err := cmd.CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk: %v\n%s", err, b)
	}
	var r result
	if m := rpsLine.FindSubmatch(b); m != nil {
		r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	if m := reqsLine.FindSubmatch(b); m != nil {
		r.requests, _ = strconv.Atoi(string(m[1]))
	}
	if strings.Contains(string(b), "Non-2xx") || strings.Contains(string(b), "Socket errors") {
		return r, fmt.Errorf("wrk saw errors:\n%s", b)
	}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		if m := pctLine.FindStringSubmatch(sc.Text()); m != nil {
			v, _ := strconv.ParseFloat(m[2], 64)
			d := time.Duration(v * float64(map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[m[3]]))
			if m[1] == "50" {
				r.p50 = d
			} else {
				r.p99 = d
			}
		}
	}
	if r.rps == 0 {
		return r, fmt.Errorf("cannot read wrk's output:\n%s", b)
	}
	return r, nil
}

func rssKB(pid int) int {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			n, _ := strconv.Atoi(strings.Fields(line)[1])
			return n
		}
	}
	return 0
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "model name") {
			_, v, _ := strings.Cut(line, ":")
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// recordProfile builds the emulator with -tags pgo (it then records a CPU
// profile while it runs), loads it as the benchmark does, the default
// scenario half the time, large and office-day a quarter each, and saves the
// profile where go build finds it. Commit the file: builds use it from then on.
func recordProfile(tmp string) error {
	bin, prof, dst := filepath.Join(tmp, "mockserver-pgo"), filepath.Join(tmp, "cpu.pprof"), filepath.Join("cmd", "mockserver", "default.pgo")
	cmd := exec.Command("go", "build", "-pgo=off", "-tags", "pgo", "-trimpath", "-o", bin, "./cmd/mockserver")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build: %v\n%s", err, b)
	}
	os.Setenv("MOCK_CPUPROFILE", prof)
	mock, err := start(bin, "--addr", freeAddr())
	os.Unsetenv("MOCK_CPUPROFILE")
	if err != nil {
		return err
	}
	for i := 0; i < 3; i++ {
		for _, extra := range [][]string{nil, nil, {"-H", "X-Mock-Scenario: large"}, {"-H", "X-Mock-Scenario: office-day"}} {
			if _, err := wrk(mock.url, extra...); err != nil {
				mock.stop()
				return err
			}
		}
	}
	mock.stop() // a graceful stop writes the profile
	b, err := os.ReadFile(prof)
	if err != nil {
		return err
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s (%d bytes): commit it; builds of cmd/mockserver use it from now on\n", dst, len(b))
	return nil
}

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/workspace-mock/mockserver/internal/aksk"
	"github.com/workspace-mock/mockserver/internal/engine"
	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/upstream"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// config is every start-up setting; each is a flag with a MOCK_<FLAG>
// environment twin, the flag winning. Each value is parsed once, when its
// flag is set; only the credentials file is read later, by the command that
// needs it.
type config struct {
	addr            string
	scenariosDir    string
	scenario        string
	seed            int64
	startErr        *wire.Error
	delay           *fixtures.Delay
	logLevel        slog.Level
	logFormat       string
	shutdownTimeout time.Duration
	maxHeaderBytes  int
	auth            string
	ak, sk          string
	credentials     string
	iamProjects     map[string]string
	adminToken      string
	allowedHosts    []string
	journalSize     int
	watch           bool
	watchInterval   time.Duration
	headerTimeout   time.Duration
	idleTimeout     time.Duration
	tlsAddr         string
	tlsCert         string
	tlsKey          string
	clockStart      time.Time
	clockSpeed      float64
	upstream        string
	upstreamAK      string
	upstreamSK      string
	upstreamCA      string
	upstreamTimeout time.Duration
	record          string
	recordRealNames bool
}

// exitError ends the program with code; msg, if any, is printed first.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

// usageError is a mistake in how the program was called: the message and a
// pointer to --help, exit code 2.
func usageError(format string, args ...any) exitError {
	return exitError{code: 2, msg: fmt.Sprintf(format, args...) + "\n(mockserver --help lists every flag)"}
}

// delayFlag parses a duration or a range (50ms..200ms).
type delayFlag struct{ d **fixtures.Delay }

func (f delayFlag) String() string {
	if f.d == nil || *f.d == nil {
		return ""
	}
	return (*f.d).String()
}

func (f delayFlag) Set(s string) error {
	if s == "" {
		*f.d = nil
		return nil
	}
	d, err := fixtures.ParseDelay(s)
	if err != nil {
		return err
	}
	*f.d = &d
	return nil
}

// errorFlag parses a documented error status into its error.
type errorFlag struct{ e **wire.Error }

func (f errorFlag) String() string {
	if f.e == nil || *f.e == nil {
		return ""
	}
	return strconv.Itoa((*f.e).Status)
}

func (f errorFlag) Set(s string) error {
	if s == "" || s == "0" {
		*f.e = nil
		return nil
	}
	status, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("%q is not an HTTP status", s)
	}
	e, err := wire.Documented(status)
	if err != nil {
		return err
	}
	*f.e = &e
	return nil
}

// pairsFlag parses region=project_id pairs separated by commas.
type pairsFlag struct{ m *map[string]string }

func (f pairsFlag) String() string {
	if f.m == nil {
		return ""
	}
	var parts []string
	for k, v := range *f.m {
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, ",")
}

func (f pairsFlag) Set(s string) error {
	out := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		region, id, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok || region == "" {
			return fmt.Errorf("%q: write region=project_id pairs separated by commas", s)
		}
		if msg := wire.CheckProjectID(id); msg != "" {
			return fmt.Errorf("project id %q for %s: %s", id, region, msg)
		}
		out[region] = id
	}
	*f.m = out
	return nil
}

// hostsFlag parses host names separated by commas.
type hostsFlag struct{ hosts *[]string }

func (f hostsFlag) String() string {
	if f.hosts == nil {
		return ""
	}
	return strings.Join(*f.hosts, ",")
}

func (f hostsFlag) Set(s string) error {
	var out []string
	for _, h := range strings.Split(s, ",") {
		h = strings.TrimSpace(h)
		if h == "" || strings.ContainsAny(h, "/:@ ") {
			return fmt.Errorf("%q: give host names separated by commas (mock.dev.example,other.example), or *", s)
		}
		out = append(out, h)
	}
	*f.hosts = out
	return nil
}

// timeFlag parses an RFC 3339 time; empty is the zero time.
type timeFlag struct{ t *time.Time }

func (f timeFlag) String() string {
	if f.t == nil || f.t.IsZero() {
		return ""
	}
	return f.t.Format(time.RFC3339)
}

func (f timeFlag) Set(s string) error {
	if s == "" {
		*f.t = time.Time{}
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("%q is not an RFC 3339 time (example: 2026-11-30T08:00:00+08:00)", s)
	}
	*f.t = t
	return nil
}

type logLevelFlag struct{ l *slog.Level }

func (f logLevelFlag) String() string {
	if f.l == nil {
		return "info"
	}
	return strings.ToLower(f.l.String())
}

func (f logLevelFlag) Set(s string) error {
	if err := f.l.UnmarshalText([]byte(s)); err != nil {
		return fmt.Errorf("%q is not a log level (debug, info, warn, error)", s)
	}
	return nil
}

type oneOfFlag struct {
	v     *string
	allow []string
}

func (f oneOfFlag) String() string {
	if f.v == nil {
		return ""
	}
	return *f.v
}

func (f oneOfFlag) Set(s string) error {
	for _, a := range f.allow {
		if s == a {
			*f.v = s
			return nil
		}
	}
	return fmt.Errorf("%q is not one of %s", s, strings.Join(f.allow, ", "))
}

// plainFlag wraps the flag package's own values (int, bool, duration), whose
// errors say only "parse error", to say what was expected.
type plainFlag struct{ flag.Value }

func (f plainFlag) IsBoolFlag() bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func (f plainFlag) Set(s string) error {
	if err := f.Value.Set(s); err != nil {
		want := "valid"
		switch f.Value.(flag.Getter).Get().(type) {
		case bool:
			want = "true or false"
		case int, int64:
			want = "an integer"
		case float64:
			want = "a number"
		case time.Duration:
			want = "a duration (like 500ms, 10s, 2m)"
		}
		return fmt.Errorf("%q is not %s", s, want)
	}
	return nil
}

// envName is a flag's environment twin: --log-level -> MOCK_LOG_LEVEL.
func envName(flagName string) string {
	return "MOCK_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// MaxJournalSize bounds --journal-size: an entry keeps at most ~3 KB
// (engine.MaxEntryField per string), so at most ~300 MB in all.
const MaxJournalSize = 100_000

func newFlagSet(name string, c *config) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parseConfig says what went wrong, briefly
	fs.StringVar(&c.addr, "addr", ":8080", "address to listen on (host:port; port 0 picks a free one)")
	fs.StringVar(&c.scenariosDir, "scenarios", "", "folder of scenario files to serve instead of the embedded ones")
	fs.StringVar(&c.scenario, "scenario", "", `scenario answering requests that no other switch steers; empty: "default", or the only scenario of a one-scenario folder`)
	fs.Int64Var(&c.seed, "seed", 0, "seed of generated data: same scenario and seed, same bytes")
	fs.Var(errorFlag{&c.startErr}, "error", fmt.Sprintf("make every request fail with this documented error status (one of %v)", wire.Statuses()))
	fs.Var(delayFlag{&c.delay}, "delay", "delay every answer: a duration (250ms) or a range (50ms..200ms), drawn per request")
	c.logLevel = slog.LevelInfo
	fs.Var(logLevelFlag{&c.logLevel}, "log-level", "debug, info, warn or error; debug logs every request")
	c.logFormat = "text"
	fs.Var(oneOfFlag{&c.logFormat, []string{"text", "json"}}, "log-format", "text or json")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 10*time.Second, "on SIGINT/SIGTERM, how long in-flight requests may take to finish")
	fs.IntVar(&c.maxHeaderBytes, "max-header-bytes", 64<<10, "request header limit in bytes, on every route; past it: 431 in the documented error shape")
	c.auth = "none"
	fs.Var(oneOfFlag{&c.auth, []string{"none", "aksk"}}, "auth", "none, or aksk: verify SDK-HMAC-SHA256 signatures like the API gateway")
	fs.StringVar(&c.ak, "ak", "", "access key accepted with --auth aksk")
	fs.StringVar(&c.sk, "sk", "", "secret key of --ak (never logged)")
	fs.StringVar(&c.credentials, "credentials", "", "YAML file of several AK/SK pairs (and temporary ones with security_token) for --auth aksk")
	fs.Var(pairsFlag{&c.iamProjects}, "iam-projects", "project ids the IAM route gives regions: region=id,region=id (others get a stable id)")
	fs.StringVar(&c.adminToken, "admin-token", "", "Bearer token the admin API (/_mock/) requires; empty: none (never logged)")
	fs.Var(hostsFlag{&c.allowedHosts}, "allowed-hosts", "host names the admin API may be reached by, besides IP addresses, localhost, names without a dot and names nobody can register (*.svc, *.cluster.local, *.internal...): name,name (*: any)")
	fs.IntVar(&c.journalSize, "journal-size", 1000, "requests kept for GET /_mock/requests (oldest dropped first); 0: the default 1000; negative: no journal")
	fs.BoolVar(&c.watch, "watch", true, "with --scenarios, reload changed scenario files while serving (turn off with --watch=false)")
	fs.DurationVar(&c.watchInterval, "watch-interval", 500*time.Millisecond, "how often --watch looks for changed files")
	fs.DurationVar(&c.headerTimeout, "header-timeout", 10*time.Second, "a client that takes longer to send a request's headers is disconnected; one that takes longer to send a body it announced gets 408")
	fs.DurationVar(&c.idleTimeout, "idle-timeout", 120*time.Second, "a keep-alive connection with no new request this long after an answer is closed")
	fs.StringVar(&c.tlsAddr, "tls-addr", "", "also serve HTTPS here (host:port), e.g. for HUAWEICLOUD_SDK_IAM_ENDPOINT, which the SDK always reaches over https")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "PEM certificate for --tls-addr; default: a self-signed one for localhost, 127.0.0.1 and ::1")
	fs.StringVar(&c.tlsKey, "tls-key", "", "PEM private key of --tls-cert")
	fs.Var(timeFlag{&c.clockStart}, "clock-start", "the simulated clock's reading at start-up, RFC 3339; default: now (wall time)")
	fs.Float64Var(&c.clockSpeed, "clock-speed", 1, "simulated seconds per real second (60: an hour a minute); 0 freezes the clock")
	fs.StringVar(&c.upstream, "upstream", "", "forward API requests to this service, re-signed: https://workspace.<region>.myhuaweicloud.com")
	fs.StringVar(&c.upstreamAK, "upstream-ak", "", "access key for --upstream; default: HUAWEICLOUD_SDK_AK")
	fs.StringVar(&c.upstreamSK, "upstream-sk", "", "secret key for --upstream (never logged); default: HUAWEICLOUD_SDK_SK")
	fs.StringVar(&c.upstreamCA, "upstream-ca", "", "PEM file of a CA to trust for --upstream, besides the system's")
	fs.DurationVar(&c.upstreamTimeout, "upstream-timeout", 10*time.Second, "how long --upstream may take to answer; past it: 502 MOCK.0502")
	fs.StringVar(&c.record, "record", "", "write each distinct --upstream answer to this folder as a scenario file")
	fs.BoolVar(&c.recordRealNames, "record-real-names", false, "with --record, keep the pools' real names (default: stable fake ones)")
	fs.VisitAll(func(f *flag.Flag) {
		if _, ok := f.Value.(flag.Getter); ok {
			f.Value = plainFlag{f.Value}
		}
	})
	return fs
}

func usage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, `mockserver: a local emulator of Huawei Cloud Workspace ListInstancesStatus
(GET /v2/{project_id}/connections/status).

Usage:
  mockserver [flags]              serve (the embedded scenarios unless --scenarios)
  mockserver validate [DIR]       check the scenario files of DIR (or --scenarios, or the embedded set),
                                  and the --credentials file when given
  mockserver healthcheck [flags]  exit 0 when the server at --addr answers /healthz
  mockserver timeline [flags]     print a scenario's counters over simulated instants
                                  (mockserver timeline --help for its flags)

Flags (each has an environment twin; the flag wins):
`)
	fs.VisitAll(func(f *flag.Flag) {
		def := f.DefValue
		if def == "" {
			def = `""`
		}
		fmt.Fprintf(w, "  --%-18s %s\n  %-20s env %s, default %s\n", f.Name, f.Usage, "", envName(f.Name), def)
	})
}

// parseConfig reads flags, then fills each flag not given from its
// environment twin. Bad values stop the program with a short message.
func parseConfig(cmd string, args []string, getenv func(string) string, stdout io.Writer) (*config, []string, error) {
	c := &config{}
	fs := newFlagSet("mockserver "+cmd, c)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout, fs)
			return nil, nil, exitError{code: 0}
		}
		return nil, nil, flagError(fs, args, err)
	}
	if rest := fs.Args(); len(rest) > 0 {
		if prev := len(args) - len(rest) - 1; prev >= 0 && (rest[0] == "true" || rest[0] == "false") {
			if name := strings.TrimLeft(args[prev], "-"); isBoolFlag(fs, name) {
				return nil, nil, usageError("--%s %s: a true/false flag takes its value after '=': write --%s=%s", name, rest[0], name, rest[0])
			}
		}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var problems []string
	fs.VisitAll(func(f *flag.Flag) {
		env := envName(f.Name)
		if v := getenv(env); v != "" && !given[f.Name] {
			if err := fs.Set(f.Name, v); err != nil {
				problems = append(problems, fmt.Sprintf("%s=%q (the twin of --%s): %v", env, v, f.Name, err))
			}
		}
	})
	if len(problems) > 0 {
		return nil, nil, exitError{code: 2, msg: strings.Join(problems, "\n")}
	}
	if c.upstream != "" {
		if c.upstreamAK == "" {
			c.upstreamAK = getenv("HUAWEICLOUD_SDK_AK")
		}
		if c.upstreamSK == "" {
			c.upstreamSK = getenv("HUAWEICLOUD_SDK_SK")
		}
	}
	if msg := c.check(cmd); msg != "" {
		return nil, nil, exitError{code: 2, msg: msg}
	}
	return c, fs.Args(), nil
}

func isBoolFlag(fs *flag.FlagSet, name string) bool {
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// check reports settings that don't fit together.
func (c *config) check(cmd string) string {
	switch {
	case c.maxHeaderBytes < 1024:
		return fmt.Sprintf("--max-header-bytes %d: must be at least 1024", c.maxHeaderBytes)
	case c.journalSize > MaxJournalSize:
		return fmt.Sprintf("--journal-size %d: at most %d", c.journalSize, MaxJournalSize)
	case engine.CheckClockSpeed(c.clockSpeed) != "":
		return "--clock-speed: " + engine.CheckClockSpeed(c.clockSpeed)
	case c.watchInterval < 10*time.Millisecond:
		return fmt.Sprintf("--watch-interval %s: must be at least 10ms", c.watchInterval)
	case c.headerTimeout <= 0 || c.idleTimeout <= 0:
		return "--header-timeout and --idle-timeout must be positive"
	case (c.tlsCert == "") != (c.tlsKey == ""):
		return "--tls-cert and --tls-key go together"
	case c.tlsCert != "" && c.tlsAddr == "":
		return "--tls-cert and --tls-key take effect only with --tls-addr"
	case c.record != "" && c.upstream == "":
		return "--record writes what --upstream answers: give --upstream too"
	case c.recordRealNames && c.record == "":
		return "--record-real-names takes effect only with --record"
	case c.upstream == "" && (c.upstreamAK != "" || c.upstreamSK != "" || c.upstreamCA != ""):
		return "--upstream-ak, --upstream-sk and --upstream-ca take effect only with --upstream"
	case c.upstreamTimeout <= 0:
		return "--upstream-timeout must be positive"
	case cmd != "serve":
		return "" // validate reads --credentials without --auth; healthcheck needs only --addr
	}
	hasCreds := c.ak != "" || c.sk != "" || c.credentials != ""
	switch {
	case c.auth == "none" && hasCreds:
		return "--ak, --sk and --credentials take effect only with --auth aksk"
	case c.auth == "aksk" && !hasCreds:
		return "--auth aksk needs --ak and --sk, or --credentials FILE"
	case (c.ak == "") != (c.sk == ""):
		return "--ak and --sk go together"
	}
	return ""
}

// flagError turns the flag package's complaint into a short one: an unknown
// flag names the nearest real one.
func flagError(fs *flag.FlagSet, args []string, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		name = strings.TrimLeft(name, "-")
		hint := ""
		if near := nearestFlag(fs, name); near != "" {
			hint = fmt.Sprintf(": did you mean --%s?", near)
			if near == "addr" && name == "port" {
				hint = fmt.Sprintf(": did you mean --addr? (it takes host:port, e.g. --addr :%s)", valueAfter(args, name, "9090"))
			}
		}
		return usageError("unknown flag --%s%s", name, hint)
	}
	msg = strings.Replace(msg, "invalid value ", "", 1)
	msg = strings.Replace(msg, " for flag -", " for --", 1)
	msg = strings.Replace(msg, "flag needs an argument: -", "a value is missing after --", 1)
	return usageError("%s", msg)
}

// flagAliases are names people reach for that mean one of ours.
var flagAliases = map[string]string{
	"port": "addr", "listen": "addr", "bind": "addr", "host": "addr", "address": "addr",
	"dir": "scenarios", "scenario-dir": "scenarios", "folder": "scenarios", "token": "admin-token",
	"verbose": "log-level", "debug": "log-level", "level": "log-level", "log": "log-level",
}

// nearestFlag is the flag most likely meant by name: an alias, else the
// closest name within two edits, or a name it starts.
func nearestFlag(fs *flag.FlagSet, name string) string {
	name = strings.ToLower(strings.SplitN(name, "=", 2)[0])
	if a, ok := flagAliases[name]; ok {
		return a
	}
	best, bestDist := "", 3
	fs.VisitAll(func(f *flag.Flag) {
		d := editDistance(name, f.Name)
		if strings.HasPrefix(f.Name, name) && len(name) >= 3 {
			d = min(d, 1)
		}
		if d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// valueAfter is the argument that follows --name (or its =value), or def.
func valueAfter(args []string, name, def string) string {
	for i, a := range args {
		a = strings.TrimLeft(a, "-")
		if v, ok := strings.CutPrefix(a, name+"="); ok && v != "" {
			return v
		}
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
	}
	return def
}

// loadCredentials reads the AK/SK pairs of --ak/--sk and --credentials.
func (c *config) loadCredentials() ([]aksk.Credential, error) {
	var creds []aksk.Credential
	if c.ak != "" {
		creds = append(creds, aksk.Credential{AK: c.ak, SK: c.sk})
	}
	if c.credentials != "" {
		data, err := os.ReadFile(c.credentials)
		if err != nil {
			return nil, fmt.Errorf("--credentials: %v", err)
		}
		more, err := aksk.ParseCredentials(c.credentials, data)
		if err != nil {
			return nil, err
		}
		creds = append(creds, more...)
	}
	return creds, nil
}

// verifier builds the signature verifier for --auth aksk (nil for none).
func (c *config) verifier() (*aksk.Verifier, error) {
	if c.auth != "aksk" {
		return nil, nil
	}
	creds, err := c.loadCredentials()
	if err != nil {
		return nil, err
	}
	return aksk.NewVerifier(creds, nil)
}

// upstreamAndRecorder builds --upstream and --record (nil, nil without them).
func (c *config) upstreamAndRecorder() (*upstream.Upstream, *upstream.Recorder, error) {
	if c.upstream == "" {
		return nil, nil, nil
	}
	up, err := upstream.New(upstream.Config{URL: c.upstream, AK: c.upstreamAK, SK: c.upstreamSK, CAFile: c.upstreamCA, Timeout: c.upstreamTimeout})
	if err != nil || c.record == "" {
		return up, nil, err
	}
	if err := os.MkdirAll(c.record, 0o755); err != nil {
		return nil, nil, fmt.Errorf("--record: %v", err)
	}
	return up, &upstream.Recorder{Dir: c.record, RealNames: c.recordRealNames, Source: up.Host()}, nil
}

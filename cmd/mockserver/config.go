package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/workspace-mock/mockserver/internal/aksk"
	"github.com/workspace-mock/mockserver/internal/fixtures"
)

// config is every start-up setting; each is a flag with a MOCK_<FLAG>
// environment twin, the flag winning.
type config struct {
	addr            string
	scenariosDir    string
	scenario        string
	seed            int64
	errStatus       int
	delay           *fixtures.Delay
	logLevel        slog.Level
	logFormat       string
	shutdownTimeout time.Duration
	maxHeaderBytes  int
	auth            string
	ak, sk          string
	credentials     string
	iamProjects     string
	adminToken      string
	journalSize     int
	watch           bool
	watchInterval   time.Duration
	headerTimeout   time.Duration
	idleTimeout     time.Duration
	tlsAddr         string
	tlsCert         string
	tlsKey          string
}

// exitError ends the program with code; msg, if any, is printed first.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

// delayFlag parses a duration or a range (50ms..200ms) at flag time.
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

// envName is a flag's environment twin: --log-level -> MOCK_LOG_LEVEL.
func envName(flagName string) string {
	return "MOCK_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func newFlagSet(name string, c *config, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", ":8080", "address to listen on (host:port; port 0 picks a free one)")
	fs.StringVar(&c.scenariosDir, "scenarios", "", "folder of scenario files to serve instead of the embedded ones")
	fs.StringVar(&c.scenario, "scenario", "default", "scenario answering requests that no other switch steers")
	fs.Int64Var(&c.seed, "seed", 1, "seed of generated data: same scenario and seed, same bytes")
	fs.IntVar(&c.errStatus, "error", 0, fmt.Sprintf("make every request fail with this documented error status (one of %v)", fixtures.DocumentedStatuses()))
	fs.Var(delayFlag{&c.delay}, "delay", "delay every answer: a duration (250ms) or a range (50ms..200ms)")
	c.logLevel = slog.LevelInfo
	fs.Var(logLevelFlag{&c.logLevel}, "log-level", "debug, info, warn or error; debug logs every request")
	c.logFormat = "text"
	fs.Var(oneOfFlag{&c.logFormat, []string{"text", "json"}}, "log-format", "text or json")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 10*time.Second, "on SIGINT/SIGTERM, how long in-flight requests may take to finish")
	fs.IntVar(&c.maxHeaderBytes, "max-header-bytes", 64<<10, "request header limit in bytes; past it: 431 in the documented error shape")
	c.auth = "none"
	fs.Var(oneOfFlag{&c.auth, []string{"none", "aksk"}}, "auth", "none, or aksk: verify SDK-HMAC-SHA256 signatures like the API gateway")
	fs.StringVar(&c.ak, "ak", "", "access key accepted with --auth aksk")
	fs.StringVar(&c.sk, "sk", "", "secret key of --ak (never logged)")
	fs.StringVar(&c.credentials, "credentials", "", "YAML file of several AK/SK pairs (and temporary ones with security_token) for --auth aksk")
	fs.StringVar(&c.iamProjects, "iam-projects", "", "project ids the IAM route gives regions: region=id,region=id (others get a stable id)")
	fs.StringVar(&c.adminToken, "admin-token", "", "Bearer token the admin API (/_mock/) requires; empty: none (never logged)")
	fs.IntVar(&c.journalSize, "journal-size", 1000, "requests kept for GET /_mock/requests (oldest dropped first); 0: no journal")
	fs.BoolVar(&c.watch, "watch", true, "with --scenarios, reload changed scenario files while serving")
	fs.DurationVar(&c.watchInterval, "watch-interval", 500*time.Millisecond, "how often --watch looks for changed files")
	fs.DurationVar(&c.headerTimeout, "header-timeout", 10*time.Second, "a client that hasn't sent its first request's headers this long after connecting is disconnected")
	fs.DurationVar(&c.idleTimeout, "idle-timeout", 120*time.Second, "a keep-alive connection whose next request's headers haven't arrived this long after an answer is closed")
	fs.StringVar(&c.tlsAddr, "tls-addr", "", "also serve HTTPS here (host:port), e.g. for HUAWEICLOUD_SDK_IAM_ENDPOINT, which the SDK always reaches over https")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "PEM certificate for --tls-addr; default: a self-signed one for localhost, 127.0.0.1 and ::1")
	fs.StringVar(&c.tlsKey, "tls-key", "", "PEM private key of --tls-cert")
	fs.Usage = func() { usage(fs) }
	return fs
}

func usage(fs *flag.FlagSet) {
	w := fs.Output()
	fmt.Fprint(w, `mockserver: a local emulator of Huawei Cloud Workspace ListInstancesStatus
(GET /v2/{project_id}/connections/status).

Usage:
  mockserver [flags]              serve (the embedded scenarios unless --scenarios)
  mockserver validate [DIR]       check the scenario files of DIR (or --scenarios, or the embedded set)
  mockserver healthcheck [flags]  exit 0 when the server at --addr answers /healthz

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
// environment twin. Bad values stop the program with a message.
func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (*config, []string, error) {
	c := &config{}
	fs := newFlagSet(name, c, stderr)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil, nil, exitError{code: 0}
		}
		return nil, nil, exitError{code: 2}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var problems []string
	fs.VisitAll(func(f *flag.Flag) {
		env := envName(f.Name)
		if v := getenv(env); v != "" && !given[f.Name] {
			if err := fs.Set(f.Name, v); err != nil {
				problems = append(problems, fmt.Sprintf("%s=%q: %v", env, v, err))
			}
		}
	})
	if len(problems) > 0 {
		return nil, nil, exitError{code: 2, msg: strings.Join(problems, "\n")}
	}
	if c.errStatus != 0 {
		if _, err := fixtures.DocumentedError(c.errStatus); err != nil {
			return nil, nil, exitError{code: 2, msg: fmt.Sprintf("--error %d: not a documented error status of this API (one of %v)", c.errStatus, fixtures.DocumentedStatuses())}
		}
	}
	if c.maxHeaderBytes < 1024 {
		return nil, nil, exitError{code: 2, msg: fmt.Sprintf("--max-header-bytes %d: must be at least 1024", c.maxHeaderBytes)}
	}
	if c.journalSize < 0 {
		return nil, nil, exitError{code: 2, msg: fmt.Sprintf("--journal-size %d: must be 0 (off) or more", c.journalSize)}
	}
	if c.watchInterval < 10*time.Millisecond {
		return nil, nil, exitError{code: 2, msg: fmt.Sprintf("--watch-interval %s: must be at least 10ms", c.watchInterval)}
	}
	if c.headerTimeout <= 0 || c.idleTimeout <= 0 {
		return nil, nil, exitError{code: 2, msg: "--header-timeout and --idle-timeout must be positive"}
	}
	switch {
	case (c.tlsCert == "") != (c.tlsKey == ""):
		return nil, nil, exitError{code: 2, msg: "--tls-cert and --tls-key go together"}
	case c.tlsCert != "" && c.tlsAddr == "":
		return nil, nil, exitError{code: 2, msg: "--tls-cert and --tls-key take effect only with --tls-addr"}
	}
	if msg := c.checkAuth(); msg != "" {
		return nil, nil, exitError{code: 2, msg: msg}
	}
	return c, fs.Args(), nil
}

func (c *config) checkAuth() string {
	hasCreds := c.ak != "" || c.sk != "" || c.credentials != ""
	switch {
	case c.auth == "none" && hasCreds:
		return "--ak, --sk and --credentials take effect only with --auth aksk"
	case c.auth == "aksk" && !hasCreds:
		return "--auth aksk needs --ak and --sk, or --credentials FILE"
	case (c.ak == "") != (c.sk == ""):
		return "--ak and --sk go together"
	}
	if _, err := c.regionProjects(); err != nil {
		return err.Error()
	}
	return ""
}

// regionProjects parses --iam-projects.
func (c *config) regionProjects() (map[string]string, error) {
	out := map[string]string{}
	if c.iamProjects == "" {
		return out, nil
	}
	for _, pair := range strings.Split(c.iamProjects, ",") {
		region, id, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok || region == "" {
			return nil, fmt.Errorf("--iam-projects %q: write region=project_id pairs separated by commas", c.iamProjects)
		}
		if msg := fixtures.CheckProjectID(id); msg != "" {
			return nil, fmt.Errorf("--iam-projects: project id %q for %s: %s", id, region, msg)
		}
		out[region] = id
	}
	return out, nil
}

// verifier builds the signature verifier for --auth aksk (nil for none).
func (c *config) verifier() (*aksk.Verifier, error) {
	if c.auth != "aksk" {
		return nil, nil
	}
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
	return aksk.NewVerifier(creds, nil)
}

package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/workspace-mock/mockserver/workspacemock"
)

// runErr runs the program to its end and returns its exit error.
func runErr(t *testing.T, args []string, environ map[string]string) exitError {
	t.Helper()
	err := run(context.Background(), args, env(environ), io.Discard, io.Discard)
	var ex exitError
	if !errors.As(err, &ex) {
		t.Fatalf("%v: %v, want an exit error", args, err)
	}
	return ex
}

func TestMistypedFlagsGetAShortHint(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--port", "9090"}, "unknown flag --port: did you mean --addr? (it takes host:port, e.g. --addr :9090)"},
		{[]string{"--scenaro", "empty"}, "unknown flag --scenaro: did you mean --scenario?"},
		{[]string{"--token=x"}, "unknown flag --token: did you mean --admin-token?"},
		{[]string{"--log", "debug"}, "did you mean --log-level?"},
		{[]string{"--zzzzzz"}, "unknown flag --zzzzzz\n"},
		{[]string{"--scenarios", "x", "--watch", "false"}, "--watch false: a true/false flag takes its value after '=': write --watch=false"},
	}
	for _, c := range cases {
		ex := runErr(t, c.args, nil)
		if ex.code != 2 || !strings.Contains(ex.msg, c.want) {
			t.Errorf("%v: exit %d %q, want %q", c.args, ex.code, ex.msg, c.want)
		}
		if lines := strings.Count(ex.msg, "\n") + 1; lines > 3 || !strings.Contains(ex.msg, "--help") {
			t.Errorf("%v: %d lines, or no pointer to --help: %q", c.args, lines, ex.msg)
		}
	}
}

func TestAFolderWithOneScenarioServesIt(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "mine.yaml"), []byte("name: mine\nstatics: [{static_name: my-pool}]\n"), 0o644)
	url, _, _ := startRun(t, []string{"--scenarios", dir}, nil)
	resp, err := http.Get(url + "/v2/p1/connections/status")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"static_name":"my-pool"`) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}

	os.WriteFile(filepath.Join(dir, "other.yaml"), []byte("name: other\nstatics: []\n"), 0o644)
	ex := runErr(t, []string{"--scenarios", dir}, nil)
	if ex.code == 0 || !strings.Contains(ex.msg, "--scenario") || !strings.Contains(ex.msg, "mine, other") {
		t.Fatalf("two scenarios, no default: exit %d %q", ex.code, ex.msg)
	}
	if _, err := workspacemock.NewServer(workspacemock.Options{ScenarioDir: dir}); err == nil ||
		!strings.Contains(err.Error(), "Options.Scenario") || !strings.Contains(err.Error(), "mine, other") {
		t.Fatalf("workspacemock with two scenarios, no default: %v", err)
	}
}

func TestCommandAndPackageDefaultsAnswerTheSameBytes(t *testing.T) {
	url, _, _ := startRun(t, nil, nil)
	srv, err := workspacemock.NewServer(workspacemock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	get := func(base string) string {
		resp, err := http.Get(base + "/v2/0bec5db98280d2d02fd6c00c2de791ce/connections/status")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	cmd, pkg := get(url), get(srv.URL())
	if cmd != pkg || !strings.HasPrefix(cmd, `{"statics":[`) {
		t.Fatalf("command (no flags) answered\n%s\nNewServer(Options{}) answered\n%s", cmd, pkg)
	}
}

func TestValidateChecksTheCredentialsFile(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.yaml"), filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte("credentials:\n  - ak: AK1\n    sk: SK1\n"), 0o644)
	os.WriteFile(bad, []byte("credentials:\n  - ak: AK1\n    secret: SK1\n"), 0o644)
	var out, errOut strings.Builder
	if err := run(context.Background(), []string{"validate", "--credentials", good}, env(nil), &out, &errOut); err != nil ||
		!strings.Contains(out.String(), "1 credentials") {
		t.Fatalf("good file: %v %s %s", err, out.String(), errOut.String())
	}
	out.Reset()
	err := run(context.Background(), []string{"validate", "--credentials", bad}, env(nil), &out, &errOut)
	if err == nil || !strings.Contains(errOut.String(), bad+":3:") || !strings.Contains(errOut.String(), "secret") {
		t.Fatalf("bad file: %v %q", err, errOut.String())
	}
}

func TestOpenAdminAdviceFitsAContainer(t *testing.T) {
	_, _, _, logs := startRunLogs(t, []string{"--addr", ":0"}, map[string]string{"KUBERNETES_SERVICE_HOST": "10.0.0.1"})
	if !strings.Contains(logs.String(), "set --admin-token (MOCK_ADMIN_TOKEN)") || strings.Contains(logs.String(), "--addr 127.0.0.1") {
		t.Fatalf("in a container, the advice must not be to listen on loopback:\n%s", logs.String())
	}
	if openAdminAdvice(false) == openAdminAdvice(true) || !strings.Contains(openAdminAdvice(false), "127.0.0.1") {
		t.Fatal("outside a container, listening on loopback is good advice")
	}
}

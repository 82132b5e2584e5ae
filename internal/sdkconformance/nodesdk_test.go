package sdkconformance

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/workspace-mock/mockserver/internal/aksk"
	"github.com/workspace-mock/mockserver/internal/handlers"
)

// nodeCall runs testdata/nodesdk/call.js, Huawei's Node.js SDK core calling the
// emulator, and returns what it printed. .ci/run installs node and the
// package (npm ci); elsewhere the test is skipped until they are there.
func nodeCall(t *testing.T, endpoint, ak, sk, region string) (out struct {
	ProjectID string `json:"project_id"`
	Status    int    `json:"status"`
	Statics   []any  `json:"statics"`
	Error     *struct {
		Status int    `json:"status"`
		Code   string `json:"code"`
		Msg    string `json:"msg"`
	} `json:"error"`
}) {
	t.Helper()
	node, err := exec.LookPath("node")
	if _, statErr := os.Stat(filepath.Join("testdata", "nodesdk", "node_modules", "@huaweicloud")); err != nil || statErr != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must install node and nodesdk's packages (npm ci --prefix internal/sdkconformance/testdata/nodesdk): %v %v", err, statErr)
		}
		t.Skip("node or testdata/nodesdk/node_modules missing: npm ci --prefix internal/sdkconformance/testdata/nodesdk")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "call.js", endpoint, ak, sk, region)
	cmd.Dir = filepath.Join("testdata", "nodesdk")
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	_ = cmd.Run() // exit 1 with a JSON error line is an answer too
	lines := bytes.Split(bytes.TrimSpace(stdout.Bytes()), []byte("\n"))
	if err := json.Unmarshal(lines[len(lines)-1], &out); err != nil {
		t.Fatalf("node printed %q (stderr %s): %v", stdout.String(), stderr.String(), err)
	}
	return out
}

// Huawei's Node.js SDK sends the body {} with its IAM GET and signs that
// body's hash; it signs content-type and a lower-case host, not User-Agent.
// A gateway hashes the bytes it receives, and so must the emulator.
func TestNodeSDKDiscoversItsProjectAndCalls(t *testing.T) {
	v, err := aksk.NewVerifier([]aksk.Credential{{AK: "NODEAK", SK: "node-secret"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := newMock(t, handlers.Options{Verifier: v, RegionProjects: map[string]string{"cn-north-4": projectID}})
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)

	got := nodeCall(t, srv.URL, "NODEAK", "node-secret", "cn-north-4")
	if got.Error != nil || got.ProjectID != projectID || got.Status != 200 || len(got.Statics) == 0 {
		t.Fatalf("Node SDK: %+v", got)
	}
	reqs := m.Requests("", time.Time{})
	if len(reqs) != 2 || reqs[0].Path != "/v3/projects" || reqs[1].ProjectID != projectID || reqs[1].Status != 200 {
		t.Fatalf("journal: %+v", reqs)
	}

	bad := nodeCall(t, srv.URL, "NODEAK", "wrong-secret", "cn-north-4")
	if bad.Error == nil || bad.Error.Status != 401 || bad.Error.Code != "APIGW.0301" {
		t.Fatalf("wrong SK: %+v", bad)
	}
}

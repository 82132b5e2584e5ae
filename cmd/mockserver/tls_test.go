package main

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const statusPath = "/v2/0bec5db98280d2d02fd6c00c2de791ce/connections/status"

// tlsListening reads the HTTPS address and certificate from the start-up line.
func tlsListening(t *testing.T, logs *syncBuffer) (addr, cert string) {
	t.Helper()
	for _, line := range strings.Split(logs.String(), "\n") {
		var raw map[string]any
		if json.Unmarshal([]byte(line), &raw) == nil && raw["msg"] == "mockserver listening" {
			a, _ := raw["tls_addr"].(string)
			c, _ := raw["tls_cert"].(string)
			return a, c
		}
	}
	t.Fatalf("no start-up line:\n%s", logs.String())
	return "", ""
}

func getBody(t *testing.T, c *http.Client, url string, header map[string]string) (*http.Response, []byte, error) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func TestTLSAddrServesTheSameEmulatorOverHTTPS(t *testing.T) {
	url, stop, done, logs := startRunLogs(t, []string{"--tls-addr", "127.0.0.1:0"}, nil)
	addr, about := tlsListening(t, logs)
	if addr == "" || !strings.HasPrefix(about, "self-signed sha256:") {
		t.Fatalf("start-up line: tls_addr=%q tls_cert=%q", addr, about)
	}
	insecure := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	t.Cleanup(insecure.CloseIdleConnections)

	resp, overTLS, err := getBody(t, insecure, "https://"+addr+statusPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.TLS.PeerCertificates[0]; "self-signed sha256:"+hexSum(got.Raw) != about {
		t.Errorf("served certificate is not the one logged (%s)", about)
	} else if err := got.VerifyHostname("localhost"); err != nil {
		t.Errorf("self-signed certificate: %v", err)
	}
	_, plain, err := getBody(t, http.DefaultClient, url+statusPath, nil)
	if err != nil || resp.StatusCode != 200 || !bytes.Equal(overTLS, plain) {
		t.Fatalf("HTTPS %d %q\nHTTP %q (%v)", resp.StatusCode, overTLS, plain, err)
	}
	if resp.ProtoMajor != 1 || resp.Header.Get("X-Request-Id") == "" {
		t.Errorf("HTTPS answer %s, X-Request-Id %q", resp.Proto, resp.Header.Get("X-Request-Id"))
	}

	// IAM over HTTPS (HUAWEICLOUD_SDK_IAM_ENDPOINT) links back over HTTPS
	if _, body, err := getBody(t, insecure, "https://"+addr+"/v3/projects?name=cn-north-4", nil); err != nil ||
		!strings.Contains(string(body), `"self":"https://`+addr+`/v3/projects?name=cn-north-4"`) {
		t.Errorf("IAM over HTTPS: %s %v", body, err)
	}

	// one emulator: a switch made over HTTP steers HTTPS answers
	req, _ := http.NewRequest(http.MethodPut, url+"/_mock/error", strings.NewReader(`{"status":403,"count":1}`))
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != 200 {
		t.Fatalf("inject: %v %v", r, err)
	}
	if resp, body, err := getBody(t, insecure, "https://"+addr+statusPath, nil); err != nil || resp.StatusCode != 403 || !strings.Contains(string(body), `"APIGW.0302"`) {
		t.Fatalf("after injecting 403: %v %s %v", resp, body, err)
	}

	// the reset fault resets the TCP connection under TLS
	_, _, err = getBody(t, insecure, "https://"+addr+statusPath, map[string]string{"X-Mock-Scenario": "fault-reset"})
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("fault-reset over TLS: %v", err)
	}

	stop()
	if err := <-done; err != nil {
		t.Fatalf("run after stop: %v", err)
	}
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestTLSCertAndKeyFromFiles(t *testing.T) {
	cert, err := selfSigned(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)

	_, _, _, logs := startRunLogs(t, []string{"--tls-addr", "127.0.0.1:0"}, map[string]string{"MOCK_TLS_CERT": certFile, "MOCK_TLS_KEY": keyFile})
	addr, about := tlsListening(t, logs)
	if about != "files sha256:"+hexSum(cert.Certificate[0]) {
		t.Errorf("tls_cert %q", about)
	}
	// a client that trusts this certificate verifies the server: no skipping
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	verifying := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	t.Cleanup(verifying.CloseIdleConnections)
	for _, base := range []string{"https://" + addr, "https://" + strings.Replace(addr, "127.0.0.1", "localhost", 1)} {
		if resp, _, err := getBody(t, verifying, base+statusPath, nil); err != nil || resp.StatusCode != 200 {
			t.Errorf("%s: %v %v", base, resp, err)
		}
	}
}

func TestBadTLSFlagsStopTheProgram(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.pem")
	os.WriteFile(garbage, []byte("not a certificate\n"), 0o600)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--tls-addr", "127.0.0.1:0", "--tls-cert", garbage}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-cert", garbage, "--tls-key", garbage}, "--tls-cert and --tls-key take effect only with --tls-addr"},
		{[]string{"--tls-addr", "127.0.0.1:0", "--tls-cert", filepath.Join(dir, "none.pem"), "--tls-key", garbage}, "none.pem: no such file"},
		{[]string{"--tls-addr", "127.0.0.1:0", "--tls-cert", garbage, "--tls-key", garbage}, "garbage.pem: tls: failed to find any PEM data in certificate input"},
		{[]string{"--tls-addr", "127.0.0.1:http-alt-no"}, "--tls-addr 127.0.0.1:http-alt-no"},
	}
	for _, c := range cases {
		err := run(t.Context(), append([]string{"--addr", "127.0.0.1:0"}, c.args...), env(nil), io.Discard, io.Discard)
		var ee exitError
		if !errors.As(err, &ee) || ee.code == 0 || !strings.Contains(ee.msg, c.want) {
			t.Errorf("%v: got %v, want an exit with %q", c.args, err, c.want)
		}
	}
}

func TestTLSClientThatNeverHandshakesIsCutOff(t *testing.T) {
	_, _, _, logs := startRunLogs(t, []string{"--tls-addr", "127.0.0.1:0", "--header-timeout", "200ms"}, nil)
	addr, _ := tlsListening(t, logs)
	for name, send := range map[string]string{
		"sends nothing":          "",
		"half a client hello":    "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
		"plain HTTP to the port": "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ",
	} {
		t.Run(name, func(t *testing.T) { closedAfter(t, addr, send) })
	}
}

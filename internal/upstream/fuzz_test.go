package upstream

import (
	"os"
	"strings"
	"testing"

	"github.com/workspace-mock/mockserver/internal/fixtures"
)

// The secrets the fuzzed answers may echo: the project id, the AK and the
// SK, as real ones look. A body's {P}, {AK} and {SK} stand for them.
const (
	fuzzProject = "0bec5db98280d2d02fd6c00c2de791ce"
	fuzzAK      = "HPUAXQ7ZK2M4N8R6T1VW"
	fuzzSK      = "qM3vT8xR2pL6nK9wZ4bY7cJ1hF5dG0sA2eU8iO3o"
)

// FuzzRecord: whatever the upstream answers, a recording is a scenario
// file that parses back with internal/fixtures, and never holds the project
// id, the AK, the SK or anything shaped like a request id. The recorder
// never writes what the loader would refuse; it must not be the one to
// make a file unreadable either: an answer it skips as "validate would
// refuse" is a bug in how it writes YAML.
func FuzzRecord(f *testing.F) {
	counters := `"running_num":1,"stop_num":0,"hibernate_num":0,"other_num":0,"attached_num":1,"unattached_num":0,"cannot_attach_num":0,"in_process_num":0,"in_use_num":1,"unregistered_num":0,"ready_num":0,"disconnected_num":0,"unknown_num":0`
	f.Add(200, `{"statics":[{"static_name":"Finance: \"HQ\" #1 {P}",`+counters+`}]}`, false)
	f.Add(200, `{"statics":[{"static_name":"{AK}-{SK}\n- x: y",`+counters+`},{"static_name":"b","running_num":2147483647}]}`, true)
	f.Add(200, `{"statics":[]}`, false)
	f.Add(200, `{"statics":[{}, {"static_name":"\u0000\t'&*!|>%@`+"`"+`"}]}`, true)
	f.Add(401, `{"error_code":"APIGW.0301","error_msg":"Get secretKey failed,ak:{AK},err:ak not exist","request_id":"0123456789abcdef0123456789abcdef"}`, false)
	f.Add(403, `{"error_code":"APIGW.0302","error_msg":"SDK-HMAC-SHA256 Access={AK}, Signature={SK}","error_detail":"---\n...","encoded_authorization_message":"{P}"}`, true)
	f.Add(429, `{"error_code":"x","error_msg":"line\r\nbreak \u2028 ünïcödé #"}`, false)
	f.Add(503, `oops`, false)
	f.Add(429, `{"error_msg":"\u007f \u0085 \u009f \ufffe \uffff \ud800"}`, false)
	f.Add(200, `{"statics":[{"static_name":"\u007f\u0080"}]}`, true)
	f.Add(429, `{"error_msg":"\u007f0123456789abcdef0123456789abcd"}`, false)
	f.Add(429, `{"error_msg":"\r0123456789abcdef0123456789abcd"}`, false)
	f.Fuzz(func(t *testing.T, status int, body string, real bool) {
		body = strings.NewReplacer("{P}", fuzzProject, "{AK}", fuzzAK, "{SK}", fuzzSK).Replace(body)
		r := &Recorder{Dir: t.TempDir(), RealNames: real, Source: "workspace.cn-north-4.myhuaweicloud.com"}
		file, skipped, err := r.record(&Answer{Status: status, Body: []byte(body)}, []string{fuzzProject, fuzzAK, fuzzSK})
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(skipped, "mockserver validate would refuse") {
			t.Fatalf("the recorder wrote YAML the loader refuses: %s\nanswer %d %q", skipped, status, body)
		}
		if file == "" {
			return
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if _, problems := fixtures.ParseFile(file, data); problems != nil {
			t.Fatalf("%v\n%s", problems, data)
		}
		text := string(data)
		for _, secret := range []string{fuzzProject, fuzzAK, fuzzSK} {
			if strings.Contains(text, secret) {
				t.Fatalf("the recording holds %q:\n%s", secret, text)
			}
		}
		if maskHex32(text) != text {
			t.Fatalf("the recording holds a request id:\n%s", text)
		}
	})
}

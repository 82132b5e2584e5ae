package upstream

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/workspace-mock/mockserver/internal/fixtures"
	"gopkg.in/yaml.v3"
)

// Whatever the upstream says, a recording is a scenario file that parses
// back to the same answer, less the secrets.
func TestRecordingsParseBackWithoutSecrets(t *testing.T) {
	dir := t.TempDir()
	r := &Recorder{Dir: dir, Source: "workspace.cn-north-4.myhuaweicloud.com"}
	msg := "Incorrect IAM authentication information: Get secretKey failed,ak:MYREALAK,err:ak not exist\n\t\"quoted\" ünïcödé: {x}, #not-a-comment, request 0123456789abcdef0123456789abcdef"
	file, err := r.Record(&Answer{Status: 401, Body: []byte(`{"error_code":"APIGW.0301","error_msg":` + jsonString(msg) + `,"request_id":"0123456789abcdef0123456789abcdef"}`)},
		[]string{"0bec5db98280d2d02fd6c00c2de791ce", "MYREALAK", "my-real-sk"})
	if err != nil || file == "" {
		t.Fatalf("record: %q %v", file, err)
	}
	data, _ := os.ReadFile(file)
	sc, problems := fixtures.ParseFile(file, data)
	if problems != nil {
		t.Fatalf("the recording does not parse:\n%s\n%v", data, problems)
	}
	got := sc.Steps[0].Error
	if got.Status != 401 || got.Code != "APIGW.0301" || strings.Contains(got.Msg, "MYREALAK") || strings.Contains(string(data), "0123456789abcdef") ||
		!strings.Contains(got.Msg, `"quoted" ünïcödé: {x}, #not-a-comment`) {
		t.Fatalf("parsed back: %+v\n%s", got, data)
	}

	names := `{"statics":[{"static_name":"Finance: \"HQ\" #1","running_num":1,"stop_num":0,"hibernate_num":0,"other_num":0,"attached_num":1,"unattached_num":0,"cannot_attach_num":0,"in_process_num":0,"in_use_num":1,"unregistered_num":0,"ready_num":0,"disconnected_num":0,"unknown_num":0}]}`
	for _, real := range []bool{false, true} {
		r := &Recorder{Dir: t.TempDir(), RealNames: real}
		file, err := r.Record(&Answer{Status: 200, Body: []byte(names)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(file)
		sc, problems := fixtures.ParseFile(file, data)
		if problems != nil {
			t.Fatalf("%s\n%v", data, problems)
		}
		name := sc.Steps[0].Statics[0].StaticName
		if real && name != `Finance: "HQ" #1` || !real && (name != FakeName(`Finance: "HQ" #1`) || strings.Contains(string(data), "Finance")) {
			t.Fatalf("real names %v: %q\n%s", real, name, data)
		}
		if again, _ := r.Record(&Answer{Status: 200, Body: []byte(names)}, nil); again != "" {
			t.Error("the same answer was recorded twice")
		}
		if files, _ := filepath.Glob(filepath.Join(r.Dir, "*")); len(files) != 1 {
			t.Errorf("files left in the folder: %v", files)
		}
	}
	if _, err := r.Record(&Answer{Status: 503, Body: []byte("oops")}, nil); err != nil {
		t.Fatal(err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "recorded-503-*")); len(files) != 0 {
		t.Errorf("an undocumented status was recorded: %v", files)
	}
}

func jsonString(s string) string {
	out, _ := json.Marshal(s)
	return string(out)
}

func TestFakeNamesAreStableAndDistinct(t *testing.T) {
	a, b := FakeName("finance-pool"), FakeName("engineering-pool")
	if a != FakeName("finance-pool") || a == b || strings.Contains(a, "finance") {
		t.Fatalf("%q %q", a, b)
	}
}

// A recorded string reads back from the YAML as the string the upstream
// sent, whatever characters it holds: the ones YAML forbids raw (DEL, the
// C1 controls, U+FFFE), line separators, quotes, and bytes that are not
// UTF-8 (read back as U+FFFD, as a JSON decoder gives them).
func TestQuoteReadsBackAsTheSameString(t *testing.T) {
	var cases []string
	for r := rune(0); r < 0x200; r++ {
		cases = append(cases, "a"+string(r)+"b")
	}
	for _, r := range []rune{0x2028, 0x2029, 0xD7FF, 0xE000, 0xFEFF, 0xFFFD, 0xFFFE, 0xFFFF, 0x10000, 0x10FFFF} {
		cases = append(cases, string(r), "x"+string(r))
	}
	cases = append(cases, "", " ", "- x: y", "#", "'", `"\"`, "a\r\nb", "\xff\xfe", "ok\xc3")
	hex31 := "0123456789abcdef0123456789abcde"
	for _, r := range []rune{0x7f, 0x1f, '\r', 0x85, 0x9f, 0xfffe, 0x2028, 0x10ffff} {
		cases = append(cases, string(r)+hex31, hex31[:16]+string(r)+hex31)
	}
	for _, s := range cases {
		var got map[string]string
		doc := "k: " + quote(s) + "\n"
		if err := yaml.Unmarshal([]byte(doc), &got); err != nil {
			t.Fatalf("quote(%q) = %s: the YAML does not parse: %v", s, quote(s), err)
		}
		if want := string([]rune(s)); got["k"] != want {
			t.Fatalf("quote(%q) = %s reads back as %q", s, quote(s), got["k"])
		}
		if q := quote(s); maskHex32(s) == s && maskHex32(q) != q {
			t.Fatalf("quote(%q) = %s: an escape and the digits after it make a run of 32 hex digits", s, q)
		}
	}
}

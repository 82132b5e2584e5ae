package main

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

// timelineJSON runs `mockserver timeline --format json` and returns its rows
// as the server would answer them: a body, or an error status.
func timelineJSON(t *testing.T, args ...string) []map[string]json.RawMessage {
	t.Helper()
	var out strings.Builder
	if err := run(context.Background(), append([]string{"timeline", "--format", "json"}, args...), env(nil), &out, io.Discard); err != nil {
		t.Fatalf("timeline %v: %v", args, err)
	}
	var rows []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out.String()), &rows); err != nil {
		t.Fatalf("timeline JSON: %v\n%s", err, out.String())
	}
	return rows
}

// The acceptance: a test freezes the clock, advances it five minutes
// at a time through an incident, and sees exactly what timeline printed.
func TestFrozenClockAdvancedThroughAnIncidentMatchesTheTimeline(t *testing.T) {
	start := "2026-11-30T13:50:00+08:00"
	url, _, _ := startRun(t, []string{"--scenario", "office-outage", "--clock-start", start, "--clock-speed", "0", "--seed", "3"}, nil)
	rows := timelineJSON(t, "--scenario", "office-outage", "--from", start, "--to", "2026-11-30T14:20:00+08:00", "--step", "5m", "--seed", "3")
	if len(rows) != 7 {
		t.Fatalf("%d timeline rows", len(rows))
	}
	for i, row := range rows {
		if i > 0 {
			if code, body := call(t, "POST", url+"/_mock/clock/advance", `{"by":"5m"}`, nil); code != 200 {
				t.Fatalf("advance: %d %s", code, body)
			}
		}
		code, body := call(t, "GET", url+statusPath, "", nil)
		if e, failing := row["error"]; failing {
			var want struct {
				Status int    `json:"status"`
				Code   string `json:"error_code"`
			}
			json.Unmarshal(e, &want)
			if code != want.Status || want.Status != 500 || !strings.Contains(body, `"error_code":"`+want.Code+`"`) {
				t.Errorf("%s: server %d %s, timeline %s", row["time"], code, body, e)
			}
			continue
		}
		if want := `{"statics":` + compact(t, row["statics"]) + `}`; code != 200 || body != want {
			t.Errorf("%s: server answered %d\n%s\ntimeline printed\n%s", row["time"], code, body, want)
		}
	}
	if _, body := call(t, "GET", url+"/_mock/clock", "", nil); !strings.Contains(body, `"now":"2026-11-30T14:20:00+08:00"`) || !strings.Contains(body, `"speed":0`) {
		t.Errorf("clock after six advances: %s", body)
	}
}

func compact(t *testing.T, raw json.RawMessage) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	// re-encode in the server's field order: decode into groups instead of maps
	var groups []struct {
		StaticName      string `json:"static_name"`
		RunningNum      int    `json:"running_num"`
		StopNum         int    `json:"stop_num"`
		HibernateNum    int    `json:"hibernate_num"`
		OtherNum        int    `json:"other_num"`
		AttachedNum     int    `json:"attached_num"`
		UnattachedNum   int    `json:"unattached_num"`
		CannotAttachNum int    `json:"cannot_attach_num"`
		InProcessNum    int    `json:"in_process_num"`
		InUseNum        int    `json:"in_use_num"`
		UnregisteredNum int    `json:"unregistered_num"`
		ReadyNum        int    `json:"ready_num"`
		DisconnectedNum int    `json:"disconnected_num"`
		UnknownNum      int    `json:"unknown_num"`
	}
	json.Unmarshal(raw, &groups)
	b, _ := json.Marshal(groups)
	return string(b)
}

// X-Mock-Time answers as of any instant, whatever the clock says and
// whatever was asked before; per-project clocks are isolated; reset puts
// the clock back to --clock-start.
func TestClockPerRequestPerProjectAndReset(t *testing.T) {
	start := "2026-11-30T03:00:00+08:00"
	url, _, _ := startRun(t, []string{"--scenario", "office-day", "--clock-start", start, "--clock-speed", "0"}, nil)
	at := func(project, when string) string {
		hdr := map[string]string{}
		if when != "" {
			hdr["X-Mock-Time"] = when
		}
		code, body := call(t, "GET", url+"/v2/"+project+"/connections/status", "", hdr)
		if code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		return body
	}
	night := at("p1", "")
	morning := at("p1", "2026-11-30T10:30:00+08:00")
	if night == morning || at("p1", "2026-11-30T03:00:00+08:00") != night || at("p1", "2026-11-29T19:30:00Z") != night {
		t.Fatal("X-Mock-Time does not answer as of its instant")
	}
	if code, body := call(t, "PUT", url+"/_mock/clock?project_id=p2", `{"now":"2026-11-30T10:30:00+08:00"}`, nil); code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	if at("p2", "") != morning || at("p1", "") != night {
		t.Fatal("a project's clock moved another project's answers")
	}
	for _, c := range []struct{ method, path, body, want string }{
		{"PUT", "/_mock/clock", `{"now":"tomorrow"}`, `now \"tomorrow\": use RFC 3339`},
		{"PUT", "/_mock/clock", `{"speed":-2}`, "speed -2 is negative"},
		{"PUT", "/_mock/clock", `{}`, `give \"now\"`},
		{"POST", "/_mock/clock/advance", `{"by":"soon"}`, `by \"soon\" is not a duration`},
		{"POST", "/_mock/clock/advance", `{"by":"-5m"}`, "only moves forward"},
		{"GET", statusPath, "", "X-Mock-Time"},
	} {
		hdr := map[string]string{}
		if c.method == "GET" {
			hdr["X-Mock-Time"] = "noon"
		}
		code, body := call(t, c.method, url+c.path, c.body, hdr)
		if code != 400 || !strings.Contains(body, "MOCK.0001") || !strings.Contains(body, c.want) {
			t.Errorf("%s %s %s: %d %s", c.method, c.path, c.body, code, body)
		}
	}
	if _, body := call(t, "GET", url+"/_mock/clock", "", nil); !strings.Contains(body, `"now":"2026-11-30T03:00:00+08:00"`) {
		t.Fatalf("bad input changed the clock: %s", body)
	}
	call(t, "PUT", url+"/_mock/clock", `{"now":"2026-12-06T10:30:00+08:00","speed":60}`, nil)
	call(t, "POST", url+"/_mock/reset", "", nil)
	if _, body := call(t, "GET", url+"/_mock/clock", "", nil); !strings.Contains(body, `"now":"2026-11-30T03:00:00+08:00","speed":0`) {
		t.Fatalf("reset left the clock at %s", body)
	}
	if at("p2", "") != night {
		t.Fatal("reset kept p2's own clock")
	}
}

func TestTimelineTableAndCSV(t *testing.T) {
	var out strings.Builder
	args := []string{"timeline", "--scenario", "office-outage", "--from", "2026-11-30T13:55:00+08:00", "--to", "2026-11-30T14:05:00+08:00", "--step", "5m"}
	if err := run(context.Background(), args, env(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 10 || !strings.Contains(lines[5], "(the API answers 500 WKS.00000003)") || !strings.Contains(lines[1], "finance-pool") {
		t.Fatalf("table:\n%s", out.String())
	}
	out.Reset()
	if err := run(context.Background(), append(args, "--format", "csv"), env(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 10 || !strings.HasPrefix(lines[0], "time,static_name,running,") || !strings.HasSuffix(lines[5], ",500,WKS.00000003") {
		t.Fatalf("csv:\n%s", out.String())
	}
	for _, bad := range [][]string{{"timeline"}, {"timeline", "--scenario", "office-day", "--from", "x", "--to", "y"},
		{"timeline", "--scenario", "nope", "--from", "2026-11-30T00:00:00Z", "--to", "2026-11-30T01:00:00Z"},
		{"timeline", "--scenario", "office-day", "--from", "2026-11-30T00:00:00Z", "--to", "2027-11-30T00:00:00Z", "--step", "1s"}} {
		if err := run(context.Background(), bad, env(nil), io.Discard, io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

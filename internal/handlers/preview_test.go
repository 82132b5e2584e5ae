package handlers

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// A preview is bounded before any work: by instants counted without
// saturation (a 292-year span used to slip through as 68,388 instants), by
// the pools it writes and by the desktops a fleet simulates; a bounded
// preview of a big fleet (limit, total) still answers.
func TestPreviewIsBoundedBeforeAnyWork(t *testing.T) {
	var pools strings.Builder
	for i := 0; i < 20_000; i++ {
		fmt.Fprintf(&pools, "    - {name: p%d, desktops: 1}\n", i)
	}
	m := newMock(t, Options{Scenarios: setOf(t, map[string]string{
		"default.yaml": "name: default\nfleet:\n  time_zone: Asia/Shanghai\n  pools:\n" + pools.String(),
		"large.yaml":   "name: large\ngenerate: {groups: 1000, name: \"pool-{number:1,99999}\", desktops: 5}\n",
	})})
	day := "from=2026-11-30T00:00:00%2B08:00&to=2026-11-30T23:59:59%2B08:00&step=15m"
	for _, c := range []struct{ query, want string }{
		{"from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z&step=1281h40m", "68388 instants"},
		{day, "96 instants of 20000 pools"},
		{"project_id=big&from=2026-11-30T00:00:00Z&to=2026-12-01T09:18:00Z&step=1m", "1999 instants of 1000 pools"},
	} {
		path := "/_mock/preview?" + c.query
		if strings.HasPrefix(c.query, "project_id=big") {
			if err := m.SetScenario("big", "large"); err != nil {
				t.Fatal(err)
			}
		}
		e := checkError(t, do(m, "GET", path, nil), 400, "MOCK.0001")
		if e.Msg == nil || !strings.Contains(*e.Msg, c.want) {
			t.Errorf("%s: %v, want it to say %q", path, e.Msg, c.want)
		}
	}
	for query, want := range map[string][2]int{"limit=50": {1, 50}, day + "&total=1": {96, 1}} {
		rec := do(m, "GET", "/_mock/preview?"+query, nil)
		var p struct {
			Answers []struct{ Statics []json.RawMessage } `json:"answers"`
		}
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &p) != nil || len(p.Answers) != want[0] || len(p.Answers[0].Statics) != want[1] {
			t.Errorf("%s: %d, %d answers, want %d of %d pools: %.200s", query, rec.Code, len(p.Answers), want[0], want[1], rec.Body.String())
		}
	}
}

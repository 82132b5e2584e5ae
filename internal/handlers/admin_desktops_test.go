package handlers

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/workspace-mock/mockserver/internal/wire"
)

type desktopsPage struct {
	Counters map[string]any `json:"counters"`
	Total    int64          `json:"total"`
	Time     string         `json:"time"`
	Desktops []struct {
		ID           string `json:"desktop_id"`
		ComputerName string `json:"computer_name"`
		LoginStatus  string `json:"login_status"`
		UserName     string `json:"user_name"`
	} `json:"desktops"`
	Injected *struct {
		Status int    `json:"status"`
		Left   int64  `json:"left"`
		Layer  string `json:"layer"`
	} `json:"injected"`
}

func getJSON(t *testing.T, m *Mock, path string, v any) {
	t.Helper()
	rec := do(m, "GET", path, nil)
	if rec.Code != 200 {
		t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// A pool's desktops, page by page, add up to its counters at the project's
// instant; a desktop's sessions are found by its id; nothing is used up.
func TestThePoolsDesktopsAddUpToItsCounters(t *testing.T) {
	m := newMock(t, Options{})
	at := time.Date(2026, 11, 30, 10, 30, 0, 0, time.FixedZone("", 8*3600))
	if err := m.SetScenario("p3", "office-day"); err != nil {
		t.Fatal(err)
	}
	if err := m.SetClock("p3", &at, new(float64)); err != nil {
		t.Fatal(err)
	}
	inUse, total, seen := 0, int64(0), int64(0)
	var connected string
	for offset := 0; ; offset += 7 {
		var p desktopsPage
		getJSON(t, m, "/_mock/desktops?project_id=p3&pool=engineering-pool&limit=7&offset="+strconv.Itoa(offset), &p)
		total = p.Total
		if p.Time != "2026-11-30T10:30:00+08:00" {
			t.Fatalf("the page is at %s, want the project's instant in its zone", p.Time)
		}
		for _, d := range p.Desktops {
			if d.LoginStatus == "CONNECTED" {
				inUse++
				connected = d.ID
			}
		}
		seen += int64(len(p.Desktops))
		if len(p.Desktops) == 0 {
			if inUse != int(p.Counters["in_use_num"].(float64)) || seen != total || total == 0 {
				t.Fatalf("%d desktops listed of %d, %d in use, the counters say %v", seen, total, inUse, p.Counters)
			}
			break
		}
	}
	var s struct {
		Pool     string `json:"pool"`
		Sessions []struct {
			Start string `json:"start"`
			End   string `json:"end"`
		} `json:"sessions"`
	}
	getJSON(t, m, "/_mock/sessions?project_id=p3&desktop_id="+connected, &s)
	if s.Pool != "engineering-pool" || len(s.Sessions) == 0 || s.Sessions[len(s.Sessions)-1].End != "" || !strings.HasPrefix(s.Sessions[0].Start, "2026-11-30T") {
		t.Fatalf("a connected desktop's sessions: %+v", s)
	}

	// an injected error is reported, not used up
	if err := m.InjectError("p3", wire.Mock(500, "WKS.00000003", "boom"), 2); err != nil {
		t.Fatal(err)
	}
	var p desktopsPage
	for range 3 {
		getJSON(t, m, "/_mock/desktops?project_id=p3&pool=engineering-pool", &p)
	}
	if p.Injected == nil || p.Injected.Status != 500 || p.Injected.Left != 2 || p.Injected.Layer != "project" {
		t.Fatalf("injected: %+v", p.Injected)
	}
	var pre struct {
		Injected *struct{ Left int64 } `json:"injected"`
	}
	getJSON(t, m, "/_mock/preview?project_id=p3", &pre)
	if pre.Injected == nil || pre.Injected.Left != 2 {
		t.Fatalf("the preview's injected error: %+v", pre.Injected)
	}

	for path, code := range map[string]int{
		"/_mock/desktops?pool=nope":                                404,
		"/_mock/desktops":                                          400,
		"/_mock/desktops?pool=x&limit=0":                           400,
		"/_mock/desktops?pool=x&offset=-1":                         400,
		"/_mock/sessions":                                          400,
		"/_mock/sessions?desktop_id=" + url.QueryEscape("no such"): 404,
	} {
		if rec := do(m, "GET", path, nil); rec.Code != code {
			t.Errorf("GET %s: %d, want %d: %s", path, rec.Code, code, rec.Body)
		}
	}
}

// The clock reads in the fleet's zone, to the second.
func TestTheClockReadsInTheFleetsZone(t *testing.T) {
	m := newMock(t, Options{})
	at := time.Date(2026, 11, 30, 2, 30, 0, 123, time.UTC)
	_ = m.SetScenario("p3", "office-day")
	_ = m.SetClock("", &at, new(float64))
	for project, want := range map[string][2]string{"p3": {"2026-11-30 Mon 10:30:00", "Asia/Shanghai"}, "": {"2026-11-30 Mon 02:30:00", "UTC"}} {
		var c struct{ Local, Zone string }
		getJSON(t, m, "/_mock/clock?project_id="+project, &c)
		if c.Local != want[0] || c.Zone != want[1] {
			t.Errorf("project %q: the clock reads %q in %q, want %q", project, c.Local, c.Zone, want)
		}
	}
}

// The drill-down names the pool by the id ListDesktopPools lists for it,
// which is what ExecuteDesktopPoolAction takes; once the pool is started,
// its desktops show the transition under way.
func TestTheDrillDownGivesThePoolsIDAndTheTransition(t *testing.T) {
	m := frozenMock(t, "office-day", nightShanghai)
	var pools struct {
		Pools []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"desktop_pools"`
	}
	getJSON(t, m, "/v2/p1/desktop-pools?name=finance-pool", &pools)
	var page struct {
		PoolID   string `json:"pool_id"`
		Desktops []struct {
			Status     string `json:"status"`
			TaskStatus string `json:"task_status"`
		} `json:"desktops"`
	}
	getJSON(t, m, "/_mock/desktops?project_id=p1&pool=finance-pool", &page)
	if len(pools.Pools) != 1 || pools.Pools[0].Name != "finance-pool" || page.PoolID != pools.Pools[0].ID {
		t.Fatalf("ListDesktopPools: %+v; the drill-down's pool_id %q", pools.Pools, page.PoolID)
	}
	if rec := doBody(m, "POST", "/v2/p1/desktop-pools/"+page.PoolID+"/action", `{"op_type":"os-start"}`, nil); rec.Code != 200 {
		t.Fatalf("starting the pool by that id: %d %s", rec.Code, rec.Body)
	}
	getJSON(t, m, "/_mock/desktops?project_id=p1&pool=finance-pool", &page)
	if d := page.Desktops[0]; d.Status == "ACTIVE" || d.TaskStatus != "powering-on" {
		t.Fatalf("a desktop of the pool just started, in the drill-down: %+v", d)
	}
}

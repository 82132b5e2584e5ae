package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/workspace-mock/mockserver/internal/desktops"
	"github.com/workspace-mock/mockserver/internal/engine"
	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// The control page's drill-down over the admin API: GET /_mock/desktops (a
// pool's desktops) and GET /_mock/sessions (a desktop's sessions of the
// simulated day), at the project's instant. Like the preview, they change
// nothing.

// Bounds of a page of desktops.
const (
	defaultDesktopsLimit = 50
	maxDesktopsLimit     = 1000
)

// The answers, fields in the order of their names, as the JSON has them.
type (
	desktopsAnswer struct {
		Counters fixtures.Group `json:"counters"`
		drillAnswer
		Desktops []desktopRow `json:"desktops"`
		Limit    int64        `json:"limit"`
		Offset   int64        `json:"offset"`
		Pool     string       `json:"pool"`
		PoolID   string       `json:"pool_id"`
		Total    int64        `json:"total"`
	}
	sessionsAnswer struct {
		Desktop desktopRow `json:"desktop"`
		drillAnswer
		Pool     string       `json:"pool"`
		Sessions []sessionRow `json:"sessions"`
	}
	// drillAnswer is what both say of the instant they answer at.
	drillAnswer struct {
		Error    *engine.ErrorSummary  `json:"error,omitempty"` // the scenario answers an error now: no desktops
		Fault    fixtures.Fault        `json:"fault,omitempty"`
		Injected *engine.InjectedError `json:"injected,omitempty"` // the API answers this instead, for now
		Scenario string                `json:"scenario"`
		Time     string                `json:"time"`
	}
	desktopRow struct {
		AttachState  string `json:"attach_state"`
		ComputerName string `json:"computer_name"`
		Created      string `json:"created"`
		ID           string `json:"desktop_id"`
		IP           string `json:"ip_address"`
		LoginStatus  string `json:"login_status"`
		Status       string `json:"status"`
		TaskStatus   string `json:"task_status"`
		UserName     string `json:"user_name"`
	}
	sessionRow struct {
		End          string `json:"end,omitempty"` // absent: still connected
		NetworkRTT   int32  `json:"network_rtt"`
		PublicIP     string `json:"public_ip"`
		Reconnect    bool   `json:"reconnect"`
		Start        string `json:"start"`
		TerminalType string `json:"terminal_type"`
		UserName     string `json:"user_name"`
	}
)

func drillOf(d engine.Drill) drillAnswer {
	return drillAnswer{Error: engine.Summarize(d.Error), Fault: d.Fault, Injected: d.Injected, Scenario: d.Scenario, Time: d.Time.Format(time.RFC3339)}
}

func rowOf(d desktops.Desktop) desktopRow {
	return desktopRow{AttachState: d.AttachState, ComputerName: d.ComputerName, Created: d.Created, ID: d.ID,
		IP: d.IP, LoginStatus: d.LoginStatus, Status: d.Status, TaskStatus: d.TaskStatus, UserName: d.UserName}
}

// adminDesktops answers ?pool=NAME[&offset=&limit=]: that pool's desktops.
func (m *Mock) adminDesktops(w http.ResponseWriter, r *http.Request) {
	project, ok := targetProject(w, r)
	if !ok {
		return
	}
	v := r.URL.Query()
	pool := v.Get("pool")
	offset, err1 := queryInt(v.Get("offset"), 0, 0, fixtures.MaxCount)
	limit, err2 := queryInt(v.Get("limit"), defaultDesktopsLimit, 1, maxDesktopsLimit)
	switch {
	case pool == "":
		writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", "pool: give the name of a pool (its static_name)"))
		return
	case err1 != nil:
		writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", "offset: "+err1.Error()))
		return
	case err2 != nil:
		writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", "limit: "+err2.Error()))
		return
	}
	page, err := m.Desktops(project, pool, offset, limit)
	if drillFailed(w, err, "pool", pool) {
		return
	}
	rows := make([]desktopRow, 0, len(page.Desktops))
	for _, d := range page.Desktops {
		rows = append(rows, rowOf(d))
	}
	writeAdmin(w, desktopsAnswer{Counters: page.Counters, drillAnswer: drillOf(page.Drill), Desktops: rows,
		Limit: limit, Offset: offset, Pool: pool, PoolID: page.PoolID, Total: page.Total})
}

// adminSessions answers ?desktop_id=ID (or a computer name): its sessions
// of the simulated day so far.
func (m *Mock) adminSessions(w http.ResponseWriter, r *http.Request) {
	project, ok := targetProject(w, r)
	if !ok {
		return
	}
	id := r.URL.Query().Get("desktop_id")
	if id == "" {
		writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", "desktop_id: give a desktop's id or computer name"))
		return
	}
	s, err := m.Sessions(project, id)
	if drillFailed(w, err, "desktop", id) {
		return
	}
	rows := make([]sessionRow, 0, len(s.Sessions))
	for _, x := range s.Sessions {
		row := sessionRow{NetworkRTT: x.NetworkRTT, PublicIP: x.PublicIP, Reconnect: x.Reconnect,
			Start: x.Setup.Format(time.RFC3339), TerminalType: x.TerminalType, UserName: x.UserName}
		if !x.End.IsZero() {
			row.End = x.End.Format(time.RFC3339)
		}
		rows = append(rows, row)
	}
	writeAdmin(w, sessionsAnswer{Desktop: rowOf(s.Desktop), drillAnswer: drillOf(s.Drill), Pool: s.Pool, Sessions: rows})
}

// drillFailed writes the error of a drill-down, if there is one.
func drillFailed(w http.ResponseWriter, err error, what, name string) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, engine.ErrUpstream):
		writeError(w, wire.Mock(http.StatusBadRequest, "MOCK.0001", "the upstream answers this project (--upstream): no simulated desktops to show"))
	case errors.Is(err, engine.ErrNoSuchPool), errors.Is(err, engine.ErrNoSuchDesktop):
		writeError(w, wire.Mock(http.StatusNotFound, "MOCK.0404", fmt.Sprintf("no %s %q in the project's scenario now", what, wire.Truncate(name, 80))))
	default:
		writeError(w, wire.Mock(http.StatusInternalServerError, "MOCK.0002", err.Error()))
	}
	return true
}

// queryInt reads a whole number in [lo, hi]; "" is def.
func queryInt(s string, def, lo, hi int64) (int64, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%q: give a whole number from %d to %d", wire.Truncate(s, 40), lo, hi)
	}
	return n, nil
}

package mockserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Admin calls the emulator's admin API (/_mock/): the same calls as the
// control page and curl. Its methods apply to every project, or, on
// Project(id), to one project only, so parallel tests that use different
// project ids don't disturb each other.
type Admin struct {
	base      string
	token     string
	projectID string
	client    *http.Client
}

// NewAdmin is a client of the emulator at base (http://host:port); token is
// the --admin-token, or empty.
func NewAdmin(base, token string) *Admin {
	return &Admin{base: strings.TrimRight(base, "/"), token: token, client: &http.Client{Timeout: 30 * time.Second}}
}

// Project is the same client, for one project id (?project_id=).
func (a *Admin) Project(id string) *Admin {
	p := *a
	p.projectID = id
	return &p
}

// Error is an answer of the admin API other than 2xx, in the emulator's
// documented error shape.
type Error struct {
	Status int
	Code   string `json:"error_code"`
	Msg    string `json:"error_msg"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("mockserver admin API: %d %s: %s", e.Status, e.Code, e.Msg)
}

// SetScenario switches the scenario (PUT /_mock/scenario).
func (a *Admin) SetScenario(ctx context.Context, name string) error {
	return a.call(ctx, http.MethodPut, "/_mock/scenario", nil, map[string]any{"name": name}, nil)
}

// InjectError makes requests fail with a documented status (PUT
// /_mock/error): the next count requests, or every one until ClearError
// when count is 0.
func (a *Admin) InjectError(ctx context.Context, status, count int) error {
	return a.call(ctx, http.MethodPut, "/_mock/error", nil, map[string]any{"status": status, "count": count}, nil)
}

// ClearError stops failing (DELETE /_mock/error).
func (a *Admin) ClearError(ctx context.Context) error {
	return a.call(ctx, http.MethodDelete, "/_mock/error", nil, nil, nil)
}

// SetDelay delays every answer: "300ms", or a range "100ms..900ms" drawn
// per request (PUT /_mock/delay).
func (a *Admin) SetDelay(ctx context.Context, delay string) error {
	return a.call(ctx, http.MethodPut, "/_mock/delay", nil, map[string]any{"delay": delay}, nil)
}

// Clock is the simulated clock's reading.
type Clock struct {
	Now   time.Time `json:"now"`
	Speed float64   `json:"speed"`
	// Local and Zone: the reading in the fleet's time zone, to the second
	// ("2026-11-30 Mon 10:30:00", "Asia/Shanghai"); UTC for other scenarios.
	Local string `json:"local,omitempty"`
	Zone  string `json:"zone,omitempty"`
}

// Clock reads the simulated clock (GET /_mock/clock).
func (a *Admin) Clock(ctx context.Context) (Clock, error) {
	var c Clock
	err := a.call(ctx, http.MethodGet, "/_mock/clock", nil, nil, &c)
	return c, err
}

// SetTime sets the simulated clock, keeping its speed (PUT /_mock/clock).
func (a *Admin) SetTime(ctx context.Context, t time.Time) (Clock, error) {
	var c Clock
	err := a.call(ctx, http.MethodPut, "/_mock/clock", nil, map[string]any{"now": t.Format(time.RFC3339Nano)}, &c)
	return c, err
}

// SetClockSpeed sets simulated seconds per real second; 0 freezes the clock.
func (a *Admin) SetClockSpeed(ctx context.Context, speed float64) (Clock, error) {
	var c Clock
	err := a.call(ctx, http.MethodPut, "/_mock/clock", nil, map[string]any{"speed": speed}, &c)
	return c, err
}

// Advance moves the simulated clock forward (POST /_mock/clock/advance).
func (a *Admin) Advance(ctx context.Context, d time.Duration) (Clock, error) {
	var c Clock
	err := a.call(ctx, http.MethodPost, "/_mock/clock/advance", nil, map[string]any{"by": d.String()}, &c)
	return c, err
}

// Reset puts the emulator (or the project) back to its start-up state: no
// switches, sequences from the start, an empty journal, the clock at its
// start (POST /_mock/reset).
func (a *Admin) Reset(ctx context.Context) error {
	return a.call(ctx, http.MethodPost, "/_mock/reset", nil, nil, nil)
}

// Request is one entry of the request journal: what a client sent and
// what it was answered.
type Request struct {
	Operation     string    `json:"operation,omitempty"` // ListInstancesStatus, ListDesktopsDetail, ...
	Time          time.Time `json:"time"`
	Method        string    `json:"method"`
	Path          string    `json:"path"`
	Query         string    `json:"query,omitempty"`
	ProjectID     string    `json:"project_id,omitempty"`
	RequestID     string    `json:"request_id"`
	Status        int       `json:"status"` // 0 when a transport fault answered
	Fault         string    `json:"fault,omitempty"`
	Scenario      string    `json:"scenario,omitempty"`
	XProjectID    string    `json:"x_project_id,omitempty"`
	UserAgent     string    `json:"user_agent,omitempty"`
	SdkDate       string    `json:"x_sdk_date,omitempty"`
	LatencyMS     float64   `json:"latency_ms"`
	Authorization bool      `json:"authorization"`
	SecurityToken bool      `json:"security_token"`
	AuthToken     bool      `json:"auth_token"`
	Proxied       bool      `json:"proxied,omitempty"`
}

// Requests reads the request journal, oldest first (GET /_mock/requests).
func (a *Admin) Requests(ctx context.Context) ([]Request, error) {
	var out struct {
		Requests []Request `json:"requests"`
	}
	err := a.call(ctx, http.MethodGet, "/_mock/requests", nil, nil, &out)
	return out.Requests, err
}

// ClearRequests empties the journal (DELETE /_mock/requests).
func (a *Admin) ClearRequests(ctx context.Context) error {
	return a.call(ctx, http.MethodDelete, "/_mock/requests", nil, nil, nil)
}

func (a *Admin) call(ctx context.Context, method, path string, query url.Values, in, out any) error {
	if query == nil {
		query = url.Values{}
	}
	if a.projectID != "" {
		query.Set("project_id", a.projectID)
	}
	u := a.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		e := &Error{Status: resp.StatusCode}
		_ = json.Unmarshal(data, e)
		return e
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("mockserver admin API: %s %s: %w", method, path, err)
		}
	}
	return nil
}

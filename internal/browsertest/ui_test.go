package browsertest

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/handlers"
	"github.com/workspace-mock/mockserver/internal/wire"
)

var updateScreenshot = flag.Bool("update-screenshot", false, "write docs/control-page.png from the test's browser")

// browser opens a headless Chromium on srv's control page and fails the test
// on any console error, uncaught exception, or request to another host.
func browser(t *testing.T, srv *httptest.Server) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI must install Debian's chromium (.ci/run does)")
		}
		t.Skip("no chromium: apt-get install chromium")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1280, 800))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelC(); cancelA() })

	host := strings.TrimPrefix(srv.URL, "http://")
	var mu sync.Mutex
	var problems []string
	problem := func(p string) { mu.Lock(); problems = append(problems, p); mu.Unlock() }
	console := chromedp.Events(ctx, runtime.ConsoleAPICalled)
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	requests := chromedp.Events(ctx, network.RequestWillBeSent)
	go func() {
		for ev, err := range console {
			if err != nil {
				return
			}
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				problem(fmt.Sprintf("console error: %v", ev.Args))
			}
		}
	}()
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			problem("exception: " + (&chromedp.ExceptionError{ExceptionDetails: ev.ExceptionDetails}).Error())
		}
	}()
	go func() {
		for ev, err := range requests {
			if err != nil {
				return
			}
			if u, err := url.Parse(ev.Request.URL); err == nil && u.Scheme != "data" && u.Host != host {
				problem("a request to another host: " + ev.Request.URL)
			}
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			t.Error(p)
		}
	})
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/_mock/ui")); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// set gives a form field a value, as a user would, and tells the page.
func set(id, value string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.value = %q;
			e.dispatchEvent(new Event("input")); e.dispatchEvent(new Event("change")); return true })()`, id, value))(ctx, t)
		return chromedp.Void{}, err
	}
}

// run runs JavaScript in the page for its effect (a click on a button
// found by its text).
func run(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](`(() => { `+expr+`; return true })()`)(ctx, t)
		return chromedp.Void{}, err
	}
}

// until polls a JavaScript condition in the page (at most 20 s).
func until(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))(ctx, t)
		if err != nil {
			page, _ := chromedp.Evaluate[string](`"message: " + document.getElementById("message").textContent + " | active: " + document.getElementById("active").textContent`)(ctx, t)
			return chromedp.Void{}, fmt.Errorf("waiting for %s: %w (the page shows %s)", expr, err, page)
		}
		return chromedp.Void{}, nil
	}
}

func serve(t *testing.T, o handlers.Options) (*handlers.Mock, *httptest.Server) {
	t.Helper()
	_, set, problems := fixtures.Open("")
	if problems != nil {
		t.Fatal(problems)
	}
	o.Scenarios = set
	m, err := handlers.New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	t.Cleanup(m.Close)
	return m, srv
}

func status(t *testing.T, url string, ua string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("User-Agent", ua)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// A newcomer steers the emulator from the page: switch a project's scenario,
// inject an error, freeze and advance the clock, set a delay; the API
// answers accordingly, and a request appears in the page's journal.
func TestControlPageSteersTheEmulator(t *testing.T) {
	m, srv := serve(t, handlers.Options{})
	ctx := browser(t, srv)
	api := func(project string) string { return srv.URL + "/v2/" + project + "/connections/status" }

	err := chromedp.Do(ctx,
		until(`document.querySelectorAll("#scenario option").length > 10`),
		set("project", "p1"),
		set("scenario", "empty"),
		chromedp.Click(chromedp.ID("switch-scenario")),
		until(`document.getElementById("message").textContent.includes("Scenario switched to empty for project p1")`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, projects := m.Active(); projects["p1"] != "empty" {
		t.Fatalf("after the click, p1 answers from %q", projects["p1"])
	}

	err = chromedp.Do(ctx,
		set("error-status", "429"),
		set("error-count", "2"),
		chromedp.Click(chromedp.ID("inject-error")),
		until(`document.getElementById("active").textContent.includes("error 429 × 2")`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := []int{status(t, api("p1"), "t"), status(t, api("p1"), "t"), status(t, api("p1"), "t"), status(t, api("p2"), "t")}; fmt.Sprint(got) != "[429 429 200 200]" {
		t.Fatalf("after injecting 429 x2 for p1: %v", got)
	}

	// a request of the test appears in the journal, newest first
	status(t, api("journal-check"), "browser-test/1.0")
	if err := chromedp.Do(ctx, until(`document.querySelector("#journal tbody tr") && document.querySelector("#journal tbody tr").textContent.includes("journal-check")`)); err != nil {
		t.Fatal("the journal did not show the request: ", err)
	}

	// the clock, globally: freeze, then advance 15 minutes
	err = chromedp.Do(ctx,
		set("project", ""),
		chromedp.Click(chromedp.ID("freeze-clock")),
		until(`document.getElementById("message").textContent.includes("Clock frozen")`),
	)
	if err != nil || m.ClockSpeed("") != 0 {
		t.Fatalf("freeze: %v, speed %v", err, m.ClockSpeed(""))
	}
	before := m.Now("")
	err = chromedp.Do(ctx,
		set("clock-by", "15m"),
		chromedp.Click(chromedp.ID("advance-clock")),
		until(`document.getElementById("message").textContent.includes("Clock advanced by 15m")`),
	)
	if err != nil || m.Now("").Sub(before) != 15*time.Minute {
		t.Fatalf("advance: %v, the clock moved %s", err, m.Now("").Sub(before))
	}

	// a delay for every project, then cleared
	err = chromedp.Do(ctx,
		set("delay", "250ms"),
		chromedp.Click(chromedp.ID("set-delay")),
		until(`document.getElementById("active").textContent.includes("delay 250ms")`),
		chromedp.Click(chromedp.ID("clear-delay")),
		until(`!document.getElementById("active").textContent.includes("delay 250ms")`),
	)
	if err != nil {
		t.Fatal(err)
	}

	// a fleet scenario: its answer as a chart per pool, and the simulated day
	err = chromedp.Do(ctx,
		set("project", "fleet-p"),
		set("scenario", "office-outage"),
		chromedp.Click(chromedp.ID("switch-scenario")),
		until(`document.querySelectorAll("#answer-charts .bar").length >= 12 && !document.getElementById("day-section").hidden && document.querySelector("#day-chart polyline") !== null`),
	)
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil || len(shot) == 0 {
		t.Fatal(err)
	}
	if *updateScreenshot {
		if err := os.WriteFile("../../docs/control-page.png", shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// readable on a narrow window: one column, nothing wider than the window
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		until(`document.documentElement.scrollWidth <= window.innerWidth + 1 && getComputedStyle(document.querySelector("main")).gridTemplateColumns.split(" ").length === 1`),
		chromedp.EmulateViewport(1280, 800),
	)
	if err != nil {
		t.Fatal(err)
	}

	// an admin error is shown plainly
	err = chromedp.Do(ctx,
		set("delay", "soon"),
		chromedp.Click(chromedp.ID("set-delay")),
		until(`document.getElementById("message").className === "error" && document.getElementById("message").textContent.includes("MOCK.0001")`),
	)
	if err != nil {
		t.Fatal(err)
	}
}

// With --admin-token, the page loads without it, asks for it in a password
// field, keeps it for the tab only, and never puts it in a URL.
func TestControlPageAsksForTheToken(t *testing.T) {
	_, srv := serve(t, handlers.Options{AdminToken: "s3cret-token"})
	ctx := browser(t, srv)
	err := chromedp.Do(ctx,
		until(`document.getElementById("token-dialog").classList.contains("open")`),
		chromedp.SendKeys(chromedp.ID("token"), "s3cret-token"),
		chromedp.Click(chromedp.CSS("#token-form button")),
		until(`document.querySelectorAll("#scenario option").length > 10`),
	)
	if err != nil {
		t.Fatal(err)
	}
	kind, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("token").type`))
	href, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
	stored, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`sessionStorage.getItem("mock-admin-token")`))
	if kind != "password" || strings.Contains(href, "s3cret") || stored != "s3cret-token" {
		t.Fatalf("token field type %q, page URL %q, kept %q", kind, href, stored)
	}
}

// officeDay serves project fleet-p the office-day fleet, every clock frozen
// at at, and opens the page.
func officeDay(t *testing.T, at time.Time) (*handlers.Mock, context.Context) {
	t.Helper()
	m, srv := serve(t, handlers.Options{})
	frozen := 0.0
	if err := m.SetClock("", &at, &frozen); err != nil {
		t.Fatal(err)
	}
	if err := m.SetScenario("fleet-p", "office-day"); err != nil {
		t.Fatal(err)
	}
	return m, browser(t, srv)
}

// financePool is the link to finance-pool's desktops in the current answer.
const financePool = `[...document.querySelectorAll("#answer-table button")].find((b) => b.textContent === "finance-pool")`

// A newcomer drills into a pool of a fleet: its desktops, 50 at a time,
// agree with the pool's counters in the current answer (the connected
// desktops over every page are its in_use_num), and a connected desktop's
// sessions of the day end with the one still open. The time reads in the
// fleet's zone, to the second.
func TestControlPageDrillsIntoAPool(t *testing.T) {
	_, ctx := officeDay(t, time.Date(2026, 11, 30, 10, 30, 0, 0, time.UTC).Add(-8*time.Hour))
	const pool = financePool
	err := chromedp.Do(ctx,
		until(`/^Simulated time \d{4}-\d\d-\d\d [A-Z][a-z]{2} \d\d:\d\d:\d\d \(UTC\)/.test(document.getElementById("clock-now").textContent)`),
		set("project", "fleet-p"),
		until(`document.getElementById("clock-now").textContent.includes("2026-11-30 Mon 10:30:00 (Asia/Shanghai)") && `+pool+` !== undefined`),
	)
	if err != nil {
		t.Fatal(err)
	}
	inUse, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Number(`+pool+`.closest("tr").cells[6].textContent)`))
	if err != nil || inUse == 0 {
		t.Fatalf("finance-pool at 10:30 on a Monday: %d in use (%v)", inUse, err)
	}
	if err := chromedp.Do(ctx, run(pool+`.click()`), until(`document.getElementById("pool-range").textContent === "1–50 of 120"`)); err != nil {
		t.Fatal(err)
	}
	connected, rows, somePage := 0, 0, 0
	var someone string
	page := 0
	for ; ; page++ {
		var n struct {
			Connected, Rows int
			Last            bool
			Someone         string
		}
		n, err = chromedp.Run(ctx, chromedp.Evaluate[struct {
			Connected, Rows int
			Last            bool
			Someone         string
		}](`(() => { const rows = [...document.querySelectorAll("#pool-table tbody tr")];
			const on = rows.filter((r) => r.dataset.login === "CONNECTED");
			return { Connected: on.length, Rows: rows.length, Last: document.getElementById("pool-next").disabled,
				Someone: on.length ? on[0].cells[0].textContent : "" } })()`))
		if err != nil {
			t.Fatal(err)
		}
		connected, rows = connected+n.Connected, rows+n.Rows
		if someone == "" {
			someone, somePage = n.Someone, page
		}
		if n.Last {
			break
		}
		next := fmt.Sprintf("%d–", (page+1)*50+1)
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("pool-next")), until(fmt.Sprintf(`document.getElementById("pool-range").textContent.startsWith(%q)`, next))); err != nil {
			t.Fatal(err)
		}
	}
	about, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("pool-about").textContent`))
	if rows != 120 || connected != inUse || !strings.Contains(about, fmt.Sprintf("in use %d,", inUse)) {
		t.Fatalf("the pool's pages: %d desktops, %d connected; the current answer says %d in use; the pool says %q", rows, connected, inUse, about)
	}

	// a connected desktop's sessions: the last one is still open
	for ; page > somePage; page-- {
		prev := fmt.Sprintf("%d–", (page-1)*50+1)
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("pool-prev")), until(fmt.Sprintf(`document.getElementById("pool-range").textContent.startsWith(%q)`, prev))); err != nil {
			t.Fatal(err)
		}
	}
	err = chromedp.Do(ctx,
		run(fmt.Sprintf(`[...document.querySelectorAll("#pool-table button")].find((b) => b.textContent === %q).click()`, someone)),
		until(fmt.Sprintf(`!document.getElementById("sessions-section").hidden && document.getElementById("sessions-h").textContent === %q &&
			document.querySelector("#sessions-table tbody tr:last-child") !== null &&
			document.querySelector("#sessions-table tbody tr:last-child").textContent.includes("still connected")`, "Sessions of "+someone+" today")),
	)
	if err != nil {
		t.Fatal(err)
	}
}

// The current answer shows what the API answers: an injected error in
// force (with what is left of it), or the start-up --error, not the
// scenario's data; looking at it uses none of it up.
func TestControlPageShowsTheErrorTheAPIAnswers(t *testing.T) {
	_, srv := serve(t, handlers.Options{})
	ctx := browser(t, srv)
	api := srv.URL + "/v2/p1/connections/status"
	err := chromedp.Do(ctx,
		until(`document.querySelectorAll("#answer-table button").length > 0`),
		set("project", "p1"),
		set("error-status", "500"),
		set("error-count", "2"),
		chromedp.Click(chromedp.ID("inject-error")),
		until(`document.getElementById("answer-error") !== null && document.getElementById("answer-error").textContent.includes("The API answers 500") &&
			document.getElementById("answer-error").textContent.includes("injected for this project, 2 more requests")`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := []int{status(t, api, "t"), status(t, api, "t"), status(t, api, "t")}; fmt.Sprint(got) != "[500 500 200]" {
		t.Fatalf("after the page showed the injected error: %v, want it untouched", got)
	}
	if err := chromedp.Do(ctx, until(`document.getElementById("answer-error") === null && document.querySelectorAll("#answer-table button").length > 0`)); err != nil {
		t.Fatal("once used up, the page still shows the error: ", err)
	}

	_, booted := serve(t, handlers.Options{Error: &wire.Error{Status: 503, Code: "WKS.00000503", Msg: "Service unavailable."}})
	ctx = browser(t, booted)
	err = chromedp.Do(ctx, until(`document.getElementById("answer-error") !== null &&
		document.getElementById("answer-error").textContent.includes("The API answers 503 WKS.00000503") &&
		document.getElementById("answer-error").textContent.includes("set at start-up with --error, until cleared")`))
	if err != nil {
		t.Fatal(err)
	}
}

// A person starts the desktops of a pool from the page on a frozen night
// clock: the page calls the emulated API as a script would, lists the job as
// running, and once the clock is advanced shows the job done and the
// desktops it started running and registered in the drill-down. Then two
// ticked desktops are stopped: a job of two.
func TestControlPageStartsAPoolAndFollowsTheJob(t *testing.T) {
	m, ctx := officeDay(t, time.Date(2026, 12, 1, 19, 30, 0, 0, time.UTC)) // 03:30 on a Wednesday in Shanghai
	const pool = financePool
	const rows = `[...document.querySelectorAll("#pool-table tbody tr")]`
	err := chromedp.Do(ctx,
		until(`document.querySelectorAll("#scenario option").length > 10`),
		set("project", "fleet-p"),
		until(`document.getElementById("clock-now").textContent.includes("03:30:00 (Asia/Shanghai)") && `+pool+` !== undefined`),
		run(pool+`.click()`),
		until(`document.getElementById("pool-range").textContent === "1–50 of 120" && !document.getElementById("pool-act-all").disabled`),
	)
	if err != nil {
		t.Fatal(err)
	}
	off, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](rows+`.filter((r) => r.dataset.status !== "ACTIVE").map((r) => r.dataset.id)`))
	if err != nil || len(off) == 0 {
		t.Fatalf("no desktop of finance-pool's first page is off at 03:30 (%v)", err)
	}
	err = chromedp.Do(ctx,
		set("pool-op", "os-start"),
		chromedp.Click(chromedp.ID("pool-act-all")),
		until(`document.getElementById("message").textContent.includes("os-start SOFT on the whole pool of finance-pool (project fleet-p): job ")`),
		until(`document.querySelector("#jobs-table tbody tr") !== null && document.querySelector("#jobs-table tbody tr").dataset.status === "RUNNING"`),
	)
	if err != nil {
		t.Fatal(err)
	}
	acts := m.Actions("fleet-p").Projects["fleet-p"]
	if len(acts) != 1 || acts[0].Operation != "ExecuteDesktopPoolAction" || acts[0].JobStatus != "RUNNING" || acts[0].Desktops < len(off) {
		t.Fatalf("after the click, the project's actions: %+v", acts)
	}
	job := acts[0].JobID
	err = chromedp.Do(ctx,
		until(fmt.Sprintf(`document.querySelector("#jobs-table tbody tr").dataset.job === %q`, job)),
		until(fmt.Sprintf(`(() => { const off = new Set(%s); const r = %s.filter((r) => off.has(r.dataset.id));
			return r.length === off.size && r.every((r) => r.cells[1].textContent.endsWith("(powering-on)")) })()`, jsList(off), rows)),
		set("clock-by", "10m"),
		chromedp.Click(chromedp.ID("advance-clock")),
		until(fmt.Sprintf(`(() => { const j = document.querySelector("#jobs-table tbody tr");
			return j.dataset.job === %q && j.dataset.status === "SUCCESS" && j.dataset.done === j.dataset.desktops })()`, job)),
		until(fmt.Sprintf(`(() => { const off = new Set(%s); const r = %s.filter((r) => off.has(r.dataset.id));
			return r.length === off.size && r.every((r) => r.dataset.status === "ACTIVE" && r.dataset.login === "REGISTERED") })()`, jsList(off), rows)),
	)
	if err != nil {
		t.Fatal(err)
	}

	// two ticked desktops stopped: one more job, of two
	err = chromedp.Do(ctx,
		run(rows+`.slice(0, 2).forEach((r) => r.querySelector("input[type=checkbox]").click())`),
		until(`document.getElementById("pool-act-about").textContent.startsWith("2 desktops ticked")`),
		set("pool-op", "os-stop"),
		chromedp.Click(chromedp.ID("pool-act-ticked")),
		until(`(() => { const j = document.querySelector("#jobs-table tbody tr"); return j.dataset.job !== `+fmt.Sprintf("%q", job)+` && j.dataset.status === "RUNNING" && j.dataset.desktops === "2" })()`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if acts := m.Actions("fleet-p").Projects["fleet-p"]; len(acts) != 2 || acts[1].Operation != "BatchRunDesktops" || acts[1].OpType != "os-stop" || acts[1].Desktops != 2 {
		t.Fatalf("after stopping two ticked desktops: %+v", acts)
	}
}

// jsList writes strings as a JavaScript array.
func jsList(ss []string) string {
	q := make([]string, len(ss))
	for k, s := range ss {
		q[k] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ",") + "]"
}

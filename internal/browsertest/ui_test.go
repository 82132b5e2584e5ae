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

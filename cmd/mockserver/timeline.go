package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/workspace-mock/mockserver/internal/engine"
	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// MaxTimelineInstants bounds one timeline.
const MaxTimelineInstants = 100000

// timelineArgs are the flags of `mockserver timeline`, checked.
type timelineArgs struct {
	scenario, dir, format, view string
	start, end                  time.Time
	step                        time.Duration
	seed                        int64
}

// timeline prints a scenario's counters per pool (or another view) over a
// range of simulated instants: exactly what the server answers as of each
// (X-Mock-Time).
func timeline(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	a, err := parseTimeline(args, getenv, stdout)
	if err != nil {
		return err
	}
	_, set, problems := fixtures.Open(a.dir)
	if len(problems) > 0 {
		return exitError{code: 1, msg: "the scenario files have problems:\n" + problems.Error()}
	}
	eng, err := engine.New(engine.Config{Scenarios: set, Scenario: a.scenario, Seed: a.seed})
	var bad engine.ScenarioError
	switch {
	case errors.As(err, &bad):
		return usageError("%v", bad.Unwrap())
	case err != nil:
		return err
	}
	if a.view != "status" {
		return timelineEnded(printView(ctx, eng, timelineViews[a.view], a.start, a.end, a.step, a.format, stdout))
	}
	var out timelineWriter
	switch a.format {
	case "json":
		out = &jsonTimeline{w: stdout}
	case "csv":
		out = &csvTimeline{w: stdout}
	default:
		out = &tableTimeline{w: tabwriter.NewWriter(stdout, 0, 0, 1, ' ', tabwriter.AlignRight)}
	}
	if err := out.begin(); err != nil {
		return err
	}
	if err := eng.Snapshots(ctx, "", a.start, a.end, a.step, MaxTimelineInstants, out.row); err != nil {
		_ = out.end()
		return timelineEnded(err)
	}
	return out.end()
}

// parseTimeline reads and checks the flags; --help prints them.
func parseTimeline(args []string, getenv func(string) string, stdout io.Writer) (timelineArgs, error) {
	var a timelineArgs
	var from, to string
	fs := flag.NewFlagSet("mockserver timeline", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&a.scenario, "scenario", "", "the scenario (a fleet scenario moves with time; others answer the same at every instant)")
	fs.StringVar(&a.dir, "scenarios", getenv("MOCK_SCENARIOS"), "folder of scenario files (default: the embedded ones)")
	fs.StringVar(&from, "from", "", "first instant, RFC 3339 (2026-11-30T00:00:00+08:00)")
	fs.StringVar(&to, "to", "", "last instant, RFC 3339")
	fs.DurationVar(&a.step, "step", time.Hour, "time between instants")
	fs.StringVar(&a.format, "format", "table", "table, csv or json")
	fs.StringVar(&a.view, "view", "status", "what to print: "+viewNames+" (the counters of connections/status, the tenant's login state, the pools, the online users of the range)")
	fs.Int64Var(&a.seed, "seed", 0, "seed, as the server's --seed")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, "Usage: mockserver timeline --scenario NAME --from TIME --to TIME [--step 1h] [--view status|login-state|pools|online-users] [--format table|csv|json] [--seed N] [--scenarios DIR]")
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return a, exitError{code: 0}
		}
		return a, flagError(fs, args, err)
	}
	start, err1 := time.Parse(time.RFC3339, from)
	end, err2 := time.Parse(time.RFC3339, to)
	a.start, a.end = start, end
	switch n := engine.CountInstants(start, end, a.step); {
	case a.scenario == "":
		return a, usageError("timeline needs --scenario NAME")
	case err1 != nil || err2 != nil:
		return a, usageError("timeline needs --from and --to as RFC 3339 times, e.g. --from 2026-11-30T00:00:00+08:00 --to 2026-12-01T00:00:00+08:00")
	case end.Before(start):
		return a, usageError("--to %s is before --from %s", to, from)
	case a.step <= 0:
		return a, usageError("--step %s: must be positive", a.step)
	case a.format != "table" && a.format != "csv" && a.format != "json":
		return a, usageError("--format %q: table, csv or json", a.format)
	case a.view != "status" && timelineViews[a.view].op == nil:
		return a, usageError("--view %q: one of %s", a.view, viewNames)
	case n > MaxTimelineInstants:
		return a, usageError("%s to %s by %s is %d instants, more than %d: take a longer --step", from, to, a.step, n, MaxTimelineInstants)
	}
	return a, nil
}

// timelineEnded says how a timeline that did not run through ended.
func timelineEnded(err error) error {
	if errors.Is(err, context.Canceled) {
		return exitError{code: 1, msg: "timeline stopped"}
	}
	return err
}

// timelineWriter prints the rows of a timeline as they are computed.
type timelineWriter interface {
	begin() error
	row(engine.Snapshot) error
	end() error
}

// jsonTimeline writes the rows as one JSON array, indented as
// encoding/json's Encoder with two spaces would write it.
type jsonTimeline struct {
	w    io.Writer
	rows int
}

func (t *jsonTimeline) begin() error { _, err := io.WriteString(t.w, "[\n  "); return err }

func (t *jsonTimeline) row(s engine.Snapshot) error {
	b, err := json.MarshalIndent(s.JSON(), "  ", "  ")
	if err != nil {
		return err
	}
	if t.rows > 0 {
		b = append([]byte(",\n  "), b...)
	}
	t.rows++
	_, err = t.w.Write(b)
	return err
}

func (t *jsonTimeline) end() error { _, err := io.WriteString(t.w, "\n]\n"); return err }

// counterColumns are the counters' names in the reference page's order,
// without their _num suffix.
var counterColumns = func() []string {
	out := make([]string, len(wire.CounterNames))
	for i, n := range wire.CounterNames {
		out[i] = strings.TrimSuffix(n, "_num")
	}
	return out
}()

type csvTimeline struct{ w io.Writer }

func (t *csvTimeline) begin() error {
	_, err := fmt.Fprintf(t.w, "time,static_name,%s,status,error_code\n", strings.Join(counterColumns, ","))
	return err
}

func (t *csvTimeline) row(r engine.Snapshot) error {
	at := r.Time.Format(time.RFC3339)
	var err error
	switch {
	case r.Error != nil:
		_, err = fmt.Fprintf(t.w, "%s,%s,%d,%s\n", at, strings.Repeat(",", len(counterColumns)), r.Error.Status, r.Error.Code)
	case r.Fault != fixtures.FaultNone:
		_, err = fmt.Fprintf(t.w, "%s,%s,0,fault %s\n", at, strings.Repeat(",", len(counterColumns)), r.Fault)
	}
	for i := range r.Statics {
		g := &r.Statics[i]
		b := fmt.Appendf(nil, "%s,%s", at, csvField(g.StaticName))
		for _, c := range g.Counters() {
			b = fmt.Appendf(b, ",%d", c)
		}
		if _, err = t.w.Write(append(b, ",200,\n"...)); err != nil {
			return err
		}
	}
	return err
}

func (t *csvTimeline) end() error { return nil }

func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

type tableTimeline struct{ w *tabwriter.Writer }

func (t *tableTimeline) begin() error {
	fmt.Fprint(t.w, "time\tpool\t")
	for _, c := range counterColumns {
		fmt.Fprintf(t.w, "%s\t", c)
	}
	_, err := fmt.Fprintln(t.w)
	return err
}

func (t *tableTimeline) row(r engine.Snapshot) error {
	at := r.Time.Format("2006-01-02 Mon 15:04:05")
	switch {
	case r.Error != nil:
		fmt.Fprintf(t.w, "%s\t(the API answers %d %s)\t%s\n", at, r.Error.Status, r.Error.Code, strings.Repeat("-\t", len(counterColumns)))
	case r.Fault != fixtures.FaultNone:
		fmt.Fprintf(t.w, "%s\t(a transport fault: %s)\t%s\n", at, r.Fault, strings.Repeat("-\t", len(counterColumns)))
	}
	for i := range r.Statics {
		g := &r.Statics[i]
		fmt.Fprintf(t.w, "%s\t%s\t", at, g.StaticName)
		for _, c := range g.Counters() {
			fmt.Fprintf(t.w, "%d\t", c)
		}
		fmt.Fprintln(t.w)
	}
	return nil
}

func (t *tableTimeline) end() error { return t.w.Flush() }

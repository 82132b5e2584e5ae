package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/workspace-mock/mockserver/internal/fixtures"
)

// MaxTimelineInstants bounds one timeline.
const MaxTimelineInstants = 100000

// timeline prints a scenario's counters per pool over a range of simulated
// instants: exactly what the server answers as of each (X-Mock-Time).
func timeline(args []string, getenv func(string) string, stdout io.Writer) error {
	var (
		scenario, dir, from, to, format string
		step                            time.Duration
		seed                            int64
	)
	fs := flag.NewFlagSet("mockserver timeline", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&scenario, "scenario", "", "the scenario (a fleet scenario moves with time; others answer the same at every instant)")
	fs.StringVar(&dir, "scenarios", getenv("MOCK_SCENARIOS"), "folder of scenario files (default: the embedded ones)")
	fs.StringVar(&from, "from", "", "first instant, RFC 3339 (2026-11-30T00:00:00+08:00)")
	fs.StringVar(&to, "to", "", "last instant, RFC 3339")
	fs.DurationVar(&step, "step", time.Hour, "time between instants")
	fs.StringVar(&format, "format", "table", "table, csv or json")
	fs.Int64Var(&seed, "seed", 0, "seed, as the server's --seed")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, "Usage: mockserver timeline --scenario NAME --from TIME --to TIME [--step 1h] [--format table|csv|json] [--seed N] [--scenarios DIR]")
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return exitError{code: 0}
		}
		return flagError(fs, args, err)
	}
	start, err1 := time.Parse(time.RFC3339, from)
	end, err2 := time.Parse(time.RFC3339, to)
	switch {
	case scenario == "":
		return usageError("timeline needs --scenario NAME")
	case err1 != nil || err2 != nil:
		return usageError("timeline needs --from and --to as RFC 3339 times, e.g. --from 2026-11-30T00:00:00+08:00 --to 2026-12-01T00:00:00+08:00")
	case end.Before(start):
		return usageError("--to %s is before --from %s", to, from)
	case step <= 0:
		return usageError("--step %s: must be positive", step)
	case int64(end.Sub(start)/step) >= MaxTimelineInstants:
		return usageError("%s to %s by %s is more than %d instants: take a longer --step", from, to, step, MaxTimelineInstants)
	case format != "table" && format != "csv" && format != "json":
		return usageError("--format %q: table, csv or json", format)
	}
	_, set, problems := fixtures.Open(dir)
	if len(problems) > 0 {
		return exitError{code: 1, msg: "the scenario files have problems:\n" + problems.Error()}
	}
	sc := set.Get(scenario)
	if sc == nil {
		return usageError("unknown scenario %q (known: %s)", scenario, strings.Join(set.Names(), ", "))
	}
	var rows []fixtures.Snapshot
	for t := start; !t.After(end); t = t.Add(step) {
		rows = append(rows, sc.SnapshotAt(seed, t.Truncate(time.Second)))
	}
	switch format {
	case "json":
		return writeTimelineJSON(stdout, rows)
	case "csv":
		return writeTimelineCSV(stdout, rows)
	}
	return writeTimelineTable(stdout, rows)
}

func writeTimelineJSON(w io.Writer, rows []fixtures.Snapshot) error {
	type errorJSON struct {
		Status int    `json:"status"`
		Code   string `json:"error_code"`
		Msg    string `json:"error_msg"`
	}
	type rowJSON struct {
		Time    string           `json:"time"`
		Statics []fixtures.Group `json:"statics,omitempty"`
		Error   *errorJSON       `json:"error,omitempty"`
		Fault   fixtures.Fault   `json:"fault,omitempty"`
	}
	out := make([]rowJSON, len(rows))
	for i, r := range rows {
		out[i] = rowJSON{Time: r.Time.Format(time.RFC3339), Statics: r.Statics, Fault: r.Fault}
		if r.Error != nil {
			out[i].Error = &errorJSON{r.Error.Status, r.Error.Code, r.Error.Msg}
		} else if out[i].Statics == nil && r.Fault == fixtures.FaultNone {
			out[i].Statics = []fixtures.Group{}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

var counterColumns = []string{"running", "stop", "hibernate", "other", "attached", "unattached", "cannot_attach",
	"in_process", "in_use", "unregistered", "ready", "disconnected", "unknown"}

func counters(g fixtures.Group) []int32 {
	return []int32{g.RunningNum, g.StopNum, g.HibernateNum, g.OtherNum, g.AttachedNum, g.UnattachedNum, g.CannotAttachNum,
		g.InProcessNum, g.InUseNum, g.UnregisteredNum, g.ReadyNum, g.DisconnectedNum, g.UnknownNum}
}

func writeTimelineCSV(w io.Writer, rows []fixtures.Snapshot) error {
	fmt.Fprintf(w, "time,static_name,%s,status,error_code\n", strings.Join(counterColumns, ","))
	for _, r := range rows {
		t := r.Time.Format(time.RFC3339)
		switch {
		case r.Error != nil:
			fmt.Fprintf(w, "%s,%s,%d,%s\n", t, strings.Repeat(",", len(counterColumns)), r.Error.Status, r.Error.Code)
			continue
		case r.Fault != fixtures.FaultNone:
			fmt.Fprintf(w, "%s,%s,0,fault %s\n", t, strings.Repeat(",", len(counterColumns)), r.Fault)
			continue
		}
		for _, g := range r.Statics {
			fmt.Fprintf(w, "%s,%s", t, csvField(g.StaticName))
			for _, c := range counters(g) {
				fmt.Fprintf(w, ",%d", c)
			}
			fmt.Fprint(w, ",200,\n")
		}
	}
	return nil
}

func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

func writeTimelineTable(w io.Writer, rows []fixtures.Snapshot) error {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "time\tpool\t")
	for _, c := range counterColumns {
		fmt.Fprintf(tw, "%s\t", c)
	}
	fmt.Fprintln(tw)
	for _, r := range rows {
		t := r.Time.Format("2006-01-02 Mon 15:04:05")
		switch {
		case r.Error != nil:
			fmt.Fprintf(tw, "%s\t(the API answers %d %s)\t%s\n", t, r.Error.Status, r.Error.Code, strings.Repeat("-\t", len(counterColumns)))
			continue
		case r.Fault != fixtures.FaultNone:
			fmt.Fprintf(tw, "%s\t(a transport fault: %s)\t%s\n", t, r.Fault, strings.Repeat("-\t", len(counterColumns)))
			continue
		}
		for _, g := range r.Statics {
			fmt.Fprintf(tw, "%s\t%s\t", t, g.StaticName)
			for _, c := range counters(g) {
				fmt.Fprintf(tw, "%d\t", c)
			}
			fmt.Fprintln(tw)
		}
	}
	return tw.Flush()
}

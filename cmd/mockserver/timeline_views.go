package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/workspace-mock/mockserver/internal/engine"
	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// timelineView is one of the fleet's other views over time: an operation
// asked of the engine at each instant (or once for the range), its answer
// flattened into rows under columns.
type timelineView struct {
	op      *engine.Operation
	columns []string
	rows    func(body []byte) ([][]string, error)
	once    bool // asked once for the whole range: the answer has its own buckets
}

var timelineViews = map[string]timelineView{
	"login-state": {op: engine.ListLoginState,
		columns: []string{"in_use", "ready", "disconnected", "unregistered", "unable_to_connect"},
		rows: func(body []byte) ([][]string, error) {
			var a map[string]int64
			if err := json.Unmarshal(body, &a); err != nil {
				return nil, err
			}
			row := []string{}
			for _, k := range []string{"in_use_num", "ready_num", "disconnected_num", "unregistered_num", "unable_to_connect_num"} {
				row = append(row, strconv.FormatInt(a[k], 10))
			}
			return [][]string{row}, nil
		}},
	"pools": {op: engine.ListDesktopPools,
		columns: []string{"pool", "desktop_count", "desktop_used", "status"},
		rows: func(body []byte) ([][]string, error) {
			var a struct {
				Pools []struct {
					Name         string `json:"name"`
					DesktopCount int64  `json:"desktop_count"`
					DesktopUsed  int64  `json:"desktop_used"`
					Status       string `json:"status"`
				} `json:"desktop_pools"`
			}
			if err := json.Unmarshal(body, &a); err != nil {
				return nil, err
			}
			var out [][]string
			for _, p := range a.Pools {
				out = append(out, []string{p.Name, strconv.FormatInt(p.DesktopCount, 10), strconv.FormatInt(p.DesktopUsed, 10), p.Status})
			}
			return out, nil
		}},
	"online-users": {op: engine.ListHistoryOnlineInfoNew, once: true,
		columns: []string{"bucket", "users"},
		rows: func(body []byte) ([][]string, error) {
			var a struct {
				Counts []string `json:"time_counts"`
			}
			if err := json.Unmarshal(body, &a); err != nil {
				return nil, err
			}
			var out [][]string
			for _, c := range a.Counts {
				label, n, _ := strings.Cut(c, " : ")
				out = append(out, []string{label, n})
			}
			return out, nil
		}},
}

// viewNames lists the views --view takes.
const viewNames = "status, login-state, pools, online-users"

// printView prints view over from..to by step (once for the range for a
// view with buckets of its own: online users, hourly within a day, else daily).
func printView(ctx context.Context, eng *engine.Engine, v timelineView, from, to time.Time, step time.Duration, format string, w io.Writer) error {
	out := newRowWriter(format, w, v.columns)
	ask := func(t time.Time, args engine.Args) error {
		body, e, fault, err := eng.AnswerAt(v.op, "", args, t)
		switch {
		case err != nil:
			return err
		case e != nil:
			return out.note(t, fmt.Sprintf("(the API answers %d %s)", e.Status, e.Code), errorJSON(e))
		case fault != fixtures.FaultNone:
			return out.note(t, fmt.Sprintf("(a transport fault: %s)", fault), nil)
		}
		rows, err := v.rows(body)
		if err != nil {
			return err
		}
		return out.rows(t, rows, body)
	}
	if v.once {
		const minute = "2006-01-02T15:04Z"
		q := url.Values{"start_time": {from.UTC().Format(minute)}, "end_time": {to.UTC().Format(minute)}}
		if err := ask(to, engine.Args{Query: q}); err != nil {
			return err
		}
		return out.end()
	}
	err := engine.EachInstant(from, to, step, MaxTimelineInstants, func(t time.Time) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return ask(t, engine.Args{})
	})
	if err != nil {
		_ = out.end()
		return err
	}
	return out.end()
}

func errorJSON(e *wire.Error) []byte {
	b, _ := json.Marshal(engine.Summarize(e))
	return b
}

// rowWriter writes a view's rows as a table, CSV, or JSON (each instant's
// whole answer: [{"time":...,"answer":{...}}], or "error").
type rowWriter struct {
	format string
	w      io.Writer
	tw     *tabwriter.Writer
	n      int
	cols   int
}

func newRowWriter(format string, w io.Writer, columns []string) *rowWriter {
	r := &rowWriter{format: format, w: w, cols: len(columns)}
	switch format {
	case "json":
		io.WriteString(w, "[")
	case "csv":
		fmt.Fprintf(w, "time,%s\n", strings.Join(columns, ","))
	default:
		r.tw = tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.AlignRight)
		fmt.Fprintf(r.tw, "time\t%s\t\n", strings.Join(columns, "\t"))
	}
	return r
}

func (r *rowWriter) json(t time.Time, key string, raw []byte) error {
	if r.n > 0 {
		io.WriteString(r.w, ",")
	}
	r.n++
	_, err := fmt.Fprintf(r.w, "\n  {\"time\":%q,%q:%s}", t.Format(time.RFC3339), key, raw)
	return err
}

func (r *rowWriter) rows(t time.Time, rows [][]string, raw []byte) error {
	switch r.format {
	case "json":
		return r.json(t, "answer", raw)
	case "csv":
		for _, row := range rows {
			cells := make([]string, len(row))
			for i, c := range row {
				cells[i] = csvField(c)
			}
			if _, err := fmt.Fprintf(r.w, "%s,%s\n", t.Format(time.RFC3339), strings.Join(cells, ",")); err != nil {
				return err
			}
		}
		return nil
	}
	for _, row := range rows {
		fmt.Fprintf(r.tw, "%s\t%s\t\n", t.Format("2006-01-02 Mon 15:04:05"), strings.Join(row, "\t"))
	}
	return nil
}

// note is an instant the API answers with an error or a fault.
func (r *rowWriter) note(t time.Time, text string, errJSON []byte) error {
	switch r.format {
	case "json":
		if errJSON == nil {
			errJSON = []byte(strconv.Quote(text))
		}
		return r.json(t, "error", errJSON)
	case "csv":
		_, err := fmt.Fprintf(r.w, "%s,%s%s\n", t.Format(time.RFC3339), csvField(text), strings.Repeat(",", r.cols-1))
		return err
	}
	_, err := fmt.Fprintf(r.tw, "%s\t%s\t%s\n", t.Format("2006-01-02 Mon 15:04:05"), text, strings.Repeat("-\t", r.cols-1))
	return err
}

func (r *rowWriter) end() error {
	switch r.format {
	case "json":
		_, err := io.WriteString(r.w, "\n]\n")
		return err
	case "csv":
		return nil
	}
	return r.tw.Flush()
}

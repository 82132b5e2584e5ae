package desktops

import (
	"net/url"
	"strconv"
	"time"

	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// ongoing is the End of a connection still open at the view's instant.
const ongoing = int64(1) << 62

// span is a time range the connections are read over, prepared once.
type span struct {
	from, to int64 // unix seconds, [from, to); to never after the view's instant + 1 s
	window   *fixtures.Window
}

func (v *View) spanOf(from, to time.Time) *span {
	if end := v.at.Add(time.Second); to.After(end) {
		to = end
	}
	s := &span{from: from.Unix(), to: to.Unix()}
	if v.fleet != nil && s.to > s.from {
		s.window = v.fleet.WindowOf(from, to)
	}
	return s
}

// connections appends the connections of desktop d that overlap s, by
// start; one still open at the view's instant ends at ongoing.
//
// A fleet's come from its users' days. A counter scenario has no days: a
// CONNECTED desktop has one connection, open since a drawn while (5 min to
// 6 h) before the instant; a DISCONNECTED one has one that ended a drawn
// while (1 to 100 min) before it; no other desktop has any.
func (v *View) connections(d *desk, s *span, dst []fixtures.Connection) []fixtures.Connection {
	if s.to <= s.from {
		return dst
	}
	now := v.at.Unix()
	if v.fleet != nil {
		start := len(dst)
		dst = v.fleet.Connections(v.seed, d.p.index, int(d.i), s.window, dst)
		if v.acts != nil {
			dst = v.cutByActions(d.p, d.i, dst, start)
		}
		for k := start; k < len(dst); k++ {
			if dst[k].End > now {
				dst[k].End = ongoing
			}
		}
		return dst
	}
	var c fixtures.Connection
	h := fixtures.Mix(int64(d.h), saltSession)
	dur := int64(300 + h%(maxCounterConnected-300))
	switch d.login {
	case fixtures.LoginInUse:
		c = fixtures.Connection{Setup: now - dur, End: ongoing}
	case fixtures.LoginDisconnected:
		gap := int64(60 + h>>32%(maxCounterGap-60))
		c = fixtures.Connection{Setup: now - gap - dur, End: now - gap}
	default:
		return dst
	}
	if c.Setup < s.to && c.End > s.from {
		dst = append(dst, c)
	}
	return dst
}

// How long ago a counter view's connections began: at most 6 h connected,
// then at most 100 min since a disconnection.
const (
	maxCounterConnected = 6 * 3600
	maxCounterGap       = 100 * 60
	maxCounterSession   = maxCounterConnected + maxCounterGap
)

// sessionDesk is desktop i of p as far as its sessions need it. A fleet's
// connections need no state (they are the desktop's own days), and only
// assigned desktops have any: the state, which costs as much as the
// connections, is not computed.
func (v *View) sessionDesk(p *pool, i int64) desk {
	if v.fleet == nil {
		return v.desk(p, i)
	}
	return desk{p: p, i: i, power: fixtures.PowerRunning, attach: fixtures.AttachAttached, login: fixtures.LoginUnknown,
		h: v.deskHash(p, i)}
}

// Limits of ListLoginRecordsNew.
const (
	MaxRecordsLimit     = 1000 // [SDK]/[DOC]; [DEF] says 100
	DefaultRecordsLimit = 20
)

type recordFilter struct {
	user, computer, terminal, publicIP string
	minRTT, maxRTT                     *int64
	offset, limit                      int64
	span                               *span
}

// ListLoginRecordsNew answers GET /v2/{project_id}/connections/desktops: one
// record per connection that overlaps [start_time, end_time) (default: the
// 24 hours before the view's instant), by pool, desktop, then start; paged
// by walking the desktops in order, so a day of 100,000 desktops is never
// held in memory.
func (v *View) ListLoginRecordsNew(q url.Values) ([]byte, *wire.Error) {
	f, epid, err := v.recordQuery(q)
	if err != nil {
		return nil, err
	}
	w := recordWalk{v: v, f: f, dst: append(make([]byte, 0, 1024*min(f.limit, 100)+64), `{"records":[`...)}
	switch {
	case epid != "" && epid != "0":
	case f.computer != "":
		if p, i, ok := v.lookupName(f.computer); ok {
			w.visit(p, i)
		}
	case v.fleet == nil && f.everyRecord(v):
		w.counters()
	default:
		v.eachSessionDesktop(w.visit)
	}
	dst := append(w.dst, `],"total_count":`...)
	dst = strconv.AppendInt(dst, int64(clamp(w.total)), 10)
	return append(dst, '}'), nil
}

// recordQuery reads ListLoginRecordsNew's query: the filter, over the 24
// hours before the view's instant unless a time range is given, and the
// enterprise project.
func (v *View) recordQuery(q url.Values) (f recordFilter, epid string, err *wire.Error) {
	r := &query{q: q}
	f = recordFilter{
		user:     r.str("user_name", 255),
		computer: r.str("computer_name", 255),
		terminal: r.str("terminal_type", 255),
		publicIP: r.str("public_ip", 255),
		minRTT:   r.optInt("min_network_rtt", 0, fixtures.MaxCount),
		maxRTT:   r.optInt("max_network_rtt", 0, fixtures.MaxCount),
		offset:   r.integer("offset", 0, fixtures.MaxCount, 0),
		limit:    r.integer("limit", 0, MaxRecordsLimit, DefaultRecordsLimit),
	}
	epid = r.str("enterprise_project_id", 36)
	from, to, given := r.timeRange()
	if r.err != nil {
		return f, "", r.err
	}
	if !given {
		from, to = v.at.Add(-24*time.Hour), v.at.Add(time.Second)
	}
	f.span = v.spanOf(from, to)
	return f, epid, nil
}

// recordWalk is a walk through the records in order: it counts those f
// keeps and writes the page's to dst. buf and rec are reused per desktop.
type recordWalk struct {
	v     *View
	f     recordFilter
	dst   []byte
	total int64 // records kept so far
	buf   []fixtures.Connection
	rec   record
}

// visit walks desktop i of p.
func (w *recordWalk) visit(p *pool, i int64) {
	d := w.v.sessionDesk(p, i)
	w.buf = w.v.connections(&d, w.f.span, w.buf[:0])
	drawn := false // the desktop's fields, drawn once for all its connections
	for _, c := range w.buf {
		inPage := w.total >= w.f.offset && w.total < w.f.offset+w.f.limit
		if !inPage && w.f.keepsAll() {
			w.total++ // counted, not written: no need to draw its fields
			continue
		}
		if !drawn {
			w.v.fillDesk(&w.rec, &d)
			drawn = true
		}
		w.rec.fillConn(c)
		if !w.f.match(&w.rec) {
			continue
		}
		if inPage {
			w.write(w.total)
		}
		w.total++
	}
}

// counters walks a counter view that keeps every record: one record per
// connected or disconnected desktop, all in the window, so a page is found
// by arithmetic, however many.
func (w *recordWalk) counters() {
	f := &w.f
	for k := range w.v.pools {
		p := &w.v.pools[k]
		m := min(p.login[1], p.n)
		for r := max(f.offset-w.total, 0); r < m && w.total+r < f.offset+f.limit; r++ {
			d := w.v.desk(p, p.indexOf(r))
			w.buf = w.v.connections(&d, f.span, w.buf[:0])
			w.v.fillRecord(&w.rec, &d, w.buf[0])
			w.write(w.total + r)
		}
		w.total += m
	}
}

// write appends rec, the n-th record kept, to the page.
func (w *recordWalk) write(n int64) {
	if n > w.f.offset {
		w.dst = append(w.dst, ',')
	}
	w.dst = w.rec.append(w.dst)
}

// keepsAll reports whether f looks at no field of a record.
func (f *recordFilter) keepsAll() bool {
	return f.user == "" && (f.terminal == "" || f.terminal == "WI") && f.publicIP == "" && f.minRTT == nil && f.maxRTT == nil
}

// everyRecord reports whether f keeps every record of a counter view: no
// filter on a record's fields, and a window that holds every connection.
func (f *recordFilter) everyRecord(v *View) bool {
	return f.keepsAll() && f.span.from <= v.at.Unix()-maxCounterSession && f.span.to > v.at.Unix()
}

// eachSessionDesktop calls fn with each desktop that can have connections,
// in the records' order, MaxWalk at the most: a fleet's desktops by index;
// a counter pool's connected and disconnected desktops by rank.
func (v *View) eachSessionDesktop(fn func(p *pool, i int64)) {
	walked := int64(0)
	for k := range v.pools {
		p := &v.pools[k]
		if v.fleet != nil {
			for i := int64(0); i < p.n && walked < MaxWalk; i++ {
				walked++
				fn(p, i)
			}
			continue
		}
		for r := int64(0); r < min(p.login[1], p.n) && walked < MaxWalk; r++ {
			walked++
			fn(p, p.indexOf(r))
		}
	}
}

func (f *recordFilter) match(r *record) bool {
	switch {
	case f.user != "" && f.user != r.user,
		f.terminal != "" && f.terminal != "WI" && f.terminal != r.terminalType, // WI: the Workspace client, every record's
		f.publicIP != "" && f.publicIP != r.publicIP,
		f.minRTT != nil && int64(r.networkRTT) < *f.minRTT,
		f.maxRTT != nil && int64(r.networkRTT) > *f.maxRTT:
		return false
	}
	return true
}

// record is one login record, its fields drawn from the desktop, its user's
// device and the connection.
type record struct {
	v                            *View
	d                            desk
	c                            fixtures.Connection
	h                            uint64 // the connection's hash
	user, terminalType, publicIP string
	networkRTT, e2eRTT           int32
	device                       uint64
}

var terminals = []string{"Windows 10", "Windows 11", "Windows 10", "macOS 14", "Ubuntu 22.04", "UOS 20"}

func (v *View) fillRecord(r *record, d *desk, c fixtures.Connection) {
	v.fillDesk(r, d)
	r.fillConn(c)
}

// fillDesk draws what a record takes from its desktop: the user, and the
// device they connect from (one per desktop).
func (v *View) fillDesk(r *record, d *desk) {
	r.v, r.d = v, *d
	r.user = ""
	if d.hasUser() {
		r.user = string(v.appendUserName(nil, d.p, d.i))
	}
	r.device = fixtures.Mix(int64(d.h), saltSession, 1) // the user's own device: one per desktop
	r.terminalType = terminals[r.device%uint64(len(terminals))]
	r.publicIP = "119.3." + strconv.FormatUint(r.device>>8%250+1, 10) + "." + strconv.FormatUint(r.device>>16%250+1, 10)
}

// fillConn draws what a record takes from its connection c: its line's
// round-trip times.
func (r *record) fillConn(c fixtures.Connection) {
	h := fixtures.Mix(int64(r.d.h), uint64(c.Setup))
	r.c, r.h = c, h
	r.networkRTT = int32(4 + h%60)
	if h>>8%20 == 0 {
		r.networkRTT += int32(100 + h>>16%200) // a bad line now and then
	}
	r.e2eRTT = r.networkRTT + int32(8+h>>24%40)
}

func (r *record) append(dst []byte) []byte {
	d, c, h := &r.d, r.c, r.h
	var tmp [64]byte
	dst = append(dst, '{')
	dst = r.v.appendSID(dst, d.h)
	dst = str(dst, "transaction_id", uuid(h, h*0x9e3779b97f4a7c15))
	dst = str(dst, "computer_name", string(appendComputerName(tmp[:0], d.p, d.i)))
	dst = str(dst, "user_name", r.user)
	dst = str(dst, "terminal_mac", string(appendMAC(tmp[:0], "00-e0-4c", r.device, '-')))
	dst = str(dst, "terminal_name", "PC-"+strconv.FormatUint(r.device>>24%1000000, 36))
	dst = str(dst, "terminal_ip", "192.168."+strconv.FormatUint(r.device>>40%250+1, 10)+"."+strconv.FormatUint(r.device>>48%250+2, 10))
	dst = str(dst, "client_version", "7.3.15.0")
	dst = str(dst, "terminal_type", r.terminalType)
	dst = str(dst, "agent_version", "2.3.10.10")
	dst = str(dst, "desktop_ip", string(appendIP(tmp[:0], d.p.first+d.i)))
	dst = timeField(dst, "connection_start_time", (c.Setup-2-int64(h%7))*1000, false)
	dst = timeField(dst, "connection_setup_time", c.Setup*1000, false)
	if c.End != ongoing {
		dst = timeField(dst, "connection_end_time", c.End*1000, false)
	}
	dst = boolean(dst, "is_reconnect", c.Reconnect)
	dst = strconv.AppendInt(field(dst, "network_rtt"), int64(r.networkRTT), 10)
	dst = strconv.AppendInt(field(dst, "e2e_rtt"), int64(r.e2eRTT), 10)
	dst = str(dst, "source_ip", r.publicIP)
	dst = str(dst, "public_ip", r.publicIP)
	dst = str(dst, "enterprise_project_id", "0")
	return append(dst, '}')
}

// ListHistoryOnlineInfoNew answers GET /v2/{project_id}/connections/online-users:
// per bucket, "label : count", the count being the users (one per desktop)
// connected at some moment of the bucket. query_type DAY (today, hourly),
// WEEK (7 days, daily) or MONTH (30 days, daily) wins over a time range; a
// range within one day is hourly from that day's 00:00, else daily. Days
// are the fleet's local days (UTC for counter scenarios); buckets after the
// view's instant are left out.
func (v *View) ListHistoryOnlineInfoNew(q url.Values) ([]byte, *wire.Error) {
	r := &query{q: q}
	kind := r.enum("query_type", 255, "DAY", "WEEK", "MONTH")
	from, to, given := r.timeRange()
	if r.err != nil {
		return nil, r.err
	}
	if kind == "" && !given {
		return nil, &wire.Error{Status: 400, Code: "WKS.0001", Msg: "The request message input by the interface is empty.",
			Detail: "Give query_type (DAY, WEEK, MONTH) or start_time and end_time."}
	}
	today := fixtures.LocalMidnight(v.at, v.zone, 0)
	hourly := false
	var first time.Time
	var n int
	switch kind {
	case "DAY":
		first, n, hourly = today, 24, true
	case "WEEK":
		first, n = fixtures.LocalMidnight(v.at, v.zone, -6), 7
	case "MONTH":
		first, n = fixtures.LocalMidnight(v.at, v.zone, -29), 30
	default:
		first = fixtures.LocalMidnight(from, v.zone, 0)
		last := fixtures.LocalMidnight(to.Add(-time.Second), v.zone, 0)
		if first.Equal(last) {
			hourly, n = true, int(to.Add(-time.Second).Sub(first)/time.Hour)+1
		} else {
			for d := first; !d.After(last); d = fixtures.LocalMidnight(d, v.zone, 1) {
				n++
			}
		}
	}
	bounds := make([]int64, 0, n+1) // bucket k is [bounds[k], bounds[k+1])
	for k, t := 0, first; k <= n; k++ {
		bounds = append(bounds, t.Unix())
		if hourly {
			t = t.Add(time.Hour)
		} else {
			t = fixtures.LocalMidnight(t, v.zone, 1)
		}
	}
	for len(bounds) > 1 && bounds[len(bounds)-2] > v.at.Unix() {
		bounds = bounds[:len(bounds)-1] // not begun yet
	}
	counts := v.onlineCounts(bounds)
	dst := []byte(`{"time_counts":[`)
	for k, c := range counts {
		if k > 0 {
			dst = append(dst, ',')
		}
		t := time.Unix(bounds[k], 0).In(v.zone)
		label := t.Format("2006-01-02")
		if hourly {
			label = t.Format("15:04")
		}
		dst = wire.AppendString(dst, label+" : "+strconv.FormatInt(c, 10))
	}
	return append(dst, `]}`...), nil
}

// onlineCounts counts, per bucket, the desktops with a connection in it.
func (v *View) onlineCounts(bounds []int64) []int64 {
	if len(bounds) < 2 {
		return nil
	}
	counts := make([]int64, len(bounds)-1)
	s := v.spanOf(time.Unix(bounds[0], 0), time.Unix(bounds[len(bounds)-1], 0))
	var buf []fixtures.Connection
	v.eachSessionDesktop(func(p *pool, i int64) {
		d := v.sessionDesk(p, i)
		buf = v.connections(&d, s, buf[:0])
		for b := range counts {
			for _, c := range buf {
				if c.Setup < bounds[b+1] && c.End > bounds[b] {
					counts[b]++
					break
				}
			}
		}
	})
	return counts
}

package desktops

import (
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// Limits of ListDesktopsDetail (docs/desktops.md says where they come from).
const (
	MaxDesktopsLimit     = 500 // every description; the [DEF] schema alone says 1000
	DefaultDesktopsLimit = 500
	maxIDs               = 100 // desktop_id, user_names, computer_names
)

// MaxWalk bounds the desktops one filtered or sorted query examines: past
// it (only a hand-written scenario of millions of desktops gets there) the
// answer covers the desktops examined so far, in order.
const MaxWalk = 2_000_000

// listFilter is a ListDesktopsDetail query, checked.
type listFilter struct {
	status, ip, dtype, epid, image, charge, subnet, az string
	users, names, ids, pools                           []string
	tags                                               [][2]string
	attached, maint, share, internet                   *bool
	sortField                                          string
	desc                                               bool
	offset, limit                                      int64
}

func parseList(q url.Values) (*listFilter, *wire.Error) {
	r := &query{q: q}
	f := &listFilter{
		status:    r.enum("status", 255, "ACTIVE", "SHUTOFF", "ERROR", "HIBERNATED"),
		sortField: r.enum("sort_field", 64, "created", "computer_name"),
		desc:      r.enum("sort_type", 64, "ASC", "DESC") == "DESC",
		ip:        r.str("desktop_ip", 255),
		offset:    r.integer("offset", 0, fixtures.MaxCount, 0),
		limit:     r.integer("limit", 0, MaxDesktopsLimit, DefaultDesktopsLimit),
		ids:       r.list("desktop_id", maxIDs, 255),
		dtype:     r.enum("desktop_type", 255, "DEDICATED", "POOLED", "SHARED"),
		attached:  r.boolean("user_attached"),
		epid:      r.str("enterprise_project_id", 36),
		image:     r.str("image_id", 255),
		charge:    r.enum("charge_mode", 1, "0", "1"),
		maint:     r.boolean("in_maintenance_mode"),
		share:     r.boolean("is_share_desktop"),
		subnet:    r.str("subnet_id", 255),
		internet:  r.boolean("is_support_internet"),
		az:        r.str("availability_zone", 255),
	}
	if f.epid != "" && wire.CheckProjectID(f.epid) != "" {
		r.fail("enterprise_project_id", "may hold letters, digits, '_' and '-' only")
	}
	f.users = r.list("user_names", maxIDs, 36)
	if user := r.str("user_name", 255); len(f.users) == 0 && user != "" {
		f.users = []string{user} // user_name is ignored when user_names is given
	}
	f.names = r.list("computer_names", maxIDs, 255)
	if name := r.str("computer_name", 255); name != "" {
		f.names = append(f.names, name)
	}
	if s := r.str("pool_id", 255); s != "" {
		f.pools = strings.Split(s, ",")
	}
	if s := r.str("tag", 255); s != "" {
		for _, kv := range strings.Split(s, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				r.fail("tag", "must be key=value or key1=value1,key2=value2")
				break
			}
			f.tags = append(f.tags, [2]string{k, v})
		}
	}
	return f, r.err
}

// poolOK: the filters every desktop of a pool passes or fails together.
func (f *listFilter) poolOK(p *pool) bool {
	switch {
	case f.dtype != "" && f.dtype != "POOLED",
		f.share != nil && *f.share,
		f.epid != "" && f.epid != "0",
		f.image != "" && f.image != p.image,
		f.charge != "" && f.charge != p.chargeMode(),
		f.subnet != "" && f.subnet != p.subnet,
		f.internet != nil && *f.internet != p.internet,
		f.az != "" && f.az != p.zone:
		return false
	}
	if len(f.pools) > 0 && !contains(f.pools, p.id) {
		return false
	}
	for _, t := range f.tags {
		found := false
		for _, pt := range p.tags {
			found = found || pt == t
		}
		if !found {
			return false
		}
	}
	return true
}

// perDesktop reports whether any filter looks at a single desktop.
func (f *listFilter) perDesktop() bool {
	return f.status != "" || f.ip != "" || len(f.users) > 0 || len(f.names) > 0 || len(f.ids) > 0 ||
		f.attached != nil || f.maint != nil
}

func (v *View) deskOK(f *listFilter, d *desk) bool {
	switch {
	case f.status != "" && f.status != d.status(),
		f.attached != nil && *f.attached != (d.attach == fixtures.AttachAttached),
		f.maint != nil && *f.maint != d.maintenance():
		return false
	}
	var tmp [64]byte
	if f.ip != "" && string(appendIP(tmp[:0], d.p.first+d.i)) != f.ip {
		return false
	}
	if len(f.users) > 0 && (!d.hasUser() || !contains(f.users, string(v.appendUserName(tmp[:0], d.p, d.i)))) {
		return false
	}
	if len(f.names) > 0 && !contains(f.names, string(appendComputerName(tmp[:0], d.p, d.i))) {
		return false
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// hit is a desktop a query found, with its sort key.
type hit struct {
	p   *pool
	i   int64
	key int64
	str string
}

// ListDesktopsDetail answers GET /v2/{project_id}/desktops/detail: the
// desktops that pass every filter, in pool order then by index (or by
// sort_field), offset and limit applied, with total_count.
func (v *View) ListDesktopsDetail(q url.Values) ([]byte, *wire.Error) {
	f, err := parseList(q)
	if err != nil {
		return nil, err
	}
	total, page := v.find(f)
	dst := append(make([]byte, 0, 2304*len(page)+64), `{"total_count":`...)
	dst = strconv.AppendInt(dst, int64(clamp(total)), 10)
	dst = append(dst, `,"desktops":[`...)
	for k, h := range page {
		if k > 0 {
			dst = append(dst, ',')
		}
		d := v.desk(h.p, h.i)
		dst = v.appendDesktop(dst, &d, false)
	}
	return append(dst, `]}`...), nil
}

// find is the number of desktops that pass f, and the page of them.
func (v *View) find(f *listFilter) (total int64, page []hit) {
	switch {
	case len(f.ids) > 0 || len(f.names) > 0:
		return v.findListed(f)
	case !f.perDesktop() && f.sortField == "":
		return v.findByPosition(f)
	}
	var all []hit
	walked := int64(0)
	for k := range v.pools {
		p := &v.pools[k]
		if !f.poolOK(p) {
			continue
		}
		for i := int64(0); i < p.n && walked < MaxWalk; i++ {
			walked++
			d := v.desk(p, i)
			if !v.deskOK(f, &d) {
				continue
			}
			if f.sortField != "" {
				all = append(all, v.keyed(f, &d))
			} else if total >= f.offset && total < f.offset+f.limit {
				page = append(page, hit{p: p, i: i})
			}
			total++
		}
	}
	if f.sortField == "" {
		return total, page
	}
	return total, v.sortPage(f, all)
}

func (v *View) keyed(f *listFilter, d *desk) hit {
	h := hit{p: d.p, i: d.i}
	if f.sortField == "created" {
		h.key = d.createdMs()
	} else {
		h.str = string(appendComputerName(nil, d.p, d.i))
	}
	return h
}

func (v *View) sortPage(f *listFilter, all []hit) []hit {
	sort.SliceStable(all, func(a, b int) bool {
		x, y := &all[a], &all[b]
		if f.desc {
			x, y = y, x
		}
		if f.sortField == "created" {
			return x.key < y.key
		}
		return x.str < y.str
	})
	lo := min(f.offset, int64(len(all)))
	return all[lo:min(lo+f.limit, int64(len(all)))]
}

// findListed looks the named desktops up directly (ids and names carry
// their pool and index), however large the pools.
func (v *View) findListed(f *listFilter) (int64, []hit) {
	var all []hit
	seen := map[[2]int64]bool{}
	add := func(p *pool, i int64, ok bool) {
		if !ok || seen[[2]int64{int64(p.index), i}] || !f.poolOK(p) {
			return
		}
		seen[[2]int64{int64(p.index), i}] = true
		if d := v.desk(p, i); v.deskOK(f, &d) {
			all = append(all, v.keyed(f, &d))
		}
	}
	if len(f.ids) > 0 {
		for _, id := range f.ids {
			add(v.lookupID(id))
		}
	} else {
		for _, name := range f.names {
			add(v.lookupName(name))
		}
	}
	if f.sortField == "" {
		sort.Slice(all, func(a, b int) bool {
			return all[a].p.first+all[a].i < all[b].p.first+all[b].i
		})
		lo := min(f.offset, int64(len(all)))
		return int64(len(all)), all[lo:min(lo+f.limit, int64(len(all)))]
	}
	return int64(len(all)), v.sortPage(f, all)
}

// findByPosition pages the pools that pass f by arithmetic: O(limit),
// whatever the number of desktops.
func (v *View) findByPosition(f *listFilter) (total int64, page []hit) {
	for k := range v.pools {
		p := &v.pools[k]
		if !f.poolOK(p) {
			continue
		}
		for i := max(f.offset-total, 0); i < p.n && total+i < f.offset+f.limit; i++ {
			page = append(page, hit{p: p, i: i})
		}
		total += p.n
	}
	return total, page
}

// ShowDesktopDetail answers GET /v2/{project_id}/desktops/{desktop_id}:
// {"desktop":{...}}, or 404 for an id no desktop of the view has.
func (v *View) ShowDesktopDetail(id string) ([]byte, *wire.Error) {
	p, i, ok := v.lookupID(id)
	if !ok {
		return nil, notFound(id)
	}
	d := v.desk(p, i)
	dst := append(make([]byte, 0, 2560), `{"desktop":`...)
	dst = v.appendDesktop(dst, &d, true)
	return append(dst, '}'), nil
}

// Limits of ListDesktopPools.
const (
	MaxPoolsLimit     = 1000
	DefaultPoolsLimit = 1000
	MaxPoolsOffset    = 20000
)

// ListDesktopPools answers GET /v2/{project_id}/desktop-pools: one pool per
// group of the counters, desktop_count its desktops and desktop_used its
// assigned ones (attached_num) at the view's instant.
func (v *View) ListDesktopPools(q url.Values) ([]byte, *wire.Error) {
	r := &query{q: q}
	name := r.str("name", 255)
	kind := r.enum("type", 255, "DYNAMIC", "STATIC")
	epid := r.str("enterprise_project_id", 36)
	if epid != "" && wire.CheckProjectID(epid) != "" {
		r.fail("enterprise_project_id", "may hold letters, digits, '_' and '-' only")
	}
	offset := r.integer("offset", 0, MaxPoolsOffset, 0)
	limit := r.integer("limit", 0, MaxPoolsLimit, DefaultPoolsLimit)
	maint := r.boolean("in_maintenance_mode")
	if r.err != nil {
		return nil, r.err
	}
	dst := []byte(`{"desktop_pools":[`)
	total, shown := int64(0), 0
	// Every pool is STATIC, of the default enterprise project, out of
	// maintenance: these filters leave all pools or none.
	none := kind == "DYNAMIC" || epid != "" && epid != "0" || maint != nil && *maint
	for k := range v.pools {
		p := &v.pools[k]
		if none || name != "" && !strings.Contains(p.name, name) {
			continue
		}
		if total >= offset && total < offset+limit {
			if shown > 0 {
				dst = append(dst, ',')
			}
			g := v.aggregate(p) // only the pools shown are counted
			dst = v.appendPool(dst, p, &g)
			shown++
		}
		total++
	}
	dst = append(dst, `],"total_count":`...)
	dst = strconv.AppendInt(dst, total, 10)
	return append(dst, '}'), nil
}

func (v *View) appendPool(dst []byte, p *pool, g *fixtures.Group) []byte {
	dst = append(dst, '{')
	dst = str(dst, "id", p.id)
	dst = str(dst, "name", p.name)
	dst = str(dst, "type", "STATIC")
	dst = str(dst, "description", "")
	dst = timeField(dst, "created_time", p.created-3600_000, true)
	dst = str(dst, "charging_mode", p.chargeMode())
	dst = strconv.AppendInt(field(dst, "desktop_count"), int64(clamp(p.n)), 10)
	dst = strconv.AppendInt(field(dst, "desktop_used"), int64(g.AttachedNum), 10)
	dst = str(dst, "availability_zone", p.zone)
	dst = str(dst, "subnet_id", p.subnet)
	dst = append(field(dst, "subnet_ids"), '[')
	dst = append(wire.AppendString(dst, p.subnet), ']')
	dst = p.appendProduct(dst)
	dst = str(dst, "image_id", p.image)
	dst = str(dst, "image_name", p.os.imageName)
	dst = str(dst, "image_os_type", p.os.osType)
	dst = str(dst, "image_os_version", p.os.desktopVersion)
	dst = str(dst, "image_os_platform", p.os.osType)
	dst = append(field(dst, "root_volume"), `{"type":"SSD","size":80}`...)
	dst = append(field(dst, "data_volumes"), '[')
	if p.dataDisk > 0 {
		dst = append(dst, `{"type":"SAS","size":`...)
		dst = append(strconv.AppendInt(dst, int64(p.dataDisk), 10), '}')
	}
	dst = append(dst, ']')
	dst = p.appendSecurityGroups(dst)
	dst = boolean(dst, "enable_autoscale", false)
	status := "STEADY"
	if g.InProcessNum > 0 {
		status = "TEMPORARY" // desktops being assigned or unassigned
	}
	dst = str(dst, "status", status)
	dst = str(dst, "enterprise_project_id", "0")
	dst = boolean(dst, "in_maintenance_mode", false)
	dst = p.appendTags(dst)
	dst = str(dst, "vpc_id", p.vpc)
	return append(dst, '}')
}

// ListLoginState answers GET /v2/{project_id}/desktops/statistics/login-state:
// the login counters of every pool summed. unable_to_connect_num, whose
// meaning is undocumented, counts the desktops of unknown login state (the
// counters' unknown_num). It takes no query parameters.
func (v *View) ListLoginState(url.Values) ([]byte, *wire.Error) {
	t := fixtures.Total("", v.Groups()) // each sum saturating at MaxCount
	dst := []byte(`{"in_use_num":`)
	dst = strconv.AppendInt(dst, int64(t.InUseNum), 10)
	dst = append(dst, `,"unregistered_num":`...)
	dst = strconv.AppendInt(dst, int64(t.UnregisteredNum), 10)
	dst = append(dst, `,"unable_to_connect_num":`...)
	dst = strconv.AppendInt(dst, int64(t.UnknownNum), 10)
	dst = append(dst, `,"ready_num":`...)
	dst = strconv.AppendInt(dst, int64(t.ReadyNum), 10)
	dst = append(dst, `,"disconnected_num":`...)
	dst = strconv.AppendInt(dst, int64(t.DisconnectedNum), 10)
	return append(dst, '}'), nil
}

// Desktop is one desktop as the control page lists it.
type Desktop struct {
	ID, ComputerName, UserName, IP   string
	Status, AttachState, LoginStatus string
	TaskStatus                       string // the transition an action has under way, as ShowDesktopDetail's task_status; "" for none
	Created                          string // as on the wire
}

// Desktops lists desktops offset to offset+limit of the pool named pool (a
// group's static_name), and how many it has; nil, 0 for no such pool.
func (v *View) Desktops(pool string, offset, limit int64) ([]Desktop, int64) {
	for k := range v.pools {
		p := &v.pools[k]
		if p.name != pool {
			continue
		}
		var out []Desktop
		for i := max(offset, 0); i < p.n && i < offset+limit; i++ {
			out = append(out, v.describe(p, i))
		}
		return out, p.n
	}
	return nil, 0
}

// describe is desktop i of p as the control page lists it.
func (v *View) describe(p *pool, i int64) Desktop {
	d := v.desk(p, i)
	hi, lo := v.desktopID(p, i)
	x := Desktop{ID: string(appendUUID(nil, hi, lo)), ComputerName: string(appendComputerName(nil, p, i)),
		IP: string(appendIP(nil, p.first+i)), Status: d.status(), AttachState: d.attachState(), LoginStatus: d.loginStatus(),
		TaskStatus: d.task, Created: string(appendTime(nil, d.createdMs(), true))}
	if d.hasUser() {
		x.UserName = string(v.appendUserName(nil, p, i))
	}
	return x
}

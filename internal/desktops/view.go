// Package desktops answers the operations that show the single desktops
// behind the counters of connections/status — ListDesktopsDetail,
// ShowDesktopDetail, ListDesktopPools, ListLoginState,
// ListHistoryOnlineInfoNew, ListLoginRecordsNew — from the same source of
// truth: a simulated fleet at an instant, or a scenario's counters.
//
// A View is that source at one instant. Nothing is materialised: desktop i of
// a pool is computed from (seed, pool, i) when a page needs it, so a scenario
// of billions of desktops (max-values) still answers a page cheaply. Each
// operation returns its 200 body as bytes, or a *wire.Error in the documented
// shape; no HTTP here. Where the emulator differs from the service, and what
// it chose where the reference is silent: docs/desktops.md.
package desktops

import (
	"sync"
	"time"

	"github.com/workspace-mock/mockserver/internal/fixtures"
)

// View is the desktops of one project at one instant, for one seed. Build
// one per request (it is cheap: nothing is computed until asked); it is safe
// for concurrent use.
type View struct {
	seed   int64
	at     time.Time
	zone   *time.Location // where a "day" starts (online users): the fleet's zone, else UTC
	fleet  *fixtures.Fleet
	moment *fixtures.Moment
	pools  []pool
	total  int64 // desktops in all pools
	region string
	sidDom string // the desktops' sid up to their relative id: the domain's, per seed

	acts     *Log   // the project's actions; nil: none (and nothing to pay)
	scenario string // the scenario the view shows, which actions are matched on

	groupsOnce sync.Once
	groups     []fixtures.Group

	written map[string]place // hand-written desktops by "name:"+computer name and "id:"+desktop id
}

// place is a desktop's pool and index.
type place struct {
	pool int
	i    int64
}

// pool is one desktop pool (a group of the counters) and what all its
// desktops share.
type pool struct {
	index int
	name  string
	n     int64 // desktops
	first int64 // position of its first desktop in the view's order
	traits

	// Counter scenarios: a desktop's rank (a seeded permutation of its index)
	// falls in one range of each dimension, the ranges laid out so that the
	// relations of the counters hold desktop by desktop.
	perm   perm
	power  [4]int64 // rank bounds, by fixtures.Power*
	attach [4]int64 // by fixtures.Attach*
	login  [5]int64 // ends of: in use, disconnected, ready, unregistered, unknown

	listed      // desktops the scenario lists by hand: indices 0..k-1
	listedSpecs *[]fixtures.DesktopSpec
}

// FromFleet is the fleet f at instant at for seed: every answer agrees with
// f.Groups(seed, at), desktop by desktop.
func FromFleet(f *fixtures.Fleet, seed int64, at time.Time) *View {
	at = at.Truncate(time.Second)
	v := &View{seed: seed, at: at, zone: f.Zone, fleet: f, moment: f.MomentAt(at), region: regionOf(f.Zone)}
	if v.zone == nil {
		v.zone = time.UTC
	}
	for i := range f.Pools {
		v.addPool(f.Pools[i].Name, int64(f.Pools[i].Desktops))
	}
	v.finish()
	return v
}

// FromGroups is a scenario's counters, groups, made into desktops for seed:
// aggregating them by pool gives back every group exactly, as long as the
// group's three sums (power, assignment, login) agree. A group whose sums
// differ (hand-written, like max-values) has as many desktops as its largest
// sum; the desktops the shorter sums leave out are ERROR, UNATTACH and of
// unknown login state. at only dates the sessions.
func FromGroups(groups []fixtures.Group, seed int64, at time.Time) *View {
	v := &View{seed: seed, at: at.Truncate(time.Second), zone: time.UTC, region: "cn-north-4"}
	for k := range groups {
		g := &groups[k]
		p := v.addPool(g.StaticName, 0)
		l := fixtures.LayoutOf(g)
		p.n, p.power, p.attach, p.login = l.N, l.Power, l.Attach, l.Login
		p.perm = newPerm(p.n, fixtures.Mix(seed, saltPerm, uint64(p.index)))
		p.listedSpecs = g.Listed // the aggregate is the same group, listed desktops and all
		if specs := g.Desktops(); len(specs) > 0 {
			p.listed = newListed(specs, p.perm, p.n)
			v.addListed(p)
		}
	}
	v.finish()
	return v
}

func (v *View) addPool(name string, n int64) *pool {
	v.pools = append(v.pools, pool{index: len(v.pools), name: name, n: n})
	return &v.pools[len(v.pools)-1]
}

func (v *View) finish() {
	v.sidDom = sidDomain(v.seed)
	seen := map[string]bool{}
	for k := range v.pools {
		p := &v.pools[k]
		p.first = v.total
		v.total += p.n
		p.traits = v.traitsOf(p, seen)
	}
}

// MovedTo is the same desktops at another instant, sharing everything that
// does not depend on it (the pools' traits: 2.5 ms for the 1,000 pools of
// the large scenario), so a caller can keep one View per scenario and seed
// and move it per request.
func (v *View) MovedTo(at time.Time) *View {
	at = at.Truncate(time.Second)
	w := &View{seed: v.seed, at: at, zone: v.zone, fleet: v.fleet, pools: v.pools, total: v.total, region: v.region,
		sidDom: v.sidDom, written: v.written, acts: v.acts, scenario: v.scenario}
	if v.fleet != nil {
		w.moment = v.fleet.MomentAt(at)
	}
	return w
}

// state is desktop i of pool p's power, assignment and login state, as the
// fixtures.Power*, Attach* and Login* constants, the project's actions on it
// included.
func (v *View) state(p *pool, i int64) (power, attach, login int) {
	power, attach, login = v.baseState(p, i)
	if v.acts != nil {
		power, login, _ = v.acted(p, i, power, login)
	}
	return power, attach, login
}

// baseState is state without actions: the fleet's or the counters' own.
func (v *View) baseState(p *pool, i int64) (power, attach, login int) {
	if v.fleet != nil {
		return v.fleet.DesktopAt(v.seed, p.index, int(i), v.moment)
	}
	r := p.rank(i)
	power = fixtures.PowerOther
	for k, b := range p.power {
		if r < b {
			power = k
			break
		}
	}
	attach = fixtures.AttachUnattached
	for k, b := range p.attach {
		if r < b {
			attach = k
			break
		}
	}
	login = fixtures.LoginUnknown
	for k, b := range p.login {
		if r < b {
			login = fixtures.LoginByRank[k] // connected desktops take the first ranks
			break
		}
	}
	return power, attach, login
}

// Groups are the pools' counters, aggregated from the desktops one by one:
// what connections/status answers at the view's instant.
func (v *View) Groups() []fixtures.Group {
	v.groupsOnce.Do(func() {
		v.groups = make([]fixtures.Group, len(v.pools))
		for k := range v.pools {
			v.groups[k] = v.aggregate(&v.pools[k])
		}
	})
	return v.groups
}

// aggregate counts the desktops of p by state. A counter pool is counted
// from its rank ranges (the same ranges state reads), so that even
// max-values costs nothing, then its desktops with actions moved; a fleet
// pool desktop by desktop.
func (v *View) aggregate(p *pool) fixtures.Group {
	var pw [4]int64
	var at [4]int64
	var lg [5]int64
	if v.fleet == nil {
		span := func(bounds []int64, k int) int64 {
			lo := int64(0)
			if k > 0 {
				lo = bounds[k-1]
			}
			return min(bounds[k], p.n) - min(lo, p.n)
		}
		for k := range pw {
			pw[k] = span(p.power[:], k)
			at[k] = span(p.attach[:], k)
		}
		pw[fixtures.PowerOther] += p.n - min(p.power[3], p.n)
		at[fixtures.AttachUnattached] += p.n - min(p.attach[3], p.n)
		for k := range lg {
			lg[fixtures.LoginByRank[k]] = span(p.login[:], k)
		}
		lg[fixtures.LoginUnknown] += p.n - min(p.login[4], p.n)
	} else {
		for i := int64(0); i < p.n; i++ {
			a, b, c := v.state(p, i) // with actions: one lookup a desktop
			pw[a]++
			at[b]++
			lg[c]++
		}
	}
	if v.acts != nil && v.fleet == nil {
		v.adjust(p, &pw, &lg)
	}
	return fixtures.Group{StaticName: p.name, Listed: p.listedSpecs,
		RunningNum: clamp(pw[fixtures.PowerRunning]), StopNum: clamp(pw[fixtures.PowerStopped]),
		HibernateNum: clamp(pw[fixtures.PowerHibernated]), OtherNum: clamp(pw[fixtures.PowerOther]),
		AttachedNum: clamp(at[fixtures.AttachAttached]), UnattachedNum: clamp(at[fixtures.AttachUnattached]),
		CannotAttachNum: clamp(at[fixtures.AttachCannot]), InProcessNum: clamp(at[fixtures.AttachInProcess]),
		InUseNum: clamp(lg[fixtures.LoginInUse]), ReadyNum: clamp(lg[fixtures.LoginReady]),
		DisconnectedNum: clamp(lg[fixtures.LoginDisconnected]), UnregisteredNum: clamp(lg[fixtures.LoginUnregistered]),
		UnknownNum: clamp(lg[fixtures.LoginUnknown])}
}

// clamp makes a count an int32, as every count on the wire is: a larger one
// reads as the largest.
func clamp(n int64) int32 {
	if n > fixtures.MaxCount {
		return fixtures.MaxCount
	}
	return int32(n)
}

// Salts of the draws of this package, apart from the fixtures' own.
const (
	saltPerm = 0xd35c0000 + iota
	saltPool
	saltDesktop
	saltID
	saltIDMask
	saltSession
	saltAction
)

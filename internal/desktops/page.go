package desktops

import (
	"time"

	"github.com/workspace-mock/mockserver/internal/fixtures"
)

// Session is one connection of a desktop, as the control page lists it: the
// same connection ListLoginRecordsNew answers as a record.
type Session struct {
	Setup, End   time.Time // End zero: still connected at the view's instant
	Reconnect    bool
	UserName     string
	TerminalType string
	PublicIP     string
	NetworkRTT   int32 // ms
}

// Sessions are the desktop that id names (its desktop id or its computer
// name), its pool, and its connections that overlap the view's day so far
// (from midnight in the fleet's zone, UTC for a counter scenario, to the
// view's instant), by start; ok false when no desktop of the view has it.
func (v *View) Sessions(id string) (desktop Desktop, pool string, sessions []Session, ok bool) {
	p, i, ok := v.lookupID(id)
	if !ok {
		if p, i, ok = v.lookupName(id); !ok {
			return Desktop{}, "", nil, false
		}
	}
	d := v.sessionDesk(p, i)
	s := v.spanOf(fixtures.LocalMidnight(v.at, v.zone, 0), v.at.Add(time.Second))
	var rec record
	for _, c := range v.connections(&d, s, nil) {
		v.fillRecord(&rec, &d, c)
		x := Session{Setup: time.Unix(c.Setup, 0).In(v.zone), Reconnect: c.Reconnect, UserName: rec.user,
			TerminalType: rec.terminalType, PublicIP: rec.publicIP, NetworkRTT: rec.networkRTT}
		if c.End != ongoing {
			x.End = time.Unix(c.End, 0).In(v.zone)
		}
		sessions = append(sessions, x)
	}
	return v.describe(p, i), p.name, sessions, true
}

// Counters are the counters of the pool named pool, aggregated from its own
// desktops only (what View.Groups has for it, without the other pools'
// work); ok false for no such pool.
func (v *View) Counters(pool string) (g fixtures.Group, ok bool) {
	for k := range v.pools {
		if p := &v.pools[k]; p.name == pool {
			return v.aggregate(p), true
		}
	}
	return fixtures.Group{}, false
}

// PoolID is the id of the pool named pool, as ListDesktopPools and
// ExecuteDesktopPoolAction name it; ok false for no such pool.
func (v *View) PoolID(pool string) (id string, ok bool) {
	for k := range v.pools {
		if p := &v.pools[k]; p.name == pool {
			return p.id, true
		}
	}
	return "", false
}

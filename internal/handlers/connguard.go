package handlers

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// ConnGuard cuts off connections whose client takes too long to send its
// request headers, or that sit idle too long between requests. It does what
// http.Server's ReadHeaderTimeout and IdleTimeout do, without their two timer
// updates per request (~4% of req/s here): one goroutine sweeps the
// connections once per interval instead, and a request costs two map loads
// and three atomic stores. Requests being answered are never cut, so long
// delays and the hang fault behave as documented.
//
// Wire it into a server with Server.ConnState = g.ConnState, and run g.Sweep.
type ConnGuard struct {
	Headers time.Duration // from connecting to the end of the first request's headers
	Idle    time.Duration // from an answer to the end of the next request's headers

	conns sync.Map     // net.Conn -> *guarded
	clock atomic.Int64 // unix nanoseconds of the last sweep: a clock read per request saved
}

type phase int32

const (
	phaseNew     phase = iota // connected, the first request's headers not in yet
	phaseHandler              // a request's headers are in: it is being answered
	phaseIdle                 // keep-alive, between requests
)

type guarded struct {
	phase atomic.Int32
	since atomic.Int64 // unix nanoseconds (by g.now) when the phase began
}

// now is the sweeper's clock, or the real one before the first sweep.
func (g *ConnGuard) now() int64 {
	if c := g.clock.Load(); c != 0 {
		return c
	}
	return time.Now().UnixNano()
}

// ConnState follows the server's view of each connection. net/http reports
// StateActive once a request's headers have been read, so no request is cut
// off while its handler runs.
func (g *ConnGuard) ConnState(c net.Conn, s http.ConnState) {
	switch s {
	case http.StateNew:
		t := &guarded{}
		t.since.Store(g.now())
		g.conns.Store(c, t)
	case http.StateActive:
		if v, ok := g.conns.Load(c); ok {
			v.(*guarded).phase.Store(int32(phaseHandler))
		}
	case http.StateIdle:
		if v, ok := g.conns.Load(c); ok {
			t := v.(*guarded)
			t.since.Store(g.now())
			t.phase.Store(int32(phaseIdle))
		}
	case http.StateHijacked, http.StateClosed:
		g.conns.Delete(c)
	}
}

// CloseUnused closes connections whose first request has not arrived (a
// client's spare, pooled connection): http.Server.Shutdown would wait 5 s
// for each of them. Register it with Server.RegisterOnShutdown.
func (g *ConnGuard) CloseUnused() {
	g.conns.Range(func(k, v any) bool {
		if phase(v.(*guarded).phase.Load()) == phaseNew {
			_ = k.(net.Conn).Close()
			g.conns.Delete(k)
		}
		return true
	})
}

// Sweep closes overdue connections every interval until ctx ends. A limit
// is overrun by two intervals at most, and never cut short.
func (g *ConnGuard) Sweep(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	g.clock.Store(time.Now().UnixNano())
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			g.clock.Store(now.UnixNano())
			g.sweep(now.UnixNano(), int64(interval))
		}
	}
}

// sweep closes the connections overdue at now; lag is how much earlier than
// the truth a phase's start may have been stamped (one sweep interval).
func (g *ConnGuard) sweep(now, lag int64) {
	g.conns.Range(func(k, v any) bool {
		t := v.(*guarded)
		limit := g.Headers
		switch phase(t.phase.Load()) {
		case phaseHandler:
			return true
		case phaseIdle:
			limit = g.Idle
		}
		if limit > 0 && now-t.since.Load() > int64(limit)+lag {
			_ = k.(net.Conn).Close()
			g.conns.Delete(k)
		}
		return true
	})
}

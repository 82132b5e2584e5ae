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
// connections once a second instead. Requests being answered are never cut,
// so long delays and the hang fault behave as documented.
//
// Wire it into a server with Server.ConnState = g.ConnState and
// Server.ConnContext = g.ConnContext, and run g.Sweep.
type ConnGuard struct {
	Headers time.Duration // from connecting, or from a request's first byte, to the end of its headers
	Idle    time.Duration // between an answer and the next request's first byte

	conns sync.Map // net.Conn -> *guarded
}

type phase int32

const (
	phaseNew     phase = iota // connected, not a byte sent yet
	phaseHeaders              // waiting for the rest of a request's headers
	phaseHandler              // a handler is answering
	phaseIdle                 // keep-alive, between requests
)

type guarded struct {
	phase atomic.Int32
	since atomic.Int64 // unix nanoseconds when the phase began
}

type guardKey struct{}

// ConnContext starts guarding a new connection.
func (g *ConnGuard) ConnContext(ctx context.Context, c net.Conn) context.Context {
	t := &guarded{}
	t.since.Store(time.Now().UnixNano())
	g.conns.Store(c, t)
	return context.WithValue(ctx, guardKey{}, t)
}

// ConnState follows the server's view of each connection.
func (g *ConnGuard) ConnState(c net.Conn, s http.ConnState) {
	switch s {
	case http.StateActive: // the first byte of a request: its headers are coming
		if v, ok := g.conns.Load(c); ok {
			t := v.(*guarded)
			switch phase(t.phase.Load()) {
			case phaseIdle:
				t.since.Store(time.Now().UnixNano())
				t.phase.Store(int32(phaseHeaders))
			case phaseNew:
				t.phase.Store(int32(phaseHeaders)) // the deadline still counts from connecting
			}
		}
	case http.StateIdle:
		if v, ok := g.conns.Load(c); ok {
			t := v.(*guarded)
			t.since.Store(time.Now().UnixNano())
			t.phase.Store(int32(phaseIdle))
		}
	case http.StateHijacked, http.StateClosed:
		g.conns.Delete(c)
	}
}

// headersRead marks the request's connection as answering: its headers are in.
func headersRead(r *http.Request) {
	if t, ok := r.Context().Value(guardKey{}).(*guarded); ok {
		t.phase.Store(int32(phaseHandler))
	}
}

// CloseUnused closes connections that never sent a byte (a client's spare,
// pooled connection): http.Server.Shutdown would wait 5 s for each of them.
// Register it with Server.RegisterOnShutdown.
func (g *ConnGuard) CloseUnused() {
	g.conns.Range(func(k, v any) bool {
		if phase(v.(*guarded).phase.Load()) == phaseNew {
			_ = k.(net.Conn).Close()
			g.conns.Delete(k)
		}
		return true
	})
}

// Sweep closes overdue connections every interval until ctx ends.
func (g *ConnGuard) Sweep(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			g.sweep(now)
		}
	}
}

func (g *ConnGuard) sweep(now time.Time) {
	g.conns.Range(func(k, v any) bool {
		t := v.(*guarded)
		limit := g.Headers
		switch phase(t.phase.Load()) {
		case phaseHandler:
			return true
		case phaseIdle:
			limit = g.Idle
		}
		if limit > 0 && now.UnixNano()-t.since.Load() > int64(limit) {
			_ = k.(net.Conn).Close()
			g.conns.Delete(k)
		}
		return true
	})
}

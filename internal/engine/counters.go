package engine

import "sync"

// DefaultCounterLimit is how many (scenario, project) request counters a
// generation holds; at most two generations are kept (~100 bytes each).
const DefaultCounterLimit = 100_000

type counterKey struct{ scenario, project string }

// counters numbers the requests one scenario answered for one project, so
// each project walks its own sequence and draws. Memory is bounded however
// many project ids clients make up: counters live in two generations; when
// the current one is full it becomes the old one and the oldest is dropped.
// A counter in use moves to the current generation, so only projects idle
// for a whole generation start over.
type counters struct {
	mu       sync.Mutex
	limit    int
	cur, old map[counterKey]*uint64
}

func newCounters(limit int) *counters {
	return &counters{limit: limit, cur: map[counterKey]*uint64{}}
}

// next returns the number of this request (from 0) and counts it.
func (c *counters) next(scenario, project string) uint64 {
	k := counterKey{scenario, project}
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.cur[k]
	if !ok {
		if n, ok = c.old[k]; ok {
			delete(c.old, k)
		} else {
			n = new(uint64)
		}
		if len(c.cur) >= c.limit {
			c.old, c.cur = c.cur, make(map[counterKey]*uint64, len(c.cur))
		}
		c.cur[k] = n
	}
	v := *n
	*n++
	return v
}

// reset forgets the counters of one project, or all for "".
func (c *counters) reset(project string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if project == "" {
		c.cur, c.old = map[counterKey]*uint64{}, nil
		return
	}
	for _, gen := range []map[counterKey]*uint64{c.cur, c.old} {
		for k := range gen {
			if k.project == project {
				delete(gen, k)
			}
		}
	}
}

// len is how many counters are kept.
func (c *counters) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.cur) + len(c.old)
}

package desktops

import (
	"sort"

	"github.com/workspace-mock/mockserver/internal/fixtures"
)

// listed is what a pool's hand-written desktops change: they are its
// indices 0..k-1, each with the rank the scenario's validation gave it
// (fixtures.DesktopSpec.Rank), and the ranks of the other indices stay a
// bijection computed in O(1) both ways. The ranks perm gives indices 0..k-1
// but that they did not take (P) are paired, sorted, with the ranks they
// took that perm gives other indices (R): an index that perm sends to the
// n-th rank of R has the n-th rank of P instead. Small maps, per pool.
type listed struct {
	specs   []fixtures.DesktopSpec
	ids     [][2]uint64     // desktop_id written, as desktopID's halves (when the spec has one)
	byRank  map[int64]int64 // rank → listed index
	freed   map[int64]int64 // a rank of R → its pair in P (index → rank)
	claimed map[int64]int64 // a rank of P → its pair in R (rank → index)
}

func newListed(specs []fixtures.DesktopSpec, pm perm, n int64) listed {
	k := min(int64(len(specs)), n)
	l := listed{specs: specs[:k], ids: make([][2]uint64, k), byRank: make(map[int64]int64, k)}
	for i := range l.specs {
		l.byRank[l.specs[i].Rank] = int64(i)
		if id := l.specs[i].DesktopID; id != "" {
			l.ids[i] = parseUUID(id)
		}
	}
	var free, claimed []int64 // P and R
	for i := int64(0); i < k; i++ {
		if r := pm.at(i); !l.taken(r) {
			free = append(free, r)
		}
	}
	for r := range l.byRank {
		if pm.index(r) >= k {
			claimed = append(claimed, r)
		}
	}
	sortInts(free)
	sortInts(claimed)
	l.freed = make(map[int64]int64, len(free))
	l.claimed = make(map[int64]int64, len(free))
	for j := range free { // as many of each: a bijection of [0, k) loses and gains as many
		l.freed[claimed[j]] = free[j]
		l.claimed[free[j]] = claimed[j]
	}
	return l
}

func (l *listed) taken(r int64) bool {
	_, ok := l.byRank[r]
	return ok
}

func sortInts(xs []int64) { sort.Slice(xs, func(a, b int) bool { return xs[a] < xs[b] }) }

// rank is the rank of desktop i of p.
func (p *pool) rank(i int64) int64 {
	if i < int64(len(p.specs)) {
		return p.specs[i].Rank
	}
	r := p.perm.at(i)
	if q, ok := p.freed[r]; ok {
		return q
	}
	return r
}

// indexOf is the desktop of p whose rank is r: rank's inverse.
func (p *pool) indexOf(r int64) int64 {
	if len(p.specs) == 0 {
		return p.perm.index(r)
	}
	if i, ok := p.byRank[r]; ok {
		return i
	}
	if q, ok := p.claimed[r]; ok {
		return p.perm.index(q)
	}
	return p.perm.index(r)
}

// spec is desktop i of p's hand-written description, or nil.
func (p *pool) spec(i int64) *fixtures.DesktopSpec {
	if i < int64(len(p.specs)) {
		return &p.specs[i]
	}
	return nil
}

// addListed records p's listed desktops' names and ids for lookups.
func (v *View) addListed(p *pool) {
	if v.written == nil {
		v.written = map[string]place{}
	}
	for i := range p.specs {
		v.written["name:"+p.specs[i].ComputerName] = place{p.index, int64(i)}
		if id := p.specs[i].DesktopID; id != "" {
			v.written["id:"+id] = place{p.index, int64(i)}
		}
	}
}

// parseUUID is a lower-case UUID's two halves, as appendUUID writes them.
func parseUUID(id string) (h [2]uint64) {
	n := 0
	for k := 0; k < len(id); k++ {
		c := id[k]
		var d uint64
		switch {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case c >= 'a' && c <= 'f':
			d = uint64(c-'a') + 10
		default:
			continue
		}
		h[n/16] = h[n/16]<<4 | d
		n++
	}
	return h
}

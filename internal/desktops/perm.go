package desktops

import (
	"math/bits"

	"github.com/workspace-mock/mockserver/internal/fixtures"
)

// perm is a seeded bijection of [0, n), computable both ways in O(1)
// (expected): a four-round Feistel network on the smallest even number of
// bits that holds n, walked until it lands inside [0, n). It spreads a
// counter pool's states over its desktops, so that a list is not sorted by
// state, while desktop i's state stays a function of i alone.
type perm struct {
	n    int64
	half uint // bits per half
	keys [4]uint64
}

func newPerm(n int64, key uint64) perm {
	p := perm{n: n, half: 1}
	if n > 1 {
		b := uint(bits.Len64(uint64(n - 1)))
		p.half = (b + 1) / 2
	}
	for k := range p.keys {
		p.keys[k] = fixtures.Mix(int64(key), uint64(k))
	}
	return p
}

func (p perm) round(x uint64, k int) uint64 {
	return fixtures.Mix(int64(p.keys[k]), x) & (1<<p.half - 1)
}

func (p perm) encrypt(x uint64) uint64 {
	mask := uint64(1)<<p.half - 1
	l, r := x>>p.half, x&mask
	for k := range p.keys {
		l, r = r, l^p.round(r, k)
	}
	return l<<p.half | r
}

func (p perm) decrypt(y uint64) uint64 {
	mask := uint64(1)<<p.half - 1
	l, r := y>>p.half, y&mask
	for k := len(p.keys) - 1; k >= 0; k-- {
		l, r = r^p.round(l, k), l
	}
	return l<<p.half | r
}

// at is the rank of index i.
func (p perm) at(i int64) int64 { return p.walk(i, p.encrypt) }

// index is the index of rank r: at's inverse.
func (p perm) index(r int64) int64 { return p.walk(r, p.decrypt) }

// walk applies step until the value falls inside [0, n) again.
func (p perm) walk(x int64, step func(uint64) uint64) int64 {
	if p.n <= 1 {
		return x
	}
	y := step(uint64(x))
	for y >= uint64(p.n) {
		y = step(y)
	}
	return int64(y)
}

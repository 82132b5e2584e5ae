package desktops

// deskIndex is the actions of one pool's desktops: for each desktop with
// actions, its references (action index<<32 | target index) in log order.
// A desktop's references are found through a map while the pool's acted
// desktops are sparse, and through a slice by desktop index once they are
// dense (at least one in denseRatio of the indexes up to the largest): a
// lookup is then one bounds check instead of a hash probe in a large map,
// and the slice costs at most denseRatio x 4 B per acted desktop, so memory
// stays bounded by the targets (MaxTargets), not by the pool's size.
type deskIndex struct {
	sparse map[int64]int32 // desktop index -> slot; desktops past the dense slice
	dense  []int32         // by desktop index: slot+1, 0 for none
	refs   [][]uint64      // by slot
	desks  []int64         // by slot: the desktops with actions, each once
}

const (
	denseRatio = 8
	denseFrom  = 256 // acted desktops before a pool's index may turn dense
)

func (x *deskIndex) slot(i int64) (int32, bool) {
	if i >= 0 && i < int64(len(x.dense)) {
		s := x.dense[i]
		return s - 1, s > 0
	}
	s, ok := x.sparse[i]
	return s, ok
}

func (x *deskIndex) of(i int64) []uint64 {
	if s, ok := x.slot(i); ok {
		return x.refs[s]
	}
	return nil
}

func (x *deskIndex) add(i int64, ref uint64) {
	if s, ok := x.slot(i); ok {
		x.refs[s] = append(x.refs[s], ref)
		return
	}
	s := int32(len(x.refs))
	x.refs = append(x.refs, []uint64{ref})
	x.desks = append(x.desks, i)
	limit := int64(denseRatio * len(x.desks))
	switch {
	case i >= 0 && i < int64(len(x.dense)):
		x.dense[i] = s + 1
	case len(x.desks) >= denseFrom && i >= 0 && i < limit:
		x.densify(i + 1)
		x.dense[i] = s + 1
	default:
		if x.sparse == nil {
			x.sparse = map[int64]int32{}
		}
		x.sparse[i] = s
	}
}

// densify grows the dense slice to cover n indexes (doubling, within the
// ratio) and moves there the desktops of the map it now covers.
func (x *deskIndex) densify(n int64) {
	size := max(n, min(2*int64(len(x.dense)), int64(denseRatio*len(x.desks))))
	grown := make([]int32, size)
	copy(grown, x.dense)
	for i, s := range x.sparse {
		if i < size {
			grown[i] = s + 1
			delete(x.sparse, i)
		}
	}
	x.dense = grown
}

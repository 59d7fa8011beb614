package stack

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// naive is the LRU stack as a list, most recent first: the reference
// that the trees are checked against.
type naive struct {
	keys    []int
	weights map[int]int64
}

// distance is key's stack distance (the weights of key and the keys above
// it), or -1 if key is not on the stack; the key then moves to the top.
func (n *naive) access(key int, w int64) int64 {
	i := slices.Index(n.keys, key)
	d := int64(-1)
	if i >= 0 {
		d = 0
		for _, k := range n.keys[:i+1] {
			d += n.weights[k]
		}
		n.keys = slices.Delete(n.keys, i, i+1)
	}
	n.keys = slices.Insert(n.keys, 0, key)
	n.weights[key] = w
	return d
}

// drop takes key off the stack.
func (n *naive) drop(key int) {
	if i := slices.Index(n.keys, key); i >= 0 {
		n.keys = slices.Delete(n.keys, i, i+1)
	}
}

// checkTree replays random accesses (and a few removals) through a tree
// and the naive list, and compares every distance and, at the end, how
// many of the most recent keys fit in each capacity.
func checkTree[T Weight](t *testing.T, bytes bool) {
	rng := rand.New(rand.NewPCG(1, 2))
	tree := NewTree[T](4) // tiny, so that it compacts and grows many times
	ref := &naive{weights: map[int]int64{}}
	var objs []Object
	for i := range 20000 {
		key := int(rng.ExpFloat64() * 300)
		for key >= len(objs) {
			objs = append(objs, Object{Size: uint32(1 + rng.IntN(100))})
		}
		o := &objs[key]
		w := o.Weight(bytes)
		if i%97 == 0 && o.Pos != 0 { // a key leaves the stack
			tree.Remove(o.Pos, w)
			o.Pos = 0
			ref.drop(key)
			continue
		}
		want := ref.access(key, w)
		got := int64(-1)
		if o.Pos != 0 {
			got = tree.Above(o.Pos) + w
			tree.Remove(o.Pos, w)
			o.Pos = 0
		}
		if got != want {
			t.Fatalf("request %d for key %d: distance %d, the list says %d", i, key, got, want)
		}
		if tree.Full() {
			tree.Compact(objs, bytes)
		}
		o.Pos = tree.Push(w)
	}
	// How many of the most recent keys fit in each capacity, by the list.
	res := tree.Residents(objs, bytes)
	for c := int64(0); c < 2000; c += 7 {
		want, used := 0, int64(0)
		for _, k := range ref.keys {
			if used += ref.weights[k]; used > c {
				break
			}
			want++
		}
		if got := res.Fit(c); got != want {
			t.Fatalf("capacity %d holds the %d most recent keys, the list says %d", c, got, want)
		}
	}
}

func TestCountingTreeMatchesAList(t *testing.T) { checkTree[int32](t, false) }

func TestWeightedTreeMatchesAList(t *testing.T) { checkTree[int64](t, true) }

package policy

import "testing"

// Hand-computed cases for the policies ported from libCacheSim; the
// comments give the states that decide them (lists head first, i.e. newest
// first). libcachesim_test.go checks them against libCacheSim's figures.
func TestHandComputedLibCacheSimPolicies(t *testing.T) {
	const a, b, c, d, e = 1, 2, 3, 4, 5
	sized := func(kv ...uint64) []req { // key, size pairs
		r := make([]req, 0, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			r = append(r, req{key: kv[i], size: uint32(kv[i+1])})
		}
		return r
	}
	cases := []struct {
		name string
		c    Cache
		seq  []req
		want string
	}{
		// MRU, 3 slots: 4 evicts 3, the most recent; 3 evicts 4; 1 and 2 hit.
		{"mru", newMRU(3), keys(1, 2, 3, 4, 3, 1, 2), "mmmmmhh"},
		// LFUDA, 2 slots. 1's hit at age 0 keeps priority 1 (the hit adds
		// the age); 3 evicts 2 (bucket 1's oldest), age 1, 3 enters at 2; 4
		// evicts 1 and bucket 1 empties, but no hit has reached priority 2
		// yet, so the age stays 1 (libCacheSim's search stops at the highest
		// hit priority) and 4 enters at 2; 5 finds bucket 1 gone, where
		// libCacheSim would crash, so the lowest bucket, 2, loses its oldest,
		// 3 (age 2); 4's hit adds 2 (priority 4) and the age moves to 3, so
		// 3 evicts 5.
		{"lfuda", newLFUDA(2), keys(1, 2, 1, 3, 4, 5, 4, 3), "mmhmmmhm"},
		// GDSF, 10 bytes, A and B 5 bytes, C 8, E 1: C is admitted with
		// priority 10^6/8 below A's and B's 10^6/5 and leaves at once (L =
		// 125000); A and B hit (125000 + 2×10^6/5); C again ranks lowest; E
		// ranks above both and evicts A, the older of the two equal ones
		// (L = 525000); E hits; A returns at 725000 and evicts B (525000).
		{"gdsf", newGDSF(10), sized(a, 5, b, 5, c, 8, a, 5, b, 5, c, 8, e, 1, e, 1, a, 5, b, 5), "mmmhhmmhmm"},
		// CR-LFU, 3 slots: after 1's hit, 4 evicts the newest of the least
		// frequent (3, not 2 as LFU would); 2 hits; 3 evicts 4.
		{"cr-lfu", newCRLFU(3), keys(1, 2, 3, 1, 4, 2, 3), "mmmhmhm"},
		// ClockPro, 2 slots: the cache fills with 1 and 2 and admits
		// nothing more, so 3 never hits.
		{"clockpro", newClockPro(2, 1), keys(1, 2, 3, 1, 2, 3), "mmmhhm"},
		// CAR, 2 slots. 3: T1's hand finds 1 referenced (to T2) and demotes
		// 2 to B1. 2 hits B1 (p=1): T1 holds p, so 3 goes to B1, 2 enters
		// T2 [2 1]. 3 hits B1 (p=2): T1 is below p, so T2's oldest, 1, goes
		// to B2; 3 enters T2 [3 2]. 1 hits B2 (p=1) and demotes 2; 2 hits
		// B2 (p=0) and demotes 3: T2 [2 1], so 1 hits (LRU would miss it).
		{"car", newCAR(2), keys(1, 2, 1, 3, 2, 3, 1, 2, 1), "mmhmmmmmh"},
		// SR-LRU, 4 slots (R 2, SR 2, H 4). 3 pushes 1 from SR to H; 1
		// returns to R and, having left SR as new, grows SR by 1 byte to
		// the bytes cached less 1 (2). 4 and 5 push 2 and 3 into H; 3
		// returns to R, SR grows to 3 and R shrinks to 1. 1 hits in R; 4
		// hits in SR and moves to R, whose overflow demotes 3 and 1 to SR.
		// 2 returns from H: R has room for nothing, so 4 is demoted; SR
		// grows to the bytes cached less 1, 4, leaving R none, and the cache
		// is over by one, so SR's oldest, 5, goes to H. R can take nothing:
		// 5's returns are refused.
		{"sr-lru", newSRLRU(4), keys(1, 2, 3, 1, 4, 5, 3, 1, 4, 2, 5, 5), "mmmmmmmhhmmm"},
	}
	for _, tc := range cases {
		if got := run(tc.c, tc.seq); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
		if tc.c.Used() > tc.c.Capacity() {
			t.Errorf("%s: used %d over capacity %d", tc.name, tc.c.Used(), tc.c.Capacity())
		}
	}
}

// libCacheSimAux is auxConsistent for the policies ported from
// libCacheSim: the bytes their lists account for and the objects their
// sets, heaps and tables hold (-1: not known).
func libCacheSimAux(c Cache) (used int64, members int, err error) {
	used, members = -1, -1
	switch x := c.(type) {
	case *s3fifoV0:
		used = x.small.used + x.main.used
	case *qdlp:
		used = x.small.used + x.main.used
	case *srlru:
		used = x.l[srlruR].used + x.l[srlruSR].used
	case *cacheus:
		used, members = x.l[srlruR].used+x.l[srlruSR].used, 0
		for b := x.lfu.lowest; b != nilIdx; b = x.lfu.buckets[b].next {
			members += int(x.lfu.buckets[b].n)
		}
	case *car:
		used = x.l[carT1].used + x.l[carT2].used
	case *lhd:
		members, err = x.dense.len(), x.denseValid(&x.dense)
	case *hyperbolic:
		members = x.table.n
	case *gdsf:
		members = len(x.heap.items)
	}
	return used, members, err
}

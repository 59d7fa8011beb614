package sim

import (
	"math/rand/v2"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
)

// tenantTrace is n requests of 1 to 4 keys, each request a tenant's (1 to
// 3) but, now and then, with a key of another tenant; tenant 2's keys are
// skewed, the others' uniform.
func tenantTrace(n int, seed uint64) *trace.Trace {
	rng := rand.New(rand.NewPCG(seed, 7))
	t := trace.NewTrace("tenants", trace.Fields{Marks: true, Tenant: true, Size: true})
	for range n {
		tenant := uint32(1 + rng.IntN(3))
		for i := range 1 + rng.IntN(4) {
			tn := tenant
			if rng.IntN(10) == 0 {
				tn = uint32(rng.IntN(4)) // 0: no tenant
			}
			k := uint64(rng.IntN(40))
			if tn == 2 {
				k = uint64(rng.IntN(1 + rng.IntN(40)))
			}
			key := uint64(tn)<<32 | k
			t.Append(&trace.Request{Key: key, Size: uint32(1 + k%7), Tenant: tn, Continues: i > 0})
		}
	}
	return t
}

// filterTenant is the requests of one tenant, a request that spans
// tenants cut to its own keys: the tenant's requests as a cache of its
// own sees them (built independently of tenantTraces).
func filterTenant(t *trace.Trace, id uint32) *trace.Trace {
	out := trace.NewTrace("one", t.Fields())
	var r trace.Request
	inRequest := false
	for i := range t.Len() {
		t.At(i, &r)
		if !r.Continues {
			inRequest = false
		}
		if r.Tenant != id {
			continue
		}
		r.Continues = inRequest
		inRequest = true
		out.Append(&r)
	}
	return out
}

// Every tenant's one-pass curve equals replays of its own requests in a
// cache of its own, per key and per request, in objects and bytes.
func TestTenantCurvesEqualReplays(t *testing.T) {
	tr := tenantTrace(4000, 1)
	for _, sizes := range []Sizes{{Values: []int64{1, 3, 8, 20, 40}}, {Values: []int64{10, 30, 90, 200}, Bytes: true}} {
		stats, exact := tenantLRUCurves(tr, sizes, false)
		subs := tenantTraces(tr)
		for id := range uint32(4) {
			own := filterTenant(tr, id)
			if subs[id].Len() != own.Len() || subs[id].HasBatches() != own.HasBatches() {
				t.Fatalf("tenant %d: tenantTraces has %d requests, want %d", id, subs[id].Len(), own.Len())
			}
			for j, size := range sizes.Values {
				if !exact[id][j] {
					continue
				}
				want := Replay(own, newLRU(t, size), Options{Objects: !sizes.Bytes})
				got := stats[id][j]
				if got.Requests != want.Requests || got.Hits != want.Hits || (want.Batch != nil && got.Batch.Hits != want.Batch.Hits) {
					t.Errorf("tenant %d bytes %v size %d: curve %d/%d, replay %d/%d", id, sizes.Bytes, size, got.Hits, got.Requests, want.Hits, want.Requests)
				}
			}
		}
	}
}

// Replay with Options.Tenants counts each tenant's lookups of one shared
// cache: their sums are the replay's, and each tenant's equals a count by hand from a
// replay that records which requests hit.
func TestReplayByTenant(t *testing.T) {
	tr := tenantTrace(2000, 2)
	st := Replay(tr, newLRU(t, 30), Options{Objects: true, Tenants: true})
	by := st.Tenants
	plain := Replay(tr, newLRU(t, 30), Options{Objects: true})
	if st.Hits != plain.Hits || st.Requests != plain.Requests {
		t.Fatalf("by tenant %d/%d, plain %d/%d", st.Hits, st.Requests, plain.Hits, plain.Requests)
	}
	want := make([]TenantStats, 4)
	c := newLRU(t, 30)
	var r trace.Request
	for i := range tr.Len() {
		tr.At(i, &r)
		r.Size = 1
		hit := c.Access(&r)
		want[r.Tenant].Requests++
		if hit {
			want[r.Tenant].Hits++
		}
	}
	for id := range want {
		if by[id].Requests != want[id].Requests || by[id].Hits != want[id].Hits {
			t.Errorf("tenant %d: %+v, want %+v", id, by[id], want[id])
		}
	}
}

// Tenants are taken for keys when there are more than 50 and more than
// half as many as the keys.
func TestTenantsLikeKeys(t *testing.T) {
	build := func(tenants, keysEach int) *trace.Trace {
		tr := trace.NewTrace("t", trace.Fields{Tenant: true})
		for id := 1; id <= tenants; id++ {
			for k := range keysEach {
				for range 3 { // requests do not count, keys do
					tr.Append(&trace.Request{Key: uint64(id*1000 + k), Tenant: uint32(id)})
				}
			}
		}
		return tr
	}
	for _, c := range []struct {
		tenants, keysEach int
		want              bool
	}{
		{51, 1, true},   // 51 tenants of 51 keys
		{60, 1, true},   // 60 of 60
		{50, 1, false},  // too few to tell
		{60, 2, false},  // 60 of 120: half, not more
		{100, 3, false}, // 100 of 300
	} {
		n, keys, like := TenantsLikeKeys(build(c.tenants, c.keysEach))
		if like != c.want || n != c.tenants || (like && keys != c.tenants*c.keysEach) {
			t.Errorf("%d tenants of %d keys each: %d, %d, %v; want %v", c.tenants, c.keysEach, n, keys, like, c.want)
		}
	}
}

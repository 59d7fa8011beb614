package system

import (
	"testing"
	"time"

	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
)

// tenantBatches is three requests of two keys, key 1 of tenant 1 (model a)
// and key 2 of tenant 2 (model b), at 0s, 5s and 15s.
func tenantBatches() *trace.Trace {
	tr := trace.NewTrace("tenants", trace.Fields{Time: true, Marks: true, Tenant: true})
	for _, at := range []int64{0, 5, 15} {
		tr.Append(&trace.Request{Time: at * int64(time.Second), Key: 1, Size: 1, Tenant: 1})
		tr.Append(&trace.Request{Time: at * int64(time.Second), Key: 2, Size: 1, Tenant: 2, Continues: true})
	}
	tr.TenantNames = []string{"a", "b"}
	return tr
}

// By hand, one LRU of 10: both keys miss at 0s and hit at 5s. The drop at
// 10s of every entry makes both miss again at 15s; of model a's only,
// key 1 misses and key 2 still hits. Either way the request at 15s has a
// miss: 1 of 3 requests is served whole. Latency (hit 1ms in the level,
// miss +10ms): a request takes its slowest key, 11, 1, 11 ms.
func TestInvalidateTenant(t *testing.T) {
	for _, tc := range []struct {
		tenants []uint32
		hits    uint64
	}{{nil, 2}, {[]uint32{1}, 3}} {
		tr := tenantBatches()
		lat := (&sim.LatencyModel{Miss: constLatency(0.010)}).Latencies(tr)
		cfg := Config{Levels: mustLevels(t, "l1=lru:10@1ms"), InvalidateEvery: 10 * time.Second, InvalidateTenants: tc.tenants, Latency: lat}
		st, err := Run(tr, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if st.Hits != tc.hits || st.Drops != 1 {
			t.Errorf("tenants %v: %d hits, %d drops; want %d and 1", tc.tenants, st.Hits, st.Drops, tc.hits)
		}
		b := st.Batch
		if b == nil || b.Requests != 3 || b.Hits != 1 {
			t.Fatalf("tenants %v: batch %+v, want 1 of 3", tc.tenants, b)
		}
		if got := b.Latency.Mean(); got < 0.023/3-1e-12 || got > 0.023/3+1e-12 {
			t.Errorf("tenants %v: mean request latency %g, want 23ms/3", tc.tenants, got)
		}
	}
	// A tenant list without a period is a configuration error.
	if _, err := Run(tenantBatches(), Config{Levels: mustLevels(t, "l1=lru:10"), InvalidateTenants: []uint32{1}}); err == nil {
		t.Error("no error for tenants without --invalidate-every")
	}
}

// constLatency is a constant miss latency.
type constLatency float64

func (c constLatency) Rand() float64 { return float64(c) }

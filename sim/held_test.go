package sim_test

import (
	"testing"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
)

// A replay reports the memory a memcached model held: at a 1 MiB limit, a
// 100-byte and a 1,000-byte object go to two slab classes, each with a
// page, 2 MiB in all. Policies whose memory is their capacity report none.
func TestReplayReportsHeldMemory(t *testing.T) {
	tr := trace.NewTrace("two classes", trace.Fields{Size: true})
	tr.Append(&trace.Request{Key: 1, Size: 100})
	tr.Append(&trace.Request{Key: 2, Size: 1000})
	for _, tc := range []struct {
		spec string
		want int64
	}{{"memcached", 2 << 20}, {"lru", 0}} {
		s, _ := policy.ParseSpec(tc.spec)
		c, err := policy.New(s, policy.Config{Capacity: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		if got := sim.Replay(tr, c, sim.Options{}).Memory; got != tc.want {
			t.Errorf("%s: held %d bytes, want %d", tc.spec, got, tc.want)
		}
	}
	var a, b sim.Stats
	a.Memory, b.Memory = 1, 3
	if a.Merge(b); a.Memory != 3 {
		t.Errorf("merged memory %d, want the later part's, 3", a.Memory)
	}
}

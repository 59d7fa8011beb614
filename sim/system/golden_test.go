package system

import (
	"testing"

	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/traces/tracestest"
)

// load reads a trace of ../shared/traces (skipped when missing, failing under CI).
func load(t *testing.T, name string) *trace.Trace {
	t.Helper()
	tr, _, err := traces.Load(tracestest.Path(t, name), traces.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// A hierarchy whose L1 holds nothing misses as its L2 alone: on
// cloudPhysicsIO, libCacheSim's LRU/FIFO/LFU miss counts at 1000 and 10000
// objects (../shared/traces/README.md), whatever the number of instances.
// With an L2 that holds everything, only the 48,974 cold misses remain.
func TestSystemCloudPhysicsMatchesLibCacheSim(t *testing.T) {
	tr := load(t, "cloudPhysicsIO.txt")
	for _, c := range []struct {
		l2     string
		misses uint64
	}{
		{"lru:1000", 94823}, {"lru:10000", 79438}, {"fifo:1000", 95520}, {"lfu:10000", 81059},
		{"lru:1000000", 48974},
	} {
		for _, inst := range []int{1, 4} {
			if inst > 1 && c.l2 != "lru:1000" {
				continue // one multi-instance case is enough (CI time under -race)
			}
			levels, err := ParseLevels("l1=lru:0@0.05ms,l2=" + c.l2 + "@1ms")
			if err != nil {
				t.Fatal(err)
			}
			st, err := Run(tr, Config{Levels: levels, Instances: inst})
			if err != nil {
				t.Fatal(err)
			}
			if st.Misses() != c.misses || st.Backend.Calls != c.misses {
				t.Errorf("L2 %s ×%d: %d misses, %d backend calls; libCacheSim %d", c.l2, inst, st.Misses(), st.Backend.Calls, c.misses)
			}
		}
	}
	// A real L1 in front of the huge L2 changes where hits happen, not the cold misses.
	levels, _ := ParseLevels("l1=lru:100,l2=lru:1000000")
	st, err := Run(tr, Config{Levels: levels, Instances: 3, Assign: AssignKeyHash})
	if err != nil {
		t.Fatal(err)
	}
	if st.Misses() != 48974 || st.Levels[0].Hits == 0 {
		t.Errorf("L1 lru:100 ×3 over a huge L2: %d misses (want 48974), %d L1 hits (want some)", st.Misses(), st.Levels[0].Hits)
	}
}

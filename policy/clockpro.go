package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name: "clockpro",
		Summary: "libCacheSim's ClockPro, which is not the paper's CLOCK-Pro in effect: a miss is admitted only while the " +
			"cold pages and it fit the cold target (the whole cache by default), and since every admitted page starts " +
			"cold and room is made only after that check, the cache keeps what first filled it and never evicts " +
			"(as libCacheSim's ClockPro)",
		Params: []Param{
			FractionParam("cold", 1, "initial cold target as a share of the capacity (libCacheSim's init-ratio-cold); above 0, as a miss is admitted only within it").AboveMin(),
		},
		New: func(c Config) (Cache, error) {
			return newClockPro(c.Capacity, c.Values.Float("cold")), nil
		},
	})
}

// clockPro reproduces what libCacheSim's ClockPro.c computes. Its CLOCK-Pro
// machinery (hot, cold and test pages on one ring, three hands, an adaptive
// cold target) only runs from its eviction, which cache_get_base calls
// after the policy's admission check: admit only if the cold pages plus the
// new object fit the cold target. Every admitted page starts cold, and
// pages only turn hot or become test pages during an eviction, so once the
// cold pages fill the target no miss is admitted, nothing is evicted and
// the target never moves: the cache keeps the first objects that filled it
// (up to the target), and each later miss stays a miss. A hit changes
// nothing that matters (libCacheSim sets a reference bit no hand reads).
// This type models exactly that, so that its figures match libCacheSim's;
// it is not a CLOCK-Pro, and deletes (Remove) only make room for the next
// misses.
type clockPro struct {
	store
	coldMax int64 // the cold target: libCacheSim's mem_cold_max
}

// newClockPro returns an empty libCacheSim ClockPro cache whose cold target
// is cold × capacity.
func newClockPro(capacity int64, cold float64) *clockPro {
	return &clockPro{store: newStore(capacity), coldMax: int64(float64(capacity) * cold)}
}

// Access looks r up; a miss is admitted only if the cached (all cold)
// pages and it fit the cold target.
func (c *clockPro) Access(r *trace.Request) bool {
	if _, ok := c.lookup(r); ok {
		return true
	}
	if c.fits(r.Size) && c.used+int64(r.Size) <= c.coldMax {
		c.add(r)
	}
	return false
}

// Remove drops key's object (a delete in the trace).
func (c *clockPro) Remove(key uint64) bool { return c.removeKey(key, func(int32) {}) }

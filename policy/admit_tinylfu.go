package policy

import (
	"math/rand/v2"

	"github.com/cachesim/cachesim/traces/trace"
)

func init() {
	registerFilter(FilterInfo{
		Name: "tinylfu",
		Summary: "TinyLFU as in Caffeine (Einziger et al.): a 4-bit count-min sketch of every request, halved every " +
			"10 × capacity requests, admits a miss only if it counts it more often than the object the cache would " +
			"evict for it (ties to the incumbent; at 6 or more, once in 128 at random)",
		Traits: Randomised,
		newFilter: func(c Config) (filter, error) {
			f := &tinyLFUFilter{}
			f.sketch.seed = mix64(c.Seed)
			f.sketch.ensureCapacity(filterObjects(c))
			f.rng.Seed(c.Seed, 0x74696e79)
			return f, nil
		},
	})
	registerFilter(FilterInfo{
		Name: "doorkeeper",
		Summary: "TinyLFU's doorkeeper alone: a Bloom filter (1% false positives) of the keys missed since it was " +
			"last cleared, every 10 × capacity requests; a miss is admitted only if its key is in it",
		newFilter: func(c Config) (filter, error) {
			n := 10 * filterObjects(c)
			return &doorkeeperFilter{door: newBloom(n, 0.01, 0, false), period: n}, nil
		},
	})
}

// filterObjects is the number of objects a filter sizes itself for: the
// cache's capacity in objects when known, else its capacity up to 2^20.
func filterObjects(c Config) uint64 {
	if c.SizeHint > 0 {
		return uint64(c.SizeHint)
	}
	return uint64(max(1, min(c.Capacity, 1<<20)))
}

// tinyLFUFilter is W-TinyLFU's admission duel without the window.
type tinyLFUFilter struct {
	sketch freqSketch
	rng    rand.PCG
}

// Record implements filter: it counts r's key in the sketch.
func (f *tinyLFUFilter) Record(r *trace.Request) { f.sketch.increment(r.Key) }

// Admit implements filter: the candidate wins if the sketch counts it more
// often than the victim (or, popular enough, at random once in 128 times);
// with no victim it is admitted.
func (f *tinyLFUFilter) Admit(r *trace.Request, victim uint64, ok bool) bool {
	if !ok {
		return true
	}
	cf, vf := f.sketch.frequency(r.Key), f.sketch.frequency(victim)
	return cf > vf || (cf >= wtlJitterFrequency && f.rng.Uint64()&wtlJitterMask == 0)
}

// doorkeeperFilter admits keys it has seen miss since its last reset.
type doorkeeperFilter struct {
	door             bloom
	period, requests uint64
}

// Record implements filter: it counts requests and clears the doorkeeper
// every period of them.
func (f *doorkeeperFilter) Record(*trace.Request) {
	if f.requests++; f.requests >= f.period {
		f.door.clear()
		f.requests = 0
	}
}

// Admit implements filter: a key already in the doorkeeper is admitted;
// any other is put there.
func (f *doorkeeperFilter) Admit(r *trace.Request, _ uint64, _ bool) bool { return !f.door.put(r.Key) }

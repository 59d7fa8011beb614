package policy

import (
	"math/rand/v2"

	"github.com/cachesim/cachesim/traces/keymap"
	"github.com/cachesim/cachesim/traces/trace"
)

// The admission filters of libCacheSim (cache/admission/): size, prob and
// its "bloomfilter" (here bloom).

func init() {
	registerFilter(FilterInfo{
		Name:    "size",
		Summary: "admits only objects smaller than max bytes (libCacheSim's size admission)",
		Traits:  SizeAware,
		Params:  []Param{BytesParam("max", 1<<20, 1, 1<<50, "objects of this size or larger are never admitted")},
		Main:    "max",
		newFilter: func(c Config) (filter, error) {
			return sizeFilter{max: c.Values.Int("max")}, nil
		},
	})
	registerFilter(FilterInfo{
		Name:    "prob",
		Summary: "admits each missed object with probability p (libCacheSim's prob admission)",
		Traits:  Randomised,
		Params:  []Param{FractionParam("p", 0.5, "the probability that a miss is admitted")},
		Main:    "p",
		newFilter: func(c Config) (filter, error) {
			return &probFilter{p: c.Values.Float("p"), rng: rand.New(rand.NewPCG(c.Seed, 0x70726f62))}, nil
		},
	})
	registerFilter(FilterInfo{
		Name: "bloom",
		Summary: "admits an object on its second miss ever (libCacheSim's bloomfilter admission, which like this one " +
			"remembers every key it has seen exactly, in a hash set: no false positives, no forgetting)",
		newFilter: func(c Config) (filter, error) { return &seenFilter{seen: keymap.New()}, nil },
	})
}

// sizeFilter admits objects smaller than max.
type sizeFilter struct{ max int64 }

// Record implements filter: the size filter keeps no history.
func (sizeFilter) Record(*trace.Request) {}

// Admit implements filter: an object smaller than max is admitted.
func (f sizeFilter) Admit(r *trace.Request, _ uint64, _ bool) bool { return int64(r.Size) < f.max }

// probFilter admits a miss with probability p.
type probFilter struct {
	p   float64
	rng *rand.Rand
}

// Record implements filter: the probability filter keeps no history.
func (*probFilter) Record(*trace.Request) {}

// Admit implements filter: a miss is admitted with probability p.
func (f *probFilter) Admit(*trace.Request, uint64, bool) bool { return f.rng.Float64() < f.p }

// seenFilter admits keys it has seen miss before.
type seenFilter struct{ seen keymap.Map }

// Record implements filter: the seen filter remembers misses only (Admit).
func (*seenFilter) Record(*trace.Request) {}

// Admit implements filter: a key that missed before is admitted; any other
// is remembered.
func (f *seenFilter) Admit(r *trace.Request, _ uint64, _ bool) bool {
	if _, ok := f.seen.Get(r.Key); ok {
		return true
	}
	f.seen.Put(r.Key, 0)
	return false
}

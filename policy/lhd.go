package policy

import (
	"math"

	"github.com/cachesim/cachesim/traces/trace"
)

func init() {
	Register(Info{
		Name: "lhd",
		Summary: "LHD, least hit density (Beckmann et al., NSDI'18): samples cached objects and evicts the one with the " +
			"lowest expected hits per byte-time, learned per class of hit ages (as libCacheSim's LHD, with its random " +
			"generator)",
		Traits: Randomised | SizeAware,
		Params: []Param{
			IntParam("associativity", 32, 1, 1<<16, "objects sampled per eviction once the model has been reconfigured 50 times (8 before)"),
			IntParam("admissions", 8, 1, 1<<10, "recently admitted objects also considered for eviction"),
		},
		New: func(c Config) (Cache, error) {
			return newLHD(c.Capacity, int(c.Values.Int("associativity")), int(c.Values.Int("admissions")), c.Seed), nil
		},
	})
}

// LHD's constants, as libCacheSim's lhd.hpp.
const (
	lhdMaxAge         = 20000
	lhdHitAgeClasses  = 16
	lhdApp            = 1 // every object is in application class 1 (DEFAULT_APP_ID)
	lhdReconfigEvery  = 1 << 20
	lhdExploreInverse = 32
)

// lhd follows libCacheSim's LHD (LHD_Interface.cpp, lhd.cpp). Each cached
// object has a tag (lhdTag): the time of its last request, its last two
// hit ages, whether it is an explorer; time counts the requests LHD sees
// (hits and admissions). To make room it draws 8 tags (32, the
// associativity, after 50 reconfigurations) with libCacheSim's generator
// from the dense array of tags (denseSet: removal moves the last tag into
// the hole, as the C++ vector does), adds the recently admitted objects,
// and evicts the lowest hit density: the density its class (by the sum of
// its last two hit ages) learned for its coarsened age, divided by its
// size, plus 1 for an explorer; an age past the model is the lowest. Every
// 2^20 updates the model decays its hit and eviction counts and recomputes
// the densities, in single precision as libCacheSim. libCacheSim keeps 256
// classes, of which objects only ever use the 16 of application 1; only
// those are kept here.
type lhd struct {
	store
	dense          denseSet
	tags           []lhdTag // by entry index
	classes        [lhdHitAgeClasses]lhdClass
	rng            lcsRand
	assoc          int
	recent         []uint64 // keys of recently admitted objects
	recentRef      []uint32 // and their numbers (store.refOf)
	recentSet      []bool
	recentHead     int
	time           uint64
	nextReconfig   uint64
	reconfigs      int
	shift          uint64 // age coarsening
	ewmaObjects    float32
	ewmaMass       float32
	ewmaVictim     float32
	explorerBudget int64
}

// lhdTag is what LHD knows of a cached object.
type lhdTag struct {
	time, lastHitAge, lastLastHitAge uint64
	explorer                         bool
}

// lhdClass holds the statistics and hit densities of one class by age.
type lhdClass struct {
	hits, evictions, densities []float32
}

// newLHD returns an empty LHD cache drawing from libCacheSim's generator
// seeded by seed.
func newLHD(capacity int64, associativity, admissions int, seed uint64) *lhd {
	c := &lhd{
		store:          newStore(capacity),
		rng:            newLCSRand(seed),
		assoc:          associativity,
		recent:         make([]uint64, admissions),
		recentRef:      make([]uint32, admissions),
		recentSet:      make([]bool, admissions),
		nextReconfig:   lhdReconfigEvery,
		shift:          10,
		explorerBudget: int64(float32(capacity) * float32(0.01)),
	}
	for k := range c.classes {
		cl := &c.classes[k]
		cl.hits = make([]float32, lhdMaxAge)
		cl.evictions = make([]float32, lhdMaxAge)
		cl.densities = make([]float32, lhdMaxAge)
		id := lhdApp*lhdHitAgeClasses + k // libCacheSim's class number
		for a := range cl.densities {
			cl.densities[a] = float32(float64(id+1) / float64(a+1))
		}
	}
	return c
}

// Access looks r up, updating a hit's tag; a miss evicts the lowest hit
// densities until it fits and is admitted with a new tag.
func (c *lhd) Access(r *trace.Request) bool {
	if i, ok := c.lookup(r); ok {
		c.update(i, false)
		return true
	}
	if !c.fits(r.Size) {
		return false
	}
	for c.full(r.Size) {
		v := c.victim()
		c.replaced(v)
		c.dense.remove(c.nodes, v)
		c.evict(v)
	}
	i := c.add(r)
	c.dense.add(c.nodes, i)
	for int(i) >= len(c.tags) {
		c.tags = append(c.tags, lhdTag{})
	}
	c.update(i, true)
	return false
}

// age returns entry i's coarsened age, at most lhdMaxAge − 1.
func (c *lhd) age(i int32) uint64 {
	return min((c.time-c.tags[i].time)>>c.shift, lhdMaxAge-1)
}

// class returns the class of entry i's tag.
func (c *lhd) class(i int32) *lhdClass {
	age := c.tags[i].lastHitAge + c.tags[i].lastLastHitAge
	k := lhdHitAgeClasses - 1
	if age != 0 {
		k = 0
		for age < lhdMaxAge && k < lhdHitAgeClasses-1 {
			age <<= 1
			k++
		}
	}
	return &c.classes[k]
}

// density returns entry i's hit density, libCacheSim's getHitDensity.
func (c *lhd) density(i int32) float32 {
	age := c.age(i)
	if age == lhdMaxAge-1 {
		return -math.MaxFloat32
	}
	d := c.class(i).densities[age] / float32(c.nodes[i].size)
	if c.tags[i].explorer {
		d++
	}
	return d
}

// update records a request for entry i (a hit, or its admission), as
// libCacheSim's LHD::update.
func (c *lhd) update(i int32, admitted bool) {
	t := &c.tags[i]
	size := float32(c.nodes[i].size)
	if admitted {
		t.lastLastHitAge, t.lastHitAge = lhdMaxAge, 0
	} else {
		age := c.age(i)
		c.class(i).hits[age]++
		if t.explorer {
			c.explorerBudget = int64(float32(c.explorerBudget) + size)
		}
		t.lastLastHitAge, t.lastHitAge = t.lastHitAge, age
	}
	t.time = c.time
	explore := c.rng.next()%lhdExploreInverse == 0
	t.explorer = explore && c.explorerBudget > 0 && c.reconfigs < 50
	if t.explorer {
		c.explorerBudget = int64(float32(c.explorerBudget) - size)
	}
	if admitted && !explore && c.density(i) < c.ewmaVictim {
		c.recent[c.recentHead%len(c.recent)] = c.nodes[i].key
		c.recentRef[c.recentHead%len(c.recent)] = c.refOf(i)
		c.recentSet[c.recentHead%len(c.recent)] = true
		c.recentHead++
	}
	c.time++
	if c.nextReconfig--; c.nextReconfig == 0 {
		c.reconfigure()
		c.nextReconfig = lhdReconfigEvery
		c.reconfigs++
	}
}

// victim returns the entry to evict, libCacheSim's LHD::rank.
func (c *lhd) victim() int32 {
	best, bestRank := nilIdx, float32(math.MaxFloat32)
	n := 8
	if c.reconfigs > 50 {
		n = c.assoc
	}
	for range n {
		v := c.dense.items[c.rng.next()%uint64(c.dense.len())]
		if d := c.density(v); d < bestRank {
			best, bestRank = v, d
		}
	}
	for k, key := range c.recent {
		if !c.recentSet[k] {
			continue
		}
		if v, ok := c.index.get(key, c.recentRef[k]); ok {
			if d := c.density(v); d < bestRank {
				best, bestRank = v, d
			}
		}
	}
	c.ewmaVictim = float32(0.9*c.ewmaVictim) + float32((1-float32(0.9))*bestRank)
	return best
}

// replaced records the eviction of entry i.
func (c *lhd) replaced(i int32) {
	c.class(i).evictions[c.age(i)]++
	if c.tags[i].explorer {
		c.explorerBudget = int64(float32(c.explorerBudget) + float32(c.nodes[i].size))
	}
}

// reconfigure decays the statistics, adapts the age coarsening and models
// the hit densities anew, as libCacheSim's LHD::reconfigure.
func (c *lhd) reconfigure() {
	for k := range c.classes {
		cl := &c.classes[k]
		for a := range cl.hits {
			cl.hits[a] *= 0.9
			cl.evictions[a] *= 0.9
		}
	}
	c.adaptAgeCoarsening()
	for k := range c.classes {
		c.classes[k].model()
	}
}

// model recomputes the class's hit densities from its statistics.
func (cl *lhdClass) model() {
	events := cl.hits[lhdMaxAge-1] + cl.evictions[lhdMaxAge-1]
	hits := cl.hits[lhdMaxAge-1]
	lifetime := events
	for a := lhdMaxAge - 2; a >= 0; a-- {
		hits += cl.hits[a]
		events += cl.hits[a] + cl.evictions[a]
		lifetime += events
		cl.densities[a] = 0
		if float64(events) > 1e-5 {
			cl.densities[a] = hits / lifetime
		}
	}
}

// adaptAgeCoarsening tracks the number of cached objects and, at the 6th
// and 26th reconfiguration, resizes the age buckets to fit it.
func (c *lhd) adaptAgeCoarsening() {
	c.ewmaObjects = float32(c.ewmaObjects*0.9) + float32(c.Len())
	c.ewmaMass = float32(c.ewmaMass*0.9) + 1
	if c.reconfigs != 5 && c.reconfigs != 25 {
		return
	}
	objects := c.ewmaObjects / c.ewmaMass
	optimal := float32(float64(objects) / float64(float32(0.01)*lhdMaxAge))
	log2 := uint64(1)
	for float32(uint64(1)<<log2) < optimal {
		log2++
	}
	delta := int(log2) - int(c.shift)
	c.shift = log2
	c.ewmaObjects *= 8
	c.ewmaMass *= 8
	for k := range c.classes {
		c.classes[k].rescale(delta)
	}
}

// rescale moves the class's statistics to age buckets 2^delta times as
// wide, as libCacheSim's adaptAgeCoarsening.
func (cl *lhdClass) rescale(delta int) {
	switch {
	case delta < 0:
		d := -delta
		for a := lhdMaxAge >> d; a < lhdMaxAge-1; a++ {
			cl.hits[lhdMaxAge-1] += cl.hits[a]
			cl.evictions[lhdMaxAge-1] += cl.evictions[a]
		}
		for a := lhdMaxAge - 2; a >= 0; a-- {
			cl.hits[a] = cl.hits[a>>d] / float32(int(1)<<d)
			cl.evictions[a] = cl.evictions[a>>d] / float32(int(1)<<d)
		}
	case delta > 0:
		for a := 0; a < lhdMaxAge>>delta; a++ {
			cl.hits[a] = cl.hits[a<<delta]
			cl.evictions[a] = cl.evictions[a<<delta]
			for k := 1; k < 1<<delta; k++ {
				cl.hits[a] += cl.hits[(a<<delta)+k]
				cl.evictions[a] += cl.evictions[(a<<delta)+k]
			}
		}
		for a := lhdMaxAge >> delta; a < lhdMaxAge-1; a++ {
			cl.hits[a], cl.evictions[a] = 0, 0
		}
	}
}

// Remove drops key's object (a delete in the trace).
func (c *lhd) Remove(key uint64) bool { return c.removeDense(key, &c.dense) }

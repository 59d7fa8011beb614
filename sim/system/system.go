// Package system simulates a cache hierarchy as a whole system: private
// first levels per service instance in front of shared levels in front of
// a backend, replayed on the trace's time with sim's latency model. Beyond
// the hit ratios of each level it models what a single cache cannot show:
// stampedes of concurrent misses (stampede.go), writes, invalidations
// between instances and periodic drops of every entry (writes.go), warm-up
// and prewarming. Configurations are parsed in spec.go, results are in
// stats.go and sweeps over a level's size in sweep.go. sim's single-cache
// Replay stays the fast path; this package builds on sim and sim never
// imports it.
package system

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
)

// Level is one tier of a cache hierarchy.
type Level struct {
	// Name names the level in reports ("l1", "l2").
	Name string
	// Policy is the level's eviction policy.
	Policy policy.Spec
	// Size is the level's size, in bytes or in objects (every object then
	// has size 1 in this level).
	Size sim.Size
	// Latency is the cost of a lookup in this level, in seconds, paid by every request that reaches it.
	Latency float64
}

// Assignment says how requests are spread over the instances.
type Assignment uint8

const (
	// AssignRoundRobin sends request i to instance i mod N.
	AssignRoundRobin Assignment = iota
	// AssignKeyHash sends every request for a key to the same instance (sticky routing).
	AssignKeyHash
)

// Config describes a system simulation. The zero values of the
// optional fields turn their mechanism off.
type Config struct {
	// Levels are the tiers from the nearest (L1) to the farthest; at least one.
	Levels []Level
	// Instances is the number of service instances, each with a private copy
	// of the first level; the other levels are shared. 0 means 1.
	Instances int
	// Assign spreads the requests over the instances.
	Assign Assignment
	// InstanceOf, when set, gives each request's instance (a trace column);
	// it overrides Assign. Values are taken modulo Instances.
	InstanceOf []uint32
	// Exclusive keeps an object in one level at a time (see Stats).
	Exclusive bool
	// TTL is the time to live of a fetched value whose request carries no TTL;
	// 0 means values never expire (unless the request has a TTL).
	TTL time.Duration
	// Seed seeds randomised policies and XFetch's draws.
	Seed uint64
	// Latency gives each request's backend (miss) latency; nil means 0. Stampede modes need it.
	Latency *sim.Latencies
	// Stampede is what concurrent misses for one key do.
	Stampede Stampede
	// Beta is XFetch's β (>= 0; 1 is the paper's default).
	Beta float64
	// Writes is the write policy for the trace's sets.
	Writes WritePolicy
	// FlushInterval is how often a write-back cache writes its dirty entries to the store.
	FlushInterval time.Duration
	// InvalidationDelay is how long an invalidation takes to reach the other instances' L1s.
	InvalidationDelay time.Duration
	// InvalidateEvery drops every cached entry at this period of trace time (a model redeploy).
	InvalidateEvery time.Duration
	// InvalidateTenants, when set, makes InvalidateEvery drop only the
	// entries of these tenants (trace.Request.Tenant): one model
	// redeployed, the others' predictions kept (tenants.go).
	InvalidateTenants []uint32
	// DedupBatch skips a key looked up a second time within one
	// multi-key request (see sim.Options).
	DedupBatch bool
	// DipWindow is the span before and after each InvalidateEvery event over
	// which the dip and the miss storm are measured; 0 means a tenth of the period.
	DipWindow time.Duration
	// Warmup is left out of the statistics (its requests still fill the
	// caches).
	Warmup sim.Warmup
	// Prewarm, when set, is loaded into every level before the first request,
	// least popular first (see TopKeys).
	Prewarm []KeySize
	// PrewarmFromWarmup says that Prewarm came from the warm-up part of the
	// trace itself, which then stands for the past and is not replayed.
	PrewarmFromWarmup bool
	// Window, when set, records per-window counts in Stats.Windows.
	Window *sim.WindowPlan
}

// keyState is what the system knows of a key's value beyond the caches.
type keyState struct {
	expiry int64 // the value is fresh before this time; 0: no value yet (a fetch in flight)
	delta  int64 // duration of the last fetch (XFetch's δ)
	end    int64 // latest end of a call in flight
	calls  int32 // calls in flight
}

// sysLevel is a level and its caches: one per instance for a private level.
type sysLevel struct {
	Level
	caches  []policy.Cache
	evBase  uint64        // evictions of caches dropped by model versions, minus those before the warm-up ended
	scratch trace.Request // the request as this level sees it (view)
	demoted trace.Request // an object demoted into this level (exclusive)
}

// system is one run of a system simulation.
type system struct {
	cfg       *Config
	levels    []sysLevel
	instances int
	st        Stats
	win       *sim.Windower
	never     bool  // values never expire
	ttl       int64 // default TTL, ns (0: never)
	track     bool  // per-key state is needed (expiry or stampedes)
	keys      map[uint64]keyState
	calls     sim.EndHeap[call]
	rng       *rand.Rand
	start     int64 // time the statistics start
	last      int64 // time of the latest request
	w         writer
	v         versions
	plainHits []uint64          // per level: hits whose latency is only the lookups (see flushHits)
	bt        *sim.BatchCounter // multi-key requests (nil: the trace has none)
	owned     tenantKeys        // the keys of the tenants InvalidateTenants drops
	batches   bool              // the trace has multi-key requests
	// clientWrites: the trace's clients write their own objects
	// (trace.Trace.ClientWrites): values expire only in levels whose
	// policy honours TTLs, as in a replay.
	clientWrites bool
}

// Run simulates t through the system cfg describes.
func Run(t *trace.Trace, cfg Config) (Stats, error) {
	s, err := newSystem(t, &cfg)
	if err != nil {
		return Stats{}, err
	}
	n := t.Len()
	from, warm := 0, sim.WarmupEnd(t, cfg.Warmup)
	if cfg.PrewarmFromWarmup {
		from, warm = warm, 0
	}
	var r trace.Request
	if from < n {
		t.At(from, &r)
		s.begin(r.Time)
	}
	for i := from; i < n; i++ {
		t.At(i, &r)
		s.advance(r.Time)
		if i == warm && warm > from {
			s.reset(r.Time)
		}
		inst := s.instance(i, r.Key)
		s.owned.note(&r)
		switch r.Op {
		case trace.OpSet, trace.OpWrite:
			s.set(&r, inst)
		case trace.OpDelete:
			s.del(&r, inst)
		case trace.OpExpire:
			s.retime(&r, inst)
		case trace.OpChange: // the caches are not told (sim.Change)
		default:
			s.lookup(i, &r, inst)
		}
	}
	return s.finish(), nil
}

// lookup serves a get, following the multi-key request it belongs to.
func (s *system) lookup(i int, r *trace.Request, inst int) {
	if s.bt == nil {
		s.get(i, r, inst)
		return
	}
	if !r.Continues {
		s.bt.Start()
	}
	if s.bt.Skip(r.Key) {
		return
	}
	hit, lat := s.get(i, r, inst)
	s.bt.Lookup(i, r.Size, hit, lat)
}

// newSystem builds the caches and checks that cfg can run on t.
func newSystem(t *trace.Trace, cfg *Config) (*system, error) {
	if err := check(t, cfg); err != nil {
		return nil, err
	}
	s := &system{cfg: cfg, instances: max(cfg.Instances, 1), ttl: int64(cfg.TTL),
		rng: rand.New(rand.NewPCG(cfg.Seed, 0x78666574636800)), clientWrites: t.ClientWrites()} // "xfetch"
	// Values expire by the system's clock (TTLs and the default), unless
	// the clients write their own objects: then, as in a replay, only a
	// level whose policy honours TTLs expires them (sim.Semantics).
	s.never = (s.ttl <= 0 && t.TTLs == nil) || s.clientWrites
	s.track = !s.never || cfg.Stampede != StampedeOff
	if s.track {
		s.keys = make(map[uint64]keyState)
	}
	s.levels = make([]sysLevel, len(cfg.Levels))
	s.st.Levels = make([]LevelStats, len(cfg.Levels))
	s.plainHits = make([]uint64, len(cfg.Levels))
	for j, lv := range cfg.Levels {
		n := 1
		if j == 0 {
			n = s.instances
		}
		l := &s.levels[j]
		l.Level = lv
		l.caches = make([]policy.Cache, n)
		for k := range n {
			if err := s.build(j, k); err != nil {
				return nil, err
			}
		}
		sim.PrepareFuture(t, l.caches[0])
		s.st.Levels[j].Name = lv.Name
	}
	if err := s.w.init(s, t); err != nil {
		return nil, err
	}
	s.v.init(cfg)
	s.owned.init(cfg)
	if s.batches = t.HasBatches(); s.batches {
		s.bt = sim.NewBatchCounter(cfg.DedupBatch, cfg.Latency)
	}
	if cfg.Window != nil {
		s.win = cfg.Window.Start()
	}
	s.st.Latency = &sim.Histogram{}
	if cfg.Latency != nil {
		s.st.Latency = cfg.Latency.NewHistogram()
	}
	return s, nil
}

// check returns a ConfigError for a setting of cfg that cannot run on t.
func check(t *trace.Trace, cfg *Config) error {
	switch {
	case len(cfg.Levels) == 0:
		return configError(SettingLevels, "a system needs at least one level")
	case len(cfg.Levels) > MaxLevels:
		return configError(SettingLevels, "%d levels exceed the maximum of %d", len(cfg.Levels), MaxLevels)
	case cfg.Instances > MaxInstances:
		return configError(SettingInstances, "%d exceeds the maximum of %d (each instance holds a private first level)", cfg.Instances, MaxInstances)
	case cfg.InstanceOf != nil && len(cfg.InstanceOf) != t.Len():
		return configError(SettingAssign, "%d instance assignments for the %d requests of %s", len(cfg.InstanceOf), t.Len(), t.Name)
	case cfg.Beta < 0 || math.IsNaN(cfg.Beta):
		return configError(SettingBeta, "%g: expected a number >= 0", cfg.Beta)
	case len(cfg.InvalidateTenants) > 0 && cfg.InvalidateEvery <= 0:
		return configError(SettingInvalidationPeriod, "dropping some tenants' entries needs a period: when to drop them")
	case cfg.Writes == WriteBack && cfg.FlushInterval <= 0:
		return configError(SettingFlushInterval, "write-back needs one above 0: how often dirty entries are written to the store")
	case t.ClientWrites() && cfg.Stampede != StampedeOff:
		return configError(SettingStampede, "%s has no effect on %s: its clients write their own objects (cache-aside), so what "+
			"concurrent misses do is in the trace already", cfg.Stampede, t.Name)
	case t.ClientWrites() && cfg.Writes != WriteThrough:
		return configError(SettingWrites, "%s has no effect on %s: its clients write their own objects (cache-aside), and "+
			"their writes are the cache's own fills", cfg.Writes, t.Name)
	}
	if err := checkTimes(t, cfg); err != nil {
		return err
	}
	return checkExclusive(cfg)
}

// configError returns a ConfigError for setting what.
func configError(what Setting, format string, a ...any) error {
	return &ConfigError{Setting: what, Problem: fmt.Sprintf(format, a...)}
}

// checkTimes checks the durations of cfg, and that t has the timestamps they need.
func checkTimes(t *trace.Trace, cfg *Config) error {
	for _, d := range []struct {
		what Setting
		d    time.Duration
	}{{SettingFlushInterval, cfg.FlushInterval}, {SettingInvalidationDelay, cfg.InvalidationDelay},
		{SettingInvalidationPeriod, cfg.InvalidateEvery}, {SettingDipWindow, cfg.DipWindow}, {SettingWarmup, cfg.Warmup.Duration}} {
		if d.d < 0 {
			return configError(d.what, "%s: expected a duration >= 0", d.d)
		}
		if d.d > 0 && t.Times == nil && d.what != SettingDipWindow {
			return configError(d.what, "%s needs timestamps, and %s has none", d.d, t.Name)
		}
	}
	if cfg.Stampede != StampedeOff && t.Times == nil {
		return configError(SettingStampede, "%s needs timestamps, and %s has none", cfg.Stampede, t.Name)
	}
	return nil
}

// checkExclusive checks that an exclusive hierarchy can hand objects between its levels.
func checkExclusive(cfg *Config) error {
	if !cfg.Exclusive {
		return nil
	}
	if len(cfg.Levels) < 2 || cfg.Instances > 1 {
		return configError(SettingExclusive, "an exclusive hierarchy needs at least two levels and one instance (an object handed up to one instance's L1 would leave the others none)")
	}
	for _, l := range cfg.Levels {
		if l.Size.Unit != cfg.Levels[0].Size.Unit {
			return configError(SettingExclusive, "an exclusive hierarchy needs every level in the same unit (bytes or objects): %s is not", l.Name)
		}
	}
	return nil
}

// build (re)makes instance k's cache of level j.
func (s *system) build(j, k int) error {
	l := &s.levels[j]
	c, err := policy.New(l.Policy, policy.Config{Capacity: l.Size.N, TTL: s.cfg.TTL, Seed: s.cfg.Seed + uint64(k),
		Objects: !l.Size.Bytes()})
	if err != nil {
		return fmt.Errorf("level %s: %w", l.Name, err)
	}
	l.caches[k] = c
	if s.cfg.Exclusive && j+1 < len(s.levels) {
		obs, ok := c.(policy.EvictionObserver)
		if !ok {
			return fmt.Errorf("level %s: an exclusive hierarchy needs a policy that reports its evictions, and %s does not", l.Name, l.Policy)
		}
		obs.OnEvict(func(key uint64, size uint32) { s.demote(j+1, key, size) })
	}
	if s.cfg.Writes == WriteBack && j+1 == len(s.levels) {
		// The last level holds the dirty entries: one it evicts is written then.
		if obs, ok := c.(policy.EvictionObserver); ok {
			obs.OnEvict(func(key uint64, _ uint32) { s.w.evictDirty(s, key) })
		}
	}
	return nil
}

// demote moves an object evicted from the level above into level j (exclusive hierarchies).
func (s *system) demote(j int, key uint64, size uint32) {
	l := &s.levels[j]
	l.demoted = trace.Request{Time: s.last, Key: key, Size: size}
	l.caches[0].Access(&l.demoted)
}

// begin loads the prewarm keys and starts the clocks at time now.
func (s *system) begin(now int64) {
	s.start, s.last = now, now
	s.w.start(now)
	s.v.start(now)
	p := s.cfg.Prewarm
	for k := len(p) - 1; k >= 0; k-- {
		r := trace.Request{Time: now, Key: p[k].Key, Size: p[k].Size}
		for j := range s.levels {
			if s.cfg.Exclusive && j > 0 {
				break // the first level's overflow goes down
			}
			for _, c := range s.levels[j].caches {
				c.Access(s.levels[j].view(&r))
			}
		}
		if s.track {
			s.keys[r.Key] = keyState{expiry: s.expiryOf(&r, now)}
		}
	}
	s.st.Prewarmed = len(p)
}

// reset drops the statistics gathered so far: the warm-up ends at now.
func (s *system) reset(now int64) {
	levels := s.st.Levels
	for j := range levels {
		levels[j] = LevelStats{Name: levels[j].Name}
		l := &s.levels[j]
		l.evBase = 0
		for _, c := range l.caches {
			l.evBase -= c.Evictions()
		}
	}
	h := &sim.Histogram{}
	if s.cfg.Latency != nil {
		h = s.cfg.Latency.NewHistogram()
	}
	s.st = Stats{Levels: levels, Prewarmed: s.st.Prewarmed}
	if s.batches {
		s.bt = sim.NewBatchCounter(s.cfg.DedupBatch, s.cfg.Latency)
	}
	clear(s.plainHits)
	s.st.Latency = h
	if s.cfg.Window != nil {
		s.win = s.cfg.Window.Start()
	}
	s.start = now
	s.w.reset(s, now)
	s.v.reset()
}

// view returns r as level l sees it: with size 1 in an object-count level.
func (l *sysLevel) view(r *trace.Request) *trace.Request {
	if l.Size.Bytes() {
		return r
	}
	l.scratch = *r
	l.scratch.Size = 1
	return &l.scratch
}

// cache returns the cache of level l that serves instance inst.
func (l *sysLevel) cache(inst int) policy.Cache { return l.caches[inst%len(l.caches)] }

// instance returns the instance that serves request i.
func (s *system) instance(i int, key uint64) int {
	if s.instances == 1 {
		return 0
	}
	if s.cfg.InstanceOf != nil {
		return int(s.cfg.InstanceOf[i] % uint32(s.instances))
	}
	if s.cfg.Assign == AssignKeyHash {
		return int(trace.SpatialHash(key) % uint64(s.instances))
	}
	return i % s.instances
}

// expiryOf returns when a value of r fetched or written at time at expires.
func (s *system) expiryOf(r *trace.Request, at int64) int64 {
	ttl := s.ttl
	if r.TTL > 0 {
		ttl = int64(r.TTL) * 1e9
	}
	if ttl <= 0 || at > never-ttl {
		return never
	}
	return at + ttl
}

// never is the expiry of a value that does not expire.
const never = math.MaxInt64

// addSat returns a+b for b >= 0, or never past math.MaxInt64.
func addSat(a, b int64) int64 {
	if a > never-b {
		return never
	}
	return a + b
}

// boundaryAfter returns the first of the times next, next+period,
// next+2·period, … after now, for next <= now: the next boundary of a
// periodic event once those up to now are done (never past math.MaxInt64).
func boundaryAfter(next, period, now int64) int64 {
	d := now - next
	if d < 0 {
		return never // now - next overflowed: no boundary fits in int64 past now
	}
	step := d / period * period
	if step > never-period {
		return never
	}
	return addSat(next, step+period)
}

// advance applies everything that happens before time now: fetches
// completing, invalidations arriving, flushes and model versions.
func (s *system) advance(now int64) {
	for s.calls.Due(now) {
		s.complete(s.calls.Pop())
	}
	s.w.advance(s, now)
	s.v.advance(s, now)
	s.last = now
}

// get serves a lookup: down the levels until one holds a fresh value, else
// from the backend. A level that misses admits the object (inclusive fill),
// except in an exclusive hierarchy. It reports whether a level served it,
// and its latency.
func (s *system) get(i int, r *trace.Request, inst int) (bool, float64) {
	now, size := r.Time, uint64(r.Size)
	var ks keyState
	fresh := true
	if s.track {
		ks = s.keys[r.Key]
		fresh = now < ks.expiry
	}
	served, held := s.serve(r, inst, fresh)
	lat := 0.0
	for j := range s.levels {
		if served >= 0 && j > served {
			break
		}
		lat += s.levels[j].Latency
		s.st.Levels[j].Reached++
	}
	if s.w.stale != nil {
		s.w.noteRead(s, inst, r.Key, now, served == 0)
	}
	calls := s.st.Backend.Calls
	switch {
	case served >= 0 && s.cfg.Stampede == StampedeXFetch && s.earlyRecompute(i, &ks, now):
		s.st.Backend.EarlyRecomputes++
		lat += s.call(i, r, &ks, now, true)
		s.keys[r.Key] = ks
		s.st.Latency.Add(lat)
	case served >= 0:
		// A plain hit costs the lookups down to its level: counted, and
		// added to the histogram at the end (see flushHits).
		s.plainHits[served]++
	default:
		if held && ks.expiry != 0 {
			s.st.Backend.Expired++
		}
		lat += s.fetch(i, r, &ks, now)
		if s.track {
			s.keys[r.Key] = ks
		}
		s.st.Latency.Add(lat)
	}
	hit := served >= 0
	if hit {
		s.st.Levels[served].Hits++
		s.st.Levels[served].ByteHits += size
		s.st.Hits++
		s.st.ByteHits += size
	}
	s.st.Requests++
	s.st.Bytes += size
	if s.win != nil {
		s.win.Add(int64(i), now, hit, size)
	}
	s.v.note(now, hit, s.st.Backend.Calls-calls)
	return hit, lat
}

// serve looks r up down the levels of instance inst and returns the level
// that serves it (-1: none) and whether any level held it (fresh or not).
// A level that misses admits the object (inclusive fill). In an exclusive
// hierarchy only the first level admits; a lower level that holds the
// object hands it up (and the first level's victims go down, see demote).
func (s *system) serve(r *trace.Request, inst int, fresh bool) (served int, held bool) {
	if s.cfg.Exclusive {
		// The lower levels first, so that the first level's victim cannot
		// push the object out of them; an object in the first level is in no
		// other, so this looks up nothing the first level would have served.
		served = -1
		for j := 1; j < len(s.levels) && served < 0; j++ {
			if s.levels[j].caches[0].Remove(r.Key) {
				served, held = j, true
			}
		}
		l := &s.levels[0]
		if sim.Apply(l.cache(inst), l.view(r), s.read(r)) {
			served, held = 0, true
		}
		if !fresh {
			served = -1
		}
		return served, held
	}
	a := s.read(r)
	for j := range s.levels {
		l := &s.levels[j]
		if sim.Apply(l.cache(inst), l.view(r), a) {
			held = true
			if fresh {
				return j, true
			}
		}
	}
	return -1, held
}

// read returns what a read does to a level (see sim.Semantics).
func (s *system) read(r *trace.Request) sim.Action {
	return sim.Semantics{}.Action(r)
}

// flushHits adds the plain hits to the latency histogram: a hit served by
// level j costs the lookups of levels 0…j.
func (s *system) flushHits() {
	lat := 0.0
	for j := range s.levels {
		lat += s.levels[j].Latency
		s.st.Latency.AddN(lat, s.plainHits[j])
		s.plainHits[j] = 0
	}
}

// finish closes the run and computes the derived figures.
func (s *system) finish() Stats {
	s.w.finish(s, s.last)
	s.flushHits()
	st := &s.st
	st.Span = s.last - s.start
	for j := range s.levels {
		l := &s.levels[j]
		ls := &st.Levels[j]
		ls.Evictions = l.evBase
		for _, c := range l.caches {
			ls.Evictions += c.Evictions()
		}
		st.Evictions += ls.Evictions
		ls.HitRatio = ratio(ls.Hits, st.Requests)
		ls.HitRatioReached = ratio(ls.Hits, ls.Reached)
	}
	st.Backend.Load = ratio(st.Backend.Calls, st.Requests)
	if st.Span > 0 {
		st.Backend.PerSecond = float64(st.Backend.Calls) / (float64(st.Span) / 1e9)
	}
	if s.win != nil {
		st.Windows = s.win.Windows()
	}
	st.Versions = s.v.events(s.last)
	if s.bt != nil {
		st.Batch = s.bt.Finish()
	}
	return *st
}

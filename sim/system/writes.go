package system

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
)

// WritePolicy is what a write (a set in the trace) does to the caches and the store.
type WritePolicy uint8

const (
	// WriteThrough writes the store and the caches together.
	WriteThrough WritePolicy = iota
	// WriteBack writes the caches and marks the entry dirty; dirty entries
	// reach the store at the next flush (every Config.FlushInterval),
	// or when the last level (the write-back cache) evicts them.
	WriteBack
	// WriteAround (cache-aside) writes the store and invalidates the cached copies.
	WriteAround
)

// WritePolicyNames are the names of the write policies, in the order of
// their values, as ParseWritePolicy reads them.
var WritePolicyNames = []string{"through", "back", "around"}

// String returns the policy's name, as ParseWritePolicy reads it.
func (w WritePolicy) String() string { return WritePolicyNames[w] }

// invalidation is a write's invalidation on its way to the other instances' L1s.
type invalidation struct {
	at   int64
	key  uint64
	from int // the writing instance, whose own L1 is already up to date
}

// writer holds the state of writes: dirty entries, invalidations in flight,
// and what staleness needs (the last write of each key, when each L1 copy was filled).
type writer struct {
	policy   WritePolicy
	interval int64 // flush interval, ns
	delay    int64 // invalidation delay, ns
	next     int64 // time of the next flush

	dirty      map[uint64]uint32 // dirty keys and their sizes
	dirtyBytes int64
	riskAt     int64   // time up to which the at-risk integrals are summed
	riskN      float64 // ∫ dirty entries dt
	riskB      float64 // ∫ dirty bytes dt

	queue []invalidation // in order of arrival time (writes come in time order)
	head  int

	lastWrite map[uint64]int64   // nil unless stale reads are possible
	stale     []map[uint64]int64 // per instance: when its L1 copy of a key was filled
}

// init sets the writer up for t and checks that the levels can do what the writes need.
func (w *writer) init(s *system, t *trace.Trace) error {
	cfg := s.cfg
	w.policy, w.interval, w.delay = cfg.Writes, int64(cfg.FlushInterval), int64(cfg.InvalidationDelay)
	if w.policy == WriteBack {
		w.dirty = make(map[uint64]uint32)
	}
	if t.Ops == nil {
		return nil
	}
	var sets, dels bool
	for _, op := range t.Ops {
		sets, dels = sets || op == trace.OpSet || op == trace.OpWrite, dels || op == trace.OpDelete
	}
	if (sets || dels) && s.instances > 1 {
		w.lastWrite = make(map[uint64]int64)
		w.stale = make([]map[uint64]int64, s.instances)
		for k := range w.stale {
			w.stale[k] = make(map[uint64]int64)
		}
	}
	return nil
}

func (w *writer) start(now int64) {
	w.next = addSat(now, w.interval)
	w.riskAt = now
}

// reset drops the write statistics: the warm-up ends at now, with the
// entries still dirty at risk from then on.
func (w *writer) reset(s *system, now int64) {
	w.riskAt, w.riskN, w.riskB = now, 0, 0
	s.st.Writes.MaxDirty, s.st.Writes.MaxDirtyBytes = len(w.dirty), w.dirtyBytes
}

// advance applies the invalidations that arrive and the flushes due before
// now. Of several flushes due, only the first has anything to write (no
// request came between them): it is the one applied, and the clock jumps
// past the others, so that a gap in the trace's time costs one step.
func (w *writer) advance(s *system, now int64) {
	for w.head < len(w.queue) && w.queue[w.head].at <= now {
		v := w.queue[w.head]
		w.head++
		s.invalidateOthers(v.from, v.key)
	}
	if w.head == len(w.queue) {
		w.queue, w.head = w.queue[:0], 0
	}
	if w.dirty != nil && now >= w.next {
		w.flush(s, w.next)
		w.next = boundaryAfter(w.next, w.interval, now)
	}
}

// accrue adds the entries and bytes at risk up to time now to the integrals.
func (w *writer) accrue(now int64) {
	if now > w.riskAt {
		dt := float64(now - w.riskAt)
		w.riskN += float64(len(w.dirty)) * dt
		w.riskB += float64(w.dirtyBytes) * dt
		w.riskAt = now
	}
}

// flush writes every dirty entry to the store at time now.
func (w *writer) flush(s *system, now int64) {
	w.accrue(now)
	s.st.Writes.StoreWrites += uint64(len(w.dirty))
	clear(w.dirty)
	w.dirtyBytes = 0
}

// markDirty records a write-back write of key.
func (w *writer) markDirty(s *system, key uint64, size uint32, now int64) {
	w.accrue(now)
	w.dirtyBytes += int64(size) - int64(w.dirty[key])
	w.dirty[key] = size
	ws := &s.st.Writes
	ws.MaxDirty = max(ws.MaxDirty, len(w.dirty))
	ws.MaxDirtyBytes = max(ws.MaxDirtyBytes, w.dirtyBytes)
}

// evictDirty writes key to the store if it is dirty: the write-back level
// evicted it, so it cannot wait for the flush.
func (w *writer) evictDirty(s *system, key uint64) {
	if size, ok := w.dirty[key]; ok {
		w.accrue(s.last)
		s.st.Writes.StoreWrites++
		w.dirtyBytes -= int64(size)
		delete(w.dirty, key)
	}
}

// finish flushes what is left and computes the means.
func (w *writer) finish(s *system, now int64) {
	ws := &s.st.Writes
	if w.dirty != nil {
		w.flush(s, now)
		if span := float64(now - s.start); span > 0 {
			ws.MeanDirty, ws.MeanDirtyBytes = w.riskN/span, w.riskB/span
		}
	}
	// Deletes always reach the store; writes merged in the cache do not.
	if n := s.st.Sets + s.st.Deletes; n > ws.StoreWrites {
		ws.Saved = n - ws.StoreWrites
	}
}

// noteRead records a read by instance inst at time now. fromL1 says its L1
// served it: a stale read if the copy predates the key's last write (filled
// before it, the invalidation not yet arrived). Otherwise the value flowed
// back through the L1, which now holds a fresh copy.
func (w *writer) noteRead(s *system, inst int, key uint64, now int64, fromL1 bool) {
	if !fromL1 {
		w.stale[inst][key] = now
		return
	}
	if at, ok := w.lastWrite[key]; ok && at > w.stale[inst][key] {
		s.st.Writes.StaleReads++
	}
}

// set applies a write by instance inst.
func (s *system) set(r *trace.Request, inst int) {
	s.st.Sets++
	now := r.Time
	if s.clientWrites { // the client's own fill of the cache, not a store's write
		s.fill(r, inst)
		s.written(r.Key, inst, now)
		return
	}
	switch s.w.policy {
	case WriteThrough:
		s.st.Writes.StoreWrites++
		s.fill(r, inst)
	case WriteBack:
		s.fill(r, inst)
		s.w.markDirty(s, r.Key, r.Size, now)
	case WriteAround:
		s.st.Writes.StoreWrites++
		s.remove(r.Key, inst)
	}
	s.written(r.Key, inst, now)
}

// del applies a delete by instance inst: the store and every cache drop the key.
func (s *system) del(r *trace.Request, inst int) {
	s.st.Deletes++
	s.st.Writes.StoreWrites++
	if s.w.dirty != nil {
		if size, ok := s.w.dirty[r.Key]; ok {
			s.w.accrue(r.Time)
			s.w.dirtyBytes -= int64(size)
			delete(s.w.dirty, r.Key)
		}
	}
	s.remove(r.Key, inst)
	s.written(r.Key, inst, r.Time)
}

// fill writes r's value into instance inst's L1 and the shared levels,
// at r's size and TTL (sim.Store).
func (s *system) fill(r *trace.Request, inst int) {
	for j := range s.levels {
		l := &s.levels[j]
		if s.cfg.Exclusive && j > 0 {
			l.caches[0].Remove(r.Key) // the first level holds it now
			continue
		}
		sim.Apply(l.cache(inst), l.view(r), sim.Store)
	}
	if s.track {
		ks := s.keys[r.Key]
		ks.expiry = s.expiryOf(r, r.Time)
		s.keys[r.Key] = ks
	}
	if s.w.stale != nil {
		s.w.stale[inst][r.Key] = r.Time
	}
}

// retime applies a change of r's key's TTL (sim.Retime): a value held
// and fresh expires r.TTL seconds from now (never when 0, unless a default
// TTL applies).
func (s *system) retime(r *trace.Request, inst int) {
	s.st.Sets++
	for j := range s.levels {
		l := &s.levels[j]
		sim.Apply(l.cache(inst), l.view(r), sim.Retime)
	}
	if s.track {
		if ks, ok := s.keys[r.Key]; ok && r.Time < ks.expiry {
			ks.expiry = s.expiryOf(r, r.Time)
			s.keys[r.Key] = ks
		}
	}
}

// remove drops key from instance inst's L1 and the shared levels.
func (s *system) remove(key uint64, inst int) {
	for j := range s.levels {
		l := &s.levels[j]
		l.cache(inst).Remove(key)
	}
}

// written sends the invalidation of key to the instances other than the writer.
func (s *system) written(key uint64, from int, now int64) {
	if s.w.lastWrite == nil {
		return
	}
	s.w.lastWrite[key] = now
	if s.w.delay == 0 {
		s.invalidateOthers(from, key)
		return
	}
	s.w.queue = append(s.w.queue, invalidation{at: addSat(now, s.w.delay), key: key, from: from})
}

// invalidateOthers drops key from the L1 of every instance but from.
func (s *system) invalidateOthers(from int, key uint64) {
	l := &s.levels[0]
	for k, c := range l.caches {
		if k != from {
			c.Remove(key)
			s.st.Writes.Invalidations++
		}
	}
}

// versions drops every cached entry every period (model redeploys) and
// measures the traffic around each drop. Only the events whose spans see
// requests are kept, so the work and memory follow the requests, not the
// trace's span.
type versions struct {
	period, window int64
	base, next     int64
	ev             []VersionEvent
}

func (v *versions) init(cfg *Config) {
	v.period = int64(cfg.InvalidateEvery)
	v.window = int64(cfg.DipWindow)
	if v.window <= 0 {
		v.window = v.period / 10
	}
}

func (v *versions) start(now int64) {
	v.base, v.next = now, addSat(now, v.period)
}

func (v *versions) reset() { v.ev = v.ev[:0] }

// advance drops every entry at the period boundaries before now. Of
// several boundaries, only the first finds anything cached (no request
// came between them): it is the one applied, and the clock jumps past the
// others.
func (v *versions) advance(s *system, now int64) {
	if v.period > 0 && now >= v.next {
		if s.owned.keys != nil {
			s.dropTenants(v.next)
		} else {
			s.dropAll(v.next)
		}
		v.next = boundaryAfter(v.next, v.period, now)
	}
}

// note counts a request at time now in the spans around the events.
func (v *versions) note(now int64, hit bool, calls uint64) {
	if v.period <= 0 {
		return
	}
	k := (now - v.base) / v.period // the boundaries before now: k of them
	since := now - v.base - k*v.period
	if k >= 1 && since < v.window {
		v.event(now-since).After.add(hit, calls)
	}
	if until := v.period - since; until <= v.window && now <= never-until {
		v.event(now+until).Before.add(hit, calls)
	}
}

// event returns the event of the boundary at time at, adding it in time
// order when it is new (at the end, unless the trace's times go back).
func (v *versions) event(at int64) *VersionEvent {
	j, found := slices.BinarySearchFunc(v.ev, at, func(e VersionEvent, at int64) int { return cmp.Compare(e.Time, at) })
	if !found {
		v.ev = slices.Insert(v.ev, j, VersionEvent{Time: at})
	}
	return &v.ev[j]
}

func (e *EventWindow) add(hit bool, calls uint64) {
	e.Requests++
	if hit {
		e.Hits++
	}
	e.Calls += calls
}

// events returns the events that happened by time last.
func (v *versions) events(last int64) []VersionEvent {
	out := v.ev
	for len(out) > 0 && out[len(out)-1].Time > last {
		out = out[:len(out)-1]
	}
	return out
}

// dropAll empties every cache at time at, as a model redeploy invalidates
// every prediction: the caches are rebuilt empty; dirty entries are
// flushed first. Stats.Drops counts it when some cache held an entry.
func (s *system) dropAll(at int64) {
	if s.w.dirty != nil {
		s.w.flush(s, at)
	}
	held := false
	for j := range s.levels {
		l := &s.levels[j]
		for k, c := range l.caches {
			held = held || c.Len() > 0
			l.evBase += c.Evictions()
			if err := s.build(j, k); err != nil {
				panic(fmt.Sprintf("system: rebuilding a cache that was built before: %v", err))
			}
		}
	}
	if held {
		s.st.Drops++
	}
}

package sim

import (
	"fmt"
	"math"
	"strings"

	"github.com/cachesim/cachesim/traces/trace"
)

// Multi-key requests (batches).
//
// A request may carry several keys (trace.Request.Continues marks the
// second and later ones): a feature-store lookup for a batch of entities,
// an MGET, a MULTI/EXEC block. Policies see one key at a time, in order:
// each key is looked up as any request is (a miss admits it, which may
// evict an earlier key of the same request: it was fetched already). A
// request is served from the cache when every one of its lookups hits.
// With Options.DedupBatch a key looked up a second time in the same request
// is skipped (not a lookup at all), as embedding lookups fetch each row
// once. Writes and deletes inside a request are applied as anywhere else
// and are not lookups; a request without lookups is not counted.

// BatchBackend says how a request's missed keys reach the backend, for the
// latency of multi-key requests.
type BatchBackend uint8

const (
	// BatchParallel fetches every missed key in a call of its own, all at
	// once: the request waits for the slowest of its keys (a hit costs the
	// hit latency, a miss its own miss latency).
	BatchParallel BatchBackend = iota
	// BatchSingle fetches every missed key in one call, whose latency is a
	// miss latency (drawn once per request) plus LatencyModel.PerKey per
	// key fetched (and the per-KiB term of their bytes); a request with no
	// miss costs the hit latency.
	BatchSingle
)

// BatchBackends names the backends for flags and messages.
var BatchBackends = []string{"parallel", "single"}

// ParseBatchBackend parses "parallel" or "single".
func ParseBatchBackend(s string) (BatchBackend, error) {
	for i, n := range BatchBackends {
		if s == n {
			return BatchBackend(i), nil
		}
	}
	return 0, fmt.Errorf("%q: expected %s", s, strings.Join(BatchBackends, " or "))
}

// String names the backend.
func (b BatchBackend) String() string { return BatchBackends[b] }

// FractionBuckets is the number of buckets of BatchStats.Fraction.
const FractionBuckets = 11

// BatchStats count the outcomes of whole requests in a trace of multi-key
// requests (see the package notes above). Stats.Requests and Stats.Hits
// keep counting every lookup; these count requests.
type BatchStats struct {
	// Requests counts the requests with at least one lookup.
	Requests uint64 `json:"requests"`
	// Hits counts those every lookup of which hit: served from the cache alone.
	Hits uint64 `json:"hits"`
	// Sizes[n] counts the requests of n lookups (Sizes[0] is 0).
	Sizes []uint64 `json:"-"`
	// Detailed says that Fetched and Fraction were recorded (a replay);
	// an LRU curve gives only the counts above.
	Detailed bool `json:"-"`
	// Fetched[n] counts the requests that fetched n keys from the backend
	// (missed n lookups).
	Fetched []uint64 `json:"-"`
	// Fraction[i] counts the requests that hit a share of their lookups in
	// [i/10, (i+1)/10), for i < 10; Fraction[10] those that hit all of them.
	Fraction [FractionBuckets]uint64 `json:"-"`
	// Latency is the distribution of request latencies with the cache, and
	// Uncached without one (nil unless a latency model was given).
	Latency  *Histogram `json:"-"`
	Uncached *Histogram `json:"-"`
}

// HitRatio returns the share of the requests served from the cache alone.
func (b *BatchStats) HitRatio() float64 { return ratio(b.Hits, b.Requests) }

// Keys returns the lookups of the requests.
func (b *BatchStats) Keys() uint64 {
	var n uint64
	for k, c := range b.Sizes {
		n += uint64(k) * c
	}
	return n
}

// MeanKeys returns the mean number of lookups of a request.
func (b *BatchStats) MeanKeys() float64 { return ratio(b.Keys(), b.Requests) }

// MaxKeys returns the most lookups of any request.
func (b *BatchStats) MaxKeys() int {
	for n := len(b.Sizes) - 1; n > 0; n-- {
		if b.Sizes[n] > 0 {
			return n
		}
	}
	return 0
}

// IndependentEstimate is the share of requests served from the cache that
// a per-key hit ratio h predicts if every lookup hit independently with
// probability h: the mean over the requests of h^n, n its lookups. (For
// requests of 100 keys at h = 0.99 it is 0.99^100 = 37%.) Skew and
// correlation between the keys of a request move the measured share
// away from it, either way.
func (b *BatchStats) IndependentEstimate(h float64) float64 {
	if b.Requests == 0 {
		return 0
	}
	s := 0.0
	for n, c := range b.Sizes {
		if c > 0 {
			s += float64(c) * math.Pow(h, float64(n))
		}
	}
	return s / float64(b.Requests)
}

// FetchedQuantile returns the q-quantile of the keys a request fetched
// from the backend (nearest rank; 0 when not Detailed).
func (b *BatchStats) FetchedQuantile(q float64) int {
	if !b.Detailed || b.Requests == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(b.Requests)))
	rank = min(max(rank, 1), b.Requests)
	var seen uint64
	for n, c := range b.Fetched {
		if seen += c; seen >= rank {
			return n
		}
	}
	return len(b.Fetched) - 1
}

// Merge adds o's counts to b (o follows b in the run).
func (b *BatchStats) Merge(o *BatchStats) {
	b.Requests += o.Requests
	b.Hits += o.Hits
	b.Sizes = addCounts(b.Sizes, o.Sizes)
	b.Detailed = b.Detailed || o.Detailed
	b.Fetched = addCounts(b.Fetched, o.Fetched)
	for i := range b.Fraction {
		b.Fraction[i] += o.Fraction[i]
	}
	b.Latency = mergeHistograms(b.Latency, o.Latency)
	b.Uncached = mergeHistograms(b.Uncached, o.Uncached)
}

// addCounts adds b to a, element by element, growing a as needed.
func addCounts(a, b []uint64) []uint64 {
	for len(a) < len(b) {
		a = append(a, 0)
	}
	for i, v := range b {
		a[i] += v
	}
	return a
}

// mergeHistograms returns a with b merged in (either may be nil).
func mergeHistograms(a, b *Histogram) *Histogram {
	if b == nil {
		return a
	}
	if a == nil {
		a = &Histogram{}
	}
	a.Merge(b)
	return a
}

// count adds one to counts[n], growing counts as needed (rarely: only past
// the largest n so far).
func count(counts []uint64, n int) []uint64 {
	if n >= len(counts) {
		counts = append(counts, make([]uint64, n+1-len(counts))...)
	}
	counts[n]++
	return counts
}

// batcher follows the requests of a replay and records their outcomes.
type batcher struct {
	st    BatchStats
	dedup bool
	seen  keySet // the keys looked up in the current request (dedup)
	lat   *Latencies
	// win, when set, counts each request in the window of its last lookup.
	win *Windower
	// The current request.
	keys, hits  int
	first       int     // index of its first lookup
	firstSize   uint32  // its size
	slowest     float64 // parallel: the slowest lookup with the cache, and
	slowestAll  float64 // without one
	missed, all uint64  // single: bytes of the missed and of all lookups
	anyHit      bool
}

func newBatcher(dedup bool, lat *Latencies) *batcher {
	b := &batcher{dedup: dedup, lat: lat, st: BatchStats{Detailed: true}}
	if lat != nil {
		b.st.Latency, b.st.Uncached = &Histogram{}, &Histogram{}
	}
	return b
}

// start begins a new request (closing the one before).
func (b *batcher) start() {
	b.end()
	b.keys, b.hits, b.slowest, b.slowestAll, b.missed, b.all, b.anyHit = 0, 0, 0, 0, 0, 0, false
	if b.dedup {
		b.seen.reset()
	}
}

// skip reports whether a lookup of key repeats one of the current request
// (with dedup: it is then not looked up).
func (b *batcher) skip(key uint64) bool { return b.dedup && !b.seen.add(key) }

// lookup records a lookup of request i of this size that hit or missed.
func (b *batcher) lookup(i int, size uint32, hit bool) {
	if b.lat == nil {
		b.lookupAt(i, size, hit, 0)
		return
	}
	with := b.lat.Hit
	if !hit {
		with = b.lat.miss[i]
	}
	b.lookupAt(i, size, hit, with)
}

// lookupAt records a lookup as lookup does, that took latency with (the
// cache's latency model, or a system's).
func (b *batcher) lookupAt(i int, size uint32, hit bool, with float64) {
	if b.keys == 0 {
		b.first, b.firstSize = i, size
	}
	b.keys++
	if b.lat == nil {
		if hit {
			b.hits++
		}
		return
	}
	miss := b.lat.miss[i]
	b.slowestAll = max(b.slowestAll, miss)
	b.all += uint64(size)
	b.slowest = max(b.slowest, with)
	if hit {
		b.hits++
		b.anyHit = true
	} else {
		b.missed += uint64(size)
	}
}

// BatchCounter follows the multi-key requests of a simulation other than
// the replay loop (the hierarchy of sim/system), as the replay loop does:
// Start at every request that does not continue the one before, Skip a
// repeated lookup (with dedup), Lookup every other lookup.
type BatchCounter struct{ b *batcher }

// NewBatchCounter returns a counter; lat, when set, gives the latency of
// a request without a cache (its slowest key's miss latency: the backend
// is taken as parallel).
func NewBatchCounter(dedup bool, lat *Latencies) *BatchCounter {
	return &BatchCounter{newBatcher(dedup, lat)}
}

// Start begins a request.
func (c *BatchCounter) Start() { c.b.start() }

// Skip reports whether a lookup of key repeats one of the current request
// and is not to be made (with dedup).
func (c *BatchCounter) Skip(key uint64) bool { return c.b.skip(key) }

// Lookup records lookup i of this size, which hit or not and took latency
// seconds: a request takes as long as its slowest lookup.
func (c *BatchCounter) Lookup(i int, size uint32, hit bool, latency float64) {
	c.b.lookupAt(i, size, hit, latency)
}

// Finish returns the statistics (nil when no request had several keys).
func (c *BatchCounter) Finish() *BatchStats { return c.b.finish() }

// end closes the current request.
func (b *batcher) end() {
	if b.keys == 0 {
		return
	}
	st := &b.st
	st.Requests++
	st.Sizes = count(st.Sizes, b.keys)
	st.Fetched = count(st.Fetched, b.keys-b.hits)
	if b.win != nil {
		b.win.addBatch(b.hits == b.keys)
	}
	if b.hits == b.keys {
		st.Hits++
		st.Fraction[FractionBuckets-1]++
	} else {
		st.Fraction[b.hits*(FractionBuckets-1)/b.keys]++
	}
	if b.lat != nil {
		with, without := b.latencies()
		st.Latency.Add(with)
		st.Uncached.Add(without)
	}
	b.keys = 0
}

// restart closes the current request and drops the counts so far (a
// warm-up's: see replayer.countFromHere).
func (b *batcher) restart() {
	b.end()
	b.st = newBatcher(b.dedup, b.lat).st
}

// latencies returns the current request's latency with the cache and without.
func (b *batcher) latencies() (with, without float64) {
	l := b.lat
	if l.Batch == BatchParallel {
		return b.slowest, b.slowestAll
	}
	// One call: the first lookup's draw (without its per-KiB term), plus
	// the per-key and per-KiB terms of the keys it fetches.
	base := l.miss[b.first] - l.perKiB*float64(b.firstSize)/1024
	call := func(keys int, bytes uint64) float64 {
		return base + l.PerKey*float64(keys) + l.perKiB*float64(bytes)/1024
	}
	without = call(b.keys, b.all)
	if b.hits == b.keys {
		return l.Hit, without
	}
	with = call(b.keys-b.hits, b.missed)
	if b.anyHit {
		with = max(with, l.Hit)
	}
	return with, without
}

// finish closes the last request and returns the statistics, or nil when
// no request had more than one lookup (the per-key figures say it all).
func (b *batcher) finish() *BatchStats {
	b.end()
	if b.st.MaxKeys() < 2 {
		return nil
	}
	st := b.st
	return &st
}

// keySet is a set of keys emptied in O(1) (a generation stamp per slot),
// for the keys of one request: it allocates only to grow past the largest
// request so far.
type keySet struct {
	keys []uint64
	gens []uint32
	gen  uint32
	n    int
}

// reset empties the set.
func (s *keySet) reset() {
	s.gen++
	s.n = 0
	if s.gen == 0 { // wrapped: every stamp may look current
		clear(s.gens)
		s.gen = 1
	}
}

// add adds key and reports whether it was new.
func (s *keySet) add(key uint64) bool {
	if 2*(s.n+1) > len(s.keys) {
		s.grow()
	}
	mask := uint64(len(s.keys) - 1)
	for i := trace.SpatialHash(key) & mask; ; i = (i + 1) & mask {
		if s.gens[i] != s.gen {
			s.keys[i], s.gens[i] = key, s.gen
			s.n++
			return true
		}
		if s.keys[i] == key {
			return false
		}
	}
}

// grow doubles the table, keeping the current keys.
func (s *keySet) grow() {
	old, oldGens, gen := s.keys, s.gens, s.gen
	n := max(2*len(old), 16)
	s.keys, s.gens, s.n = make([]uint64, n), make([]uint32, n), 0
	if gen == 0 {
		gen = 1
	}
	s.gen = gen
	for i, k := range old {
		if oldGens[i] == gen {
			s.add(k)
		}
	}
}

// declaresMarks reports whether r may carry multi-key requests (a reader
// that does not describe its fields may).
func declaresMarks(r trace.Reader) bool {
	if d, ok := r.(trace.Describer); ok {
		return d.Fields().Marks
	}
	return true
}

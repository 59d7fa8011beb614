package sim

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces/keymap"
	"github.com/cachesim/cachesim/traces/trace"
)

// Freshness: how long may an entry stay cached before it serves a stale
// value? FreshSweep replays a trace once per TTL (and size) with the
// truth behind the keys changing beside it, and counts the hits that serve
// a value fetched before the key's last change (stale), the age of the
// values served and the backend calls; one more run per size replaces the
// TTL by push invalidation, where every change deletes the key.
//
// The requests mean what they mean everywhere (Semantics): a read that
// misses fetches the value (a backend call) and admits it; a write stores
// the value the client gives, fresh; a delete removes it; a change row
// (trace.OpChange) changes the truth and leaves the cache as it was. A
// value is stale at a hit when the truth changed after the value was
// fetched (or written): the change of a row, of a model redeploy (every
// key at once) or of the synthetic per-key process (Changes). A change at
// the same time as a read comes before it.

// Changes are the changes of the truth that FreshSweep adds to the trace's
// own change rows.
type Changes struct {
	// RedeployEvery changes every key's value at this period of trace time
	// from the first request (a model redeploy); 0: none.
	RedeployEvery time.Duration
	// RedeployAt changes every key's value at these times since the first
	// request, ascending.
	RedeployAt []time.Duration
	// Rate changes each key's value as a Poisson process of this rate
	// (changes per second), from the key's first request on (the process
	// is memoryless, so what came before cannot matter); 0: none. Each
	// key's change times are a function of Seed and the key alone, the
	// same in every run.
	Rate float64
	Seed uint64
}

// Any reports whether c adds any change.
func (c Changes) Any() bool { return c.RedeployEvery > 0 || len(c.RedeployAt) > 0 || c.Rate > 0 }

// FreshPlan is a freshness sweep: the trace, the cache, and the TTLs.
type FreshPlan struct {
	// Trace is the loaded trace; it needs timestamps.
	Trace *trace.Trace
	// Policy is the cache's policy; it must honour TTLs (policy.Expiry).
	Policy policy.Spec
	// Sizes are the cache sizes; none: one unlimited cache (every object
	// fits). Seed seeds a randomised policy.
	Sizes []Size
	Seed  uint64
	// TTLs are the times to live swept, ascending; a request's own TTL
	// wins over them, as --ttl's does everywhere.
	TTLs    []time.Duration
	Changes Changes
	// Windows, when set (PeakWindows), counts each run's reads per window,
	// for the peak of the backend calls (FreshStats.Windows).
	Windows *WindowPlan
	// Workers runs that many replays at once (<= 0: GOMAXPROCS).
	Workers int
	// Progress, when set, is called once with the number of runs and the
	// requests of each; the function it returns is called after each run.
	Progress func(runs int, requests int64) func()
}

// FreshPoint is one run of a freshness sweep: a size and a TTL, or push
// invalidation at that size.
type FreshPoint struct {
	// Size is the cache size; Unlimited says it holds every object.
	Size      Size
	Unlimited bool
	// TTL is the time to live (0 with Push: none, the entries live until
	// changed or evicted).
	TTL  time.Duration
	Push bool
	FreshStats
}

// FreshStats count what one freshness run saw.
type FreshStats struct {
	// Requests are the reads; Hits those that hit; Stale the hits that
	// served a value fetched before the key's last change.
	Requests, Hits, Stale uint64
	// Age is the distribution of the age of the values hits served
	// (seconds since their fetch or write).
	Age Histogram
	// Calls are the backend calls (the reads that missed).
	Calls uint64
	// Windows are the reads and hits per window of FreshPlan.Windows (nil
	// without), from which the peak report takes the busiest window.
	Windows []WindowStats
	// Seconds is the span of the trace, first request to last.
	Seconds float64
	// Changes counts the changes of the truth during the run: change rows,
	// per-key changes and redeploys (one each).
	Changes uint64
	// Invalidations are the messages push invalidation sent (one per
	// change; a redeploy is one message that empties the cache), and
	// Invalidated the cached entries they removed; 0 without Push.
	Invalidations, Invalidated uint64
	// Evictions counts the objects evicted to make room.
	Evictions uint64
}

// HitRatio is hits / requests.
func (s *FreshStats) HitRatio() float64 { return ratio(s.Hits, s.Requests) }

// StaleOfHits is the share of hits that served a stale value.
func (s *FreshStats) StaleOfHits() float64 { return ratio(s.Stale, s.Hits) }

// StaleOfRequests is the share of requests answered with a stale value.
func (s *FreshStats) StaleOfRequests() float64 { return ratio(s.Stale, s.Requests) }

// CallsPerSecond is the mean rate of backend calls.
func (s *FreshStats) CallsPerSecond() float64 {
	if s.Seconds <= 0 {
		return 0
	}
	return float64(s.Calls) / s.Seconds
}

// PerSecond is n over the span of the run.
func (s *FreshStats) PerSecond(n uint64) float64 {
	if s.Seconds <= 0 {
		return 0
	}
	return float64(n) / s.Seconds
}

// ErrNoTimes is the error of a freshness sweep on a trace without timestamps.
var ErrNoTimes = errors.New("has no timestamps: TTLs, ages and changes need the time of each request")

// ErrNoChanges is the error of a freshness sweep with nothing that changes the truth.
var ErrNoChanges = errors.New("nothing changes the truth: the trace has no change rows and no redeploys or change rate were given, so no value is ever stale")

// CheckFresh checks that plan can run: timestamps, a policy with expiry,
// and some change of the truth.
func CheckFresh(plan *FreshPlan) error {
	t := plan.Trace
	if t.Times == nil {
		return fmt.Errorf("%s %w", t.Name, ErrNoTimes)
	}
	if !plan.Policy.Traits().Has(policy.Expiry) {
		return fmt.Errorf("%s does not expire entries: a TTL sweep needs a policy with expiry", plan.Policy)
	}
	if !plan.Changes.Any() && !slices.Contains(t.Ops, trace.OpChange) {
		return ErrNoChanges
	}
	if t.TTLs != nil && !slices.Contains(t.TTLs, 0) {
		return fmt.Errorf("every request of %s carries a TTL of its own, which wins over the swept TTLs (as over --ttl everywhere): the sweep would change nothing; drop the TTL column or field", t.Name)
	}
	return nil
}

// FreshSweep runs plan: for each size, one run per TTL and one with push
// invalidation, in parallel, the points in that order.
func FreshSweep(plan FreshPlan) ([]FreshPoint, error) {
	if err := CheckFresh(&plan); err != nil {
		return nil, err
	}
	t := plan.Trace
	ix := indexKeys(t)
	sizes := plan.Sizes
	unlimited := len(sizes) == 0
	if unlimited {
		sizes = []Size{{N: max(int64(ix.keys()), 1), Unit: Objects}}
	}
	var points []FreshPoint
	for _, s := range sizes {
		for _, ttl := range plan.TTLs {
			points = append(points, FreshPoint{Size: s, Unlimited: unlimited, TTL: ttl})
		}
		points = append(points, FreshPoint{Size: s, Unlimited: unlimited, Push: true})
	}
	done := func() {}
	if plan.Progress != nil {
		done = plan.Progress(len(points), int64(t.Len()))
	}
	tasks := make([]func() error, len(points))
	for i := range points {
		tasks[i] = func() error {
			p := &points[i]
			cfg := policy.Config{Capacity: p.Size.N, TTL: p.TTL, Seed: plan.Seed, Objects: !p.Size.Bytes()}
			if !p.Size.Bytes() {
				cfg.SizeHint = int(min(p.Size.N, int64(ix.keys())))
			}
			c, err := policy.New(plan.Policy, cfg)
			if err != nil {
				return err
			}
			r := freshRun{c: c, cfg: cfg, spec: plan.Policy, push: p.Push, ix: ix, ch: plan.Changes}
			if plan.Windows != nil {
				r.win = plan.Windows.Start()
			}
			if err := r.run(t); err != nil {
				return err
			}
			p.FreshStats = r.st
			done()
			return nil
		}
	}
	return points, Parallel(plan.Workers, tasks)
}

// keyIndex numbers the keys of a trace densely, once for every run: ids
// holds each request's key number, first the index of each key's first
// request.
type keyIndex struct {
	ids   []int32
	first []int32
	key   []uint64 // each key number's key
}

func (ix *keyIndex) keys() int { return len(ix.first) }

// indexKeys numbers the keys of t in the order first seen.
func indexKeys(t *trace.Trace) *keyIndex {
	ix := &keyIndex{ids: make([]int32, t.Len())}
	m := keymap.New()
	for i, k := range t.Keys {
		id, ok := m.Get(k)
		if !ok {
			id = int32(len(ix.first))
			m.Put(k, id)
			ix.first = append(ix.first, int32(i))
			ix.key = append(ix.key, k)
		}
		ix.ids[i] = id
	}
	return ix
}

// keyChange is the next change of one key's value, in the heap of
// per-key Poisson processes.
type keyChange struct {
	at  int64
	id  int32
	nth uint32 // how many changes of the key came before it
	key uint64
}

// Ends returns when the change happens (for EndHeap).
func (k keyChange) Ends() int64 { return k.at }

// freshRun is one run of a freshness sweep.
type freshRun struct {
	c    policy.Cache
	cfg  policy.Config
	spec policy.Spec
	push bool
	ix   *keyIndex
	ch   Changes
	st   FreshStats

	seq        uint64   // the number of changes so far: a change's sequence number
	fetched    []int64  // per key: when its cached value was fetched or written
	fetchedSeq []uint64 // per key: seq at that time
	changed    []uint64 // per key: the seq of its last change
	redeployed uint64   // the seq of the last redeploy

	redeploys []int64 // redeploy times, ascending
	next      int     // index of the next redeploy
	every     int64   // RedeployEvery, ns
	nextEvery int64   // time of the next periodic redeploy
	// The per-key changes: with push invalidation, a heap of each key's
	// next change, applied at its time (a deletion frees room then);
	// otherwise each key's changes are caught up with at its requests
	// (nextAt, lastAt: its next and last change; nth: how many so far),
	// which serves the stale test alike at a fraction of the cost.
	pending        EndHeap[keyChange]
	nextAt, lastAt []int64
	nth            []uint32

	win *Windower // nil: no windows
}

// run replays t.
func (r *freshRun) run(t *trace.Trace) error {
	n := t.Len()
	if n == 0 {
		return nil
	}
	keys := r.ix.keys()
	r.fetched, r.fetchedSeq, r.changed = make([]int64, keys), make([]uint64, keys), make([]uint64, keys)
	start := t.Times[0]
	r.st.Seconds = float64(t.Times[n-1]-start) / 1e9
	for _, at := range r.ch.RedeployAt {
		r.redeploys = append(r.redeploys, start+int64(at))
	}
	r.nextEvery, r.every = math.MaxInt64, int64(r.ch.RedeployEvery)
	if r.every > 0 {
		r.nextEvery = start + r.every
	}
	if r.ch.Rate > 0 && !r.push {
		r.nextAt, r.lastAt, r.nth = make([]int64, keys), make([]int64, keys), make([]uint32, keys)
		defer func() { // the changes after each key's last request count too
			for id := range keys {
				r.catchUp(int32(id), t.Times[n-1], false)
			}
		}()
	}
	sem := Semantics{}
	var batch [batchSize]trace.Request
	for i := 0; i < n; i += batchSize {
		b := batch[:min(batchSize, n-i)]
		t.Fill(i, b)
		for k := range b {
			req := &b[k]
			if err := r.advance(req.Time); err != nil {
				return err
			}
			id := r.ix.ids[i+k]
			if r.ch.Rate > 0 {
				first := r.ix.first[id] == int32(i+k)
				if r.push && first {
					r.schedule(keyChange{at: req.Time, id: id, key: req.Key})
				} else if !r.push {
					r.catchUp(id, req.Time, first)
				}
			}
			r.request(req, int64(i+k), id, sem.Action(req))
		}
	}
	r.st.Evictions += r.c.Evictions()
	if r.win != nil {
		r.st.Windows = r.win.Windows()
	}
	return nil
}

// request applies one request whose action is a.
func (r *freshRun) request(req *trace.Request, i int64, id int32, a Action) {
	if r.cfg.Objects {
		req.Size = 1
	}
	switch a {
	case Change:
		r.change(id, req.Key)
		return
	case Store:
		Apply(r.c, req, a)
		r.fetched[id], r.fetchedSeq[id] = req.Time, r.seq
		return
	case Retime, Drop:
		Apply(r.c, req, a)
		return
	}
	r.st.Requests++
	hit := Apply(r.c, req, a)
	if r.win != nil {
		r.win.Add(i, req.Time, hit, uint64(req.Size))
	}
	if hit {
		r.st.Hits++
		if max(r.changed[id], r.redeployed) > r.fetchedSeq[id] || (r.lastAt != nil && r.lastAt[id] > r.fetched[id]) {
			r.st.Stale++
		}
		r.st.Age.Add(float64(req.Time-r.fetched[id]) / 1e9)
		return
	}
	// A miss fetches the value; whether or not the cache keeps it, a
	// later hit finds the value of the last miss or write before it.
	r.fetched[id], r.fetchedSeq[id] = req.Time, r.seq
	r.st.Calls++
}

// change changes the value of key id: with push invalidation, the cache
// is told and drops it.
func (r *freshRun) change(id int32, key uint64) {
	r.seq++
	r.changed[id] = r.seq
	r.st.Changes++
	if r.push {
		r.st.Invalidations++
		if r.c.Remove(key) {
			r.st.Invalidated++
		}
	}
}

// redeploy changes every key's value at once: with push invalidation, the
// cache is emptied (rebuilt, as cachesim system's --invalidate-every does).
func (r *freshRun) redeploy() error {
	r.seq++
	r.redeployed = r.seq
	r.st.Changes++
	if !r.push {
		return nil
	}
	r.st.Invalidations++
	r.st.Invalidated += uint64(r.c.Len())
	r.st.Evictions += r.c.Evictions()
	c, err := policy.New(r.spec, r.cfg)
	r.c = c
	return err
}

// advance applies the changes due by now (at now included), in time order.
func (r *freshRun) advance(now int64) error {
	for {
		at, what := int64(math.MaxInt64), 0
		if r.next < len(r.redeploys) {
			at, what = r.redeploys[r.next], 1
		}
		if r.nextEvery < at {
			at, what = r.nextEvery, 2
		}
		if len(r.pending) > 0 && r.pending[0].at < at {
			at, what = r.pending[0].at, 3
		}
		if at > now || what == 0 {
			return nil
		}
		switch what {
		case 1:
			r.next++
		case 2:
			r.nextEvery += r.every
		case 3:
			kc := r.pending.Pop()
			r.change(kc.id, kc.key)
			kc.nth++
			r.schedule(kc)
			continue
		}
		if err := r.redeploy(); err != nil {
			return err
		}
	}
}

// schedule pushes the next change of a key after kc.at (see after).
func (r *freshRun) schedule(kc keyChange) {
	if kc.at = r.after(kc.key, kc.nth, kc.at); kc.at != math.MaxInt64 {
		r.pending.Push(kc)
	}
}

// catchUp applies the changes of key id due by now, when they are caught
// up with at the key's requests; first says now is its first request,
// when its changes start.
func (r *freshRun) catchUp(id int32, now int64, first bool) {
	if first {
		r.nextAt[id] = r.after(r.ix.key[id], 0, now)
	}
	for r.nextAt[id] <= now {
		r.lastAt[id] = r.nextAt[id]
		r.nth[id]++
		r.st.Changes++
		r.nextAt[id] = r.after(r.ix.key[id], r.nth[id], r.nextAt[id])
	}
}

// after returns the time of a key's change after its nth, which came at
// time at: an exponential gap of mean 1/Rate drawn from the key, n and the
// seed alone, so that every run sees the same changes (MaxInt64: never).
func (r *freshRun) after(key uint64, nth uint32, at int64) int64 {
	u := float64(splitmix(r.ch.Seed^splitmix(key^uint64(nth)*0x9e3779b97f4a7c15))>>11) / (1 << 53)
	gap := -math.Log1p(-u) / r.ch.Rate * 1e9
	if gap >= float64(math.MaxInt64-at) {
		return math.MaxInt64
	}
	return at + max(int64(gap), 1)
}

// splitmix is the SplitMix64 finaliser: a 64-bit hash with every bit mixed.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// DefaultTTLs are the TTLs of a freshness sweep given none: 10 log-spaced
// from a thousandth of the trace's span (at least a second) to the span.
func DefaultTTLs(t *trace.Trace) []time.Duration {
	span := time.Duration(0)
	if n := t.Len(); n > 0 && t.Times != nil {
		span = time.Duration(t.Times[n-1] - t.Times[0])
	}
	span = max(span, 2*time.Second)
	return LogTTLs(max(span/1000, time.Second), span, DefaultLogPoints)
}

// FreshNotes say what a freshness sweep of plan assumed: the TTLs' source
// when the trace's own win on some requests, and the unlimited cache.
func FreshNotes(plan *FreshPlan, defaultTTLs bool) []Note {
	var notes []Note
	t := plan.Trace
	if defaultTTLs {
		var s []string
		for _, d := range plan.TTLs {
			s = append(s, FormatTTL(d))
		}
		notes = append(notes, Note{FreshAssumed, fmt.Sprintf("TTLs %s: 10 log-spaced from a thousandth of the trace's span to all of it", strings.Join(s, ","))})
	}
	if len(plan.Sizes) == 0 {
		notes = append(notes, Note{FreshAssumed, "an unlimited cache (every object fits), so only TTLs and changes end entries"})
	}
	own := 0
	for _, ttl := range t.TTLs {
		if ttl > 0 {
			own++
		}
	}
	if own > 0 {
		notes = append(notes, Note{FreshAssumed, fmt.Sprintf("%d of %d requests carry a TTL of their own, which wins over the swept TTL (as over --ttl everywhere)", own, t.Len())})
	}
	return notes
}

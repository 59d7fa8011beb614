package sim

import (
	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces/trace"
)

// Options say how to replay and what to record besides the counts.
type Options struct {
	// Objects makes the cache see every object as size 1 (object-count
	// capacity, libCacheSim's --ignore-obj-size) while the byte counts still
	// use each request's own size.
	Objects bool
	// CountWrites replays and counts every request as a lookup, whatever its
	// operation, as libCacheSim does (e.g. for block traces, whose writes
	// allocate in the cache like reads).
	CountWrites bool
	// Overhead is added to every object's size as the cache sees it in
	// byte-capacity replays (a server's per-key memory, see
	// cachesim replay --target); the byte counts keep each request's own size.
	Overhead uint32
	// Latency, when set, records every request's latency in Stats.Latency.
	// It needs the loaded trace (Replay), not a stream.
	Latency *Latencies
	// Window, when set (see PlanWindows), records counts per window in Stats.Windows.
	Window *WindowPlan
	// DedupBatch skips a key looked up a second time within one multi-key
	// request (see batch.go).
	DedupBatch bool
	// Tenants counts each tenant's lookups apart, in Stats.Tenants.
	Tenants bool
	// Span, when set, replays only the requests of its window and counts
	// only those after its warm-up: the warm-up's fill the cache
	// uncounted. Replay resolves it on the trace (check it with
	// Span.Resolve first: a span that holds nothing to count counts
	// nothing); ReplayStream as the requests go by.
	Span Span
	// Prefix, when set, replays a prompt trace with the prefix rule (see
	// Prompts); the options above do not apply to it.
	Prefix *PrefixOptions
}

// batchSize is the number of requests handed over at once, between a
// trace and the replay loop and between a stream's reader and the replay:
// big enough that the per-batch costs vanish, small enough (48 bytes a
// request) to stay in the CPU cache.
const batchSize = 2048

// Replay runs every request of t through c and returns the counts and
// whatever else opt asks for. The extra records cost one predictable branch
// per request when off, and no allocation per request when on.
//
// Each request does what its Action says (see Semantics; unless
// opt.CountWrites, which makes every request a read that admits): a read
// is counted in the requests, hits and bytes, and admits its object on a
// miss at the request's size and TTL unless the request is unsized; a
// write stores the object at its size and TTL, replacing a cached copy,
// and a TTL change retimes a cached one, both counted only in Stats.Sets;
// a delete removes the object and is counted only in Stats.Deletes; a
// change of the truth (trace.OpChange) leaves the cache as it was and is
// counted only in Stats.Changes.
// Traces without operations are all reads that admit.
//
// For an offline policy (policy.UsesFuture) it first fills t's next-access
// column if missing (Sweep does so before sharing t between goroutines).
//
// A prompt trace replays with the prefix rule when opt.Prefix is set (see
// replayPrefix).
func Replay(t *trace.Trace, c policy.Cache, opt Options) Stats {
	if opt.Prefix != nil {
		return replayPrefix(t, c, *opt.Prefix)
	}
	warm := 0
	if !opt.Span.IsZero() {
		e, err := opt.Span.Resolve(t)
		if err != nil {
			return Stats{}
		}
		t, warm = e.Cut(t), e.Warmup()
	}
	PrepareFuture(t, c)
	p := newReplayer(c, opt, Semantics{CountWrites: opt.CountWrites}, t.Ops != nil, t.HasBatches())
	if opt.Tenants {
		p.byTenant = make([]TenantStats, t.TenantCount()+1)
	}
	// The warm-up, then the counted requests: no test per request.
	p.replay(t, 0, warm)
	if warm > 0 {
		p.countFromHere()
	}
	p.replay(t, warm, t.Len())
	return p.finish()
}

// replay runs requests [from, to) of t, a batch at a time.
func (p *replayer) replay(t *trace.Trace, from, to int) {
	var batch [batchSize]trace.Request
	for i := from; i < to; i += batchSize {
		b := batch[:min(batchSize, to-i)]
		t.Fill(i, b)
		p.run(b)
	}
}

// replayer is the replay loop's state, fed a batch of requests at a time
// from a loaded trace (Replay) or a stream (ReplayStream).
type replayer struct {
	c     policy.Cache
	opt   Options
	sem   Semantics
	perOp bool // the requests carry operations (with CountWrites, only changes count apart)
	lat   *Latencies
	win   *Windower
	bt    *batcher // multi-key requests: their outcomes (nil: none)
	// clock, when set, tells an offline cache each request's index
	// (policy.Clock).
	clock func(int64)
	// byTenant, when set, counts each tenant's lookups (Options.Tenants).
	byTenant []TenantStats
	next     int // index of the next request
	st       Stats
	// What the cache had counted when the warm-up ended (countFromHere).
	evBase, admittedBase, rejectedBase uint64
}

// newReplayer returns a replayer of requests that mean what sem says; ops
// says the requests may carry operations, batches that they may carry
// several keys.
func newReplayer(c policy.Cache, opt Options, sem Semantics, ops, batches bool) *replayer {
	p := &replayer{c: c, opt: opt, sem: sem, perOp: ops, lat: opt.Latency, clock: policy.Clock(c)}
	if batches {
		p.bt = newBatcher(opt.DedupBatch, opt.Latency)
	}
	if p.lat != nil {
		p.st.Latency = p.lat.NewHistogram()
	}
	if opt.Window != nil {
		p.win = opt.Window.Start()
		if p.bt != nil {
			p.bt.win = p.win
		}
	}
	return p
}

// run replays a batch of requests, leaving them as they were (several
// replayers may run the same batch): each request's size is changed to
// the one the cache sees while the cache sees it.
func (p *replayer) run(batch []trace.Request) {
	if p.bt != nil || p.byTenant != nil || p.clock != nil {
		p.runBatched(batch)
		return
	}
	c, st, opt := p.c, &p.st, &p.opt
	for k := range batch {
		r := &batch[k]
		own := r.Size
		size := uint64(own)
		if opt.Objects {
			r.Size = 1
		} else {
			r.Size += opt.Overhead
		}
		a := p.action(r)
		if !a.IsRead() {
			p.write(r, a)
			r.Size = own
			continue
		}
		st.Requests++
		st.Bytes += size
		hit := Apply(c, r, a)
		r.Size = own
		if hit {
			st.Hits++
			st.ByteHits += size
		} else if p.lat != nil {
			p.lat.recordMiss(st.Latency, p.next+k)
		}
		if p.win != nil {
			p.win.Add(int64(p.next+k), r.Time, hit, size)
		}
	}
	p.next += len(batch)
}

// action returns what r does (see Semantics).
func (p *replayer) action(r *trace.Request) Action {
	if !p.perOp && !r.Unsized {
		return Fill
	}
	return p.sem.Action(r)
}

// write applies a write, a TTL change or a delete.
func (p *replayer) write(r *trace.Request, a Action) {
	switch a {
	case Drop:
		p.st.Deletes++
	case Change:
		p.st.Changes++
	default:
		p.st.Sets++
	}
	Apply(p.c, r, a)
}

// countFromHere ends a warm-up: what the replay counted so far is
// dropped, the cache keeps what it holds, and the counts start again.
// The timeline's windows keep the warm-up's (it shows on the chart).
func (p *replayer) countFromHere() {
	p.st = Stats{}
	if p.lat != nil {
		p.st.Latency = p.lat.NewHistogram()
	}
	if p.bt != nil {
		p.bt.restart()
	}
	clear(p.byTenant)
	p.evBase = p.c.Evictions()
	if a, ok := p.c.(policy.Admitter); ok {
		p.admittedBase, p.rejectedBase = a.Admissions()
	}
}

// finish returns the statistics of the whole run.
func (p *replayer) finish() Stats {
	st := p.st
	if p.bt != nil {
		st.Batch = p.bt.finish()
	}
	st.Evictions = p.c.Evictions() - p.evBase
	if h, ok := p.c.(policy.MemoryHolder); ok {
		st.Memory = h.HeldMemory()
	}
	if a, ok := p.c.(policy.Admitter); ok {
		st.Admitted, st.Rejected = a.Admissions()
		st.Admitted -= p.admittedBase
		st.Rejected -= p.rejectedBase
	}
	if p.lat != nil {
		st.Latency.AddN(p.lat.Hit, st.Hits)
	}
	if p.win != nil {
		st.Windows = p.win.Windows()
	}
	st.Tenants = p.byTenant
	return st
}

// runBatched is run for requests that may carry several keys, or whose
// tenants count apart, or for a cache that needs each request's index
// (policy.Clock): it follows each request's lookups (see batch.go) and
// each tenant's, beside the per-key counts.
func (p *replayer) runBatched(batch []trace.Request) {
	for k := range batch {
		r := &batch[k]
		read := p.action(r).IsRead()
		if p.bt == nil { // tenants or an offline cache's clock only
			if hit := p.one(r, p.next+k); read && p.byTenant != nil {
				p.countTenant(r, hit)
			}
			continue
		}
		if !r.Continues {
			p.bt.start()
		}
		if read {
			if p.bt.skip(r.Key) {
				continue
			}
			hit := p.one(r, p.next+k)
			p.bt.lookup(p.next+k, r.Size, hit)
			if p.byTenant != nil {
				p.countTenant(r, hit)
			}
			continue
		}
		p.one(r, p.next+k)
	}
	p.next += len(batch)
}

// one replays request i as run does, and reports whether it hit.
func (p *replayer) one(r *trace.Request, i int) bool {
	if p.clock != nil {
		p.clock(int64(i))
	}
	own := r.Size
	size := uint64(own)
	if p.opt.Objects {
		r.Size = 1
	} else {
		r.Size += p.opt.Overhead
	}
	a := p.action(r)
	if !a.IsRead() {
		p.write(r, a)
		r.Size = own
		return false
	}
	st := &p.st
	st.Requests++
	st.Bytes += size
	hit := Apply(p.c, r, a)
	r.Size = own
	if hit {
		st.Hits++
		st.ByteHits += size
	} else if p.lat != nil {
		p.lat.recordMiss(st.Latency, i)
	}
	if p.win != nil {
		p.win.Add(int64(i), r.Time, hit, size)
	}
	return hit
}

package sim

import (
	"errors"
	"io"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces/trace"
)

// StreamInfo describes the requests a streaming replay read.
type StreamInfo struct {
	// Requests counts every request read, sets and deletes included.
	Requests int64
	// Distinct is the number of distinct keys; FootprintBytes sums the sizes
	// of the distinct objects, each at its first-seen size.
	Distinct       int
	FootprintBytes int64
	// Fields are the optional fields that carried information (see
	// trace.Counter.Fields).
	Fields trace.Fields
	// Unsized counts the unsized requests (trace.Request.Unsized): an
	// LRU curve is not exact with them (see byCurve).
	Unsized int64
	// Extent is where the span asked for lay in the stream (nil without
	// one); Requests, Distinct and the rest count its window only.
	Extent *Extent
}

// ErrNeedsTrace is returned by ReplayStream for what needs the whole trace
// in memory: offline policies (the next access of every request), latency
// models and timelines (planned from the trace's length and span), and the
// prefix rule.
var ErrNeedsTrace = errors.New("needs the whole trace in memory (offline policy, latency model, timeline or prefix rule): load it and use Replay")

// ReplayStream runs every request r yields through each cache of cs, in
// one pass, as Replay does for a loaded trace: each cache sees every
// request, and the statistics come back in the order of cs. It holds
// nothing per request: a reader goroutine parses batches of requests and
// numbers their keys (trace.KeyRefs.Number: a table and the keys by
// number, 19 to 29 bytes a key, which count the distinct keys too) while
// this one replays the previous batch, each cache finding its entries by number
// (policy.UseKeys), so memory follows the distinct keys and the caches,
// not the length of the stream. Operations count apart when the
// reader declares them (trace.Describer). opt.Latency, opt.Window and
// opt.Prefix, and offline policies, return ErrNeedsTrace.
func ReplayStream(r trace.Reader, cs []policy.Cache, opt Options) ([]Stats, StreamInfo, error) {
	for _, c := range cs {
		if opt.Latency != nil || opt.Window != nil || opt.Prefix != nil || policy.UsesFuture(c) {
			return make([]Stats, len(cs)), StreamInfo{}, ErrNeedsTrace
		}
	}
	ops, multi := DeclaresOps(r), declaresMarks(r)
	ps := make([]*replayer, len(cs))
	// The reader numbers the keys as it reads them (one table lookup a
	// request, on its goroutine), for the caches that find their entries
	// by number instead of hashing: none is left in this one's loop.
	keys, numbered := trace.NewKeyRefs(trace.RequestBound(r)), false
	for i, c := range cs {
		ps[i] = newReplayer(c, opt, Semantics{CountWrites: opt.CountWrites}, ops, multi)
		numbered = policy.UseKeys(c, keys) || numbered
	}
	if !numbered {
		keys = nil
	}
	sr := spanOf(r, opt.Span)
	info, err := countedBatches(sr.reader(), keys, func(b []trace.Request, warm bool) {
		restart := !warm && sr.warmedUp()
		for _, p := range ps {
			if restart {
				p.countFromHere()
			}
			p.run(b)
		}
	})
	st := make([]Stats, len(ps))
	for i, p := range ps {
		st[i] = p.finish()
	}
	if err == nil {
		info.Extent, err = sr.extent()
	}
	return st, info, err
}

// streamSpan follows a span of a stream for the stream functions: the
// reader to read (r itself without a span), and whether a warm-up ended.
type streamSpan struct {
	r    trace.Reader
	sr   *SpanReader // nil: no span
	warm bool        // the batches so far were the warm-up's
}

func spanOf(r trace.Reader, s Span) *streamSpan {
	if s.IsZero() {
		return &streamSpan{r: r}
	}
	sr := NewSpanReader(r, s, "")
	return &streamSpan{r: sr, sr: sr, warm: !s.Warmup.IsZero()}
}

func (s *streamSpan) reader() trace.Reader { return s.r }

// warmedUp reports, for a batch that is counted, whether it is the first
// after a warm-up (once).
func (s *streamSpan) warmedUp() bool {
	w := s.warm
	s.warm = false
	return w
}

// extent is the span as resolved (nil without one).
func (s *streamSpan) extent() (*Extent, error) {
	if s.sr == nil {
		return nil, nil
	}
	e, err := s.sr.Extent()
	return &e, err
}

// DeclaresOps reports whether r may carry operations other than gets (a
// reader that does not describe its fields may).
func DeclaresOps(r trace.Reader) bool {
	if d, ok := r.(trace.Describer); ok {
		return d.Fields().Op
	}
	return true
}

// StreamDistances feeds every request of r to a StackDistances for sizes
// (see newStackDistancesOf: object capacities may be chosen afterwards, from
// the StreamInfo) in one pass, holding nothing per request. Operations are
// not told apart: a caller whose stream carries them (DeclaresOps) and
// that does not count writes as lookups should replay instead. With a
// span, only its window is read; the distances are those of every
// request of it, and the curve counts those after its warm-up.
//
// On a stream that may carry multi-key requests (trace.Fields.Marks), the
// curve gives each size's Stats.Batch too, every key of a request looked
// up (as replays without Options.DedupBatch).
func StreamDistances(r trace.Reader, sizes Sizes, span Span) (StackDistances, StreamInfo, error) {
	d, bound := newStackDistancesOf(sizes), trace.RequestBound(r)
	if bound > 0 {
		d.(reserver).reserve(bound)
	}
	if declaresMarks(r) {
		d.(batchTracker).trackBatches(false)
	}
	sp := spanOf(r, span)
	var count trace.Counter
	// The reader numbers the keys, so that d looks none up; this
	// goroutine, which has less to do, counts the requests.
	keys := trace.NewKeyRefs(bound)
	err := batches(sp.reader(), func(b []trace.Request) {
		for k := range b {
			b[k].Ref, _ = keys.Number(b[k].Key)
		}
	}, func(b []trace.Request, warm bool) {
		if !warm && sp.warmedUp() {
			d.(restarter).restart()
		}
		for k := range b {
			count.Observe(&b[k])
			d.Add(&b[k])
		}
	})
	objects, bytes := d.Footprint()
	info := StreamInfo{Requests: count.Requests, Distinct: objects, FootprintBytes: bytes, Fields: count.Fields(), Unsized: count.Unsized}
	if err == nil {
		info.Extent, err = sp.extent()
	}
	return d, info, err
}

// restarter is implemented by what counts a stream and can drop its
// counts where a warm-up ends, keeping its state.
type restarter interface {
	restart()
}

// countedBatches runs use over the batches of r (see batches), counting
// the requests. Without keys they are counted on the reader's goroutine,
// distinct keys by hashing; with keys, the reader numbers them
// (Request.Ref) and this goroutine, which the numbering leaves less to
// do, counts them, a key being new when its number is the next one.
func countedBatches(r trace.Reader, keys *trace.KeyRefs, use func(b []trace.Request, warm bool)) (StreamInfo, error) {
	var count trace.Counter
	var err error
	if keys == nil {
		err = batches(r, func(b []trace.Request) {
			for k := range b {
				count.Add(&b[k])
			}
		}, use)
	} else {
		last := uint32(0) // the largest number so far
		err = batches(r, func(b []trace.Request) {
			for k := range b {
				b[k].Ref, _ = keys.Number(b[k].Key)
			}
		}, func(b []trace.Request, warm bool) {
			for k := range b {
				isNew := b[k].Ref > last
				last = max(last, b[k].Ref)
				count.AddNumbered(&b[k], isNew)
			}
			use(b, warm)
		})
	}
	return StreamInfo{Requests: count.Requests, Distinct: count.Distinct, FootprintBytes: count.Bytes, Fields: count.Fields(), Unsized: count.Unsized}, err
}

// batches reads r to the end on a goroutine of its own, in batches of
// requests: read sees each batch on that goroutine (to count, say), then
// use sees it on the caller's, while the next batch is read. The batches
// are reused, so neither may keep them. A SpanReader's warm-up ends a
// batch: use hears whether each is the warm-up's (warm). It returns the
// first read error other than io.EOF, after use has seen every request
// before it.
func batches(r trace.Reader, read func([]trace.Request), use func(b []trace.Request, warm bool)) error {
	const inFlight = 4
	type batch struct {
		reqs []trace.Request
		warm bool
		err  error
	}
	full := make(chan batch, inFlight)
	free := make(chan []trace.Request, inFlight)
	done := make(chan struct{})
	defer close(done)
	for range inFlight {
		free <- make([]trace.Request, batchSize)
	}
	sr, _ := r.(*SpanReader)
	go func() {
		defer close(full)
		for {
			var buf []trace.Request
			select {
			case buf = <-free:
			case <-done:
				return
			}
			warm := sr != nil && !sr.counting
			n, err := 0, error(nil)
			for n < len(buf) {
				var m int
				m, err = trace.ReadSome(r, buf[n:])
				if n += m; err != nil {
					break
				}
			}
			if read != nil {
				read(buf[:n])
			}
			switch err {
			case ErrCounted:
				err = nil // the batch ends with the warm-up
			case io.EOF:
				full <- batch{reqs: buf[:n], warm: warm}
				return
			}
			full <- batch{reqs: buf[:n], warm: warm, err: err}
			if err != nil {
				return
			}
		}
	}()
	for b := range full {
		use(b.reqs, b.warm)
		if b.err != nil {
			return b.err
		}
		free <- b.reqs[:cap(b.reqs)]
	}
	return nil
}

// SHARDSStream offers every request of r to each estimator, in one pass
// (the reader on a goroutine of its own), and returns what it read; the
// estimators then give their curves. Distinct and FootprintBytes are left
// 0: only the estimators know them, scaled. With a span, only its window
// is read, and the estimators count the requests after its warm-up.
func SHARDSStream(r trace.Reader, es []*ShardsEstimator, span Span) (StreamInfo, error) {
	sp := spanOf(r, span)
	var count trace.Counter
	err := batches(sp.reader(), func(b []trace.Request) {
		for k := range b {
			count.Observe(&b[k])
		}
	}, func(b []trace.Request, warm bool) {
		restart := !warm && sp.warmedUp()
		for _, e := range es {
			if restart {
				e.restart()
			}
			for k := range b {
				e.Add(&b[k])
			}
		}
	})
	info := StreamInfo{Requests: count.Requests, Fields: count.Fields(), Unsized: count.Unsized}
	if err == nil {
		info.Extent, err = sp.extent()
	}
	return info, err
}

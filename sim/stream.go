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
// counts the distinct keys (in a table of 32 bytes a key) while this one
// replays the previous batch, so memory follows the distinct keys and the
// caches, not the length of the stream. Operations count apart when the
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
	for i, c := range cs {
		ps[i] = newReplayer(c, opt, Semantics{CountWrites: opt.CountWrites}, ops, multi)
	}
	info, err := countedBatches(r, func(b []trace.Request) {
		for _, p := range ps {
			p.run(b)
		}
	})
	st := make([]Stats, len(ps))
	for i, p := range ps {
		st[i] = p.finish()
	}
	return st, info, err
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
// that does not count writes as lookups should replay instead.
//
// On a stream that may carry multi-key requests (trace.Fields.Marks), the
// curve gives each size's Stats.Batch too, every key of a request looked
// up (as replays without Options.DedupBatch).
func StreamDistances(r trace.Reader, sizes Sizes) (StackDistances, StreamInfo, error) {
	d := newStackDistancesOf(sizes)
	if declaresMarks(r) {
		d.(batchTracker).trackBatches(false)
	}
	var count trace.Counter
	err := batches(r, func(b []trace.Request) {
		for k := range b {
			count.Observe(&b[k])
		}
	}, func(b []trace.Request) {
		for k := range b {
			d.Add(&b[k])
		}
	})
	objects, bytes := d.Footprint()
	return d, StreamInfo{Requests: count.Requests, Distinct: objects, FootprintBytes: bytes, Fields: count.Fields(), Unsized: count.Unsized}, err
}

// countedBatches runs use over the batches of r (see batches), counting
// the requests on the reader's goroutine.
func countedBatches(r trace.Reader, use func([]trace.Request)) (StreamInfo, error) {
	var count trace.Counter
	err := batches(r, func(b []trace.Request) {
		for k := range b {
			count.Add(&b[k])
		}
	}, use)
	return StreamInfo{Requests: count.Requests, Distinct: count.Distinct, FootprintBytes: count.Bytes, Fields: count.Fields(), Unsized: count.Unsized}, err
}

// batches reads r to the end on a goroutine of its own, in batches of
// requests: read sees each batch on that goroutine (to count, say), then
// use sees it on the caller's, while the next batch is read. The batches
// are reused, so neither may keep them. It returns the first read error
// other than io.EOF, after use has seen every request before it.
func batches(r trace.Reader, read, use func([]trace.Request)) error {
	const inFlight = 4
	type batch struct {
		reqs []trace.Request
		err  error
	}
	full := make(chan batch, inFlight)
	free := make(chan []trace.Request, inFlight)
	done := make(chan struct{})
	defer close(done)
	for range inFlight {
		free <- make([]trace.Request, batchSize)
	}
	go func() {
		defer close(full)
		for {
			var buf []trace.Request
			select {
			case buf = <-free:
			case <-done:
				return
			}
			n, err := 0, error(nil)
			for n < len(buf) {
				if err = r.Read(&buf[n]); err != nil {
					break
				}
				n++
			}
			if read != nil {
				read(buf[:n])
			}
			if err == io.EOF {
				err = nil
				full <- batch{reqs: buf[:n]}
				return
			}
			full <- batch{reqs: buf[:n], err: err}
			if err != nil {
				return
			}
		}
	}()
	for b := range full {
		use(b.reqs)
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
// 0: only the estimators know them, scaled.
func SHARDSStream(r trace.Reader, es []*ShardsEstimator) (StreamInfo, error) {
	var count trace.Counter
	err := batches(r, func(b []trace.Request) {
		for k := range b {
			count.Observe(&b[k])
		}
	}, func(b []trace.Request) {
		for _, e := range es {
			for k := range b {
				e.Add(&b[k])
			}
		}
	})
	return StreamInfo{Requests: count.Requests, Fields: count.Fields(), Unsized: count.Unsized}, err
}

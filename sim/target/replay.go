package target

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
)

// Options say how to drive the server.
type Options struct {
	// Concurrency is the number of clients (connections); each takes the
	// keys that hash to it, in trace order, so every key's requests keep
	// their order. Default 1: the server sees the trace's order exactly.
	Concurrency int
	// Pipeline is the number of commands a client sends before reading
	// their replies; 1 is one round trip per command. Default 32.
	Pipeline int
	// Progress, when set, is called now and then with the number of
	// requests done since its last call (from any client goroutine).
	Progress func(n int)
}

// Result is what one replay against a server measured.
type Result struct {
	// Requests and Hits count the trace's gets; Bytes and ByteHits their sizes.
	Requests, Hits, Bytes, ByteHits uint64
	// Sets and Deletes are the trace's writes; Fills the SETs after misses;
	// Refused the writes the server did not store (out of memory, too large).
	Sets, Deletes, Fills, Refused uint64
	// Latency holds every trace request's client-side latency in seconds:
	// the round trip of the pipeline it was sent in.
	Latency sim.Histogram
	// Elapsed is the wall-clock time of the replay.
	Elapsed time.Duration
	// Times are when each request was sent (Unix ns, made non-decreasing):
	// the clock a simulation of the same run should use, since the server's
	// LRU clock and LFU decay follow wall-clock time, not the trace's.
	Times []int64
	// Before and After are the server's counters around the replay (Before
	// just after Prepare: an empty database).
	Before, After Counters
	// ValueBytes estimates the value bytes resident at the end. Redis: the
	// keys left times the mean size of the trace's distinct objects (exact
	// when every object has the same size). memcached: the bytes of its
	// items less their headers and keys, the keys' lengths taken as the
	// trace's mean.
	ValueBytes int64
}

// HitRatio is hits over gets.
func (r *Result) HitRatio() float64 { return ratio(r.Hits, r.Requests) }

// ByteHitRatio is the bytes of the gets that hit over the bytes of all gets.
func (r *Result) ByteHitRatio() float64 { return ratio(r.ByteHits, r.Bytes) }

// Throughput is the trace's requests (gets, sets and deletes) per second.
func (r *Result) Throughput() float64 {
	return float64(r.Requests+r.Sets+r.Deletes) / max(r.Elapsed.Seconds(), 1e-9)
}

// OverheadPerKey is the server memory per key beyond its value. Redis:
// (used memory at the end − used memory of the empty database − value
// bytes) ÷ keys. memcached: (the memory of the chunks its items take −
// value bytes) ÷ items, at least the item header: a chunk holds its item.
func (r *Result) OverheadPerKey() float64 {
	if r.After.Keys == 0 {
		return 0
	}
	used := r.After.UsedMemory - r.Before.UsedMemory
	if r.After.ChunkMemory > 0 {
		used = r.After.ChunkMemory
	}
	return float64(used-r.ValueBytes) / float64(r.After.Keys)
}

// MemoryPerKey is memcached's memory per item, the chunks its items take
// ÷ items (0 for Redis).
func (r *Result) MemoryPerKey() float64 {
	if r.After.Keys == 0 {
		return 0
	}
	return float64(r.After.ChunkMemory) / float64(r.After.Keys)
}

func ratio(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Replay prepares tg with maxMemory (see Target.Prepare) and drives it with
// every request of t: a get is a GET, and a miss is followed by a SET of a
// value of the object's size (with its TTL); a set is a SET; a delete a DEL.
func Replay(tg Target, t *trace.Trace, maxMemory int64, opt Options) (*Result, error) {
	if err := tg.Prepare(maxMemory); err != nil {
		return nil, err
	}
	if opt.Concurrency < 1 {
		opt.Concurrency = 1
	}
	if opt.Pipeline < 1 {
		opt.Pipeline = 32
	}
	res := &Result{Times: make([]int64, t.Len())}
	var err error
	if res.Before, err = tg.Counters(); err != nil {
		return nil, err
	}
	value := make([]byte, maxSize(t))
	for i := range value {
		value[i] = 'x'
	}
	workers := make([]*worker, opt.Concurrency)
	for i := range workers {
		c, err := tg.dial()
		if err != nil {
			for _, w := range workers[:i] {
				w.c.close()
			}
			return nil, err
		}
		workers[i] = &worker{c: c, t: t, value: value, depth: opt.Pipeline, times: res.Times, progress: opt.Progress}
	}
	var (
		wg    sync.WaitGroup
		stop  atomic.Bool
		errs  = make([]error, len(workers))
		start = time.Now()
	)
	for i, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = w.run(i, len(workers), &stop)
			if errs[i] != nil {
				stop.Store(true)
			}
			w.c.close()
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("%s: replay failed: %w", tg, err)
	}
	for _, w := range workers {
		res.Requests += w.res.Requests
		res.Hits += w.res.Hits
		res.Bytes += w.res.Bytes
		res.ByteHits += w.res.ByteHits
		res.Sets += w.res.Sets
		res.Deletes += w.res.Deletes
		res.Fills += w.res.Fills
		res.Refused += w.res.Refused
		res.Latency.Merge(&w.res.Latency)
	}
	for i := 1; i < len(res.Times); i++ {
		res.Times[i] = max(res.Times[i], res.Times[i-1])
	}
	if res.After, err = tg.Counters(); err != nil {
		return nil, err
	}
	objects, footprint := sim.Footprint(t)
	if objects > 0 {
		res.ValueBytes = int64(float64(footprint) / float64(objects) * float64(res.After.Keys))
	}
	if res.After.ChunkMemory > 0 {
		res.ValueBytes = memcachedValueBytes(t, res.After)
	}
	return res, nil
}

// maxSize is the largest object size of t.
func maxSize(t *trace.Trace) int {
	m := uint32(1)
	for _, s := range t.Sizes {
		m = max(m, s)
	}
	return int(m)
}

// Command kinds of a pipeline.
const (
	cmdGet = iota
	cmdSet
	cmdDel
	cmdFill   // the SET after a miss
	cmdExpire // a TTL change (EXPIRE, PERSIST; memcached's touch)
)

// pending is one command of a pipeline: its kind and request index.
type pending struct {
	idx  int
	kind uint8
}

// worker is one client: it replays the requests whose keys hash to it.
type worker struct {
	c        conn
	t        *trace.Trace
	value    []byte
	depth    int
	times    []int64
	progress func(int)
	batch    []pending
	next     []pending
	keys     []uint64 // keys of the batch's trace requests
	done     int      // requests not yet passed to progress
	res      Result
}

// owner picks the client of a key (a multiplicative hash, so sequential keys spread).
func owner(key uint64, n int) int {
	return int(((key * 0x9E3779B97F4A7C15) >> 32) % uint64(n))
}

func (w *worker) run(me, n int, stop *atomic.Bool) error {
	w.batch = make([]pending, 0, w.depth+1)
	w.next = make([]pending, 0, w.depth+1)
	w.keys = make([]uint64, 0, w.depth)
	var r trace.Request
	for i := range w.t.Len() {
		if n > 1 && owner(w.t.Keys[i], n) != me {
			continue
		}
		if stop.Load() {
			return nil
		}
		t := w.t
		t.At(i, &r)
		// A key already in the pipeline waits for the next one, so that the
		// SET after a miss lands before the key's next request, as in a
		// simulation.
		if len(w.batch) >= w.depth || w.inBatch(r.Key) {
			if err := w.send(); err != nil {
				return fmt.Errorf("request %d: %w", i+1, err)
			}
		}
		kind := uint8(cmdGet)
		switch r.Op {
		case trace.OpExpire:
			kind = cmdExpire
		case trace.OpSet, trace.OpWrite:
			if r.Unsized { // its size is unknown: the simulation stores nothing new either
				w.res.Sets++
				continue
			}
			kind = cmdSet
		case trace.OpDelete:
			kind = cmdDel
		case trace.OpChange: // no command: the server is not told (sim.Change)
			continue
		}
		w.batch = append(w.batch, pending{i, kind})
		w.keys = append(w.keys, r.Key)
	}
	for len(w.batch) > 0 {
		if err := w.send(); err != nil {
			return err
		}
	}
	if w.progress != nil && w.done > 0 {
		w.progress(w.done)
	}
	return nil
}

func (w *worker) inBatch(k uint64) bool {
	for _, b := range w.keys {
		if b == k {
			return true
		}
	}
	return false
}

// send writes the pipeline, reads its replies, and queues a fill for every
// missed get as the start of the next pipeline.
func (w *worker) send() error {
	var r trace.Request
	t0 := time.Now()
	w.c.setDeadline(t0.Add(ioTimeout))
	for _, p := range w.batch {
		w.t.At(p.idx, &r)
		switch p.kind {
		case cmdGet:
			w.c.get(r.Key)
		case cmdDel:
			w.c.del(r.Key)
		case cmdExpire:
			w.c.expire(r.Key, r.TTL)
		default:
			w.c.set(r.Key, w.value[:r.Size], r.TTL)
		}
	}
	if err := w.c.flush(); err != nil {
		return err
	}
	w.next = w.next[:0]
	traceOps := 0
	for _, p := range w.batch {
		w.t.At(p.idx, &r)
		switch p.kind {
		case cmdGet:
			hit, err := w.c.readGet()
			if err != nil {
				return err
			}
			w.res.Requests++
			w.res.Bytes += uint64(r.Size)
			if hit {
				w.res.Hits++
				w.res.ByteHits += uint64(r.Size)
			} else if !r.Unsized { // an unsized miss is not filled, as in the simulation (sim.Access)
				w.next = append(w.next, pending{p.idx, cmdFill})
			}
		case cmdDel:
			if err := w.c.readDel(); err != nil {
				return err
			}
			w.res.Deletes++
		case cmdExpire:
			if err := w.c.readExpire(); err != nil {
				return err
			}
			w.res.Sets++ // counted with the writes, as a replay counts a TTL change
		default:
			stored, err := w.c.readSet()
			if err != nil {
				return err
			}
			if !stored {
				w.res.Refused++
			}
			if p.kind == cmdFill {
				w.res.Fills++
				continue
			}
			w.res.Sets++
		}
		traceOps++
		w.times[p.idx] = t0.UnixNano()
	}
	w.res.Latency.AddN(time.Since(t0).Seconds(), uint64(traceOps))
	w.batch, w.next = w.next, w.batch
	w.keys = w.keys[:0]
	if w.done += traceOps; w.progress != nil && w.done >= 4096 {
		w.progress(w.done)
		w.done = 0
	}
	return nil
}

package sim

// Stats counts what a replay saw. Stats from disjoint parts of a run add up
// with Merge. Requests, hits and bytes count lookups only; the writes and
// deletes of traces with operations are counted apart (see Replay).
type Stats struct {
	Requests  uint64 `json:"requests"`
	Hits      uint64 `json:"hits"`
	Bytes     uint64 `json:"bytes"`     // sum of the sizes of all requests
	ByteHits  uint64 `json:"byte_hits"` // sum of the sizes of the requests that hit
	Evictions uint64 `json:"evictions"`
	Sets      uint64 `json:"sets,omitempty"`    // writes applied, not counted as requests
	Deletes   uint64 `json:"deletes,omitempty"` // deletes applied, not counted as requests
	Changes   uint64 `json:"changes,omitempty"` // changes of the truth the cache was not told of (trace.OpChange)
	// Admitted and Rejected count the missed objects a policy with an
	// admission decision (policy.Admitter: an admission filter, W-TinyLFU's
	// duel, the ristretto model) let in and turned away; both 0 otherwise.
	Admitted uint64 `json:"admitted,omitempty"`
	Rejected uint64 `json:"rejected,omitempty"`
	// Latency is the distribution of request latencies (nil unless a latency model was given).
	Latency *Histogram `json:"-"`
	// Windows are the counts per window of the run (nil unless windows were asked for).
	Windows []WindowStats `json:"windows,omitempty"`
	// Memory is the memory the cache held at the end, for policies whose
	// memory is not their capacity (policy.MemoryHolder: memcached's slab
	// pages); 0 for the others.
	Memory int64 `json:"memory,omitempty"`
	// Prefix holds the per-request and per-token counts of a prompt
	// trace replayed with the prefix rule (nil otherwise; see Options.Prefix).
	Prefix *PrefixStats `json:"prefix,omitempty"`
	// Batch counts the outcomes of whole multi-key requests (nil when no
	// request carried more than one key; see batch.go).
	Batch *BatchStats `json:"-"`
	// Tenants counts each tenant's lookups, indexed by tenant (0: requests
	// without one; nil unless Options.Tenants asked for them).
	Tenants []TenantStats `json:"-"`
	// Tiers are what each tier of a KV-cache hierarchy served, nearest
	// first (nil but for ReplayPrefixTiers).
	Tiers []TierStats `json:"tiers,omitempty"`
}

// WindowStats counts the requests of one window of a run.
type WindowStats struct {
	// Start is where the window starts: nanoseconds since the start of the
	// trace for time windows, the index of its first request otherwise.
	Start    int64  `json:"start"`
	Requests uint64 `json:"requests"`
	Hits     uint64 `json:"hits"`
	Bytes    uint64 `json:"bytes"`
	ByteHits uint64 `json:"byte_hits"`
	// Batches counts the multi-key requests (with a lookup) that ended in
	// the window, at their last lookup, and BatchHits those served from the
	// cache alone (both 0 in a trace without multi-key requests).
	Batches   uint64 `json:"batch_requests,omitempty"`
	BatchHits uint64 `json:"batch_hits,omitempty"`
}

// HitRatio returns the window's hits over its requests (0 for none).
func (w WindowStats) HitRatio() float64 { return ratio(w.Hits, w.Requests) }

// ByteHitRatio returns the window's byte hit ratio (0 for no bytes).
func (w WindowStats) ByteHitRatio() float64 { return ratio(w.ByteHits, w.Bytes) }

// Misses returns the number of requests that missed.
func (s Stats) Misses() uint64 { return s.Requests - s.Hits }

// HitRatio returns hits over requests (0 for no requests).
func (s Stats) HitRatio() float64 { return ratio(s.Hits, s.Requests) }

// ByteHitRatio returns the bytes of the requests that hit over the bytes of
// all requests, each request counted with its own size.
func (s Stats) ByteHitRatio() float64 { return ratio(s.ByteHits, s.Bytes) }

// AdmissionRate returns the share of the objects that asked to enter the
// cache that were admitted (0 when the policy does not decide).
func (s Stats) AdmissionRate() float64 { return ratio(s.Admitted, s.Admitted+s.Rejected) }

// Merge adds o's counts to s; o is the part of the run that follows s. The
// latency histograms merge; o's windows follow s's, and a window that
// straddles the two parts (same start) is added up.
func (s *Stats) Merge(o Stats) {
	s.Requests += o.Requests
	s.Hits += o.Hits
	s.Bytes += o.Bytes
	s.ByteHits += o.ByteHits
	s.Evictions += o.Evictions
	s.Admitted += o.Admitted
	s.Rejected += o.Rejected
	if o.Latency != nil {
		if s.Latency == nil {
			s.Latency = &Histogram{}
		}
		s.Latency.Merge(o.Latency)
	}
	ws := o.Windows
	if n := len(s.Windows); n > 0 && len(ws) > 0 && s.Windows[n-1].Start == ws[0].Start {
		w := &s.Windows[n-1]
		w.Requests += ws[0].Requests
		w.Hits += ws[0].Hits
		w.Bytes += ws[0].Bytes
		w.ByteHits += ws[0].ByteHits
		w.Batches += ws[0].Batches
		w.BatchHits += ws[0].BatchHits
		ws = ws[1:]
	}
	s.Windows = append(s.Windows, ws...)
	s.Sets += o.Sets
	s.Deletes += o.Deletes
	if o.Memory != 0 {
		s.Memory = o.Memory
	}
	if o.Prefix != nil {
		if s.Prefix == nil {
			s.Prefix = &PrefixStats{}
		}
		s.Prefix.merge(o.Prefix)
	}
	if o.Tenants != nil {
		ts := append([]TenantStats(nil), s.Tenants...) // s.Tenants may be shared with a copy of s
		for id, t := range o.Tenants {
			var sum *TenantStats
			ts, sum = tenantOf(ts, uint32(id))
			sum.Requests += t.Requests
			sum.Hits += t.Hits
			sum.Bytes += t.Bytes
			sum.ByteHits += t.ByteHits
		}
		s.Tenants = ts
	}
	if o.Tiers != nil {
		ts := append([]TierStats(nil), s.Tiers...) // s.Tiers may be shared with a copy of s
		for k, t := range o.Tiers {
			if k == len(ts) {
				ts = append(ts, TierStats{Name: t.Name})
			}
			ts[k].Blocks += t.Blocks
			ts[k].Tokens += t.Tokens
			ts[k].TransferSeconds += t.TransferSeconds
			ts[k].Evictions += t.Evictions
		}
		s.Tiers = ts
	}
	if o.Batch != nil {
		b := &BatchStats{} // s.Batch may be shared with a copy of s
		if s.Batch != nil {
			b.Merge(s.Batch)
		}
		b.Merge(o.Batch)
		s.Batch = b
	}
}

func ratio(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

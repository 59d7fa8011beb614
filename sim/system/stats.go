package system

import "github.com/cachesim/cachesim/sim"

// The results of a system simulation (Run).

// LevelStats count what one level saw (summed over the instances for a private level).
type LevelStats struct {
	Name string `json:"name"`
	// Reached counts the requests that looked this level up.
	Reached uint64 `json:"reached"`
	// Hits counts the requests this level served.
	Hits      uint64 `json:"hits"`
	ByteHits  uint64 `json:"byte_hits"`
	Evictions uint64 `json:"evictions"`
	// HitRatio is Hits over all requests; HitRatioReached is Hits over Reached.
	HitRatio        float64 `json:"hit_ratio"`
	HitRatioReached float64 `json:"hit_ratio_of_reached"`
}

// BackendStats count the backend's reads.
type BackendStats struct {
	// Calls counts backend reads (misses, duplicates and early recomputations).
	Calls uint64 `json:"calls"`
	// Duplicates counts the calls made for a key while another call for it
	// was in flight by requests that found no fresh value: the stampede.
	Duplicates uint64 `json:"duplicate_calls"`
	// Coalesced counts the requests that waited for a call in flight instead of making one.
	Coalesced uint64 `json:"coalesced"`
	// EarlyRecomputes counts XFetch's early recomputations.
	EarlyRecomputes uint64 `json:"early_recomputes"`
	// Expired counts the requests that found their object cached but expired.
	Expired uint64 `json:"expired"`
	// MaxPerKey is the largest number of calls in flight at once for one key.
	MaxPerKey int `json:"max_concurrent_calls_per_key"`
	// MaxConcurrent is the largest number of calls in flight at once.
	MaxConcurrent int `json:"max_concurrent_calls"`
	// Load is Calls over the requests: the backend's read load relative to no cache.
	Load float64 `json:"load"`
	// PerSecond is Calls per second of trace time (0 without timestamps).
	PerSecond float64 `json:"calls_per_second,omitempty"`
}

// WriteStats count the writes and what they cost in consistency.
type WriteStats struct {
	// StoreWrites counts writes (and deletes) that reached the store.
	StoreWrites uint64 `json:"store_writes"`
	// Saved is the trace's writes that never reached the store (write-back merging them).
	Saved uint64 `json:"store_writes_saved"`
	// MaxDirty and MaxDirtyBytes are the most entries and bytes at risk (dirty, not yet
	// in the store) at any moment; MeanDirty and MeanDirtyBytes their time-weighted means.
	MaxDirty       int     `json:"max_dirty_entries"`
	MaxDirtyBytes  int64   `json:"max_dirty_bytes"`
	MeanDirty      float64 `json:"mean_dirty_entries"`
	MeanDirtyBytes float64 `json:"mean_dirty_bytes"`
	// Invalidations counts the invalidation messages applied to other instances' L1s.
	Invalidations uint64 `json:"invalidations"`
	// StaleReads counts the reads an L1 served from a copy older than the key's last write.
	StaleReads uint64 `json:"stale_reads"`
}

// VersionEvent is one InvalidateEvery event and what it did to the traffic
// just before and just after it (over Config.DipWindow each).
type VersionEvent struct {
	Time   int64       `json:"time_ns"`
	Before EventWindow `json:"before"`
	After  EventWindow `json:"after"`
}

// EventWindow counts the requests of a span around a VersionEvent.
type EventWindow struct {
	Requests uint64 `json:"requests"`
	Hits     uint64 `json:"hits"`
	Calls    uint64 `json:"backend_calls"`
}

// HitRatio returns hits over requests (0 for none).
func (w EventWindow) HitRatio() float64 { return ratio(w.Hits, w.Requests) }

// Add adds o's counts to w.
func (w *EventWindow) Add(o EventWindow) {
	w.Requests += o.Requests
	w.Hits += o.Hits
	w.Calls += o.Calls
}

// Stats are the results of a system simulation. The embedded sim.Stats
// are the overall counts: a hit is a request served by any level, Latency
// the distribution of request latencies (the lookups of the levels reached,
// plus the backend's latency or the wait for a call in flight), Evictions
// those of every level.
type Stats struct {
	sim.Stats
	Levels  []LevelStats `json:"levels"`
	Backend BackendStats `json:"backend"`
	Writes  WriteStats   `json:"writes"`
	// Versions are the InvalidateEvery boundaries whose spans before or
	// after saw requests, in time order (boundaries in a gap of the trace
	// are left out: nothing happened around them).
	Versions []VersionEvent `json:"versions,omitempty"`
	// Drops counts the InvalidateEvery drops that found entries to drop;
	// a boundary with every cache empty (such as all but the first of a
	// gap without requests) drops nothing and is not counted.
	Drops uint64 `json:"drops,omitempty"`
	// Prewarmed is the number of keys loaded before the replay.
	Prewarmed int `json:"prewarmed,omitempty"`
	// Span is the trace time the statistics cover, in nanoseconds.
	Span int64 `json:"span_ns"`
}

// ratio returns a over b (0 when b is 0).
func ratio(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// VersionDip adds up the spans before and after every version event: the
// hit ratio and backend calls just before and just after a drop.
func (s *Stats) VersionDip() (before, after EventWindow) {
	for _, e := range s.Versions {
		before.Add(e.Before)
		after.Add(e.After)
	}
	return before, after
}

// Package sim simulates caches: it runs the requests of a trace through
// cache policies (package policy) and counts what they hit.
//
// The entry points:
//
//   - Replay runs a loaded trace through one cache. Options say how the
//     requests count and what else to record: latencies, windows of a
//     timeline, each tenant's share, or the prefix rule of a prompt trace.
//   - ReplayStream runs a trace read as a stream through one or several
//     caches in a single pass, holding nothing per request.
//   - Sweep carries out a Plan, what cachesim sweep runs (and mrc on an
//     input it does not stream): every policy at every size in parallel, on a loaded trace or on spatial
//     samples of one (SHARDS), with the sizes chosen from the footprint
//     when none are given, the offline optimum, a latency model and a
//     partition between tenants. Its Result holds the points, the sizes,
//     what an unlimited cache does (Ceiling) and the Notes on what the
//     input lacks and how it ran.
//     Plan.Rerun replays one of its points again in the windows of
//     PeakWindows, for the peak of the backend's load.
//   - LRUCurve, StreamDistances and ShardsEstimator compute LRU's whole
//     curve in one pass from stack distances, for a loaded trace, a stream
//     and a spatial sample of a stream.
//   - A Span (a window of the trace, FROM..TO, and a warm-up) says which
//     requests the above replay and which they count: Span.Resolve finds
//     them in a loaded trace (an Extent), SpanReader as a stream goes by.
//   - FreshSweep runs a trace once per TTL while the truth behind its keys
//     changes (change rows, redeploys, a per-key rate: Changes), counting
//     the hits that serve stale values and their age, with push
//     invalidation beside the TTLs (cachesim fresh).
//   - ReplayPrefixTiers runs a prompt trace through a hierarchy of
//     KV-cache tiers, and ReplayRouted through several serving instances
//     behind a router.
//
// Around them: Stats and its parts (BatchStats, PrefixStats, TenantStats,
// WindowStats, Histogram) count what a run saw; Semantics, Apply and
// Access say what a request does to a cache; LatencyModel turns hits and
// misses into latencies; Calls (CallsOf, WindowCalls) counts the client
// requests and the backend calls of a run; Sizes, Size and ParseSizes are the size syntax;
// Parallel, EndHeap and BatchCounter serve the simulations built on this
// one. Package sim/system simulates a hierarchy of caches in front of a
// backend, and sim/target replays a trace against a real server.
package sim

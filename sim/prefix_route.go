package sim

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces/trace"
)

// Serving instances (ReplayRouted): an LLM service runs N instances, each
// with its own prefix cache in its own GPU (and CPU) memory, and a router
// sends every prompt to one of them. An instance's cache is a prefix
// replay (the prefix rule of Replay with Options.Prefix, pins included) of
// the prompts routed to it; a pooled cache of the instances' total memory
// is that replay of the whole trace.
//
// The load model, kept simple: an instance's load is its queue of prefill
// work, the prompt tokens it must compute (those its cache did not hold).
// A routed prompt adds its missed tokens to the chosen instance's queue,
// and every queue drains at a fixed rate, RouteOptions.DrainTokensPerS an
// instance (by default the trace's mean prompt tokens a second over N, so
// that the instances together could prefill every prompt token with no
// cache). Time is the trace's arrival times; a trace without times never
// drains, and the load is then the prefill tokens routed so far. Decoding,
// batching and queueing delays are not modelled.

// Router is how prompts are sent to instances.
type Router uint8

// The routers.
const (
	// RouteRandom picks an instance uniformly at random (seeded).
	RouteRandom Router = iota
	// RouteRoundRobin sends prompt k to instance k mod N.
	RouteRoundRobin
	// RouteLeastLoaded picks the instance with the fewest queued prefill
	// tokens (ties to the lowest index).
	RouteLeastLoaded
	// RouteCacheAware picks the instance whose cache holds the longest
	// prefix of the prompt (in tokens; ties to the least loaded), unless
	// its load exceeds RouteOptions.LoadCap times the mean load, or no
	// instance holds any of the prompt: then the least loaded.
	RouteCacheAware
)

// routerNames are the routers' names, by Router.
var routerNames = [...]string{"random", "round-robin", "least-loaded", "cache-aware"}

// String returns the router's name.
func (r Router) String() string {
	if int(r) < len(routerNames) {
		return routerNames[r]
	}
	return fmt.Sprintf("router(%d)", int(r))
}

// Routers returns every router, in the order of the reports.
func Routers() []Router {
	return []Router{RouteRandom, RouteRoundRobin, RouteLeastLoaded, RouteCacheAware}
}

// RouterNames lists the routers' names, comma-separated.
func RouterNames() string { return strings.Join(routerNames[:], ", ") }

// ParseRouters reads a comma-separated list of router names, or "all"
// (every router). A name given twice is an error.
func ParseRouters(s string) ([]Router, error) {
	if strings.TrimSpace(s) == "all" {
		return Routers(), nil
	}
	var out []Router
	for _, f := range strings.Split(s, ",") {
		name := strings.TrimSpace(f)
		k := -1
		for i, n := range routerNames {
			if n == name {
				k = i
			}
		}
		if k < 0 {
			return nil, fmt.Errorf("unknown router %q: expected %s, a list of them, or all", name, RouterNames())
		}
		for _, r := range out {
			if r == Router(k) {
				return nil, fmt.Errorf("router %s given twice", name)
			}
		}
		out = append(out, Router(k))
	}
	return out, nil
}

// DefaultLoadCap is the cache-aware router's default load cap: it leaves
// an instance whose load exceeds the mean by half.
const DefaultLoadCap = 1.5

// RouteOptions say how prompts are routed to instances.
type RouteOptions struct {
	// Router picks each prompt's instance.
	Router Router
	// Seed seeds RouteRandom.
	Seed uint64
	// DrainTokensPerS is the prefill tokens an instance computes a second,
	// which drain its queue; 0 takes the trace's mean prompt tokens a
	// second (PromptRate) over the number of instances.
	DrainTokensPerS float64
	// LoadCap is RouteCacheAware's cap: an instance whose load exceeds
	// LoadCap times the mean load gets no prompt by its cache; 0 is
	// DefaultLoadCap.
	LoadCap float64
}

// RoutedStats are the results of a routed replay.
type RoutedStats struct {
	// Router names the router.
	Router string `json:"router"`
	// Stats are every instance's counts added up, Prefix included; its
	// Evictions are the instances' total.
	Stats
	// Prompts and Prefill are the prompts each instance received and the
	// prefill tokens it computed (its prompts' tokens that missed).
	Prompts []uint64 `json:"prompts_per_instance"`
	Prefill []uint64 `json:"prefill_tokens_per_instance"`
	// DrainTokensPerS is the queue drain rate an instance used (0: none,
	// the trace has no times).
	DrainTokensPerS float64 `json:"drain_tokens_per_second"`
	// Overloaded counts the prompts RouteCacheAware sent to the least
	// loaded instance because its choice's load exceeded the cap.
	Overloaded uint64 `json:"overloaded,omitempty"`
}

// Imbalance is the load imbalance over the run: the most prefill tokens an
// instance computed over the mean (1: even; N: one instance did all; 1
// when no instance computed any).
func (r RoutedStats) Imbalance() float64 {
	var sum, top uint64
	for _, v := range r.Prefill {
		sum += v
		top = max(top, v)
	}
	if sum == 0 {
		return 1
	}
	return float64(top) * float64(len(r.Prefill)) / float64(sum)
}

// ReplayRouted replays prompt trace t through instances, one cache each
// (all empty, of the same policy and size for a fair comparison, though
// nothing requires it), routing each prompt as ro says and applying the
// prefix rule within the chosen instance's cache (see replayPrefix, whose
// replayer each instance is; pins, when opt asks, need policy.Pinner
// caches). With one instance it is Replay with Options.Prefix exactly,
// whatever the router.
func ReplayRouted(t *trace.Trace, caches []policy.Cache, opt PrefixOptions, ro RouteOptions) RoutedStats {
	r := newRouter(t, caches, opt, ro)
	eachPrompt(t, r.prompt)
	return r.finish()
}

// router is ReplayRouted's state.
type router struct {
	t     *trace.Trace
	ro    RouteOptions
	rng   *rand.Rand
	inst  []*prefixReplayer
	queue []float64 // prefill tokens queued, as of at
	at    int64     // time of the last drain (ns)
	held  []uint64  // cache-aware: prefix tokens each instance holds
	out   RoutedStats
	next  int // round-robin's next instance
}

func newRouter(t *trace.Trace, caches []policy.Cache, opt PrefixOptions, ro RouteOptions) *router {
	n := len(caches)
	r := &router{t: t, ro: ro, queue: make([]float64, n), held: make([]uint64, n)}
	r.rng = rand.New(rand.NewPCG(ro.Seed, 0x726f757465)) // "route"
	if r.ro.LoadCap == 0 {
		r.ro.LoadCap = DefaultLoadCap
	}
	if r.ro.DrainTokensPerS == 0 && n > 0 {
		_, tokens := PromptRate(t)
		r.ro.DrainTokensPerS = tokens / float64(n)
	}
	if t.Times != nil && t.Len() > 0 {
		r.at = t.Times[0]
	}
	for _, c := range caches {
		r.inst = append(r.inst, newPrefixReplayer(t, c, opt))
	}
	r.out = RoutedStats{Router: ro.Router.String(), Prompts: make([]uint64, n), Prefill: make([]uint64, n), DrainTokensPerS: r.ro.DrainTokensPerS}
	return r
}

// prompt routes and replays the request of entries i to j-1.
func (r *router) prompt(i, j int) {
	r.drain(i)
	k := r.pick(i, j)
	p := r.inst[k]
	before := p.ps.Tokens - p.ps.TokenHits
	p.prompt(i, j)
	missed := p.ps.Tokens - p.ps.TokenHits - before
	r.queue[k] += float64(missed)
	r.out.Prompts[k]++
	r.out.Prefill[k] += missed
}

// drain empties the queues by the time elapsed up to request i's arrival.
func (r *router) drain(i int) {
	if r.t.Times == nil {
		return
	}
	now := r.t.Times[i]
	if now <= r.at {
		return
	}
	d := r.ro.DrainTokensPerS * float64(now-r.at) / 1e9
	for k := range r.queue {
		r.queue[k] = max(0, r.queue[k]-d)
	}
	r.at = now
}

// pick chooses the instance of the request of entries i to j-1.
func (r *router) pick(i, j int) int {
	n := len(r.inst)
	if n == 1 {
		return 0
	}
	switch r.ro.Router {
	case RouteRandom:
		return r.rng.IntN(n)
	case RouteRoundRobin:
		k := r.next
		r.next = (r.next + 1) % n
		return k
	case RouteCacheAware:
		return r.cacheAware(i, j)
	}
	return r.leastLoaded(nil)
}

// leastLoaded returns the instance with the least queued work among those
// with among[k] equal to the largest value of among (all when nil), ties
// to the lowest index.
func (r *router) leastLoaded(among []uint64) int {
	var top uint64
	for _, v := range among {
		top = max(top, v)
	}
	best := -1
	for k, q := range r.queue {
		if among != nil && among[k] != top {
			continue
		}
		if best < 0 || q < r.queue[best] {
			best = k
		}
	}
	return best
}

// cacheAware is RouteCacheAware's choice for entries i to j-1.
func (r *router) cacheAware(i, j int) int {
	var any bool
	for k, p := range r.inst {
		r.held[k] = p.heldPrefix(i, j)
		any = any || r.held[k] > 0
	}
	if !any {
		return r.leastLoaded(nil)
	}
	k := r.leastLoaded(r.held)
	var sum float64
	for _, q := range r.queue {
		sum += q
	}
	if mean := sum / float64(len(r.queue)); r.queue[k] > r.ro.LoadCap*mean {
		r.out.Overloaded++
		return r.leastLoaded(nil)
	}
	return k
}

// heldPrefix returns the tokens of the longest run of blocks from the
// start of the request of entries i to j-1 that p's cache holds now (the
// hit length the prefix rule would give it, without touching the cache).
func (p *prefixReplayer) heldPrefix(i, j int) uint64 {
	var tok uint64
	for k := i; k < j && !p.tail(k); k++ {
		if !p.c.Contains(p.t.Keys[k]) {
			break
		}
		tok += uint64(p.t.Tokens[k])
	}
	return tok
}

// finish returns the statistics of the whole run.
func (r *router) finish() RoutedStats {
	out := r.out
	out.Stats = Stats{Prefix: &PrefixStats{}}
	for _, p := range r.inst {
		out.Stats.Merge(p.finish())
	}
	return out
}

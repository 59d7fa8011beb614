package policy

import "strings"

// Traits is a set of capabilities a policy declares in its Info, as
// Caffeine's simulator declares characteristics: what the policy needs from
// a trace and what it does with it. Callers test them with Has (see
// Spec.Traits) instead of testing policy names.
type Traits uint16

// The traits a policy may declare.
const (
	// TraceTime: decisions read the requests' timestamps (idle clocks,
	// expiry, bump intervals); on a trace without them every request
	// happens at time 0.
	TraceTime Traits = 1 << iota
	// Expiry: entries expire after their time to live, the request's or
	// else Config.TTL; an expired entry misses.
	Expiry
	// Offline: reads the future (each request's next access, Request.Next),
	// so it is a bound to compare with, not a policy to deploy.
	Offline
	// SizeAware: decisions weigh object sizes beyond making room for them.
	SizeAware
	// Randomised: makes random choices, seeded by Config.Seed.
	Randomised
	// ExactCurve: the one-pass stack-distance curve (sim.LRUCurve) gives
	// exactly this policy's hit ratio at every size, without a replay per
	// size.
	ExactCurve
	// MemoryLimit: the capacity is a server's memory limit in bytes
	// (memcached's -m), which an object count cannot stand for.
	MemoryLimit
)

// traitDocs names and describes every trait, in the order of the constants.
var traitDocs = []struct {
	trait      Traits
	name, help string
}{
	{TraceTime, "trace-time", "runs on trace time: its decisions read request timestamps"},
	{Expiry, "expiry", "honours time to live: expired entries miss"},
	{Offline, "offline", "needs the future (next-access times): a bound, not a deployable policy"},
	{SizeAware, "size-aware", "its decisions weigh object sizes, not only room for them"},
	{Randomised, "randomised", "makes random choices from a seed: the same seed repeats a run"},
	{ExactCurve, "exact-curve", "every size's hit ratio in one pass over the trace (stack distances)"},
	{MemoryLimit, "memory-limit", "its capacity is a server's memory limit in bytes: object counts mean nothing"},
}

// AllTraits returns every trait, one per element, in a fixed order.
func AllTraits() []Traits {
	all := make([]Traits, len(traitDocs))
	for i, d := range traitDocs {
		all[i] = d.trait
	}
	return all
}

// Has reports whether t includes every trait of u.
func (t Traits) Has(u Traits) bool { return t&u == u }

// String names the traits of t, comma-separated ("trace-time, expiry"),
// or returns "none".
func (t Traits) String() string {
	var names []string
	for _, d := range traitDocs {
		if t.Has(d.trait) {
			names = append(names, d.name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// Help describes t, a single trait, in one line.
func (t Traits) Help() string {
	for _, d := range traitDocs {
		if d.trait == t {
			return d.help
		}
	}
	return t.String()
}

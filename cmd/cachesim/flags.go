package main

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/spf13/pflag"
)

// changed reports whether any of the named flags of fs was given.
func changed(fs *pflag.FlagSet, names ...string) bool {
	for _, n := range names {
		if fs.Changed(n) {
			return true
		}
	}
	return false
}

// floatFlag is a float flag's name and value, for finite.
type floatFlag struct {
	name  string
	value float64
}

// finite rejects NaN and infinite values of float flags.
func finite(flags ...floatFlag) error {
	for _, f := range flags {
		if math.IsNaN(f.value) || math.IsInf(f.value, 0) {
			return fmt.Errorf("--%s %s: expected a finite number", f.name, strconv.FormatFloat(f.value, 'g', -1, 64))
		}
	}
	return nil
}

// cacheFlags say which simulated cache runs and how: the policy (or
// policies), the default TTL, the seed, writes and per-object overhead.
// A command has them all (register), or --count-writes alone
// (registerWrites: mrc, whose curve is LRU's).
type cacheFlags struct {
	// withPolicy says the command has --policy and the rest (register).
	withPolicy bool
	policies   string
	ttl        time.Duration
	seed       uint64
	writes     bool
	overhead   uint32
	fs         *pflag.FlagSet
}

// countWritesHelp documents --count-writes.
const countWritesHelp = "count every request as a lookup whatever its operation, as libCacheSim does " +
	"(default: only gets count in hit ratios; sets write the object, deletes remove it)"

// overheadHelp documents --overhead-per-object.
const overheadHelp = "bytes added to every object's size in byte-capacity simulations, so the capacity means what a " +
	"server's memory limit means (Redis: measured by cachesim live replay)"

func (f *cacheFlags) register(fs *pflag.FlagSet, several bool) {
	defer inSection(fs, sectionPolicies)()
	f.fs, f.withPolicy = fs, true
	if several {
		fs.StringVarP(&f.policies, "policy", "p", "lru", "comma-separated policies, with parameters in parentheses: 'lru,s3fifo(small=0.2)' (see cachesim policies)")
	} else {
		fs.StringVarP(&f.policies, "policy", "p", "lru", "policy, with parameters in parentheses: 's3fifo(small=0.2)' (see cachesim policies)")
	}
	fs.DurationVar(&f.ttl, "ttl", 0, "time to live, for policies with expiry, of what a request stores without a TTL of its own: "+
		"a fill, or a write that carries none (default: none, as a SET without EX; 0: never expire)")
	fs.Uint64Var(&f.seed, "seed", 42, "seed for randomised policies and random miss latencies")
	fs.BoolVar(&f.writes, "count-writes", false, countWritesHelp)
	fs.Uint32Var(&f.overhead, "overhead-per-object", 0, overheadHelp)
}

// registerWrites registers --count-writes alone, for a command that runs
// one fixed policy with its defaults.
func (f *cacheFlags) registerWrites(fs *pflag.FlagSet) {
	defer inSection(fs, sectionPolicies)()
	f.fs = fs
	fs.BoolVar(&f.writes, "count-writes", false, countWritesHelp)
}

// specs parses the policies; one is required unless several is allowed.
func (f *cacheFlags) specs(several bool) ([]policy.Spec, error) {
	var specs []policy.Spec
	list := policy.SplitSpecs(f.policies)
	for i, s := range list {
		spec, err := policy.ParseSpec(s)
		if err != nil {
			return nil, fmt.Errorf("--policy: %w", err)
		}
		for j, prev := range specs {
			if spec.Same(prev) {
				return nil, fmt.Errorf("--policy %s: %s and %s are the same policy: give each once", f.policies, strings.TrimSpace(list[j]), strings.TrimSpace(list[i]))
			}
		}
		specs = append(specs, spec)
	}
	switch {
	case len(specs) == 0:
		return nil, fmt.Errorf("--policy is empty (valid: %s)", strings.Join(policy.Names(), ", "))
	case len(specs) > 1 && !several:
		return nil, fmt.Errorf("--policy %s: replay runs one policy (cachesim sweep compares several)", f.policies)
	}
	return specs, nil
}

// check rejects the flags that would have no effect on these policies at
// this unit; lat is the latency model, if any (a random one uses the seed).
func (f *cacheFlags) check(specs []policy.Spec, bytes bool, lat *sim.LatencyModel) error {
	randomLatency := lat != nil && sim.Random(lat.Miss)
	if f.overhead > 0 && !bytes {
		return fmt.Errorf("--overhead-per-object applies to byte capacities: give the size a unit (64MiB) or --bytes")
	}
	for _, s := range specs {
		if !bytes && s.Traits().Has(policy.MemoryLimit) {
			return fmt.Errorf("the capacity of %s is a server's memory limit in bytes: give the sizes a unit (64MiB) or --bytes", s)
		}
	}
	if f.fs.Changed("ttl") && !anyHas(specs, policy.Expiry) {
		return fmt.Errorf("--ttl has no effect: none of %s expires entries (policies with expiry: %s)",
			specList(specs), strings.Join(namesWith(policy.Expiry), ", "))
	}
	if f.ttl < 0 {
		return fmt.Errorf("--ttl %s: expected a duration >= 0", f.ttl)
	}
	if f.fs.Changed("seed") && !randomLatency && !anyHas(specs, policy.Randomised) {
		return fmt.Errorf("--seed has no effect: none of %s makes random choices and no miss latency is drawn at random", specList(specs))
	}
	return nil
}

// checkTrace rejects the flags that have no effect on the loaded trace t.
func (f *cacheFlags) checkTrace(t *trace.Trace) error {
	if f.writes && t.Ops == nil {
		return fmt.Errorf("--count-writes has no effect: %s has no operations (every request is a lookup already)", t.Name)
	}
	if f.writes && slices.Contains(t.Ops, trace.OpChange) {
		return errCountChanges(t.Name)
	}
	return nil
}

// errCountChanges is the error of --count-writes on the trace called name,
// which holds change rows.
func errCountChanges(name string) error {
	return fmt.Errorf("--count-writes would count every row of %s as a lookup, but its change rows are no requests (the truth changed, the cache was not told): drop --count-writes, or the change rows", name)
}

// anyHas reports whether a policy of specs has trait t.
func anyHas(specs []policy.Spec, t policy.Traits) bool {
	for _, s := range specs {
		if s.Traits().Has(t) {
			return true
		}
	}
	return false
}

// namesWith lists the policies that have trait t.
func namesWith(t policy.Traits) []string {
	var out []string
	for _, n := range policy.Names() {
		if info, _ := policy.Lookup(n); info.Traits.Has(t) {
			out = append(out, n)
		}
	}
	return out
}

// specList renders specs for messages.
func specList(specs []policy.Spec) string {
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.String()
	}
	return joinOr(names)
}

// config is the policy configuration of a cache of the given capacity.
func (f *cacheFlags) config(capacity int64) policy.Config {
	return policy.Config{Capacity: capacity, TTL: f.ttl, Seed: f.seed}
}

// options are the replay options the flags ask for.
func (f *cacheFlags) options(bytes bool) sim.Options {
	return sim.Options{Objects: !bytes, CountWrites: f.writes, Overhead: f.overhead}
}

// latencyFlags describe the latency model: what a hit and a miss cost.
type latencyFlags struct {
	has         latencyParts
	on          bool
	hit         string
	miss        string
	missPerKiB  string
	requestRate float64
	plot        string
	fs          *pflag.FlagSet
}

// latencyParts say which latency flags a command has besides the miss's
// (--miss-latency and --miss-latency-per-kib, which every one has).
type latencyParts struct {
	hit  bool // --latency and --hit-latency: a latency report of its own
	rate bool // --request-rate
	plot bool // --latency-plot, a chart against size
}

func (f *latencyFlags) register(fs *pflag.FlagSet, has latencyParts) {
	defer inSection(fs, sectionLatency)()
	f.fs, f.has = fs, has
	if has.hit {
		fs.BoolVar(&f.on, "latency", false, "add the latency-reduction report (implied by any latency flag)")
		fs.StringVar(&f.hit, "hit-latency", "0.5ms", "latency of a hit")
	}
	fs.StringVar(&f.miss, "miss-latency", "50ms", "latency of a miss (the backend's): a duration (50ms), lognormal:median=40ms,p99=250ms "+
		"or exp:mean=30ms (drawn once per request, seeded by --seed), or column (the trace's own, with --csv-latency)")
	fs.StringVar(&f.missPerKiB, "miss-latency-per-kib", "0", "added to a miss per KiB of the object, for transfer-bound backends (e.g. 0.01ms)")
	if has.rate {
		fs.Float64Var(&f.requestRate, "request-rate", 0, "requests per second, the trace's records (the keys, in a trace of multi-key requests) (default: from the trace's timestamps), for backend calls saved per second and the cost rule")
	}
	if has.plot {
		fs.StringVar(&f.plot, "latency-plot", "", "draw mean and p99 latency against size to this file, PNG or SVG (adds the latency report)")
		markPaths(fs, "output", "latency-plot")
	}
}

// asked reports whether the flags ask for a latency report.
func (f *latencyFlags) asked() bool {
	return f.on || changed(f.fs, "hit-latency", "miss-latency", "miss-latency-per-kib", "latency-plot")
}

// rateGiven reports whether --request-rate was given.
func (f *latencyFlags) rateGiven() bool { return f.has.rate && f.fs.Changed("request-rate") }

// model parses the latency model.
func (f *latencyFlags) model(seed uint64) (*sim.LatencyModel, error) {
	if err := finite(floatFlag{"request-rate", f.requestRate}); err != nil {
		return nil, err
	}
	if f.requestRate < 0 {
		return nil, fmt.Errorf("--request-rate %g: expected requests per second >= 0", f.requestRate)
	}
	m := &sim.LatencyModel{MissDesc: f.miss}
	var err error
	if f.has.hit {
		if m.Hit, err = sim.ParseLatency(f.hit); err != nil {
			return nil, fmt.Errorf("bad --hit-latency: %w", err)
		}
	}
	if m.PerKiB, err = sim.ParseLatency(f.missPerKiB); err != nil {
		return nil, fmt.Errorf("bad --miss-latency-per-kib: %w", err)
	}
	if m.Miss, err = sim.ParseMissLatency(f.miss, seed); err != nil {
		return nil, fmt.Errorf("bad --miss-latency %w", err)
	}
	return m, nil
}

// checkModel checks that the latency model can run on t, naming the flags
// that fix it when it cannot.
func checkModel(m *sim.LatencyModel, t *trace.Trace) error { return modelError(m.Check(t)) }

// modelError names the flags that fix a latency model that cannot run.
func modelError(err error) error {
	if errors.Is(err, sim.ErrNoLatencyColumn) {
		return fmt.Errorf("--miss-latency column: %w (give --csv-latency N)", err)
	}
	return err
}

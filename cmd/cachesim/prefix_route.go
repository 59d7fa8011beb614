package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// routeFlags are replay's flags for serving instances on a prompt trace:
// how many share the memory, and how prompts are routed to them.
type routeFlags struct {
	instances int
	router    string
	loadCap   float64
	fs        *pflag.FlagSet
}

// routeFlagNames are the routing flags, all for prompt traces only.
var routeFlagNames = []string{"instances", "router", "load-cap"}

// routeHelp is the part of replay's help on serving instances.
const routeHelp = `Serving instances: with --instances N, a prompt trace runs on N instances
that split --size evenly, each with its own prefix cache, and a router
sends each prompt to one: random (seeded by --seed), round-robin,
least-loaded (the fewest queued prefill tokens), cache-aware (the instance
holding the longest prefix of the prompt, unless its load exceeds
--load-cap times the mean: then the least loaded). An instance's load is
its queue of prefill tokens (its prompts' missed tokens) drained at
--prefill-tokens-per-s, by default the trace's prompt tokens a second over
N; without timestamps it never drains. The table has a row per --router
(default all) and one for a pooled cache of the whole --size: token hit
ratio, prefill tokens saved a second, and the load imbalance (the most
prefill tokens an instance computed over the mean). --plot FILE.png (or
.svg) draws each router's token hit ratio as a bar, labelled with its load
imbalance, against the pooled cache's as a dashed line.`

func (f *routeFlags) register(fs *pflag.FlagSet) {
	defer inSection(fs, sectionPrompts)()
	f.fs = fs
	fs.IntVar(&f.instances, "instances", 0, "prompt traces: serving instances that split --size, each with its own prefix cache, compared per --router with one pooled cache")
	fs.StringVar(&f.router, "router", "all", "with --instances: how prompts go to instances, a list of "+sim.RouterNames()+", or all")
	fs.Float64Var(&f.loadCap, "load-cap", sim.DefaultLoadCap, "with --instances: the cache-aware router leaves an instance whose load exceeds this many times the mean")
}

// given lists the routing flags given, as --name.
func (f *routeFlags) given() []string {
	var out []string
	for _, n := range routeFlagNames {
		if changed(f.fs, n) {
			out = append(out, "--"+n)
		}
	}
	return out
}

// check validates the routing flags before the trace is read.
func (f *routeFlags) check() ([]sim.Router, error) {
	g := f.given()
	if len(g) == 0 {
		return nil, nil
	}
	if !changed(f.fs, "instances") {
		return nil, fmt.Errorf("%s: no effect without --instances N (serving instances of a prompt trace)", strings.Join(g, ", "))
	}
	if f.instances < 1 {
		return nil, fmt.Errorf("--instances %d: expected at least 1", f.instances)
	}
	if err := finite(floatFlag{"load-cap", f.loadCap}); err != nil {
		return nil, err
	}
	if f.loadCap < 1 {
		return nil, fmt.Errorf("--load-cap %g: expected at least 1 (times the mean load)", f.loadCap)
	}
	rs, err := sim.ParseRouters(f.router)
	if err != nil {
		return nil, fmt.Errorf("--router: %w", err)
	}
	if changed(f.fs, "load-cap") && !slices.Contains(rs, sim.RouteCacheAware) {
		return nil, fmt.Errorf("--load-cap: only the cache-aware router has a load cap, and --router %s leaves it out", f.router)
	}
	return rs, nil
}

// checkTrace rejects the routing flags on a trace that is not of prompts.
func (f *routeFlags) checkTrace(t *trace.Trace) error {
	return needPrompts(f.given(), t, "serving instances with prefix caches", "; instances of a key-value cache: cachesim system replay --instances")
}

// replayRouted is replay of prompt trace t on --instances serving
// instances that split size, once per router, and on one pooled cache.
func (o *replayOptions) replayRouted(cmd *cobra.Command, t *trace.Trace, spec policy.Spec, size sim.Size, opt *sim.PrefixOptions, model *report.Prefix) error {
	stderr := cmd.ErrOrStderr()
	routers, err := o.route.check()
	if err != nil {
		return err
	}
	n := o.route.instances
	each := size.N / int64(n)
	if each < 1 {
		return fmt.Errorf("--size %s split over %d instances leaves none a block or byte", size, n)
	}
	total := sim.Size{N: each * int64(n), Unit: size.Unit}
	if total.N != size.N {
		fmt.Fprintf(stderr, "note: --size %s is not a multiple of %d: each instance holds %s, the pooled cache their total, %s\n",
			size, n, sim.Size{N: each, Unit: size.Unit}, total)
	}
	build := func(c int64) (policy.Cache, error) {
		cache, err := policy.New(spec, o.cache.config(c))
		if err == nil && (opt.Pin > 0 || opt.Durations) && !sim.PinsApply(cache) {
			err = wrapPins(fmt.Errorf("%s %w: only %s do", spec, sim.ErrPinsNeedPinner, strings.Join(sim.PinningPolicies(), " and ")))
		}
		return cache, err
	}
	pooledCache, err := build(total.N)
	if err != nil {
		return err
	}
	prefixNote(stderr, t, opt)
	o.prefix.modelNote(stderr, opt)
	pooled := sim.Replay(t, pooledCache, sim.Options{Prefix: opt})
	var routes []sim.RoutedStats
	for _, r := range routers {
		caches := make([]policy.Cache, n)
		for k := range caches {
			if caches[k], err = build(each); err != nil {
				return err
			}
		}
		ro := sim.RouteOptions{Router: r, Seed: o.cache.seed, DrainTokensPerS: o.prefix.prefill, LoadCap: o.route.loadCap}
		routes = append(routes, sim.ReplayRouted(t, caches, *opt, ro))
	}
	rep := report.NewPrefixRoutes(t.Name, spec.String(), n, total, sim.Size{N: each, Unit: size.Unit}, o.route.loadCap, pooled, routes, model)
	if err := o.out.chart(o.timeline.plot, rep.Chart()); err != nil {
		return err
	}
	return o.out.emit(cmd.OutOrStdout(), stderr, writers{"table": rep.WriteTable, "csv": rep.WriteCSV, "json": rep.WriteJSON})
}

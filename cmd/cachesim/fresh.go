package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// freshOptions are the flags and arguments of cachesim fresh: the input
// and output flags, one policy with expiry, a few sizes, the TTLs, what
// changes the truth, the staleness budget and the chart.
type freshOptions struct {
	args          []string // [TRACE]
	in            inputFlags
	out           outputFlags
	policy        string
	seed          uint64
	sizes         string
	bytes         bool
	ttls          string
	redeployEvery time.Duration
	redeployAt    string
	changeRate    string
	maxStale      float64
	maxAge        time.Duration
	plot          string
	jobs          int
	fs            *pflag.FlagSet
}

// freshHelp is the Long help of cachesim fresh.
const freshHelp = `fresh answers: how long may an entry stay cached before it serves a stale
value, and what does a shorter TTL cost in hits and backend calls? It replays
the trace once per TTL (in parallel) while the truth behind the keys changes,
and reports per TTL the hit ratio, the stale hits (as a share of hits and of
reads), the age of the values hits serve (mean, p50, p99) and the backend
calls per second (mean, and the peak: in the busiest window of the peak
report, a minute when the trace spans an hour or more). Beside the TTLs runs push
invalidation: no TTL, every change deletes the key (a redeploy empties the
cache), so nothing is ever stale; its row counts the invalidation messages it
sends. Last, the recommended TTL: the longest swept TTL up to which every TTL
keeps at most --max-stale of the reads stale (default 1%) and, with
--max-age, the p99 age of the values served within it, with the hit ratio it
keeps and what push invalidation gives instead.

A value is stale at a hit when the truth changed after it was fetched (a
read's miss) or written (a set). The truth changes with:

  change rows      rows of the trace whose operation is change (CSV --csv-op or
                   an op column, JSON lines' op field): the key's truth changed
                   and the cache was not told (every other command ignores them);
                   in Redis MONITOR output, the lines --monitor-changes names:
                   writes:PATTERN, the writes and deletes of the keys matching
                   the glob (a multi-key command when all its keys match), or
                   publish:CHANNEL, each PUBLISH on it a change of the key its
                   message names
  --redeploy-every every key's value changes at this period of trace time from
                   the first request (a model redeploy); --redeploy-at at these
                   times since the first request instead
  --change-rate    each key's value changes as a Poisson process of this rate
                   (1/h, 0.5/min, 3/d), from the key's first request, seeded by
                   --seed

The trace's reads, writes, deletes and TTLs mean what they mean in every
command (a request's own TTL wins over the swept one). TTLs and sizes both
end entries: without --sizes the cache is unlimited (every object fits).
The trace needs timestamps.

--plot ttl.png (or .svg) draws the hit ratio and the share of stale reads
against the TTL on a log axis, with push invalidation's hit ratio and the
stale budget as reference lines and the recommended TTL marked.`

// newFreshCmd is cachesim fresh. runF, when not nil, runs instead of the
// sweep with the options parsed and checked (for tests).
func newFreshCmd(runF func(*freshOptions) error) *cobra.Command {
	var o freshOptions
	cmd := &cobra.Command{
		Use:         "fresh [TRACE]",
		Annotations: pathArgs("input"),
		Short:       "How long may an entry stay cached: TTL against staleness, with push invalidation beside it",
		Long:        freshHelp,
		Example: `  cachesim generate zipf --keys 1e4 --requests 2e5 --rate 50 -o preds.csv
  cachesim fresh preds.csv --redeploy-every 1h --change-rate 1/6h --ttls 1m:1h:log8
  cachesim fresh preds.csv --change-rate 1/h --ttls 30s,1m,5m,15m,1h --sizes 1000,5000 --max-stale 2%
  cachesim fresh preds.csv --redeploy-every 30m --ttls 1m:1h:log6 --max-age 10m --plot ttl.png --csv ttl.csv`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.args, o.in.stdin = args, cmd.InOrStdin()
			p, err := o.plan()
			if err != nil {
				return err
			}
			if runF != nil {
				return runF(&o)
			}
			return runFresh(cmd, &o, p)
		},
	}
	fs := cmd.Flags()
	o.fs = fs
	done := inSection(fs, sectionPolicies)
	fs.StringVarP(&o.policy, "policy", "p", "ttl", "policy with expiry, with parameters in parentheses (see cachesim policies): "+strings.Join(namesWith(policy.Expiry), ", "))
	fs.Uint64Var(&o.seed, "seed", 42, "seed of --change-rate's changes and of randomised policies")
	fs.StringVarP(&o.sizes, "sizes", "s", "", "cache sizes, a few: 1000,5000 objects or 64MiB,256MiB bytes (default: unlimited, every object fits)")
	fs.BoolVar(&o.bytes, "bytes", false, "treat sizes without a unit as bytes")
	fs.StringVar(&o.ttls, "ttls", "", "TTLs to sweep: a list 1m,10m,1h, log-spaced 1m:24h:log8, or a range 5m:1h:5m (default: 10 log-spaced from a thousandth of the trace's span to all of it)")
	done()
	done = inSection(fs, sectionEvents)
	fs.DurationVar(&o.redeployEvery, "redeploy-every", 0, "every key's value changes at this period of trace time, as a model redeploy does (e.g. 1h)")
	fs.StringVar(&o.redeployAt, "redeploy-at", "", "every key's value changes at these times since the first request (e.g. 2h,7h30m)")
	fs.StringVar(&o.changeRate, "change-rate", "", "each key's value changes as a Poisson process of this rate (e.g. 1/h, 0.5/min, 3/d), seeded by --seed")
	done()
	done = inSection(fs, sectionRules)
	fs.Float64Var(&o.maxStale, "max-stale", 0.01, "stale budget: the largest share of reads the recommended TTL may answer stale (0.01 or 1%)")
	fs.DurationVar(&o.maxAge, "max-age", 0, "age budget: the largest p99 age of the values the recommended TTL serves (default: none)")
	fs.StringVar(&o.plot, "plot", "", "draw the hit ratio and the stale share against the TTL to this file, PNG or SVG")
	markPaths(fs, "output", "plot")
	done()
	done = inSection(fs, sectionSpeed)
	fs.IntVarP(&o.jobs, "jobs", "j", 0, "runs replayed in parallel (default: number of CPUs)")
	done()
	fs.Lookup("max-stale").Value = &percentValue{&o.maxStale}
	o.in.register(fs)
	registerReaderFlags(fs, traces.ChangeCommands)
	o.out.register(fs, "table", "csv", "json")
	_ = cmd.RegisterFlagCompletionFunc("policy", completeOne(namesWith(policy.Expiry)...))
	completeFlags(cmd, o.out.formats...)
	startHere(cmd, []helpArg{traceArg}, "ttls", "redeploy-every", "change-rate", "max-stale", "plot", "format")
	return cmd
}

// percentValue is a share flag that also reads a percentage: 0.01 or 1%.
type percentValue struct{ v *float64 }

func (p *percentValue) String() string { return fmt.Sprint(*p.v) }
func (p *percentValue) Type() string   { return "share" }
func (p *percentValue) Set(s string) error {
	var v float64
	var err error
	if n, ok := strings.CutSuffix(strings.TrimSpace(s), "%"); ok {
		_, err = fmt.Sscanf(n, "%g", &v)
		v /= 100
	} else {
		_, err = fmt.Sscanf(s, "%g", &v)
	}
	if err != nil || !(v >= 0 && v <= 1) {
		return fmt.Errorf("%q: expected a share from 0 to 1, or a percentage (1%%)", s)
	}
	*p.v = v
	return nil
}

// freshPlan is a checked freshness sweep: what to run, decided before any work.
type freshPlan struct {
	spec    policy.Spec
	sizes   []sim.Size // none: unlimited
	ttls    []time.Duration
	changes sim.Changes
	budget  report.FreshBudget
}

// maxFreshSizes bounds --sizes: a TTL sweep at a few sizes.
const maxFreshSizes = 8

// plan checks every flag before any work.
func (o *freshOptions) plan() (p freshPlan, err error) {
	if err := o.out.check(); err != nil {
		return p, err
	}
	if err := o.out.checkChart("--plot", o.plot); err != nil {
		return p, err
	}
	if p.spec, err = policy.ParseSpec(o.policy); err != nil {
		return p, fmt.Errorf("--policy: %w", err)
	}
	if !p.spec.Traits().Has(policy.Expiry) {
		return p, fmt.Errorf("--policy %s does not expire entries, so no TTL would act: give one with expiry (%s)", o.policy, strings.Join(namesWith(policy.Expiry), ", "))
	}
	if o.sizes != "" {
		sizes, err := parseSizes(o.sizes, o.bytes)
		if err != nil {
			return p, err
		}
		if len(sizes.Values) > maxFreshSizes {
			return p, fmt.Errorf("--sizes %s gives %d sizes: a TTL sweep runs at a few, at most %d (cachesim sweep sweeps sizes)", o.sizes, len(sizes.Values), maxFreshSizes)
		}
		for _, v := range sizes.Values {
			p.sizes = append(p.sizes, sim.Size{N: v, Unit: sim.UnitOf(sizes.Bytes)})
		}
	} else if o.bytes {
		return p, fmt.Errorf("--bytes has no effect without --sizes: the unlimited cache holds every object")
	}
	if o.ttls != "" {
		if p.ttls, err = sim.ParseTTLs(o.ttls); err != nil {
			return p, fmt.Errorf("bad --ttls %w", err)
		}
	}
	if p.changes, err = o.changes(); err != nil {
		return p, err
	}
	if o.fs.Changed("seed") && p.changes.Rate == 0 && !p.spec.Traits().Has(policy.Randomised) {
		return p, fmt.Errorf("--seed has no effect: it seeds --change-rate's changes and randomised policies, and neither is given")
	}
	if o.maxAge < 0 {
		return p, fmt.Errorf("--max-age %s: expected a duration > 0", o.maxAge)
	}
	p.budget = report.FreshBudget{MaxStale: o.maxStale, MaxAge: o.maxAge}
	if o.maxAge > 0 && !o.fs.Changed("max-stale") {
		p.budget.MaxStale = -1 // the age budget alone
	}
	return p, checkJobs(o.fs, o.jobs)
}

// changes parses the flags that change the truth.
func (o *freshOptions) changes() (c sim.Changes, err error) {
	if o.redeployEvery < 0 {
		return c, fmt.Errorf("--redeploy-every %s: expected a period > 0", o.redeployEvery)
	}
	if o.redeployEvery > 0 && o.redeployAt != "" {
		return c, fmt.Errorf("give --redeploy-every or --redeploy-at, not both")
	}
	c.RedeployEvery, c.Seed = o.redeployEvery, o.seed
	if o.redeployAt != "" {
		for _, s := range strings.Split(o.redeployAt, ",") {
			d, err := sim.ParseDuration(s)
			if err != nil || d < 0 {
				return c, fmt.Errorf("--redeploy-at %s: %q: expected times since the first request, e.g. 2h,7h30m", o.redeployAt, s)
			}
			if n := len(c.RedeployAt); n > 0 && d <= c.RedeployAt[n-1] {
				return c, fmt.Errorf("--redeploy-at %s: expected ascending times", o.redeployAt)
			}
			c.RedeployAt = append(c.RedeployAt, d)
		}
	}
	if o.changeRate != "" {
		if c.Rate, err = sim.ParseRate(o.changeRate); err != nil {
			return c, fmt.Errorf("--change-rate %w", err)
		}
	}
	return c, nil
}

// runFresh is cachesim fresh, as plan p says.
func runFresh(cmd *cobra.Command, o *freshOptions, p freshPlan) error {
	stderr := cmd.ErrOrStderr()
	t, err := o.in.load(o.args, stderr)
	if err != nil {
		return err
	}
	plan := sim.FreshPlan{Trace: t, Policy: p.spec, Sizes: p.sizes, Seed: o.seed, TTLs: p.ttls, Changes: p.changes, Workers: o.jobs}
	if err := sim.CheckFresh(&plan); err != nil {
		return freshError(err)
	}
	if len(plan.TTLs) == 0 {
		plan.TTLs = sim.DefaultTTLs(t)
	}
	warnInputs(stderr, t, []policy.Spec{p.spec}, len(p.sizes) > 0 && p.sizes[0].Bytes())
	writeNotes(stderr, sim.FreshNotes(&plan, len(p.ttls) == 0))
	if plan.Windows, err = sim.PeakWindows(t, sim.Window{}); err != nil {
		fmt.Fprintf(stderr, "note: no peak of backend calls: %v\n", err)
		plan.Windows = nil
	}
	var bar progress
	plan.Progress = func(runs int, requests int64) func() {
		bar = newProgress(stderr, o.out.quiet, runs, requests, "fresh")
		return bar.Add
	}
	points, err := sim.FreshSweep(plan)
	bar.Finish()
	if err != nil {
		return err
	}
	rep := report.NewFresh(t.Name, p.spec.String(), points, p.budget, plan.Windows)
	if err := o.out.chart(o.plot, rep.Chart()); err != nil {
		return err
	}
	return o.out.emit(cmd.OutOrStdout(), stderr, writers{"table": rep.WriteTable, "csv": rep.WriteCSV, "json": rep.WriteJSON})
}

// freshError names the flags or input that fix a freshness sweep's error.
func freshError(err error) error {
	switch {
	case errors.Is(err, sim.ErrNoChanges):
		return fmt.Errorf("%w: give --redeploy-every, --redeploy-at or --change-rate, or change rows (op change) in the trace", err)
	case errors.Is(err, sim.ErrNoTimes):
		return fmt.Errorf("%w: give a trace with a time column (--csv-time), or a workload with a rate ('zipf:keys=1e4,requests=1e5,rate=100')", err)
	}
	return err
}

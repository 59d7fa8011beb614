package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/sim/system"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/workload"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// systemHelp is the Long help the system commands share.
const systemHelp = `
The system is a hierarchy of caches replayed on the trace's time: --levels
'l1=lru:1000@0.05ms,l2=lru:1GiB@1ms' (nearest first; any policy per level;
the @latency is a lookup's cost in that level), or one cache with --policy
and --size. A request pays the lookups of the levels it reaches, plus the
backend's --miss-latency when none holds the object. --instances N gives
each of N service instances a private copy of the first level (requests
assigned --assign round-robin or by key) over the shared rest. Misses fill
every level on the way back (inclusive), or with --exclusive only the first,
whose victims move down. Reported: per-level hit ratios (of all requests and
of those reaching the level), the overall hit ratio, latency percentiles and
backend load.

  --stampede   off: fills are instantaneous (as a plain replay); none: a miss
               occupies the backend for its latency and every request for the
               key meanwhile calls it too; coalesce: they wait for the first
               call (singleflight); xfetch: values recompute early when
               now - delta*beta*ln(rand) >= expiry (Vattani et al., VLDB 2015;
               entries expire after --ttl or the request's TTL). A list
               (none,coalesce,xfetch) compares them.
  --write-policy  through (store and caches), back (caches, dirty entries
               written every --flush-interval; store writes saved and the
               entries/bytes at risk are reported), around (store, and the
               cached copies dropped). Other instances' L1 copies are dropped
               --invalidation-delay after a write; reads of a copy meanwhile
               count as stale reads.
  --invalidate-every 1h  drops every entry periodically (a model redeploy):
               the hit ratio just before and after (--dip-window) and the miss
               storm are reported and show on the --plot timeline.
               --invalidate-tenant pred:model_a drops only that tenant's
               entries (one model redeployed; tenants from --tenant-from
               prefix:2, a tenant column or field).
  Multi-key requests (MGET, MULTI/EXEC, request ids, the batch workload):
               the batch hit ratio (every key served by some level) beside
               the independence estimate, and each request's latency, its
               slowest key's; --dedup-batch looks a repeated key up once.
  --warmup N|10m  leaves the first N requests or 10 minutes out of the
               statistics (of the --window FROM..TO, when one cuts the trace:
               2h..10h, 08:00..20:00, 100000..). --prewarm top:K loads the K
               most requested keys of --prewarm-from (a trace) or, without it,
               of the --warmup part, which then stands for the past and is
               not replayed.
  --config hierarchy.yaml  long setups in a file: keys are this command's
               flag names, levels may be a list of {name, policy, size,
               latency}; flags on the command line win. For example:
                 levels:
                   - {name: l1, policy: lru, size: 1000, latency: 0.05ms}
                   - {name: l2, policy: "s3fifo(small=0.1)", size: 1GiB, latency: 1ms}
                 instances: 8
                 stampede: coalesce
                 ttl: 60s`

func newSystemCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "system",
		Short: "Simulate a caching system: hierarchies, instances, stampedes, writes, invalidations",
		Long: `system simulates a whole caching system rather than one cache: levels of
caches (private per instance, or shared), concurrent misses (stampedes),
write policies, invalidations and model redeploys, warm-up and prewarming.
` + systemHelp,
		Example: `  cachesim generate zipf --keys 1e4 --requests 1e5 --rate 1000 -o trace.csv
  cachesim system replay trace.csv --levels 'l1=lru:100@0.05ms,l2=lru:2000@1ms' --instances 4
  cachesim system sweep trace.csv --levels 'l1=lru:100,l2=lru:1000@1ms' --vary l2 --sizes 500:8000:log5`,
	}
	cmd.AddCommand(newSystemReplayCmd(nil), newSystemSweepCmd(nil))
	return cmd
}

// systemFlags are the flags and arguments the system commands share: the
// hierarchy and its behaviour, the input (with tenants and multi-key
// requests), output and latency flags.
type systemFlags struct {
	args              []string // [TRACE]
	in                inputFlags
	out               outputFlags
	lat               latencyFlags
	levels            string
	policy            string
	instances         int
	assign            string
	exclusive         bool
	stampede          string
	beta              float64
	writePolicy       string
	flushInterval     time.Duration
	invalidationDelay time.Duration
	invalidateEvery   time.Duration
	dipWindow         time.Duration
	warmup            string
	prewarm           string
	prewarmFrom       string
	config            string
	ttl               time.Duration
	seed              uint64
	batch             batchFlags
	invalidateTenant  string
	span              spanFlags
	fs                *pflag.FlagSet
}

func (f *systemFlags) register(fs *pflag.FlagSet) {
	f.fs = fs
	done := inSection(fs, sectionSystem)
	fs.StringVar(&f.config, "config", "", "read settings from a YAML file (keys: this command's flag names; see above)")
	markPaths(fs, "input", "config")
	fs.StringVar(&f.levels, "levels", "", "the hierarchy: name=policy:size[@latency],… nearest first, e.g. 'l1=lru:1000@0.05ms,l2=lru:1GiB@1ms'")
	fs.StringVarP(&f.policy, "policy", "p", "", "a one-level system: this policy (with --size or --sizes), instead of --levels")
	fs.IntVar(&f.instances, "instances", 1, "service instances, each with a private first level")
	fs.StringVar(&f.assign, "assign", "round-robin", "how requests go to instances: round-robin, key (sticky), or column:N (the client id in column N of a CSV or text trace)")
	fs.BoolVar(&f.exclusive, "exclusive", false, "exclusive hierarchy: misses fill only the first level, whose victims move down; hits below move up")
	fs.DurationVar(&f.ttl, "ttl", 0, "time to live of fetched values whose request carries none (0: never expire)")
	fs.Uint64Var(&f.seed, "seed", 42, "seed for randomised policies, random miss latencies and XFetch's draws")
	done()
	done = inSection(fs, sectionStampede)
	fs.StringVar(&f.stampede, "stampede", "off", "concurrent misses: off (instantaneous fills), none, coalesce, xfetch, or a comma-separated list to compare")
	fs.Float64Var(&f.beta, "beta", 1, "XFetch's beta: larger recomputes earlier (0: never early)")
	fs.StringVar(&f.writePolicy, "write-policy", "through", "what the trace's writes do: through, back or around")
	fs.DurationVar(&f.flushInterval, "flush-interval", 0, "write-back: how often dirty entries are written to the store (e.g. 30s)")
	fs.DurationVar(&f.invalidationDelay, "invalidation-delay", 0, "how long a write's invalidation takes to reach the other instances' L1s (e.g. 100ms)")
	done()
	done = inSection(fs, sectionEvents)
	fs.DurationVar(&f.invalidateEvery, "invalidate-every", 0, "drop every cached entry at this period of trace time, as a model redeploy does (e.g. 1h)")
	fs.DurationVar(&f.dipWindow, "dip-window", 0, "span before and after each --invalidate-every drop over which the dip is measured (default: a tenth of the period)")
	fs.StringVar(&f.invalidateTenant, "invalidate-tenant", "", "with --invalidate-every: drop only these tenants' entries (comma-separated names, e.g. pred:model_a), as one model's redeploy does")
	fs.StringVar(&f.warmup, "warmup", "", "leave the start out of the statistics: a number of requests (100000) or trace time (10m)")
	fs.StringVar(&f.prewarm, "prewarm", "", "load the K most requested keys before the replay: top:K (from --prewarm-from, else from the --warmup part)")
	fs.StringVar(&f.prewarmFrom, "prewarm-from", "", "history trace (or workload spec) for --prewarm, read with the same input flags")
	done()
	f.span.register(fs, false, sectionEvents)
	f.batch.register(fs, false)
	f.in.register(fs)
	f.in.registerRequests(fs)
	f.in.registerTenants(fs)
}

// applyConfig applies --config, before any flag is checked, and checks
// again that no output is an input or another output (the file may name
// outputs).
func (f *systemFlags) applyConfig(cmd *cobra.Command, args []string) error {
	f.in.stdin = cmd.InOrStdin()
	if f.config == "" {
		return nil
	}
	if err := applyConfig(cmd, f.config); err != nil {
		return err
	}
	return checkPaths(cmd, args)
}

// systemSetup is a checked system configuration.
type systemSetup struct {
	cfg   system.Config
	modes []system.Stampede
	// window is --window (the whole trace when zero).
	window sim.Range
}

// levelsFor returns the hierarchy: --levels, or one level of --policy at size.
func (f *systemFlags) levelsFor(size string) ([]system.Level, error) {
	switch {
	case f.levels != "" && f.policy != "":
		return nil, fmt.Errorf("give --levels or --policy, not both: each level names its policy")
	case f.levels != "":
		levels, err := system.ParseLevels(f.levels)
		return levels, systemError(err)
	case f.policy == "":
		return nil, fmt.Errorf("say what to simulate: --levels 'l1=lru:1000,l2=lru:1GiB@1ms', or --policy P with a size")
	}
	levels, err := system.ParseLevels("cache=" + f.policy + ":" + size)
	return levels, systemError(err)
}

// systemFlagOf names the flag of each setting a system.ConfigError names.
var systemFlagOf = map[system.Setting]string{
	system.SettingLevels: "levels", system.SettingInstances: "instances", system.SettingAssign: "assign",
	system.SettingExclusive: "exclusive", system.SettingStampede: "stampede", system.SettingBeta: "beta",
	system.SettingWrites: "write-policy", system.SettingFlushInterval: "flush-interval",
	system.SettingInvalidationDelay: "invalidation-delay", system.SettingInvalidationPeriod: "invalidate-every",
	system.SettingDipWindow: "dip-window", system.SettingWarmup: "warmup", system.SettingPrewarm: "prewarm",
	system.SettingVary: "vary",
}

// systemError words a system.ConfigError with the flag of its setting.
func systemError(err error) error {
	var ce *system.ConfigError
	if errors.As(err, &ce) {
		if name, ok := systemFlagOf[ce.Setting]; ok {
			return fmt.Errorf("--%s: %s", name, ce.Problem)
		}
	}
	return err
}

// check validates the flags that need no trace.
func (f *systemFlags) check() (systemSetup, error) {
	var s systemSetup
	c := &s.cfg
	if err := f.out.check(); err != nil {
		return s, err
	}
	if err := finite(floatFlag{"beta", f.beta}); err != nil {
		return s, err
	}
	if f.instances < 1 {
		return s, fmt.Errorf("--instances %d: expected at least 1", f.instances)
	}
	c.Instances, c.Exclusive, c.Seed, c.Beta = f.instances, f.exclusive, f.seed, f.beta
	c.TTL = f.ttl
	var err error
	if !strings.HasPrefix(f.assign, "column:") {
		if c.Assign, err = system.ParseAssignment(f.assign); err != nil {
			return s, fmt.Errorf("%v, or column:N", systemError(err))
		}
	}
	if s.modes, err = system.ParseStampedes(f.stampede); err != nil {
		return s, systemError(err)
	}
	if c.Writes, err = system.ParseWritePolicy(f.writePolicy); err != nil {
		return s, systemError(err)
	}
	for name, d := range map[string]time.Duration{"--flush-interval": f.flushInterval, "--invalidation-delay": f.invalidationDelay,
		"--invalidate-every": f.invalidateEvery, "--dip-window": f.dipWindow, "--ttl": f.ttl} {
		if d < 0 {
			return s, fmt.Errorf("%s %s: expected a duration >= 0", name, d)
		}
	}
	if f.flushInterval > 0 && c.Writes != system.WriteBack {
		return s, fmt.Errorf("--flush-interval applies to --write-policy back only")
	}
	if f.dipWindow > 0 && f.invalidateEvery == 0 {
		return s, fmt.Errorf("--dip-window applies to --invalidate-every")
	}
	if err := f.checkTenants(); err != nil {
		return s, err
	}
	c.DedupBatch = f.batch.dedup
	if f.prewarmFrom != "" && f.prewarm == "" {
		return s, fmt.Errorf("--prewarm-from needs --prewarm top:K")
	}
	c.FlushInterval, c.InvalidationDelay, c.InvalidateEvery, c.DipWindow = f.flushInterval, f.invalidationDelay, f.invalidateEvery, f.dipWindow
	if c.Warmup, err = sim.ParseWarmup(f.warmup); err != nil {
		return s, fmt.Errorf("--warmup: %v", err)
	}
	span, err := f.span.check()
	s.window = span.Window
	return s, err
}

// load reads the trace and completes the setup on it: instance column,
// prewarm, latencies.
func (f *systemFlags) load(args []string, s *systemSetup, stderr io.Writer) (*trace.Trace, error) {
	model, err := f.lat.model(f.seed)
	if err != nil {
		return nil, err
	}
	t, err := f.in.load(args, stderr)
	if err != nil {
		return nil, err
	}
	c := &s.cfg
	if s.window.IsZero() && !c.Warmup.IsZero() && sim.WarmupEnd(t, c.Warmup) >= t.Len() {
		return nil, fmt.Errorf("--warmup %s covers all %d requests of %s: nothing would be measured; give a shorter warm-up", f.warmup, t.Len(), t.Name)
	}
	if !s.window.IsZero() { // the window cut, the warm-up counted from its start
		var e *sim.Extent
		if t, e, err = cut(t, sim.Span{Window: s.window, Warmup: c.Warmup}, stderr); err != nil {
			return nil, err
		}
		c.Warmup = sim.Warmup{Requests: e.Warmup()}
	}
	if col, ok := strings.CutPrefix(f.assign, "column:"); ok {
		if c.InstanceOf, err = instanceColumn(t, tracePath(args), col, &f.in); err != nil {
			return nil, err
		}
	}
	if err := f.buildPrewarm(c, t, stderr); err != nil {
		return nil, err
	}
	if err := checkModel(model, t); err != nil {
		return nil, err
	}
	c.Latency = model.Latencies(t)
	if err := f.batch.checkTrace(t, report.RequestHitRatio); err != nil {
		return nil, err
	}
	if c.InvalidateTenants, err = invalidatedTenants(t, f.invalidateTenant, &f.in); err != nil {
		return nil, err
	}
	return t, nil
}

// tracePath returns the trace file named by args ("" for none or a workload spec).
func tracePath(args []string) string {
	if len(args) == 0 || workload.IsSpec(args[0]) {
		return ""
	}
	return args[0]
}

// instanceColumn reads column col (1-based) of the CSV or text trace at path
// as each request's instance: a client id, numbers as they are and other
// text hashed (then taken modulo --instances). It must give as many
// requests as t has.
func instanceColumn(t *trace.Trace, path, col string, in *inputFlags) ([]uint32, error) {
	n, err := strconv.Atoi(col)
	if err != nil || n < 1 || n > traces.MaxColumns {
		return nil, fmt.Errorf("--assign column:%s: expected a 1-based column number from 1 to %d", col, traces.MaxColumns)
	}
	if path == "" {
		return nil, fmt.Errorf("--assign column:%d needs a trace file", n)
	}
	opt, err := in.options()
	if err != nil {
		return nil, err
	}
	if opt.Keys.On() {
		return nil, fmt.Errorf("--assign column:%d reads the trace again for its column %d, and a key filter cannot tell there which rows it kept: drop --key-filter and --key-exclude, or filter the file first", n, n)
	}
	format, err := traces.DetectFormat(path, opt)
	if err != nil {
		return nil, err
	}
	switch format {
	case "twitter":
		opt.Format, opt.Line.Delimiter = "csv", ','
	case "csv", "text":
		opt.Format = format
	default:
		return nil, fmt.Errorf("--assign column:%d needs a CSV or text trace, and %s is %s", n, path, format)
	}
	// The key column alone: a header line is recognised by its lack of numbers.
	opt.Line.Columns, opt.Line.Spec, opt.Line.AutoColumns = traces.Columns{Key: n}, traces.ColumnSpec{}, false
	file, err := traces.Open(path, opt)
	if err != nil {
		return nil, fmt.Errorf("--assign column:%d: %w", n, err)
	}
	defer file.Close()
	ids, err := traces.ReadAll(path, file)
	if err != nil {
		return nil, fmt.Errorf("--assign column:%d: %w", n, err)
	}
	if ids.Len() != t.Len() {
		return nil, fmt.Errorf("--assign column:%d: %s has %d requests read this way and %d read as the trace (skipped records?)", n, path, ids.Len(), t.Len())
	}
	out := make([]uint32, len(ids.Keys))
	for i, k := range ids.Keys {
		out[i] = uint32(k ^ k>>32)
	}
	return out, nil
}

// buildPrewarm fills c.Prewarm from --prewarm.
func (f *systemFlags) buildPrewarm(c *system.Config, t *trace.Trace, stderr io.Writer) error {
	if f.prewarm == "" {
		return nil
	}
	k, err := system.ParsePrewarm(f.prewarm)
	if err != nil {
		return systemError(err)
	}
	if f.prewarmFrom != "" {
		h, err := f.in.load([]string{f.prewarmFrom}, stderr)
		if err != nil {
			return fmt.Errorf("--prewarm-from: %w", err)
		}
		c.Prewarm = system.TopKeys(h, 0, h.Len(), k)
		return nil
	}
	end := sim.WarmupEnd(t, c.Warmup)
	if end == 0 {
		return fmt.Errorf("--prewarm %s needs a history: --prewarm-from TRACE, or --warmup for the first part of this trace", f.prewarm)
	}
	c.Prewarm, c.PrewarmFromWarmup = system.TopKeys(t, 0, end, k), true
	return nil
}

// newReport starts the report of runs of setup s on t.
func (f *systemFlags) newReport(t *trace.Trace, s systemSetup, vary string) *report.SystemReport {
	rep := &report.SystemReport{Workload: t.Name, Hierarchy: system.FormatLevels(s.cfg.Levels), Instances: s.cfg.Instances,
		Exclusive: s.cfg.Exclusive, Writes: s.cfg.Writes.String(), Vary: vary}
	if s.cfg.Instances > 1 {
		rep.Assign = f.assign
	}
	switch {
	case s.cfg.PrewarmFromWarmup:
		rep.Warmup = fmt.Sprintf("prewarmed with the top %d keys of the first %s (not replayed)", len(s.cfg.Prewarm), f.warmup)
	case f.warmup != "":
		rep.Warmup = "warm-up " + f.warmup + " left out"
	}
	return rep
}

// systemReplayOptions are the flags of cachesim system replay: the system
// flags, --size (with --policy), the timeline and the prompt flags.
type systemReplayOptions struct {
	systemFlags
	size     string
	timeline timelineFlags
	prefix   prefixFlags
}

// newSystemReplayCmd is cachesim system replay. runF, when not nil, runs
// instead of the replay with the options parsed (--config applied) and
// checked (for tests).
func newSystemReplayCmd(runF func(*systemReplayOptions) error) *cobra.Command {
	var o systemReplayOptions
	cmd := &cobra.Command{
		Use:         "replay [TRACE]",
		Annotations: pathArgs("input"),
		Short:       "Replay a trace through a caching system and report every level, the backend and latency",
		Long: `system replay runs the trace through the system once (once per --stampede
mode when several are given) and reports per-level hit ratios, the overall
hit ratio, latency percentiles, backend calls and load, and, as asked,
stampede, write, invalidation and timeline statistics.
` + systemHelp + "\n" + systemPrefixHelp,
		Example: `  cachesim generate zipf --keys 1e4 --requests 1e5 --rate 1000 --write 0.1 -o trace.csv
  cachesim system replay trace.csv --levels 'l1=lru:100@0.05ms,l2=lru:2000@1ms' --instances 4
  cachesim system replay trace.csv --policy lru --size 1000 --ttl 60s --stampede none,coalesce,xfetch
  cachesim system replay trace.csv --levels 'l1=lru:100,l2=lru:16MiB@1ms' --instances 4 --write-policy back --flush-interval 30s --invalidation-delay 100ms
  cachesim system replay trace.csv --policy lru --size 1000 --invalidate-every 20s --plot timeline.png
  cachesim system replay 'prefix:requests=2000' --levels 'gpu=radix:4GiB,cpu=lru:32GiB@2ms,disk=lru:256GiB@20ms' --model layers=32,kv-heads=8,head-dim=128 --prefill-tokens-per-s 16000
  cachesim system replay 'mix:0.6*batch(keys=1e4,batch=20)+0.4*zipf(keys=1e4),tenants=true,rate=1000,requests=2e5' --policy lru --size 5000 --invalidate-every 30s --invalidate-tenant batch --dedup-batch`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.args = args
			s, window, err := o.plan(cmd)
			if err != nil {
				return err
			}
			if runF != nil {
				return runF(&o)
			}
			return runSystemReplay(cmd, &o, s, window)
		},
	}
	fs := cmd.Flags()
	done := inSection(fs, sectionSystem)
	fs.StringVarP(&o.size, "size", "s", "", "with --policy: the cache's size, objects (1000) or bytes with a unit (64MiB)")
	done()
	o.lat.register(fs, latencyParts{})
	o.timeline.register(fs)
	o.prefix.register(fs)
	o.register(fs)
	o.span.timeline = true
	o.out.register(fs, "table", "json")
	completeFlags(cmd, o.out.formats...)
	startHere(cmd, []helpArg{traceArg}, "levels", "policy", "size", "instances", "config", "format")
	return cmd
}

// plan applies --config and checks every flag before any work.
func (o *systemReplayOptions) plan(cmd *cobra.Command) (s systemSetup, window sim.Window, err error) {
	if err := o.applyConfig(cmd, o.args); err != nil {
		return s, window, err
	}
	if s, err = o.check(); err != nil {
		return s, window, err
	}
	if o.levels != "" && o.size != "" && o.policy == "" {
		return s, window, fmt.Errorf("--size goes with --policy: each of --levels names its own size")
	}
	if o.policy != "" && o.size == "" && o.levels == "" {
		return s, window, fmt.Errorf("--policy %s needs --size (objects, or bytes with a unit)", o.policy)
	}
	if s.cfg.Levels, err = o.levelsFor(o.size); err != nil {
		return s, window, err
	}
	window, err = o.timeline.check(&o.out)
	return s, window, err
}

// runSystemReplay is cachesim system replay of setup s, with the timeline
// in windows of window when asked for.
func runSystemReplay(cmd *cobra.Command, o *systemReplayOptions, s systemSetup, window sim.Window) error {
	stderr := cmd.ErrOrStderr()
	t, err := o.load(o.args, &s, stderr)
	if err != nil {
		return err
	}
	if err := o.prefix.check(t); err != nil {
		return err
	}
	if sim.Prompts(t) {
		return o.replayPromptTiers(cmd, t, s.cfg.Levels)
	}
	if s.cfg.Window, err = o.timeline.plan(t, window, stderr); err != nil {
		return err
	}
	runs, err := system.Sweep(t, s.cfg, system.SweepOptions{Modes: s.modes})
	if err != nil {
		return systemError(err)
	}
	rep := o.newReport(t, s, "")
	for _, r := range runs {
		rep.Runs = append(rep.Runs, report.NewSystemRun(r.Stampede.String(), 0, r.Stats))
	}
	title := t.Name + ", " + rep.Hierarchy
	if s.cfg.Instances > 1 {
		title += fmt.Sprintf(" ×%d", s.cfg.Instances)
	}
	if runs[0].Stampede != system.StampedeOff {
		title += ", stampede " + runs[0].Stampede.String()
	}
	warm := 0
	if !s.cfg.PrewarmFromWarmup { // else the warm-up is not replayed
		warm = sim.WarmupEnd(t, s.cfg.Warmup)
	}
	if err := o.timeline.chart(&o.out, title, t, s.cfg.Window, runs[0].Stats.Stats, warm, o.drops(runs[0].Stats), nil); err != nil {
		return err
	}
	return o.out.emit(cmd.OutOrStdout(), stderr, writers{"table": rep.WriteTable, "json": rep.WriteJSON})
}

// systemSweepOptions are the flags of cachesim system sweep: the system
// flags, --vary, --sizes, --bytes, --jobs and the sizing rules.
type systemSweepOptions struct {
	systemFlags
	vary   string
	sizes  string
	bytes  bool
	jobs   int
	sizing sizingFlags
}

// newSystemSweepCmd is cachesim system sweep. runF, when not nil, runs
// instead of the sweep with the options parsed (--config applied) and
// checked (for tests).
func newSystemSweepCmd(runF func(*systemSweepOptions) error) *cobra.Command {
	var o systemSweepOptions
	cmd := &cobra.Command{
		Use:         "sweep [TRACE]",
		Annotations: pathArgs("input"),
		Short:       "Vary one level's size (the others fixed) and report the system at each size",
		Long: `system sweep runs the system at every size of one level (--vary, the others
stay as given; with --policy, the single cache) and every --stampede mode,
and reports per size the overall and per-level hit ratios, latency
percentiles (--miss-latency is the backend's), backend calls and stale reads.
The sizing rules and --plot of cachesim sweep apply to the overall hit ratio.
` + systemHelp,
		Example: `  cachesim generate zipf --keys 1e4 --requests 1e5 --rate 1000 -o trace.csv
  cachesim system sweep trace.csv --levels 'l1=lru:100@0.05ms,l2=lru:1000@1ms' --vary l2 --sizes 500:8000:log5 --instances 4
  cachesim system sweep trace.csv --policy lru --sizes 100:5000:log6 --ttl 30s --stampede none,coalesce --plot system.png`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.args = args
			p, err := o.plan(cmd)
			if err != nil {
				return err
			}
			if runF != nil {
				return runF(&o)
			}
			return runSystemSweep(cmd, &o, p)
		},
	}
	fs := cmd.Flags()
	done := inSection(fs, sectionSystem)
	fs.StringVar(&o.vary, "vary", "", "the level whose size --sizes varies (the others stay as given); not needed with --policy")
	fs.StringVarP(&o.sizes, "sizes", "s", "", "sizes of the varied level: list 100,1000; range 50:500:50; log range 1MiB:1GiB:log")
	fs.BoolVar(&o.bytes, "bytes", false, "treat sizes without a unit as bytes")
	done()
	done = inSection(fs, sectionSpeed)
	fs.IntVarP(&o.jobs, "jobs", "j", 0, "runs in parallel (default: number of CPUs)")
	done()
	o.lat.register(fs, latencyParts{rate: true})
	o.sizing.register(fs)
	o.register(fs)
	o.out.register(fs, "table", "csv", "json")
	completeFlags(cmd, o.out.formats...)
	startHere(cmd, []helpArg{traceArg}, "levels", "policy", "vary", "sizes", "plot", "format")
	return cmd
}

// varied returns the index of the level --vary names (0 for --policy).
func (o *systemSweepOptions) varied(levels []system.Level) (int, error) {
	switch {
	case o.levels != "" && o.vary == "":
		return 0, fmt.Errorf("--vary: say which of the levels --sizes varies")
	case o.levels == "" && o.vary != "":
		return 0, fmt.Errorf("--vary names one of --levels; with --policy the single cache varies")
	case o.vary == "":
		return 0, nil
	}
	i, err := system.LevelIndex(levels, o.vary)
	if err != nil {
		return 0, fmt.Errorf("--vary: %v", err)
	}
	return i, nil
}

// systemSweepPlan is a checked system sweep: what to run, decided before
// any work.
type systemSweepPlan struct {
	setup  systemSetup
	sizes  sim.Sizes
	vary   int // the index of the level the sizes vary
	sizing sizing
}

// plan applies --config and checks every flag before any work.
func (o *systemSweepOptions) plan(cmd *cobra.Command) (p systemSweepPlan, err error) {
	if err := o.applyConfig(cmd, o.args); err != nil {
		return p, err
	}
	if p.setup, err = o.check(); err != nil {
		return p, err
	}
	if o.sizes == "" {
		return p, fmt.Errorf("a system sweep varies one level's size: give --sizes")
	}
	if p.sizes, err = parseSizes(o.sizes, o.bytes); err != nil {
		return p, err
	}
	if err := checkJobs(o.fs, o.jobs); err != nil {
		return p, err
	}
	if p.setup.cfg.Levels, err = o.levelsFor(strconv.FormatInt(p.sizes.Values[0], 10)); err != nil {
		return p, err
	}
	if p.vary, err = o.varied(p.setup.cfg.Levels); err != nil {
		return p, err
	}
	if p.sizing, err = o.sizing.check(&o.out, &o.lat, false); err != nil {
		return p, err
	}
	_, err = p.sizing.roundStep(p.sizes.Bytes)
	return p, err
}

// runSystemSweep is cachesim system sweep, as plan p says.
func runSystemSweep(cmd *cobra.Command, o *systemSweepOptions, p systemSweepPlan) error {
	s, sizes, vary, sz := p.setup, p.sizes, p.vary, p.sizing
	stderr := cmd.ErrOrStderr()
	t, err := o.load(o.args, &s, stderr)
	if err != nil {
		return err
	}
	if err := refusePrompts(t, "KV tiers run in cachesim system replay, one size in cachesim sweep"); err != nil {
		return err
	}
	if err := checkMetric(t, sz.metric); err != nil {
		return err
	}
	if err := o.batch.checkTrace(t, sz.metric); err != nil {
		return err
	}
	bar := newProgress(stderr, o.out.quiet, len(s.modes)*len(sizes.Values), int64(t.Len()), "sweep")
	name := s.cfg.Levels[vary].Name
	runs, err := system.Sweep(t, s.cfg, system.SweepOptions{Modes: s.modes, Vary: name, Sizes: sizes, Workers: o.jobs, Progress: bar.Add})
	bar.Finish()
	if err != nil {
		return systemError(err)
	}
	rep := o.newReport(t, s, name)
	rep.Unit = sim.UnitOf(sizes.Bytes).String()
	// The overall hit ratio against the varied size is a curve like a
	// policy's: the sizing rules and charts of sweep apply to it.
	ceiling := sim.CeilingOf(t, false)
	sw := &report.Sweep{Workload: t.Name, Requests: t.Len(), Unit: rep.Unit, Ceiling: &ceiling, Footprint: ceiling.Footprint(sizes.Bytes, 0)}
	for _, r := range runs {
		rep.Runs = append(rep.Runs, report.NewSystemRun(r.Stampede.String(), r.Size, r.Stats))
		sw.Points = append(sw.Points, sim.Point{Policy: fmt.Sprintf("%s (stampede %s)", name, r.Stampede), Size: r.Size, Stats: r.Stats.Stats})
	}
	if err := o.sizing.finish(sz, t, sw, nil, nil, requestRate(o.lat.requestRate, t), sizes.Bytes, &o.out); err != nil {
		return err
	}
	rep.Recommendations = sw.Recommendations
	return o.out.emit(cmd.OutOrStdout(), stderr, writers{"table": rep.WriteTable, "csv": rep.WriteCSV, "json": rep.WriteJSON})
}

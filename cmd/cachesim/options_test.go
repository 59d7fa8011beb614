package main

import (
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// parseOptions runs the command newCmd makes on args with a runF that
// keeps the options, so the flags are parsed and checked and nothing runs:
// no trace is read (the paths below need not exist), no server contacted.
func parseOptions[O any](t *testing.T, newCmd func(func(*O) error) *cobra.Command, args ...string) (*O, error) {
	t.Helper()
	var got *O
	cmd := newCmd(func(o *O) error {
		got = o
		return nil
	})
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	err := cmd.Execute()
	if err == nil && got == nil {
		t.Fatalf("%v: runF was not called", args)
	}
	return got, err
}

func TestSweepOptions(t *testing.T) {
	o, err := parseOptions(t, newSweepCmd, "--policy", "lru,lfu", "--sizes", "50:500:50")
	if err != nil {
		t.Fatal(err)
	}
	if o.cache.policies != "lru,lfu" || o.sizes != "50:500:50" || len(o.args) != 0 {
		t.Errorf("policies %q, sizes %q, args %q", o.cache.policies, o.sizes, o.args)
	}
	if !o.cache.withPolicy || o.withPoints {
		t.Errorf("sweep has --policy and no --points: withPolicy %v, withPoints %v", o.cache.withPolicy, o.withPoints)
	}
	p, err := o.plan()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.specs) != 2 || p.specs[0].Name != "lru" || p.specs[1].Name != "lfu" {
		t.Errorf("specs %v, want lru and lfu", p.specs)
	}
	if want := []int64{50, 100, 150, 200, 250, 300, 350, 400, 450, 500}; !slices.Equal(p.sizes.Values, want) || p.sizes.Bytes {
		t.Errorf("sizes %+v, want %v objects", p.sizes, want)
	}

	o, err = parseOptions(t, newSweepCmd, "trace.csv", "--plot", "mrc.png", "--csv", "mrc.csv", "--miss-latency", "20ms", "--latency-plot", "lat.svg", "--partition", "1000")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.args, []string{"trace.csv"}) || o.sizing.plot != "mrc.png" || o.out.csvFile != "mrc.csv" ||
		o.lat.miss != "20ms" || o.lat.plot != "lat.svg" || o.partition != "1000" {
		t.Errorf("options %+v", o)
	}
}

func TestMRCOptions(t *testing.T) {
	o, err := parseOptions(t, newMRCCmd, "trace.csv", "--points", "50", "--bytes", "--count-writes")
	if err != nil {
		t.Fatal(err)
	}
	if o.cache.withPolicy || !o.withPoints || o.points != 50 || !o.bytes || !o.cache.writes {
		t.Errorf("mrc: withPolicy %v (want false), withPoints %v, points %d, bytes %v, count-writes %v",
			o.cache.withPolicy, o.withPoints, o.points, o.bytes, o.cache.writes)
	}
	p, err := o.plan()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.specs) != 1 || p.specs[0].Name != "lru" {
		t.Errorf("mrc's specs %v, want lru alone", p.specs)
	}
}

func TestOtherCommandsOptions(t *testing.T) {
	t.Run("replay", func(t *testing.T) {
		o, err := parseOptions(t, newReplayCmd, "trace.csv", "--policy", "lfu", "--size", "1000", "--interval", "10s", "--window", "2m..10m", "--warmup", "1m", "--plot", "tl.png")
		if err != nil {
			t.Fatal(err)
		}
		if o.args[0] != "trace.csv" || o.cache.policies != "lfu" || o.size != "1000" || o.timeline.interval != "10s" || o.span.window != "2m..10m" || o.span.warmup != "1m" || o.timeline.plot != "tl.png" {
			t.Errorf("options %+v", o)
		}
	})
	t.Run("system replay with a config", func(t *testing.T) {
		cfg := writeFile(t, "c.yaml", "instances: 8\nstampede: coalesce\n")
		o, err := parseOptions(t, newSystemReplayCmd, "trace.csv", "--levels", "l1=lru:100,l2=lru:1000@1ms", "--config", cfg, "--instances", "4")
		if err != nil {
			t.Fatal(err)
		}
		if o.levels != "l1=lru:100,l2=lru:1000@1ms" || o.instances != 4 || o.stampede != "coalesce" {
			t.Errorf("levels %q, instances %d (the command line's 4 wins over the file's), stampede %q (from the file)", o.levels, o.instances, o.stampede)
		}
	})
	t.Run("system sweep", func(t *testing.T) {
		o, err := parseOptions(t, newSystemSweepCmd, "--policy", "lru", "--sizes", "100:500:100", "--plot", "s.png")
		if err != nil {
			t.Fatal(err)
		}
		if o.policy != "lru" || o.sizes != "100:500:100" || o.sizing.plot != "s.png" || len(o.args) != 0 {
			t.Errorf("options %+v", o)
		}
	})
	t.Run("live replay", func(t *testing.T) {
		o, err := parseOptions(t, newLiveReplayCmd, "memcached://127.0.0.1", "trace.csv", "--spawn", "--maxmemory", "2MiB")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(o.args, []string{"memcached://127.0.0.1", "trace.csv"}) || !o.spawn || o.maxMemory != "2MiB" {
			t.Errorf("options %+v", o)
		}
	})
	t.Run("live sweep", func(t *testing.T) {
		o, err := parseOptions(t, newLiveSweepCmd, "redis://127.0.0.1:6379", "--sizes", "2MiB,4MiB", "--flush")
		if err != nil {
			t.Fatal(err)
		}
		if o.args[0] != "redis://127.0.0.1:6379" || o.sizes != "2MiB,4MiB" || !o.flush {
			t.Errorf("options %+v", o)
		}
	})
	t.Run("inspect", func(t *testing.T) {
		o, err := parseOptions(t, newInspectCmd, "trace.txt", "--format", "json")
		if err != nil {
			t.Fatal(err)
		}
		if o.trace != "trace.txt" || o.out.format != "json" {
			t.Errorf("options %+v", o)
		}
	})
	t.Run("convert", func(t *testing.T) {
		o, err := parseOptions(t, newConvertCmd, "in.csv", "out.zst", "--to", "oracleGeneral")
		if err != nil {
			t.Fatal(err)
		}
		if o.inPath != "in.csv" || o.outPath != "out.zst" || o.to != "oracleGeneral" {
			t.Errorf("options %+v", o)
		}
	})
	t.Run("generate", func(t *testing.T) {
		o, err := parseOptions(t, newGenerateCmd, "zipf", "--keys", "1e4", "--alpha", "0.9", "-o", "z.csv")
		if err != nil {
			t.Fatal(err)
		}
		if o.workload != "zipf" || o.out != "z.csv" || !slices.Equal(o.set, []string{"alpha=0.9", "keys=1e4"}) {
			t.Errorf("workload %q, out %q, parameters set %q", o.workload, o.out, o.set)
		}
	})
}

// A flag that would have no effect, or flags that contradict each other,
// fail before the command runs.
func TestOptionErrors(t *testing.T) {
	sweep := func(args ...string) (any, error) { return parseOptions(t, newSweepCmd, args...) }
	mrc := func(args ...string) (any, error) { return parseOptions(t, newMRCCmd, args...) }
	replay := func(args ...string) (any, error) { return parseOptions(t, newReplayCmd, args...) }
	systemReplay := func(args ...string) (any, error) { return parseOptions(t, newSystemReplayCmd, args...) }
	systemSweep := func(args ...string) (any, error) { return parseOptions(t, newSystemSweepCmd, args...) }
	liveReplay := func(args ...string) (any, error) { return parseOptions(t, newLiveReplayCmd, args...) }
	liveSweep := func(args ...string) (any, error) { return parseOptions(t, newLiveSweepCmd, args...) }
	generate := func(args ...string) (any, error) { return parseOptions(t, newGenerateCmd, args...) }
	fresh := func(args ...string) (any, error) { return parseOptions(t, newFreshCmd, args...) }
	for _, c := range []struct {
		name string
		run  func(...string) (any, error)
		args []string
		want string
	}{
		{"sweep --ttl on lru", sweep, []string{"--ttl", "1m"}, "--ttl has no effect"},
		{"sweep --seed on lru", sweep, []string{"--seed", "7"}, "--seed has no effect"},
		{"sweep --interpolate without a target", sweep, []string{"--interpolate"}, "--interpolate applies to the target rule"},
		{"sweep --object-bytes without the cost rule", sweep, []string{"--object-bytes", "100"}, "--object-bytes applies to the cost rule"},
		{"sweep --request-rate alone", sweep, []string{"--request-rate", "100"}, "--request-rate serves the cost rule"},
		{"sweep --bands without sampling", sweep, []string{"--bands", "4"}, "--bands needs sampling"},
		{"sweep --miss-latency-per-key", sweep, []string{"--miss-latency", "1ms", "--miss-latency-per-key", "1ms"}, "give --batch-backend single"},
		{"sweep --tenant-from without --partition", sweep, []string{"--tenant-from", "prefix:1"}, "give --partition BUDGET"},
		{"sweep tenant costs without --partition", sweep, []string{"--miss-cost", "a=1"}, "--miss-cost tenant=price"},
		{"sweep --interval of requests", sweep, []string{"--interval", "10000"}, "--interval 10000: the peak is a rate per second"},
		{"sweep --interval bad", sweep, []string{"--interval", "soon"}, "bad --interval"},
		{"sweep --miss-latency-per-key without latency", sweep, []string{"--batch-backend", "single", "--miss-latency-per-key", "1ms"}, "give --miss-latency too"},
		{"mrc --interval", mrc, []string{"--interval", "1m"}, "unknown flag: --interval"},
		{"sweep --bytes with units", sweep, []string{"--sizes", "1MiB,2MiB", "--bytes"}, "--bytes has no effect"},
		{"sweep --round-to 0", sweep, []string{"--round-to", "0"}, "--round-to \"0\": expected a positive size"},
		{"sweep --round-to bytes on object sizes", sweep, []string{"--sizes", "100,1000", "--round-to", "1MiB"}, "--round-to 1 MiB is bytes, and the sizes count objects"},
		{"system sweep --round-to bytes on object sizes", systemSweep, []string{"--levels", "l1=lru:10", "--vary", "l1", "--sizes", "10,20", "--round-to", "1KiB"}, "--round-to 1 KiB is bytes"},
		{"sweep --sizes 0", sweep, []string{"--sizes", "0,100"}, "a cache of size 0 holds nothing"},
		{"mrc --points and --sizes", mrc, []string{"--points", "10", "--sizes", "5,10"}, "give --points or --sizes, not both"},
		{"mrc --points 1", mrc, []string{"--points", "1"}, "--points 1: expected 2 to"},
		{"replay two policies", replay, []string{"--policy", "lru,lfu"}, "replay runs one policy"},
		{"replay --request-rate alone", replay, []string{"--request-rate", "5"}, "--request-rate serves the latency report"},
		{"replay --metric without --plot", replay, []string{"--metric", "byte"}, "give --plot"},
		{"replay --window as a width", replay, []string{"--window", "1m"}, "--window takes FROM..TO now; the timeline window width is --interval 1m"},
		{"replay --window of requests as a width", replay, []string{"--window", "10000"}, "the timeline window width is --interval 10000"},
		{"system replay --window as a width", systemReplay, []string{"--policy", "lru", "--size", "10", "--window", "1m"}, "the timeline window width is --interval 1m"},
		{"sweep --window without ..", sweep, []string{"--window", "2h"}, "bad --window \"2h\": expected FROM..TO"},
		{"mrc --window backwards", mrc, []string{"--window", "10h..2h"}, "TO must come after FROM"},
		{"sweep --warmup bad", sweep, []string{"--warmup", "soon"}, "bad --warmup"},
		{"sweep --warmup with --partition", sweep, []string{"--warmup", "1000", "--partition", "100"}, "--warmup: not with --partition"},
		{"system sweep --window bad", systemSweep, []string{"--policy", "lru", "--sizes", "10", "--window", "x..y"}, "bad --window"},
		{"system replay --policy without --size", systemReplay, []string{"--policy", "lru"}, "needs --size"},
		{"system replay --flush-interval", systemReplay, []string{"--policy", "lru", "--size", "10", "--flush-interval", "1s"}, "--write-policy back only"},
		{"system sweep without --sizes", systemSweep, []string{"--policy", "lru"}, "give --sizes"},
		{"live replay --spawn on redis", liveReplay, []string{"redis://127.0.0.1:6379", "--spawn"}, "--spawn applies to memcached targets"},
		{"live sweep without --sizes", liveSweep, []string{"memcached://127.0.0.1"}, "live sweep needs --sizes"},
		{"fresh on a policy without expiry", fresh, []string{"--policy", "lru"}, "does not expire entries"},
		{"fresh --bytes without --sizes", fresh, []string{"--bytes"}, "--bytes has no effect without --sizes"},
		{"fresh --seed without anything random", fresh, []string{"--seed", "7"}, "--seed has no effect"},
		{"fresh both redeploy flags", fresh, []string{"--redeploy-every", "1h", "--redeploy-at", "2h"}, "not both"},
		{"fresh --redeploy-at not ascending", fresh, []string{"--redeploy-at", "2h,1h"}, "ascending"},
		{"fresh --max-stale above 1", fresh, []string{"--max-stale", "2"}, "expected a share from 0 to 1"},
		{"fresh --ttls without units", fresh, []string{"--ttls", "60,120"}, "bad --ttls"},
		{"fresh --ttls of 0", fresh, []string{"--ttls", "0s,1m"}, "above 0"},
		{"fresh --change-rate without a time", fresh, []string{"--change-rate", "3"}, "--change-rate"},
		{"fresh many sizes", fresh, []string{"--sizes", "10:1000:log20"}, "at most 8"},
		{"fresh --ttl", fresh, []string{"--ttl", "1m"}, "unknown flag"},
		{"generate without -o", generate, []string{"zipf"}, `"out" not set`},
		{"generate --format", generate, []string{"zipf", "-o", "z.txt", "--format", "xml"}, "xml"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.run(c.args...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v: error %v, want one containing %q", c.args, err, c.want)
			}
		})
	}
}

func TestFreshOptions(t *testing.T) {
	o, err := parseOptions(t, newFreshCmd, "preds.csv", "--ttls", "1m:1h:log3", "--redeploy-at", "1h,2d", "--change-rate", "2/h",
		"--max-stale", "2%", "--sizes", "100,1000", "--plot", "ttl.png")
	if err != nil {
		t.Fatal(err)
	}
	p, err := o.plan()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.ttls) != 3 || p.ttls[0] != time.Minute || p.ttls[2] != time.Hour || p.spec.Name != "ttl" {
		t.Errorf("ttls %v, policy %s: want 1m … 1h and ttl", p.ttls, p.spec)
	}
	if p.budget.MaxStale != 0.02 || p.budget.MaxAge != 0 || len(p.sizes) != 2 || p.sizes[1].N != 1000 {
		t.Errorf("budget %+v, sizes %v", p.budget, p.sizes)
	}
	if c := p.changes; c.Rate != 2.0/3600 || len(c.RedeployAt) != 2 || c.RedeployAt[1] != 48*time.Hour {
		t.Errorf("changes %+v", c)
	}
	o, err = parseOptions(t, newFreshCmd, "--max-age", "10m", "--redeploy-every", "1h")
	if err != nil {
		t.Fatal(err)
	}
	if p, err = o.plan(); err != nil || p.budget.MaxStale >= 0 || p.budget.MaxAge != 10*time.Minute {
		t.Errorf("--max-age alone: budget %+v, %v; want the age bound alone", p.budget, err)
	}
}

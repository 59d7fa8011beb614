package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/spf13/cobra"
)

type replayFlags struct {
	in     inputFlags
	out    outputFlags
	policy string
	size   string
	bytes  bool
	ttl    time.Duration
	seed   uint64
}

func newReplayCmd() *cobra.Command {
	var f replayFlags
	cmd := &cobra.Command{
		Use:   "replay [TRACE]",
		Short: "Replay a trace through one policy at one size and report its statistics",
		Long: `replay runs every request of the trace through one cache and reports
requests, hits, misses, hit ratio, byte hit ratio, evictions, distinct keys,
and how long the simulation took.

Without a trace, the built-in workload is used (Zipf, 1,000 keys, 10,000
requests, exponent 1.5, seed 42). Without --size, the cache holds 10% of the
distinct keys.`,
		Example: `  cachesim replay
  cachesim replay trace.txt --policy lfu --size 1000
  cachesim replay trace.csv --csv-key 5 --csv-size 4 --header --size 64MiB --format json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runReplay(cmd, args, &f) },
	}
	fs := cmd.Flags()
	fs.StringVarP(&f.policy, "policy", "p", "lru", "policy (see `cachesim policies`)")
	fs.StringVarP(&f.size, "size", "s", "", "cache size: objects (1000) or bytes with a unit (64MiB) (default: 10% of the distinct keys)")
	fs.BoolVar(&f.bytes, "bytes", false, "treat a size without a unit as bytes")
	fs.DurationVar(&f.ttl, "ttl", time.Hour, "time to live for the ttl policy when a request carries none (0: never expire)")
	fs.Uint64Var(&f.seed, "seed", 42, "seed for randomised policies")
	f.in.register(fs)
	f.out.register(fs, false)
	return cmd
}

// replayResult is what replay reports.
type replayResult struct {
	Workload     string  `json:"workload"`
	Policy       string  `json:"policy"`
	Size         int64   `json:"size"`
	Unit         string  `json:"unit"`
	Requests     uint64  `json:"requests"`
	Hits         uint64  `json:"hits"`
	Misses       uint64  `json:"misses"`
	HitRatio     float64 `json:"hit_ratio"`
	ByteHitRatio float64 `json:"byte_hit_ratio"`
	Evictions    uint64  `json:"evictions"`
	DistinctKeys int     `json:"distinct_keys"`
	Seconds      float64 `json:"seconds"`
	RequestsPerS float64 `json:"requests_per_second"`
}

func runReplay(cmd *cobra.Command, args []string, f *replayFlags) error {
	if err := f.out.check(); err != nil {
		return err
	}
	spec, err := policy.ParseSpec(f.policy)
	if err != nil {
		return err
	}
	var size int64
	bytes := f.bytes
	if f.size != "" {
		var withUnit bool
		if size, withUnit, err = sim.ParseSize(f.size); err != nil {
			return fmt.Errorf("bad --size: %v\n%s", err, sim.SizeForms)
		}
		bytes = bytes || withUnit
	}
	t, err := f.in.load(args, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	distinct, footprint := t.Footprint()
	if f.size == "" {
		size = max(int64(distinct)/10, 1)
		if bytes {
			size = max(footprint/10, 1)
		}
	}
	warnTTL(cmd.ErrOrStderr(), t, []policy.Spec{spec})
	warnClock(cmd.ErrOrStderr(), t, []policy.Spec{spec})
	c, err := policy.New(spec, policy.Config{Capacity: size, TTL: f.ttl, Seed: f.seed})
	if err != nil {
		return err
	}
	start := time.Now()
	st := sim.Replay(t, c, !bytes)
	el := time.Since(start)
	res := replayResult{
		Workload: t.Name, Policy: spec.String(), Size: size, Unit: unitName(bytes),
		Requests: st.Requests, Hits: st.Hits, Misses: st.Misses(), HitRatio: st.HitRatio(),
		ByteHitRatio: st.ByteHitRatio(), Evictions: st.Evictions, DistinctKeys: distinct,
		Seconds: el.Seconds(), RequestsPerS: float64(st.Requests) / max(el.Seconds(), 1e-9),
	}
	return f.out.write(cmd.OutOrStdout(), map[string]func(io.Writer) error{
		"table": res.writeTable,
		"json": func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(res)
		},
	})
}

func unitName(bytes bool) string {
	if bytes {
		return "bytes"
	}
	return "objects"
}

func (r replayResult) writeTable(w io.Writer) error {
	fmt.Fprintf(w, "%s through %s at %s (%s)\n", r.Workload, r.Policy, sim.FormatSize(r.Size, r.Unit == "bytes"), r.Unit)
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	t.Header("statistic", "value")
	rows := [][]string{
		{"requests", fmt.Sprint(r.Requests)},
		{"hits", fmt.Sprint(r.Hits)},
		{"misses", fmt.Sprint(r.Misses)},
		{"hit ratio", fmt.Sprintf("%.4f%%", 100*r.HitRatio)},
		{"byte hit ratio", fmt.Sprintf("%.4f%%", 100*r.ByteHitRatio)},
		{"evictions", fmt.Sprint(r.Evictions)},
		{"distinct keys", fmt.Sprint(r.DistinctKeys)},
		{"simulation time", (time.Duration(r.Seconds * 1e9)).Round(time.Microsecond).String()},
		{"requests/second", fmt.Sprintf("%.3g", r.RequestsPerS)},
	}
	if err := t.Bulk(rows); err != nil {
		return err
	}
	return t.Render()
}

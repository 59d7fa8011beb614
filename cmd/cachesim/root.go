package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "cachesim",
		Short: "Size caches: hit-ratio curves per eviction policy from traces or synthetic workloads",
		Long: `cachesim answers: how big should the cache be, with which eviction policy,
and what will it save? It replays a request trace (or a built-in synthetic
workload) through real cache policies and reports hit ratios per size, with a
diminishing-returns recommendation.

One question per command:
  sweep, mrc      hit ratio per policy and size: the sizing curve
  replay          one policy at one size, in detail
  fresh           how long an entry may stay cached: TTL against staleness
  system          a whole caching system: hierarchies, instances, stampedes,
                  writes, invalidations (system replay, system sweep)
  live            a real Redis or memcached beside the simulation (live
                  replay, live sweep)
  inspect, convert, generate, policies: the trace and the tools

A synthetic workload spec ("zipf:keys=1e6,alpha=0.9", see cachesim generate
--help) is accepted wherever a trace path is, and "-" reads the trace from
standard input. With no trace argument, commands use the built-in workload:
Zipf, 1,000 keys, 10,000 requests, exponent 1.5, seed 42.`,
		Example: `  cachesim sweep --policy lru,lfu --sizes 50:500:50
  cachesim generate zipf --keys 1e4 --requests 1e5 -o trace.txt
  cachesim sweep trace.txt --policy lru,fifo,lfu --sizes 100,1000,5000
  cachesim replay trace.txt --policy lfu --size 1000
  cachesim inspect trace.txt
  cachesim convert trace.txt trace.oracleGeneral.zst --to oracleGeneral
  cachesim policies`,
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
		// An output that is an input or another output is refused before any work.
		PersistentPreRunE: checkPaths,
	}
	root.SetVersionTemplate("cachesim {{.Version}}\n")
	root.AddCommand(newSweepCmd(nil), newMRCCmd(nil), newReplayCmd(nil), newFreshCmd(nil), newSystemCmd(), newLiveCmd(),
		newInspectCmd(nil), newConvertCmd(nil), newGenerateCmd(nil), newPoliciesCmd())
	root.SetFlagErrorFunc(flagError(root))
	root.SetUsageFunc(writeUsage)
	onceFlags(root)
	return root
}

// version describes the build: the module version and, when the binary was
// built from a checkout, the VCS revision, its time and whether the tree
// was modified.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown version)"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, when, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = ", modified"
			}
		}
	}
	if rev != "" {
		v += fmt.Sprintf(" (revision %.12s, %s%s)", rev, when, dirty)
	}
	return v + ", " + info.GoVersion
}

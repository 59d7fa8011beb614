package main

import (
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

With no trace argument, commands use the built-in workload: Zipf, 1,000 keys,
10,000 requests, exponent 1.5, seed 42.`,
		Example: `  cachesim sweep --policy lru,lfu --sizes 50:500:50
  cachesim sweep trace.txt --policy lru,fifo,lfu --sizes 100,1000,10000
  cachesim replay trace.txt --policy lfu --size 1000
  cachesim inspect trace.gz
  cachesim convert trace.csv trace.oracleGeneral.zst --to oracleGeneral
  cachesim policies`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newSweepCmd(), newReplayCmd(), newInspectCmd(), newConvertCmd(), newPoliciesCmd())
	return root
}

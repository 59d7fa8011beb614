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

A synthetic workload spec ("zipf:keys=1e6,alpha=0.9", see cachesim generate
--help) is accepted wherever a trace path is. With no trace argument, commands
use the built-in workload: Zipf, 1,000 keys, 10,000 requests, exponent 1.5, seed 42.`,
		Example: `  cachesim sweep --policy lru,lfu --sizes 50:500:50
  cachesim sweep trace.txt --policy lru,fifo,lfu --sizes 100,1000,10000
  cachesim replay trace.txt --policy lfu --size 1000
  cachesim sweep 'zipf:keys=1e6,requests=1e7,alpha=0.9' --policy lru,lfu --sizes 1000:1000000:log
  cachesim generate bursty --requests 1e6 -o bursty.csv
  cachesim inspect trace.gz
  cachesim convert trace.csv trace.oracleGeneral.zst --to oracleGeneral
  cachesim policies`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newSweepCmd(), newMRCCmd(), newReplayCmd(), newInspectCmd(), newConvertCmd(), newGenerateCmd(), newPoliciesCmd())
	return root
}

package main

import (
	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
	"github.com/spf13/cobra"
)

// flagCompletions complete the values of every enumerated flag, on the
// commands that have it.
var flagCompletions = map[string]cobra.CompletionFunc{
	"policy":           completeList(policy.Names),
	"trace-format":     completeOne(traces.Formats...),
	"stampede":         completeList(func() []string { return []string{"off", "none", "coalesce", "xfetch"} }),
	"write-policy":     completeOne("through", "back", "around"),
	"metric":           completeOne(report.MetricNames...),
	"batch-backend":    completeOne(sim.BatchBackends...),
	"tenant-from":      completeOne("prefix:1", "prefix:2", "prefix:3"),
	"assign":           completeOne("round-robin", "key", "column:"),
	"time-unit":        completeOne("s", "ms", "us", "ns"),
	"latency-unit":     completeOne("s", "ms", "us", "ns"),
	"maxmemory-policy": completeOne("allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-ttl", "volatile-random", "noeviction"),
	"miss-latency":     completeOne("50ms", "lognormal:median=40ms,p99=250ms", "exp:mean=30ms", "column"),
	"to":               completeOne(traces.OutputFormats...),
	"x-scale":          completeOne(report.ScaleNames...),
}

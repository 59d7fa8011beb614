package main

import (
	"slices"
	"strings"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/sim/system"
	"github.com/cachesim/cachesim/traces"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// flagCompletions complete the values of every enumerated flag, on the
// commands that have it. The names come from the packages that parse them;
// those of the reader flags, from traces.Flags.
var flagCompletions = withReaderFlags(map[string]cobra.CompletionFunc{
	"policy":           completeList(policy.Names),
	"trace-format":     completeOne(traces.Formats...),
	"stampede":         completeList(func() []string { return system.StampedeNames }),
	"write-policy":     completeOne(system.WritePolicyNames...),
	"metric":           completeOne(report.MetricNames...),
	"batch-backend":    completeOne(sim.BatchBackends...),
	"assign":           completeOne(slices.Concat(system.AssignmentNames, []string{"column:"})...),
	"maxmemory-policy": completeOne("allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-ttl", "volatile-random", "noeviction"),
	"miss-latency":     completeOne("50ms", "lognormal:median=40ms,p99=250ms", "exp:mean=30ms", "column"),
	"to":               completeOne(traces.OutputFormats...),
	"x-scale":          completeOne(report.ScaleNames...),
	"model":            completeOrFile(sim.ModelPresets()...),
	"kv-dtype":         completeOne(sim.DTypeNames...),
	"ttls":             completeOne("1m:24h:log8", "10s:1h:log8", "1m,5m,15m,1h"),
	"change-rate":      completeOne("1/h", "1/6h", "1/d"),
})

// withReaderFlags adds to m the completions of the reader flags whose
// values traces.Flags lists.
func withReaderFlags(m map[string]cobra.CompletionFunc) map[string]cobra.CompletionFunc {
	for _, fl := range traces.Flags {
		if fl.Values != nil {
			m[fl.Name] = completeOne(fl.Values...)
		}
	}
	return m
}

// completeFlags registers, for each flag cmd has, its completion function
// in flagCompletions if there is one; formats are the values of its --format.
func completeFlags(cmd *cobra.Command, formats ...string) {
	if len(formats) > 0 {
		_ = cmd.RegisterFlagCompletionFunc("format", completeOne(formats...))
	}
	cmd.Flags().VisitAll(func(fl *pflag.Flag) {
		if f, ok := flagCompletions[fl.Name]; ok {
			_ = cmd.RegisterFlagCompletionFunc(fl.Name, f)
		}
	})
}

// completeOne completes a flag whose value is one of values.
func completeOne(values ...string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeOrFile completes a flag whose value is one of values or a file.
func completeOrFile(values ...string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveDefault
	}
}

// completeList completes a flag whose value is a comma-separated list of
// values: the item being typed, after the ones already given.
func completeList(values func() []string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, typed string) ([]string, cobra.ShellCompDirective) {
		done := ""
		if i := strings.LastIndexByte(typed, ','); i >= 0 {
			done = typed[:i+1]
		}
		var out []string
		for _, v := range values() {
			out = append(out, done+v)
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}

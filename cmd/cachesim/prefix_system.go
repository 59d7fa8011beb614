package main

import (
	"fmt"
	"strings"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/sim/system"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/spf13/cobra"
)

// systemPrefixHelp is the part of system replay's help on prompt traces.
const systemPrefixHelp = `
A prompt trace (LLM prefix caching; see cachesim sweep --help) runs through
the levels as KV-cache tiers, nearest first (GPU HBM, CPU DRAM, disk): a
level's @latency is the time to load one block from it (0 for the GPU's
own memory). The prefix rule runs across the tiers — a block counts when
any tier holds it, served by the nearest — and every tier stores every
block of a request (write-through, as LMCache does). The report gives the
tokens each tier served, the token hit ratio, and with
--prefill-tokens-per-s the mean time to first token: prefill of the missed
tokens plus the transfers. --pin-time pins the first tier's blocks.`

// systemPrefixRefused are the system flags that mean nothing for tiers of
// a KV cache.
var systemPrefixRefused = []string{"instances", "assign", "exclusive", "stampede", "beta", "write-policy", "flush-interval",
	"invalidation-delay", "invalidate-every", "dip-window", "warmup", "prewarm", "prewarm-from", "ttl", "miss-latency",
	"miss-latency-per-kib", "interval", "window", "plot", "metric"}

// replayPromptTiers is system replay on a prompt trace.
func (o *systemReplayOptions) replayPromptTiers(cmd *cobra.Command, t *trace.Trace, levels []system.Level) error {
	for _, n := range systemPrefixRefused {
		if changed(o.fs, n) {
			return fmt.Errorf("--%s: not for prompt traces, whose levels are KV-cache tiers (see cachesim system replay --help)", n)
		}
	}
	bytes := levels[0].Size.Bytes()
	for _, l := range levels {
		if l.Size.Bytes() != bytes {
			return fmt.Errorf("the tiers of a prompt trace take sizes of one kind: all KV memory (with units) or all block counts")
		}
	}
	opt, model, err := o.prefix.options(t, bytes, false)
	if err != nil {
		return err
	}
	tiers := make([]sim.PrefixTier, len(levels))
	info := make([]report.PrefixTierInfo, len(levels))
	for k, l := range levels {
		c, err := policy.New(l.Policy, policy.Config{Capacity: l.Size.N, TTL: o.ttl, Seed: o.seed})
		if err != nil {
			return fmt.Errorf("level %s: %w", l.Name, err)
		}
		if k == 0 && (opt.Pin > 0 || opt.Durations) && !sim.PinsApply(c) {
			return wrapPins(fmt.Errorf("%s %w: only %s do", l.Policy, sim.ErrPinsNeedPinner, strings.Join(sim.PinningPolicies(), " and ")))
		}
		tiers[k] = sim.PrefixTier{Name: l.Name, Cache: c, Transfer: l.Latency}
		info[k] = report.PrefixTierInfo{Name: l.Name, Policy: l.Policy.String(), Size: l.Size.String(), TransferMS: 1e3 * l.Latency}
	}
	stderr := cmd.ErrOrStderr()
	prefixNote(stderr, t, opt)
	o.prefix.modelNote(stderr, opt)
	st := sim.ReplayPrefixTiers(t, tiers, *opt)
	rep := report.NewPrefixTiers(t.Name, system.FormatLevels(levels), st, info, model)
	return o.out.emit(cmd.OutOrStdout(), stderr, writers{"table": rep.WriteTable, "json": rep.WriteJSON})
}

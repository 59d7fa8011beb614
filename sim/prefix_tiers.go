package sim

import (
	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces/trace"
)

// PrefixTier is one level of a KV-cache hierarchy (GPU HBM, CPU DRAM,
// disk): its cache and the time to bring one of its blocks to the GPU.
type PrefixTier struct {
	Name  string
	Cache policy.Cache
	// Transfer is the time in seconds to load one block from this tier
	// (0 for the GPU's own memory).
	Transfer float64
}

// TierStats counts what one tier served.
type TierStats struct {
	Name string `json:"tier"`
	// Blocks and Tokens are the hit blocks served from this tier (the
	// nearest that held them) and their tokens.
	Blocks uint64 `json:"blocks_served"`
	Tokens uint64 `json:"tokens_served"`
	// TransferSeconds is the time spent loading them.
	TransferSeconds float64 `json:"transfer_seconds"`
	Evictions       uint64  `json:"evictions"`
}

// ReplayPrefixTiers replays prompt trace t through a hierarchy of tiers,
// nearest first, with the prefix rule across them: a block is available
// when any tier holds it when its request arrives, the hit length is the
// longest run of available blocks from the start, and each hit block is
// served by the nearest tier holding it (paying its Transfer). Then every
// tier stores every block of the request (write-through, as LMCache
// stores each chunk in its CPU and disk tiers while the server keeps it in
// GPU memory). Pins (opt) hold the first tier's blocks only, which must
// then be a policy.Pinner. The Stats are the whole hierarchy's counts, as
// one cache's (Stats.Prefix included), and each tier's in Stats.Tiers.
func ReplayPrefixTiers(t *trace.Trace, tiers []PrefixTier, opt PrefixOptions) Stats {
	rs := make([]*prefixReplayer, len(tiers))
	for k, tier := range tiers {
		o := opt
		if k > 0 {
			o.Pin, o.Durations = 0, false
		}
		rs[k] = newPrefixReplayer(t, tier.Cache, o)
	}
	main := rs[0]
	main.tiers, main.tierStats = tiers, make([]TierStats, len(tiers))
	eachPrompt(t, func(i, j int) {
		now := main.arrive(i)
		main.count(i, j)
		for _, r := range rs {
			r.store(i, j, now)
		}
	})
	out := main.finish()
	out.Tiers = main.tierStats
	for k, r := range rs {
		out.Tiers[k].Name, out.Tiers[k].Evictions = tiers[k].Name, r.c.Evictions()
	}
	return out
}

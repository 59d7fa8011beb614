package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/cachesim/cachesim/sim"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// PrefixTiers reports a prompt trace replayed through a KV-cache
// hierarchy (sim.ReplayPrefixTiers): the whole hierarchy's token hit ratio
// and what each tier served, and, with a prefill throughput, the mean
// time to first token without a cache and with the hierarchy (prefill of
// the missed tokens plus the transfers of the hit blocks).
type PrefixTiers struct {
	Workload      string           `json:"workload"`
	Hierarchy     string           `json:"hierarchy"`
	TokenHitRatio float64          `json:"token_hit_ratio"`
	Stats         sim.Stats        `json:"stats"`
	Tiers         []PrefixTierInfo `json:"tier_settings"`
	Model         *Prefix          `json:"prefix_model,omitempty"`
	// TTFTWithoutMS and TTFTWithMS are the mean time to first token (nil
	// without a prefill throughput).
	TTFTWithoutMS *float64 `json:"ttft_without_cache_ms,omitempty"`
	TTFTWithMS    *float64 `json:"ttft_ms,omitempty"`
}

// PrefixTierInfo is a tier's settings, for the report.
type PrefixTierInfo struct {
	Name       string  `json:"tier"`
	Policy     string  `json:"policy"`
	Size       string  `json:"size"`
	TransferMS float64 `json:"transfer_ms_per_block"`
}

// NewPrefixTiers builds the report of st on the tiers described by info.
func NewPrefixTiers(workload, hierarchy string, st sim.Stats, info []PrefixTierInfo, model *Prefix) *PrefixTiers {
	r := &PrefixTiers{Workload: workload, Hierarchy: hierarchy, Stats: st, Tiers: info, Model: model}
	ps := st.Prefix
	r.TokenHitRatio = ps.TokenHitRatio()
	if without, with, ok := model.ttft(st); ok {
		var transfer float64
		for _, t := range st.Tiers {
			transfer += t.TransferSeconds
		}
		with += 1e3 * transfer / float64(ps.Prompts)
		r.TTFTWithoutMS, r.TTFTWithMS = &without, &with
	}
	return r
}

// WriteJSON writes the report as one JSON document.
func (r *PrefixTiers) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes a row per tier, then the whole hierarchy.
func (r *PrefixTiers) WriteTable(w io.Writer) error {
	ps := r.Stats.Prefix
	fmt.Fprintf(w, "%s through %s: %d prompts, %d tokens; prefix rule across the tiers (a block counts when any tier holds it)\n",
		r.Workload, r.Hierarchy, ps.Prompts, ps.Tokens)
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off), tablewriter.WithRowAlignment(tw.AlignRight))
	t.Header("tier", "policy", "size", "transfer/block", "tokens served", "share of prompt tokens", "blocks served", "transfer time", "evictions")
	for k, ts := range r.Stats.Tiers {
		in := r.Tiers[k]
		if err := t.Append(ts.Name, in.Policy, in.Size, fmtMS(in.TransferMS), u(ts.Tokens), share(ts.Tokens, ps.Tokens), u(ts.Blocks),
			fmtMS(1e3*ts.TransferSeconds), u(ts.Evictions)); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	fmt.Fprintf(w, "token hit ratio %.2f%% (block hit ratio %.2f%%); prompts hit in full %s, in part %s, not %s\n",
		100*r.TokenHitRatio, 100*r.Stats.HitRatio(), share(ps.Full, ps.Prompts), share(ps.Partial, ps.Prompts), share(ps.None(), ps.Prompts))
	if v := r.Model.savedPerS(r.Stats); v != nil {
		fmt.Fprintf(w, "prefill tokens saved: %s a second\n", Amount(*v))
	}
	if r.TTFTWithMS != nil {
		fmt.Fprintf(w, "mean time to first token: %s without a cache, %s with the tiers (prefill of the missed tokens plus the transfers)\n",
			fmtMS(*r.TTFTWithoutMS), fmtMS(*r.TTFTWithMS))
	}
	return nil
}

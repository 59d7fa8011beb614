package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/cachesim/cachesim/sim"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// PrefixRoutes reports a prompt trace replayed on N serving instances,
// each with its own prefix cache, under each router (sim.ReplayRouted),
// against one pooled cache of the instances' total memory.
type PrefixRoutes struct {
	Workload string `json:"workload"`
	Policy   string `json:"policy"`
	// Instances is N; Size the total memory (or blocks) they share, and
	// InstanceSize each one's.
	Instances    int      `json:"instances"`
	Size         sim.Size `json:"size"`
	InstanceSize sim.Size `json:"instance_size"`
	// Unit is blocks or bytes (KV memory).
	Unit string `json:"unit"`
	// LoadCap is the cache-aware router's load cap (times the mean load).
	LoadCap float64 `json:"load_cap"`
	// Pooled is the single cache of Size.
	Pooled sim.Stats `json:"pooled"`
	// Routes are the routed replays, one a router.
	Routes []RouteRow `json:"routes"`
	Model  *Prefix    `json:"prefix_model,omitempty"`
}

// RouteRow is one router's results, with its ratios worked out.
type RouteRow struct {
	sim.RoutedStats
	TokenHitRatio float64 `json:"token_hit_ratio"`
	// Imbalance is the most prefill tokens an instance computed over the
	// mean (1: even).
	Imbalance float64 `json:"load_imbalance"`
	// PrefillSavedPerS is the prefill tokens saved a second (nil: the
	// trace has no times).
	PrefillSavedPerS *float64 `json:"prefill_tokens_saved_per_second,omitempty"`
}

// NewPrefixRoutes builds the report of the routed replays on the pooled
// cache's results.
func NewPrefixRoutes(workload, policy string, instances int, size, instanceSize sim.Size, loadCap float64,
	pooled sim.Stats, routes []sim.RoutedStats, model *Prefix) *PrefixRoutes {
	r := &PrefixRoutes{Workload: workload, Policy: policy, Instances: instances, Size: size, InstanceSize: instanceSize,
		Unit: "blocks", LoadCap: loadCap, Pooled: pooled, Model: model}
	if size.Bytes() {
		r.Unit = "bytes"
	}
	for _, st := range routes {
		r.Routes = append(r.Routes, RouteRow{RoutedStats: st, TokenHitRatio: st.Prefix.TokenHitRatio(),
			Imbalance: st.Imbalance(), PrefillSavedPerS: model.savedPerS(st.Stats)})
	}
	return r
}

// WriteJSON writes the report as one JSON document.
func (r *PrefixRoutes) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes a row per router, then the pooled cache's, and how
// the load was modelled.
func (r *PrefixRoutes) WriteTable(w io.Writer) error {
	ps := r.Pooled.Prefix
	fmt.Fprintf(w, "%s: %d prompts, %d tokens, on %d instances of %s %s each, against one pooled %s cache of %s\n",
		r.Workload, ps.Prompts, ps.Tokens, r.Instances, r.Policy, blocks(r.InstanceSize), r.Policy, blocks(r.Size))
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off), tablewriter.WithRowAlignment(tw.AlignRight))
	header := []any{"router", "token hit ratio", "of pooled", "block hit ratio", "hit in full / part / not"}
	if r.Model != nil && r.Model.TokensPerS > 0 {
		header = append(header, "prefill tokens saved/s")
	}
	header = append(header, "load imbalance", "evictions")
	t.Header(header...)
	row := func(name string, st sim.Stats, imbalance string) error {
		p := st.Prefix
		cells := []any{name, pct(p.TokenHitRatio()), share(p.TokenHits, ps.TokenHits), pct(st.HitRatio()),
			share(p.Full, p.Prompts) + " / " + share(p.Partial, p.Prompts) + " / " + share(p.None(), p.Prompts)}
		if v := r.Model.savedPerS(st); v != nil {
			cells = append(cells, Amount(*v))
		}
		return t.Append(append(cells, imbalance, u(st.Evictions))...)
	}
	var drain float64
	for _, rt := range r.Routes {
		if err := row(rt.Router, rt.Stats, fmt.Sprintf("%.2f", rt.Imbalance)); err != nil {
			return err
		}
		drain = rt.DrainTokensPerS
	}
	if err := row("pooled (one cache)", r.Pooled, "-"); err != nil {
		return err
	}
	if err := t.Render(); err != nil {
		return err
	}
	queue := "never drains (the trace has no times): the prefill tokens routed so far"
	if drain > 0 {
		queue = fmt.Sprintf("drained at %s tokens/s an instance", Amount(drain))
	}
	fmt.Fprintf(w, "load: an instance's queue of prefill tokens (its prompts' missed tokens), %s; load imbalance: the most prefill tokens an instance computed over the mean\n", queue)
	for _, rt := range r.Routes {
		if rt.Router == sim.RouteCacheAware.String() {
			fmt.Fprintf(w, "cache-aware: the instance holding the longest prefix, unless its load exceeds %s× the mean (%s of prompts went to the least loaded instead)\n",
				Param(r.LoadCap), share(rt.Overloaded, ps.Prompts))
		}
	}
	return nil
}

// CSVRouteHeader lists the columns of a routed replay's CSV, one row a
// router and a last for the pooled cache (router "pooled"; its
// load_imbalance is empty).
var CSVRouteHeader = []string{"router", "instances", "instance_size", "unit", "prompts", "tokens", "token_hits", "token_hit_ratio",
	"block_hit_ratio", "prefill_tokens_saved_per_s", "load_imbalance", "overloaded", "evictions"}

// WriteCSV writes a row per router, then the pooled cache's.
func (r *PrefixRoutes) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVRouteHeader); err != nil {
		return err
	}
	row := func(name string, n int, size sim.Size, st sim.Stats, imbalance, overloaded string) error {
		p := st.Prefix
		saved := ""
		if v := r.Model.savedPerS(st); v != nil {
			saved = fmtFloat(*v)
		}
		return cw.Write([]string{name, strconv.Itoa(n), strconv.FormatInt(size.N, 10), r.Unit, u(p.Prompts), u(p.Tokens), u(p.TokenHits), fmtFloat(p.TokenHitRatio()),
			fmtFloat(st.HitRatio()), saved, imbalance, overloaded, u(st.Evictions)})
	}
	for _, rt := range r.Routes {
		if err := row(rt.Router, r.Instances, r.InstanceSize, rt.Stats, fmtFloat(rt.Imbalance), u(rt.Overloaded)); err != nil {
			return err
		}
	}
	if err := row("pooled", 1, r.Size, r.Pooled, "", ""); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// blocks renders size with its unit: KV memory, or a count of blocks.
func blocks(s sim.Size) string {
	if s.Bytes() {
		return s.String()
	}
	return s.String() + " blocks"
}

// Chart is the token hit ratio of each router as a bar, labelled with its
// load imbalance, against the pooled cache's as a gray dashed line, on an
// axis of 0 to 100%.
func (r *PrefixRoutes) Chart() *Chart {
	c := &Chart{Title: fmt.Sprintf("Token hit ratio by router: %s on %d instances of %s %s each", r.Workload, r.Instances, r.Policy, blocks(r.InstanceSize)),
		XLabel: "router\nmax/mean: load imbalance, the most prefill tokens an instance computed over the mean",
		YLabel: "token hit ratio (%)", YMin: 0, YMax: 100}
	for i, rt := range r.Routes {
		v := 100 * rt.TokenHitRatio
		c.Bars = append(c.Bars, Bar{Name: rt.Router, Value: v, Style: i,
			Label: fmt.Sprintf("%.1f%%\nmax/mean %.2f", v, rt.Imbalance)})
	}
	pooled := 100 * r.Pooled.Prefix.TokenHitRatio()
	c.Series = []Series{{Name: fmt.Sprintf("pooled cache of %s: %.1f%%", blocks(r.Size), pooled),
		X: []float64{-0.5, float64(len(r.Routes)) - 0.5}, Y: []float64{pooled, pooled}, Gray: true, Dashed: true}}
	return c
}

package report

import (
	"fmt"
	"io"
	"math"

	"github.com/cachesim/cachesim/sim"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// Latency summarises a latency distribution, in milliseconds.
type Latency struct {
	MeanMS float64 `json:"mean_ms"`
	P50MS  float64 `json:"p50_ms"`
	P95MS  float64 `json:"p95_ms"`
	P99MS  float64 `json:"p99_ms"`
}

// Summarise reads the mean and percentiles of h.
func Summarise(h *sim.Histogram) Latency {
	return Latency{MeanMS: 1e3 * h.Mean(), P50MS: 1e3 * h.Quantile(0.50), P95MS: 1e3 * h.Quantile(0.95), P99MS: 1e3 * h.Quantile(0.99)}
}

// LatencyRow is what a cache of one policy and size does to latency and to the backend.
type LatencyRow struct {
	Policy string `json:"policy"`
	Size   int64  `json:"size"`
	// With is the request latency with the cache.
	With Latency `json:"with_cache"`
	// ReductionPct is how much lower the mean latency is than without a cache, in percent.
	ReductionPct float64 `json:"mean_reduction_pct"`
	// P99ReductionPct is the same for the 99th percentile.
	P99ReductionPct float64 `json:"p99_reduction_pct"`
	// BackendAvoidedPerS is the backend calls the cache saves per second
	// (see sim.Calls: a hit saves one, or with --batch-backend single a
	// multi-key request served whole does); nil when the request rate is
	// unknown.
	BackendAvoidedPerS *float64 `json:"backend_calls_saved_per_s,omitempty"`
	// BackendLoad is the backend calls with the cache as a fraction of
	// those without one (the miss ratio, but for --batch-backend single).
	BackendLoad float64 `json:"backend_load"`
	// Batch is the latency of whole multi-key requests with the cache
	// (nil for a trace without them).
	Batch *Latency `json:"batch,omitempty"`
}

// LatencyReport is the latency-reduction report of a sweep.
type LatencyReport struct {
	// Model describes the cost model.
	HitLatencyMS   float64 `json:"hit_latency_ms"`
	MissLatency    string  `json:"miss_latency"`
	MissPerKiBMS   float64 `json:"miss_latency_per_kib_ms,omitempty"`
	Seed           uint64  `json:"seed"`
	PercentileNote string  `json:"percentile_note"`
	// RequestRate is the requests per second used for the backend savings (0: unknown).
	RequestRate float64 `json:"requests_per_second,omitempty"`
	// Uncached is the latency without any cache: every request goes to the backend.
	Uncached Latency      `json:"without_cache"`
	Rows     []LatencyRow `json:"points"`
	// BatchUncached is the latency of whole multi-key requests without a
	// cache (nil for a trace without them); BatchBackend how their misses
	// reach the backend, and BatchPerKeyMS what one call costs per key
	// (single backend).
	BatchUncached *Latency `json:"batch_without_cache,omitempty"`
	BatchBackend  string   `json:"batch_backend,omitempty"`
	BatchPerKeyMS float64  `json:"batch_miss_latency_per_key_ms,omitempty"`
}

// NewLatencyReport builds the latency report of points, which carry latency
// histograms, against uncached, the latencies with every request a miss;
// load gives the backend calls saved per second.
func NewLatencyReport(points []sim.Point, uncached *sim.Histogram, load Load) *LatencyReport {
	r := &LatencyReport{Uncached: Summarise(uncached), RequestRate: load.Rate,
		PercentileNote: fmt.Sprintf("percentiles from a log-bucketed histogram, within %g%% of the exact value (exact for a latency most of its bucket's values share, such as the hit latency); means exact", 100*sim.HistogramError)}
	for _, p := range points {
		if p.Latency == nil {
			continue
		}
		with := Summarise(p.Latency)
		row := LatencyRow{Policy: p.Policy, Size: p.Size, With: with,
			ReductionPct:    reduction(with.MeanMS, r.Uncached.MeanMS),
			P99ReductionPct: reduction(with.P99MS, r.Uncached.P99MS),
			BackendLoad:     callRatio(sim.CallsOf(p.Stats, load.Backend))}
		row.BackendAvoidedPerS, _ = load.savedPerS(p.Stats)
		if b := p.Batch; b != nil && b.Latency != nil {
			with, without := Summarise(b.Latency), Summarise(b.Uncached)
			row.Batch, r.BatchUncached = &with, &without
		}
		r.Rows = append(r.Rows, row)
	}
	return r
}

// SetModel describes the latency model m in the report.
func (r *LatencyReport) SetModel(m *sim.LatencyModel) {
	r.HitLatencyMS, r.MissLatency, r.MissPerKiBMS = 1e3*m.Hit, m.MissDesc, 1e3*m.PerKiB
	if r.BatchUncached != nil {
		r.BatchBackend = m.Batch.String()
		if m.Batch == sim.BatchSingle {
			r.BatchPerKeyMS = 1e3 * m.PerKey
		}
	}
}

// callRatio returns the backend calls with the cache over those without.
func callRatio(c sim.Calls) float64 { return ratio(c.With, c.Without) }

// Load says how a run's counts become rates: the trace's requests (its
// records, writes included) per second and how many there are, and how the
// misses of a multi-key request reach the backend (see sim.Calls).
type Load struct {
	// Rate is the requests per second (0: unknown), Rows the requests.
	Rate    float64
	Rows    int64
	Backend sim.BatchBackend
}

// savedPerS returns the backend calls and the keys fetched that st saves
// per second, over the Rows/Rate seconds of the trace, or nils when the
// rate is unknown.
func (l Load) savedPerS(st sim.Stats) (calls, keys *float64) {
	if l.Rate <= 0 || l.Rows <= 0 {
		return nil, nil
	}
	seconds := float64(l.Rows) / l.Rate
	c, k := float64(sim.CallsOf(st, l.Backend).Saved())/seconds, float64(st.Hits)/seconds
	return &c, &k
}

// reduction returns how much lower v is than base, in percent.
func reduction(v, base float64) float64 {
	if base == 0 {
		return 0
	}
	return 100 * (1 - v/base)
}

// WriteTable writes the essentials: per point, mean and p99 with the cache,
// their reduction, the backend requests avoided and the backend load.
func (r *LatencyReport) WriteTable(w io.Writer, bytes bool) error {
	fmt.Fprintf(w, "latency: hit %s, miss %s", fmtMS(r.HitLatencyMS), r.MissLatency)
	if r.MissPerKiBMS > 0 {
		fmt.Fprintf(w, " + %s per KiB", fmtMS(r.MissPerKiBMS))
	}
	fmt.Fprintf(w, "; without a cache: mean %s, p50 %s, p95 %s, p99 %s\n",
		fmtMS(r.Uncached.MeanMS), fmtMS(r.Uncached.P50MS), fmtMS(r.Uncached.P95MS), fmtMS(r.Uncached.P99MS))
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off), tablewriter.WithRowAlignment(tw.AlignRight))
	t.Header("policy", "size", "mean", "p50", "p99", "mean cut", "p99 cut", "backend calls/s saved", "backend load")
	for _, row := range r.Rows {
		saved := "n/a"
		if row.BackendAvoidedPerS != nil {
			saved = Amount(*row.BackendAvoidedPerS)
		}
		if err := t.Append(row.Policy, sim.FormatSize(row.Size, bytes), fmtMS(row.With.MeanMS), fmtMS(row.With.P50MS),
			fmtMS(row.With.P99MS), fmt.Sprintf("%.1f%%", row.ReductionPct), fmt.Sprintf("%.1f%%", row.P99ReductionPct),
			saved, fmt.Sprintf("%.1f%%", 100*row.BackendLoad)); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	if r.RequestRate == 0 {
		fmt.Fprintln(w, "backend calls saved per second: n/a (the trace has no timestamps to give the request rate)")
	}
	if err := r.writeBatchTable(w, bytes); err != nil {
		return err
	}
	fmt.Fprintln(w, r.PercentileNote)
	return nil
}

// writeBatchTable writes the latency of whole multi-key requests per point.
func (r *LatencyReport) writeBatchTable(w io.Writer, bytes bool) error {
	u := r.BatchUncached
	if u == nil {
		return nil
	}
	how := "the slowest of its keys (misses fetched in parallel)"
	if r.BatchBackend == sim.BatchSingle.String() {
		how = fmt.Sprintf("one backend call for its misses, %s + %s per key", r.MissLatency, fmtMS(r.BatchPerKeyMS))
	}
	fmt.Fprintf(w, "\nwhole requests: a request waits for %s; without a cache: mean %s, p50 %s, p95 %s, p99 %s\n",
		how, fmtMS(u.MeanMS), fmtMS(u.P50MS), fmtMS(u.P95MS), fmtMS(u.P99MS))
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off), tablewriter.WithRowAlignment(tw.AlignRight))
	t.Header("policy", "size", "mean", "p50", "p95", "p99", "p99 cut")
	for _, row := range r.Rows {
		b := row.Batch
		if b == nil {
			continue
		}
		if err := t.Append(row.Policy, sim.FormatSize(row.Size, bytes), fmtMS(b.MeanMS), fmtMS(b.P50MS), fmtMS(b.P95MS),
			fmtMS(b.P99MS), fmt.Sprintf("%.1f%%", reduction(b.P99MS, u.P99MS))); err != nil {
			return err
		}
	}
	return t.Render()
}

// fmtMS renders milliseconds with a unit people read at a glance.
func fmtMS(ms float64) string {
	switch {
	case ms == 0:
		return "0"
	case math.Abs(ms) < 1:
		return Sig(ms*1e3, 3) + "µs"
	case math.Abs(ms) < 1000:
		return Sig(ms, 3) + "ms"
	}
	return Sig(ms/1e3, 3) + "s"
}

package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// Sweep is everything a sweep report shows.
type Sweep struct {
	Workload string `json:"workload"`
	Requests int    `json:"requests"`
	// Span says which requests were replayed and counted (nil: all).
	Span            *Span            `json:"span,omitempty"`
	Unit            string           `json:"unit"` // "objects" or "bytes"; written "blocks" for a prompt trace's block counts (see unitName)
	Points          []sim.Point      `json:"-"`
	Recommendations []Recommendation `json:"recommendations"`
	// Cost is the cost model of the cost rule, when one was given.
	Cost *CostModel `json:"cost_model,omitempty"`
	// Latency is the latency-reduction report, when a latency model was given.
	Latency *LatencyReport `json:"latency,omitempty"`
	// Optimal names the offline optimum a sweep with --optimal added, and
	// Gaps every other policy's distance to it (see OptimalGaps).
	Optimal string `json:"optimal,omitempty"`
	Gaps    []Gap  `json:"optimal_gaps,omitempty"`
	// Ceiling is what an unlimited cache does on the trace (nil: unknown);
	// the charts draw it as a reference line.
	Ceiling *sim.Ceiling `json:"ceiling,omitempty"`
	// Footprint is the size, in Unit, that holds every object (0: unknown).
	Footprint int64 `json:"footprint,omitempty"`
	// Bounds names the policies that are offline bounds (they read the
	// future): charted as upper limits, given no recommendation.
	Bounds []string `json:"bounds,omitempty"`
	// RequestRate is the requests per second the cache serves (0: unknown).
	RequestRate float64 `json:"requests_per_second,omitempty"`
	// Backend says how the misses of a multi-key request reach the
	// backend, for the backend calls saved (see sim.Calls).
	Backend sim.BatchBackend `json:"-"`
	// Peaks are the backend load over time at the plans' sizes (see Peak).
	Peaks []*Peak `json:"peaks,omitempty"`
	// Plans answer per policy: how big, and what it does (see Recommend).
	Plans []Plan `json:"plans,omitempty"`
	// RoundTo is the step the recommended sizes were rounded up to (0:
	// two significant figures; see RoundUp).
	RoundTo int64 `json:"round_to,omitempty"`
	// XScale chooses the charts' size axis.
	XScale Scale `json:"-"`
	// Prefix, for a prompt trace (prefix caching), holds its rates and
	// model; the points then carry sim.PrefixStats (see CSVPrefixHeader).
	Prefix *Prefix `json:"prefix,omitempty"`
	// Partitions compare, per policy, a budget split between tenants with
	// one shared cache; Partition lists every tenant's share (see SetPartitions).
	Partitions []*Partition      `json:"partitions,omitempty"`
	Partition  []PartitionTenant `json:"partition,omitempty"`
}

// NewSweep is the report of a sweep's result before the recommendations
// (Recommend), the latency report and the partitions: its points, the
// offline bounds among its policies and the gaps to the optimum, and the
// ceiling, whose footprint in byte capacities counts overhead bytes per
// object (as the replays did).
func NewSweep(r sim.Result, overhead uint32) *Sweep {
	s := &Sweep{Workload: r.Trace.Name, Requests: int(r.Total), Unit: sim.UnitOf(r.Sizes.Bytes).String(), Points: r.Points,
		Optimal: r.Optimal, Bounds: bounds(r.Policies), Span: NewSpan(r.Extent)}
	ceiling := r.Ceiling
	s.Ceiling, s.Footprint = &ceiling, ceiling.Footprint(r.Sizes.Bytes, overhead)
	if r.Rate < 1 {
		s.Workload += fmt.Sprintf(" (approximate: SHARDS sample at rate %s)", Sig(r.Rate, 4))
	}
	if r.Optimal != "" {
		s.Gaps = OptimalGaps(r.Points, r.Optimal)
	}
	return s
}

// bounds names the offline policies among specs: the charts keep them as
// upper bounds, and no rule recommends a size for them.
func bounds(specs []policy.Spec) []string {
	var out []string
	for _, s := range specs {
		if s.Traits().Has(policy.Offline) {
			out = append(out, s.String())
		}
	}
	return out
}

func (s *Sweep) bytes() bool { return s.Unit == "bytes" }

// unitName is the unit of the sizes as the CSV, the JSON and the charts
// write it: "blocks" for the block counts of a prompt trace, else Unit.
func (s *Sweep) unitName() string {
	if s.Prefix != nil && s.Unit == "objects" {
		return "blocks"
	}
	return s.Unit
}

// CSVHeader lists the CSV columns; scripts rely on these names.
// recommended_by lists the methods recommending the row's size ("kneedle;cost").
var CSVHeader = []string{"policy", "size", "unit", "requests", "hits", "misses", "hit_ratio",
	"byte_hit_ratio", "bytes", "byte_hits", "evictions", "marginal_gain_pp", "recommended_by"}

// CSVLatencyHeader lists the columns added when the sweep has a latency
// report: latencies in milliseconds, without the cache ("uncached_") and with it.
var CSVLatencyHeader = []string{"mean_ms", "p50_ms", "p95_ms", "p99_ms",
	"uncached_mean_ms", "uncached_p50_ms", "uncached_p95_ms", "uncached_p99_ms",
	"mean_reduction_pct", "p99_reduction_pct", "backend_calls_saved_per_s", "backend_load"}

// CSVBandHeader lists the columns added when the points are estimates
// from several samples (--bands): the lowest and highest estimate.
var CSVBandHeader = []string{"samples", "hit_ratio_min", "hit_ratio_max", "byte_hit_ratio_min", "byte_hit_ratio_max"}

// banded reports whether the points carry error bands.
func (s *Sweep) banded() bool { return len(s.Points) > 0 && s.Points[0].Band != nil }

// WriteCSV writes one row per policy and size.
func (s *Sweep) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := CSVHeader
	lat := s.latencyRows()
	if lat != nil {
		header = append(header[:len(header):len(header)], CSVLatencyHeader...)
	}
	if s.banded() {
		header = append(header[:len(header):len(header)], CSVBandHeader...)
	}
	if s.Prefix != nil {
		header = append(header[:len(header):len(header)], CSVPrefixHeader...)
	}
	header = append(header[:len(header):len(header)], s.batchHeader()...)
	if len(s.Peaks) > 0 {
		header = append(header[:len(header):len(header)], CSVPeakHeader...)
	}
	cw.Write(header)
	for _, c := range Curves(s.Points) {
		gains := c.Gains()
		for i, p := range c.Points {
			gain := ""
			if i > 0 {
				gain = fmtFloat(gains[i])
			}
			row := []string{p.Policy, strconv.FormatInt(p.Size, 10), s.unitName(),
				u(p.Requests), u(p.Hits), u(p.Misses()), fmtFloat(p.HitRatio()), fmtFloat(p.ByteHitRatio()),
				u(p.Bytes), u(p.ByteHits), u(p.Evictions), gain, strings.Join(s.recommendedBy(p), ";")}
			if r, ok := lat[key(p.Policy, p.Size)]; ok {
				un := s.Latency.Uncached
				saved := ""
				if r.BackendAvoidedPerS != nil {
					saved = fmtFloat(*r.BackendAvoidedPerS)
				}
				row = append(row, fmtFloat(r.With.MeanMS), fmtFloat(r.With.P50MS), fmtFloat(r.With.P95MS), fmtFloat(r.With.P99MS),
					fmtFloat(un.MeanMS), fmtFloat(un.P50MS), fmtFloat(un.P95MS), fmtFloat(un.P99MS),
					fmtFloat(r.ReductionPct), fmtFloat(r.P99ReductionPct), saved, fmtFloat(r.BackendLoad))
			} else if lat != nil {
				row = append(row, make([]string, len(CSVLatencyHeader))...)
			}
			if b := p.Band; b != nil {
				row = append(row, strconv.Itoa(b.Samples), fmtFloat(b.HitRatioMin), fmtFloat(b.HitRatioMax),
					fmtFloat(b.ByteHitRatioMin), fmtFloat(b.ByteHitRatioMax))
			}
			if s.Prefix != nil {
				row = append(row, s.Prefix.prefixCSV(p.Stats)...)
			}
			row = append(row, s.batchRow(p, lat)...)
			row = append(row, s.peakRow(p)...)
			cw.Write(row)
		}
	}
	cw.Flush()
	return cw.Error()
}

func key(policy string, size int64) string { return policy + "\x00" + strconv.FormatInt(size, 10) }

// latencyRows indexes the latency rows by policy and size (nil without a latency report).
func (s *Sweep) latencyRows() map[string]LatencyRow {
	if s.Latency == nil {
		return nil
	}
	m := map[string]LatencyRow{}
	for _, r := range s.Latency.Rows {
		m[key(r.Policy, r.Size)] = r
	}
	return m
}

// recommendedBy lists the methods that recommend point p.
func (s *Sweep) recommendedBy(p sim.Point) []string {
	var out []string
	for _, r := range s.Recommendations {
		if r.Found && r.Policy == p.Policy && r.Size == p.Size {
			out = append(out, r.Method)
		}
	}
	return out
}

type jsonPoint struct {
	sim.Point
	Misses         uint64   `json:"misses"`
	HitRatio       float64  `json:"hit_ratio"`
	ByteHitRatio   float64  `json:"byte_hit_ratio"`
	MarginalGainPP *float64 `json:"marginal_gain_pp,omitempty"`
	RecommendedBy  []string `json:"recommended_by,omitempty"`
	// TokenHitRatio is the token hit ratio of a prompt trace's point.
	TokenHitRatio *float64 `json:"token_hit_ratio,omitempty"`
	// Batch is what the point does to whole multi-key requests.
	Batch *BatchSummary `json:"batch,omitempty"`
}

// WriteJSON writes the whole report as one JSON document.
func (s *Sweep) WriteJSON(w io.Writer) error {
	var pts []jsonPoint
	for _, c := range Curves(s.Points) {
		gains := c.Gains()
		for i, p := range c.Points {
			jp := jsonPoint{Point: p, Misses: p.Misses(), HitRatio: p.HitRatio(), ByteHitRatio: p.ByteHitRatio(), RecommendedBy: s.recommendedBy(p),
				Batch: SummariseBatch(p.Stats)}
			if i > 0 {
				jp.MarginalGainPP = &gains[i]
			}
			if p.Prefix != nil {
				v := p.Prefix.TokenHitRatio()
				jp.TokenHitRatio = &v
			}
			pts = append(pts, jp)
		}
	}
	named := *s
	named.Unit = s.unitName()
	doc := struct {
		*Sweep
		Points []jsonPoint `json:"points"`
	}{&named, pts}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// WriteTable writes the sweep as a table followed by the recommendations.
func (s *Sweep) WriteTable(w io.Writer) error {
	if s.Prefix != nil {
		if err := s.writePrefixTable(w); err != nil {
			return err
		}
		return s.writeNotes(w)
	}
	fmt.Fprintf(w, "%s: %s requests, %s capacity\n", s.Workload, Count(s.Requests), s.Unit)
	t := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignment(tw.AlignRight))
	t.Header("policy", "size", "hit ratio", "byte hit ratio", "gain (pp)", "misses", "evictions")
	for _, c := range Curves(s.Points) {
		gains := c.Gains()
		for i, p := range c.Points {
			gain := "-"
			if i > 0 {
				gain = fmt.Sprintf("%+.3f", gains[i])
			}
			hr, bhr := fmt.Sprintf("%.2f%%", 100*p.HitRatio()), fmt.Sprintf("%.2f%%", 100*p.ByteHitRatio())
			if b := p.Band; b != nil { // "41.20% (40.10–42.00)"
				hr += fmt.Sprintf(" (%.2f–%.2f)", 100*b.HitRatioMin, 100*b.HitRatioMax)
				bhr += fmt.Sprintf(" (%.2f–%.2f)", 100*b.ByteHitRatioMin, 100*b.ByteHitRatioMax)
			}
			if err := t.Append(p.Policy, sim.FormatSize(p.Size, s.bytes()), hr, bhr,
				gain, Count(p.Misses()), Count(p.Evictions)); err != nil {
				return err
			}
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	return s.writeNotes(w)
}

// writeNotes writes what follows a sweep's table: the unlimited cache,
// the recommendations, the plans and the latency report.
func (s *Sweep) writeNotes(w io.Writer) error {
	s.writeCeiling(w)
	if err := s.writeBatchTable(w); err != nil {
		return err
	}
	if s.banded() {
		fmt.Fprintf(w, "hit ratios are the mean of %d samples with different hash seeds (lowest–highest in brackets)\n", s.Points[0].Band.Samples)
	}
	for _, r := range s.Recommendations {
		switch {
		case r.Method == MethodBound:
			fmt.Fprintf(w, "no recommendation for %s (%s): %s\n", r.Policy, r.Rule, r.Note)
		case r.Found:
			fmt.Fprintf(w, "recommended for %s by %s: %s%s (%s): %s\n", r.Policy, r.Method, sim.FormatSize(r.configured(), s.bytes()),
				roundNote(r, s.bytes()), r.Rule, r.Note)
		default:
			fmt.Fprintf(w, "recommended for %s by %s: none (%s): %s\n", r.Policy, r.Method, r.Rule, r.Note)
		}
	}
	s.writeRounding(w)
	s.writePlans(w)
	if len(s.Peaks) > 0 {
		if err := WritePeaks(w, s.Peaks); err != nil {
			return err
		}
	}
	if s.Latency != nil {
		fmt.Fprintln(w)
		return s.Latency.WriteTable(w, s.bytes())
	}
	return nil
}

func u(v uint64) string { return strconv.FormatUint(v, 10) }

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', 10, 64) }

// writeCeiling writes what an unlimited cache does, when known.
func (s *Sweep) writeCeiling(w io.Writer) {
	c := s.Ceiling
	if c == nil {
		return
	}
	if s.Prefix != nil {
		fmt.Fprintf(w, "unlimited cache: token hit ratio %.2f%%, block hit ratio %.2f%% (%s of %s blocks are new or follow a new block of their request)",
			100*c.TokenHitRatio(), 100*c.HitRatio(), Count(c.Misses), Count(c.Requests))
		if s.Footprint > 0 {
			fmt.Fprintf(w, "; every block fits in %s", sim.FormatSize(s.Footprint, s.bytes()))
			if !s.bytes() {
				fmt.Fprint(w, " blocks")
			}
		}
		fmt.Fprintln(w)
		return
	}
	fmt.Fprintf(w, "unlimited cache: hit ratio %.2f%%, byte hit ratio %.2f%% (%s of %s reads find their key not stored: before its first fill or write, or after a delete)",
		100*c.HitRatio(), 100*c.ByteHitRatio(), Count(c.Misses), Count(c.Requests))
	if s.Footprint > 0 {
		fmt.Fprintf(w, "; every object fits in %s", sim.FormatSize(s.Footprint, s.bytes()))
	}
	fmt.Fprintln(w)
}

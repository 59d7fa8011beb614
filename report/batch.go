package report

import (
	"fmt"
	"io"
	"strconv"

	"github.com/cachesim/cachesim/sim"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// Reports of multi-key requests (batches; see sim/batch.go).

// BatchSummary is what a point does to whole multi-key requests.
type BatchSummary struct {
	// Requests are the requests with lookups; Hits those served from the
	// cache alone; HitRatio their share (the batch hit ratio).
	Requests uint64  `json:"requests"`
	Hits     uint64  `json:"hits"`
	HitRatio float64 `json:"hit_ratio"`
	// IndependentEstimate is what the per-key hit ratio h predicts if
	// every lookup hit independently: the mean over the requests of h^n.
	IndependentEstimate float64 `json:"independent_estimate"`
	// KeysMean and KeysMax are the lookups per request.
	KeysMean float64 `json:"keys_mean"`
	KeysMax  int     `json:"keys_max"`
	// FetchedMean is the mean number of keys a request fetched from the
	// backend; the percentiles (replays only) their distribution.
	FetchedMean float64 `json:"fetched_mean"`
	FetchedP50  *int    `json:"fetched_p50,omitempty"`
	FetchedP95  *int    `json:"fetched_p95,omitempty"`
	FetchedP99  *int    `json:"fetched_p99,omitempty"`
	// HitShares (replays only) gives, per tenth, the share of the requests
	// that hit that fraction of their lookups: HitShares[i] for [i/10,
	// (i+1)/10), HitShares[10] for all of them.
	HitShares []float64 `json:"hit_share_distribution,omitempty"`
}

// SummariseBatch returns the batch summary of st (nil without batches).
func SummariseBatch(st sim.Stats) *BatchSummary {
	b := st.Batch
	if b == nil {
		return nil
	}
	s := &BatchSummary{Requests: b.Requests, Hits: b.Hits, HitRatio: b.HitRatio(),
		IndependentEstimate: b.IndependentEstimate(st.HitRatio()), KeysMean: b.MeanKeys(), KeysMax: b.MaxKeys()}
	if b.Requests > 0 {
		s.FetchedMean = float64(st.Misses()) / float64(b.Requests)
	}
	if b.Detailed {
		p50, p95, p99 := b.FetchedQuantile(0.5), b.FetchedQuantile(0.95), b.FetchedQuantile(0.99)
		s.FetchedP50, s.FetchedP95, s.FetchedP99 = &p50, &p95, &p99
		s.HitShares = make([]float64, len(b.Fraction))
		for i, c := range b.Fraction {
			s.HitShares[i] = ratio(c, b.Requests)
		}
	}
	return s
}

func ratio(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// hasBatches reports whether the sweep's points carry batch statistics.
func (s *Sweep) hasBatches() bool {
	for _, p := range s.Points {
		if p.Batch != nil {
			return true
		}
	}
	return false
}

// CSVBatchHeader lists the columns added when the trace has multi-key
// requests; the fetched percentiles are empty for points from an LRU curve.
var CSVBatchHeader = []string{"batch_requests", "batch_hits", "batch_hit_ratio", "batch_independent_estimate",
	"batch_keys_mean", "batch_fetched_mean", "batch_fetched_p50", "batch_fetched_p95", "batch_fetched_p99"}

// CSVBatchLatencyHeader lists the columns added with a latency report on
// such a trace: whole requests' latencies in milliseconds, with the cache
// and without ("uncached").
var CSVBatchLatencyHeader = []string{"batch_mean_ms", "batch_p50_ms", "batch_p95_ms", "batch_p99_ms",
	"batch_uncached_mean_ms", "batch_uncached_p50_ms", "batch_uncached_p95_ms", "batch_uncached_p99_ms"}

// batchHeader returns the batch columns of the sweep's CSV (none without batches).
func (s *Sweep) batchHeader() []string {
	if !s.hasBatches() {
		return nil
	}
	h := CSVBatchHeader
	if s.Latency != nil && s.Latency.BatchUncached != nil {
		h = append(h[:len(h):len(h)], CSVBatchLatencyHeader...)
	}
	return h
}

// batchRow returns p's values of the batch columns.
func (s *Sweep) batchRow(p sim.Point, lat map[string]LatencyRow) []string {
	h := s.batchHeader()
	if h == nil {
		return nil
	}
	row := make([]string, 0, len(h))
	if b := SummariseBatch(p.Stats); b != nil {
		opt := func(v *int) string {
			if v == nil {
				return ""
			}
			return strconv.Itoa(*v)
		}
		row = append(row, u(b.Requests), u(b.Hits), fmtFloat(b.HitRatio), fmtFloat(b.IndependentEstimate),
			fmtFloat(b.KeysMean), fmtFloat(b.FetchedMean), opt(b.FetchedP50), opt(b.FetchedP95), opt(b.FetchedP99))
	}
	for len(row) < len(CSVBatchHeader) {
		row = append(row, "")
	}
	if len(h) > len(CSVBatchHeader) {
		r, ok := lat[key(p.Policy, p.Size)]
		if ok && r.Batch != nil {
			un := s.Latency.BatchUncached
			row = append(row, fmtFloat(r.Batch.MeanMS), fmtFloat(r.Batch.P50MS), fmtFloat(r.Batch.P95MS), fmtFloat(r.Batch.P99MS),
				fmtFloat(un.MeanMS), fmtFloat(un.P50MS), fmtFloat(un.P95MS), fmtFloat(un.P99MS))
		}
		for len(row) < len(h) {
			row = append(row, "")
		}
	}
	return row
}

// writeBatchTable writes, per point, what the cache does to whole
// requests: the batch hit ratio beside the independence estimate, and the
// keys fetched per request.
func (s *Sweep) writeBatchTable(w io.Writer) error {
	if !s.hasBatches() {
		return nil
	}
	var first *BatchSummary
	for _, p := range s.Points {
		if first = SummariseBatch(p.Stats); first != nil {
			break
		}
	}
	fmt.Fprintf(w, "\nwhole requests: %s requests of %.1f keys on average (at most %d); a request is served from the cache when every key hits\n",
		Count(first.Requests), first.KeysMean, first.KeysMax)
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off), tablewriter.WithRowAlignment(tw.AlignRight))
	t.Header("policy", "size", "hit ratio (keys)", "batch hit ratio", "if keys hit independently", "keys fetched/request")
	for _, c := range Curves(s.Points) {
		for _, p := range c.Points {
			b := SummariseBatch(p.Stats)
			if b == nil {
				continue
			}
			if err := t.Append(p.Policy, sim.FormatSize(p.Size, s.bytes()), fmt.Sprintf("%.2f%%", 100*p.HitRatio()),
				fmt.Sprintf("%.2f%%", 100*b.HitRatio), fmt.Sprintf("%.2f%%", 100*b.IndependentEstimate), fetched(b)); err != nil {
				return err
			}
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	if c := s.Ceiling; c != nil && c.BatchRequests > 0 {
		fmt.Fprintf(w, "unlimited cache: batch hit ratio %.2f%% (%d of %d requests hold a first request for a key)\n",
			100*c.BatchHitRatio(), c.BatchMisses, c.BatchRequests)
	}
	fmt.Fprintln(w, "'if keys hit independently' is the mean over the requests of h^n (h the hit ratio of keys, n the request's keys): how far it is from the batch hit ratio is how much this trace's keys hit together, or apart")
	return nil
}

// fetched renders the keys fetched per request: the mean, and the p99 when known.
func fetched(b *BatchSummary) string {
	s := fmt.Sprintf("%.2f", b.FetchedMean)
	if b.FetchedP99 != nil {
		s += fmt.Sprintf(" (p99 %d)", *b.FetchedP99)
	}
	return s
}

// rows are a replay's batch figures, for its statistics table.
func (b *BatchSummary) rows() [][]string {
	rows := [][]string{
		{"requests (whole)", fmt.Sprintf("%s of %.1f keys on average (at most %d)", Count(b.Requests), b.KeysMean, b.KeysMax)},
		{"batch hit ratio", fmt.Sprintf("%.4f%% (%s served from the cache alone)", 100*b.HitRatio, Count(b.Hits))},
		{"if keys hit independently", fmt.Sprintf("%.4f%%", 100*b.IndependentEstimate)},
		{"keys fetched per request", fetchedDetail(b)},
	}
	if h := b.HitShares; h != nil {
		sum := func(from, to int) float64 {
			v := 0.0
			for _, x := range h[from:to] {
				v += x
			}
			return 100 * v
		}
		rows = append(rows, []string{"requests by share of keys hit", fmt.Sprintf("all %.1f%%, 90–99%% %.1f%%, 50–89%% %.1f%%, under 50%% %.1f%%",
			sum(10, 11), sum(9, 10), sum(5, 9), sum(0, 5))})
	}
	return rows
}

// fetchedDetail renders the keys fetched per request with their percentiles.
func fetchedDetail(b *BatchSummary) string {
	s := fmt.Sprintf("mean %.2f", b.FetchedMean)
	if b.FetchedP50 != nil {
		s += fmt.Sprintf(", p50 %d, p95 %d, p99 %d", *b.FetchedP50, *b.FetchedP95, *b.FetchedP99)
	}
	return s
}

// independenceSeries returns, per policy, the independence estimate
// against size, dashed in the policy's style, for the batch chart.
func (s *Sweep) independenceSeries(style map[string]int) []Series {
	var out []Series
	for _, cv := range Curves(s.Points) {
		sr := Series{Name: cv.Policy + " if keys hit independently", Style: style[cv.Policy], Estimate: true}
		for _, p := range cv.Points {
			if b := SummariseBatch(p.Stats); b != nil {
				sr.X, sr.Y = append(sr.X, float64(p.Size)), append(sr.Y, 100*b.IndependentEstimate)
			}
		}
		if len(sr.X) > 0 {
			out = append(out, sr)
		}
	}
	return out
}

package report

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/cachesim/cachesim/sim"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// Replay is what a single replay reports: one policy at one size.
type Replay struct {
	Workload string `json:"workload"`
	Policy   string `json:"policy"`
	Size     int64  `json:"size"`
	Unit     string `json:"unit"`
	// Span says which requests were replayed and counted (nil: all).
	Span         *Span   `json:"span,omitempty"`
	Requests     uint64  `json:"requests"`
	Hits         uint64  `json:"hits"`
	Misses       uint64  `json:"misses"`
	HitRatio     float64 `json:"hit_ratio"`
	ByteHitRatio float64 `json:"byte_hit_ratio"`
	Evictions    uint64  `json:"evictions"`
	// AdmissionRate is the share of misses admitted, for policies that decide (see sim.Stats.Admitted).
	AdmissionRate *float64 `json:"admission_rate,omitempty"`
	Sets          uint64   `json:"sets"`
	Deletes       uint64   `json:"deletes"`
	DistinctKeys  int      `json:"distinct_keys"`
	Seconds       float64  `json:"seconds"`
	RequestsPerS  float64  `json:"requests_per_second"`
	// Window and Windows are the timeline, when asked for.
	Window  string            `json:"window,omitempty"`
	Windows []sim.WindowStats `json:"windows,omitempty"`
	// Latency is the latency-reduction report, when a latency model was given.
	Latency *LatencyReport `json:"latency,omitempty"`
	// Prefix, for a prompt trace, holds the per-request and per-token
	// counts (requests and hits then count blocks), TokenHitRatio their
	// ratio and PrefixModel the rates and model (AddPrefix).
	Prefix        *sim.PrefixStats `json:"prefix,omitempty"`
	TokenHitRatio *float64         `json:"token_hit_ratio,omitempty"`
	PrefixModel   *Prefix          `json:"prefix_model,omitempty"`
	// Batch is what the cache did to whole multi-key requests (nil: the
	// trace has none).
	Batch *BatchSummary `json:"batch,omitempty"`
	// Peak is the backend load over time (time windows only, see Peak).
	Peak *Peak `json:"peak,omitempty"`

	point sim.Point
}

// NewReplay builds the report of a replay of workload through policy at
// size; took is the simulation's wall time.
func NewReplay(workload, policy string, size sim.Size, st sim.Stats, distinct int, took time.Duration) *Replay {
	r := &Replay{
		Workload: workload, Policy: policy, Size: size.N, Unit: size.Unit.String(),
		Requests: st.Requests, Hits: st.Hits, Misses: st.Misses(), HitRatio: st.HitRatio(),
		ByteHitRatio: st.ByteHitRatio(), Evictions: st.Evictions, Sets: st.Sets, Deletes: st.Deletes, DistinctKeys: distinct,
		Seconds: took.Seconds(), RequestsPerS: float64(st.Requests+st.Sets+st.Deletes) / max(took.Seconds(), 1e-9),
		Windows: st.Windows,
		point:   sim.Point{Policy: policy, Size: size.N, Stats: st},
		Batch:   SummariseBatch(st),
	}
	if st.Admitted+st.Rejected > 0 {
		rate := st.AdmissionRate()
		r.AdmissionRate = &rate
	}
	return r
}

// AddPrefix marks the replay as one of a prompt trace, with its rates and
// model (see Prefix).
func (r *Replay) AddPrefix(p *Prefix) {
	st := r.point.Stats
	if st.Prefix == nil {
		return
	}
	v := st.Prefix.TokenHitRatio()
	r.Prefix, r.TokenHitRatio, r.PrefixModel = st.Prefix, &v, p
	if r.Unit == "objects" {
		r.Unit = "blocks" // sizes count a prompt trace's blocks
	}
}

// AddLatency adds the latency report of the replay's histogram against
// uncached (every request a miss), with load's backend calls saved.
func (r *Replay) AddLatency(uncached *sim.Histogram, load Load, m *sim.LatencyModel) {
	lr := NewLatencyReport([]sim.Point{r.point}, uncached, load)
	lr.SetModel(m)
	r.Latency = lr
}

// WriteJSON writes the report as an indented JSON document.
func (r *Replay) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteCSV writes the replay as one row of the sweep CSV (same columns).
func (r *Replay) WriteCSV(w io.Writer) error {
	s := &Sweep{Workload: r.Workload, Requests: int(r.Requests), Unit: r.Unit, Points: []sim.Point{r.point}, Latency: r.Latency,
		Prefix: r.PrefixModel}
	if r.Peak != nil {
		s.Peaks = []*Peak{r.Peak}
	}
	return s.WriteCSV(w)
}

// WriteTable writes the statistics as a table, then the latency report.
func (r *Replay) WriteTable(w io.Writer) error {
	bytes := r.Unit == "bytes"
	fmt.Fprintf(w, "%s through %s at %s (%s)\n", r.Workload, r.Policy, sim.FormatSize(r.Size, bytes), r.Unit)
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	t.Header("statistic", "value")
	rows := [][]string{
		{"requests", Count(r.Requests)},
		{"hits", Count(r.Hits)},
		{"misses", Count(r.Misses)},
		{"hit ratio", fmt.Sprintf("%.4f%%", 100*r.HitRatio)},
		{"byte hit ratio", fmt.Sprintf("%.4f%%", 100*r.ByteHitRatio)},
		{"evictions", Count(r.Evictions)},
	}
	if r.AdmissionRate != nil {
		rows = append(rows, []string{"admission rate", fmt.Sprintf("%.2f%%", 100**r.AdmissionRate)})
	}
	if r.Prefix != nil {
		rows[0][0], rows[1][0], rows[2][0], rows[3][0], rows[4][0] = "blocks", "blocks hit", "blocks missed", "block hit ratio", "KV byte hit ratio"
		rows = append(prefixReplayRows(r.point.Stats, r.PrefixModel), rows...)
	}
	if r.Batch != nil {
		rows = append(rows, r.Batch.rows()...)
	}
	if r.Sets+r.Deletes > 0 {
		rows = append(rows, []string{"sets (not counted)", Count(r.Sets)}, []string{"deletes (not counted)", Count(r.Deletes)})
	}
	distinct, speed := "distinct keys", "requests/second"
	if r.Prefix != nil {
		distinct, speed = "distinct blocks", "blocks/second"
	}
	rows = append(rows, [][]string{
		{distinct, Count(r.DistinctKeys)},
		{"simulation time", (time.Duration(r.Seconds * 1e9)).Round(time.Microsecond).String()},
		{speed, Sig(r.RequestsPerS, 3)},
	}...)
	if len(r.Windows) > 0 {
		lo, hi := windowRange(r.Windows)
		rows = append(rows, []string{"windows", fmt.Sprintf("%s of %s", Count(len(r.Windows)), r.Window)},
			[]string{"window hit ratio", fmt.Sprintf("%.2f%% to %.2f%%", 100*lo, 100*hi)})
	}
	if err := t.Bulk(rows); err != nil {
		return err
	}
	if err := t.Render(); err != nil {
		return err
	}
	if r.Peak != nil {
		if err := WritePeaks(w, []*Peak{r.Peak}); err != nil {
			return err
		}
	}
	if r.Latency != nil {
		fmt.Fprintln(w)
		return r.Latency.WriteTable(w, bytes)
	}
	return nil
}

// windowRange returns the lowest and highest hit ratio of the windows with requests.
func windowRange(ws []sim.WindowStats) (lo, hi float64) {
	lo = 1
	for _, win := range ws {
		if win.Requests > 0 {
			lo, hi = min(lo, win.HitRatio()), max(hi, win.HitRatio())
		}
	}
	return lo, hi
}

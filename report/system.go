package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/sim/system"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// SystemReport is the report of system simulations: one run, or one per
// stampede mode and size of the varied level.
type SystemReport struct {
	Workload  string `json:"workload"`
	Hierarchy string `json:"hierarchy"`
	Instances int    `json:"instances"`
	Assign    string `json:"assign,omitempty"`
	Exclusive bool   `json:"exclusive,omitempty"`
	Writes    string `json:"write_policy"`
	// Vary names the level whose size a sweep varies, and Unit its unit.
	Vary string `json:"vary,omitempty"`
	Unit string `json:"unit,omitempty"`
	// Warmup describes what the statistics leave out.
	Warmup string      `json:"warmup,omitempty"`
	Runs   []SystemRun `json:"runs"`
	// Recommendations are the sizing rules' picks for the varied level (sweeps).
	Recommendations []Recommendation `json:"recommendations,omitempty"`
}

// SystemRun is one run of a SystemReport.
type SystemRun struct {
	Stampede string `json:"stampede"`
	// Size is the varied level's size (sweeps only).
	Size    int64 `json:"size,omitempty"`
	Summary struct {
		HitRatio     float64 `json:"hit_ratio"`
		ByteHitRatio float64 `json:"byte_hit_ratio"`
		Latency      Latency `json:"latency"`
	} `json:"summary"`
	// Batch is what the system does to whole multi-key requests, and
	// BatchLatency their latency (each waits for its slowest key).
	Batch        *BatchSummary `json:"batch,omitempty"`
	BatchLatency *Latency      `json:"batch_latency,omitempty"`
	system.Stats
}

// NewSystemRun summarises one run.
func NewSystemRun(stampede string, size int64, st system.Stats) SystemRun {
	r := SystemRun{Stampede: stampede, Size: size, Stats: st}
	r.Summary.HitRatio, r.Summary.ByteHitRatio = st.HitRatio(), st.ByteHitRatio()
	if st.Latency != nil {
		r.Summary.Latency = Summarise(st.Latency)
	}
	if r.Batch = SummariseBatch(st.Stats); r.Batch != nil && st.Batch.Latency != nil {
		l := Summarise(st.Batch.Latency)
		r.BatchLatency = &l
	}
	return r
}

// WriteJSON writes the report as indented JSON.
func (s *SystemReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

func pct(v float64) string  { return fmt.Sprintf("%.2f%%", 100*v) }
func msec(v float64) string { return Sig(v, 3) }

// title is the first line of the table output.
func (s *SystemReport) title() string {
	t := fmt.Sprintf("%s through %s", s.Workload, s.Hierarchy)
	if s.Instances > 1 {
		t += fmt.Sprintf(", %d instances (%s)", s.Instances, s.Assign)
	}
	if s.Vary != "" {
		t += ", " + s.Vary + "'s size varied"
	}
	if s.Exclusive {
		t += ", exclusive"
	}
	t += ", write-" + s.Writes
	if s.Warmup != "" {
		t += ", " + s.Warmup
	}
	return t
}

// WriteTable writes the details of a single run, or a comparison table of several.
func (s *SystemReport) WriteTable(w io.Writer) error {
	fmt.Fprintln(w, s.title())
	if len(s.Runs) == 1 && s.Vary == "" {
		return s.Runs[0].writeDetails(w)
	}
	header, rows := s.rows(true)
	if err := renderTable(w, header, rows); err != nil {
		return err
	}
	for _, r := range s.Recommendations {
		if r.Found {
			fmt.Fprintf(w, "%s: %s at %s of %s (%s): %s\n", r.Method, r.Policy, formatSize(r.Size, s.Unit == "bytes"), s.Vary, pct(r.HitRatio), r.Note)
		} else {
			fmt.Fprintf(w, "%s: %s: %s\n", r.Method, r.Policy, r.Note)
		}
	}
	return nil
}

// WriteCSV writes one row per run.
func (s *SystemReport) WriteCSV(w io.Writer) error {
	header, rows := s.rows(false)
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}

func formatSize(v int64, bytes bool) string { return sim.FormatSize(v, bytes) }

// rows lays out one row per run, for people (human) or for CSV.
func (s *SystemReport) rows(human bool) ([]string, [][]string) {
	num, ms, count := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }, fmtFloat, u
	if human {
		num, ms, count = pct, msec, Count[uint64]
	}
	var header []string
	if s.Vary != "" {
		header = append(header, s.Vary+"_size")
	}
	header = append(header, "stampede", "hit_ratio")
	if len(s.Runs) > 0 {
		for _, l := range s.Runs[0].Levels {
			header = append(header, l.Name+"_hit_ratio")
		}
	}
	header = append(header, "mean_ms", "p50_ms", "p95_ms", "p99_ms", "backend_calls", "backend_load",
		"duplicate_calls", "max_calls_per_key", "stale_reads", "store_writes")
	batches := len(s.Runs) > 0 && s.Runs[0].Batch != nil
	if batches {
		header = append(header, "batch_hit_ratio", "batch_independent_estimate", "batch_p99_ms")
	}
	var rows [][]string
	for _, r := range s.Runs {
		var row []string
		if s.Vary != "" {
			if human {
				row = append(row, formatSize(r.Size, s.Unit == "bytes"))
			} else {
				row = append(row, strconv.FormatInt(r.Size, 10))
			}
		}
		row = append(row, r.Stampede, num(r.Summary.HitRatio))
		for _, l := range r.Levels {
			row = append(row, num(l.HitRatio))
		}
		l := r.Summary.Latency
		row = append(row, ms(l.MeanMS), ms(l.P50MS), ms(l.P95MS), ms(l.P99MS),
			count(r.Backend.Calls), num(r.Backend.Load), count(r.Backend.Duplicates),
			count(uint64(r.Backend.MaxPerKey)), count(r.Writes.StaleReads), count(r.Writes.StoreWrites))
		if batches {
			p99 := ""
			if r.BatchLatency != nil {
				p99 = ms(r.BatchLatency.P99MS)
			}
			row = append(row, num(r.Batch.HitRatio), num(r.Batch.IndependentEstimate), p99)
		}
		rows = append(rows, row)
	}
	if human {
		for i, h := range header {
			header[i] = humanHeader(h)
		}
	}
	return header, rows
}

// humanHeader turns a CSV column name into a table heading.
func humanHeader(h string) string {
	b := []byte(h)
	for i, c := range b {
		if c == '_' {
			b[i] = ' '
		}
	}
	return string(b)
}

func renderTable(w io.Writer, header []string, rows [][]string) error {
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	t.Header(header)
	if err := t.Bulk(rows); err != nil {
		return err
	}
	return t.Render()
}

// writeDetails writes every figure of one run.
func (r SystemRun) writeDetails(w io.Writer) error {
	var levels [][]string
	for _, l := range r.Levels {
		levels = append(levels, []string{l.Name, Count(l.Reached), Count(l.Hits), pct(l.HitRatio), pct(l.HitRatioReached), Count(l.Evictions)})
	}
	if err := renderTable(w, []string{"level", "reached", "hits", "hit ratio (all requests)", "hit ratio (reached)", "evictions"}, levels); err != nil {
		return err
	}
	lat := r.Summary.Latency
	b := r.Backend
	rows := [][]string{
		{"requests", Count(r.Requests)},
		{"hits (any level)", Count(r.Hits)},
		{"hit ratio", pct(r.Summary.HitRatio)},
		{"byte hit ratio", pct(r.Summary.ByteHitRatio)},
		{"latency mean / p50 / p95 / p99", fmt.Sprintf("%s / %s / %s / %s ms", msec(lat.MeanMS), msec(lat.P50MS), msec(lat.P95MS), msec(lat.P99MS))},
		{"stampede", r.Stampede},
		{"backend calls", Count(b.Calls)},
		{"backend load (calls / requests)", pct(b.Load)},
	}
	if b.PerSecond > 0 {
		rows = append(rows, []string{"backend calls/second", Sig(b.PerSecond, 4)})
	}
	if r.Stampede != "off" {
		rows = append(rows,
			[]string{"duplicate calls (stampede)", Count(b.Duplicates)},
			[]string{"coalesced requests", Count(b.Coalesced)},
			[]string{"early recomputations", Count(b.EarlyRecomputes)},
			[]string{"max concurrent calls for one key", Count(b.MaxPerKey)},
			[]string{"max concurrent calls", Count(b.MaxConcurrent)})
	}
	if b.Expired > 0 {
		rows = append(rows, []string{"expired entries found", Count(b.Expired)})
	}
	if r.Prewarmed > 0 {
		rows = append(rows, []string{"prewarmed keys", Count(r.Prewarmed)})
	}
	wr := r.Writes
	if r.Sets+r.Deletes > 0 {
		rows = append(rows,
			[]string{"writes / deletes (not counted as requests)", Count(r.Sets) + " / " + Count(r.Deletes)},
			[]string{"store writes", Count(wr.StoreWrites)},
			[]string{"store writes saved", Count(wr.Saved)})
		if wr.MaxDirty > 0 {
			rows = append(rows,
				[]string{"entries at risk max / mean", Count(wr.MaxDirty) + " / " + Sig(wr.MeanDirty, 4)},
				[]string{"bytes at risk max / mean", Count(wr.MaxDirtyBytes) + " / " + Sig(wr.MeanDirtyBytes, 4)})
		}
		rows = append(rows,
			[]string{"invalidations sent to other L1s", Count(wr.Invalidations)},
			[]string{"stale reads", Count(wr.StaleReads)})
	}
	if r.Batch != nil {
		rows = append(rows, r.Batch.rows()...)
		if l := r.BatchLatency; l != nil {
			rows = append(rows, []string{"request latency mean / p50 / p95 / p99 (slowest key)",
				fmt.Sprintf("%s / %s / %s / %s ms", msec(l.MeanMS), msec(l.P50MS), msec(l.P95MS), msec(l.P99MS))})
		}
	}
	if r.Drops > 0 || len(r.Versions) > 0 {
		before, after := r.VersionDip()
		rows = append(rows,
			[]string{"model versions (drops)", Count(r.Drops)},
			[]string{"hit ratio just before / after a drop", fmt.Sprintf("%s / %s", pct(before.HitRatio()), pct(after.HitRatio()))},
			[]string{"backend calls just before / after (miss storm)", fmt.Sprintf("%s / %s (×%s)", Count(before.Calls), Count(after.Calls), Sig(float64(after.Calls)/max(float64(before.Calls), 1), 3))})
	}
	rows = append(rows, []string{"trace time covered", time.Duration(r.Span).Round(time.Millisecond).String()})
	return renderTable(w, []string{"statistic", "value"}, rows)
}

package report

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// Inspection is what `cachesim inspect` reports about a trace.
type Inspection struct {
	Format  string `json:"format"`
	Skipped int    `json:"skipped_records"`
	// Filtered counts well-formed records dropped as no cache operations.
	Filtered int `json:"filtered_records"`
	*traces.Summary
}

// WriteJSON writes the inspection as indented JSON.
func (in *Inspection) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(in)
}

// WriteTable writes the inspection as a two-column table.
func (in *Inspection) WriteTable(w io.Writer) error {
	s := in.Summary
	pct := func(f float64) string { return fmt.Sprintf("%.2f%%", 100*f) }
	dist := func(p traces.Percentiles, unit string) string {
		return fmt.Sprintf("p50 %s, p90 %s, p99 %s, max %s (mean %.4g)", num(p.P50, unit), num(p.P90, unit), num(p.P99, unit), num(p.Max, unit), p.Mean)
	}
	rows := [][]string{
		{"format", in.Format},
		{"requests", fmt.Sprint(s.Requests)},
		{"distinct keys", fmt.Sprint(s.DistinctKeys)},
		{"footprint (objects ever stored)", fmt.Sprint(s.FootprintObjects)},
		{"footprint bytes (last stored sizes)", fmt.Sprintf("%d (%s)", s.FootprintBytes, sim.FormatSize(s.FootprintBytes, true))},
		{"requested bytes", fmt.Sprintf("%d (%s)", s.RequestedBytes, sim.FormatSize(s.RequestedBytes, true))},
	}
	if in.Skipped > 0 {
		rows = append(rows, []string{"skipped malformed records", fmt.Sprint(in.Skipped)})
	}
	if in.Filtered > 0 {
		rows = append(rows, []string{"dropped, no cache operation", fmt.Sprint(in.Filtered)})
	}
	if s.HasTime {
		span := time.Duration(s.SpanSeconds * 1e9).Round(time.Millisecond)
		rows = append(rows, []string{"time span", span.String()}, []string{"request rate", fmt.Sprintf("%.4g/s", s.RatePerSec)})
	} else {
		rows = append(rows, []string{"time span", "no timestamps"})
	}
	rows = append(rows,
		[]string{"operations", fmt.Sprintf("%d get, %d set, %d delete, %d expire", s.Gets, s.Sets, s.Deletes, s.Expires)},
		[]string{"object size (last written)", dist(s.ObjectSize, "B")},
		[]string{"one-hit wonders (keys)", pct(s.OneHitWonders)},
		[]string{"requests to top 1% keys", pct(s.Top1Share)},
		[]string{"requests to top 10% keys", pct(s.Top10Share)},
		[]string{"Zipf fit", fmt.Sprintf("alpha %.3f (R² %.3f)", s.ZipfAlpha, s.ZipfR2)},
		[]string{"cold requests (first access)", pct(s.ColdShare)},
		[]string{"reuse distance (distinct keys)", dist(s.ReuseDistance, "")},
	)
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	t.Header("statistic", "value")
	if err := t.Bulk(rows); err != nil {
		return err
	}
	return t.Render()
}

func num(v float64, unit string) string { return fmt.Sprintf("%.0f%s", v, unit) }

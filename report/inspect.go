package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
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
	if s.Prompt != nil {
		return in.writePromptTable(w)
	}
	requests := []string{"requests", fmt.Sprint(s.Requests)}
	if s.ClientRequests > 0 {
		requests = []string{"requests (multi-key)", fmt.Sprintf("%d client requests of %d key lookups (rows)", s.ClientRequests, s.Requests)}
	}
	rows := [][]string{
		{"format", in.Format},
		requests,
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
		rows = append(rows, []string{"time span", span.String()})
		if s.ClientRequests > 0 {
			rows = append(rows, []string{"request rate", fmt.Sprintf("%.4g client requests/s, %.4g key lookups/s", s.ClientRatePerSec, s.RatePerSec)})
		} else {
			rows = append(rows, []string{"request rate", fmt.Sprintf("%.4g requests/s", s.RatePerSec)})
		}
	} else {
		rows = append(rows, []string{"time span", "no timestamps"})
	}
	rows = append(rows,
		[]string{"operations", operations(s)},
		[]string{"object size (last written)", dist(s.ObjectSize, "B")},
		[]string{"one-hit wonders (keys)", pct(s.OneHitWonders)},
		[]string{"requests to top 1% keys", pct(s.Top1Share)},
		[]string{"requests to top 10% keys", pct(s.Top10Share)},
		[]string{"Zipf fit", fmt.Sprintf("alpha %.3f (R² %.3f)", s.ZipfAlpha, s.ZipfR2)},
		[]string{"cold requests (first access)", pct(s.ColdShare)},
		[]string{"reuse distance (distinct keys)", dist(s.ReuseDistance, "")},
	)
	return writeStatistics(w, rows)
}

// writeStatistics writes rows of statistics and their values as a table.
func writeStatistics(w io.Writer, rows [][]string) error {
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	t.Header("statistic", "value")
	if err := t.Bulk(rows); err != nil {
		return err
	}
	return t.Render()
}

// writePromptTable writes the inspection of a prompt trace in its own
// terms: prompts, blocks and tokens rather than objects and bytes, the KV
// footprint in blocks and tokens, and what an unlimited prefix cache
// serves; the popularity and reuse rows count block requests (tails, if
// any, among them).
func (in *Inspection) writePromptTable(w io.Writer) error {
	s, p := in.Summary, in.Summary.Prompt
	pct := func(f float64) string { return fmt.Sprintf("%.2f%%", 100*f) }
	mean := func(a, b int64) string { return fmt.Sprintf("%.1f", float64(a)/float64(max(b, 1))) }
	tokens := fmt.Sprintf("%s (mean %s a prompt, max %s)", traces.Thousands(p.Tokens), traces.Thousands(int64(math.Round(float64(p.Tokens)/float64(max(p.Prompts, 1))))), traces.Thousands(p.MaxTokens))
	if p.TailTokens > 0 {
		tokens += fmt.Sprintf("; %s (%s) in tails that fill no block, never cached", traces.Thousands(p.TailTokens), pct(float64(p.TailTokens)/float64(p.Tokens)))
	}
	rows := [][]string{
		{"format", in.Format},
		{"prompts", traces.Thousands(p.Prompts)},
		{"blocks", fmt.Sprintf("%s (mean %s a prompt, max %s)", traces.Thousands(p.Blocks), mean(p.Blocks, p.Prompts), traces.Thousands(p.MaxBlocks))},
		{"tokens", tokens},
		{"KV footprint (distinct blocks)", fmt.Sprintf("%s blocks holding %s tokens (KV memory: × the model's KV bytes a token)", traces.Thousands(p.DistinctBlocks), traces.Thousands(p.DistinctTokens))},
		{"unlimited prefix cache", fmt.Sprintf("token hit ratio %s, block hit ratio %s", pct(p.TokenHitRatio()), pct(p.BlockHitRatio()))},
	}
	if in.Skipped > 0 {
		rows = append(rows, []string{"skipped malformed records", fmt.Sprint(in.Skipped)})
	}
	if s.HasTime {
		span := time.Duration(s.SpanSeconds * 1e9).Round(time.Millisecond)
		rows = append(rows, []string{"time span", span.String()},
			[]string{"prompt rate", fmt.Sprintf("%.4g prompts/s, %s tokens/s", p.PromptsPerSec, traces.Thousands(int64(math.Round(p.TokensPerSec))))})
	} else {
		rows = append(rows, []string{"time span", "no timestamps"})
	}
	rows = append(rows,
		[]string{"one-hit wonders (blocks)", pct(s.OneHitWonders)},
		[]string{"requests to top 1% blocks", pct(s.Top1Share)},
		[]string{"requests to top 10% blocks", pct(s.Top10Share)},
		[]string{"Zipf fit (blocks)", fmt.Sprintf("alpha %.3f (R² %.3f)", s.ZipfAlpha, s.ZipfR2)},
		[]string{"cold blocks (first access)", pct(s.ColdShare)},
		[]string{"reuse distance (distinct blocks)", fmt.Sprintf("p50 %.0f, p90 %.0f, p99 %.0f, max %.0f (mean %.4g)",
			s.ReuseDistance.P50, s.ReuseDistance.P90, s.ReuseDistance.P99, s.ReuseDistance.Max, s.ReuseDistance.Mean)},
	)
	return writeStatistics(w, rows)
}

func num(v float64, unit string) string { return fmt.Sprintf("%.0f%s", v, unit) }

// operations is the operation mix of s: gets, sets, deletes, expires, and
// the changes of the truth when there are any.
func operations(s *traces.Summary) string {
	ops := fmt.Sprintf("%d get, %d set, %d delete, %d expire", s.Gets, s.Sets, s.Deletes, s.Expires)
	if s.Changes > 0 {
		ops += fmt.Sprintf(", %d change", s.Changes)
	}
	return ops
}

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
	if s.Prompt != nil {
		return in.writePromptTable(w)
	}
	requests := []string{"requests", Count(s.Requests)}
	if s.ClientRequests > 0 {
		requests = []string{"requests (multi-key)", fmt.Sprintf("%s client requests of %s key lookups (rows)", Count(s.ClientRequests), Count(s.Requests))}
	}
	rows := [][]string{
		{"format", in.Format},
		requests,
		{"distinct keys", Count(s.DistinctKeys)},
		{"footprint (objects ever stored)", Count(s.FootprintObjects)},
		{"footprint bytes (last stored sizes)", fmt.Sprintf("%s (%s)", Count(s.FootprintBytes), sim.FormatSize(s.FootprintBytes, true))},
		{"requested bytes", fmt.Sprintf("%s (%s)", Count(s.RequestedBytes), sim.FormatSize(s.RequestedBytes, true))},
	}
	if in.Skipped > 0 {
		rows = append(rows, []string{"skipped malformed records", Count(in.Skipped)})
	}
	if in.Filtered > 0 {
		rows = append(rows, []string{"dropped, no cache operation", Count(in.Filtered)})
	}
	if s.HasTime {
		span := time.Duration(s.SpanSeconds * 1e9).Round(time.Millisecond)
		rows = append(rows, []string{"time span", span.String()})
		if s.ClientRequests > 0 {
			rows = append(rows, []string{"request rate", fmt.Sprintf("%s client requests/s, %s key lookups/s", Sig(s.ClientRatePerSec, 4), Sig(s.RatePerSec, 4))})
		} else {
			rows = append(rows, []string{"request rate", Sig(s.RatePerSec, 4) + " requests/s"})
		}
	} else {
		rows = append(rows, []string{"time span", "no timestamps"})
	}
	rows = append(rows,
		[]string{"operations", operations(s)},
		[]string{"object size (last written)", distribution(s.ObjectSize, "B")},
		[]string{"one-hit wonders (keys)", pct(s.OneHitWonders)},
		[]string{"requests to top 1% keys", pct(s.Top1Share)},
		[]string{"requests to top 10% keys", pct(s.Top10Share)},
		[]string{"Zipf fit", fmt.Sprintf("alpha %.3f (R² %.3f)", s.ZipfAlpha, s.ZipfR2)},
		[]string{"cold requests (first access)", pct(s.ColdShare)},
		[]string{"reuse distance (distinct keys)", distribution(s.ReuseDistance, "")},
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
	tokens := fmt.Sprintf("%s (mean %s a prompt, max %s)", Count(p.Tokens), Count(int64(math.Round(float64(p.Tokens)/float64(max(p.Prompts, 1))))), Count(p.MaxTokens))
	if p.TailTokens > 0 {
		tokens += fmt.Sprintf("; %s (%s) in tails that fill no block, never cached", Count(p.TailTokens), pct(float64(p.TailTokens)/float64(p.Tokens)))
	}
	rows := [][]string{
		{"format", in.Format},
		{"prompts", Count(p.Prompts)},
		{"blocks", fmt.Sprintf("%s (mean %s a prompt, max %s)", Count(p.Blocks), mean(p.Blocks, p.Prompts), Count(p.MaxBlocks))},
		{"tokens", tokens},
		{"KV footprint (distinct blocks)", fmt.Sprintf("%s blocks holding %s tokens (KV memory: × the model's KV bytes a token)", Count(p.DistinctBlocks), Count(p.DistinctTokens))},
		{"unlimited prefix cache", fmt.Sprintf("token hit ratio %s, block hit ratio %s", pct(p.TokenHitRatio()), pct(p.BlockHitRatio()))},
	}
	if in.Skipped > 0 {
		rows = append(rows, []string{"skipped malformed records", Count(in.Skipped)})
	}
	if s.HasTime {
		span := time.Duration(s.SpanSeconds * 1e9).Round(time.Millisecond)
		rows = append(rows, []string{"time span", span.String()},
			[]string{"prompt rate", fmt.Sprintf("%s prompts/s, %s tokens/s", Sig(p.PromptsPerSec, 4), Count(int64(math.Round(p.TokensPerSec))))})
	} else {
		rows = append(rows, []string{"time span", "no timestamps"})
	}
	rows = append(rows,
		[]string{"one-hit wonders (blocks)", pct(s.OneHitWonders)},
		[]string{"requests to top 1% blocks", pct(s.Top1Share)},
		[]string{"requests to top 10% blocks", pct(s.Top10Share)},
		[]string{"Zipf fit (blocks)", fmt.Sprintf("alpha %.3f (R² %.3f)", s.ZipfAlpha, s.ZipfR2)},
		[]string{"cold blocks (first access)", pct(s.ColdShare)},
		[]string{"reuse distance (distinct blocks)", distribution(s.ReuseDistance, "")},
	)
	return writeStatistics(w, rows)
}

// distribution renders percentiles of values in unit.
func distribution(p traces.Percentiles, unit string) string {
	return fmt.Sprintf("p50 %s, p90 %s, p99 %s, max %s (mean %s)", num(p.P50, unit), num(p.P90, unit), num(p.P99, unit), num(p.Max, unit), Sig(p.Mean, 4))
}

// num renders a whole measured value and its unit: 1,234B.
func num(v float64, unit string) string { return Count(int64(math.Round(v))) + unit }

// operations is the operation mix of s: gets, sets, deletes, expires, and
// the changes of the truth when there are any.
func operations(s *traces.Summary) string {
	ops := fmt.Sprintf("%s get, %s set, %s delete, %s expire", Count(s.Gets), Count(s.Sets), Count(s.Deletes), Count(s.Expires))
	if s.Changes > 0 {
		ops += fmt.Sprintf(", %s change", Count(s.Changes))
	}
	return ops
}

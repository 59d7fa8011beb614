package report

import (
	"fmt"
	"io"

	"github.com/cachesim/cachesim/sim"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// Prefix is what a report of a prompt trace (prefix caching) adds: the
// rates that turn token hits into prefill saved, and the model behind them.
type Prefix struct {
	// PromptsPerS and TokensPerS are the requests and their prompt tokens
	// per second (0: the trace has no timestamps).
	PromptsPerS float64 `json:"prompts_per_second,omitempty"`
	TokensPerS  float64 `json:"prompt_tokens_per_second,omitempty"`
	// BytesPerToken is the KV memory of a token (0: sizes count blocks).
	BytesPerToken int64 `json:"kv_bytes_per_token,omitempty"`
	// PrefillTokensPerS is the server's prefill throughput for one request
	// (0: not given): it turns hit tokens into time to first token saved.
	PrefillTokensPerS float64 `json:"prefill_tokens_per_second,omitempty"`
}

// CSVPrefixHeader lists the columns a sweep of a prompt trace adds. The
// rows' requests, hits and hit_ratio count blocks; bytes and byte_hits
// their KV bytes (tokens without a model shape).
var CSVPrefixHeader = []string{"prompts", "tokens", "token_hits", "token_hit_ratio", "full_hits", "partial_hits", "no_hits",
	"unstored_blocks", "prefill_tokens_saved_per_s", "ttft_saved_ms"}

// savedPerS is the prefill tokens per second the cache saves at st (nil: no rate).
func (p *Prefix) savedPerS(st sim.Stats) *float64 {
	if p == nil || p.TokensPerS == 0 || st.Prefix == nil {
		return nil
	}
	v := st.Prefix.TokenHitRatio() * p.TokensPerS
	return &v
}

// ttft returns the mean prefill time of a request in ms without a cache
// and with it at st, when the prefill throughput is known.
func (p *Prefix) ttft(st sim.Stats) (without, with float64, ok bool) {
	if p == nil || p.PrefillTokensPerS == 0 || st.Prefix == nil || st.Prefix.Prompts == 0 {
		return 0, 0, false
	}
	ps := st.Prefix
	n := float64(ps.Prompts)
	without = 1e3 * float64(ps.Tokens) / n / p.PrefillTokensPerS
	with = 1e3 * float64(ps.Tokens-ps.TokenHits) / n / p.PrefillTokensPerS
	return without, with, true
}

// prefixCSV returns the prefix columns of st's row.
func (p *Prefix) prefixCSV(st sim.Stats) []string {
	ps := st.Prefix
	if ps == nil {
		return make([]string, len(CSVPrefixHeader))
	}
	row := []string{u(ps.Prompts), u(ps.Tokens), u(ps.TokenHits), fmtFloat(ps.TokenHitRatio()), u(ps.Full), u(ps.Partial),
		u(ps.None()), u(ps.Unstored), "", ""}
	if v := p.savedPerS(st); v != nil {
		row[8] = fmtFloat(*v)
	}
	if without, with, ok := p.ttft(st); ok {
		row[9] = fmtFloat(without - with)
	}
	return row
}

// share renders n of total as a percentage.
func share(n, total uint64) string {
	if total == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(total))
}

// writePrefixTable writes a prompt trace's sweep table: per policy and
// size the token hit ratio, the block hit ratio, the requests with full,
// partial and no hits, and what the rates and the model make of them.
func (s *Sweep) writePrefixTable(w io.Writer) error {
	var blocks uint64
	if len(s.Points) > 0 {
		blocks = s.Points[0].Requests
	}
	fmt.Fprintf(w, "%s: %d prompts (%d blocks), %s capacity; prefix rule (hits count up to a request's first missing block)\n",
		s.Workload, s.prompts(), blocks, s.capacityUnit())
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off), tablewriter.WithRowAlignment(tw.AlignRight))
	header := []any{"policy", "size", "token hit ratio", "gain (pp)", "block hit ratio", "full", "partial", "none", "evictions"}
	if s.Prefix.TokensPerS > 0 {
		header = append(header, "prefill tokens/s saved")
	}
	if s.Prefix.PrefillTokensPerS > 0 {
		header = append(header, "mean TTFT (ms)")
	}
	t.Header(header...)
	for _, c := range Curves(s.Points) {
		gains := c.gains(TokenHitRatio)
		for i, p := range c.Points {
			ps := p.Prefix
			if ps == nil {
				ps = &sim.PrefixStats{}
			}
			gain := "-"
			if i > 0 {
				gain = fmt.Sprintf("%+.3f", gains[i])
			}
			row := []any{p.Policy, sim.FormatSize(p.Size, s.bytes()), fmt.Sprintf("%.2f%%", 100*ps.TokenHitRatio()), gain,
				fmt.Sprintf("%.2f%%", 100*p.HitRatio()), share(ps.Full, ps.Prompts), share(ps.Partial, ps.Prompts),
				share(ps.None(), ps.Prompts), u(p.Evictions)}
			if s.Prefix.TokensPerS > 0 {
				row = append(row, Amount(*s.Prefix.savedPerS(p.Stats)))
			}
			if without, with, ok := s.Prefix.ttft(p.Stats); ok {
				row = append(row, fmt.Sprintf("%.1f → %.1f", without, with))
			}
			if err := t.Append(row...); err != nil {
				return err
			}
		}
	}
	return t.Render()
}

// prompts returns the prompts of the sweep's trace.
func (s *Sweep) prompts() uint64 {
	for _, p := range s.Points {
		if p.Prefix != nil {
			return p.Prefix.Prompts
		}
	}
	return 0
}

// capacityUnit names the capacity: KV bytes or blocks.
func (s *Sweep) capacityUnit() string {
	if s.bytes() {
		return "KV memory"
	}
	return "block-count"
}

// prefixPlan adds what the plan of a prompt trace says at point p: the
// prefill tokens saved per second and the time to first token.
func (s *Sweep) prefixPlan(p sim.Point) []string {
	var parts []string
	if v := s.Prefix.savedPerS(p.Stats); v != nil {
		parts = append(parts, fmt.Sprintf("%s prefill tokens/s saved", Amount(*v)))
	}
	if without, with, ok := s.Prefix.ttft(p.Stats); ok {
		parts = append(parts, fmt.Sprintf("mean TTFT %s → %s (%s saved per request)", fmtMS(without), fmtMS(with), fmtMS(without-with)))
	}
	if ps := p.Prefix; ps != nil && ps.Prompts > 0 {
		parts = append(parts, fmt.Sprintf("%s of requests hit in full, %s in part", share(ps.Full, ps.Prompts), share(ps.Partial, ps.Prompts)))
	}
	return parts
}

// prefixReplayRows are the rows a replay of a prompt trace adds.
func prefixReplayRows(st sim.Stats, p *Prefix) [][]string {
	ps := st.Prefix
	rows := [][]string{
		{"prompts", u(ps.Prompts)},
		{"token hit ratio", fmt.Sprintf("%.4f%%", 100*ps.TokenHitRatio())},
		{"prompts hit in full / in part / not", share(ps.Full, ps.Prompts) + " / " + share(ps.Partial, ps.Prompts) + " / " + share(ps.None(), ps.Prompts)},
		{"prompt tokens", u(ps.Tokens)},
	}
	if ps.Unstored > 0 {
		rows = append(rows, []string{"blocks not stored (pinned blocks filled the cache)", u(ps.Unstored)})
	}
	if v := p.savedPerS(st); v != nil {
		rows = append(rows, []string{"prefill tokens/s saved", Amount(*v)})
	}
	if without, with, ok := p.ttft(st); ok {
		rows = append(rows, []string{"mean TTFT without → with the cache", fmtMS(without) + " → " + fmtMS(with)})
	}
	return rows
}

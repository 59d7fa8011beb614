package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/sim/target"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// ServerLatency is the client-side latency of a real run, in milliseconds.
type ServerLatency struct {
	MeanMS float64 `json:"mean_ms"`
	P50MS  float64 `json:"p50_ms"`
	P90MS  float64 `json:"p90_ms"`
	P99MS  float64 `json:"p99_ms"`
	P999MS float64 `json:"p99_9_ms"`
	MaxMS  float64 `json:"max_ms"`
}

// NewServerLatency summarises a histogram of latencies in seconds.
func NewServerLatency(h *sim.Histogram) ServerLatency {
	ms := func(s float64) float64 { return 1e3 * s }
	return ServerLatency{MeanMS: ms(h.Mean()), P50MS: ms(h.Quantile(0.5)), P90MS: ms(h.Quantile(0.9)),
		P99MS: ms(h.Quantile(0.99)), P999MS: ms(h.Quantile(0.999)), MaxMS: ms(h.Max())}
}

// Predicted is one simulated model beside the real run.
type Predicted struct {
	Policy   string  `json:"policy"`
	HitRatio float64 `json:"hit_ratio"`
	// DiffPP is the simulated minus the real hit ratio, in percentage points.
	DiffPP float64 `json:"diff_pp"`
}

// ServerRun is one replay against a live server beside the simulator's
// predictions for the same trace, clock and memory.
type ServerRun struct {
	Workload  string `json:"workload"`
	Target    string `json:"target"`
	MaxMemory int64  `json:"maxmemory"`
	Policy    string `json:"policy"`
	Clients   int    `json:"clients"`
	Pipeline  int    `json:"pipeline"`
	// The client's own counts: gets, their hits, the trace's writes, the
	// SETs after misses, and writes the server refused.
	Requests     uint64        `json:"requests"`
	Hits         uint64        `json:"hits"`
	HitRatio     float64       `json:"hit_ratio"`
	ByteHitRatio float64       `json:"byte_hit_ratio"`
	Sets         uint64        `json:"sets"`
	Deletes      uint64        `json:"deletes"`
	Fills        uint64        `json:"fills"`
	Refused      uint64        `json:"refused_writes"`
	Latency      ServerLatency `json:"latency"`
	Seconds      float64       `json:"seconds"`
	RequestsPerS float64       `json:"requests_per_second"`
	// Server is the server's counters after the run; ServerHits,
	// ServerMisses and Evictions are their increase during it.
	Server       target.Counters `json:"server"`
	ServerHits   uint64          `json:"server_hits"`
	ServerMisses uint64          `json:"server_misses"`
	Evictions    uint64          `json:"evictions"`
	// EmptyMemory is the server's used memory with the database empty.
	EmptyMemory int64 `json:"empty_used_memory"`
	// OverheadPerKey is (used memory − empty used memory − value bytes) ÷ keys.
	OverheadPerKey float64 `json:"overhead_per_key"`
	// SimCapacity and SimOverhead are what the simulation used.
	SimCapacity int64       `json:"sim_capacity"`
	SimOverhead uint32      `json:"sim_overhead_per_object"`
	Simulated   []Predicted `json:"simulated"`
	// Facts about the input that can explain a gap between the simulated
	// and the real hit ratio (see Mismatch): whether the trace carries
	// sizes and timestamps, its mean object size, and whether the models
	// run on a clock (idle times, decay, bump intervals).
	TraceHasSizes   bool    `json:"trace_has_sizes"`
	TraceHasTimes   bool    `json:"trace_has_times"`
	MeanObjectBytes float64 `json:"mean_object_bytes"`
	ClockModels     bool    `json:"clock_models"`
	// Mismatch is set when the simulation misses the real hit ratio by
	// more than MismatchPP (see CheckMismatch).
	Mismatch *Mismatch `json:"mismatch,omitempty"`
}

// MismatchPP is the gap, in percentage points, past which a live run's
// simulated and real hit ratios are said to disagree.
const MismatchPP = 2.0

// Mismatch is a disagreement between a model of the server and the server.
type Mismatch struct {
	// Model is the simulated model of the server's own policy (the first).
	Model  string  `json:"model"`
	DiffPP float64 `json:"diff_pp"`
	// Causes are the likely causes found in the input and the run, each a
	// sentence; none when nothing detectable explains the gap.
	Causes []string `json:"likely_causes"`
}

// CheckMismatch sets r.Mismatch when the model of the server's policy (the
// first simulated) misses the real hit ratio by more than MismatchPP, with
// the likely causes it can detect.
func (r *ServerRun) CheckMismatch() {
	r.Mismatch = nil
	if len(r.Simulated) == 0 || math.Abs(r.Simulated[0].DiffPP) <= MismatchPP {
		return
	}
	m := &Mismatch{Model: r.Simulated[0].Policy, DiffPP: r.Simulated[0].DiffPP}
	if !r.TraceHasSizes {
		m.Causes = append(m.Causes, "the trace carries no object sizes, so every value was 1 byte and the server's memory went to "+
			"its per-key overhead, which the simulation can only estimate")
	}
	if !r.TraceHasTimes && r.ClockModels {
		m.Causes = append(m.Causes, fmt.Sprintf("the trace has no timestamps, so it was replayed as fast as it went (%.0f requests/s): "+
			"the server's eviction clock (idle times, frequency decay) saw a compressed run", r.RequestsPerS))
	}
	if d := float64(r.SimOverhead) - r.OverheadPerKey; math.Abs(d) > math.Max(8, 0.1*r.OverheadPerKey) {
		m.Causes = append(m.Causes, fmt.Sprintf("the simulation counted %d B per object, the server measured %.1f B per key", r.SimOverhead, r.OverheadPerKey))
	} else if r.TraceHasSizes && r.MeanObjectBytes > 0 && r.OverheadPerKey > 0.5*r.MeanObjectBytes {
		m.Causes = append(m.Causes, fmt.Sprintf("the overhead per key (%.1f B) is large beside the mean object (%.1f B): "+
			"a small error in it moves the capacity a lot", r.OverheadPerKey, r.MeanObjectBytes))
	}
	if r.Refused > 0 {
		m.Causes = append(m.Causes, fmt.Sprintf("the server refused %d writes", r.Refused))
	}
	if r.Server.Fragmentation > 1.5 {
		m.Causes = append(m.Causes, fmt.Sprintf("the server's memory is fragmented (ratio %.2f): it holds fewer keys than its limit suggests", r.Server.Fragmentation))
	}
	r.Mismatch = m
}

// write writes the warning of a mismatch, if any, each line after prefix.
func (m *Mismatch) write(w io.Writer, prefix string) {
	if m == nil {
		return
	}
	fmt.Fprintf(w, "%swarning: the simulated %s is %+.2f pp off the real hit ratio (more than %g pp)", prefix, m.Model, m.DiffPP, MismatchPP)
	if len(m.Causes) == 0 {
		fmt.Fprintln(w, "; no cause this tool can detect (randomised eviction, concurrency of the clients)")
		return
	}
	fmt.Fprintln(w, "; likely causes:")
	for _, c := range m.Causes {
		fmt.Fprintf(w, "%s  - %s\n", prefix, c)
	}
}

// NewPredicted sets each simulated point beside the real hit ratio.
func NewPredicted(points []sim.Point, realHitRatio float64) []Predicted {
	out := make([]Predicted, len(points))
	for i, p := range points {
		out[i] = Predicted{Policy: p.Policy, HitRatio: p.HitRatio(), DiffPP: 100 * (p.HitRatio() - realHitRatio)}
	}
	return out
}

// memory renders a memory limit; 0 and the stand-in for no limit (at
// least math.MaxInt64/4) read "no limit".
func memory(v int64) string {
	if v <= 0 || v >= math.MaxInt64/4 {
		return "no limit"
	}
	return sim.FormatSize(v, true)
}

// WriteTable writes the run, the server's counters and the predictions.
func (r ServerRun) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "%s against %s, %s, maxmemory %s, %d client(s), pipeline %d\n",
		r.Workload, r.Target, r.Policy, memory(r.MaxMemory), r.Clients, r.Pipeline)
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	t.Header("real server", "value")
	l := r.Latency
	rows := [][]string{
		{"gets", Count(r.Requests)},
		{"hits", Count(r.Hits)},
		{"hit ratio", pct(r.HitRatio)},
		{"byte hit ratio", pct(r.ByteHitRatio)},
		{"sets / deletes / fills after misses", fmt.Sprintf("%d / %d / %d", r.Sets, r.Deletes, r.Fills)},
		{"writes refused by the server", Count(r.Refused)},
		{"latency mean / p50 / p90 / p99 / p99.9 / max", fmt.Sprintf("%.3f / %.3f / %.3f / %.3f / %.3f / %.3f ms", l.MeanMS, l.P50MS, l.P90MS, l.P99MS, l.P999MS, l.MaxMS)},
		{"replay time", (time.Duration(r.Seconds * 1e9)).Round(time.Millisecond).String()},
		{"requests/second", fmt.Sprintf("%.0f", r.RequestsPerS)},
		{"server hits / misses (this run)", fmt.Sprintf("%d / %d", r.ServerHits, r.ServerMisses)},
		{"evicted keys (this run)", Count(r.Evictions)},
		{"keys at the end", Count(r.Server.Keys)},
		{"used memory (empty → end)", fmt.Sprintf("%s → %s", sim.FormatSize(r.EmptyMemory, true), sim.FormatSize(r.Server.UsedMemory, true))},
	}
	if r.Server.Fragmentation > 0 {
		rows = append(rows, []string{"mem_fragmentation_ratio", fmt.Sprintf("%.2f", r.Server.Fragmentation)})
	}
	rows = append(rows, r.slabRows()...)
	rows = append(rows, []string{"overhead per key (the simulation's per-object overhead)", fmt.Sprintf("%.1f B", r.OverheadPerKey)})
	if err := t.Bulk(rows); err != nil {
		return err
	}
	if err := t.Render(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nsimulated at %s with %d B per object, on the replay's clock\n", memory(r.SimCapacity), r.SimOverhead)
	p := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	p.Header("model", "hit ratio", "simulated − real")
	rows = [][]string{{"real server", pct(r.HitRatio), ""}}
	for _, s := range r.Simulated {
		rows = append(rows, []string{s.Policy, pct(s.HitRatio), fmt.Sprintf("%+.2f pp", s.DiffPP)})
	}
	if err := p.Bulk(rows); err != nil {
		return err
	}
	if err := p.Render(); err != nil {
		return err
	}
	r.Mismatch.write(w, "")
	return nil
}

// slabRows are memcached's memory rows: the slab pages it really holds
// against its limit, and the memory its items take.
func (r ServerRun) slabRows() [][]string {
	c := r.Server
	if c.SlabMemory == 0 {
		return nil
	}
	held := fmt.Sprintf("%s / %s", sim.FormatSize(c.SlabMemory, true), memory(c.MemoryLimit))
	classes := fmt.Sprint(c.SlabClasses)
	if c.SlabMemory > c.MemoryLimit && c.MemoryLimit > 0 {
		held += fmt.Sprintf(" (%.1f×)", float64(c.SlabMemory)/float64(c.MemoryLimit))
		classes += " (each gets its first page even beyond the limit)"
	}
	rows := [][]string{{"slab pages held (total_malloced) / memory limit", held}, {"slab classes holding pages", classes}}
	if c.Keys > 0 {
		rows = append(rows, []string{"memory per item (chunks ÷ items)", fmt.Sprintf("%.1f B", float64(c.ChunkMemory)/float64(c.Keys))})
	}
	return rows
}

// WriteJSON writes the run as indented JSON.
func (r ServerRun) WriteJSON(w io.Writer) error { return writeJSON(w, r) }

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// ServerSweep is a real server run at several memory limits.
type ServerSweep []ServerRun

// WriteTable writes one row per memory limit: the real hit ratio beside the models'.
func (s ServerSweep) WriteTable(w io.Writer) error {
	if len(s) == 0 {
		return nil
	}
	fmt.Fprintf(w, "%s against %s, %s: real hit ratio beside the simulation (same clock, measured overhead per key)\n",
		s[0].Workload, s[0].Target, s[0].Policy)
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	header := []string{"maxmemory", "real"}
	for _, p := range s[0].Simulated {
		header = append(header, p.Policy)
	}
	slabs := s[0].Server.SlabMemory > 0
	if slabs {
		header = append(header, "slab pages held")
	}
	t.Header(append(header, "evictions", "overhead/key", "requests/s"))
	var rows [][]string
	for _, r := range s {
		row := []string{memory(r.MaxMemory), pct(r.HitRatio)}
		for _, p := range r.Simulated {
			row = append(row, fmt.Sprintf("%s (%+.2f)", pct(p.HitRatio), p.DiffPP))
		}
		if slabs {
			row = append(row, sim.FormatSize(r.Server.SlabMemory, true))
		}
		rows = append(rows, append(row, Count(r.Evictions), fmt.Sprintf("%.1f B", r.OverheadPerKey), Amount(r.RequestsPerS)))
	}
	if err := t.Bulk(rows); err != nil {
		return err
	}
	if err := t.Render(); err != nil {
		return err
	}
	for _, r := range s {
		if r.Mismatch != nil {
			fmt.Fprintf(w, "at maxmemory %s:\n", memory(r.MaxMemory))
			r.Mismatch.write(w, "  ")
		}
	}
	return nil
}

// WriteCSV writes one row per memory limit and model ("real" for the server).
func (s ServerSweep) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"maxmemory", "model", "hit_ratio", "diff_pp", "evictions", "overhead_per_key", "requests_per_second", "slab_memory"})
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }
	for _, r := range s {
		size := strconv.FormatInt(r.MaxMemory, 10)
		cw.Write([]string{size, "real", f(r.HitRatio), "0", fmt.Sprint(r.Evictions), f(r.OverheadPerKey), f(r.RequestsPerS),
			strconv.FormatInt(r.Server.SlabMemory, 10)})
		for _, p := range r.Simulated {
			cw.Write([]string{size, p.Policy, f(p.HitRatio), f(p.DiffPP), "", "", "", ""})
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes the runs as indented JSON.
func (s ServerSweep) WriteJSON(w io.Writer) error { return writeJSON(w, s) }

// Chart draws the real hit ratio (solid, with markers) beside every
// model's (dashed) against the memory limit.
func (s ServerSweep) Chart() *Chart {
	if len(s) == 0 {
		return nil
	}
	sizes := make([]int64, len(s))
	for i, r := range s {
		sizes[i] = r.MaxMemory
	}
	c := &Chart{Title: "Real server beside the simulation (" + s[0].Policy + "): " + s[0].Workload,
		XLabel: "maxmemory", YLabel: "hit ratio (%)", XKind: XBytes, LogX: LogAxis(sizes)}
	if c.LogX {
		c.XLabel += ", log scale"
	}
	real := Series{Name: "real " + strings.Fields(s[0].Target)[0], Markers: true}
	for _, r := range s {
		real.X, real.Y = append(real.X, float64(r.MaxMemory)), append(real.Y, 100*r.HitRatio)
	}
	c.Series = append(c.Series, real)
	for i, p := range s[0].Simulated {
		name, _, _ := strings.Cut(p.Policy, "(")
		sr := Series{Name: "simulated " + name, Style: i + 1, Dashed: true, Markers: true}
		for _, r := range s {
			sr.X, sr.Y = append(sr.X, float64(r.MaxMemory)), append(sr.Y, 100*r.Simulated[i].HitRatio)
		}
		c.Series = append(c.Series, sr)
	}
	c.YMin, c.YMax = percentRange(c.Series)
	return c
}

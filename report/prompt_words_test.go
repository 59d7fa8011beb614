package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
)

// A prompt sweep in block counts says blocks, not objects: the chart's
// size axis, the CSV's and the JSON's unit, the unlimited cache's line;
// in KV bytes, KV memory and bytes. A replay's title and rows say blocks.
func TestPromptSweepSaysBlocks(t *testing.T) {
	point := sim.Point{Policy: "lru", Size: 10, Stats: sim.Stats{Requests: 10, Hits: 4, Prefix: &sim.PrefixStats{Prompts: 2, Tokens: 160, TokenHits: 64}}}
	s := &Sweep{Workload: "chat.jsonl", Requests: 10, Unit: "objects", Points: []sim.Point{point}, Prefix: &Prefix{},
		Ceiling: &sim.Ceiling{Requests: 10, Misses: 5, Tokens: 160, TokenMisses: 80}, Footprint: 7}
	if _, _, label := s.sizeAxis(); !strings.HasPrefix(label, "cache size (blocks)") {
		t.Errorf("size axis %q", label)
	}
	var csv, js, table bytes.Buffer
	if err := s.WriteCSV(&csv); err != nil || !strings.Contains(csv.String(), "\nlru,10,blocks,") {
		t.Errorf("CSV (%v):\n%s", err, csv.String())
	}
	if err := s.WriteJSON(&js); err != nil || !strings.Contains(js.String(), `"unit": "blocks"`) {
		t.Errorf("JSON (%v):\n%s", err, js.String())
	}
	if s.Unit != "objects" {
		t.Errorf("writing changed the sweep's unit to %q", s.Unit)
	}
	if err := s.WriteTable(&table); err != nil || !strings.Contains(table.String(), "every block fits in 7 blocks") {
		t.Errorf("table (%v):\n%s", err, table.String())
	}

	kv := *s
	kv.Unit = "bytes"
	csv.Reset()
	if _, _, label := kv.sizeAxis(); !strings.HasPrefix(label, "KV cache memory") {
		t.Errorf("KV size axis %q", label)
	}
	if err := kv.WriteCSV(&csv); err != nil || !strings.Contains(csv.String(), "\nlru,10,bytes,") {
		t.Errorf("KV CSV (%v):\n%s", err, csv.String())
	}

	r := NewReplay("chat.jsonl", "lru", sim.Size{N: 10, Unit: sim.Objects}, point.Stats, 7, time.Millisecond)
	r.AddPrefix(&Prefix{})
	table.Reset()
	if err := r.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"chat.jsonl through lru at 10 (blocks)", "distinct blocks", "blocks/second"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("replay table does not say %q:\n%s", want, table.String())
		}
	}
}

// The inspection of a prompt trace is in prompts, blocks and tokens.
func TestInspectPromptTable(t *testing.T) {
	in := &Inspection{Format: "mooncake", Summary: &traces.Summary{Requests: 30, HasTime: true, SpanSeconds: 10,
		Prompt: &traces.PromptSummary{Prompts: 3, Blocks: 30, MaxBlocks: 12, Tokens: 15000, MaxTokens: 6000, DistinctBlocks: 20, DistinctTokens: 10000,
			BlockHits: 10, TokenHits: 5000, PromptsPerSec: 0.3, TokensPerSec: 1500}}}
	var b bytes.Buffer
	if err := in.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"│ prompts ", "│ 3 ", "30 (mean 10.0 a prompt, max 12)", "15,000 (mean 5,000 a prompt, max 6,000)",
		"20 blocks holding 10,000 tokens", "token hit ratio 33.33%, block hit ratio 33.33%", "0.3 prompts/s, 1,500 tokens/s"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("inspection does not say %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "object") || strings.Contains(b.String(), "requested bytes") {
		t.Errorf("inspection of prompts speaks of objects or bytes:\n%s", b.String())
	}
}

package report

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/sim"
)

// routedStats is a made-up routed replay: hits of 1000 tokens, and the
// prefill tokens each of the instances computed.
func routedStats(router string, hits uint64, prefill ...uint64) sim.RoutedStats {
	return sim.RoutedStats{Router: router, Prefill: prefill,
		Stats: sim.Stats{Prefix: &sim.PrefixStats{Prompts: 10, Tokens: 1000, TokenHits: hits}}}
}

// The routed replay's chart has a bar per router, named on the axis and
// labelled with its hit ratio and load imbalance, and the pooled cache as
// a gray dashed line in the legend, on an axis of 0 to 100%.
func TestPrefixRoutesChart(t *testing.T) {
	pooled := sim.Stats{Prefix: &sim.PrefixStats{Prompts: 10, Tokens: 1000, TokenHits: 343}}
	routes := []sim.RoutedStats{
		routedStats("random", 98, 100, 110, 90, 100),
		routedStats("round-robin", 101, 104, 100, 96, 100),
		routedStats("least-loaded", 340, 100, 100, 100, 100), // at the pooled line
		routedStats("cache-aware", 970, 116, 100, 84, 100),   // near the top
	}
	r := NewPrefixRoutes("conv.jsonl", "lru", 4, sim.Size{N: 4096, Unit: sim.Objects}, sim.Size{N: 1024, Unit: sim.Objects}, 1.5, pooled, routes, nil)
	c := r.Chart()
	if len(c.Bars) != 4 || c.YMin != 0 || c.YMax != 100 || len(c.Series) != 1 || !c.Series[0].Gray || !c.Series[0].Dashed {
		t.Fatalf("chart %+v", c)
	}
	if c.Bars[3].Value != 97 || c.Bars[0].Label != "9.8%\nmax/mean 1.10" || c.Bars[3].Label != "97.0%\nmax/mean 1.16" {
		t.Errorf("bars %+v", c.Bars)
	}
	if !strings.Contains(c.Title, "conv.jsonl") || !strings.Contains(c.Title, "4 instances") || !strings.Contains(c.Title, "1024 blocks each") {
		t.Errorf("title %q", c.Title)
	}
	dir := chartDir(t)
	svg, png := filepath.Join(dir, "routes.svg"), filepath.Join(dir, "routes.png")
	for _, path := range []string{svg, png} {
		if err := c.Save(path); err != nil {
			t.Fatal(err)
		}
	}
	checkPNG(t, png)
	checkSVG(t, svg, "conv.jsonl", "random", "round-robin", "least-loaded", "cache-aware",
		"max/mean 1.10", "max/mean 1.04", "max/mean 1.00", "max/mean 1.16", "pooled cache of 4096 blocks: 34.3%")
}

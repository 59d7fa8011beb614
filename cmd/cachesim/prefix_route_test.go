package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/traces/tracestest"
)

// routedJSON is the part of replay --instances's JSON the tests read.
type routedJSON struct {
	Instances int `json:"instances"`
	Pooled    struct {
		Requests uint64 `json:"requests"`
		Hits     uint64 `json:"hits"`
		Prefix   struct {
			Tokens    uint64 `json:"tokens"`
			TokenHits uint64 `json:"token_hits"`
		} `json:"prefix"`
	} `json:"pooled"`
	Routes []struct {
		Router        string    `json:"router"`
		TokenHitRatio float64   `json:"token_hit_ratio"`
		Imbalance     float64   `json:"load_imbalance"`
		Prefill       []uint64  `json:"prefill_tokens_per_instance"`
		Saved         *float64  `json:"prefill_tokens_saved_per_second"`
		Requests      uint64    `json:"requests"`
		Hits          uint64    `json:"hits"`
		Prefix        *struct{} `json:"prefix"`
	} `json:"routes"`
}

func routed(t *testing.T, args ...string) routedJSON {
	t.Helper()
	stdout, stderr, err := runCLI(t, append([]string{"replay", "--format", "json"}, args...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var out routedJSON
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	return out
}

// One instance is today's single cache: every router gives replay's
// block and token hits, and so does the pooled cache.
func TestReplayOneInstance(t *testing.T) {
	const spec = "prefix:requests=500"
	stdout, _, err := runCLI(t, "replay", spec, "--size", "200", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var single struct {
		Hits   uint64 `json:"hits"`
		Prefix struct {
			TokenHits uint64 `json:"token_hits"`
		} `json:"prefix"`
	}
	if err := json.Unmarshal([]byte(stdout), &single); err != nil {
		t.Fatal(err)
	}
	out := routed(t, spec, "--size", "200", "--instances", "1")
	if len(out.Routes) != 4 || out.Pooled.Hits != single.Hits || out.Pooled.Prefix.TokenHits != single.Prefix.TokenHits {
		t.Fatalf("one instance: %+v; replay: %+v", out, single)
	}
	for _, r := range out.Routes {
		if r.Hits != single.Hits || r.Imbalance != 1 {
			t.Errorf("%s on one instance: %d block hits, imbalance %g; replay %d", r.Router, r.Hits, r.Imbalance, single.Hits)
		}
	}
}

// The pooled cache's token hit ratio is at least every router's on the
// Mooncake conversation trace (8 instances of 4096 blocks against 32768),
// and the table names every router and the pooled cache.
func TestReplayInstancesConversation(t *testing.T) {
	path := tracestest.Path(t, "conversation_trace.jsonl.gz")
	out := routed(t, path, "--size", "32768", "--instances", "8")
	pooled := float64(out.Pooled.Prefix.TokenHits) / float64(out.Pooled.Prefix.Tokens)
	for _, r := range out.Routes {
		if r.TokenHitRatio > pooled || r.Saved == nil || len(r.Prefill) != 8 {
			t.Errorf("%s: token hit ratio %.4f (pooled %.4f), saved/s %v, %d instances", r.Router, r.TokenHitRatio, pooled, r.Saved, len(r.Prefill))
		}
	}
	stdout, _, err := runCLI(t, "replay", path, "--size", "32768", "--instances", "8", "--router", "cache-aware,round-robin", "--load-cap", "2")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"on 8 instances of lru 4096 blocks each", "│        cache-aware │", "│        round-robin │", "│ pooled (one cache) │", "exceeds 2× the mean"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the table lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "random") {
		t.Errorf("--router cache-aware,round-robin shows random:\n%s", stdout)
	}
}

// A routing flag with no effect is an error, naming the flag.
func TestReplayInstancesErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"prefix:requests=100", "--router", "random"}, "--router: no effect without --instances"},
		{[]string{"prefix:requests=100", "--load-cap", "2"}, "--load-cap: no effect without --instances"},
		{[]string{"zipf:keys=100,requests=1000", "--instances", "4"}, "--instances apply to prompt traces"},
		{[]string{"prefix:requests=100", "--instances", "0"}, "--instances 0: expected at least 1"},
		{[]string{"prefix:requests=100", "--instances", "2", "--router", "hash"}, `--router: unknown router "hash"`},
		{[]string{"prefix:requests=100", "--instances", "2", "--router", "random", "--load-cap", "2"}, "only the cache-aware router has a load cap"},
		{[]string{"prefix:requests=100", "--instances", "2", "--load-cap", "0.5"}, "--load-cap 0.5: expected at least 1"},
		{[]string{"prefix:requests=100", "--instances", "8", "--size", "4"}, "leaves none a block or byte"},
	} {
		_, _, err := runCLI(t, append([]string{"replay"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("replay %s: %v; want %q", strings.Join(c.args, " "), err, c.want)
		}
	}
}

// The CSV has a row per router and one for the pooled cache.
func TestReplayInstancesCSV(t *testing.T) {
	stdout, _, err := runCLI(t, "replay", "prefix:requests=300", "--size", "400", "--instances", "4", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 6 || !strings.HasPrefix(lines[0], "router,instances,") || !strings.HasPrefix(lines[1], "random,4,100,blocks,") || !strings.HasPrefix(lines[5], "pooled,1,400,blocks,") {
		t.Errorf("CSV:\n%s", stdout)
	}
}

// --plot on a prompt trace draws the routers' chart: it needs --instances,
// and with it the chart is written beside the table.
func TestReplayInstancesPlot(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"prefix:requests=100", "--plot", filepath.Join(dir, "no.png")}, "--plot needs --instances"},
		{[]string{"prefix:requests=100", "--interval", "10", "--instances", "2"}, "--interval: not for prompt traces"},
		{[]string{"prefix:requests=100", "--instances", "2", "--plot", filepath.Join(dir, "r.png"), "--metric", "byte"}, "--metric: not for prompt traces"},
		{[]string{"prefix:requests=100", "--instances", "2", "--plot", filepath.Join(dir, "r.pdf")}, "must end in .png or .svg"},
	} {
		_, _, err := runCLI(t, append([]string{"replay"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("replay %s: %v; want %q", strings.Join(c.args, " "), err, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "no.png")); err == nil {
		t.Error("--plot without --instances wrote its file")
	}
	path := filepath.Join(dir, "routers.svg")
	stdout, stderr, err := runCLI(t, "replay", "prefix:requests=300", "--size", "400", "--instances", "4", "--plot", path)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"cache-aware", "max/mean", "pooled cache of 400 blocks"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("%s has no %q", path, want)
		}
	}
	if !strings.Contains(stdout, "pooled (one cache)") || !strings.Contains(stderr, "wrote "+path) {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
}

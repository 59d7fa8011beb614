package main

import (
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The conversation of sim's hand-made test as a prompts file: a system
// prompt of 2 blocks, conversation A's turns extending each other, and
// B's sharing the system prompt; 16 tokens a block, tails of 5 tokens on
// A's third turn.
const conversation = `{"time": 0, "blocks": [1, 2, 3]}
{"time": 1, "blocks": [1, 2, 3, 4]}
{"time": 2, "blocks": [1, 2, 6]}
{"time": 3, "blocks": [1, 2, 3, 4, 5], "tokens": 85}
{"time": 4, "blocks": [1, 2, 6, 7]}
{"time": 5, "blocks": [1, 2, 3, 4, 5]}
`

func TestSweepPromptsTokenHitRatio(t *testing.T) {
	path := writeFile(t, "chat.jsonl", conversation)
	out, errOut, err := runCLI(t, "sweep", path, "--policy", "lru,radix", "--sizes", "4,100", "--format", "csv")
	if err != nil {
		t.Fatal(err, errOut)
	}
	if !strings.Contains(errOut, "is a prompt trace: simulated with the prefix rule") {
		t.Errorf("no note on the prefix rule: %q", errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	// By hand, LRU (hit lengths from sim's test): at 4 blocks 0 3 2 2 0 2
	// blocks of 16 tokens, at 100 every block once stored stays: 0 3 2 4
	// 3 5. Prompt tokens: 3+4+3+85/16… = 48+64+48+85+64+80 = 389.
	want := map[string]float64{"lru/4": 9 * 16.0 / 389, "lru/100": 17 * 16.0 / 389, "radix/100": 17 * 16.0 / 389}
	for _, r := range rows[1:] {
		k := r[col["policy"]] + "/" + r[col["size"]]
		got, _ := strconv.ParseFloat(r[col["token_hit_ratio"]], 64)
		if w, ok := want[k]; ok && (got < w-1e-9 || got > w+1e-9) {
			t.Errorf("%s: token hit ratio %g, want %g", k, got, w)
		}
		if r[col["prompts"]] != "6" || r[col["tokens"]] != "389" || r[col["unit"]] != "blocks" {
			t.Errorf("%s: prompts %s tokens %s unit %s", k, r[col["prompts"]], r[col["tokens"]], r[col["unit"]])
		}
	}
}

func TestReplayPromptsModelShape(t *testing.T) {
	// 16-token blocks at 128 KiB a token (Llama 3 8B in bf16) are 2 MiB:
	// an 8 MiB cache holds 4 blocks, so the hit lengths are LRU's at 4.
	path := writeFile(t, "chat.jsonl", conversation)
	out, errOut, err := runCLI(t, "replay", path, "--policy", "lru", "--size", "8MiB",
		"--model", "layers=32,kv-heads=8,head-dim=128,dtype=bf16", "--prefill-tokens-per-s", "1000", "--format", "json")
	if err != nil {
		t.Fatal(err, errOut)
	}
	var rep struct {
		Hits          uint64   `json:"hits"`
		TokenHitRatio *float64 `json:"token_hit_ratio"`
		Prefix        struct {
			Tokens    uint64 `json:"tokens"`
			TokenHits uint64 `json:"token_hits"`
		} `json:"prefix"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err, out)
	}
	if rep.Hits != 9 || rep.Prefix.TokenHits != 9*16 || rep.Prefix.Tokens != 389 {
		t.Fatalf("hits %d token hits %d of %d, want 9, 144 of 389", rep.Hits, rep.Prefix.TokenHits, rep.Prefix.Tokens)
	}
}

func TestPrefixFlagErrors(t *testing.T) {
	path := writeFile(t, "chat.jsonl", conversation)
	model := "layers=32,kv-heads=8,head-dim=128"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep", "zipf:keys=100,requests=1000", "--model", model}, "apply to prompt traces"},
		{[]string{"replay", "zipf:keys=100,requests=1000", "--pin-time", "1s"}, "apply to prompt traces"},
		{[]string{"sweep", "prefix:requests=100", "--block-tokens", "32"}, "is a synthetic workload"},
		{[]string{"sweep", "zipf:keys=100,requests=1000", "--block-tokens", "32"}, "is a synthetic workload"},
		{[]string{"sweep", path, "--policy", "s3fifo", "--pin-time", "1s"}, "only lru and radix do"},
		{[]string{"sweep", path, "--model", model, "--sizes", "10,20"}, "give them units"},
		{[]string{"sweep", path, "--sizes", "1GiB"}, "give --kv-bytes-per-token or --model"},
		{[]string{"mrc", path, "--bytes"}, "give --kv-bytes-per-token or --model"},
		{[]string{"replay", path, "--bytes"}, "give --kv-bytes-per-token or --model"},
		{[]string{"sweep", path, "--model", "layers=32", "--sizes", "1GiB"}, "bad --model: missing kv-heads"},
		{[]string{"sweep", path, "--model", model, "--kv-bytes-per-token", "1KiB", "--sizes", "1GiB"}, "not both"},
		{[]string{"sweep", path, "--sample-rate", "0.1"}, "not for prompt traces"},
		{[]string{"replay", "prefix:requests=100,rate=0", "--pin-time", "1s", "--size", "100"}, "needs timestamps"},
		// Bytes a token that wrapped past the 4 GiB-a-block guard (16 × 2^60 = 2^64 = 0).
		{[]string{"sweep", path, "--kv-bytes-per-token", "1152921504606846976", "--sizes", "1GiB"}, "expected bytes from 1 to 1GiB"},
		{[]string{"sweep", path, "--model", "layers=1000000,kv-heads=1000000,head-dim=1000000", "--sizes", "1GiB"}, "more than 1073741824"},
		{[]string{"generate", "prefix", "--user-tokens", "1e300", "-o", filepath.Join(t.TempDir(), "p.jsonl")}, "at most 1048576 tokens"},
	} {
		t.Run(caseName(c.args), func(t *testing.T) {
			_, _, err := runCLI(t, c.args...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v: error %v, want one containing %q", c.args, err, c.want)
			}
		})
	}
}

// --block-tokens acts on token_ids: two prompts of 10 tokens that differ
// in the 8th share their first block of 4 tokens, and no block of 8.
func TestBlockTokensFlag(t *testing.T) {
	path := writeFile(t, "ids.jsonl", `{"time": 0, "token_ids": [1,2,3,4,5,6,7,8,9,10]}
{"time": 1, "token_ids": [1,2,3,4,5,6,7,99,9,10]}
`)
	for _, c := range []struct{ block, hits string }{{"4", "4"}, {"8", "0"}} {
		t.Run("--block-tokens "+c.block, func(t *testing.T) {
			out, errOut, err := runCLI(t, "replay", path, "--block-tokens", c.block, "--size", "100", "--format", "json")
			if err != nil {
				t.Fatal(err, errOut)
			}
			if !strings.Contains(out, `"token_hits": `+c.hits) {
				t.Errorf("--block-tokens %s: want %s token hits in %s", c.block, c.hits, out)
			}
		})
	}
}

// The hierarchy of KV tiers on the conversation: a GPU of 1 block over a
// CPU of 100 (sim's tier test does the arithmetic by hand); here, that
// system replay reads it and refuses what tiers do not have.
func TestSystemReplayPromptTiers(t *testing.T) {
	path := writeFile(t, "chat.jsonl", conversation)
	out, errOut, err := runCLI(t, "system", "replay", path, "--levels", "gpu=lru:1,cpu=lru:100@1ms", "--prefill-tokens-per-s", "1000", "--format", "json")
	if err != nil {
		t.Fatal(err, errOut)
	}
	var rep struct {
		TokenHitRatio float64 `json:"token_hit_ratio"`
		TTFT          float64 `json:"ttft_ms"`
		Stats         struct {
			Tiers []struct {
				Blocks uint64 `json:"blocks_served"`
			} `json:"tiers"`
		} `json:"stats"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err, out)
	}
	// The whole hierarchy holds everything, as LRU at 100 does: 17 blocks
	// hit of 389 tokens. The GPU's one block is each request's last, which
	// the next request never starts with, except A's repeat (5 after 5).
	if rep.TokenHitRatio < 17*16.0/389-1e-9 || rep.TokenHitRatio > 17*16.0/389+1e-9 {
		t.Errorf("token hit ratio %g, want 17×16/389", rep.TokenHitRatio)
	}
	if len(rep.Stats.Tiers) != 2 || rep.Stats.Tiers[0].Blocks+rep.Stats.Tiers[1].Blocks != 17 {
		t.Errorf("tiers %+v: want 17 blocks served in all", rep.Stats.Tiers)
	}
	// TTFT: (389 − 272) tokens over 6 requests at 1000 tokens/s, plus 1 ms
	// a block from the CPU.
	want := 1e3*(389-272)/6.0/1000 + float64(rep.Stats.Tiers[1].Blocks)/6.0
	if rep.TTFT < want-1e-9 || rep.TTFT > want+1e-9 {
		t.Errorf("mean TTFT %g ms, want %g", rep.TTFT, want)
	}
	for _, bad := range [][]string{{"--instances", "2"}, {"--stampede", "coalesce"}} {
		t.Run(caseName(bad), func(t *testing.T) {
			args := append([]string{"system", "replay", path, "--levels", "gpu=lru:1,cpu=lru:100@1ms"}, bad...)
			if _, _, err := runCLI(t, args...); err == nil || !strings.Contains(err.Error(), "not for prompt traces") {
				t.Errorf("%v: error %v", bad, err)
			}
		})
	}
}

// Where the prefix rule does not run, a prompt trace is an error, never a
// silent replay of its blocks as keys.
func TestPromptsRefusedElsewhere(t *testing.T) {
	path := writeFile(t, "chat.jsonl", conversation)
	for _, args := range [][]string{
		{"system", "sweep", path, "--levels", "l1=lru:2,l2=lru:10", "--vary", "l2", "--sizes", "5,10"},
		{"convert", path, writeFile(t, "x", "") + ".csv", "--to", "csv"},
		{"convert", path, writeFile(t, "y", "") + ".oracleGeneral", "--to", "oracleGeneral"},
	} {
		t.Run(caseName(args), func(t *testing.T) {
			if _, _, err := runCLI(t, args...); err == nil || !strings.Contains(err.Error(), "prompt") {
				t.Errorf("%v: error %v, want one about prompts", args, err)
			}
		})
	}
}

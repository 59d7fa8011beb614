package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/traces/tracestest"
)

// mooncakeTraces are the Mooncake FAST'25 release's traces in the shared
// traces, with the shares of prompt tokens and of blocks an unlimited
// prefix cache serves, as ../shared/traces/README.md gives them.
var mooncakeTraces = []struct {
	name           string
	tokens, blocks float64
}{
	{"conversation_trace.jsonl.gz", 0.3736, 0.3664},
	{"synthetic_trace.jsonl.gz", 0.6512, 0.6396},
}

// convertMooncake writes the Mooncake trace at path as prompt JSON lines,
// by hand from the documented format — {"timestamp": ms, "input_length":
// tokens, "output_length": tokens, "hash_ids": [block ids]} — as a user
// would: time from timestamp (still ms), blocks from hash_ids, tokens from
// input_length. It returns the converted file's path.
func convertMooncake(t *testing.T, path string) string {
	t.Helper()
	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		t.Fatal(err)
	}
	outPath := filepath.Join(t.TempDir(), strings.TrimSuffix(filepath.Base(path), ".gz"))
	out, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	w := bufio.NewWriter(out)
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var line struct {
			Timestamp   int64    `json:"timestamp"`
			InputLength int64    `json:"input_length"`
			HashIDs     []uint64 `json:"hash_ids"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		blocks, _ := json.Marshal(line.HashIDs)
		fmt.Fprintf(w, `{"time": %d, "blocks": %s, "tokens": %d}`+"\n", line.Timestamp, blocks, line.InputLength)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return outPath
}

// mooncakeSizes are the block counts the sweeps below run at.
const mooncakeSizes = "1000,4000,16000,64000,256000"

// The released Mooncake traces read natively give the same sweep (every
// column, prefill tokens saved a second included) as their hand
// conversion to prompt JSON lines read with --block-tokens 512 and
// --time-unit ms, and with --block-tokens 512 alone the same hit ratios;
// an unlimited cache serves the README's shares of tokens and blocks.
func TestMooncakeNativeMatchesConverted(t *testing.T) {
	for _, tr := range mooncakeTraces {
		t.Run(tr.name, func(t *testing.T) {
			native := tracestest.Path(t, tr.name)
			converted := convertMooncake(t, native)
			sweep := func(path string, flags ...string) string {
				t.Helper()
				args := append([]string{"sweep", path, "--policy", "lru,radix", "--sizes", mooncakeSizes, "--format", "csv"}, flags...)
				stdout, stderr, err := runCLI(t, args...)
				if err != nil {
					t.Fatalf("%v: %v\n%s", args, err, stderr)
				}
				if strings.Contains(stderr, "warning:") {
					t.Errorf("%v warns:\n%s", args, stderr)
				}
				return stdout
			}
			got := sweep(native)
			if want := sweep(converted, "--block-tokens", "512", "--time-unit", "ms"); got != want {
				t.Errorf("native sweep\n%s\ndiffers from the converted trace's\n%s", got, want)
			}
			// Without --time-unit, the converted trace's times are read as
			// seconds (with a warning); the hit ratios stay the same.
			_, stderr, _ := runCLI(t, "sweep", converted, "--policy", "lru", "--sizes", "1000", "--block-tokens", "512")
			if !strings.Contains(stderr, "give --time-unit ms") {
				t.Errorf("no time unit warning:\n%s", stderr)
			}
			stdout, _, err := runCLI(t, "sweep", converted, "--policy", "lru,radix", "--sizes", mooncakeSizes, "--format", "csv", "--block-tokens", "512")
			if err != nil {
				t.Fatal(err)
			}
			if ratios(t, stdout) != ratios(t, got) {
				t.Errorf("token hit ratios: converted %s, native %s", ratios(t, stdout), ratios(t, got))
			}

			var rep struct {
				Ceiling struct {
					Requests    uint64 `json:"requests"`
					Misses      uint64 `json:"unavoidable_misses"`
					Tokens      uint64 `json:"tokens"`
					TokenMisses uint64 `json:"unavoidable_token_misses"`
				} `json:"ceiling"`
			}
			stdout, _, err = runCLI(t, "sweep", native, "--policy", "lru", "--sizes", "1000", "--format", "json")
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
				t.Fatal(err)
			}
			c := rep.Ceiling
			tokens := 1 - float64(c.TokenMisses)/float64(c.Tokens)
			blocks := 1 - float64(c.Misses)/float64(c.Requests)
			if math.Abs(tokens-tr.tokens) > 0.00005 || math.Abs(blocks-tr.blocks) > 0.00005 {
				t.Errorf("unlimited cache: token hit ratio %.4f, block hit ratio %.4f; README: %.4f, %.4f", tokens, blocks, tr.tokens, tr.blocks)
			}
			// inspect says the same, in the trace's own words.
			var in struct {
				Prompt struct {
					Blocks    float64 `json:"blocks"`
					Tokens    float64 `json:"tokens"`
					BlockHits float64 `json:"unlimited_block_hits"`
					TokenHits float64 `json:"unlimited_token_hits"`
				} `json:"prompt"`
			}
			stdout, _, err = runCLI(t, "inspect", native, "--format", "json")
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(stdout), &in); err != nil {
				t.Fatal(err)
			}
			p := in.Prompt
			if math.Abs(p.TokenHits/p.Tokens-tokens) > 1e-12 || math.Abs(p.BlockHits/p.Blocks-blocks) > 1e-12 {
				t.Errorf("inspect: unlimited token hit ratio %.4f, block hit ratio %.4f; sweep: %.4f, %.4f", p.TokenHits/p.Tokens, p.BlockHits/p.Blocks, tokens, blocks)
			}
		})
	}
}

// ratios lists the policy, size and token hit ratio of each row of a
// prompt sweep's CSV.
func ratios(t *testing.T, csv string) string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	header := strings.Split(lines[0], ",")
	col := -1
	for i, h := range header {
		if h == "token_hit_ratio" {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("no token_hit_ratio column: %s", lines[0])
	}
	var b strings.Builder
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		fmt.Fprintf(&b, "%s@%s=%s ", f[0], f[1], f[col])
	}
	return b.String()
}

// The two silent mistakes warn, naming the flag and value that fix them:
// a hand-converted Mooncake trace read without --block-tokens (blocks of
// 16 tokens: 1.17% of tokens hit instead of 37.36%), and its ms read as
// seconds (a span of 982 h, 15 prefill tokens saved a second instead of
// 15,000). The native reading warns of neither.
func TestMooncakeConvertedWarnings(t *testing.T) {
	native := tracestest.Path(t, "conversation_trace.jsonl.gz")
	converted := convertMooncake(t, native)
	_, stderr, err := runCLI(t, "inspect", converted)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`warning: \S+: 12031 of 12031 prompts give over twice the tokens their blocks hold at 16 tokens a block, .*: give --block-tokens 512\n`),
		regexp.MustCompile(`warning: \S+: timestamps read as seconds since the first span 982h29m59s for 12031 prompts, .* look like milliseconds .*: give --time-unit ms \(or --time-unit s to keep seconds\)\n`),
	} {
		if !want.MatchString(stderr) {
			t.Errorf("inspect of the converted trace does not warn %s:\n%s", want, stderr)
		}
	}
	_, stderr, err = runCLI(t, "inspect", native)
	if err != nil || strings.Contains(stderr, "warning") || !strings.Contains(stderr, "blocks hold 512 tokens") {
		t.Errorf("native reading: %v\n%s", err, stderr)
	}
}

// --json-keys on a Mooncake trace would read its prompts as batches of
// independent keys, without the prefix rule: an error says so, and
// --trace-format jsonl still reads it that way when asked, with a note.
func TestMooncakeJSONKeys(t *testing.T) {
	native := tracestest.Path(t, "conversation_trace.jsonl.gz")
	_, _, err := runCLI(t, "inspect", native, "--json-keys", "hash_ids")
	if err == nil || !strings.Contains(err.Error(), "is read as mooncake, a prompt trace") || !strings.Contains(err.Error(), "--trace-format jsonl") {
		t.Errorf("--json-keys hash_ids: %v", err)
	}
	_, stderr, err := runCLI(t, "inspect", native, "--json-keys", "hash_ids", "--trace-format", "jsonl")
	if err != nil || !strings.Contains(stderr, "without the prefix rule") {
		t.Errorf("--trace-format jsonl --json-keys hash_ids: %v\n%s", err, stderr)
	}
}

// inspect describes a prompt trace in its own words — prompts, blocks,
// tokens, the KV footprint, the unlimited prefix cache (the same as
// sweep's) — not in objects and bytes.
func TestInspectPrompts(t *testing.T) {
	const spec = "prefix:requests=500"
	stdout, _, err := runCLI(t, "inspect", spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"│ prompts ", "│ blocks ", "│ tokens ", "│ KV footprint (distinct blocks) ", "│ prompt rate ", "│ reuse distance (distinct blocks) "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("inspect does not say %q:\n%s", want, stdout)
		}
	}
	for _, not := range []string{"object size", "footprint bytes", "requested bytes", "operations"} {
		if strings.Contains(stdout, not) {
			t.Errorf("inspect of prompts says %q:\n%s", not, stdout)
		}
	}
	m := regexp.MustCompile(`unlimited prefix cache +│ (token hit ratio [0-9.]+%, block hit ratio [0-9.]+%)`).FindStringSubmatch(stdout)
	sweep, _, err := runCLI(t, "sweep", spec, "--policy", "lru", "--sizes", "100")
	if err != nil || m == nil || !strings.Contains(sweep, "unlimited cache: "+m[1]) {
		t.Errorf("inspect's unlimited cache %q is not sweep's (%v):\n%s", m, err, sweep)
	}
}

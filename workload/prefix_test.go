package workload

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
)

// prompts reads a prompt workload into its requests' full blocks and tails.
func prompts(t *testing.T, spec string) (blocks [][]uint64, tails []uint32, times []int64) {
	t.Helper()
	r, err := MustParse(spec).Reader()
	if err != nil {
		t.Fatal(err)
	}
	for {
		var req trace.Request
		if err := r.Read(&req); err == io.EOF {
			return blocks, tails, times
		} else if err != nil {
			t.Fatal(err)
		}
		if !req.Continues {
			blocks, tails, times = append(blocks, nil), append(tails, 0), append(times, req.Time)
		}
		n := len(blocks) - 1
		if req.Unsized {
			tails[n] = req.Tokens
			continue
		}
		if req.Tokens != 16 {
			t.Fatalf("a full block holds %d tokens", req.Tokens)
		}
		blocks[n] = append(blocks[n], req.Key)
	}
}

func TestPrefixConversationsExtend(t *testing.T) {
	// One conversation slot, one system prompt of 100 tokens (6 full
	// blocks, 4 tokens into the 7th): each turn's full blocks start with
	// the previous turn's; a new conversation starts with the system
	// prompt's 6 blocks.
	blocks, tails, times := prompts(t, "prefix:requests=300,fewshot=0,systems=1,system-tokens=100,active=1,turns=5,rate=10")
	system := blocks[0][:6]
	extended, restarted := 0, 0
	for i := 1; i < len(blocks); i++ {
		if !slices.Equal(blocks[i][:6], system) {
			t.Fatalf("prompt %d does not start with the system prompt", i)
		}
		if len(blocks[i]) > len(blocks[i-1]) && slices.Equal(blocks[i][:len(blocks[i-1])], blocks[i-1]) {
			extended++
		} else {
			restarted++
		}
		if tails[i] >= 16 || times[i] < times[i-1] {
			t.Fatalf("prompt %d: tail %d, time %d after %d", i, tails[i], times[i], times[i-1])
		}
	}
	// A mean of 5 turns: about 4 in 5 prompts extend the previous one.
	if extended < 200 || restarted < 30 {
		t.Fatalf("%d turns extended the previous, %d started a conversation", extended, restarted)
	}
	// Same seed, same stream.
	again, _, _ := prompts(t, "prefix:requests=300,fewshot=0,systems=1,system-tokens=100,active=1,turns=5,rate=10")
	for i := range blocks {
		if !slices.Equal(blocks[i], again[i]) {
			t.Fatalf("prompt %d differs between two runs of the same seed", i)
		}
	}
}

func TestPrefixFewShotShareTemplates(t *testing.T) {
	// Every request few-shot on one template of 64 tokens: 4 shared
	// blocks, then the query's own.
	blocks, _, _ := prompts(t, "prefix:requests=50,fewshot=1,templates=1,template-tokens=64,query-tokens=40")
	seen := map[uint64]int{}
	for _, b := range blocks {
		if !slices.Equal(b[:4], blocks[0][:4]) {
			t.Fatal("a few-shot prompt does not start with the template's blocks")
		}
		for _, k := range b[4:] {
			seen[k]++
		}
	}
	for k, n := range seen {
		if n > 1 {
			t.Fatalf("a query block %x appears in %d prompts", k, n)
		}
	}
}

func TestPrefixRefusesKeyParameters(t *testing.T) {
	for _, spec := range []string{"prefix:size=4096", "prefix:write=0.1", "prefix:turns=0.5", "mix:of=0.5*zipf+0.5*prefix"} {
		if _, err := Parse(spec); err == nil {
			t.Errorf("%s: no error", spec)
		}
	}
}

// Means past the bounds are refused rather than wrapped or looped on:
// user-tokens=1e300 turned every message's length negative (the user
// messages dropped), turns=1e10 drew turns one by one for ever, and
// user-tokens=1e9 or active=1e7 held gigabytes of blocks.
func TestPrefixBounds(t *testing.T) {
	for _, c := range []struct{ spec, want string }{
		{"prefix:user-tokens=1e300", "user-tokens=\"1e300\": expected a mean above 0 and at most 1048576 tokens"},
		{"prefix:answer-tokens=1e9", "answer-tokens=\"1e9\": expected a mean above 0 and at most 1048576 tokens"},
		{"prefix:query-tokens=2e6", "query-tokens=\"2e6\": expected a mean above 0 and at most 1048576 tokens"},
		{"prefix:turns=1e10", "turns=\"1e10\": expected a mean from 1 to 10000 turns"},
		{"prefix:user-tokens=1e6", "would hold about 5e+07 blocks at once"},
		{"prefix:active=1e7", "lower active, turns or the token counts"},
	} {
		if _, err := Parse(c.spec); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", c.spec, err, c.want)
		}
	}
	// At the bounds, messages keep their length: a mean of 2^20 tokens is
	// 2^16 blocks of 16 a message on average.
	blocks, _, _ := prompts(t, "prefix:requests=20,fewshot=0,systems=0,active=1,turns=1,user-tokens=1048576")
	total := 0
	for _, b := range blocks {
		total += len(b)
	}
	if mean := total / len(blocks); mean < 1<<14 || mean > 1<<18 {
		t.Errorf("a mean of %d full blocks a message, want about 65536", mean)
	}
}

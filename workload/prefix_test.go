package workload

import (
	"io"
	"slices"
	"testing"

	"github.com/cachesim/cachesim/traces"
)

// prompts reads a prompt workload into its requests' full blocks and tails.
func prompts(t *testing.T, spec string) (blocks [][]uint64, tails []uint32, times []int64) {
	t.Helper()
	r, err := MustParse(spec).Reader()
	if err != nil {
		t.Fatal(err)
	}
	for {
		var req traces.Request
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

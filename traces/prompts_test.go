package traces

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cespare/xxhash/v2"
)

func readPrompts(t *testing.T, text string, blockTokens int) ([]trace.Request, error) {
	t.Helper()
	r := NewPromptReader("p.jsonl", strings.NewReader(text), Options{BlockTokens: blockTokens})
	var out []trace.Request
	for {
		var req trace.Request
		err := r.Read(&req)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, req)
	}
}

// chainHash is the block hash written out independently: xxHash64 of the
// previous block's hash and the block's token ids, 8 bytes each, little-endian.
func chainHash(prev uint64, ids ...uint64) uint64 {
	b := binary.LittleEndian.AppendUint64(nil, prev)
	for _, id := range ids {
		b = binary.LittleEndian.AppendUint64(b, id)
	}
	return xxhash.Sum64(b)
}

func TestPromptTokenIDsTailBlock(t *testing.T) {
	// Blocks of 4 tokens: 10 tokens are 2 full blocks and a tail of 2,
	// never cached. The second prompt shares the first block only.
	got, err := readPrompts(t, `{"time": 1, "token_ids": [1,2,3,4, 5,6,7,8, 9,10]}
{"time": 2, "token_ids": [1,2,3,4, 5,6,7,9]}
`, 4)
	if err != nil {
		t.Fatal(err)
	}
	h1 := chainHash(0, 1, 2, 3, 4)
	h2 := chainHash(h1, 5, 6, 7, 8)
	h2b := chainHash(h1, 5, 6, 7, 9)
	want := []trace.Request{
		{Time: 0, Key: h1, Size: 1, Tokens: 4},
		{Time: 0, Key: h2, Size: 1, Tokens: 4, Continues: true},
		{Time: 0, Size: 1, Tokens: 2, Continues: true, Unsized: true}, // key checked apart
		{Time: 1e9, Key: h1, Size: 1, Tokens: 4},
		{Time: 1e9, Key: h2b, Size: 1, Tokens: 4, Continues: true},
	}
	if len(got) != len(want) {
		t.Fatalf("%d requests, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g := got[i]
		if i == 2 {
			if g.Key == h1 || g.Key == h2 {
				t.Errorf("the tail's key %x is a full block's", g.Key)
			}
			g.Key = 0
		}
		if g != want[i] {
			t.Errorf("request %d: %+v, want %+v", i, g, want[i])
		}
	}
}

func TestPromptBlocksTokens(t *testing.T) {
	// Blocks of 16: no tokens → 16 each; 40 tokens in 3 blocks → the last
	// holds 8; 50 tokens in 3 blocks → a tail of 2; duration on the first.
	got, err := readPrompts(t, `{"blocks": [1, 2, 3]}
{"blocks": ["a", "b", 3], "tokens": 40, "duration": 1.5}
{"blocks": [1, 2, 3], "tokens": 50}
`, 16)
	if err != nil {
		t.Fatal(err)
	}
	var tokens []uint32
	for _, r := range got {
		tokens = append(tokens, r.Tokens)
	}
	if want := []uint32{16, 16, 16, 16, 16, 8, 16, 16, 16, 2}; !slices.Equal(tokens, want) {
		t.Fatalf("tokens %v, want %v", tokens, want)
	}
	if got[3].Key != xxhash.Sum64String("a") || got[5].Key != 3 || got[3].Latency != 1.5 || got[4].Latency != 0 {
		t.Fatalf("keys or duration wrong: %+v", got[3:6])
	}
	if !got[9].Unsized || got[9].Continues != true {
		t.Fatalf("the tail: %+v", got[9])
	}
}

func TestPromptErrors(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{`{"blocks": [1, 2]}` + "\n" + `{"time": 3}`, "p.jsonl:2: no \"blocks\""},
		{`{"blocks": [1, 2, 3], "tokens": 20}`, "p.jsonl:1: column 32: tokens 20: 3 blocks of 16 tokens hold more than 32"},
		{`{"token_ids": [1, "x"]}`, "token id x: expected a non-negative integer"},
		{`{"blocks": []}`, "an empty prompt"},
		{`{"blocks": [1], "token_ids": [1]}`, "not both"},
	} {
		_, err := readPrompts(t, c.text, 16)
		var pe *ParseError
		if err == nil || !errors.As(err, &pe) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.text, err, c.want)
		}
	}
}

func TestPromptsDetected(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "chat.jsonl")
	if err := os.WriteFile(path, []byte(`{"time": 0, "blocks": [1, 2]}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := DetectFormat(path, Options{})
	if err != nil || f != "prompts" {
		t.Fatalf("format %q (%v), want prompts", f, err)
	}
	if err := os.WriteFile(path, []byte(`{"key": "a"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if f, _ := DetectFormat(path, Options{}); f != "jsonl" {
		t.Fatalf("a plain JSON-lines trace read as %q", f)
	}
}

// The prompts writer writes what the reader reads back, block size
// included.
func TestPromptsWriteReadBack(t *testing.T) {
	in := []trace.Request{
		{Time: 0, Key: 7, Size: 1, Tokens: 32},
		{Time: 0, Key: 8, Size: 1, Tokens: 32, Continues: true},
		{Time: 0, Key: 99, Size: 1, Tokens: 5, Continues: true, Unsized: true},
		{Time: 1500000000, Key: 7, Size: 1, Tokens: 32},
	}
	var b strings.Builder
	w, err := NewWriter("prompts", &b, trace.Fields{Tokens: true, Marks: true, Time: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if err := w.Write(&in[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := `{"time": 0, "blocks": [7, 8], "tokens": 69, "block_tokens": 32}
{"time": 1.5, "blocks": [7], "tokens": 32, "block_tokens": 32}
`
	if b.String() != want {
		t.Fatalf("wrote\n%s\nwant\n%s", b.String(), want)
	}
	r := NewPromptReader("p.jsonl", strings.NewReader(b.String()), Options{})
	for i := range in {
		var got trace.Request
		if err := r.Read(&got); err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			got.Key = in[i].Key // the tail's key is the reader's own
		}
		if got != in[i] {
			t.Errorf("request %d read back as %+v, want %+v", i, got, in[i])
		}
	}
	if n := r.Notes(); len(n) != 0 {
		t.Errorf("notes %v: the lines give their block size", n)
	}
	if _, err := NewWriter("csv", &b, trace.Fields{Tokens: true}); err == nil {
		t.Error("prompts written as CSV without an error")
	}
}

// A prompt trace is recognised when its first prompt is longer than the
// bytes detection looks at, and when one of a few lines is malformed; read
// as JSON lines anyway, it is told that it may be a prompt trace.
func TestPromptsDetectedLongOrMalformedFirstLine(t *testing.T) {
	dir := t.TempDir()
	var long strings.Builder
	long.WriteString(`{"time": 0, "blocks": [`)
	for i := range 20000 { // about 120 KiB
		if i > 0 {
			long.WriteString(", ")
		}
		fmt.Fprintf(&long, "%d", 1000+i)
	}
	long.WriteString("]}\n")
	for name, text := range map[string]string{
		"long":      long.String() + `{"time": 1, "blocks": [1, 2]}` + "\n",
		"malformed": `{"time": 0, "blocks": [1, 2` + "\n" + `{"time": 1, "blocks": [1, 2]}` + "\n" + `{"time": 2, "blocks": [1, 3]}` + "\n",
	} {
		path := filepath.Join(dir, name+".jsonl")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if f, err := DetectFormat(path, Options{}); err != nil || f != "prompts" {
			t.Errorf("%s: format %q (%v), want prompts", name, f, err)
		}
	}
	// A JSON-lines trace with one malformed line among a few stays JSON lines.
	path := filepath.Join(dir, "plain.jsonl")
	if err := os.WriteFile(path, []byte(`{"key": "a"`+"\n"+`{"key": "b"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if f, _ := DetectFormat(path, Options{}); f != "jsonl" {
		t.Errorf("a plain JSON-lines trace with a malformed line read as %q", f)
	}
	r := NewJSONReader("p.jsonl", strings.NewReader(`{"time": 0, "blocks": [1, 2]}`+"\n"), Options{})
	var req trace.Request
	if err := r.Read(&req); err == nil || !strings.Contains(err.Error(), `"blocks" list`) || !errors.Is(err, ErrPromptLike) {
		t.Errorf("a prompt read as JSON lines: %v, want an error saying it may be a prompt trace", err)
	}
}

// With SkipBad, a malformed line yields none of its blocks, even those
// read before the fault (found by FuzzPrompts: `{"blocks":[0 0]}` read one
// block, failed, and the next Read indexed its missing token count).
func TestPromptSkipBadDropsWholeLine(t *testing.T) {
	for _, bad := range []string{`{"blocks": [7 8]}`, `{"blocks": [7, 8], "tokens": 5}`} {
		r := NewPromptReader("p.jsonl", strings.NewReader(bad+"\n"+`{"blocks": [1, 2]}`+"\n"), Options{SkipBad: true})
		got := drain(t, r)
		if len(got) != 2 || got[0].Key != 1 || got[1].Key != 2 || r.Skipped() != 1 {
			t.Errorf("%s then a good line: %+v, %d skipped; want blocks 1 and 2, 1 skipped", bad, got, r.Skipped())
		}
	}
}

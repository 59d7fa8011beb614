package traces

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
)

// tokensOf lists the tokens of each request, and times the times of the
// first blocks of prompts.
func tokensOf(reqs []trace.Request) (tokens []uint32, times []int64) {
	for _, r := range reqs {
		tokens = append(tokens, r.Tokens)
		if !r.Continues {
			times = append(times, r.Time)
		}
	}
	return tokens, times
}

// noteTexts joins the texts of notes, warnings marked.
func noteTexts(notes []Note) string {
	var b strings.Builder
	for _, n := range notes {
		if n.Warning {
			b.WriteString("warning: ")
		}
		b.WriteString(n.Text + "\n")
	}
	return b.String()
}

// A Mooncake trace as released: blocks of 512 tokens, the last holding
// the rest of input_length; timestamps in milliseconds; a note says
// where the block size came from.
func TestMooncakeReader(t *testing.T) {
	text := `{"timestamp": 0, "input_length": 1200, "output_length": 40, "hash_ids": [0, 1, 2]}
{"timestamp": 250, "input_length": 1024, "output_length": 12, "hash_ids": [0, 1]}
{"timestamp": 1500, "input_length": 7, "output_length": 7, "hash_ids": [4]}
`
	r := NewMooncakeReader("m.jsonl", strings.NewReader(text), Options{})
	got := drain(t, r)
	tokens, times := tokensOf(got)
	if want := []uint32{512, 512, 176, 512, 512, 7}; !slices.Equal(tokens, want) {
		t.Errorf("tokens %v, want %v", tokens, want)
	}
	if want := []int64{0, 250e6, 1500e6}; !slices.Equal(times, want) {
		t.Errorf("times %v, want %v (ms)", times, want)
	}
	if got[1].Key != 1 || got[5].Key != 4 || !got[1].Continues || got[3].Continues {
		t.Errorf("keys or marks: %+v", got)
	}
	notes := noteTexts(r.Notes())
	for _, want := range []string{"blocks hold 512 tokens (the Mooncake traces' block size)", "timestamps are milliseconds since the first"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes do not say %q:\n%s", want, notes)
		}
	}
	if strings.Contains(notes, "warning") {
		t.Errorf("warnings on a trace read right:\n%s", notes)
	}
}

// A line's block_size and Options.BlockTokens set the block size, and the
// note says which did; Options' time unit wins over the format's.
func TestMooncakeBlockSizeAndUnit(t *testing.T) {
	line := `{"timestamp": 0, "input_length": 600, "hash_ids": [0, 1, 2]}` + "\n" + `{"timestamp": 2, "input_length": 600, "hash_ids": [0, 1, 2]}` + "\n"
	r := NewMooncakeReader("m.jsonl", strings.NewReader(line), Options{BlockTokens: 256, Line: LineOptions{TimeUnit: 1e9}})
	tokens, times := tokensOf(drain(t, r))
	if want := []uint32{256, 256, 88, 256, 256, 88}; !slices.Equal(tokens, want) || times[1] != 2e9 {
		t.Errorf("--block-tokens 256, --time-unit s: tokens %v, times %v", tokens, times)
	}
	if notes := noteTexts(r.Notes()); !strings.Contains(notes, "blocks hold 256 tokens (as given)") || strings.Contains(notes, "milliseconds") {
		t.Errorf("notes:\n%s", notes)
	}

	sized := `{"timestamp": 0, "input_length": 40, "hash_ids": [0, 1, 2], "block_size": 16}` + "\n"
	r = NewMooncakeReader("m.jsonl", strings.NewReader(sized), Options{BlockTokens: 256})
	if tokens, _ := tokensOf(drain(t, r)); !slices.Equal(tokens, []uint32{16, 16, 8}) {
		t.Errorf("block_size 16: tokens %v", tokens)
	}
	if notes := noteTexts(r.Notes()); !strings.Contains(notes, `1 prompts give their block size in "block_size": 16 tokens`) || strings.Contains(notes, "256") {
		t.Errorf("notes:\n%s", notes)
	}
}

func TestMooncakeErrors(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{`{"timestamp": 0, "hash_ids": [1, 2]}`, `m.jsonl:1: no "input_length" field`},
		{`{"timestamp": 0, "input_length": 5}`, `m.jsonl:1: no "hash_ids" field`},
		{`{"timestamp": 0, "input_length": 512, "hash_ids": [1, 2]}`, `input_length 512: 2 blocks of 512 tokens hold more than 512, so the last block would be empty`},
		{`{"timestamp": 0, "input_length": 5, "hash_ids": []}`, `hash_ids: an empty prompt`},
		{`{"timestamp": 0, "input_length": 5, "hash_ids": [1], "token_ids": [1]}`, ``}, // token ids are no field of the format: skipped
	} {
		r := NewMooncakeReader("m.jsonl", strings.NewReader(c.text+"\n"), Options{})
		var req trace.Request
		err := r.Read(&req)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.text, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.text, err, c.want)
		}
	}
}

// Mooncake lines are told from prompts and JSON lines by their fields,
// also when the first line is longer than detection reads.
func TestMooncakeDetected(t *testing.T) {
	dir := t.TempDir()
	var long strings.Builder
	long.WriteString(`{"timestamp": 0, "input_length": 10240000, "output_length": 5, "hash_ids": [`)
	for i := range 20000 {
		if i > 0 {
			long.WriteString(", ")
		}
		fmt.Fprint(&long, i)
	}
	long.WriteString("]}\n")
	for _, c := range []struct{ text, want string }{
		{`{"timestamp": 0, "input_length": 600, "output_length": 5, "hash_ids": [1, 2]}`, "mooncake"},
		{long.String(), "mooncake"},
		{`{"time": 0, "blocks": [1, 2], "tokens": 600}`, "prompts"},
		{`{"timestamp": 0, "hash_ids": [1, 2]}`, "jsonl"}, // no input_length: no Mooncake line; read as JSON lines, it errs
		{`{"key": "a", "input_length": 3}`, "jsonl"},
	} {
		path := filepath.Join(dir, "t.jsonl")
		if err := os.WriteFile(path, []byte(c.text+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if got, _ := DetectFormat(path, Options{}); got != c.want {
			t.Errorf("%.60s: read as %q, want %s", c.text, got, c.want)
		}
	}
}

// Prompt traces name their fields as JSON lines do: the prompts reader
// reads a Mooncake line with the fields named, the unit and block size
// given, as the Mooncake reader does.
func TestPromptFieldNames(t *testing.T) {
	text := `{"timestamp": 0, "input_length": 1200, "hash_ids": [0, 1, 2]}
{"timestamp": 250, "input_length": 1024, "hash_ids": [0, 1]}
`
	opt, err := ParseFlags(map[string]string{"json-time": "timestamp", "json-blocks": "hash_ids", "json-tokens": "input_length", "time-unit": "ms", "block-tokens": "512"})
	if err != nil {
		t.Fatal(err)
	}
	got := drain(t, NewPromptReader("p.jsonl", strings.NewReader(text), opt))
	want := drain(t, NewMooncakeReader("m.jsonl", strings.NewReader(text), Options{}))
	if !slices.Equal(got, want) {
		t.Errorf("prompts with the fields named:\n%+v\nmooncake:\n%+v", got, want)
	}
}

// convertMooncake writes prompts as a hand conversion of a Mooncake trace
// to prompt JSON lines does (time from timestamp, unconverted; blocks
// from hash_ids; tokens from input_length): 512-token blocks, times from
// base every step.
func convertMooncake(prompts int, base, step int64) string {
	var b strings.Builder
	for i := range prompts {
		fmt.Fprintf(&b, `{"time": %d, "blocks": [%d, %d, %d], "tokens": %d}`+"\n", base+int64(i)*step, i%7, 100+i, 200+i, 1100+i%300)
	}
	return b.String()
}

// The two silent mistakes warn: blocks whose token counts are far more
// than the block size (a converted Mooncake trace read in vLLM's blocks
// of 16), and relative whole-number times in ms read as seconds.
func TestPromptWarnings(t *testing.T) {
	warnings := func(text string, opt Options) []Note {
		r := NewPromptReader("p.jsonl", strings.NewReader(text), opt)
		drain(t, r)
		var w []Note
		for _, n := range r.Notes() {
			if n.Warning {
				w = append(w, n)
			}
		}
		return w
	}
	// 1000 prompts 3.6 s apart: an hour in ms, 42 days read as seconds.
	converted := convertMooncake(1000, 0, 3600)
	w := warnings(converted, Options{})
	if len(w) != 2 || w[0].Kind != NoteBlockTokens || w[0].Suggest != "512" || w[1].Kind != NoteTimeUnit || w[1].Suggest != "ms" {
		t.Fatalf("converted trace read as it comes: warnings %+v, want the block size (512) and the time unit (ms)", w)
	}
	for _, want := range []string{"1000 of 1000 prompts give over twice the tokens their blocks hold at 16 tokens a block", "every prompt's token count fits blocks of 512 tokens"} {
		if !strings.Contains(w[0].Text, want) {
			t.Errorf("block size warning %q does not say %q", w[0].Text, want)
		}
	}
	for _, want := range []string{"span 999h", "for 1000 prompts", "look like milliseconds", "a span of 59m56s"} {
		if !strings.Contains(w[1].Text, want) {
			t.Errorf("time unit warning %q does not say %q", w[1].Text, want)
		}
	}
	if w := warnings(converted, Options{BlockTokens: 512, Line: LineOptions{TimeUnit: 1e6}}); len(w) != 0 {
		t.Errorf("with the block size and unit given: %+v", w)
	}
	if w := warnings(converted, Options{BlockTokens: 512, Line: LineOptions{TimeUnit: 1e9}}); len(w) != 0 {
		t.Errorf("with seconds given: %+v", w)
	}
	// Seconds that look like seconds: a short span, fractions, many prompts a minute, epoch times.
	for name, text := range map[string]string{
		"an hour in seconds": convertMooncake(1000, 0, 4),
		"fractions":          strings.Replace(converted, `"time": 3600,`, `"time": 3600.5,`, 1),
		"busy":               convertMooncake(4000, 0, 30), // 33 h at 2 a minute
		"epoch":              convertMooncake(1000, 1700000000, 3600),
	} {
		for _, n := range warnings(text, Options{BlockTokens: 512}) {
			t.Errorf("%s: %s", name, n.Text)
		}
	}
	// Tokens within twice the blocks, or at most half the prompts over: no warning.
	for name, text := range map[string]string{
		"within twice": `{"blocks": [1, 2], "tokens": 64}` + "\n",
		"half over":    `{"blocks": [1, 2], "tokens": 65}` + "\n" + `{"blocks": [1, 2], "tokens": 32}` + "\n",
		"no tokens":    `{"blocks": [1, 2]}` + "\n",
		"line's size":  `{"blocks": [1, 2], "tokens": 1000, "block_tokens": 16}` + "\n",
	} {
		for _, n := range warnings(text, Options{}) {
			t.Errorf("%s: %s", name, n.Text)
		}
	}
	// Counts that fit no one block size: the warning suggests none.
	w = warnings(`{"blocks": [1, 2], "tokens": 1000}`+"\n"+`{"blocks": [1, 2, 3], "tokens": 1000}`+"\n"+`{"blocks": [1], "tokens": 900}`+"\n", Options{})
	if len(w) != 1 || w[0].Suggest != "" || !strings.Contains(w[0].Text, "no one block size fits") {
		t.Errorf("inconsistent counts: %+v", w)
	}
}

// A Mooncake trace forced to JSON lines with its hash_ids as lists of
// keys is read so, and a note says it is not read as prompts.
func TestJSONKeysOnMooncakeNoted(t *testing.T) {
	r := NewJSONReader("m.jsonl", strings.NewReader(`{"timestamp": 0, "input_length": 600, "hash_ids": [1, 2]}`+"\n"), Options{JSON: JSONFields{Keys: "hash_ids"}})
	if n := len(drain(t, r)); n != 2 {
		t.Fatalf("%d requests, want 2", n)
	}
	if notes := noteTexts(r.Notes()); !strings.Contains(notes, `without the prefix rule of prompts (format mooncake reads them as prompts)`) {
		t.Errorf("notes:\n%s", notes)
	}
}

// A Mooncake trace read as prompts is told what it is.
func TestMooncakeReadAsPrompts(t *testing.T) {
	r := NewPromptReader("m.jsonl", strings.NewReader(`{"timestamp": 0, "input_length": 600, "hash_ids": [1, 2]}`+"\n"), Options{})
	var req trace.Request
	if err := r.Read(&req); err == nil || !strings.Contains(err.Error(), `but a "hash_ids" list as Mooncake traces have (format mooncake reads them)`) {
		t.Errorf("error %v", err)
	}
}

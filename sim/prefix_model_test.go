package sim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The published config.json files (testdata) by hand: Llama 3 8B keeps
// 2 (K,V) × 32 layers × 8 KV heads × 128 (4096 / 32) × 2 bytes a token;
// DeepSeek-V3's MLA (512 latent + 64 rope) × 61 layers × 2 bytes, though
// its file also says 128 KV heads and fp8 (weights') quantisation.
func TestModelConfigFiles(t *testing.T) {
	for _, c := range []struct {
		path string
		want int64
		note string
	}{
		{"testdata/Meta-Llama-3-8B/config.json", 131072,
			"testdata/Meta-Llama-3-8B/config.json: 131,072 B per token = 2 (K,V) × 32 layers × 8 KV heads × 128 head dim × 2 B (bf16)"},
		{"testdata/DeepSeek-V3/config.json", 70272,
			"testdata/DeepSeek-V3/config.json: 70,272 B per token = (512 kv_lora_rank + 64 rope) × 61 layers × 2 B (bf16)"},
		{"testdata/DeepSeek-V3", 70272, "testdata/DeepSeek-V3/config.json: 70,272 B per token"}, // the directory of a download
	} {
		m, err := ParseModel(c.path, "")
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		if m.BytesPerToken() != c.want || !strings.HasPrefix(m.String(), c.note) {
			t.Errorf("%s: %d bytes a token, %q; want %d, %q", c.path, m.BytesPerToken(), m, c.want, c.note)
		}
	}
}

// Every preset by hand, and those with a published file in testdata
// agree with it.
func TestModelPresets(t *testing.T) {
	want := map[string]int64{
		"llama3-8b":   2 * 32 * 8 * (4096 / 32) * 2, // 131,072
		"llama3-70b":  2 * 80 * 8 * (8192 / 64) * 2, // 327,680
		"qwen2.5-7b":  2 * 28 * 4 * (3584 / 28) * 2, // 57,344
		"qwen2.5-72b": 2 * 80 * 8 * (8192 / 64) * 2, // 327,680
		"mistral-7b":  2 * 32 * 8 * (4096 / 32) * 2, // 131,072, every layer sliding over 4096 tokens
		"deepseek-v3": (512 + 64) * 61 * 2,          // 70,272
	}
	if len(ModelPresets()) != len(want) {
		t.Fatalf("presets %v, want %d", ModelPresets(), len(want))
	}
	for _, name := range ModelPresets() {
		m, err := ParseModel(name, "")
		if err != nil || m.BytesPerToken() != want[name] {
			t.Errorf("%s: %d bytes a token (%v), want %d", name, m.BytesPerToken(), err, want[name])
		}
		if up, err := ParseModel(strings.ToUpper(name), ""); err != nil || up.BytesPerToken() != m.BytesPerToken() {
			t.Errorf("%s in capitals: %v", name, err)
		}
	}
	for name, file := range map[string]string{"llama3-8b": "testdata/Meta-Llama-3-8B", "deepseek-v3": "testdata/DeepSeek-V3"} {
		p, _ := ParseModel(name, "")
		f, err := ParseModel(file, "")
		if err != nil {
			t.Fatal(err)
		}
		p.Name, f.Name = "", ""
		if p != f {
			t.Errorf("preset %s: %+v, its config.json %+v", name, p, f)
		}
	}
	m, _ := ParseModel("mistral-7b", "")
	if m.SlidingLayers != 32 || m.Window != 4096 || !strings.Contains(m.String(), "all 32 layers attend to a sliding window of 4,096 tokens") {
		t.Errorf("mistral-7b: %d sliding layers over %d tokens: %s", m.SlidingLayers, m.Window, m)
	}
	for _, name := range []string{"qwen2.5-7b", "qwen2.5-72b"} { // sliding_window, but use_sliding_window false
		if m, _ := ParseModel(name, ""); m.SlidingLayers != 0 {
			t.Errorf("%s: %d sliding layers, want none", name, m.SlidingLayers)
		}
	}
}

// A KV cache of its own dtype (quantised) replaces the model's.
func TestModelKVDType(t *testing.T) {
	for _, c := range []struct {
		model, dtype string
		want         int64
	}{
		{"llama3-8b", "fp8", 65536},
		{"testdata/DeepSeek-V3/config.json", "fp8_e4m3", 35136},
		{"llama3-70b", "float8_e4m3fn", 163840},
		{"qwen2.5-7b", "fp4", 14336},
		{"layers=32,kv-heads=8,head-dim=128", "fp8", 65536},
		{"llama3-8b", "bf16", 131072},
	} {
		m, err := ParseModel(c.model, c.dtype)
		if err != nil || m.BytesPerToken() != c.want {
			t.Errorf("%s with %s: %d bytes a token (%v), want %d", c.model, c.dtype, m.BytesPerToken(), err, c.want)
		}
	}
	m, _ := ParseModel("llama3-8b", "fp8")
	if !strings.Contains(m.String(), "× 1 B (fp8 KV cache; the model's dtype is bf16)") {
		t.Errorf("the note says %q", m)
	}
	if _, err := ParseModel("layers=32,kv-heads=8,head-dim=128,dtype=bf16", "fp8"); err == nil || !strings.Contains(err.Error(), "give one") {
		t.Errorf("dtype= and a KV dtype apart: %v", err)
	}
	if _, err := ParseModel("llama3-8b", "fp12"); err == nil || !strings.Contains(err.Error(), `"fp12"`) {
		t.Errorf("an unknown KV dtype: %v", err)
	}
}

// Configs of the shapes of other families: sliding windows every few
// layers (Gemma 3 in a multimodal file's text_config, gpt-oss's
// layer_types, Gemma 2, Qwen2 with use_sliding_window), linear attention
// (Qwen3-Next), multi-head attention with no num_key_value_heads (Llama 2
// 7B), an explicit head_dim (Gemma), the newer "dtype" key.
func TestModelConfigFamilies(t *testing.T) {
	for _, c := range []struct {
		name, config        string
		want                int64
		sliding, window, ll int
	}{
		{"gemma-3-27b", `{"model_type": "gemma3", "torch_dtype": "bfloat16", "text_config": {"model_type": "gemma3_text",
			"head_dim": 128, "hidden_size": 5376, "num_attention_heads": 32, "num_hidden_layers": 62, "num_key_value_heads": 16,
			"sliding_window": 1024, "sliding_window_pattern": 6}}`, 2 * 62 * 16 * 128 * 2, 52, 1024, 0},
		{"gpt-oss-20b", `{"num_hidden_layers": 4, "num_attention_heads": 64, "num_key_value_heads": 8, "head_dim": 64, "hidden_size": 2880,
			"sliding_window": 128, "layer_types": ["sliding_attention", "full_attention", "sliding_attention", "full_attention"],
			"torch_dtype": "bfloat16"}`, 2 * 4 * 8 * 64 * 2, 2, 128, 0},
		{"gemma-2-9b", `{"model_type": "gemma2", "head_dim": 256, "hidden_size": 3584, "num_attention_heads": 16, "num_hidden_layers": 42,
			"num_key_value_heads": 8, "sliding_window": 4096, "torch_dtype": "float32"}`, 2 * 42 * 8 * 256 * 4, 21, 4096, 0},
		{"qwen2-sliding", `{"num_hidden_layers": 28, "num_attention_heads": 28, "num_key_value_heads": 4, "hidden_size": 3584,
			"sliding_window": 32768, "use_sliding_window": true, "max_window_layers": 21, "torch_dtype": "bfloat16"}`, 2 * 28 * 4 * 128 * 2, 7, 32768, 0},
		{"qwen3-next", `{"num_hidden_layers": 4, "num_attention_heads": 16, "num_key_value_heads": 2, "head_dim": 256, "hidden_size": 2048,
			"layer_types": ["linear_attention", "linear_attention", "linear_attention", "full_attention"], "dtype": "bfloat16"}`, 2 * 1 * 2 * 256 * 2, 0, 0, 3},
		{"llama-2-7b", `{"num_hidden_layers": 32, "num_attention_heads": 32, "hidden_size": 4096, "torch_dtype": "float16",
			"sliding_window": null, "head_dim": null}`, 2 * 32 * 32 * 128 * 2, 0, 0, 0},
	} {
		m, err := ParseModelConfig(c.name, []byte(c.config), "")
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if m.BytesPerToken() != c.want || m.SlidingLayers != c.sliding || m.Window != c.window || m.LinearLayers != c.ll {
			t.Errorf("%s: %d bytes a token, %d layers sliding over %d tokens, %d linear; want %d, %d over %d, %d: %s",
				c.name, m.BytesPerToken(), m.SlidingLayers, m.Window, m.LinearLayers, c.want, c.sliding, c.window, c.ll, m)
		}
	}
	m, _ := ParseModelConfig("gemma-3-27b", []byte(`{"num_hidden_layers": 62, "num_key_value_heads": 16, "head_dim": 128,
		"sliding_window": 1024, "sliding_window_pattern": 6, "torch_dtype": "bfloat16"}`), "")
	if note := "52 of the 62 layers attend to a sliding window of 1,024 tokens: counted in full, as a cached block keeps every layer's KV " +
		"(past 1,024 tokens, a request's KV grows by its 10 full-attention layers' 81,920 B per token)"; !strings.Contains(m.String(), note) {
		t.Errorf("the note says %q, want %q in it", m, note)
	}
}

// Bad configs are refused naming the file and the field to add or fix.
func TestModelConfigErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	llama := `"num_attention_heads": 32, "num_key_value_heads": 8, "hidden_size": 4096, "torch_dtype": "bfloat16"`
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path  string
		wants []string
	}{
		{write("a/config.json", `{`+llama+`}`), []string{"a/config.json: no num_hidden_layers", `add "num_hidden_layers": N`}},
		{write("b/config.json", `{"num_hidden_layers": 32, "num_key_value_heads": 8, "torch_dtype": "bfloat16"}`),
			[]string{"b/config.json: no head_dim", `add "head_dim": N`, "hidden_size and num_attention_heads"}},
		{write("c/config.json", `{"num_hidden_layers": 32, "head_dim": 128, "torch_dtype": "bfloat16"}`),
			[]string{"c/config.json: no num_key_value_heads", `add "num_key_value_heads": N`}},
		{write("d/config.json", `{"num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "hidden_size": 4096}`),
			[]string{"d/config.json: no torch_dtype", `add "torch_dtype": "bfloat16"`, "--kv-dtype"}},
		{write("e/config.json", `{"num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "hidden_size": 4096, "torch_dtype": "float12"}`),
			[]string{"e/config.json: torch_dtype \"float12\"", "expected bfloat16, float16 or float32"}},
		{write("f/config.json", "model_type: llama\nnum_hidden_layers: 32\n"), []string{"f/config.json is not a model's config.json", "invalid character"}},
		{write("g/config.json", `[1, 2]`), []string{"g/config.json is not a model's config.json"}},
		{empty, []string{"empty is a directory with no config.json"}},
		{write("h/config.json", `{"num_hidden_layers": 61, "kv_lora_rank": 512, "torch_dtype": "bfloat16"}`),
			[]string{"h/config.json: no qk_rope_head_dim", `add "qk_rope_head_dim": N`}},
		{write("i/config.json", `{"num_hidden_layers": "32", `+llama+`}`), []string{`i/config.json: num_hidden_layers is "32": expected a whole number`}},
		{write("j/config.json", `{"num_hidden_layers": 3, "layer_types": ["full_attention"], `+llama+`}`),
			[]string{"j/config.json: layer_types names 1 layers, and num_hidden_layers is 3"}},
		{write("k/config.json", `{"num_hidden_layers": 2, "layer_types": ["full_attention", "sliding_attention"], `+llama+`}`),
			[]string{"k/config.json: no sliding_window", `add "sliding_window": N`}},
		{write("l/config.json", `{"num_hidden_layers": 32, "num_attention_heads": 3, "hidden_size": 4096, "torch_dtype": "bfloat16"}`),
			[]string{"l/config.json: hidden_size 4096 is not a multiple of num_attention_heads 3", `add "head_dim": N`}},
		{write("m/config.json", `{"text_config": {"num_attention_heads": 8}, "torch_dtype": "bfloat16"}`),
			[]string{"m/config.json: no num_hidden_layers", "to text_config"}},
		{"llama3-7b", []string{`"llama3-7b" is no preset and no file`, "llama3-8b, llama3-70b, qwen2.5-7b, qwen2.5-72b, mistral-7b, deepseek-v3",
			"config.json", "layers=N,kv-heads=N"}},
	} {
		_, err := ParseModel(c.path, "")
		for _, w := range c.wants {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %v, want one containing %q", c.path, err, w)
			}
		}
	}
	// With the KV cache's dtype given, the model's is not needed.
	if m, err := ParseModel(filepath.Join(dir, "d/config.json"), "fp8"); err != nil || m.BytesPerToken() != 65536 {
		t.Errorf("no torch_dtype, fp8 KV cache: %d bytes a token (%v), want 65536", m.BytesPerToken(), err)
	}
	if m, err := ParseModel(filepath.Join(dir, "e/config.json"), "bf16"); err != nil || m.BytesPerToken() != 131072 {
		t.Errorf("torch_dtype float12, bf16 KV cache: %d bytes a token (%v), want 131072", m.BytesPerToken(), err)
	}
}

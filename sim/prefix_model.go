package sim

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cachesim/cachesim/traces"
)

// ModelShape is the shape of a transformer's KV cache: what one token
// costs in KV memory. A layer of grouped-query (or multi-head) attention
// keeps a key and a value vector per KV head; a layer of multi-head latent
// attention (MLA: DeepSeek-V2 and V3) keeps one compressed latent of
// KVLoRARank elements and one rope key of RopeHeadDim, shared by every
// head.
type ModelShape struct {
	// Name says where the shape comes from: a preset's name, a config
	// file's path, or the key=value form as given.
	Name string
	// Layers counts the layers that keep KV for every token; KVHeads and
	// HeadDim are their KV heads and the heads' dimension (not MLA).
	Layers, KVHeads, HeadDim int
	// KVLoRARank and RopeHeadDim are MLA's latent and rope key dimensions
	// (kv_lora_rank, qk_rope_head_dim); 0 for other attention.
	KVLoRARank, RopeHeadDim int
	// SlidingLayers of the Layers attend to the last Window tokens only
	// (sliding-window attention, as Mistral 7B and Gemma do): they are
	// counted in full in BytesPerToken, as a cached block keeps every
	// layer's KV, and a request's KV in them stops growing past Window
	// tokens.
	SlidingLayers, Window int
	// LinearLayers counts the layers besides Layers that keep a fixed
	// state rather than KV per token (linear attention), so cost no bytes
	// a token.
	LinearLayers int
	// DType names the KV cache's element type; Bits is its width.
	// ModelDType is the model's own dtype when the KV cache's was given
	// apart (a quantised KV cache), "" otherwise.
	DType      string
	Bits       int
	ModelDType string
	// dtypeGiven says the key=value form named the dtype.
	dtypeGiven bool
}

// dtypeBits are the element widths of the KV cache's dtypes, by the names
// of the key=value form and of config.json's torch_dtype.
var dtypeBits = map[string]int{
	"fp32": 32, "float32": 32, "f32": 32,
	"bf16": 16, "bfloat16": 16, "fp16": 16, "float16": 16, "f16": 16, "half": 16,
	"fp8": 8, "int8": 8, "e4m3": 8, "e5m2": 8, "fp8_e4m3": 8, "fp8_e5m2": 8, "float8_e4m3fn": 8, "float8_e5m2": 8,
	"fp4": 4, "int4": 4,
}

// dtypeShort are the short names of config.json's dtypes, as the notes
// show them.
var dtypeShort = map[string]string{"float32": "fp32", "f32": "fp32", "bfloat16": "bf16", "float16": "fp16", "f16": "fp16",
	"half": "fp16", "float8_e4m3fn": "fp8_e4m3", "float8_e5m2": "fp8_e5m2"}

// dtypeList lists the dtypes in an error.
const dtypeList = "fp32, bf16, fp16, fp8 (fp8_e4m3, fp8_e5m2), int8, fp4 or int4"

// DTypeNames are the short names of the KV-cache dtypes ParseDType reads
// (it also reads config.json's: bfloat16, float16, float8_e4m3fn…).
var DTypeNames = []string{"bf16", "fp16", "fp32", "fp8", "fp8_e4m3", "fp8_e5m2", "int8", "fp4", "int4"}

// ParseDType returns the short name and bit width of a KV-cache dtype
// such as bf16, bfloat16 (as config.json's torch_dtype names it) or fp8.
func ParseDType(s string) (name string, bits int, err error) {
	s = strings.ToLower(strings.TrimSpace(s))
	bits, ok := dtypeBits[s]
	if !ok {
		return "", 0, fmt.Errorf("dtype %q: expected %s", s, dtypeList)
	}
	if short, ok := dtypeShort[s]; ok {
		s = short
	}
	return s, bits, nil
}

// ModelShapeForms documents what ParseModel accepts.
var ModelShapeForms = "a preset (" + strings.Join(ModelPresets(), ", ") + "), a Hugging Face config.json (or the directory holding it), or " + keyForm

// keyForm documents what ParseModelShape accepts.
const keyForm = "layers=N,kv-heads=N,head-dim=N,dtype=bf16 (dtype: fp32, bf16, fp16, fp8, int8, fp4 or int4; default bf16)"

// ParseModel reads a model's KV shape from s: a preset's name
// (ModelPresets), the path of a Hugging Face config.json or of the
// directory holding one (ReadModelConfig), or the key=value form of
// ParseModelShape. kvDType, when not "", is the KV cache's dtype in place
// of the model's (a quantised KV cache, e.g. fp8).
func ParseModel(s, kvDType string) (ModelShape, error) {
	s = strings.TrimSpace(s)
	var (
		m   ModelShape
		err error
	)
	switch {
	case s == "":
		return m, fmt.Errorf("no model: expected %s", ModelShapeForms)
	case strings.Contains(s, "="):
		if m, err = ParseModelShape(s); err != nil || kvDType == "" {
			return m, err
		}
		if m.dtypeGiven {
			return m, fmt.Errorf("%s names its dtype, and the KV cache's is given apart (%s): give one", s, kvDType)
		}
		if m, err = m.withDType(kvDType); err != nil {
			return m, err
		}
		return m, m.check()
	}
	if p, ok := presetNamed(s); ok {
		return p.shape(kvDType)
	}
	if _, err := os.Stat(s); err != nil {
		return m, fmt.Errorf("%q is no preset and no file: expected %s", s, ModelShapeForms)
	}
	return ReadModelConfig(s, kvDType)
}

// withDType returns m with its KV cache in dtype s.
func (m ModelShape) withDType(s string) (ModelShape, error) {
	name, bits, err := ParseDType(s)
	if err != nil {
		return m, fmt.Errorf("KV-cache %w", err)
	}
	if name != m.DType {
		m.ModelDType = m.DType
	}
	m.DType, m.Bits = name, bits
	return m, nil
}

// ParseModelShape parses "layers=32,kv-heads=8,head-dim=128,dtype=bf16".
func ParseModelShape(s string) (ModelShape, error) {
	m := ModelShape{Name: s, DType: "bf16", Bits: 16}
	seen := map[string]bool{}
	for _, item := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(item), "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if !ok || v == "" {
			return m, fmt.Errorf("%q is not key=value: expected %s", item, keyForm)
		}
		if seen[k] {
			return m, fmt.Errorf("%s given twice", k)
		}
		seen[k] = true
		var dst *int
		switch k {
		case "layers":
			dst = &m.Layers
		case "kv-heads", "kv_heads", "heads":
			dst = &m.KVHeads
		case "head-dim", "head_dim":
			dst = &m.HeadDim
		case "dtype":
			name, bits, err := ParseDType(v)
			if err != nil {
				return m, err
			}
			m.DType, m.Bits, m.dtypeGiven = name, bits, true
			continue
		default:
			return m, fmt.Errorf("unknown key %q: expected %s", k, keyForm)
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxDim {
			return m, fmt.Errorf("%s=%s: expected a whole number from 1 to %d", k, v, maxDim)
		}
		*dst = n
	}
	for _, k := range []struct {
		name string
		v    int
	}{{"layers", m.Layers}, {"kv-heads", m.KVHeads}, {"head-dim", m.HeadDim}} {
		if k.v == 0 {
			return m, fmt.Errorf("missing %s: expected %s", k.name, keyForm)
		}
	}
	return m, m.check()
}

// maxDim bounds each dimension of a shape: 2^20.
const maxDim = 1 << 20

// MaxBytesPerToken bounds a token's KV memory: 1 GiB, far past any model's.
const MaxBytesPerToken = 1 << 30

// mla reports whether m is of multi-head latent attention.
func (m ModelShape) mla() bool { return m.KVLoRARank > 0 }

// elements returns the KV elements of a token: 2 × layers × KV heads ×
// head dim, or (latent + rope key) × layers with MLA. Each dimension is at
// most 2^20, so it fits in an int64.
func (m ModelShape) elements() int64 {
	if m.mla() {
		return int64(m.KVLoRARank+m.RopeHeadDim) * int64(m.Layers)
	}
	return 2 * int64(m.Layers) * int64(m.KVHeads) * int64(m.HeadDim)
}

// check bounds the bytes of a token before they are computed, so they
// cannot wrap, and refuses a token of less than a byte.
func (m ModelShape) check() error {
	if e := m.elements(); e > MaxBytesPerToken*8/int64(m.Bits) {
		formula := "2 × layers × kv-heads × head-dim"
		if m.mla() {
			formula = "(kv_lora_rank + qk_rope_head_dim) × layers"
		}
		return fmt.Errorf("%s: %s × %d bits is %.4g bytes a token, more than %d (1 GiB; the largest models take under 1 MiB): check the shape",
			m.Name, formula, m.Bits, float64(e)*float64(m.Bits)/8, MaxBytesPerToken)
	}
	if m.BytesPerToken() == 0 {
		return fmt.Errorf("%s: a token's KV takes less than a byte", m.Name)
	}
	return nil
}

// BytesPerToken is the KV memory of one token: a key and a value vector
// per layer and KV head, 2 × layers × kv-heads × head-dim elements, or
// with MLA a latent and a rope key per layer, (kv_lora_rank +
// qk_rope_head_dim) × layers. Sliding-window layers count in full (see
// ModelShape.SlidingLayers).
func (m ModelShape) BytesPerToken() int64 {
	return m.elements() * int64(m.Bits) / 8
}

// String says how BytesPerToken follows from the shape, e.g. "llama3-8b:
// 131,072 B per token = 2 (K,V) × 32 layers × 8 KV heads × 128 head dim ×
// 2 B (bf16)", with a word on sliding-window and linear layers and on a
// KV cache of a dtype other than the model's.
func (m ModelShape) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s B per token = ", m.Name, traces.Thousands(m.BytesPerToken()))
	if m.mla() {
		fmt.Fprintf(&b, "(%s kv_lora_rank + %s rope) × %s layers", traces.Thousands(int64(m.KVLoRARank)), traces.Thousands(int64(m.RopeHeadDim)), traces.Thousands(int64(m.Layers)))
	} else {
		fmt.Fprintf(&b, "2 (K,V) × %s layers × %s KV heads × %s head dim", traces.Thousands(int64(m.Layers)), traces.Thousands(int64(m.KVHeads)), traces.Thousands(int64(m.HeadDim)))
	}
	fmt.Fprintf(&b, " × %s B (%s", strconv.FormatFloat(float64(m.Bits)/8, 'g', -1, 64), m.DType)
	if m.ModelDType != "" {
		fmt.Fprintf(&b, " KV cache; the model's dtype is %s", m.ModelDType)
	}
	b.WriteString(")")
	if m.LinearLayers > 0 {
		fmt.Fprintf(&b, "; %d more layers of linear attention keep a fixed state, no KV per token", m.LinearLayers)
	}
	if m.SlidingLayers > 0 {
		which := fmt.Sprintf("%d of the %d layers", m.SlidingLayers, m.Layers)
		if m.SlidingLayers == m.Layers {
			which = fmt.Sprintf("all %d layers", m.Layers)
		}
		past := "stops growing"
		if m.SlidingLayers < m.Layers {
			full := m
			full.Layers -= m.SlidingLayers
			past = fmt.Sprintf("grows by its %d full-attention layers' %s B per token", full.Layers, traces.Thousands(full.BytesPerToken()))
		}
		fmt.Fprintf(&b, "; %s attend to a sliding window of %s tokens: counted in full, as a cached block keeps every layer's KV (past %s tokens, a request's KV %s)",
			which, traces.Thousands(int64(m.Window)), traces.Thousands(int64(m.Window)), past)
	}
	return b.String()
}

// ReadModelConfig reads a model's KV shape from a Hugging Face config.json
// at path, or from the config.json in the directory path (a downloaded
// model). kvDType is as ParseModelConfig takes it.
func ReadModelConfig(path, kvDType string) (ModelShape, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return ModelShape{}, err
	}
	if fi.IsDir() {
		inside := filepath.Join(path, "config.json")
		if _, err := os.Stat(inside); err != nil {
			return ModelShape{}, fmt.Errorf("%s is a directory with no config.json: give a model's config.json (or the directory holding it)", path)
		}
		path = inside
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return ModelShape{}, err
	}
	return ParseModelConfig(path, data, kvDType)
}

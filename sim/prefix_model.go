package sim

import (
	"fmt"
	"strconv"
	"strings"
)

// ModelShape is the shape of a transformer's KV cache: what one token
// costs in KV memory.
type ModelShape struct {
	Layers, KVHeads, HeadDim int
	// DType names the element type; Bits is its width.
	DType string
	Bits  int
}

// dtypeBits are the element widths of the KV cache's dtypes.
var dtypeBits = map[string]int{
	"fp32": 32, "float32": 32, "f32": 32,
	"bf16": 16, "fp16": 16, "float16": 16, "f16": 16, "half": 16,
	"fp8": 8, "int8": 8, "e4m3": 8, "e5m2": 8, "fp8_e4m3": 8, "fp8_e5m2": 8,
	"fp4": 4, "int4": 4,
}

// ModelShapeForms documents what ParseModelShape accepts.
const ModelShapeForms = "layers=N,kv-heads=N,head-dim=N,dtype=bf16 (dtype: fp32, bf16, fp16, fp8, int8, fp4 or int4; default bf16)"

// ParseModelShape parses "layers=32,kv-heads=8,head-dim=128,dtype=bf16".
func ParseModelShape(s string) (ModelShape, error) {
	m := ModelShape{DType: "bf16", Bits: 16}
	seen := map[string]bool{}
	for _, item := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(item), "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if !ok || v == "" {
			return m, fmt.Errorf("%q is not key=value: expected %s", item, ModelShapeForms)
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
			bits, ok := dtypeBits[strings.ToLower(v)]
			if !ok {
				return m, fmt.Errorf("dtype %q: expected fp32, bf16, fp16, fp8, int8, fp4 or int4", v)
			}
			m.DType, m.Bits = strings.ToLower(v), bits
			continue
		default:
			return m, fmt.Errorf("unknown key %q: expected %s", k, ModelShapeForms)
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1<<20 {
			return m, fmt.Errorf("%s=%s: expected a whole number from 1 to 1048576", k, v)
		}
		*dst = n
	}
	for _, k := range []struct {
		name string
		v    int
	}{{"layers", m.Layers}, {"kv-heads", m.KVHeads}, {"head-dim", m.HeadDim}} {
		if k.v == 0 {
			return m, fmt.Errorf("missing %s: expected %s", k.name, ModelShapeForms)
		}
	}
	// Each factor is at most 2^20, so their product fits in an int64; the
	// bytes are bounded before they are computed, so they cannot wrap.
	if elems := int64(m.Layers) * int64(m.KVHeads) * int64(m.HeadDim); elems > MaxBytesPerToken*8/(2*int64(m.Bits)) {
		return m, fmt.Errorf("%s: 2 × layers × kv-heads × head-dim × %d bits is %.4g bytes a token, more than %d (1 GiB; the largest models take under 1 MiB): check the shape",
			s, m.Bits, 2*float64(elems)*float64(m.Bits)/8, MaxBytesPerToken)
	}
	if m.BytesPerToken() == 0 {
		return m, fmt.Errorf("%s: a token's K and V take less than a byte", s)
	}
	return m, nil
}

// MaxBytesPerToken bounds a token's KV memory: 1 GiB, far past any model's.
const MaxBytesPerToken = 1 << 30

// BytesPerToken is the KV memory of one token: a key and a value vector
// per layer and KV head, 2 × layers × kv-heads × head-dim elements.
func (m ModelShape) BytesPerToken() int64 {
	return 2 * int64(m.Layers) * int64(m.KVHeads) * int64(m.HeadDim) * int64(m.Bits) / 8
}

// String renders the shape as ParseModelShape reads it.
func (m ModelShape) String() string {
	return fmt.Sprintf("layers=%d,kv-heads=%d,head-dim=%d,dtype=%s", m.Layers, m.KVHeads, m.HeadDim, m.DType)
}

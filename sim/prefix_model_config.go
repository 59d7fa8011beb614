package sim

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// A Hugging Face config.json gives a model's KV shape in these fields:
//
//   - num_hidden_layers: the layers;
//   - num_key_value_heads: the KV heads of a layer (grouped-query
//     attention; num_attention_heads when missing, as multi-head attention
//     has one KV head per query head);
//   - head_dim: a head's dimension (hidden_size / num_attention_heads when
//     missing);
//   - torch_dtype (dtype in newer files): the model's dtype, which its KV
//     cache takes unless given apart;
//   - kv_lora_rank and qk_rope_head_dim: multi-head latent attention (MLA,
//     DeepSeek-V2 and V3), which caches one latent of kv_lora_rank and one
//     rope key of qk_rope_head_dim elements a layer, with no factor of
//     heads nor of K and V (num_key_value_heads, which DeepSeek's files
//     also give, does not count);
//   - sliding_window with layer_types, sliding_window_pattern (Gemma 3:
//     every N-th layer attends to everything, the others slide),
//     max_window_layers (Qwen2: layers from that index on slide, when
//     use_sliding_window is true) or model_type gemma2 (every other layer
//     slides); a sliding_window with none of them (Mistral 7B v0.1) slides
//     in every layer. layer_types may also name linear_attention layers,
//     which keep no KV per token.
//
// A multimodal model's file gives its language model's fields in
// text_config, where they are read when the file has no
// num_hidden_layers of its own. quantization_config is the weights' and
// leaves the KV cache's dtype alone.

// modelConfig is a config.json being read.
type modelConfig struct {
	path string
	// fields are the language model's fields: the file's own or its
	// text_config's; top are the file's own.
	fields, top map[string]json.RawMessage
	// in is "" or "text_config.", the path of fields in the file.
	in string
}

// ParseModelConfig reads a model's KV shape from data, the text of a
// Hugging Face config.json that path names in errors. kvDType, when not
// "", is the KV cache's dtype in place of the model's (a quantised KV
// cache), and the config's torch_dtype may be missing.
func ParseModelConfig(path string, data []byte, kvDType string) (ModelShape, error) {
	m := ModelShape{Name: path}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil || top == nil {
		if err == nil {
			err = fmt.Errorf("null")
		}
		return m, fmt.Errorf("%s is not a model's config.json, a JSON object (%v)", path, err)
	}
	c := modelConfig{path: path, fields: top, top: top}
	if _, ok := top["num_hidden_layers"]; !ok {
		var text map[string]json.RawMessage
		if raw, ok := top["text_config"]; ok && json.Unmarshal(raw, &text) == nil && text != nil {
			c.fields, c.in = text, "text_config."
		}
	}
	layers, err := c.need("num_hidden_layers", "the model's layers")
	if err != nil {
		return m, err
	}
	m.Layers = layers
	if err := c.attention(&m); err != nil {
		return m, err
	}
	if err := c.dtype(&m, kvDType); err != nil {
		return m, err
	}
	if err := c.sliding(&m); err != nil {
		return m, err
	}
	if kvDType != "" {
		if m, err = m.withDType(kvDType); err != nil {
			return m, err
		}
	}
	return m, m.check()
}

// attention reads the dimensions of a layer's KV: MLA's latent and rope
// key, or the KV heads and their dimension.
func (c modelConfig) attention(m *ModelShape) error {
	rank, _, err := c.num("kv_lora_rank", maxDim)
	if err != nil {
		return err
	}
	if rank > 0 {
		rope, ok, err := c.num("qk_rope_head_dim", maxDim)
		if err == nil && !ok {
			err = c.missing("qk_rope_head_dim", "the rope key that multi-head latent attention caches beside its kv_lora_rank latent")
		}
		m.KVLoRARank, m.RopeHeadDim = rank, rope
		return err
	}
	heads, hasHeads, err := c.num("num_attention_heads", maxDim)
	if err != nil {
		return err
	}
	kv, ok, err := c.num("num_key_value_heads", maxDim)
	switch {
	case err != nil:
		return err
	case !ok && !hasHeads:
		return c.missing("num_key_value_heads", "the KV heads of a layer; or num_attention_heads, when every head has its own K and V")
	case !ok:
		kv = heads
	}
	dim, ok, err := c.num("head_dim", maxDim)
	if err != nil {
		return err
	}
	if !ok {
		hidden, hasHidden, err := c.num("hidden_size", math.MaxInt32)
		switch {
		case err != nil:
			return err
		case !hasHidden || !hasHeads || heads == 0:
			return c.missing("head_dim", "the dimension of an attention head; or hidden_size and num_attention_heads, of which it is the quotient")
		case hidden%heads != 0:
			return fmt.Errorf("%s: %shidden_size %d is not a multiple of num_attention_heads %d: add \"head_dim\": N (the dimension of an attention head)",
				c.path, c.in, hidden, heads)
		}
		dim = hidden / heads
	}
	if kv == 0 || dim == 0 {
		return fmt.Errorf("%s: %d KV heads of dimension %d keep no KV: check num_key_value_heads and head_dim", c.path, kv, dim)
	}
	m.KVHeads, m.HeadDim = kv, dim
	return nil
}

// dtype reads the model's dtype, which is the KV cache's unless kvDType
// is given.
func (c modelConfig) dtype(m *ModelShape, kvDType string) error {
	s, key, err := c.str("torch_dtype", "dtype")
	if err != nil {
		return err
	}
	switch {
	case key == "" && kvDType == "":
		return fmt.Errorf("%s: no torch_dtype: add \"torch_dtype\": \"bfloat16\" (the dtype the model runs in, which its KV cache takes), or give the KV cache's dtype apart (--kv-dtype)", c.path)
	case key == "":
		return nil
	}
	name, bits, err := ParseDType(s)
	switch {
	case err != nil && kvDType == "":
		return fmt.Errorf("%s: %s %q: expected bfloat16, float16 or float32 (or give the KV cache's dtype apart, --kv-dtype: %s)", c.path, key, s, dtypeList)
	case err == nil:
		m.DType, m.Bits = name, bits
	}
	return nil
}

// sliding reads which layers slide over a window of tokens, and which keep
// no KV per token.
func (c modelConfig) sliding(m *ModelShape) error {
	window, hasWindow, err := c.num("sliding_window", math.MaxInt32)
	if err != nil {
		return err
	}
	hasWindow = hasWindow && window > 0
	if raw, ok := c.fields["layer_types"]; ok && string(raw) != "null" {
		var types []string
		if err := json.Unmarshal(raw, &types); err != nil {
			return fmt.Errorf("%s: %slayer_types is not a list of names (%v)", c.path, c.in, err)
		}
		if len(types) != m.Layers {
			return fmt.Errorf("%s: %slayer_types names %d layers, and num_hidden_layers is %d", c.path, c.in, len(types), m.Layers)
		}
		var sliding, linear int
		for i, t := range types {
			switch t {
			case "full_attention", "attention":
			case "sliding_attention":
				sliding++
			case "linear_attention":
				linear++
			default:
				return fmt.Errorf("%s: %slayer_types[%d] is %q: expected full_attention, sliding_attention or linear_attention", c.path, c.in, i, t)
			}
		}
		switch {
		case sliding > 0 && !hasWindow:
			return c.missing("sliding_window", "the tokens a sliding_attention layer of layer_types attends to")
		case linear == m.Layers:
			return fmt.Errorf("%s: every layer of %slayer_types is of linear attention, which keeps no KV per token", c.path, c.in)
		}
		m.Layers -= linear
		m.LinearLayers, m.SlidingLayers = linear, sliding
		if sliding > 0 {
			m.Window = window
		}
		return nil
	}
	if !hasWindow {
		return nil
	}
	if raw, ok := c.fields["use_sliding_window"]; ok {
		var use bool
		if err := json.Unmarshal(raw, &use); err != nil {
			return fmt.Errorf("%s: %suse_sliding_window is %s: expected true or false", c.path, c.in, raw)
		}
		if !use {
			return nil
		}
	}
	pattern, hasPattern, err := c.num("sliding_window_pattern", maxDim)
	if err != nil {
		return err
	}
	below, hasBelow, err := c.num("max_window_layers", maxDim)
	if err != nil {
		return err
	}
	kind, _, err := c.str("model_type")
	if err != nil {
		return err
	}
	switch {
	case hasPattern && pattern > 0: // layer i attends to everything when i+1 is a multiple of pattern
		m.SlidingLayers = m.Layers - m.Layers/pattern
	case kind == "gemma2": // the even layers slide
		m.SlidingLayers = (m.Layers + 1) / 2
	case hasBelow: // the layers from max_window_layers on slide
		m.SlidingLayers = m.Layers - min(below, m.Layers)
	default:
		m.SlidingLayers = m.Layers
	}
	if m.SlidingLayers > 0 {
		m.Window = window
	}
	return nil
}

// num returns the whole number from 0 to limit at key; ok is false when
// the key is missing or null.
func (c modelConfig) num(key string, limit int) (n int, ok bool, err error) {
	raw, ok := c.fields[key]
	if !ok || string(raw) == "null" {
		return 0, false, nil
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil || f != math.Trunc(f) || f < 0 || f > float64(limit) {
		return 0, false, fmt.Errorf("%s: %s%s is %s: expected a whole number from 0 to %d", c.path, c.in, key, raw, limit)
	}
	return int(f), true, nil
}

// need returns the whole number from 1 to maxDim at key, which must be
// there; what says what it is.
func (c modelConfig) need(key, what string) (int, error) {
	n, ok, err := c.num(key, maxDim)
	switch {
	case err != nil:
		return 0, err
	case !ok:
		return 0, c.missing(key, what)
	case n == 0:
		return 0, fmt.Errorf("%s: %s%s is 0: expected %s", c.path, c.in, key, what)
	}
	return n, nil
}

// missing says that key is missing, and what it is.
func (c modelConfig) missing(key, what string) error {
	hint := ""
	if c.in == "" {
		hint = " (is it a model's config.json?)"
	}
	return fmt.Errorf("%s: no %s: add \"%s\": N to %s, %s%s", c.path, key, key, where(c.in), what, hint)
}

// where names the object of the fields read.
func where(in string) string {
	if in == "" {
		return "the file"
	}
	return strings.TrimSuffix(in, ".")
}

// str returns the string at the first of keys there, in the language
// model's fields or else the file's own; key is "" when none is.
func (c modelConfig) str(keys ...string) (s, key string, err error) {
	for _, fields := range []map[string]json.RawMessage{c.fields, c.top} {
		for _, k := range keys {
			raw, ok := fields[k]
			if !ok || string(raw) == "null" {
				continue
			}
			if err := json.Unmarshal(raw, &s); err != nil {
				return "", k, fmt.Errorf("%s: %s is %s: expected a string", c.path, k, raw)
			}
			return s, k, nil
		}
	}
	return "", "", nil
}

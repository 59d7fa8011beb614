package sim

import "strings"

// modelPreset is a model known by name: the fields of its published
// config.json that give its KV shape, read as a config.json is.
type modelPreset struct {
	name, repo, config string
}

// modelPresets are the presets, from the config.json files on Hugging Face.
// Llama 3.1 and 3.3 have the shapes of Llama 3; Qwen2.5's Instruct models
// those of the base models.
var modelPresets = []modelPreset{
	{"llama3-8b", "meta-llama/Meta-Llama-3-8B", `{"model_type": "llama", "hidden_size": 4096, "num_attention_heads": 32,
		"num_hidden_layers": 32, "num_key_value_heads": 8, "torch_dtype": "bfloat16"}`},
	{"llama3-70b", "meta-llama/Meta-Llama-3-70B", `{"model_type": "llama", "hidden_size": 8192, "num_attention_heads": 64,
		"num_hidden_layers": 80, "num_key_value_heads": 8, "torch_dtype": "bfloat16"}`},
	{"qwen2.5-7b", "Qwen/Qwen2.5-7B", `{"model_type": "qwen2", "hidden_size": 3584, "num_attention_heads": 28,
		"num_hidden_layers": 28, "num_key_value_heads": 4, "max_window_layers": 28, "sliding_window": 131072,
		"use_sliding_window": false, "torch_dtype": "bfloat16"}`},
	{"qwen2.5-72b", "Qwen/Qwen2.5-72B", `{"model_type": "qwen2", "hidden_size": 8192, "num_attention_heads": 64,
		"num_hidden_layers": 80, "num_key_value_heads": 8, "max_window_layers": 80, "sliding_window": 131072,
		"use_sliding_window": false, "torch_dtype": "bfloat16"}`},
	{"mistral-7b", "mistralai/Mistral-7B-v0.1", `{"model_type": "mistral", "hidden_size": 4096, "num_attention_heads": 32,
		"num_hidden_layers": 32, "num_key_value_heads": 8, "sliding_window": 4096, "torch_dtype": "bfloat16"}`},
	{"deepseek-v3", "deepseek-ai/DeepSeek-V3", `{"model_type": "deepseek_v3", "hidden_size": 7168, "num_attention_heads": 128,
		"num_hidden_layers": 61, "num_key_value_heads": 128, "kv_lora_rank": 512, "q_lora_rank": 1536,
		"qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128, "torch_dtype": "bfloat16"}`},
}

// ModelPresets lists the names of the models ParseModel knows by name.
func ModelPresets() []string {
	names := make([]string, len(modelPresets))
	for i, p := range modelPresets {
		names[i] = p.name
	}
	return names
}

// presetNamed returns the preset of that name, in any case.
func presetNamed(name string) (modelPreset, bool) {
	for _, p := range modelPresets {
		if strings.EqualFold(p.name, name) {
			return p, true
		}
	}
	return modelPreset{}, false
}

// shape reads the preset's shape, with the KV cache in kvDType if not "".
func (p modelPreset) shape(kvDType string) (ModelShape, error) {
	m, err := ParseModelConfig(p.repo+" config.json", []byte(p.config), kvDType)
	m.Name = p.name + " (" + p.repo + ")"
	return m, err
}

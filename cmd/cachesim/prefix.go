package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// prefixFlags are the flags of prompt traces (prefix caching): the model
// shape that turns blocks into KV bytes, pins, and the prefill throughput
// that turns hit tokens into time to first token.
type prefixFlags struct {
	kvBytes string
	model   string
	kvDType string
	pin     time.Duration
	prefill float64
	fs      *pflag.FlagSet
	// shape is the model shape read from --model, for the note.
	shape *sim.ModelShape
}

// prefixFlagNames are the flags that act on prompt traces only.
var prefixFlagNames = []string{"kv-bytes-per-token", "model", "kv-dtype", "pin-time", "prefill-tokens-per-s"}

// prefixHelp is the part of the help of sweep, replay and mrc on prompts.
const prefixHelp = `Prompt traces (LLM prefix caching): a trace whose requests are prompts —
JSON lines of block hashes or token ids (--block-tokens), or the prefix:
workload — is simulated with the prefix rule: a request's hit length is the
longest run of its blocks from the start that are cached when it arrives,
then every block is stored; the token hit ratio (tokens in hit blocks /
prompt tokens) is the metric of the rules, charts and plan. Sizes count
blocks, or KV memory with --kv-bytes-per-token or --model: a preset
(llama3-8b, llama3-70b, qwen2.5-7b, qwen2.5-72b, mistral-7b, deepseek-v3),
a Hugging Face config.json, or layers=N,kv-heads=N,head-dim=N,dtype=bf16;
a token takes 2 (K,V) × layers × KV heads × head dim × dtype bytes, or
(kv_lora_rank + qk_rope_head_dim) × layers × dtype bytes with DeepSeek's
latent attention; sliding-window layers count in full, as a cached block
keeps every layer. --kv-dtype fp8 is a quantised KV cache. The note on
stderr says how the bytes a token follow from the model.
--pin-time keeps an in-flight request's blocks from eviction (lru and
radix; a trace's "duration" does it per request); --prefill-tokens-per-s
turns hit tokens into time to first token saved. radix is the order of
vLLM's and SGLang's prefix caches.`

func (f *prefixFlags) register(fs *pflag.FlagSet) {
	defer inSection(fs, sectionPrompts)()
	f.fs = fs
	fs.StringVar(&f.kvBytes, "kv-bytes-per-token", "", "prompt traces: KV-cache memory of one token (128KiB), so that sizes with units mean KV memory (or --model)")
	fs.StringVar(&f.model, "model", "", "prompt traces: the model, so that sizes with units mean its KV memory: "+sim.ModelShapeForms)
	fs.StringVar(&f.kvDType, "kv-dtype", "", "prompt traces, with --model: the KV cache's dtype in place of the model's, for a quantised KV cache (fp8, int8, fp4, bf16…)")
	fs.DurationVar(&f.pin, "pin-time", 0, "prompt traces: how long a request holds its blocks, which cannot be evicted while it runs; lru and radix only (default: the trace's durations, else none)")
	fs.Float64Var(&f.prefill, "prefill-tokens-per-s", 0, "prompt traces: the server's prefill throughput for a request, in tokens/s, to turn hit tokens into time to first token saved")
}

// given lists the prefix flags given, as --name.
func (f *prefixFlags) given() []string {
	var out []string
	for _, n := range prefixFlagNames {
		if changed(f.fs, n) {
			out = append(out, "--"+n)
		}
	}
	return out
}

// check rejects the prefix flags on a trace that is not of prompts.
func (f *prefixFlags) check(t *trace.Trace) error {
	return needPrompts(f.given(), t, "prefix caching: JSON lines of blocks or token_ids, or the prefix: workload", "")
}

// needPrompts rejects the flags given, which act on prompt traces only
// (what they are for: about), on t when it is not one; hint ends the error.
func needPrompts(given []string, t *trace.Trace, about, hint string) error {
	if len(given) > 0 && !sim.Prompts(t) {
		return fmt.Errorf("%s apply to prompt traces (%s), and %s is not one%s", strings.Join(given, ", "), about, t.Name, hint)
	}
	return nil
}

// bytesPerToken reads --kv-bytes-per-token or --model with --kv-dtype
// (0: neither).
func (f *prefixFlags) bytesPerToken() (int64, error) {
	switch {
	case f.kvBytes != "" && f.model != "":
		return 0, fmt.Errorf("give --kv-bytes-per-token or --model, not both")
	case changed(f.fs, "kv-dtype") && f.model == "":
		return 0, fmt.Errorf("--kv-dtype sets the dtype of --model's KV cache: give --model too (--kv-bytes-per-token gives the bytes whole)")
	case f.model != "":
		if _, _, err := sim.ParseDType(f.kvDType); changed(f.fs, "kv-dtype") && err != nil {
			return 0, fmt.Errorf("bad --kv-dtype: %w", err)
		}
		m, err := sim.ParseModel(f.model, f.kvDType)
		if err != nil {
			return 0, fmt.Errorf("bad --model: %w", err)
		}
		f.shape = &m
		return m.BytesPerToken(), nil
	case f.kvBytes != "":
		v, err := sim.ParseSize(f.kvBytes) // a plain number is bytes too
		if err != nil || v.N < 1 || v.N > sim.MaxBytesPerToken {
			return 0, fmt.Errorf("--kv-bytes-per-token %q: expected bytes from 1 to 1GiB, e.g. 131072 or 128KiB", f.kvBytes)
		}
		return v.N, nil
	}
	return 0, nil
}

// options checks the flags on prompt trace t, with sizes in bytes (KV
// memory) or not (blocks), and returns the prefix options and the model
// of the report; unitless says the bytes were not asked for (no sizes
// with units, no --bytes) but follow from the model shape.
func (f *prefixFlags) options(t *trace.Trace, bytes, unitless bool) (*sim.PrefixOptions, *report.Prefix, error) {
	bpt, err := f.bytesPerToken()
	if err != nil {
		return nil, nil, err
	}
	switch {
	case bpt > 0 && !bytes:
		return nil, nil, fmt.Errorf("with a model shape, sizes are KV memory: give them units (1GiB:512GiB:log) or --bytes")
	case bpt == 0 && bytes && !unitless:
		return nil, nil, fmt.Errorf("sizes of a prompt trace in bytes are KV memory: give --kv-bytes-per-token or --model (without them sizes count blocks)")
	case bpt > 0 && int64(sim.MaxBlockTokens(t)) > math.MaxUint32/bpt: // tokens × bpt > MaxUint32, without overflow
		return nil, nil, fmt.Errorf("a block of %d tokens at %d bytes a token takes 4 GiB or more: check --kv-bytes-per-token or --model", sim.MaxBlockTokens(t), bpt)
	}
	if err := finite(floatFlag{"prefill-tokens-per-s", f.prefill}); err != nil {
		return nil, nil, err
	}
	if f.prefill < 0 || f.pin < 0 {
		return nil, nil, fmt.Errorf("--prefill-tokens-per-s and --pin-time must not be negative")
	}
	opt := &sim.PrefixOptions{BytesPerToken: bpt, Pin: f.pin, Durations: f.pin == 0 && t.Latencies != nil}
	if opt.Pin > 0 && t.Times == nil {
		return nil, nil, fmt.Errorf("--pin-time needs timestamps: every request of %s arrives at time 0, so none would ever end", t.Name)
	}
	rep := &report.Prefix{BytesPerToken: bpt, PrefillTokensPerS: f.prefill}
	rep.PromptsPerS, rep.TokensPerS = sim.PromptRate(t)
	return opt, rep, nil
}

// wrapPins names --pin-time in an error about a policy that cannot pin.
func wrapPins(err error) error {
	if errors.Is(err, sim.ErrPinsNeedPinner) {
		return fmt.Errorf("--pin-time (or the trace's durations): %w", err)
	}
	return err
}

// prefixNote says on stderr how a prompt trace is simulated.
func prefixNote(w io.Writer, t *trace.Trace, opt *sim.PrefixOptions) {
	unit := "sizes count blocks (--kv-bytes-per-token or --model makes them KV memory)"
	if opt.BytesPerToken > 0 {
		unit = fmt.Sprintf("sizes are KV memory at %s a token", sim.FormatSize(opt.BytesPerToken, true))
	}
	pins := "no pins"
	switch {
	case opt.Pin > 0:
		pins = fmt.Sprintf("each request pins its blocks for %s", opt.Pin)
	case opt.Durations:
		pins = "each request pins its blocks for its recorded duration"
	}
	fmt.Fprintf(w, "note: %s is a prompt trace: simulated with the prefix rule (hits up to each request's first missing block); %s; %s\n",
		t.Name, unit, pins)
}

// modelNote says on stderr how the bytes of a token follow from --model,
// when sizes are KV memory of its.
func (f *prefixFlags) modelNote(w io.Writer, opt *sim.PrefixOptions) {
	if f.shape != nil && opt.BytesPerToken > 0 {
		fmt.Fprintf(w, "note: --model %s\n", f.shape)
	}
}

// refusePrefix rejects the sweep flags that do not apply to prompt traces.
func (o *sweepOptions) refusePrefix(p sweepPlan) error {
	for _, c := range []struct {
		on   bool
		what string
	}{
		{o.sample.on(), "--sample-rate and --sample-size (sampling blocks breaks their prompts' chains)"},
		{p.model != nil, "the latency flags (--prefill-tokens-per-s gives time to first token)"},
		{o.optimal, "--optimal"},
		{o.cache.overhead > 0, "--overhead-per-object"},
		{p.sizing.useCost || o.lat.rateGiven(), "the cost rule and --request-rate"},
		{changed(o.fs, "max-memory"), "--max-memory"},
	} {
		if c.on {
			return fmt.Errorf("%s: not for prompt traces (prefix caching)", c.what)
		}
	}
	return nil
}

// checkPrompts checks the flags of a sweep (or mrc) of prompt trace t and
// sets the prefix options and the report's model in p.
func (o *sweepOptions) checkPrompts(p *sweepPlan, t *trace.Trace) error {
	if err := o.refusePrefix(*p); err != nil {
		return err
	}
	bytes := p.sizes.Bytes
	if len(p.sizes.Values) == 0 {
		bytes = o.bytes || o.prefix.kvBytes != "" || o.prefix.model != ""
	}
	opt, model, err := o.prefix.options(t, bytes, len(p.sizes.Values) == 0 && !o.bytes)
	if err != nil {
		return err
	}
	if !changed(o.fs, "metric") {
		p.sizing.metric = report.TokenHitRatio
	}
	p.prefix, p.prefixModel = opt, model
	return nil
}

// replayPrompts is replay on a prompt trace.
func (o *replayOptions) replayPrompts(cmd *cobra.Command, t *trace.Trace, p replayPlan) error {
	stderr := cmd.ErrOrStderr()
	switch {
	case p.model != nil:
		return fmt.Errorf("the latency flags: not for prompt traces (--prefill-tokens-per-s gives time to first token)")
	case o.timeline.interval != "":
		return fmt.Errorf("--interval: not for prompt traces (prefix caching)")
	case !p.span.Warmup.IsZero():
		return fmt.Errorf("--warmup: not for prompt traces: the prefix rule's replay counts from its first request (--window applies)")
	case o.timeline.plot != "" && len(o.route.given()) == 0:
		return fmt.Errorf("--plot needs --instances on a prompt trace: it draws the token hit ratio per router (the timeline of --interval is not for prompt traces)")
	case changed(o.timeline.fs, "metric"):
		return fmt.Errorf("--metric: not for prompt traces (the --instances chart draws the token hit ratio)")
	case o.cache.overhead > 0:
		return fmt.Errorf("--overhead-per-object: not for prompt traces (prefix caching)")
	}
	bytes := p.size.Bytes() || o.prefix.kvBytes != "" || o.prefix.model != ""
	opt, model, err := o.prefix.options(t, bytes, p.size.N == 0 && !o.bytes)
	if err != nil {
		return err
	}
	ceiling := sim.PrefixCeiling(t, *opt)
	size := p.size
	if size.N == 0 {
		size = sim.DefaultReplaySize(int(ceiling.Objects), int64(ceiling.ObjectBytes), sim.UnitOf(bytes))
	}
	if !bytes {
		opt.BytesPerToken = 0
	}
	if len(o.route.given()) > 0 {
		return o.replayRouted(cmd, t, p.spec, size, opt, model)
	}
	c, err := policy.New(p.spec, o.cache.config(size.N))
	if err != nil {
		return err
	}
	if (opt.Pin > 0 || opt.Durations) && !sim.PinsApply(c) {
		return wrapPins(fmt.Errorf("%s %w: only %s do", p.spec, sim.ErrPinsNeedPinner, strings.Join(sim.PinningPolicies(), " and ")))
	}
	prefixNote(stderr, t, opt)
	o.prefix.modelNote(stderr, opt)
	start := time.Now()
	st := sim.Replay(t, c, sim.Options{Prefix: opt})
	took := time.Since(start)
	rep := report.NewReplay(t.Name, p.spec.String(), sim.Size{N: size.N, Unit: sim.UnitOf(bytes)}, st, int(ceiling.Objects), took)
	rep.AddPrefix(model)
	fmt.Fprintf(stderr, "replayed %s blocks (%s tokens) in %s: %s blocks/s, %s tokens/s\n", report.Count(st.Requests), report.Count(st.Prefix.Tokens),
		took.Round(time.Microsecond), report.Sig(float64(st.Requests)/max(took.Seconds(), 1e-9), 3), report.Sig(float64(st.Prefix.Tokens)/max(took.Seconds(), 1e-9), 3))
	return o.out.emit(cmd.OutOrStdout(), stderr, writers{"table": rep.WriteTable, "csv": rep.WriteCSV, "json": rep.WriteJSON})
}

// declaresPrompts reports whether reader r is of prompts (it carries token counts).
func declaresPrompts(r trace.Reader) bool {
	d, ok := r.(trace.Describer)
	return ok && d.Fields().Tokens
}

// refusePrompts rejects a prompt trace where the prefix rule does not run,
// saying why.
func refusePrompts(t *trace.Trace, why string) error {
	if sim.Prompts(t) {
		return fmt.Errorf("%s is a prompt trace (LLM prefix caching), and %s", t.Name, why)
	}
	return nil
}

package sim

import (
	"fmt"

	"github.com/cachesim/cachesim/traces/keymap"
	"github.com/cachesim/cachesim/traces/trace"

	"github.com/cachesim/cachesim/policy"
)

// NoteKind says what a Note is about, so that a command can add how to act
// on it (the flag that supplies what is missing).
type NoteKind uint8

const (
	// NoSizes: byte capacities on a trace that carries no object sizes.
	NoSizes NoteKind = iota + 1
	// NoTimesExpiry: a policy that expires entries on a trace without timestamps.
	NoTimesExpiry
	// NoTimesClock: a policy that runs on trace time on a trace without timestamps.
	NoTimesClock
	// ClientWrites: the trace's clients write their own objects, and some
	// of its reads are of keys it never writes.
	ClientWrites
	// CurveReplayed: LRU's one-pass curve does not apply to a trace with
	// writes, so each size is replayed.
	CurveReplayed
	// SampledBatches: spatial samples give no batch hit ratios.
	SampledBatches
	// PolicyModel: how a policy counts its capacity (which memory model
	// runs, see policy.Describer); nothing is missing.
	PolicyModel
	// FreshAssumed: what a freshness sweep chose for what was not given
	// (its TTLs, an unlimited size) or let the trace decide (its own TTLs).
	FreshAssumed
)

// Note is something a result depends on that the input lacks, and what
// the simulation assumed instead.
type Note struct {
	Kind NoteKind
	Text string
}

// InputNotes lists what t lacks that the results of specs depend on:
// object sizes for byte capacities, timestamps for policies on trace time,
// and the reads of a trace whose clients write that find nothing ever
// stored; then how each policy that says so counts its capacity
// (PolicyModel notes).
func InputNotes(t *trace.Trace, specs []policy.Spec, bytes bool) []Note {
	return append(lackNotes(t, specs, bytes), modelNotes(specs, bytes)...)
}

// modelNotes say how each policy of specs that says so counts its
// capacity at this unit (which memory model runs: see policy.Describer).
func modelNotes(specs []policy.Spec, bytes bool) []Note {
	var notes []Note
	for _, s := range specs {
		c, err := policy.New(s, policy.Config{Capacity: 1 << 20, Objects: !bytes})
		if d, ok := c.(policy.Describer); ok && err == nil {
			notes = append(notes, Note{PolicyModel, fmt.Sprintf("%s: %s", s, d.Describe())})
		}
	}
	return notes
}

// lackNotes are the notes of InputNotes on what t lacks.
func lackNotes(t *trace.Trace, specs []policy.Spec, bytes bool) []Note {
	var notes []Note
	if n := unwrittenReads(t); n > 0 {
		notes = append(notes, Note{ClientWrites, fmt.Sprintf("%s's clients write their own objects (cache-aside); %d of its "+
			"reads are of keys it never writes (written before it began), whose size is unknown: they miss in every cache "+
			"and store nothing", t.Name, n)})
	}
	if bytes && t.Sizes == nil {
		notes = append(notes, Note{NoSizes, fmt.Sprintf("%s carries no object sizes, so every object counts 1 byte against the byte capacities", t.Name)})
	}
	if t.Times != nil {
		return notes
	}
	for _, s := range specs {
		if s.Traits().Has(policy.Expiry) {
			notes = append(notes, Note{NoTimesExpiry, fmt.Sprintf("%s has no timestamps, so %s never expires an entry", t.Name, s)})
			break
		}
	}
	for _, s := range specs {
		if s.Traits().Has(policy.TraceTime) && !s.Traits().Has(policy.Expiry) {
			notes = append(notes, Note{NoTimesClock, fmt.Sprintf("%s has no timestamps, so %s sees every request at time 0: "+
				"idle times, LFU decay and bump intervals never advance", t.Name, s)})
			break
		}
	}
	return notes
}

// unwrittenReads counts the unsized reads of a trace whose clients write
// (trace.Trace.ClientWrites) whose keys the trace never writes; 0 for
// other traces.
func unwrittenReads(t *trace.Trace) int {
	if !t.ClientWrites() {
		return 0
	}
	var written keymap.KeySet
	for i, op := range t.Ops {
		if op == trace.OpSet || op == trace.OpWrite {
			written.Add(t.Keys[i])
		}
	}
	n := 0
	for i, op := range t.Ops {
		if op == trace.OpGet && t.Marks != nil && t.Marks[i]&trace.MarkUnsized != 0 {
			if !written.Has(t.Keys[i]) {
				n++
			}
		}
	}
	return n
}

// curveNote is the note of a sweep of specs on t that replays what LRU's
// one-pass curve would give on a trace without writes; nil when none does.
func curveNote(t *trace.Trace, specs []policy.Spec, countWrites bool) *Note {
	if t.Ops == nil || countWrites {
		return nil
	}
	for _, s := range specs {
		if s.Traits().Has(policy.ExactCurve) {
			return &Note{CurveReplayed, fmt.Sprintf("%s has writes, which LRU's one-pass stack-distance curve cannot follow "+
				"(a write stores at a new size and TTL): %s is replayed at each size instead", t.Name, s)}
		}
	}
	return nil
}

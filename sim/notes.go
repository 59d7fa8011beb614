package sim

import (
	"fmt"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces"
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
)

// Note is something a result depends on that the input lacks, and what
// the simulation assumed instead.
type Note struct {
	Kind NoteKind
	Text string
}

// InputNotes lists what t lacks that the results of specs depend on:
// object sizes for byte capacities, timestamps for policies on trace time.
func InputNotes(t *traces.Trace, specs []policy.Spec, bytes bool) []Note {
	var notes []Note
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

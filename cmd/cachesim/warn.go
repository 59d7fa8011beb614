package main

import (
	"fmt"
	"io"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces/trace"
)

// simNoteHints say which flags supply what a simulation note says is missing.
var simNoteHints = map[sim.NoteKind]string{
	sim.NoSizes:        "give --csv-size, or sizes without a unit",
	sim.NoTimesExpiry:  "give --csv-time",
	sim.NoTimesClock:   "give --csv-time",
	sim.ClientWrites:   "a capture that starts from an empty server has none",
	sim.CurveReplayed:  "--count-writes counts every request as a read, as libCacheSim does, where the curve applies",
	sim.SampledBatches: "drop --sample-rate/--sample-size for them",
}

// warnInputs says on w what the trace lacks that the results depend on,
// and how the policies count their capacity.
func warnInputs(w io.Writer, t *trace.Trace, specs []policy.Spec, bytes bool) {
	writeNotes(w, sim.InputNotes(t, specs, bytes))
}

// writeNotes writes a simulation's notes on w, each with the flags that
// supply what it says is missing.
func writeNotes(w io.Writer, notes []sim.Note) {
	for _, n := range notes {
		if hint := simNoteHints[n.Kind]; hint != "" {
			fmt.Fprintf(w, "note: %s (%s)\n", n.Text, hint)
		} else {
			fmt.Fprintf(w, "note: %s\n", n.Text)
		}
	}
}

// noteRate says, when unknown is set, that backend savings per second need
// the request rate.
func noteRate(w io.Writer, unknown bool) {
	if unknown {
		fmt.Fprintln(w, "note: backend calls saved per second need the request rate: the trace has no timestamps, so give --request-rate")
	}
}

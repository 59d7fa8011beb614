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
	sim.NoSizes:       "give --csv-size, or sizes without a unit",
	sim.NoTimesExpiry: "give --csv-time",
	sim.NoTimesClock:  "give --csv-time",
	sim.ClientWrites:  "a capture that starts from an empty server has none",
	sim.CurveReplayed: "--count-writes counts every request as a read, as libCacheSim does, where the curve applies",
}

// warnInputs says on w what the trace lacks that the results depend on.
func warnInputs(w io.Writer, t *trace.Trace, specs []policy.Spec, bytes bool) {
	for _, n := range sim.InputNotes(t, specs, bytes) {
		fmt.Fprintf(w, "note: %s (%s)\n", n.Text, simNoteHints[n.Kind])
	}
	describe(w, specs, bytes)
}

// describe says how each policy that says so counts its capacity (which
// memory model runs: see policy.Describer), once per policy.
func describe(w io.Writer, specs []policy.Spec, bytes bool) {
	for _, s := range specs {
		c, err := policy.New(s, policy.Config{Capacity: 1 << 20, Objects: !bytes})
		if d, ok := c.(policy.Describer); ok && err == nil {
			fmt.Fprintf(w, "note: %s: %s\n", s, d.Describe())
		}
	}
}

// noteRate says, when unknown is set, that backend savings per second need
// the request rate.
func noteRate(w io.Writer, unknown bool) {
	if unknown {
		fmt.Fprintln(w, "note: backend requests saved per second need the request rate: the trace has no timestamps, so give --request-rate")
	}
}

package main

import (
	"fmt"
	"io"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces"
)

// warnInputs says on w what the trace lacks that the results depend on:
// timestamps for policies on trace time, sizes for byte capacities.
func warnInputs(w io.Writer, t *traces.Trace, specs []policy.Spec, bytes bool) {
	if bytes && t.Sizes == nil {
		fmt.Fprintf(w, "note: %s carries no object sizes, so every object counts 1 byte against the byte capacities (give --csv-size, or sizes without a unit)\n", t.Name)
	}
	if t.Times != nil {
		return
	}
	for _, s := range specs {
		if has(s, capHonoursTTL) && s.Name == "ttl" {
			fmt.Fprintf(w, "note: %s has no timestamps, so ttl entries never expire (give --csv-time)\n", t.Name)
			return
		}
	}
	for _, s := range specs {
		if has(s, capClock) {
			fmt.Fprintf(w, "note: %s has no timestamps, so %s sees every request at time 0: "+
				"idle times, LFU decay and bump intervals never advance (give --csv-time)\n", t.Name, s.Name)
			return
		}
	}
}

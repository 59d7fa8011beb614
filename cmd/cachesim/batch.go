package main

import (
	"fmt"
	"strings"

	"github.com/cachesim/cachesim/report"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/spf13/pflag"
)

// batchFlags say how multi-key requests (batches) are simulated: repeated
// keys, and how their misses reach the backend.
type batchFlags struct {
	// withBackend says the command has --batch-backend and
	// --miss-latency-per-key (its latency model times whole requests).
	withBackend bool
	dedup       bool
	backend     string
	perKey      string
	fs          *pflag.FlagSet
}

// batchHelp is the help text the simulation commands share about batches.
const batchHelp = `Multi-key requests: a request may carry several keys (a feature-store
batch, an embedding lookup, an MGET or a MULTI/EXEC block): CSV rows or JSON
lines that share a request_id (--csv-request, --json-request), a JSON line's
"keys" list, Redis MONITOR multi-key commands and transactions, or the batch
workload. Each key is looked up in order as any request is; the request is
served from the cache when every key hits. The report adds the batch hit
ratio beside the independence estimate (mean of h^n over the requests, h the
hit ratio of keys, n their keys), keys fetched per request, and, with a
latency model, the latency of whole requests (--batch-backend). --metric
batch applies the sizing rules and the chart to the batch hit ratio.`

func (f *batchFlags) register(fs *pflag.FlagSet, latency bool) {
	defer inSection(fs, sectionBatches)()
	f.fs, f.withBackend = fs, latency
	fs.BoolVar(&f.dedup, "dedup-batch", false, "a key repeated within one multi-key request is looked up once (embedding lookups); the repeats are not requests at all")
	if latency {
		fs.StringVar(&f.backend, "batch-backend", "parallel", "how a multi-key request's misses reach the backend, for its latency and the backend calls counted: parallel (one call per key, the request waits for the slowest) or single (one call for all, --miss-latency + --miss-latency-per-key per key)")
		fs.StringVar(&f.perKey, "miss-latency-per-key", "0", "with --batch-backend single: what the call costs per key it fetches (e.g. 0.2ms)")
	}
}

// check validates the flags before any work; lat says whether a latency
// model was asked for.
func (f *batchFlags) check(lat bool) error {
	if !f.withBackend {
		return nil
	}
	backend, err := sim.ParseBatchBackend(f.backend)
	if err != nil {
		return fmt.Errorf("--batch-backend %w", err)
	}
	if _, err := sim.ParseLatency(f.perKey); err != nil {
		return fmt.Errorf("bad --miss-latency-per-key: %w", err)
	}
	switch {
	case changed(f.fs, "miss-latency-per-key") && backend != sim.BatchSingle:
		return fmt.Errorf("--miss-latency-per-key is the cost per key of one backend call: give --batch-backend single")
	case changed(f.fs, "miss-latency-per-key") && !lat:
		return fmt.Errorf("--miss-latency-per-key times the backend call of a multi-key request: give --miss-latency too")
	}
	return nil
}

// mode returns --batch-backend (parallel when the command has none).
func (f *batchFlags) mode() sim.BatchBackend {
	b, _ := sim.ParseBatchBackend(f.backend)
	return b
}

// checkCalls rejects --batch-backend where it has no effect: it times
// whole requests (with a latency model, lat) and counts the backend calls
// per second (counted: the command reports them on t, which needs
// timestamps or --request-rate).
func (f *batchFlags) checkCalls(t *trace.Trace, lat, counted bool) error {
	if !f.withBackend || !changed(f.fs, "batch-backend") || lat || counted {
		return nil
	}
	if t.Times != nil { // replay: the peak report needs windows of time
		return fmt.Errorf("--batch-backend has no effect here: it times whole requests (give --miss-latency) and counts backend calls per second in the peak report, in windows of time (give --interval 1m)")
	}
	return fmt.Errorf("--batch-backend has no effect here: it times whole requests (give --miss-latency) and counts backend calls per second, which needs %s to have timestamps", t.Name)
}

// given reports whether any batch flag was given (they need the loaded trace).
func (f *batchFlags) given() bool {
	return changed(f.fs, "dedup-batch", "batch-backend", "miss-latency-per-key")
}

// apply sets the batch part of the latency model m (nil: none).
func (f *batchFlags) apply(m *sim.LatencyModel) {
	if m == nil || !f.withBackend {
		return
	}
	m.Batch, _ = sim.ParseBatchBackend(f.backend)
	m.PerKey, _ = sim.ParseLatency(f.perKey)
}

// checkTrace rejects the batch flags, and --metric batch, on a trace
// without multi-key requests.
func (f *batchFlags) checkTrace(t *trace.Trace, metric report.Metric) error {
	if t.HasBatches() {
		return nil
	}
	var given []string
	for _, n := range []string{"dedup-batch", "batch-backend", "miss-latency-per-key"} {
		if changed(f.fs, n) {
			given = append(given, "--"+n)
		}
	}
	if metric == report.BatchHitRatio {
		given = append(given, "--metric batch")
	}
	if len(given) == 0 {
		return nil
	}
	return fmt.Errorf("%s has no effect: %s has no multi-key requests (each request carries one key; rows or lines that share a request id are grouped with --csv-request or --json-request, a JSON line may list \"keys\")",
		strings.Join(given, ", "), t.Name)
}

// registerRequests adds the flags that group rows or lines into multi-key
// requests, on the commands that report them (or write them: convert).
func (f *inputFlags) registerRequests(fs *pflag.FlagSet) {
	registerReaderFlags(fs, traces.RequestCommands)
}

// registerTenants adds the tenant flags to the input flags, on the
// commands that use tenants.
func (f *inputFlags) registerTenants(fs *pflag.FlagSet) {
	registerReaderFlags(fs, traces.TenantCommands)
}

// tenantsGiven reports whether a tenant flag was given.
func (f *inputFlags) tenantsGiven() bool {
	return changed(f.fs, "tenant-from", "csv-tenant", "json-tenant")
}

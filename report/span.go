package report

import "github.com/cachesim/cachesim/sim"

// Span says which requests of the trace a result replayed and counted
// (see sim.Span): requests [FirstReplayed, End) were replayed, and
// [FirstCounted, End) counted; indexes count from 0 in the whole trace.
type Span struct {
	// Window and Warmup are as given ("" for none).
	Window string `json:"window,omitempty"`
	Warmup string `json:"warmup,omitempty"`
	// FirstReplayed, FirstCounted and End are request indexes.
	FirstReplayed int `json:"first_replayed"`
	FirstCounted  int `json:"first_counted"`
	End           int `json:"end"`
	// TraceRequests is the number of requests of the trace (omitted when a
	// stream was not read past the window).
	TraceRequests int `json:"trace_requests,omitempty"`
}

// NewSpan describes e (nil: no span, every request counted).
func NewSpan(e *sim.Extent) *Span {
	if e == nil || e.Span.IsZero() {
		return nil
	}
	return &Span{Window: e.Span.Window.String(), Warmup: e.Span.Warmup.String(), FirstReplayed: e.Start, FirstCounted: e.Counted,
		End: e.End, TraceRequests: max(e.Total, 0)}
}

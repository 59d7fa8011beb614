package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/cachesim/cachesim/sim"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// FreshBudget is what a recommended TTL must keep to: a share of requests
// answered with a stale value, and a p99 age of the values served.
type FreshBudget struct {
	// MaxStale is the largest share of requests that may be answered
	// stale; negative: no bound.
	MaxStale float64
	// MaxAge bounds the p99 age of the values hits serve; 0: no bound.
	MaxAge time.Duration
}

// holds reports whether p keeps to b.
func (b FreshBudget) holds(p *sim.FreshPoint) bool {
	if b.MaxStale >= 0 && p.StaleOfRequests() > b.MaxStale {
		return false
	}
	return b.MaxAge <= 0 || p.Age.Quantile(0.99) <= b.MaxAge.Seconds()
}

// String says what the budget bounds: "stale reads <= 1%, p99 age <= 10m".
func (b FreshBudget) String() string {
	s := ""
	if b.MaxStale >= 0 {
		s = fmt.Sprintf("stale reads <= %s%%", freshPct(b.MaxStale))
	}
	if b.MaxAge > 0 {
		if s != "" {
			s += ", "
		}
		s += "p99 age <= " + sim.FormatTTL(b.MaxAge)
	}
	return s
}

// Fresh is the report of a freshness sweep (sim.FreshSweep): per size, a
// row per TTL and the push-invalidation row, and the recommended TTL.
type Fresh struct {
	Workload string           `json:"workload"`
	Policy   string           `json:"policy"`
	Budget   FreshBudget      `json:"-"`
	Points   []sim.FreshPoint `json:"-"`
	// Recommendations hold one recommendation per size.
	Recommendations []FreshRecommendation `json:"-"`
	// Interval is the width of the peak report's windows ("" without
	// one), and peaks each point's peak of backend calls per second in
	// them (see NewPeak).
	Interval string
	peaks    map[*sim.FreshPoint]float64
}

// FreshRecommendation is the longest swept TTL up to which every TTL keeps
// to the budget, at one size, and what push invalidation gives there.
type FreshRecommendation struct {
	Size      sim.Size
	Unlimited bool
	// Found says some TTL keeps to the budget; TTL is then the point of
	// the longest one.
	Found bool
	TTL   *sim.FreshPoint
	Push  *sim.FreshPoint
}

// NewFresh builds the report of points (as sim.FreshSweep returns them:
// per size, the TTLs ascending then push) against budget; windows are the
// windows the points counted reads in (nil: none), whose busiest is the
// peak of backend calls, as the peak report of a sweep takes it.
func NewFresh(workload, policy string, points []sim.FreshPoint, budget FreshBudget, windows *sim.WindowPlan) *Fresh {
	f := &Fresh{Workload: workload, Policy: policy, Budget: budget, Points: points, peaks: map[*sim.FreshPoint]float64{}}
	if windows != nil {
		f.Interval = windows.Window.String()
		for i := range points {
			p := &points[i]
			f.peaks[p] = NewPeak(policy, p.Size, windows, sim.Stats{Windows: p.Windows}, sim.BatchParallel, time.Time{}).With.Peak
		}
	}
	for from := 0; from < len(points); {
		to := from
		for to < len(points) && points[to].Size == points[from].Size {
			to++
		}
		f.Recommendations = append(f.Recommendations, recommendTTL(points[from:to], budget))
		from = to
	}
	return f
}

// recommendTTL recommends a TTL among the points of one size: the longest
// up to which every TTL keeps to the budget (a longer one past a TTL that
// broke it is not recommended even if it happens to keep to it).
func recommendTTL(points []sim.FreshPoint, budget FreshBudget) FreshRecommendation {
	r := FreshRecommendation{Size: points[0].Size, Unlimited: points[0].Unlimited}
	broken := false
	for i := range points {
		p := &points[i]
		switch {
		case p.Push:
			r.Push = p
		case !broken && budget.holds(p):
			r.Found, r.TTL = true, p
		default:
			broken = true
		}
	}
	return r
}

// sizeName names a size in the report: "unlimited" or its value.
func sizeName(p *sim.FreshPoint) string {
	if p.Unlimited {
		return "unlimited"
	}
	return p.Size.String()
}

// ttlName names a row's TTL: its value, or "push" for push invalidation.
func ttlName(p *sim.FreshPoint) string {
	if p.Push {
		return "push"
	}
	return sim.FormatTTL(p.TTL)
}

// freshPct renders a share as a percentage with 2 decimals, or more below 0.1%.
func freshPct(v float64) string {
	if v != 0 && math.Abs(v) < 0.001 {
		return Sig(100*v, 2)
	}
	return strconv.FormatFloat(100*v, 'f', 2, 64)
}

// seconds renders an age in seconds as a duration: 3.2s, 5m10s, 2h.
func seconds(s float64) string {
	if s <= 0 || math.IsNaN(s) {
		return "0s"
	}
	d := time.Duration(s * 1e9)
	switch {
	case d >= time.Hour:
		d = d.Round(time.Minute)
	case d >= time.Minute:
		d = d.Round(time.Second)
	case d >= time.Second:
		d = d.Round(100 * time.Millisecond)
	default:
		d = d.Round(time.Millisecond)
	}
	return sim.FormatTTL(d)
}

// WriteTable writes a row per size and TTL (push last), then the
// recommendation per size.
func (f *Fresh) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "%s: policy %s, %s reads over %s\n", f.Workload, f.Policy, Count(f.requests()), seconds(f.span()))
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off), tablewriter.WithRowAlignment(tw.AlignRight))
	t.Header("size", "ttl", "hit ratio", "stale/hits", "stale/reads", "age mean", "age p50", "age p99",
		"backend/s", "peak/s", "invalidations/s")
	if f.Interval != "" {
		fmt.Fprintf(w, "peak/s: backend calls per second in the busiest %s window\n", f.Interval)
	}
	for i := range f.Points {
		p := &f.Points[i]
		inv := "-"
		if p.Push {
			inv = Sig(p.PerSecond(p.Invalidations), 3)
		}
		if err := t.Append(sizeName(p), ttlName(p), freshPct(p.HitRatio())+"%", freshPct(p.StaleOfHits())+"%", freshPct(p.StaleOfRequests())+"%",
			seconds(p.Age.Mean()), seconds(p.Age.Quantile(0.5)), seconds(p.Age.Quantile(0.99)),
			Sig(p.CallsPerSecond(), 3), f.peakText(p), inv); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	for _, r := range f.Recommendations {
		fmt.Fprintln(w, f.sentence(&r, len(f.Recommendations) > 1))
	}
	return nil
}

// peakText renders p's peak of backend calls per second ("-": none).
func (f *Fresh) peakText(p *sim.FreshPoint) string {
	if v, ok := f.peaks[p]; ok {
		return Sig(v, 3)
	}
	return "-"
}

// sentence is the recommendation in words.
func (f *Fresh) sentence(r *FreshRecommendation, sized bool) string {
	b := f.Budget
	at := ""
	if sized && r.Push != nil {
		at = " at " + sizeName(r.Push)
	}
	push := ""
	if p := r.Push; p != nil {
		push = fmt.Sprintf("push invalidation instead: hit ratio %s%%, no stale reads, %s invalidations/s, %s backend calls/s (peak %s)",
			freshPct(p.HitRatio()), Sig(p.PerSecond(p.Invalidations), 3), Sig(p.CallsPerSecond(), 3), f.peakText(p))
	}
	if !r.Found {
		return fmt.Sprintf("recommended TTL%s: none of the swept TTLs keeps %s: sweep shorter TTLs; %s", at, b, push)
	}
	p := r.TTL
	return fmt.Sprintf("recommended TTL%s: %s, the longest swept that keeps %s: hit ratio %s%%, %s%% of reads stale, p99 age %s, %s backend calls/s (peak %s); %s",
		at, sim.FormatTTL(p.TTL), b, freshPct(p.HitRatio()), freshPct(p.StaleOfRequests()), seconds(p.Age.Quantile(0.99)),
		Sig(p.CallsPerSecond(), 3), f.peakText(p), push)
}

func (f *Fresh) requests() uint64 {
	if len(f.Points) == 0 {
		return 0
	}
	return f.Points[0].Requests
}

func (f *Fresh) span() float64 {
	if len(f.Points) == 0 {
		return 0
	}
	return f.Points[0].Seconds
}

// FreshCSVHeader are the columns of the freshness CSV, which scripts may rely on.
var FreshCSVHeader = []string{"size", "unit", "ttl_s", "push", "requests", "hits", "hit_ratio", "stale_hits",
	"stale_share_of_hits", "stale_share_of_requests", "age_mean_s", "age_p50_s", "age_p99_s",
	"backend_calls", "backend_calls_per_s", "backend_calls_peak_per_s", "peak_interval_s", "changes", "invalidations",
	"invalidations_per_s", "invalidated", "evictions", "recommended"}

// WriteCSV writes a row per size and TTL, push last (ttl_s empty).
func (f *Fresh) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(FreshCSVHeader)
	for i := range f.Points {
		p := &f.Points[i]
		ttl, size := "", strconv.FormatInt(p.Size.N, 10)
		if !p.Push {
			ttl = fmtFloat(p.TTL.Seconds())
		}
		if p.Unlimited {
			size = "unlimited"
		}
		cw.Write([]string{size, p.Size.Unit.String(), ttl, strconv.FormatBool(p.Push), u(p.Requests), u(p.Hits), fmtFloat(p.HitRatio()),
			u(p.Stale), fmtFloat(p.StaleOfHits()), fmtFloat(p.StaleOfRequests()),
			fmtFloat(p.Age.Mean()), fmtFloat(p.Age.Quantile(0.5)), fmtFloat(p.Age.Quantile(0.99)),
			u(p.Calls), fmtFloat(p.CallsPerSecond()), f.peakCSV(p), f.intervalCSV(), u(p.Changes), u(p.Invalidations),
			fmtFloat(p.PerSecond(p.Invalidations)), u(p.Invalidated), u(p.Evictions), strconv.FormatBool(f.recommended(p))})
	}
	cw.Flush()
	return cw.Error()
}

// peakCSV is p's peak for the CSV, empty without windows.
func (f *Fresh) peakCSV(p *sim.FreshPoint) string {
	if v, ok := f.peaks[p]; ok {
		return fmtFloat(v)
	}
	return ""
}

// intervalCSV is the windows' width in seconds for the CSV, empty without.
func (f *Fresh) intervalCSV() string {
	if f.Interval == "" {
		return ""
	}
	d, err := sim.ParseDuration(f.Interval)
	if err != nil {
		return ""
	}
	return fmtFloat(d.Seconds())
}

// recommended reports whether p is a recommended TTL.
func (f *Fresh) recommended(p *sim.FreshPoint) bool {
	for _, r := range f.Recommendations {
		if r.TTL == p {
			return true
		}
	}
	return false
}

// freshJSONPoint is one row of the JSON document.
type freshJSONPoint struct {
	Size            string   `json:"size"`
	Unit            string   `json:"unit"`
	TTLSeconds      *float64 `json:"ttl_s"`
	Push            bool     `json:"push"`
	Requests        uint64   `json:"requests"`
	Hits            uint64   `json:"hits"`
	HitRatio        float64  `json:"hit_ratio"`
	StaleHits       uint64   `json:"stale_hits"`
	StaleOfHits     float64  `json:"stale_share_of_hits"`
	StaleOfRequests float64  `json:"stale_share_of_requests"`
	AgeMean         float64  `json:"age_mean_s"`
	AgeP50          float64  `json:"age_p50_s"`
	AgeP99          float64  `json:"age_p99_s"`
	Calls           uint64   `json:"backend_calls"`
	CallsPerSecond  float64  `json:"backend_calls_per_s"`
	PeakCalls       *float64 `json:"backend_calls_peak_per_s"`
	Changes         uint64   `json:"changes"`
	Invalidations   uint64   `json:"invalidations"`
	InvalidationsPS float64  `json:"invalidations_per_s"`
	Invalidated     uint64   `json:"invalidated"`
	Evictions       uint64   `json:"evictions"`
	Recommended     bool     `json:"recommended"`
}

// freshJSONRecommendation is a recommendation in the JSON document.
type freshJSONRecommendation struct {
	Size            string   `json:"size"`
	Found           bool     `json:"found"`
	TTLSeconds      *float64 `json:"ttl_s"`
	HitRatio        *float64 `json:"hit_ratio"`
	StaleOfRequests *float64 `json:"stale_share_of_requests"`
	PushHitRatio    float64  `json:"push_hit_ratio"`
	PushInvPerS     float64  `json:"push_invalidations_per_s"`
}

// WriteJSON writes the points, the budget and the recommendations.
func (f *Fresh) WriteJSON(w io.Writer) error {
	doc := struct {
		Workload        string                    `json:"workload"`
		Policy          string                    `json:"policy"`
		MaxStale        *float64                  `json:"max_stale,omitempty"`
		MaxAgeSeconds   *float64                  `json:"max_age_s,omitempty"`
		PeakInterval    string                    `json:"peak_interval,omitempty"`
		Points          []freshJSONPoint          `json:"points"`
		Recommendations []freshJSONRecommendation `json:"recommendations"`
	}{Workload: f.Workload, Policy: f.Policy, PeakInterval: f.Interval}
	if f.Budget.MaxStale >= 0 {
		doc.MaxStale = &f.Budget.MaxStale
	}
	if f.Budget.MaxAge > 0 {
		s := f.Budget.MaxAge.Seconds()
		doc.MaxAgeSeconds = &s
	}
	for i := range f.Points {
		p := &f.Points[i]
		jp := freshJSONPoint{Size: sizeName(p), Unit: p.Size.Unit.String(), Push: p.Push, Requests: p.Requests, Hits: p.Hits,
			HitRatio: p.HitRatio(), StaleHits: p.Stale, StaleOfHits: p.StaleOfHits(), StaleOfRequests: p.StaleOfRequests(),
			AgeMean: p.Age.Mean(), AgeP50: p.Age.Quantile(0.5), AgeP99: p.Age.Quantile(0.99), Calls: p.Calls,
			CallsPerSecond: p.CallsPerSecond(), Changes: p.Changes, Invalidations: p.Invalidations,
			InvalidationsPS: p.PerSecond(p.Invalidations), Invalidated: p.Invalidated, Evictions: p.Evictions, Recommended: f.recommended(p)}
		if !p.Push {
			s := p.TTL.Seconds()
			jp.TTLSeconds = &s
		}
		if v, ok := f.peaks[p]; ok {
			jp.PeakCalls = &v
		}
		doc.Points = append(doc.Points, jp)
	}
	for _, r := range f.Recommendations {
		jr := freshJSONRecommendation{Found: r.Found}
		if r.Push != nil {
			jr.Size, jr.PushHitRatio, jr.PushInvPerS = sizeName(r.Push), r.Push.HitRatio(), r.Push.PerSecond(r.Push.Invalidations)
		}
		if r.Found {
			s, hr, st := r.TTL.TTL.Seconds(), r.TTL.HitRatio(), r.TTL.StaleOfRequests()
			jr.TTLSeconds, jr.HitRatio, jr.StaleOfRequests = &s, &hr, &st
		}
		doc.Recommendations = append(doc.Recommendations, jr)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// Chart draws, per size, the hit ratio (solid) and the share of reads
// answered stale (dashed) against the TTL on a log axis, push
// invalidation's hit ratio as a gray reference line, the stale budget as a
// dotted one, and the recommended TTLs marked.
func (f *Fresh) Chart() *Chart {
	c := &Chart{Title: fmt.Sprintf("Hit ratio and stale reads by TTL: %s, %s", f.Workload, f.Policy),
		XLabel: "TTL", YLabel: "% of reads", XKind: XDuration, LogX: true, MarksTitle: "recommended TTL:"}
	sized := len(f.Recommendations) > 1
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, r := range f.Recommendations {
		name := func(what string) string {
			if sized && r.Push != nil {
				return what + ", " + sizeName(r.Push)
			}
			return what
		}
		hit := Series{Name: name("hit ratio"), Style: 2 * i, Markers: true}
		stale := Series{Name: name("stale reads"), Style: 2*i + 1, Markers: true, Dashed: true}
		for j := range f.Points {
			p := &f.Points[j]
			if p.Size != r.Size || p.Push {
				continue
			}
			x := p.TTL.Seconds()
			lo, hi = min(lo, x), max(hi, x)
			hit.X, hit.Y = append(hit.X, x), append(hit.Y, 100*p.HitRatio())
			stale.X, stale.Y = append(stale.X, x), append(stale.Y, 100*p.StaleOfRequests())
		}
		c.Series = append(c.Series, hit, stale)
		markLabel := func(r FreshRecommendation) string {
			at := ""
			if sized && r.Push != nil {
				at = " at " + sizeName(r.Push)
			}
			return "longest TTL with " + f.Budget.String() + at + ": " + sim.FormatTTL(r.TTL.TTL)
		}
		if r.Found {
			c.Marks = append(c.Marks, Mark{X: r.TTL.TTL.Seconds(), Y: 100 * r.TTL.HitRatio(), Style: 2 * i,
				Label: markLabel(r)})
		}
	}
	for _, r := range f.Recommendations {
		if r.Push != nil && hi >= lo {
			c.Series = append(c.Series, Series{Name: "push invalidation" + map[bool]string{true: ", " + sizeName(r.Push)}[sized],
				X: []float64{lo, hi}, Y: []float64{100 * r.Push.HitRatio(), 100 * r.Push.HitRatio()}, Gray: true, Dashed: true})
		}
	}
	if f.Budget.MaxStale >= 0 && hi >= lo {
		c.Series = append(c.Series, Series{Name: "stale budget " + freshPct(f.Budget.MaxStale) + "%",
			X: []float64{lo, hi}, Y: []float64{100 * f.Budget.MaxStale, 100 * f.Budget.MaxStale}, Gray: true})
	}
	c.YMin, c.YMax = 0, 100
	return c
}

package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/traces/tracestest"
)

// sweepJSON is what these tests read of a sweep's or mrc's JSON.
type sweepJSON struct {
	Requests int
	Span     *struct {
		Window, Warmup                   string
		FirstReplayed, FirstCounted, End int `json:"-"`
	}
	Points []struct {
		Policy          string
		Size            int64
		Requests, Hits  uint64
		Bytes, ByteHits uint64
	}
}

func runJSON(t *testing.T, args ...string) (sweepJSON, string) {
	t.Helper()
	out, stderr, err := runCLI(t, append(args, "--format", "json", "-q")...)
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, stderr)
	}
	var res sweepJSON
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	return res, stderr
}

// TestMRCStreamedWarmupIsLoaded: mrc's streamed curve (stack distances,
// and SHARDS) with a window and a warm-up gives what sweep gives of LRU on
// the loaded trace, on a real trace with timestamps.
func TestMRCStreamedWarmupIsLoaded(t *testing.T) {
	path := tracestest.Path(t, "cloudPhysicsIO.csv")
	input := []string{path, "--header", "--csv-key", "5", "--csv-time", "2", "--csv-size", "4", "--time-unit", "s",
		"--window", "10m..100000", "--warmup", "30m"}
	for _, c := range []struct {
		name  string
		extra []string
	}{
		{"objects", []string{"--sizes", "100,1000,10000,25000"}},
		{"bytes", []string{"--sizes", "1MiB,16MiB,256MiB"}},
		{"SHARDS", []string{"--sizes", "1000,10000", "--sample-rate", "0.5"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			streamed, stderr := runJSON(t, append(append([]string{"mrc"}, input...), c.extra...)...)
			loaded, _ := runJSON(t, append(append([]string{"sweep", "--policy", "lru"}, input...), c.extra...)...)
			if !strings.Contains(stderr, "note: warm-up 30m: the window's first") || !strings.Contains(stderr, "note: window 10m..100000 holds requests 2,379 to 99,999") {
				t.Errorf("stderr lacks the notes:\n%s", stderr)
			}
			if len(streamed.Points) == 0 || len(streamed.Points) != len(loaded.Points) {
				t.Fatalf("%d points streamed, %d loaded", len(streamed.Points), len(loaded.Points))
			}
			if streamed.Requests != loaded.Requests || streamed.Requests != 100000-51781 {
				t.Errorf("requests: streamed %d, loaded %d; want the %d after the warm-up", streamed.Requests, loaded.Requests, 100000-51781)
			}
			for i, s := range streamed.Points {
				l := loaded.Points[i]
				if s.Size != l.Size || s.Requests != l.Requests || s.Hits != l.Hits || s.ByteHits != l.ByteHits {
					t.Errorf("at %d: streamed %+v, loaded %+v", s.Size, s, l)
				}
			}
			if streamed.Span == nil || streamed.Span.Window != "10m..100000" || streamed.Span.Warmup != "30m" {
				t.Errorf("span %+v", streamed.Span)
			}
		})
	}
}

// TestReplayWindowCLI: replay's streamed and loaded paths (a timeline
// needs the loaded trace) count the same requests; a warm-up makes the
// hit ratio of a cold-started cache higher; the JSON says the span.
func TestReplayWindowCLI(t *testing.T) {
	// Keys 0-99 once (a cold start: all misses), then 0-99 four times over
	// (all hits in a cache of 100).
	var b strings.Builder
	b.WriteString("time,key\n")
	for i := range 500 {
		fmt.Fprintf(&b, "%d,k%d\n", i, i%100)
	}
	p := writeFile(t, "cold.csv", b.String())
	type replayJSON struct {
		Requests, Hits uint64
		Span           struct {
			FirstReplayed int `json:"first_replayed"`
			FirstCounted  int `json:"first_counted"`
			End           int
		}
	}
	read := func(args ...string) replayJSON {
		t.Helper()
		out, stderr, err := runCLI(t, append([]string{"replay", p, "--size", "100", "--format", "json"}, args...)...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, stderr)
		}
		var r replayJSON
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := read(); r.Requests != 500 || r.Hits != 400 {
		t.Errorf("no warm-up: %+v; want 400 hits of 500", r)
	}
	for _, args := range [][]string{{"--warmup", "100"}, {"--warmup", "100s"}, {"--warmup", "100", "--interval", "50"}} {
		if r := read(args...); r.Requests != 400 || r.Hits != 400 || r.Span.FirstCounted != 100 || r.Span.End != 500 {
			t.Errorf("%v: %+v; want 400 hits of 400 counted from request 100", args, r)
		}
	}
	for _, args := range [][]string{{"--window", "150..450", "--warmup", "50"}, {"--window", "150s..450s", "--warmup", "50s", "--interval", "10s"}} {
		// 150-199 fill keys 50-99 (uncounted), then 200-449: keys 0-49 miss
		// once (50), the rest hit.
		if r := read(args...); r.Requests != 250 || r.Hits != 200 || r.Span.FirstReplayed != 150 || r.Span.FirstCounted != 200 {
			t.Errorf("%v: %+v; want 200 hits of 250, replayed from 150, counted from 200", args, r)
		}
	}
}

// TestSpanErrors: a window or warm-up the trace cannot honour stops the
// command, naming the flag and what the trace holds.
func TestSpanErrors(t *testing.T) {
	untimed := writeFile(t, "keys.txt", "1\n2\n3\n1\n")
	timed := writeFile(t, "timed.csv", "time,key\n0,a\n60,b\n120,a\n")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"replay", untimed, "--window", "1h.."}, "--window 1h..: keys.txt has no timestamps: give request indexes"},
		{[]string{"mrc", untimed, "--warmup", "10m"}, "--warmup 10m: the trace has no timestamps: give a number of requests"}, // streamed: "the trace",
		{[]string{"sweep", untimed, "--warmup", "10m"}, "--warmup 10m: keys.txt has no timestamps"},
		{[]string{"replay", timed, "--window", "1h.."}, "--window 1h..: holds no request: the trace has 3 requests, trace time 0s to 2m"}, // streamed,
		{[]string{"sweep", timed, "--window", "1h.."}, "--window 1h..: holds no request: timed.csv has 3 requests"},
		{[]string{"mrc", timed, "--window", "1h.."}, "--window 1h..: holds no request"},
		{[]string{"replay", timed, "--window", "08:00.."}, "are not clock times"},
		{[]string{"sweep", timed, "--warmup", "3"}, "--warmup 3: covers the whole trace"},
		{[]string{"replay", timed, "--window", "1..2", "--warmup", "1", "--interval", "1"}, "--warmup 1: covers the whole window"},
		{[]string{"system", "replay", timed, "--policy", "lru", "--size", "2", "--window", "5m.."}, "--window 5m..: holds no request"},
		{[]string{"sweep", "prefix:requests=50", "--warmup", "10"}, "--warmup: not for prompt traces"},
		{[]string{"replay", "prefix:requests=50", "--warmup", "10"}, "--warmup: not for prompt traces"},
	} {
		_, _, err := runCLI(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one containing %q", c.args, err, c.want)
		}
	}
	// A window cuts a prompt trace (no warm-up).
	if _, stderr, err := runCLI(t, "sweep", "prefix:requests=50", "--window", "..200", "-q"); err != nil || !strings.Contains(stderr, "window ..200 holds requests 0 to") {
		t.Errorf("a window of a prompt trace: %v\n%s", err, stderr)
	}
}

// TestPeakAfterWarmup: the peak report counts the windows after the
// warm-up. One request a second, keys 0-99 once (all misses), then four
// times over (all hits in a cache of 100): without a warm-up the peak is
// the cold start's, 1 backend call a second; after a 100 s warm-up, no
// window has a backend call, and none starts before 100 s.
func TestPeakAfterWarmup(t *testing.T) {
	var b strings.Builder
	b.WriteString("time,key\n")
	for i := range 500 {
		fmt.Fprintf(&b, "%d,k%d\n", i, i%100)
	}
	p := writeFile(t, "cold.csv", b.String())
	type peakJSON struct {
		Peak struct {
			With    struct{ Peak float64 } `json:"backend_calls_per_s"`
			Windows []struct {
				Start float64 `json:"start_s"`
			}
		}
	}
	for _, c := range []struct {
		warmup string
		peak   float64
		first  float64
	}{{"0", 1, 0}, {"100s", 0, 100}} {
		out, stderr, err := runCLI(t, "replay", p, "--size", "100", "--interval", "50s", "--warmup", c.warmup, "--format", "json")
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		var r peakJSON
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		if r.Peak.With.Peak != c.peak || len(r.Peak.Windows) == 0 || r.Peak.Windows[0].Start != c.first {
			t.Errorf("--warmup %s: peak %g backend calls/s, windows from %+v; want %g, from %g s", c.warmup, r.Peak.With.Peak, r.Peak.Windows, c.peak, c.first)
		}
	}
}

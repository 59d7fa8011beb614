package sim

import (
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/traces/tracestest"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/workload"
)

// loadPrompts loads the prefix workload with this many prompts.
func loadPrompts(tb testing.TB, prompts int) *trace.Trace {
	tb.Helper()
	r, err := workload.MustParse("prefix:requests=" + strconv.Itoa(prompts)).Reader()
	if err != nil {
		tb.Fatal(err)
	}
	t, err := traces.ReadAll("prefix", r)
	if err != nil && err != io.EOF {
		tb.Fatal(err)
	}
	return t
}

// The replay allocates nothing per block once warm: a trace ten times as
// long (the same cache, sized from the start) costs a few more
// allocations, for the tables and the pins' key buffers growing to the
// longest requests in flight, and far fewer than one per thousand blocks.
func TestPrefixReplayAllocatesNothingPerBlock(t *testing.T) {
	short, long := loadPrompts(t, 300), loadPrompts(t, 3000)
	for _, name := range []string{"lru", "radix", "s3fifo"} {
		for _, pin := range []time.Duration{0, 2 * time.Second} {
			if pin > 0 && name == "s3fifo" {
				continue
			}
			allocs := func(tr *trace.Trace) float64 {
				return testing.AllocsPerRun(3, func() {
					c, _ := policy.New(policy.Spec{Name: name}, policy.Config{Capacity: 4000, SizeHint: 4000})
					Replay(tr, c, Options{Prefix: &PrefixOptions{Pin: pin}})
				})
			}
			a, b := allocs(short), allocs(long)
			if more := float64(long.Len() - short.Len()); b-a > more/1000 {
				t.Errorf("%s, pin %s: %.0f allocations for 300 prompts, %.0f for 3000 (%.0f more blocks)", name, pin, a, b, more)
			}
		}
	}
}

// go test -run '^$' -bench PrefixReplay -benchtime 3x ./sim/
func BenchmarkPrefixReplay(b *testing.B) {
	t := loadPrompts(b, 20000)
	opt := PrefixOptions{BytesPerToken: 131072}
	for _, c := range []struct {
		name string
		pin  time.Duration
	}{{"lru", 0}, {"radix", 0}, {"s3fifo", 0}, {"lru", 2 * time.Second}, {"radix", 2 * time.Second}} {
		label := c.name
		if c.pin > 0 {
			label += "+pin"
		}
		b.Run(label, func(b *testing.B) {
			var st Stats
			o := opt
			o.Pin = c.pin
			for range b.N {
				cache, _ := policy.New(policy.Spec{Name: c.name}, policy.Config{Capacity: 32 << 30})
				st = Replay(t, cache, Options{Prefix: &o})
			}
			secs := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(st.Requests)/secs, "blocks/s")
			b.ReportMetric(float64(st.Prefix.Tokens)/secs, "tokens/s")
			b.ReportMetric(100*st.Prefix.TokenHitRatio(), "token-hit-%")
		})
	}
	b.Run("curve-lru-12-sizes", func(b *testing.B) {
		sizes := Sizes{Bytes: true, Values: LogSizes(1<<30, 512<<30, 12)}
		var st []Stats
		for range b.N {
			st, _ = prefixStackCurve(t, sizes, opt, false)
		}
		secs := b.Elapsed().Seconds() / float64(b.N)
		b.ReportMetric(float64(st[0].Requests)/secs, "blocks/s")
	})
}

// On the prefix workload, too, the curve is every replay, in KV bytes.
func TestPrefixCurveMatchesReplaysOnWorkload(t *testing.T) {
	tracestest.SkipUnderRace(t)
	tr := loadPrompts(t, 3000)
	opt := PrefixOptions{BytesPerToken: 131072}
	sizes := Sizes{Bytes: true, Values: LogSizes(1<<30, 256<<30, 8)}
	for _, name := range []string{"lru", "radix"} {
		stats, exact := prefixStackCurve(tr, sizes, opt, name == "radix")
		for s, size := range sizes.Values {
			c, _ := policy.New(policy.Spec{Name: name}, policy.Config{Capacity: size})
			want := Replay(tr, c, Options{Prefix: &opt})
			if !exact[s] || stats[s].Hits != want.Hits || *stats[s].Prefix != *want.Prefix || stats[s].Evictions != want.Evictions {
				t.Errorf("%s at %s: curve %+v (exact %v), replay %+v", name, FormatSize(size, true), *stats[s].Prefix, exact[s], *want.Prefix)
			}
		}
	}
}

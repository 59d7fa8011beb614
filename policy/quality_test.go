package policy_test

import (
	"testing"

	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/traces/tracestest"
)

// caffeineSizes are the cache sizes of Caffeine's published efficiency
// charts for the LIRS and ARC traces.
var caffeineSizes = []int64{250, 500, 750, 1000, 1250, 1500, 1750, 2000}

func loadShared(t testing.TB, name string) *trace.Trace {
	t.Helper()
	tr, _, err := traces.Load(tracestest.Path(t, name), traces.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// beats asserts that spec's hit count exceeds base's at every size.
func beats(t *testing.T, tr *trace.Trace, spec, base string) {
	t.Helper()
	a := sweepBytes(t, tr, spec, caffeineSizes, false)
	b := sweepBytes(t, tr, base, caffeineSizes, false)
	for i := range a {
		t.Logf("%s at %d: %s %.2f%%, %s %.2f%%", tr.Name, a[i].Size, spec, 100*a[i].HitRatio(), base, 100*b[i].HitRatio())
		if a[i].Hits <= b[i].Hits {
			t.Errorf("%s at %d: %s %d hits, not more than %s's %d", tr.Name, a[i].Size, spec, a[i].Hits, base, b[i].Hits)
		}
	}
}

// W-TinyLFU's frequency-based admission keeps gli's looping working set where
// LRU thrashes (Caffeine's efficiency charts show the same).
func TestWTinyLFUBeatsLRUOnGli(t *testing.T) {
	beats(t, loadShared(t, "gli.trace.gz"), "wtinylfu", "lru")
}

// On OLTP, recency matters more than on gli: with a fixed 1% window
// W-TinyLFU falls behind LRU from 1,750 objects on (40.77% vs 40.79%, and
// 41.91% vs 42.47% at 2,000; means of three seeds), but Caffeine's hill
// climber grows the window, and the adaptive default stays ahead at every
// size (46.2% at 2,000).
func TestWTinyLFUBeatsLRUOnOLTP(t *testing.T) {
	tracestest.SkipUnderRace(t)
	if testing.Short() {
		t.Skip("oltp is 914,145 requests")
	}
	beats(t, loadShared(t, "oltp.gz"), "wtinylfu", "lru")
}

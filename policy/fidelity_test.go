package policy_test

import (
	"encoding/binary"
	"math"
	"os"
	"testing"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/traces/tracestest"
)

// loadOracleGeneral decodes libCacheSim's oracleGeneral binary (packed
// little-endian 24-byte records: uint32 time, uint64 id, uint32 size, int64
// next access), skipping size-0 records as libCacheSim does. It is a tiny
// test-only decoder until traces grows a reader for the format.
func loadOracleGeneral(t *testing.T, name string) *trace.Trace {
	t.Helper()
	b, err := os.ReadFile(tracestest.Path(t, name))
	if err != nil {
		t.Fatal(err)
	}
	if len(b)%24 != 0 {
		t.Fatalf("%s: %d bytes is not a whole number of 24-byte records", name, len(b))
	}
	tr := trace.NewTrace(name, trace.Fields{Size: true, Time: true})
	for off := 0; off < len(b); off += 24 {
		rec := b[off : off+24]
		size := binary.LittleEndian.Uint32(rec[12:])
		if size == 0 {
			continue
		}
		tr.Append(&trace.Request{
			Time: int64(binary.LittleEndian.Uint32(rec)) * 1e9,
			Key:  binary.LittleEndian.Uint64(rec[4:]),
			Size: size,
		})
	}
	tr.Shrink()
	return tr
}

// mib are the byte capacities of libCacheSim's test: 128 MiB to 1 GiB.
var mib = []int64{128 << 20, 256 << 20, 384 << 20, 512 << 20, 640 << 20, 768 << 20, 896 << 20, 1024 << 20}

func sweepBytes(t *testing.T, tr *trace.Trace, spec string, sizes []int64, bytes bool) []sim.Point {
	t.Helper()
	s, err := policy.ParseSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sim.Sweep(sim.Plan{Trace: tr, Policies: []policy.Spec{s}, Sizes: sim.Sizes{Values: sizes, Bytes: bytes}, Seed: 1})
	pts := res.Points
	if err != nil {
		t.Fatal(err)
	}
	return pts
}

// libCacheSim's own test values (test/test_evictionAlgo.c) for
// cloudPhysicsIO.oracleGeneral.bin at byte capacities 128 MiB…1 GiB: miss
// counts and missed bytes. tol is the allowed difference in miss ratio,
// in percentage points; 0 means the counts must match exactly.
var libCacheSimRef = []struct {
	spec   string
	misses []uint64
	bytes  []uint64 // nil: not published
	tol    float64
}{
	{"belady", []uint64{79256, 70724, 65481, 61594, 59645, 57599, 50873, 48974},
		[]uint64{3472532480, 2995165696, 2726689792, 2537648128, 2403427840, 2269212672, 2134992896, 2029769728}, 0},
	{"clock", []uint64{93313, 89775, 83411, 81328, 74815, 72283, 71927, 64456},
		[]uint64{4213887488, 4064512000, 3762650624, 3644467200, 3256760832, 3091688448, 3074241024, 2697378816}, 0},
	// The reference file says its Sieve row repeats LFU's numbers and may be
	// a copy-paste; our independent SIEVE reproduces every one of them, counts
	// and bytes (at these sizes SIEVE and LFU evict the same objects on this
	// trace), so the row is kept as an exact check.
	{"sieve", []uint64{91699, 86720, 78578, 76707, 69945, 66221, 64445, 64376},
		[]uint64{4158632960, 3917211648, 3536227840, 3455379968, 3035580416, 2801699328, 2699456000, 2696345600}, 0},
	{"arc", []uint64{90252, 85861, 78168, 74297, 67381, 65685, 64439, 64772},
		[]uint64{4068098560, 3821026816, 3525644800, 3296890368, 2868538880, 2771180032, 2699484672, 2712971264}, 0},
	{"s3fifo", []uint64{90117, 80915, 75060, 72191, 69815, 65542, 60799, 56045},
		[]uint64{4058576896, 3573827584, 3244417024, 3061737984, 2898109952, 2628363776, 2425027072, 2327934464}, 0},
	{"lirs", []uint64{89819, 79237, 73143, 70363, 68405, 64494, 58640, 53924},
		[]uint64{4060558336, 3525952512, 3199406080, 3011810816, 2848310272, 2580918784, 2361375744, 2288325120}, 0},
	{"slru(segments=5)", []uint64{89624, 86725, 82781, 80203, 75388, 65645, 59035, 56063}, nil, 0},
	// BeladySize samples 128 objects per eviction with libCacheSim's own RNG,
	// which cannot be reproduced; ours samples as many with a seeded PCG, so
	// only the counts' closeness is checked (observed: within 0.02 points).
	{"belady-size", []uint64{74276, 64559, 60307, 56523, 54546, 52621, 50580, 48974}, nil, 0.1},
	// Random eviction: the same distribution, a different random stream; one
	// run's miss ratio varies by about half a point from seed to seed.
	{"random", []uint64{92457, 88582, 84459, 80277, 76132, 72134, 68230, 64225}, nil, 1},
}

func TestLibCacheSimByteCapacity(t *testing.T) {
	tracestest.SkipUnderRace(t)
	tr := loadOracleGeneral(t, "cloudPhysicsIO.oracleGeneral.bin")
	if tr.Len() != 113872 {
		t.Fatalf("%d requests, want 113872", tr.Len())
	}
	for _, ref := range libCacheSimRef {
		t.Run(ref.spec, func(t *testing.T) {
			for i, pt := range sweepBytes(t, tr, ref.spec, mib, true) {
				got, want := pt.Misses(), ref.misses[i]
				diff := 100 * math.Abs(float64(got)-float64(want)) / float64(pt.Requests)
				if (ref.tol == 0 && got != want) || diff > ref.tol {
					t.Errorf("%d MiB: %d misses, libCacheSim %d (%.2f points apart, allowed %.2f)", pt.Size>>20, got, want, diff, ref.tol)
				}
				if ref.bytes != nil && ref.tol == 0 && pt.Bytes-pt.ByteHits != ref.bytes[i] {
					t.Errorf("%d MiB: %d missed bytes, libCacheSim %d", pt.Size>>20, pt.Bytes-pt.ByteHits, ref.bytes[i])
				}
			}
		})
	}
}

// Belady at 25,000 objects on cloudPhysicsIO misses only on first
// requests: the cold-miss floor of 48,974 (../shared/traces/README.md).
func TestBeladyColdMissFloor(t *testing.T) {
	tr, _, err := traces.Load(tracestest.Path(t, "cloudPhysicsIO.txt"), traces.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range []string{"belady", "belady(bypass=true)"} {
		if got := sweepBytes(t, tr, spec, []int64{25000}, false)[0].Misses(); got != 48974 {
			t.Errorf("%s at 25000 objects: %d misses, want the cold-miss count 48974", spec, got)
		}
	}
}

package policy_test

import (
	"math"
	"testing"

	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/tracestest"
)

// libCacheSim's test suite (test/test_evictionAlgo.c, the table-driven
// version with test_data_truth) asserts these miss counts and missed bytes
// on cloudPhysicsIO.oracleGeneral.bin at byte capacities 128 MiB…1 GiB for
// the policies it has and TestLibCacheSimByteCapacity does not cover. Each
// row names the libCacheSim algorithm it reproduces.
//
// Deterministic policies must match exactly, counts and bytes. So must the
// randomised ones that draw as libCacheSim does: they use its generator
// (lcsRand, lehmer64) seeded as its simulator seeds every cache (1, the
// seed sweepBytes passes), and sample what it samples. A row with tol > 0
// cannot match exactly, and its comment says why and what was observed:
// there the miss ratio and the byte miss ratio must each lie within tol
// percentage points of libCacheSim's at every size.
var libCacheSimPolicies = []struct {
	spec   string   // our spec
	params []string // if set, the spec's parameters at each size: spec(params[i])
	algo   string   // libCacheSim's name
	misses []uint64
	bytes  []uint64
	tol    float64 // allowed difference in points; 0: exact
}{
	{"mru", nil, "MRU", []uint64{100738, 95058, 89580, 85544, 81725, 77038, 71070, 66919},
		[]uint64{4105477120, 3784799744, 3493475840, 3280475648, 3069635072, 2856241152, 2673937408, 2539762688}, 0},
	{"lfuda", nil, "LFUDA", []uint64{92637, 88601, 82001, 80240, 73214, 71386, 70415, 71128},
		[]uint64{4200012288, 3993467904, 3673375232, 3579174400, 3164476928, 3046658048, 2998682624, 3027994112}, 0},
	// The current GDSF admits a miss first and then evicts, so a new
	// object that ranks lowest leaves at once; libCacheSim aa0fc40 evicted
	// first (89068, 84750, 74853, 70488, 67919, 64180, 61029, 58721).
	{"gdsf", nil, "GDSF", []uint64{89070, 84750, 74850, 70490, 67923, 64180, 61027, 58721},
		[]uint64{4210726912, 4057058816, 3719176192, 3436855296, 3271648256, 3029728768, 2828456448, 2677800448}, 0},
	{"cr-lfu", nil, "CR_LFU", []uint64{92095, 88257, 84839, 81885, 78348, 69281, 61350, 54894},
		[]uint64{4141293056, 3900042240, 3686207488, 3481216000, 3238197760, 2646171648, 2408963072, 2289538048}, 0},
	// The current SR_LRU grows SR when a new object returns from H;
	// libCacheSim aa0fc40 lost that flag and kept SR and R at half each
	// (90043, 83978, 81481, 77724, 72611, 72058, 67837, 65739).
	{"sr-lru", nil, "SR_LRU", []uint64{90043, 83978, 81482, 77727, 72611, 72059, 67836, 65739},
		[]uint64{4068758016, 3792818176, 3639756288, 3379609600, 3165339648, 3058814976, 2862775296, 2774183936}, 0},
	{"s3fifo-v0", nil, "S3-FIFOv0", []uint64{89307, 82387, 77041, 76791, 71300, 70343, 70455, 70355},
		[]uint64{4040718336, 3703628800, 3353047552, 3282235904, 3038256128, 2980646912, 2984458752, 2979649536}, 0},
	{"qdlp", nil, "QDLP-FIFO", []uint64{88746, 80630, 76450, 71638, 67380, 65680, 66125, 64417},
		[]uint64{4008265728, 3625704960, 3330610176, 3099731456, 2868538880, 2771098112, 2734977024, 2697751552}, 0},
	{"car", nil, "CAR", []uint64{90522, 83605, 78063, 75772, 67384, 65687, 64439, 64376},
		[]uint64{4084188160, 3769425920, 3525660160, 3394717696, 2868551168, 2771188224, 2699423232, 2696345600}, 0},
	// libCacheSim's ClockPro never evicts from a cold start (see
	// clockpro.go): these are the figures of a cache that keeps what first
	// filled it, which is what libCacheSim computes.
	{"clockpro", nil, "ClockPro", []uint64{96390, 92614, 88911, 85894, 82276, 73203, 63728, 57544},
		[]uint64{4163599360, 3922361856, 3700721152, 3491452416, 3245322240, 2653708288, 2413087744, 2293678592}, 0},
	// Hyperbolic samples with libCacheSim's generator (lehmer64, seeded 1
	// per cache as its simulator does) from a model of its hash table
	// (lcstable.go), so it draws what libCacheSim draws: against a local
	// build of Hyperbolic.c with the current hash table and generator it
	// matches every request. The published figures come from a later
	// revision than we could read, and differ by at most 0.04 points; a
	// sampled policy, so the test allows 0.5.
	// LeCaR draws its expert with libCacheSim's generator, seeded 1 per
	// cache as libCacheSim's simulator seeds it (sweepBytes uses seed 1),
	// so although randomised it reproduces libCacheSim exactly.
	{"lecar", nil, "LeCaR", []uint64{93374, 89067, 80230, 81526, 72159, 67712, 65206, 64541},
		[]uint64{4214303232, 4021100032, 3593971712, 3652036096, 3075125760, 2886052864, 2735856128, 2698478080}, 0},
	// LHD samples its dense array of tags with libCacheSim's generator, so
	// it too reproduces libCacheSim exactly.
	{"lhd", nil, "LHD", []uint64{90534, 86891, 82334, 77339, 71355, 66938, 63677, 61116},
		[]uint64{4211037696, 4059153920, 3834546176, 3596945408, 3326034944, 3115964416, 2951718912, 2804600832}, 0},
	// Cacheus draws its initial learning rate when it is built: libCacheSim's
	// test builds one cache and then one per size in its main thread, from
	// the generator seeded 42, before its simulator seeds each cache with 1.
	// These are those draws, 0.001 + (draw mod 1000)/1000 for the 2nd to
	// 9th lehmer64 draws from 42 (computed in C); with them Cacheus too
	// reproduces libCacheSim exactly.
	{"cacheus", []string{"lr=0.058", "lr=0.936", "lr=0.549", "lr=0.87", "lr=0.018000000000000002", "lr=0.049", "lr=0.545", "lr=0.07100000000000001"},
		"Cacheus", []uint64{90052, 82866, 77130, 77115, 69828, 68435, 67930, 66993},
		[]uint64{4068200448, 3757362176, 3439912448, 3359079424, 3018722816, 2928907776, 2867576832, 2834809856}, 0},
	{"hyperbolic", nil, "Hyperbolic", []uint64{92924, 89470, 83452, 81234, 74544, 71234, 69356, 65338},
		[]uint64{4213586432, 4064826368, 3766646272, 3644941824, 3245021184, 3035783168, 2939981312, 2754100224}, 0.5},
}

func TestLibCacheSimPolicies(t *testing.T) {
	tracestest.SkipUnderRace(t)
	tr := loadOracleGeneral(t, "cloudPhysicsIO.oracleGeneral.bin")
	const reqBytes = 4368040448 // libCacheSim's g_req_byte_true
	for _, ref := range libCacheSimPolicies {
		t.Run(ref.spec, func(t *testing.T) {
			pts := sweepBytes(t, tr, ref.spec, mib, true)
			if ref.params != nil {
				pts = pts[:0]
				for i, p := range ref.params {
					pts = append(pts, sweepBytes(t, tr, ref.spec+"("+p+")", mib[i:i+1], true)...)
				}
			}
			for i, pt := range pts {
				if pt.Requests != 113872 || pt.Bytes != reqBytes {
					t.Fatalf("%d requests of %d bytes, libCacheSim 113872 of %d", pt.Requests, pt.Bytes, uint64(reqBytes))
				}
				misses, missed := pt.Misses(), pt.Bytes-pt.ByteHits
				if ref.tol == 0 {
					if misses != ref.misses[i] || missed != ref.bytes[i] {
						t.Errorf("%d MiB: %d misses, %d missed bytes; libCacheSim's %s %d, %d",
							pt.Size>>20, misses, missed, ref.algo, ref.misses[i], ref.bytes[i])
					}
					continue
				}
				d := 100 * math.Abs(float64(misses)-float64(ref.misses[i])) / float64(pt.Requests)
				db := 100 * math.Abs(float64(missed)-float64(ref.bytes[i])) / float64(pt.Bytes)
				if d > ref.tol || db > ref.tol {
					t.Errorf("%d MiB: %d misses, %d missed bytes; libCacheSim's %s %d, %d: %.2f and %.2f points apart, allowed %.2f",
						pt.Size>>20, misses, missed, ref.algo, ref.misses[i], ref.bytes[i], d, db, ref.tol)
				}
			}
		})
	}
}

// libCacheSim's ClockPro.c states in its header the miss ratios it gets on
// cloudPhysicsIO in object mode (its --ignore-obj-size), to four decimals;
// they are those of the same never-evicting cache.
func TestLibCacheSimClockProObjectMode(t *testing.T) {
	tr, _, err := traces.Load(tracestest.Path(t, "cloudPhysicsIO.txt"), traces.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sizes := []int64{4897, 9794, 14692, 19589, 24487, 29384, 34281, 39179, 44076, 48974}
	want := []float64{0.8363, 0.7662, 0.6435, 0.5670, 0.5092, 0.4955, 0.4726, 0.4574, 0.4384, 0.4301}
	for i, pt := range sweepBytes(t, tr, "clockpro", sizes, false) {
		if got := float64(pt.Misses()) / float64(pt.Requests); math.Abs(got-want[i]) > 0.00005 {
			t.Errorf("%d objects: miss ratio %.5f, libCacheSim %.4f", pt.Size, got, want[i])
		}
	}
}

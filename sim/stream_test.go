package sim

import (
	"errors"
	"io"
	"reflect"
	"runtime"
	"testing"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/workload"
)

// workloadReader opens a synthetic workload as a stream.
func workloadReader(t *testing.T, spec string) trace.Reader {
	t.Helper()
	w, err := workload.Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.Reader()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A streaming replay gives the loaded replay's statistics, and counts the
// distinct keys and their footprint as a Go map over the loaded trace does.
func TestReplayStreamMatchesLoaded(t *testing.T) {
	specs := []string{
		"zipf:keys=2000,requests=20000,alpha=0.9",
		"zipf:keys=2000,requests=20000,alpha=0.8,size=uniform:1:5000,write=0.2,seed=3",
	}
	for _, ws := range specs {
		tr, err := traces.ReadAll("w", workloadReader(t, ws))
		if err != nil {
			t.Fatal(err)
		}
		seen := map[uint64]bool{}
		var bytes int64
		var r trace.Request
		for i, k := range tr.Keys {
			if !seen[k] {
				seen[k] = true
				tr.At(i, &r)
				bytes += int64(r.Size)
			}
		}
		for _, name := range []string{"lru", "arc", "s3fifo", "lfu"} {
			for _, objects := range []bool{true, false} {
				size := int64(200)
				if !objects {
					size = 200 * 2500
				}
				for _, writes := range []bool{false, true} {
					opt := Options{Objects: objects, CountWrites: writes}
					mk := func() policy.Cache {
						c, err := policy.New(policy.Spec{Name: name}, policy.Config{Capacity: size})
						if err != nil {
							t.Fatal(err)
						}
						return c
					}
					want := Replay(tr, mk(), opt)
					sts, info, err := ReplayStream(workloadReader(t, ws), []policy.Cache{mk()}, opt)
					got := sts[0]
					if err != nil {
						t.Fatal(err)
					}
					if got.Requests != want.Requests || got.Hits != want.Hits || got.ByteHits != want.ByteHits ||
						got.Bytes != want.Bytes || got.Evictions != want.Evictions || got.Sets != want.Sets || got.Deletes != want.Deletes {
						t.Errorf("%s %s objects=%v writes=%v: stream %+v, loaded %+v", ws, name, objects, writes, got, want)
					}
					if info.Requests != int64(tr.Len()) || info.Distinct != len(seen) || info.FootprintBytes != bytes {
						t.Errorf("%s: stream read %d requests, %d keys, %d bytes; want %d, %d, %d",
							ws, info.Requests, info.Distinct, info.FootprintBytes, tr.Len(), len(seen), bytes)
					}
					if info.Fields != tr.Fields() {
						t.Errorf("%s: fields %+v, the loaded trace keeps %+v", ws, info.Fields, tr.Fields())
					}
				}
			}
		}
	}
}

// failingReader yields n requests, then an error.
type failingReader struct{ n, i int }

var errBroken = errors.New("broken record")

// Fields says it yields keys and sizes only.
func (f *failingReader) Fields() trace.Fields { return trace.Fields{Size: true} }

func (f *failingReader) Read(r *trace.Request) error {
	if f.i == f.n {
		return errBroken
	}
	f.i++
	*r = trace.Request{Key: uint64(f.i % 7), Size: 1}
	return nil
}

// A read error ends the replay with that error, after every request before it.
func TestReplayStreamError(t *testing.T) {
	sts, info, err := ReplayStream(&failingReader{n: 5000}, []policy.Cache{policy.NewLRU(3)}, Options{Objects: true})
	st := sts[0]
	if !errors.Is(err, errBroken) {
		t.Fatalf("error %v, want %v", err, errBroken)
	}
	if st.Requests != 5000 || info.Requests != 5000 || info.Distinct != 7 {
		t.Errorf("replayed %d requests, read %d with %d keys; want 5000, 5000, 7", st.Requests, info.Requests, info.Distinct)
	}
}

// What needs the loaded trace says so instead of replaying wrongly.
func TestReplayStreamNeedsTrace(t *testing.T) {

	c, err := policy.New(policy.Spec{Name: "belady"}, policy.Config{Capacity: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReplayStream(&failingReader{n: 10}, []policy.Cache{c}, Options{}); !errors.Is(err, ErrNeedsTrace) {
		t.Errorf("belady: error %v, want ErrNeedsTrace", err)
	}
}

// cyclingReader yields n requests over a fixed set of keys.
type cyclingReader struct{ n, i, keys int }

// Fields says it yields keys only.
func (c *cyclingReader) Fields() trace.Fields { return trace.Fields{} }

func (c *cyclingReader) Read(r *trace.Request) error {
	if c.i == c.n {
		return io.EOF
	}
	c.i++
	*r = trace.Request{Key: uint64((c.i * 7919) % c.keys), Size: 1}
	return nil
}

// allocatedBy returns the bytes f allocates on the heap.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A streaming replay's memory follows the distinct keys, not the requests:
// ten times more requests over the same 20,000 keys allocate no more.
func TestReplayStreamMemoryBounded(t *testing.T) {
	run := func(n int) uint64 {
		return allocatedBy(func() {
			if _, _, err := ReplayStream(&cyclingReader{n: n, keys: 20000}, []policy.Cache{policy.NewLRU(2000)}, Options{Objects: true}); err != nil {
				t.Fatal(err)
			}
		})
	}
	small, large := run(100_000), run(1_000_000)
	t.Logf("allocated %d bytes for 100,000 requests, %d for 1,000,000", small, large)
	if large > small+small/4 {
		t.Errorf("10x the requests allocated %d bytes, against %d: memory grows with the stream", large, small)
	}
}

// The curve of a stream is the curve of the loaded trace, in object mode
// with the sizes chosen after the pass and in byte mode, with the same
// exactness.
func TestStreamDistancesMatchLoaded(t *testing.T) {
	ws := "zipf:keys=3000,requests=50000,alpha=0.8,size=uniform:1:4000"
	tr, err := traces.ReadAll("w", workloadReader(t, ws))
	if err != nil {
		t.Fatal(err)
	}
	for _, sizes := range []Sizes{
		{Values: LogSizes(1, 3000, 30)},
		{Values: LogSizes(100, 3000*2000, 30), Bytes: true},
	} {
		want, wantExact := LRUCurve(tr, sizes)
		choose := Sizes{Bytes: sizes.Bytes}
		if sizes.Bytes {
			choose = sizes
		}
		d, info, err := StreamDistances(workloadReader(t, ws), choose, Span{})
		if err != nil {
			t.Fatal(err)
		}
		objects, bytes := tr.Footprint()
		if info.Distinct != objects || info.FootprintBytes != bytes || info.Requests != int64(tr.Len()) {
			t.Errorf("stream saw %+v, the trace has %d keys, %d bytes, %d requests", info, objects, bytes, tr.Len())
		}
		got, exact := d.Curve(sizes)
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) || exact[i] != wantExact[i] {
				t.Errorf("bytes=%v size %d: stream %+v exact=%v, loaded %+v exact=%v", sizes.Bytes, sizes.Values[i], got[i], exact[i], want[i], wantExact[i])
			}
		}
	}
}

// The stack distances of a stream take memory for its distinct keys, not
// its requests: ten times more requests over the same keys allocate no more.
func TestStreamDistancesMemoryBounded(t *testing.T) {
	run := func(n int) uint64 {
		return allocatedBy(func() {
			if _, _, err := StreamDistances(&cyclingReader{n: n, keys: 20000}, Sizes{}, Span{}); err != nil {
				t.Fatal(err)
			}
		})
	}
	small, large := run(100_000), run(1_000_000)
	t.Logf("allocated %d bytes for 100,000 requests, %d for 1,000,000", small, large)
	if large > small+small/4 {
		t.Errorf("10x the requests allocated %d bytes, against %d: memory grows with the stream", large, small)
	}
}

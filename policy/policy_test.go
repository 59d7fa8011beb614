package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/cachesim/cachesim/traces/trace"
)

// req is a request at time sec seconds.
type req struct {
	key  uint64
	size uint32
	sec  float64
	ttl  uint32
}

// run replays reqs through c and returns the hit pattern as a string of
// 'h' and 'm', which is easy to compare with a hand-computed one.
func run(c Cache, reqs []req) string {
	out := make([]byte, len(reqs))
	for i, q := range reqs {
		size := q.size
		if size == 0 {
			size = 1
		}
		r := trace.Request{Key: q.key, Size: size, Time: int64(q.sec * 1e9), TTL: q.ttl}
		if c.Access(&r) {
			out[i] = 'h'
		} else {
			out[i] = 'm'
		}
	}
	return string(out)
}

func keys(ks ...uint64) []req {
	r := make([]req, len(ks))
	for i, k := range ks {
		r[i] = req{key: k}
	}
	return r
}

func TestHandComputedObjectCount(t *testing.T) {
	// Sequence a b c a d b a with 3 slots (a=1, b=2, c=3, d=4):
	// LRU:  a b c miss; a hit (order a c b); d evicts b; b evicts c; a hit.
	// FIFO: a b c miss; a hit; d evicts a; b hit; a evicts b... a misses.
	// LFU:  a b c miss; a hit (a:2); d evicts b (count 1, least recent of b,c);
	//       b evicts c (count 1, older than d); a hit.
	seq := keys(1, 2, 3, 1, 4, 2, 1)
	cases := []struct {
		name string
		c    Cache
		want string
	}{
		{"lru", newLRU(3), "mmmhmmh"},
		{"fifo", newFIFO(3), "mmmhmhm"},
		{"lfu", newLFU(3), "mmmhmmh"},
		{"ttl-no-expiry", newTTL(3, 0), "mmmhmmh"},
	}
	for _, tc := range cases {
		if got := run(tc.c, seq); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
		if tc.c.Len() != 3 || tc.c.Used() != 3 {
			t.Errorf("%s: len %d used %d, want 3 and 3", tc.name, tc.c.Len(), tc.c.Used())
		}
	}
}

func TestLFUTies(t *testing.T) {
	// 2 slots: a a b c a b. c evicts b (count 1 < a's 2); b evicts c.
	if got := run(newLFU(2), keys(1, 1, 2, 3, 1, 2)); got != "mhmmhm" {
		t.Fatalf("got %s, want mhmmhm", got)
	}
	// Equal counts go to the least recently accessed: a b c b a. c evicts
	// a (count 1, older than b), so b hits and a misses.
	if got := run(newLFU(2), keys(1, 2, 3, 2, 1)); got != "mmmhm" {
		t.Fatalf("tie: got %s, want mmmhm", got)
	}
}

func TestLFUCountRestartsOnReadmission(t *testing.T) {
	// 2 slots: a a a (a:3), b b (b:2), c evicts b, b returns evicting c
	// with count 1 (not 3), d evicts b (1 < 3), so the last b misses.
	// Had b kept its count (3), d would have evicted a (tie at 3, a less
	// recent) and the last b would hit.
	if got := run(newLFU(2), keys(1, 1, 1, 2, 2, 3, 2, 4, 2)); got != "mhhmhmmmm" {
		t.Fatalf("got %s, want mhhmhmmmm", got)
	}
}

func TestByteCapacity(t *testing.T) {
	for _, name := range []string{"lru", "fifo", "lfu", "ttl"} {
		t.Run(name, func(t *testing.T) {
			c, err := New(Spec{Name: name}, Config{Capacity: 10})
			if err != nil {
				t.Fatal(err)
			}
			// a(4) b(4) fit (8); c(4) must evict a (oldest/least used, all
			// policies agree here) leaving 8 used.
			seq := []req{{key: 1, size: 4}, {key: 2, size: 4}, {key: 3, size: 4}}
			if got := run(c, seq); got != "mmm" {
				t.Fatalf("got %s", got)
			}
			if c.Used() != 8 || c.Len() != 2 || c.Evictions() != 1 {
				t.Fatalf("used %d len %d evictions %d, want 8, 2, 1", c.Used(), c.Len(), c.Evictions())
			}
			// An object larger than the whole cache is never inserted and evicts nothing.
			if got := run(c, []req{{key: 9, size: 11}, {key: 9, size: 11}}); got != "mm" {
				t.Fatalf("oversized: got %s", got)
			}
			if c.Used() != 8 || c.Evictions() != 1 {
				t.Fatalf("oversized object changed the cache: used %d evictions %d", c.Used(), c.Evictions())
			}
			// A hit does not update the stored size: b hits at size 9 and
			// still occupies 4.
			if got := run(c, []req{{key: 2, size: 9}}); got != "h" {
				t.Fatalf("got %s, want a hit on b", got)
			}
			if c.Used() != 8 {
				t.Fatalf("used %d after a hit with another size, want 8", c.Used())
			}
			// An object exactly the capacity is admitted, evicting everything.
			if got := run(c, []req{{key: 7, size: 10}}); got != "m" || c.Used() != 10 || c.Len() != 1 {
				t.Fatalf("full-size object: got %s, used %d, len %d", got, c.Used(), c.Len())
			}
		})
	}
}

func TestTTLExpiry(t *testing.T) {
	c := newTTL(10, int64(10*time.Second))
	// Written at 0 with the default 10 s: fresh before 10 s, expired at 10 s
	// and rewritten (fresh until 20 s).
	seq := []req{{key: 1, sec: 0}, {key: 1, sec: 5}, {key: 1, sec: 9.999}, {key: 1, sec: 10},
		{key: 1, sec: 15}, {key: 1, sec: 19.9}, {key: 1, sec: 20}}
	if got := run(c, seq); got != "mhhmhhm" {
		t.Fatalf("default ttl: got %s, want mhhmhhm", got)
	}
	// A request's own TTL wins over the default: 2 s.
	c = newTTL(10, int64(10*time.Second))
	seq = []req{{key: 1, sec: 0, ttl: 2}, {key: 1, sec: 1.5, ttl: 2}, {key: 1, sec: 2, ttl: 2}, {key: 1, sec: 3.9, ttl: 2}}
	if got := run(c, seq); got != "mhmh" {
		t.Fatalf("request ttl: got %s, want mhmh", got)
	}
	// Time to live 0 by default: nothing expires.
	c = newTTL(10, 0)
	if got := run(c, []req{{key: 1}, {key: 1, sec: 1e6}}); got != "mh" {
		t.Fatalf("no ttl: got %s", got)
	}
}

func TestTTLEvictsExpiredFirst(t *testing.T) {
	// 2 slots. a@0 (ttl 100), b@1 (ttl 2: expires at 3), b@1.5 hit makes b
	// the most recent. c@4 needs room: b has expired, so b goes although a
	// is the least recently used; a then still hits at 5. (Plain LRU would
	// have evicted a.)
	c := newTTL(2, 0)
	seq := []req{{key: 1, sec: 0, ttl: 100}, {key: 2, sec: 1, ttl: 2}, {key: 2, sec: 1.5, ttl: 2},
		{key: 3, sec: 4, ttl: 100}, {key: 1, sec: 5, ttl: 100}, {key: 2, sec: 5, ttl: 100}}
	if got := run(c, seq); got != "mmhmhm" {
		t.Fatalf("got %s, want mmhmhm", got)
	}
	if c.Evictions() != 1 || c.Expired() != 1 {
		// The last request (b) evicts c, the LRU, which has not expired.
		t.Fatalf("evictions %d expired %d, want 1 and 1", c.Evictions(), c.Expired())
	}
}

func TestRegistry(t *testing.T) {
	for _, name := range []string{"lru", "fifo", "lfu", "ttl"} {
		if _, ok := Lookup(name); !ok {
			t.Errorf("%s not registered", name)
		}
	}
	if _, err := ParseSpec("nope"); err == nil {
		t.Fatal("unknown policy accepted")
	} else if want := "valid: " + strings.Join(Names(), ", "); !contains(err.Error(), want) {
		t.Fatalf("error %q does not list the valid names (%q)", err, want)
	}
	spec, err := ParseSpec("S3FIFO( small = 0.2 )")
	if err != nil || spec.Name != "s3fifo" || spec.Params["small"] != "0.2" || spec.String() != "s3fifo(small=0.2)" {
		t.Fatalf("ParseSpec: %+v %v", spec, err)
	}
	if _, err := New(Spec{Name: "lru", Params: Params{"x": "1"}}, Config{Capacity: 1}); err == nil {
		t.Fatal("New accepted an unknown parameter")
	}
	got := SplitSpecs("lru, s3fifo(small=0.1,ghost=0.9) ,lfu")
	if len(got) != 3 || got[1] != "s3fifo(small=0.1,ghost=0.9)" {
		t.Fatalf("SplitSpecs: %q", got)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

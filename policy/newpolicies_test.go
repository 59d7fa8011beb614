package policy

import (
	"strings"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
)

// runFuture replays reqs like run, first filling each request's Next from
// the sequence itself, for offline policies.
func runFuture(c Cache, reqs []req) string {
	tr := trace.NewTrace("hand", trace.Fields{Size: true, Time: true, TTL: true})
	for _, q := range reqs {
		size := q.size
		if size == 0 {
			size = 1
		}
		tr.Append(&trace.Request{Key: q.key, Size: size, Time: int64(q.sec * 1e9), TTL: q.ttl})
	}
	tr.NextAccess()
	return hitPattern(c, tr)
}

// hitPattern replays tr through c and returns the hit pattern as run does.
func hitPattern(c Cache, tr *trace.Trace) string {
	out := make([]byte, tr.Len())
	var r trace.Request
	for i := range out {
		tr.At(i, &r)
		out[i] = 'm'
		if c.Access(&r) {
			out[i] = 'h'
		}
	}
	return string(out)
}

// Each case was worked by hand; the comments give the states that decide it
// (lists written head first, i.e. newest or hottest first).
func TestHandComputedNewPolicies(t *testing.T) {
	cases := []struct {
		name string
		c    Cache
		seq  []req
		want string
	}{
		// 3 slots, 1 2 3 1 4 2 5 1. Clock: 1's bit makes 4 evict 2 (1 moves
		// to the head, bit cleared); 2 evicts 3; 5 evicts 1, so 1 misses.
		{"clock", newClock(3), keys(1, 2, 3, 1, 4, 2, 5, 1), "mmmhmmmm"},
		// SIEVE: 4 clears 1's bit in place and evicts 2, hand stops at 3;
		// 2 evicts 3, hand at 4; 5 evicts 4, so 1 is still cached.
		{"sieve", newSieve(3), keys(1, 2, 3, 1, 4, 2, 5, 1), "mmmhmmmh"},
		// Belady: 4 evicts 3 (never used again); 5 evicts 2 or 4 (neither
		// is), keeping 1, requested next.
		{"belady", newBelady(3, false), keys(1, 2, 3, 1, 4, 2, 5, 1), "mmmhmhmh"},
		// S3-FIFO with a 1-object small queue, 3-object main, threshold 2:
		// 1 goes to small, 2 3 4 to main (small full before any eviction); 5
		// evicts 1 to the ghost; two hits on 5 promote it when 6 arrives,
		// main overflows and evicts its oldest unhit object, 2.
		{"s3fifo", newS3FIFO(4, s3fifoOptions{Small: 0.25, Ghost: 1, Threshold: 2}), keys(1, 2, 3, 4, 5, 5, 5, 6, 5, 2, 4, 3), "mmmmmhhmhmhh"},
		// ARC, 2 slots: 1 1 puts 1 in T2; 3 replaces T1's 2 into B1, so 1
		// survives (LRU would evict it); 2 hits B1 (p=1) and demotes T2's 1
		// to B2; 3 hits in T1; 1 hits B2 (p=0) and demotes 2.
		{"arc", newARC(2), keys(1, 1, 2, 3, 1, 2, 3, 1), "mhmmhmhm"},
		// 2Q with A1in 1, Am 3, A1out 2: a hit in A1in changes nothing; A1in
		// overflows into A1out; 1 and 2 return from A1out into Am; 4 too,
		// evicting A1in's 5, so 6 still hits in A1in.
		{"twoq", newTwoQ(4, twoQOptions{In: 0.25, Out: 0.5}), keys(1, 2, 3, 4, 1, 5, 1, 6, 2, 1, 4, 6), "mmmmhmmmmhmh"},
		// SLRU with two 2-object segments: 1 2 fill segment 0, 3 4 segment 1;
		// 1's hit promotes it, demoting 3; misses then cycle through segment 0
		// while 4 and 1 stay protected.
		{"slru", newSLRU(4, 2), keys(1, 2, 3, 4, 1, 5, 2, 3, 4, 1), "mmmmhmmmhh"},
		// LIRS, 3 slots (2 LIR, 1 HIR): 1 and 2 become LIR, the scan 3 4 5
		// cycles through the single HIR slot, 1 and 2 still hit; 4 returns
		// as non-resident HIR in S and becomes LIR, demoting 1 to Q; 5 then
		// evicts 1.
		{"lirs", newLIRS(3, lirsOptions{HIR: 0.01}), keys(1, 2, 1, 2, 3, 4, 5, 1, 2, 4, 2, 5), "mmhhmmmhhmhm"},
		// W-TinyLFU, window 1, main 1: 1 is seen three times; 2 then 3 leave
		// the window and lose to 1 (count 1 against 3), so 1 keeps hitting.
		{"wtinylfu", newWTinyLFU(2, wtinylfuOptions{Window: 0.5, Protected: 0.5}), keys(1, 1, 1, 2, 3, 1, 2), "mhhmmhm"},
	}
	for _, tc := range cases {
		if got := runFuture(tc.c, tc.seq); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
		if tc.c.Used() > tc.c.Capacity() {
			t.Errorf("%s: used %d over capacity %d", tc.name, tc.c.Used(), tc.c.Capacity())
		}
	}
}

// Byte capacity 10, sizes A=1, B=8, C=2, sequence A B C B A C. When C
// arrives, size × distance scores are A 1·2, B 8·1: belady-size evicts only
// B and keeps A (A and C then hit); the farthest-next-access variant evicts
// A (next at 4, after B's at 3), which leaves room, so B hits and A misses.
// Requests with no future (B's and A's last) are never admitted.
func TestHandComputedBeladySize(t *testing.T) {
	seq := []req{{key: 1, size: 1}, {key: 2, size: 8}, {key: 3, size: 2}, {key: 2, size: 8}, {key: 1, size: 1}, {key: 3, size: 2}}
	if got := runFuture(newBeladySize(10, 64, 1), seq); got != "mmmmhh" {
		t.Errorf("belady-size: got %s, want mmmmhh", got)
	}
	if got := runFuture(&belady{store: newStore(10), sized: true}, seq); got != "mmmhmh" {
		t.Errorf("belady-size(score=distance): got %s, want mmmhmh", got)
	}
}

func TestHandComputedRedis(t *testing.T) {
	// redis-lru, 2 slots, one request a second, 64 samples (both keys are
	// sampled): 3 evicts 2 (idle 2 s against 1 s), 2 evicts 3; stale pool
	// entries of evicted keys are skipped.
	seq := []req{{key: 1, sec: 0}, {key: 2, sec: 1}, {key: 1, sec: 2}, {key: 3, sec: 3}, {key: 1, sec: 4}, {key: 2, sec: 5}, {key: 1, sec: 6}, {key: 3, sec: 7}}
	if got := run(newRedis(2, redisLRU, redisOptions{Samples: 64, Seed: 1}), seq); got != "mmhmhmhm" {
		t.Errorf("redis-lru: got %s, want mmhmhmhm", got)
	}
	// redis-ttl, 2 slots: C evicts B (expires at 5 s, before A at 10 s); A
	// hits at 2 s and misses at 11 s (expired, rewritten).
	ttl := []req{{key: 1, ttl: 10}, {key: 2, ttl: 5}, {key: 3, sec: 1, ttl: 20}, {key: 1, sec: 2, ttl: 10}, {key: 2, sec: 2, ttl: 5}, {key: 1, sec: 11, ttl: 10}}
	if got := run(newRedis(2, redisTTL, redisOptions{Samples: 64, Seed: 1}), ttl); got != "mmmhmm" {
		t.Errorf("redis-ttl: got %s, want mmmhmm", got)
	}
	// Keys without a TTL are never evicted by volatile-ttl: with nothing
	// evictable, a write is refused and the cache keeps what it has.
	if got := run(newRedis(1, redisTTL, redisOptions{Samples: 5, Seed: 1}), keys(1, 2, 1, 2)); got != "mmhm" {
		t.Errorf("redis-ttl without TTLs: got %s, want mmhm", got)
	}
}

func TestRandomIsSeeded(t *testing.T) {
	seq := make([]req, 2000)
	for i := range seq {
		seq[i] = req{key: uint64(i*7919) % 97}
	}
	a, b, c := run(newRandom(20, 1), seq), run(newRandom(20, 1), seq), run(newRandom(20, 2), seq)
	if a != b {
		t.Error("the same seed gave different runs")
	}
	if a == c {
		t.Error("different seeds gave the same 2000-request run")
	}
	r := newRandom(20, 1)
	run(r, seq)
	if r.Len() != 20 || r.Evictions() != uint64(len(seq)-countHits(a)-20) {
		t.Errorf("len %d evictions %d: every miss after the first 20 must evict one", r.Len(), r.Evictions())
	}
}

func countHits(s string) int {
	n := 0
	for _, c := range s {
		if c == 'h' {
			n++
		}
	}
	return n
}

// A bad parameter fails at ParseSpec, before any work, and the error says
// what the parameter accepts; New refuses the same parameters in a Spec
// built by hand. The expected messages are written from the schemas'
// declared ranges, not copied from the output.
func TestBadParametersRejected(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"s3fifo(small=2)", "parameter small=2: expected a fraction from 0 to 1"},
		{"s3fifo(threshold=0)", "parameter threshold=0: expected an integer from 1 to 2^20"},
		{"twoq(in=x)", "parameter in=x: expected a fraction from 0 to 1"},
		{"twoq(out=11)", "parameter out=11: expected a number from 0 to 10"},
		{"slru(segments=0)", "expected an integer from 1 to 64"},
		{"slru(segments=2.5)", "expected an integer from 1 to 64"},
		{"lirs(hir=1.5)", "expected a fraction from 0 to below 1"},
		{"lirs(hir=NaN)", "expected a fraction from 0 to below 1"},
		{"wtinylfu(window=-1)", "expected a fraction from 0 to 1"},
		{"belady(bypass=maybe)", "parameter bypass=maybe: expected true or false"},
		{"belady-size(score=x)", "parameter score=x: expected one of size, distance"},
		{"belady-size(samples=0)", "expected an integer from 1 to 2^20"},
		{"redis-lru(samples=100)", "parameter samples=100: expected an integer from 1 to 64"},
		{"redis-lfu(log-factor=-1)", "expected a number from 0 to 1e9"},
		{"redis-lfu(decay-time=x)", "expected an integer from 0 to 2^30"},
		{"memcached(factor=0.5)", "expected a number from 1.01 to 4"},
		{"memcached(page=100)", "parameter page=100: expected an integer from 256 to 2^30"},
		{"memcached(hot=0.5,warm=0.4)", "parameter warm=0.4: hot + warm is at most 0.8"},
		{"memcached(chunk-max=300000)", "parameter item-max=1048576: expected a multiple of chunk-max=300000"},
		{"clock(x=1)", `policy clock has no parameter "x" (it takes none)`},
		{"s3fifo(smal=0.2)", `policy s3fifo has no parameter "smal" (valid: small, ghost, threshold)`},
		{"redis-lru(log-factor=1)", `has no parameter "log-factor" (valid: samples, memory, key, size-has-key, hash-fields, quantum, baseline)`},
		{"s3fifo(small=0.1,small=0.2)", "parameter small given twice"},
		{"s3fifo(=0.2)", "is not key=value"},
	} {
		_, err := ParseSpec(tc.spec)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseSpec(%s): error %v, want one containing %q", tc.spec, err, tc.want)
		}
	}
	for _, spec := range []Spec{
		{Name: "s3fifo", Params: Params{"small": "2"}},
		{Name: "memcached", Params: Params{"hot": "0.7", "warm": "0.5"}},
		{Name: "clock", Params: Params{"x": "1"}},
	} {
		if _, err := New(spec, Config{Capacity: 100}); err == nil {
			t.Errorf("New(%s) accepted", spec)
		}
	}
	for _, s := range []string{"s3fifo(small=0.2,ghost=0.5,threshold=1)", "slru(segments=5)", "redis-lfu(samples=10,log-factor=1,decay-time=0)",
		"belady-size(score=distance)", "memcached(chunk=96,factor=2,page=65536)", "wtinylfu(window=0.2,protected=0.5)",
		"memcached(hot=0.4,warm=0.4)", "s3fifo(small=0,ghost=10)", "belady(bypass=true)"} {
		spec, err := ParseSpec(s)
		if err != nil {
			t.Errorf("ParseSpec(%s): %v", s, err)
			continue
		}
		if _, err := New(spec, Config{Capacity: 100}); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
}

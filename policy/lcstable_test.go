package policy

import "testing"

// xxh3Of8 agrees with the reference XXH3 implementation (xxhash 0.8, as
// vendored by libCacheSim), computed in C for these keys.
func TestXXH3Of8(t *testing.T) {
	for _, tc := range []struct{ key, want uint64 }{
		{0, 14374147212387527897},
		{1, 3439722301264460078},
		{2, 2343778756980564547},
		{12345, 11234342765698724289},
		{0xdeadbeefcafebabe, 13984203971812499629},
		{1 << 32, 17197929579947543131},
		{98765432101, 12347326858672286862},
	} {
		if got := xxh3Of8(tc.key); got != tc.want {
			t.Errorf("xxh3Of8(%d) = %d, want %d", tc.key, got, tc.want)
		}
	}
}

// lcsRand is lehmer64: the first draws from seed 1, and the first from
// seed 42, as a C program with a 128-bit state computes them.
func TestLCSRand(t *testing.T) {
	r := newLCSRand(1)
	for i, want := range []uint64{0, 13447920729462039988, 15814042893181868240, 6573358403997055337, 8776109462712445299} {
		if got := r.next(); got != want {
			t.Errorf("draw %d from seed 1: %d, want %d", i, got, want)
		}
	}
	if r := newLCSRand(42); r.next() != 35 {
		t.Error("first draw from seed 42 is not 35")
	}
}

// The table keeps libCacheSim's layout: every entry in the chain of bucket
// hash mod 2^power, newest first; it doubles before an insert finds more
// entries than buckets, rehashing old buckets in order and each chain from
// its head (which reverses chains that stay together); draws return only
// live entries; and a sparse table halves after 32 empty draws.
func TestLCSTable(t *testing.T) {
	tb := newLCSTable(1)
	keys := []uint64{10, 11, 12, 13, 14, 15, 16, 17}
	for i, k := range keys {
		tb.insert(int32(i), k)
	}
	// 8 entries: the table doubled at the 4th insert (3 > 2) and again at
	// the 6th (5 > 4), to 8 buckets.
	if tb.power != 3 || tb.n != 8 {
		t.Fatalf("power %d, n %d; want 3, 8", tb.power, tb.n)
	}
	seen := 0
	for b, head := range tb.buckets {
		for v := head; v != nilIdx; v = tb.chain[v] {
			if int(xxh3Of8(keys[v])&7) != b {
				t.Errorf("entry %d in bucket %d, hash says %d", v, b, xxh3Of8(keys[v])&7)
			}
			seen++
		}
	}
	if seen != 8 {
		t.Fatalf("%d entries in the chains, want 8", seen)
	}
	// A chain built by inserts alone is newest first.
	fresh := newLCSTable(0)
	fresh.insert(0, 1)
	if fresh.insert(1, 2); fresh.buckets[0] != 1 || fresh.chain[1] != 0 {
		t.Error("a one-bucket chain is not newest first")
	}
	for i := range 6 {
		tb.remove(int32(i))
	}
	rng := newLCSRand(7)
	for range 200 {
		if v := tb.sample(&rng); v != 6 && v != 7 {
			t.Fatalf("drew removed entry %d", v)
		}
	}
	// One entry in 2^10 buckets: a draw needs about 1,000 tries, so runs
	// of 33 empty tries halve the table until draws find the entry.
	sparse := newLCSTable(10)
	sparse.insert(0, 99)
	if v := sparse.sample(&rng); v != 0 || sparse.power >= 10 {
		t.Errorf("drew %d with power %d; want entry 0 from a shrunk table", v, sparse.power)
	}
}

package policy

import "testing"

// TestJemallocSize checks the size classes against jemalloc's manual's
// table (quantum 16, x86-64) and, for a quantum of 8 (Redis's bundled
// jemalloc), its spacing of 8 up to 64.
func TestJemallocSize(t *testing.T) {
	for _, c := range []struct{ n, quantum, want int64 }{
		{1, 16, 8}, {8, 16, 8}, {9, 16, 16}, {17, 16, 32}, {24, 16, 32}, {33, 16, 48}, {49, 16, 64},
		{65, 16, 80}, {113, 16, 128}, {129, 16, 160}, {257, 16, 320}, {513, 16, 640}, {641, 16, 768},
		{3585, 16, 4096}, {14337, 16, 16384}, {16385, 16, 20480}, {40961, 16, 49152}, {1 << 20, 16, 1 << 20},
		{(1 << 20) + 1, 16, 1280 << 10},
		{24, 8, 24}, {33, 8, 40}, {41, 8, 48}, {57, 8, 64}, {65, 8, 80},
	} {
		if got := jemallocSize(c.n, c.quantum); got != c.want {
			t.Errorf("jemallocSize(%d, %d) = %d, want %d", c.n, c.quantum, got, c.want)
		}
	}
}

// TestRedisDictGrowth checks the bucket arrays against dict.c's rules: 4
// buckets for the first entry, doubling when an add finds used == size,
// the old table kept while rehashing, a shrink below 10% at cron.
func TestRedisDictGrowth(t *testing.T) {
	var d redisDict
	d.add(1 << 40)
	if d.bytes() != 32 {
		t.Fatalf("one entry: %d B of buckets, want 32", d.bytes())
	}
	for range 3 {
		d.add(1 << 40)
	}
	if d.size != 4 || d.old != 0 {
		t.Fatalf("4 entries: size %d old %d, want 4, 0", d.size, d.old)
	}
	d.add(1 << 40) // used 4 == size 4: expand to 8, rehashing
	if d.size != 8 || d.old != 4 || d.bytes() != 96 {
		t.Fatalf("5 entries: size %d old %d (%d B), want 8, 4 (96 B)", d.size, d.old, d.bytes())
	}
	d.cron()
	if d.old != 0 || d.bytes() != 64 {
		t.Fatalf("after cron: old %d (%d B), want 0 (64 B)", d.old, d.bytes())
	}
	for range 5 {
		d.del()
	}
	d.cron() // 0 of 8 used: shrink to 4
	d.cron()
	if d.size != 4 || d.old != 0 {
		t.Fatalf("emptied: size %d old %d, want 4, 0", d.size, d.old)
	}
}

package policy

import (
	"fmt"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
)

// structures walks every class's LRUs and returns the object bytes and
// items they hold, checking each LRU's byte count and each class's chunks
// against its items and pages.
func (c *memcached) structures() (used int64, members int, err error) {
	var pages int64
	for k := range c.classes {
		cl := &c.classes[k]
		var chunks int64
		for l := range cl.lru {
			var bytes int64
			for i := cl.lru[l].head; i != nilIdx; i = c.nodes[i].next {
				e := &c.nodes[i]
				if mcClassOf(e) != k || mcLRUOf(e) != l {
					return 0, 0, fmt.Errorf("item %d in class %d LRU %d says class %d LRU %d", e.key, k, l, mcClassOf(e), mcLRUOf(e))
				}
				total := c.total(e.key, e.size)
				bytes += total
				chunks += c.chunks(total)
				used += int64(e.size)
				members++
			}
			if bytes != cl.bytes[l] {
				return 0, 0, fmt.Errorf("class %d LRU %d holds %d bytes, counts %d", k, l, bytes, cl.bytes[l])
			}
		}
		if chunks != cl.used || cl.used > cl.pages*cl.perPage {
			return 0, 0, fmt.Errorf("class %d: items take %d chunks, counted %d, of %d", k, chunks, cl.used, cl.pages*cl.perPage)
		}
		pages += cl.pages
	}
	if pages+c.pool != c.malloced/c.o.Page {
		return 0, 0, fmt.Errorf("classes hold %d pages and the pool %d, %d bytes malloced", pages, c.pool, c.malloced)
	}
	return used, members, nil
}

// newMC builds the registered memcached model from a spec at capacity bytes.
func newMC(t *testing.T, spec string, capacity int64) *memcached {
	t.Helper()
	s, err := ParseSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(s, Config{Capacity: capacity})
	if err != nil {
		t.Fatal(err)
	}
	return c.(*memcached)
}

// The slab classes are those memcached 1.6.18 prints with -vv: defaults,
// and -f 2 -n 16.
func TestMemcachedSlabClasses(t *testing.T) {
	for _, tc := range []struct {
		spec  string
		sizes []int64
	}{
		{"memcached", []int64{96, 120, 152, 192, 240, 304, 384, 480, 600, 752, 944, 1184, 1480, 1856, 2320, 2904,
			3632, 4544, 5680, 7104, 8880, 11104, 13880, 17352, 21696, 27120, 33904, 42384, 52984, 66232, 82792,
			103496, 129376, 161720, 202152, 252696, 315872, 394840, 524288}},
		{"memcached(factor=2,chunk=16)", []int64{64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536,
			131072, 524288}},
	} {
		c := newMC(t, tc.spec, 64<<20)
		var got []int64
		for _, k := range c.classes {
			got = append(got, k.chunk)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.sizes) {
			t.Errorf("%s: chunks %v\nwant %v", tc.spec, got, tc.sizes)
		}
		if c.classes[3].perPage != 1<<20/c.classes[3].chunk {
			t.Errorf("%s: %d chunks a page in class 4", tc.spec, c.classes[3].perPage)
		}
	}
}

// An item takes value + 2 (CRLF) + key + 1 (NUL) + 48 (header) + 8 (CAS),
// and 4 more with client flags: ITEM_ntotal.
func TestMemcachedItemSize(t *testing.T) {
	c := newMC(t, "memcached", 64<<20)
	for _, tc := range []struct {
		key   uint64
		size  uint32
		total int64
		chunk int64
	}{
		{12345, 100, 164, 192},
		{12345, 128, 192, 192}, // exactly a chunk
		{12345, 129, 193, 240},
		{1, 37, 97, 120},
		{1, 36, 96, 96},
		{18446744073709551615, 100, 179, 192}, // 20 digits
	} {
		total := c.total(tc.key, tc.size)
		if total != tc.total {
			t.Errorf("key %d, %d bytes: item of %d bytes, want %d", tc.key, tc.size, total, tc.total)
		}
		if k := c.classOf(total); c.classes[k].chunk != tc.chunk {
			t.Errorf("key %d, %d bytes: chunk %d, want %d", tc.key, tc.size, c.classes[k].chunk, tc.chunk)
		}
	}
	if got := newMC(t, "memcached(cas=false,flags=true,key=10)", 64<<20).total(1, 100); got != 100+2+10+1+48+4 {
		t.Errorf("no CAS, flags, 10-byte keys: %d bytes, want 165", got)
	}
	// Items past -I are refused; those past slab_chunk_max take several
	// chunks of the largest class.
	if k := c.classOf(1<<20 + 1); k != -1 {
		t.Errorf("an item past 1 MiB goes to class %d, want none", k)
	}
	if k, n := c.classOf(600<<10), c.chunks(600<<10); k != len(c.classes)-1 || n != 2 {
		t.Errorf("a 600 KiB item: class %d, %d chunks; want the largest, 2", k, n)
	}
	if run(c, []req{{key: 1, size: 1 << 20}, {key: 1, size: 1 << 20}}) != "mm" {
		t.Error("a 1 MiB value (more than -I with its header) was stored")
	}
}

// small is a scaled-down memcached for hand-worked cases: 640-byte pages
// of ten 64-byte chunks (class 0) or five 128-byte ones (class 1), 1-byte
// keys, so a 4-byte value makes a 64-byte item and a 60-byte one 120.
const small = "memcached(page=640,chunk=16,factor=2,key=1)"

func TestMemcachedFirstPagePerClass(t *testing.T) {
	// One page of memory: class 0 takes it, and class 1 gets its first
	// page beyond the limit; neither gets a second.
	c := newMC(t, small, 640)
	var seq []req
	for k := uint64(1); k <= 11; k++ {
		seq = append(seq, req{key: k, size: 4})
	}
	for k := uint64(21); k <= 26; k++ {
		seq = append(seq, req{key: k, size: 60})
	}
	seq = append(seq, req{key: 2, size: 4}, req{key: 1, size: 4}, req{key: 22, size: 60}, req{key: 21, size: 60})
	// 11 evicts 1 (COLD's tail), 26 evicts 21; 2 and 22 are still there.
	if got := run(c, seq); got != "mmmmmmmmmmm"+"mmmmmm"+"hmhm" {
		t.Errorf("got %s", got)
	}
	if c.SlabMemory() != 1280 || c.classes[0].pages != 1 || c.classes[1].pages != 1 {
		t.Errorf("slab memory %d, pages %d and %d; want 1280, 1 and 1", c.SlabMemory(), c.classes[0].pages, c.classes[1].pages)
	}
	if _, _, err := c.structures(); err != nil {
		t.Error(err)
	}
}

// fill stores keys 1..10 (one 640-byte page of 64-byte items) at second 0.
// Worked by hand: each write moves HOT's tail to COLD while HOT holds more
// than 20% of the class's bytes, so 1..8 go to COLD in order and HOT keeps
// 9 and 10 (128 bytes of 640).
func fill() []req {
	var seq []req
	for k := uint64(1); k <= 10; k++ {
		seq = append(seq, req{key: k, size: 4})
	}
	return seq
}

func lruOf(c *memcached, key uint64) int {
	i, ok := c.lookupKey(key)
	if !ok {
		return -1
	}
	return mcLRUOf(&c.nodes[i])
}

func TestMemcachedSegments(t *testing.T) {
	c := newMC(t, small, 640)
	run(c, fill())
	for k, want := range map[uint64]int{1: mcCold, 8: mcCold, 9: mcHot, 10: mcHot} {
		if got := lruOf(c, k); got != want {
			t.Errorf("after the fill, %d is in LRU %d, want %d", k, got, want)
		}
	}
	// A second hit makes 1 ACTIVE in COLD, which moves it to WARM; 11 then
	// evicts COLD's new tail, 2. With a single hit, 11 evicts 1.
	if got := run(c, []req{{key: 1}, {key: 1}, {key: 11, size: 4}, {key: 1}, {key: 2}}); got != "hhmhm" {
		t.Errorf("two hits: got %s, want hhmhm", got)
	}
	once := newMC(t, small, 640)
	if got := run(once, append(fill(), req{key: 1}, req{key: 11, size: 4}, req{key: 1})); got != "mmmmmmmmmm"+"hmm" {
		t.Errorf("one hit: got %s", got)
	}
}

func TestMemcachedMaintainerOnTheClock(t *testing.T) {
	// 10 is hit twice in HOT (ACTIVE). At second 1 COLD's tail is 1 s old,
	// so HOT's age limit is 0.2 s, rounded to 0: the maintainer empties
	// HOT, 9 to COLD and ACTIVE 10 to WARM.
	c := newMC(t, small, 640)
	run(c, append(fill(), req{key: 10}, req{key: 10}))
	if lruOf(c, 9) != mcHot || lruOf(c, 10) != mcHot {
		t.Fatalf("within second 0, 9 and 10 are in LRUs %d and %d, want HOT", lruOf(c, 9), lruOf(c, 10))
	}
	run(c, []req{{key: 5, sec: 1}})
	if lruOf(c, 9) != mcCold || lruOf(c, 10) != mcWarm {
		t.Errorf("at second 1, 9 and 10 are in LRUs %d and %d, want COLD and WARM", lruOf(c, 9), lruOf(c, 10))
	}
	// WARM's age limit is twice COLD's tail age: at second 4 COLD's tail
	// (1, linked at 0) is 4 s old and 10 (bumped at 0) 4 s, within 8. In
	// second 5, 11..19 evict 1..9 (COLD's tail, FETCHED or not); in second
	// 6 COLD's tail (11, linked at 5) is 1 s old, WARM's limit 2 s, and 10
	// moves to COLD.
	run(c, []req{{key: 1, sec: 4}})
	if lruOf(c, 10) != mcWarm {
		t.Errorf("at second 4, 10 is in LRU %d, want WARM", lruOf(c, 10))
	}
	var seq []req
	for k := uint64(11); k <= 19; k++ {
		seq = append(seq, req{key: k, size: 4, sec: 5})
	}
	run(c, append(seq, req{key: 12, sec: 6}))
	if lruOf(c, 10) != mcCold {
		t.Errorf("at second 6, 10 is in LRU %d, want COLD", lruOf(c, 10))
	}
	if _, _, err := c.structures(); err != nil {
		t.Error(err)
	}
}

func TestMemcachedExpiry(t *testing.T) {
	// A 2-second TTL set in second 0 serves hits in second 1 and is gone
	// in second 2 (exptime <= current_time).
	c := newMC(t, small, 640)
	if got := run(c, []req{{key: 1, size: 4, ttl: 2}, {key: 1, sec: 1.9}, {key: 1, sec: 2}, {key: 1, sec: 2.5}}); got != "mhmh" {
		t.Errorf("got %s, want mhmh", got)
	}
	if c.Reclaimed() != 1 {
		t.Errorf("%d reclaimed, want 1", c.Reclaimed())
	}
	// The default TTL applies to requests without one.
	s, _ := ParseSpec(small)
	d, _ := New(s, Config{Capacity: 640, TTL: 3e9})
	if got := run(d, []req{{key: 1, size: 4}, {key: 1, sec: 2}, {key: 1, sec: 3}}); got != "mhm" {
		t.Errorf("default TTL: got %s, want mhm", got)
	}
}

func TestMemcachedSetReplaces(t *testing.T) {
	// A set of a cached key makes a new item: not FETCHED, even if the old
	// one was. Its size may change its class.
	c := newMC(t, small, 1280)
	run(c, append(fill(), req{key: 1}))
	r := trace.Request{Key: 1, Size: 60, Op: trace.OpSet}
	c.Access(&r)
	i, ok := c.lookupKey(1)
	if e := &c.nodes[i]; !ok || mcClassOf(e) != 1 || mcHas(e, mcFetched|mcActive) {
		t.Fatalf("after the set, 1 is %v, class %d, fetched %v, active %v; want class 1, no flags",
			ok, mcClassOf(e), mcHas(e, mcFetched), mcHas(e, mcActive))
	}
	if c.classes[0].used != 9 || c.Len() != 10 {
		t.Errorf("class 0 uses %d chunks, %d items; want 9, 10", c.classes[0].used, c.Len())
	}
	if _, _, err := c.structures(); err != nil {
		t.Error(err)
	}
}

func TestMemcachedAutomove(t *testing.T) {
	// Four pages: class 0 fills three with 30 items at second 0 and is
	// never touched again; class 1 gets the fourth and evicts once a
	// second from second 1. Its COLD tail stays young while class 0's ages,
	// so once the window has filled (31 runs: second 30, the first run
	// being at the start) a page moves from class 0 to class 1, evicting
	// the 10 items class 0 can no longer hold. No more moves: class 0 is
	// down to two pages.
	c := newMC(t, small, 4*640)
	var seq []req
	for k := uint64(1); k <= 30; k++ {
		seq = append(seq, req{key: k, size: 4})
	}
	for s := 1; s <= 40; s++ {
		seq = append(seq, req{key: uint64(100 + s), size: 60, sec: float64(s)})
	}
	run(c, seq[:30+29])
	if c.PagesMoved() != 0 {
		t.Fatalf("%d pages moved by second 29, want none", c.PagesMoved())
	}
	run(c, seq[30+29:30+30])
	if c.PagesMoved() != 1 || c.classes[0].pages != 2 || c.classes[1].pages != 2 || c.Len() != 20+6 {
		t.Errorf("at second 30: %d moved, pages %d and %d, %d items; want 1, 2, 2, 26",
			c.PagesMoved(), c.classes[0].pages, c.classes[1].pages, c.Len())
	}
	run(c, seq[30+30:])
	if c.PagesMoved() != 1 {
		t.Errorf("%d pages moved by second 40, want 1", c.PagesMoved())
	}
	off := newMC(t, "memcached(page=640,chunk=16,factor=2,key=1,automove=0)", 4*640)
	run(off, seq)
	if off.PagesMoved() != 0 || off.classes[1].pages != 1 {
		t.Errorf("automove=0: %d moved", off.PagesMoved())
	}
	if _, _, err := c.structures(); err != nil {
		t.Error(err)
	}
}

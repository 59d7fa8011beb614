package policy

import (
	"math"
	"math/bits"
	"strconv"
)

// This file models the memory Redis 7.0 counts in used_memory, the figure it
// compares with maxmemory: every allocation at the size jemalloc hands out
// (zmalloc counts malloc_usable_size), per key and for the dictionaries'
// bucket arrays, from Redis 7.0's source (object.c, sds.c, dict.c,
// t_string.c, t_hash.c, listpack.c, db.c, expire.c).

// redisBaseline is the used_memory of an empty redis-server 7.0.15 (Debian
// 12's package, default configuration, no persistence) with one client
// connected that has run GET, SET, DEL and INFO, as TestRedisMemoryModel
// measures it: what the server holds before any key. Of it, 876,184 B are
// the server's own at start-up, about 23 KiB each client's buffers and
// 24 KiB each command's latency histogram, allocated when the command
// first runs.
const redisBaseline = 1_013_440

// The sizes Redis 7.0 allocates, in bytes, before the allocator rounds them.
const (
	redisEntryBytes  = 24 // dictEntry: key, value and next pointers
	redisObjectBytes = 16 // robj: type, encoding, lru, refcount, ptr
	redisDictBytes   = 56 // dict (a hash's hashtable): type, 2 tables, 2 counts, rehashidx, pauserehash, 2 exponents
	redisEmbstrMax   = 44 // OBJ_ENCODING_EMBSTR_SIZE_LIMIT
	redisLPEntries   = 512
	redisLPValue     = 64    // hash-max-listpack-entries, hash-max-listpack-value
	redisDictMinSize = 4     // DICT_HT_INITIAL_SIZE
	redisMaxLoad     = 1.618 // HASHTABLE_MAX_LOAD_FACTOR
)

// jemallocSize is the usable size jemalloc 5 gives a request of n bytes,
// with a quantum of 8 or 16 bytes: multiples of the quantum up to four
// quanta (8 below the quantum), then four classes per doubling (80, 96, 112,
// 128, 160, …, 16 KiB, 20 KiB, 24 KiB, …). Debian's and Ubuntu's
// redis-server use the system's jemalloc (quantum 16 on x86-64); Redis built
// from source bundles one configured with a quantum of 8.
func jemallocSize(n, quantum int64) int64 {
	switch {
	case n <= 8:
		return 8
	case n <= 4*quantum:
		return (n + quantum - 1) / quantum * quantum
	}
	step := int64(1) << (bits.Len64(uint64(n-1)) - 3) // a quarter of the power of two below n
	return (n + step - 1) / step * step
}

// sdsHeader is the header of an sds string of n bytes as sdsnewlen picks it:
// sdshdr5 below 32 bytes (sdshdr8 when empty), sdshdr8, 16, 32, 64.
func sdsHeader(n int64) int64 {
	switch {
	case n == 0:
		return 3
	case n < 1<<5:
		return 1
	case n < 1<<8:
		return 3
	case n < 1<<16:
		return 5
	case n < 1<<32:
		return 9
	}
	return 17
}

// sdsSize is the memory of an sds string of n bytes: header, bytes, NUL.
func (m *redisMemory) sdsSize(n int64) int64 { return m.alloc(sdsHeader(n) + n + 1) }

// redisMemory is the Redis 7.0 memory model the redis-* policies charge
// keys with when their capacity is maxmemory.
type redisMemory struct {
	// quantum is jemalloc's quantum in bytes, 8 or 16.
	quantum int64
	// key is the length of every key in bytes; 0 takes the decimal digits
	// of the trace's key, as a replay against a live server sends it.
	key int64
	// sizeHasKey says a request's size counts its key's bytes (MONITOR
	// captures); otherwise the size is the value's alone.
	sizeHasKey bool
	// fields is the number of fields of every object, a hash's; 0 makes
	// every object a string.
	fields int64
}

// alloc is the memory of an allocation of n bytes.
func (m *redisMemory) alloc(n int64) int64 { return jemallocSize(n, m.quantum) }

// keyLen is the length of key's name in bytes.
func (m *redisMemory) keyLen(key uint64) int64 {
	if m.key > 0 {
		return m.key
	}
	var buf [20]byte
	return int64(len(strconv.AppendUint(buf[:0], key, 10)))
}

// cost is the memory of the key of a request of the given size, with or
// without a time to live, beyond the dictionaries' buckets: the dictEntry,
// the key's sds, the value and the expires dictEntry (which shares the
// key's sds).
func (m *redisMemory) cost(key uint64, size uint32, ttl bool) int64 {
	k := m.keyLen(key)
	v := int64(size)
	if m.sizeHasKey {
		v = max(v-k, 0)
	}
	var value int64
	if m.fields > 0 {
		value = m.hashEven(v, m.fields)
	} else {
		value = m.stringSize(v)
	}
	return m.keySize(k, value, ttl)
}

// keySize is the memory of a key of k bytes whose value takes value bytes:
// its dictEntry and sds in the main dictionary, and its dictEntry in the
// expires dictionary when it has a time to live.
func (m *redisMemory) keySize(k, value int64, ttl bool) int64 {
	c := m.alloc(redisEntryBytes) + m.sdsSize(k) + value
	if ttl {
		c += m.alloc(redisEntryBytes)
	}
	return c
}

// stringSize is the memory of a string value of n bytes that does not look
// like an integer: up to 44 bytes one allocation of the robj, an sdshdr8
// and the bytes (OBJ_ENCODING_EMBSTR); beyond, the robj and an sds apart
// (OBJ_ENCODING_RAW). Values of 32 KiB or more arrive in a query buffer
// Redis keeps as the value, whose header and slack may differ by a size
// class.
func (m *redisMemory) stringSize(n int64) int64 {
	if n <= redisEmbstrMax {
		return m.alloc(redisObjectBytes + 3 + n + 1)
	}
	return m.alloc(redisObjectBytes) + m.sdsSize(n)
}

// hashEven is the memory of a hash of the given number of fields whose
// names and values share n bytes evenly, a field's name and value half each.
func (m *redisMemory) hashEven(n, fields int64) int64 {
	per := n / fields
	extra := n - per*fields // the first extra fields get one byte more
	lens := func(i int64) (int64, int64) {
		p := per
		if i < extra {
			p++
		}
		return p / 2, p - p/2
	}
	return m.hashSize(fields, lens)
}

// hashSize is the memory of a hash of n fields, field i's name and value
// of the lengths lens(i) (neither looking like an integer): a listpack
// while it has at most 128 fields of at most 64 bytes, else a hashtable
// (t_hash.c's conversions).
func (m *redisMemory) hashSize(n int64, lens func(i int64) (name, value int64)) int64 {
	listpack := n <= redisLPEntries
	for i := int64(0); i < n && listpack; i++ {
		f, v := lens(i)
		listpack = f <= redisLPValue && v <= redisLPValue
	}
	if listpack {
		b := int64(6 + 1) // header (total bytes, element count) and end byte
		for i := range n {
			f, v := lens(i)
			b += listpackEntry(f) + listpackEntry(v)
		}
		return m.alloc(redisObjectBytes) + m.alloc(b)
	}
	c := m.alloc(redisObjectBytes) + m.alloc(redisDictBytes) + 8*hashBuckets(n)
	for i := range n {
		f, v := lens(i)
		c += m.alloc(redisEntryBytes) + m.sdsSize(f) + m.sdsSize(v)
	}
	return c
}

// listpackEntry is the size of a listpack entry holding a string of n
// bytes that does not look like an integer: its encoding byte(s), the
// bytes, and the back length.
func listpackEntry(n int64) int64 {
	e := n + 1
	switch {
	case n >= 4096:
		e = n + 5
	case n >= 64:
		e = n + 2
	}
	switch {
	case e < 128:
		return e + 1
	case e < 16384:
		return e + 2
	case e < 2097152:
		return e + 3
	case e < 268435456:
		return e + 4
	}
	return e + 5
}

// hashBuckets is the number of buckets a hashtable-encoded hash of n
// fields holds once written field by field: presized for 513 fields when
// it outgrew a listpack by count, else 4 (a long name or value converted
// it first), doubling at a load factor of 1. An expansion's old table stays
// until the rehash has moved every bucket that holds an entry, one per
// operation on the hash (HSET's lookup and add are two); nothing else
// rehashes a hash, so the old table of the last expansion may stay.
func hashBuckets(n int64) int64 {
	size, from := int64(redisDictMinSize), int64(0)
	if n > redisLPEntries {
		size, from = dictSize(redisLPEntries+1), redisLPEntries+1
	}
	var old, steps int64
	for used := from; used < n; used++ {
		if old > 0 {
			if steps -= 2; steps <= 0 {
				old = 0
			}
		}
		if old == 0 && used >= size {
			old, size = size, 2*size
			steps = int64(math.Round(float64(old) * (1 - math.Pow(1-1/float64(old), float64(old)))))
		}
	}
	return size + old
}

// dictSize is the number of buckets of a dictionary that grew, one entry
// at a time, to n entries: the smallest power of two of at least n, at
// least 4 (dict.c expands to the next power of two above used when used
// reaches the size: a load factor of 1).
func dictSize(n int64) int64 {
	if n <= redisDictMinSize {
		return redisDictMinSize
	}
	return int64(1) << bits.Len64(uint64(n-1))
}

// redisDict follows a dictionary's bucket arrays as entries come and go:
// its table of size buckets and, while an expansion or a shrink rehashes
// incrementally, the old table of old buckets, freed after steps more
// operations or at the next cron tick (databasesCron's incrementallyRehash).
type redisDict struct {
	used, size, old, steps int64
}

// bytes is the memory of the bucket arrays, 8 bytes a bucket.
func (d *redisDict) bytes() int64 { return 8 * (d.size + d.old) }

// add counts an entry added, expanding first as _dictExpandIfNeeded does
// when used has reached the size: unless the new table would take the
// used memory past maxmemory, room being what is left below it, while the
// load factor is at most 1.618 (server.c's dictExpandAllowed).
func (d *redisDict) add(room int64) {
	switch {
	case d.size == 0:
		d.size = redisDictMinSize
	case d.used >= d.size && d.old == 0:
		if float64(d.used)/float64(d.size) > redisMaxLoad || 8*dictSize(d.used+1) <= room {
			d.resize(d.used + 1)
		}
	}
	d.used++
}

// idle reports whether a cron tick has nothing to do: no rehash in
// progress and no shrink due.
func (d *redisDict) idle() bool { return d.old == 0 && !d.sparse() }

// sparse reports whether the table is filled below 10% (htNeedsResize).
func (d *redisDict) sparse() bool { return d.size > redisDictMinSize && d.used*100/d.size < 10 }

// del counts an entry deleted.
func (d *redisDict) del() { d.used-- }

// resize starts rehashing into a table for n entries. Every operation
// moves one bucket that holds entries (dictRehash(d, 1)); at a load factor
// of 1 about 63% of the buckets hold one, so the old table goes after that
// many operations.
func (d *redisDict) resize(n int64) {
	d.old, d.size = d.size, dictSize(n)
	d.steps = max(d.old*632/1000, 1)
}

// step is one operation on the dictionary: a rehash step while rehashing.
func (d *redisDict) step() {
	if d.old > 0 {
		if d.steps--; d.steps <= 0 {
			d.old = 0
		}
	}
}

// cron is databasesCron at a tick: the rehash in progress finishes, then a
// table filled below 10% shrinks to fit (tryResizeHashTables; the shrink's
// rehash finishes at the next tick).
func (d *redisDict) cron() {
	if d.old > 0 {
		d.old = 0
		return
	}
	if d.sparse() {
		d.resize(max(d.used, redisDictMinSize))
	}
}

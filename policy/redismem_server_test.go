package policy

import (
	"bufio"
	"fmt"
	"github.com/cachesim/cachesim/traces/tracestest"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cachesim/cachesim/sim/target/targettest"
)

// respClient is a minimal pipelining RESP2 client for the tests that load
// a real redis-server.
type respClient struct {
	t       testing.TB
	c       net.Conn
	r       *bufio.Reader
	w       *bufio.Writer
	pending int
}

func dialRedis(t testing.TB, addr string) *respClient {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &respClient{t: t, c: c, r: bufio.NewReaderSize(c, 64<<10), w: bufio.NewWriterSize(c, 64<<10)}
}

// send queues a command; its reply is read by flush or do.
func (c *respClient) send(args ...string) {
	fmt.Fprintf(c.w, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(c.w, "$%d\r\n%s\r\n", len(a), a)
	}
	if c.pending++; c.pending >= 512 {
		c.flush()
	}
}

// flush sends the queued commands and reads their replies, failing the
// test on an error reply.
func (c *respClient) flush() {
	c.t.Helper()
	if err := c.w.Flush(); err != nil {
		c.t.Fatal(err)
	}
	for ; c.pending > 0; c.pending-- {
		c.reply()
	}
}

// do runs one command and returns its reply (a bulk string's bytes, an
// integer's or a status's text).
func (c *respClient) do(args ...string) string {
	c.t.Helper()
	c.flush()
	c.send(args...)
	c.pending = 0
	if err := c.w.Flush(); err != nil {
		c.t.Fatal(err)
	}
	return c.reply()
}

func (c *respClient) reply() string {
	c.t.Helper()
	c.c.SetReadDeadline(time.Now().Add(30 * time.Second))
	line, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatal(err)
	}
	line = strings.TrimSuffix(line, "\r\n")
	switch line[0] {
	case '-':
		c.t.Fatalf("redis: %s", line[1:])
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return ""
		}
		b := make([]byte, n+2)
		if _, err := io.ReadFull(c.r, b); err != nil {
			c.t.Fatal(err)
		}
		return string(b[:n])
	case '*':
		n, _ := strconv.Atoi(line[1:])
		var parts []string
		for range n {
			parts = append(parts, c.reply())
		}
		return strings.Join(parts, "\n")
	}
	return line[1:]
}

// infoInt returns the integer field name of an INFO reply.
func infoInt(t testing.TB, info, name string) int64 {
	t.Helper()
	for _, l := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("INFO has no %s", name)
	return 0
}

// settledMemory is used_memory less the clients' buffers (which follow the
// commands' lengths, not the keys) once the server's cron has finished any
// incremental rehash of the keyspace (it runs every 100 ms).
func (c *respClient) settledMemory() int64 {
	read := func() int64 {
		info := c.do("INFO", "memory")
		return infoInt(c.t, info, "used_memory") - infoInt(c.t, info, "mem_clients_normal")
	}
	// The server's cron finishes incremental rehashes and trims buffers
	// every 100 ms: wait until two readings 350 ms apart agree (on a busy
	// machine that takes longer), for at most 5 s.
	time.Sleep(350 * time.Millisecond)
	last := read()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		time.Sleep(350 * time.Millisecond)
		now := read()
		if now == last {
			break
		}
		last = now
	}
	return last
}

// name is a key or field name of n bytes that does not look like a
// number: prefix, then i in decimal, padded with 'x'.
func name(prefix string, i, n int) string {
	s := prefix + strconv.Itoa(i)
	if len(s) > n {
		panic(fmt.Sprintf("name %s longer than %d", s, n))
	}
	return s + strings.Repeat("x", n-len(s))
}

// letters is a value of n bytes that does not look like a number.
func letters(n int) string { return strings.Repeat("v", n) }

// memCase is one set of keys loaded into an empty server.
type memCase struct {
	name string
	keys int
	// fields is the hash-fields a policy is given for these keys: their
	// number of fields, or its mean (0: strings).
	fields int64
	// key returns key i's length, its value (a string, or a hash's fields
	// as name, value pairs) and whether it has a time to live.
	key func(i int, rng *rand.Rand) (k int, value []int, hash, ttl bool)
}

// TestRedisMemoryModel loads sets of keys into a real redis-server 7.0
// (its own, on a free loopback port) and compares the used_memory they add
// (less the client's buffers) with the model's: every key's cost, the main
// and expires dictionaries' buckets. It also logs what a redis policy
// charges knowing only each request's size and TTL (keys of 16 B, the
// policy's default; hash-fields the number of fields, or its mean), the
// cost of those assumptions. Measured on redis-server 7.0.15 (Debian 12,
// jemalloc 5.3.0, quantum 16), model minus server over server:
//
//	                                                 model   from sizes alone
//	strings key 16 B, value 10 B (embstr)             0.00%    0.00%
//	strings key 16 B, value 44 B (embstr, largest)    0.00%    0.00%
//	strings key 16 B, value 45 B (raw, smallest)      0.00%    0.00%
//	strings key 40 B, value 300 B (raw, sdshdr16)     0.00%  +11.19%
//	strings key 10–60 B, value 1–3000 B, half EX      0.00%   +0.37%
//	strings key 16 B, value 10 B, EX                  0.00%    0.00%
//	strings key 16 B, value 40 KiB (query buffer)    −0.08%   −0.08%
//	hashes of 10 fields of 20 B (listpack)            0.00%    0.00%
//	hashes of 500 fields of 10 B (listpack)           0.00%    0.00%
//	hashes of 600 fields of 10 B (hashtable)          0.00%  +11.37%
//	hashes of 5 fields, one of 100 B (hashtable)      0.00%  −49.63%
//	hashes of 1–100 fields of 1–60 B, half EXPIRE     0.00%   +0.07%
//
// (±0.1% between runs, the client's buffers.) The model's bound is 1%;
// the baseline, an empty server's used_memory, within 5% of the model's.
func TestRedisMemoryModel(t *testing.T) {
	if tracestest.Race {
		// Under the race pass every package runs at once, and the server's
		// cron lags behind: a 500-field listpack set read 1–2% high twice.
		// make test runs this package again without it.
		t.Skip("measures a real server's memory: run without -race, on a quiet machine")
	}
	addr := targettest.Redis(t)
	c := dialRedis(t, addr)
	m := &redisMemory{quantum: 16}
	str := func(k, v int, ttl bool) func(int, *rand.Rand) (int, []int, bool, bool) {
		return func(int, *rand.Rand) (int, []int, bool, bool) { return k, []int{v}, false, ttl }
	}
	hash := func(fields, f, v int, long int) func(int, *rand.Rand) (int, []int, bool, bool) {
		return func(int, *rand.Rand) (int, []int, bool, bool) {
			lens := make([]int, 0, 2*fields)
			for j := range fields {
				vl := v
				if j == 0 && long > 0 {
					vl = long
				}
				lens = append(lens, f, vl)
			}
			return 16, lens, true, false
		}
	}
	cases := []memCase{
		{"strings key 16 B, value 10 B (embstr)", 20000, 0, str(16, 10, false)},
		{"strings key 16 B, value 44 B (embstr, largest)", 20000, 0, str(16, 44, false)},
		{"strings key 16 B, value 45 B (raw, smallest)", 20000, 0, str(16, 45, false)},
		{"strings key 40 B, value 300 B (raw, sdshdr16)", 20000, 0, str(40, 300, false)},
		{"strings key 10–60 B, value 1–3000 B, half EX", 20000, 0, func(i int, rng *rand.Rand) (int, []int, bool, bool) {
			return 10 + rng.IntN(51), []int{1 + rng.IntN(3000)}, false, i%2 == 0
		}},
		{"strings key 16 B, value 10 B, EX", 20000, 0, str(16, 10, true)},
		{"strings key 16 B, value 40 KiB (query buffer)", 500, 0, str(16, 40<<10, false)},
		{"hashes of 10 fields of 20 B (listpack)", 5000, 10, hash(10, 6, 20, 0)},
		{"hashes of 500 fields of 10 B (listpack)", 500, 500, hash(500, 6, 10, 0)},
		{"hashes of 600 fields of 10 B (hashtable)", 500, 600, hash(600, 6, 10, 0)},
		{"hashes of 5 fields, one of 100 B (hashtable)", 5000, 5, hash(5, 6, 20, 100)},
		{"hashes of 1–100 fields of 1–60 B, half EXPIRE", 5000, 50, func(i int, rng *rand.Rand) (int, []int, bool, bool) {
			n := 1 + rng.IntN(100)
			lens := make([]int, 0, 2*n)
			for range n {
				lens = append(lens, 6+rng.IntN(20), 1+rng.IntN(60))
			}
			return 16, lens, true, i%2 == 0
		}},
	}
	// The baseline: an empty server with one client that has run GET, SET
	// and INFO.
	c.do("GET", "warm")
	c.do("SET", "warm", "up")
	c.do("DEL", "warm")
	c.do("INFO", "memory")
	base := infoInt(t, c.do("INFO", "memory"), "used_memory")
	t.Logf("baseline used_memory %d B (the model's default %d B)", base, redisBaseline)
	if d := float64(base-redisBaseline) / redisBaseline; math.Abs(d) > 0.05 {
		t.Errorf("the empty server holds %d B, %+.1f%% off the model's baseline of %d B", base, 100*d, redisBaseline)
	}
	// Redis 7.0 allocates a latency histogram for each command the first
	// time it runs: run every command once before measuring.
	c.do("SET", "warm", "up", "EX", "10")
	c.do("HSET", "warmh", "f", "v")
	c.do("EXPIRE", "warmh", "10")
	for i := range 2000 { // and fill the client's buffers
		c.send("SET", name("w", i, 16), letters(10))
	}
	c.do("FLUSHALL")
	c.do("INFO", "memory")
	for _, tc := range cases {
		c.do("FLUSHALL")
		before := c.settledMemory()
		rng := rand.New(rand.NewPCG(1, 2))
		var model, view, volatile int64
		// what a redis policy charges, knowing only each request's size
		// (key and value) and TTL: keys of 16 B, hash-fields fields
		pm := &redisMemory{quantum: 16, key: 16, sizeHasKey: true, fields: tc.fields}
		for i := range tc.keys {
			k, lens, isHash, ttl := tc.key(i, rng)
			key := name("k:", i, k)
			var value int64
			size := k
			for j, l := range lens {
				if isHash || j == 0 {
					size += l
				}
			}
			view += pm.cost(0, uint32(size), ttl)
			if isHash {
				args := []string{"HSET", key}
				for j := 0; j < len(lens); j += 2 {
					args = append(args, name("f", j/2, lens[j]), letters(lens[j+1]))
				}
				c.send(args...)
				if ttl {
					c.send("EXPIRE", key, "3600")
				}
				value = m.hashSize(int64(len(lens)/2), func(j int64) (int64, int64) {
					return int64(lens[2*j]), int64(lens[2*j+1])
				})
			} else {
				if ttl {
					c.send("SET", key, letters(lens[0]), "EX", "3600")
				} else {
					c.send("SET", key, letters(lens[0]))
				}
				value = m.stringSize(int64(lens[0]))
			}
			model += m.keySize(int64(k), value, ttl)
			if ttl {
				volatile++
			}
		}
		c.flush()
		model += 8 * dictSize(int64(tc.keys))
		if volatile > 0 {
			model += 8 * dictSize(volatile)
		}
		view += 8 * dictSize(int64(tc.keys))
		if volatile > 0 {
			view += 8 * dictSize(volatile)
		}
		measured := c.settledMemory() - before
		rel := float64(model-measured) / float64(measured)
		t.Logf("%-48s server %10d B, model %10d B: %+.2f%%; from sizes alone %+.2f%%", tc.name, measured, model, 100*rel,
			100*float64(view-measured)/float64(measured))
		if math.Abs(rel) > 0.01 {
			t.Errorf("%s: the server's keys took %d B, the model says %d B (%+.2f%%, bound 1%%)", tc.name, measured, model, 100*rel)
		}
	}
}

package main

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cachesim/cachesim/sim/target/targettest"
)

// redisConn is a plain RESP2 connection for the end-to-end test: one
// command at a time, as a cache-aside client sends them.
type redisConn struct {
	c net.Conn
	r *bufio.Reader
	w *bufio.Writer
}

func dial(t *testing.T, addr string) *redisConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &redisConn{c: c, r: bufio.NewReaderSize(c, 64<<10), w: bufio.NewWriterSize(c, 64<<10)}
}

// do sends a command and returns its reply: a bulk string, a status or an
// integer as text; nil reports a null bulk string.
func (c *redisConn) do(t *testing.T, args ...string) (string, bool) {
	fmt.Fprintf(c.w, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(c.w, "$%d\r\n%s\r\n", len(a), a)
	}
	if err := c.w.Flush(); err != nil {
		t.Fatal(err)
	}
	return c.reply(t, args[0])
}

func (c *redisConn) reply(t *testing.T, cmd string) (string, bool) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	line = strings.TrimSuffix(line, "\r\n")
	switch line[0] {
	case '*':
		n, _ := strconv.Atoi(line[1:])
		var parts []string
		for range n {
			s, _ := c.reply(t, cmd)
			parts = append(parts, s)
		}
		return strings.Join(parts, "\n"), true
	case '-':
		t.Fatalf("redis %s: %s", cmd, line)
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return "", false
		}
		b := make([]byte, n+2)
		if _, err := io.ReadFull(c.r, b); err != nil {
			t.Fatal(err)
		}
		return string(b[:n]), true
	}
	return line[1:], true
}

// info returns an integer field of INFO.
func (c *redisConn) info(t *testing.T, name string) int64 {
	s, _ := c.do(t, "INFO", "all")
	for _, l := range strings.Split(s, "\r\n") {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	t.Fatalf("INFO has no %s", name)
	return 0
}

// monitor captures the commands the Redis at addr runs with MONITOR, into
// a file whose path it returns, until a client sends QUIT; wait waits for
// the capture to end.
func monitor(t *testing.T, addr string) (path string, wait func()) {
	path = filepath.Join(t.TempDir(), "capture.monitor")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	mon := dial(t, addr)
	mon.do(t, "MONITOR")
	done := make(chan error, 1)
	go func() { // copy the monitor's lines as they come, so its output buffer stays empty
		w := bufio.NewWriterSize(f, 1<<20)
		var err error
		for {
			var line string
			if line, err = mon.r.ReadString('\n'); err != nil {
				break
			}
			if strings.Contains(line, `"QUIT"`) {
				break
			}
			w.WriteString(strings.TrimPrefix(line, "+"))
		}
		if ferr := w.Flush(); err == nil {
			err = ferr
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		done <- err
	}()
	return path, func() {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// captureCacheAside runs a seeded cache-aside client against a real
// redis-server with maxmemory mib MiB under policy — Zipf GETs of
// keys "pred:N" and, after each miss, SET key value EX ttl with a value of
// 100–2,000 B — while a second connection captures it with MONITOR; it
// returns the capture's path and the hit ratio the server counted
// (keyspace_hits over GETs).
func captureCacheAside(t *testing.T, policy string, mib, gets, keys, ttl int) (string, float64) {
	addr := targettest.Redis(t, "--maxmemory", fmt.Sprintf("%dmb", mib), "--maxmemory-policy", policy)
	path, wait := monitor(t, addr)
	c := dial(t, addr)
	rng := rand.New(rand.NewPCG(22, 4))
	zipf := rand.NewZipf(rng, 1.05, 1, uint64(keys-1))
	value := strings.Repeat("v", 2000)
	for range gets {
		key := "pred:" + strconv.FormatUint(zipf.Uint64(), 10)
		if _, ok := c.do(t, "GET", key); !ok {
			c.do(t, "SET", key, value[:100+rng.IntN(1901)], "EX", strconv.Itoa(ttl))
		}
	}
	hits, misses, evicted, expired := c.info(t, "keyspace_hits"), c.info(t, "keyspace_misses"), c.info(t, "evicted_keys"), c.info(t, "expired_keys")
	c.do(t, "QUIT")
	wait()
	if hits+misses != int64(gets) {
		t.Fatalf("the server counted %d GETs, the client sent %d", hits+misses, gets)
	}
	t.Logf("real redis-server, %s, maxmemory %d MiB: %d hits of %d GETs (%.2f%%); of the %d keys set %d evicted (%.0f%%), %d expired",
		policy, mib, hits, gets, 100*float64(hits)/float64(gets), misses, evicted, 100*float64(evicted)/float64(misses), expired)
	return path, float64(hits) / float64(gets)
}

// asideFills rewrites a MONITOR capture of the cache-aside client as the
// demand-fill trace it stands for: each GET, at its time, with the size
// (key and value) and TTL of the value the client stores on a miss — the
// SET that follows it, else the key's last. Replayed, a GET that misses
// stores the object, as the client's SET would have whether or not the
// captured server missed it; the capture itself, where reads never admit,
// can store only the values the captured server missed.
func asideFills(t *testing.T, capture string) string {
	b, err := os.ReadFile(capture)
	if err != nil {
		t.Fatal(err)
	}
	type get struct {
		time float64
		key  string
	}
	var gets []get
	sizes := map[string]int{}
	var out strings.Builder
	out.WriteString("time,key,size,ttl\n")
	flush := func(g get) {
		fmt.Fprintf(&out, "%d,%s,%d,%d\n", int64(g.time*1e9), g.key, sizes[g.key], 2)
	}
	var start float64
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		ts, _ := strconv.ParseFloat(f[0], 64)
		if start == 0 {
			start = ts
		}
		cmd, key := strings.Trim(f[3], `"`), strings.Trim(f[4], `"`)
		switch cmd {
		case "GET":
			for _, g := range gets { // a GET not followed by a SET: the key's last size
				flush(g)
			}
			gets = append(gets[:0], get{ts - start, key})
		case "SET":
			sizes[key] = len(key) + len(strings.Trim(f[5], `"`))
			for _, g := range gets {
				flush(g)
			}
			gets = gets[:0]
		}
	}
	for _, g := range gets {
		flush(g)
	}
	return writeFile(t, "aside.csv", out.String())
}

// The offline redis-lru, on the memory model, replays a cache-aside
// client's requests within a point of the hit ratio the captured
// redis-server 7.0 served under allkeys-lru at the same maxmemory, at
// three limits that evict a third to two thirds of the keys set; the payload
// model, which counts value bytes alone, is reported beside it. The capture
// itself (where reads never admit: see asideFills) is replayed too, for the
// record. Measured (redis-server 7.0.15, offline minus real, in points):
//
//	maxmemory  evicted  real    redis-lru  key=9   payload  capture replay
//	2 MiB      96%      62.58%  +0.07      +0.33   +9.12    −23.6
//	3 MiB      85%      70.00%  +0.21      +0.15   +3.39     −5.1
//	4 MiB      66%      73.60%  −0.08      −0.01   +1.89     −2.1
//	5 MiB      48%      75.23%  +0.04      +0.09   +0.89     −0.5
//	6 MiB      33%      76.77%  +0.11      +0.10   +0.31     +0.1
//	8 MiB       0%      75.18%   0.00       0.00    0.00      0.0
func TestRedisLRUMatchesRealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real redis-server for 40,000 GETs at each of three limits")
	}
	const gets = 40000
	for _, mib := range []int{4, 5, 6} { // evicting about 65%, 50% and 35% of the keys set
		capture, real := captureCacheAside(t, "allkeys-lru", mib, gets, 20000, 2)
		fills := asideFills(t, capture)
		size := fmt.Sprintf("%dMiB", mib)
		h, r := replayJSON(t, "sweep", capture, "--policy", "redis-lru", "--sizes", size)
		t.Logf("the capture itself through redis-lru: %.2f%% (%+.2f points)", 100*h/r, 100*(h/r-real))
		for _, p := range []struct {
			spec string
			tol  float64
		}{
			{"redis-lru", 0.01}, // keys of 16 B, the default ("pred:" and 1–5 digits: 6–10 B)
			{"redis-lru(memory=payload)", -1},
		} {
			h, r := replayJSON(t, "sweep", fills, "--policy", p.spec, "--sizes", size, "--time-unit", "ns")
			if r != gets {
				t.Fatalf("%s: %g reads, want %d", p.spec, r, gets)
			}
			sim := h / r
			t.Logf("%-28s %.2f%% (%+.2f points)", p.spec, 100*sim, 100*(sim-real))
			if off := sim - real; p.tol > 0 && (off > p.tol || off < -p.tol) {
				t.Errorf("%s at %s: %.2f%% offline, the real server %.2f%%", p.spec, size, 100*sim, 100*real)
			}
		}
	}
}

// redis-lfu likewise against allkeys-lfu, at one limit.
func TestRedisLFUMatchesRealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real redis-server for 40,000 GETs")
	}
	const gets, mib = 40000, 4
	capture, real := captureCacheAside(t, "allkeys-lfu", mib, gets, 20000, 2)
	h, r := replayJSON(t, "sweep", asideFills(t, capture), "--policy", "redis-lfu", "--sizes", fmt.Sprintf("%dMiB", mib), "--time-unit", "ns")
	if r != gets {
		t.Fatalf("%g reads, want %d", r, gets)
	}
	sim := h / r
	t.Logf("redis-lfu %.2f%% (%+.2f points)", 100*sim, 100*(sim-real))
	if off := sim - real; off > 0.01 || off < -0.01 {
		t.Errorf("redis-lfu at %d MiB: %.2f%% offline, the real server %.2f%%", mib, 100*sim, 100*real)
	}
}

// redis-benchmark's SETs of 100-byte values then GETs of random keys (of
// which a third were never set), captured with MONITOR: reads that never
// admit are what the capture means here, and the offline redis-lru replays
// the capture itself within a point of the real server at 3 MiB, where the
// payload model, counting 116 bytes a key, finds no eviction at all.
// Measured over three runs (30,000 SETs, 40,000 GETs): redis-lru +0.16 to
// +0.62 points (the monitoring client's 23 KiB are not in the default
// baseline), payload +29 points; with 120,000 GETs at 3 / 4 MiB: real
// 34.35% / 52.36%, redis-lru 34.73% / 52.79%, payload 63.31% / 63.42%.
func TestRedisBenchmarkCaptureMatchesRealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real redis-server with redis-benchmark")
	}
	bench, err := exec.LookPath("redis-benchmark")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("redis-benchmark is not installed (apt-get install redis-tools)")
		}
		t.Skip("redis-benchmark is not installed")
	}
	const mib, gets = 3, 40000
	addr := targettest.Redis(t, "--maxmemory", fmt.Sprintf("%dmb", mib), "--maxmemory-policy", "allkeys-lru")
	host, port, _ := net.SplitHostPort(addr)
	capture, wait := monitor(t, addr)
	for _, args := range [][]string{{"-t", "set", "-n", "30000", "-d", "100"}, {"-t", "get", "-n", strconv.Itoa(gets)}} {
		cmd := exec.Command(bench, append([]string{"-h", host, "-p", port, "-r", "30000", "-c", "1", "-P", "1", "-q"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("redis-benchmark %v: %v\n%s", args, err, out)
		}
	}
	c := dial(t, addr)
	hits, misses, evicted := c.info(t, "keyspace_hits"), c.info(t, "keyspace_misses"), c.info(t, "evicted_keys")
	c.do(t, "QUIT")
	wait()
	if hits+misses != gets {
		t.Fatalf("the server counted %d GETs, redis-benchmark sent %d", hits+misses, gets)
	}
	real := float64(hits) / gets
	t.Logf("real redis-server, maxmemory %d MiB: %.2f%% of %d GETs, %d keys evicted", mib, 100*real, gets, evicted)
	if evicted == 0 {
		t.Fatal("no evictions: the limit does not bite")
	}
	for _, p := range []struct {
		spec string
		tol  float64
	}{{"redis-lru", 0.01}, {"redis-lru(memory=payload)", -1}} {
		h, r := replayJSON(t, "sweep", capture, "--policy", p.spec, "--sizes", fmt.Sprintf("%dMiB", mib))
		if r != gets {
			t.Fatalf("%s: %g reads, want %d", p.spec, r, gets)
		}
		sim := h / r
		t.Logf("%-28s %.2f%% (%+.2f points)", p.spec, 100*sim, 100*(sim-real))
		if off := sim - real; p.tol > 0 && (off > p.tol || off < -p.tol) {
			t.Errorf("%s at %d MiB: %.2f%% offline, the real server %.2f%%", p.spec, mib, 100*sim, 100*real)
		}
	}
}

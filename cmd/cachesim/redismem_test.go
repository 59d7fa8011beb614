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

// The offline redis-lru, on the memory model, replays a MONITOR capture of
// a cache-aside client within a point of the hit ratio the captured
// redis-server 7.0 served under allkeys-lru at the same maxmemory, at three
// limits that evict a third to two thirds of the keys set. The capture is
// replayed as captured: a GET that misses offline fills the key at the
// size and TTL the client last wrote it with, as the client would (see
// sim.Fill). The payload model, which counts the request sizes alone, is
// reported beside it. Measured (redis-server 7.0.15, offline minus real,
// in points; before reads filled, the capture replayed at −23.6, −5.1,
// −2.1, −0.5 and +0.1 from 2 to 6 MiB):
//
//	maxmemory  evicted  real    redis-lru  payload
//	4 MiB      70%      73.89%  +0.41      +2.75
//	5 MiB      57%      76.14%  +0.20      +1.52
//	6 MiB      40%      76.72%  +0.27      +0.34
func TestRedisLRUMatchesRealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real redis-server for 40,000 GETs at each of three limits")
	}
	const gets = 40000
	for _, mib := range []int{4, 5, 6} { // evicting about 70%, 55% and 40% of the keys set
		t.Run(fmt.Sprintf("%d MiB", mib), func(t *testing.T) {
			capture, real := captureCacheAside(t, "allkeys-lru", mib, gets, 20000, 2)
			matchesServer(t, capture, fmt.Sprintf("%dMiB", mib), gets, real, "redis-lru", "redis-lru(memory=payload)")
		})
	}
}

// matchesServer replays capture through each policy at size and fails
// when the first is more than a point from the real server's hit ratio;
// the others are logged.
func matchesServer(t *testing.T, capture, size string, reads int, real float64, policies ...string) {
	t.Helper()
	matchesServerWithin(t, 0.01, capture, size, reads, real, policies...)
}

// matchesServerWithin is matchesServer failing past tol (a share: 0.01 is
// a point) instead of a point.
func matchesServerWithin(t *testing.T, tol float64, capture, size string, reads int, real float64, policies ...string) {
	t.Helper()
	for i, spec := range policies {
		h, r := replayJSON(t, "sweep", capture, "--policy", spec, "--sizes", size)
		if int(r) != reads {
			t.Fatalf("%s: %g reads, want %d", spec, r, reads)
		}
		sim := h / r
		t.Logf("%-28s %.2f%% (%+.2f points)", spec, 100*sim, 100*(sim-real))
		if off := sim - real; i == 0 && (off > tol || off < -tol) {
			t.Errorf("%s at %s: %.2f%% offline, the real server %.2f%%", spec, size, 100*sim, 100*real)
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
	matchesServer(t, capture, fmt.Sprintf("%dMiB", mib), gets, real, "redis-lfu")
}

// A hash-heavy feature cache: HGETALL of Zipf user keys and, after a miss,
// HSET of 8–24 fields of 20–60 B then EXPIRE, against a real redis-server
// under allkeys-lru at three limits that evict 20–80% of the hashes set;
// the capture replays through redis-lru within a point. The model takes
// every object for a string, as it cannot tell a hash's fields from its
// size; hash-fields=16 (the hashes' mean) is logged beside it. Measured
// over two runs (offline minus real, in points):
//
//	maxmemory  evicted  redis-lru     hash-fields=16  payload
//	2816 KiB   54%      +0.24..+0.75  −0.42..−0.07    +3.7
//	3072 KiB   45%      +0.70..+0.78  −0.24..−0.22    +2.6
//	3584 KiB   22%      +0.35..+0.36  −0.03..−0.01    +0.6
func TestRedisFeatureCacheMatchesRealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a real redis-server for 20,000 HGETALLs at each of three limits")
	}
	const reads, keys = 20000, 6000
	for _, kib := range []int{2816, 3072, 3584} {
		t.Run(fmt.Sprintf("%d KiB", kib), func(t *testing.T) {
			addr := targettest.Redis(t, "--maxmemory", strconv.Itoa(kib<<10), "--maxmemory-policy", "allkeys-lru")
			capture, wait := monitor(t, addr)
			c := dial(t, addr)
			rng := rand.New(rand.NewPCG(23, 1))
			zipf := rand.NewZipf(rng, 1.01, 1, keys-1)
			value := strings.Repeat("x", 60)
			for range reads {
				key := "feat:user:" + strconv.FormatUint(zipf.Uint64(), 10)
				if s, _ := c.do(t, "HGETALL", key); s != "" {
					continue
				}
				args := []string{"HSET", key}
				for f := range 8 + rng.IntN(17) {
					args = append(args, "f"+strconv.Itoa(f), value[:20+rng.IntN(41)])
				}
				c.do(t, args...)
				c.do(t, "EXPIRE", key, "900")
			}
			hits, misses, evicted := c.info(t, "keyspace_hits"), c.info(t, "keyspace_misses"), c.info(t, "evicted_keys")
			c.do(t, "QUIT")
			wait()
			if hits+misses != reads {
				t.Fatalf("the server counted %d reads, the client sent %d", hits+misses, reads)
			}
			if share := float64(evicted) / float64(misses); share < 0.2 || share > 0.8 {
				t.Fatalf("%d KiB evicted %.0f%% of the hashes set, outside the 20–80%% this test is for", kib, 100*share)
			}
			real := float64(hits) / reads
			t.Logf("real redis-server, maxmemory %d KiB: %.2f%% of %d HGETALLs; of the %d hashes set %d evicted (%.0f%%)",
				kib, 100*real, reads, misses, evicted, 100*float64(evicted)/float64(misses))
			matchesServer(t, capture, fmt.Sprintf("%dKiB", kib), reads, real, "redis-lru", "redis-lru(memory=payload)", "redis-lru(hash-fields=16)")
		})
	}
}

// redis-benchmark's SETs of 100-byte values then GETs of random keys (of
// which a third were never set), captured with MONITOR, against a real
// redis-server under allkeys-lru at three limits that evict 20–80% of the
// keys set: the offline redis-lru replays the capture within a point and
// a half of the server's hit ratio, where the payload model, counting 116
// bytes a key, finds little or no eviction. Measured over three runs
// (offline minus real, in points): 2560 KiB −0.11..+0.76 (66% evicted;
// payload +36.0..+37.1), 3072 KiB −0.10..+0.67 (53%; +28.6..+29.4), 3584
// KiB +0.08..+0.55 (36%; +19.2..+19.9); three more on their own +0.33..+0.68
// at each limit, and one under make test's race run (every package's tests
// at once, the server slowed) +1.07 at 3072 KiB. Both the server and
// redis-benchmark draw at random, so the bound is a point and a half, far
// inside the payload model's error.
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
	const gets = 30000
	for _, kib := range []int{2560, 3072, 3584} {
		t.Run(fmt.Sprintf("%d KiB", kib), func(t *testing.T) {
			addr := targettest.Redis(t, "--maxmemory", strconv.Itoa(kib<<10), "--maxmemory-policy", "allkeys-lru")
			host, port, _ := net.SplitHostPort(addr)
			capture, wait := monitor(t, addr)
			// One process for both tests: redis-benchmark seeds its keys with
			// time(NULL)^getpid(), so a second process started a second later
			// with the next pid can draw the very same keys, and its GETs then
			// walk the SETs' order instead of being random.
			cmd := exec.Command(bench, "-h", host, "-p", port, "-r", "30000", "-c", "1", "-P", "1", "-q",
				"-t", "set,get", "-n", strconv.Itoa(gets), "-d", "100")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("redis-benchmark: %v\n%s", err, out)
			}
			c := dial(t, addr)
			hits, misses, evicted := c.info(t, "keyspace_hits"), c.info(t, "keyspace_misses"), c.info(t, "evicted_keys")
			left, _ := c.do(t, "DBSIZE")
			c.do(t, "QUIT")
			wait()
			if hits+misses != gets {
				t.Fatalf("the server counted %d GETs, redis-benchmark sent %d", hits+misses, gets)
			}
			keys, _ := strconv.ParseInt(left, 10, 64)
			share := float64(evicted) / float64(evicted+keys)
			real := float64(hits) / gets
			t.Logf("real redis-server, maxmemory %d KiB: %.2f%% of %d GETs; %d keys evicted of %d set (%.0f%%)",
				kib, 100*real, gets, evicted, evicted+keys, 100*share)
			if share < 0.2 || share > 0.8 {
				t.Fatalf("%d KiB evicted %.0f%% of the keys set, outside the 20–80%% this test is for", kib, 100*share)
			}
			matchesServerWithin(t, 0.015, capture, fmt.Sprintf("%dKiB", kib), gets, real, "redis-lru", "redis-lru(memory=payload)")
		})
	}
}

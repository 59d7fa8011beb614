// Package target replays traces against a live cache server (Redis, or
// memcached) so that the simulator's predictions can be checked against the
// real thing. It is the client side only: it never runs inside the
// simulator's replay loop.
//
// A Target is opened from a URL (redis://[user:password@]host:port[/db] or
// memcached://host:port), checked without touching anything (reachable,
// authenticated, the database empty unless Flush, no other data that eviction
// could remove), then Prepare sets the memory limit and policy and empties
// the database for one run; Replay drives it with a trace; Close restores the
// server's settings (or stops a memcached it started).
package target

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config says how to set a server up for replays.
type Config struct {
	// Policy is Redis's maxmemory-policy ("allkeys-lru"); "" leaves the server's.
	Policy string
	// Samples, LogFactor and DecayTime, when not nil, set Redis's
	// maxmemory-samples, lfu-log-factor and lfu-decay-time.
	Samples, LogFactor, DecayTime *int
	// DB is the Redis database; -1 takes it from the URL's path (default 0).
	DB int
	// Flush allows emptying a database (or memcached) that already holds keys.
	Flush bool
	// Spawn starts a memcached of our own (on a free loopback port, with the
	// memory limit of each Prepare) instead of using the URL's server.
	Spawn bool
	// Binary is the memcached program for Spawn (default "memcached").
	Binary string
}

// Counters are a server's own statistics at one moment.
type Counters struct {
	// Hits and Misses are lookups (Redis keyspace_hits/misses, memcached get_hits/get_misses).
	Hits   uint64 `json:"hits"`
	Misses uint64 `json:"misses"`
	// Evictions are keys evicted for memory (evicted_keys; memcached evictions).
	Evictions uint64 `json:"evictions"`
	// Expired are keys removed because their TTL passed.
	Expired uint64 `json:"expired"`
	// UsedMemory is Redis's used_memory, or memcached's bytes (item storage).
	UsedMemory int64 `json:"used_memory"`
	// MemoryLimit is maxmemory (0: none) or memcached's limit_maxbytes.
	MemoryLimit int64 `json:"memory_limit"`
	// Fragmentation is Redis's mem_fragmentation_ratio (0 for memcached).
	Fragmentation float64 `json:"mem_fragmentation_ratio,omitempty"`
	// Keys is the number of keys in the database (memcached: curr_items).
	Keys int64 `json:"keys"`
	// Policy is the eviction policy in force (Redis maxmemory_policy; "memcached").
	Policy string `json:"policy"`
	// Samples, LogFactor and DecayTime are Redis's maxmemory-samples,
	// lfu-log-factor and lfu-decay-time (0 for memcached).
	Samples   int `json:"maxmemory_samples,omitempty"`
	LogFactor int `json:"lfu_log_factor,omitempty"`
	DecayTime int `json:"lfu_decay_time,omitempty"`
	// SlabMemory is memcached's total_malloced, the slab pages it holds:
	// up to MemoryLimit, plus a page for every class that got its first one
	// beyond it (0 for Redis).
	SlabMemory int64 `json:"slab_memory,omitempty"`
	// ChunkMemory is the memory of the chunks memcached's items take, the
	// sum of chunk_size × used_chunks over its slab classes (0 for Redis).
	ChunkMemory int64 `json:"chunk_memory,omitempty"`
	// SlabClasses is the number of memcached slab classes holding pages
	// (active_slabs; 0 for Redis).
	SlabClasses int `json:"slab_classes,omitempty"`
	// Model is the memcached model's spec for the server's settings
	// (stats settings), naming those that differ from its defaults ("" for
	// Redis).
	Model string `json:"model,omitempty"`
}

// Target is a live cache server to replay against.
type Target interface {
	// String names the server for messages ("redis 127.0.0.1:6379 db 0").
	String() string
	// Kind is "redis" or "memcached".
	Kind() string
	// Prepare empties the database and sets the memory limit (bytes; 0
	// leaves the server's) and the configured policy for the next run.
	Prepare(maxMemory int64) error
	// Counters reads the server's statistics.
	Counters() (Counters, error)
	// Close restores what Prepare changed (or stops a spawned server).
	Close() error
	dial() (conn, error)
}

// conn is one client connection that pipelines commands: the append
// methods buffer a command, flush sends them, and the read methods consume
// their replies in order.
type conn interface {
	get(key uint64)
	set(key uint64, value []byte, ttl uint32)
	del(key uint64)
	// expire sets key's TTL (0: none), if the key is there.
	expire(key uint64, ttl uint32)
	flush() error
	// readGet reports whether the key was found.
	readGet() (hit bool, err error)
	// readSet reports whether the value was stored (false: refused for memory or size).
	readSet() (stored bool, err error)
	readDel() error
	readExpire() error
	setDeadline(t time.Time) error
	close() error
}

// Errors that a caller may word with its own names for the settings that fix
// them (test them with errors.Is).
var (
	// ErrNotEmpty: the server (Redis: the database) holds keys, and
	// Config.Flush does not allow emptying it.
	ErrNotEmpty = errors.New("refusing to replay into it")
	// ErrSpawnNeedsLimit: a memcached of our own (Config.Spawn) starts with
	// a memory limit, and Prepare was given none.
	ErrSpawnNeedsLimit = errors.New("a memcached of our own needs the memory limit to start it with")
	// ErrFixedLimit: a running memcached's memory limit is set when it
	// starts; replay at that limit (0), or start a memcached of our own.
	ErrFixedLimit = errors.New("a running memcached keeps the limit it started with")
	// ErrBelowBaseline: the memory limit asked for is not above what the
	// Redis server uses with its database empty.
	ErrBelowBaseline = errors.New("leaves no room for data")
)

// dialTimeout bounds connecting; ioTimeout bounds one command or pipeline round trip.
const (
	dialTimeout = 3 * time.Second
	ioTimeout   = 30 * time.Second
)

// Kind parses a target URL and returns its kind, "redis" or "memcached",
// without connecting.
func Kind(raw string) (string, error) {
	_, kind, err := parse(raw)
	return kind, err
}

// parse parses a target URL.
func parse(raw string) (*url.URL, string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, "", fmt.Errorf("target %q: expected redis://[user:password@]host:port[/db] or memcached://host:port", raw)
	}
	switch strings.ToLower(u.Scheme) {
	case "redis":
		return u, "redis", nil
	case "memcached", "memcache":
		return u, "memcached", nil
	}
	return nil, "", fmt.Errorf("target %q: unknown scheme %q (expected redis:// or memcached://)", raw, u.Scheme)
}

// Open parses a target URL, connects and checks the server without changing
// anything on it: it fails with a clear error for an unknown scheme, an
// unreachable or foreign server, missing or wrong credentials, or a database
// that holds keys when cfg.Flush is not set.
func Open(raw string, cfg Config) (Target, error) {
	u, kind, err := parse(raw)
	if err != nil {
		return nil, err
	}
	if kind == "redis" {
		return openRedis(u, cfg)
	}
	return openMemcached(u, cfg)
}

// hostPort returns u's host:port with the default port when none is given.
func hostPort(u *url.URL, port string) string {
	if u.Port() == "" {
		return net.JoinHostPort(u.Hostname(), port)
	}
	return u.Host
}

// dialTCP connects to addr, saying which server could not be reached.
func dialTCP(kind, addr string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, dialTimeout)
	if err != nil {
		return nil, fmt.Errorf("%s target %s: cannot connect (is %s running there?): %w", kind, addr, kind, err)
	}
	return c, nil
}

// appendKey writes key as the decimal string the servers store it under.
func appendKey(b []byte, key uint64) []byte { return strconv.AppendUint(b, key, 10) }

// parseStats reads "name:value" (Redis INFO) or "STAT name value" lines.
func parseStats(lines []string, sep string) map[string]string {
	m := map[string]string{}
	for _, l := range lines {
		l = strings.TrimSpace(strings.TrimPrefix(l, "STAT "))
		if k, v, ok := strings.Cut(l, sep); ok {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m
}

func statUint(m map[string]string, k string) uint64 {
	v, _ := strconv.ParseUint(m[k], 10, 64)
	return v
}

func statInt(m map[string]string, k string) int64 {
	v, _ := strconv.ParseInt(m[k], 10, 64)
	return v
}

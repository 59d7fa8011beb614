package policy

import (
	"math/rand/v2"
	"time"

	"github.com/cachesim/cachesim/traces"
)

func init() {
	samples := IntParam("samples", 5, 1, 64, "maxmemory-samples, keys sampled per eviction into the pool of 16")
	Register(Info{
		Name: "redis-lru",
		Summary: "Redis allkeys-lru as evict.c implements it: sample keys into an eviction pool of 16 ordered by idle " +
			"time (a 1 s resolution clock on trace time) and evict the pool's idlest; approximates LRU, exact as samples grow",
		Traits: TraceTime | Randomised,
		Params: []Param{samples},
		New: func(c Config) (Cache, error) {
			return NewRedis(c.Capacity, RedisLRU, redisOptions(c)), nil
		},
	})
	Register(Info{
		Name: "redis-lfu",
		Summary: "Redis allkeys-lfu: an 8-bit logarithmic access counter per key (initial 5) that decays while the " +
			"key is idle; sampled keys with the lowest counters enter the pool of 16 and are evicted first",
		Traits: TraceTime | Randomised,
		Params: []Param{samples,
			FloatParam("log-factor", 10, 0, 1e9, "lfu-log-factor, how slowly the 8-bit counter grows"),
			IntParam("decay-time", 1, 0, 1<<30,
				"lfu-decay-time, minutes of trace time per decrement of an idle key's counter (0: never)"),
		},
		New: func(c Config) (Cache, error) {
			o := redisOptions(c)
			o.LogFactor, o.DecayTime = c.Values.Float("log-factor"), c.Values.Int("decay-time")
			return NewRedis(c.Capacity, RedisLFU, o), nil
		},
	})
	Register(Info{
		Name: "redis-ttl",
		Summary: "Redis volatile-ttl: only keys with a time to live (the request's, else the default TTL) are evicted, " +
			"sampled ones nearest to expiry first; expired keys miss (lazy expiry); with nothing evictable a write is refused",
		Traits: TraceTime | Expiry | Randomised,
		Params: []Param{samples},
		New: func(c Config) (Cache, error) {
			return NewRedis(c.Capacity, RedisTTL, redisOptions(c)), nil
		},
	})
}

// RedisMode is the maxmemory-policy a Redis model follows.
type RedisMode int

// The Redis eviction policies modelled.
const (
	// RedisLRU is allkeys-lru.
	RedisLRU RedisMode = iota
	// RedisLFU is allkeys-lfu.
	RedisLFU
	// RedisTTL is volatile-ttl.
	RedisTTL
)

// RedisOptions are a Redis model's parameters, used as given (the
// registered policies' schemas hold Redis's defaults:
// New(Spec{Name: "redis-lfu"}, …)).
type RedisOptions struct {
	// Samples is maxmemory-samples, the keys sampled per eviction.
	Samples int
	// LogFactor is lfu-log-factor (RedisLFU).
	LogFactor float64
	// DecayTime is lfu-decay-time in minutes, 0 for never (RedisLFU).
	DecayTime int64
	// TTL is the time to live of keys whose request carries none (RedisTTL);
	// 0 leaves them without one.
	TTL time.Duration
	// Seed seeds the sampling and the LFU counter's increments.
	Seed uint64
}

// redisOptions returns the options every Redis policy takes from c.
func redisOptions(c Config) RedisOptions {
	return RedisOptions{Samples: int(c.Values.Int("samples")), TTL: c.TTL, Seed: c.Seed}
}

const (
	redisPoolSize = 16  // EVPOOL_SIZE
	redisLFUInit  = 5   // LFU_INIT_VAL
	redisNoExpiry = -1  // entry.when for a key without TTL under redis-ttl
	redisLFUMax   = 255 // the counter's ceiling
)

// redisPoolEntry is one slot of the eviction pool: a key and its score
// ("idle": higher is evicted first) as of when it was sampled.
type redisPoolEntry struct {
	key   uint64
	idle  uint64
	valid bool
}

// Redis models Redis's approximated eviction (evict.c, object.c, Redis 7):
// every eviction samples keys uniformly (Redis's dictGetSomeKeys samples
// neighbouring buckets, close to uniform) into a pool of 16 kept sorted by
// score, then evicts the best-scored key of the pool that still exists; the
// pool persists between evictions and its scores are not refreshed, as in
// Redis. Time is the trace's: the LRU clock ticks in whole seconds, the LFU
// decay clock in whole minutes. entry.when is the LRU clock (seconds), the
// LFU state (minutes<<8 | counter) or the expiry (ns; redisNoExpiry);
// entry.aux is the position in the sampled set.
type Redis struct {
	store
	mode       RedisMode
	samples    int
	logFactor  float64
	decayTime  int64    // minutes
	defaultTTL int64    // ns
	keys       denseSet // evictable keys: all, or those with an expiry for redis-ttl
	pool       [redisPoolSize]redisPoolEntry
	rng        *rand.Rand
}

// NewRedis returns an empty Redis model of the given mode with the options o.
func NewRedis(capacity int64, mode RedisMode, o RedisOptions) *Redis {
	return &Redis{
		store: newStore(capacity), mode: mode, samples: o.Samples, logFactor: o.LogFactor, decayTime: o.DecayTime,
		defaultTTL: int64(o.TTL), rng: rand.New(rand.NewPCG(o.Seed, 0x7ed15)),
	}
}

func seconds(ns int64) int64 { return ns / int64(time.Second) }
func minutes(ns int64) int64 { return ns / int64(time.Minute) }

// Access looks r up at the request's time, updating the key's LRU clock or
// LFU counter; a miss is admitted after evicting as Redis would.
func (c *Redis) Access(r *traces.Request) bool {
	if i, ok := c.lookup(r.Key); ok {
		switch c.mode {
		case RedisLRU:
			c.nodes[i].when = seconds(r.Time)
			return true
		case RedisLFU:
			ctr := c.lfuLogIncr(c.lfuDecr(c.nodes[i].when, r.Time))
			c.nodes[i].when = minutes(r.Time)<<8 | int64(ctr)
			return true
		}
		if e := c.nodes[i].when; e == redisNoExpiry || r.Time < e {
			return true
		}
		c.remove(i) // expired: Redis deletes it on access and the lookup misses
	}
	if !c.fits(r.Size) {
		return false
	}
	for c.full(r.Size) {
		if c.keys.len() == 0 {
			return false // volatile-ttl with no volatile key: Redis refuses the write
		}
		v := c.pick(r.Time)
		c.keysRemove(v)
		c.evict(v)
	}
	i := c.add(r.Key, r.Size)
	switch c.mode {
	case RedisLRU:
		c.nodes[i].when = seconds(r.Time)
	case RedisLFU:
		c.nodes[i].when = minutes(r.Time)<<8 | redisLFUInit
	case RedisTTL:
		c.nodes[i].when = c.expiry(r)
		if c.nodes[i].when == redisNoExpiry {
			return false
		}
	}
	c.keys.add(c.nodes, i)
	return false
}

// expiry is when r's key expires under redis-ttl, or redisNoExpiry.
func (c *Redis) expiry(r *traces.Request) int64 {
	ttl := c.defaultTTL
	if r.TTL > 0 {
		ttl = int64(r.TTL) * int64(time.Second)
	}
	if ttl <= 0 {
		return redisNoExpiry
	}
	return r.Time + ttl
}

// remove deletes entry i (an expired key).
func (c *Redis) remove(i int32) {
	c.keysRemove(i)
	c.drop(i)
}

func (c *Redis) keysRemove(i int32) {
	if c.mode != RedisTTL || c.nodes[i].when != redisNoExpiry {
		c.keys.remove(c.nodes, i)
	}
}

// score is Redis's "idle" of entry i at time now: higher is evicted first.
func (c *Redis) score(i int32, now int64) uint64 {
	switch c.mode {
	case RedisLRU:
		return uint64(max(seconds(now)-c.nodes[i].when, 0)) * 1000 // estimateObjectIdleTime, in ms
	case RedisLFU:
		return redisLFUMax - uint64(c.lfuDecr(c.nodes[i].when, now))
	}
	return ^uint64(0) - uint64(c.nodes[i].when)
}

// pick populates the pool from fresh samples (evictionPoolPopulate) and
// takes its best key that still exists.
func (c *Redis) pick(now int64) int32 {
	for {
		for s := 0; s < c.samples; s++ {
			i := c.keys.pick(c.rng)
			c.poolInsert(c.nodes[i].key, c.score(i, now))
		}
		for k := redisPoolSize - 1; k >= 0; k-- {
			if !c.pool[k].valid {
				continue
			}
			key := c.pool[k].key
			c.pool[k] = redisPoolEntry{}
			if i, ok := c.lookup(key); ok && (c.mode != RedisTTL || c.nodes[i].when != redisNoExpiry) {
				return i
			}
		}
	}
}

// poolInsert puts a sampled key into the pool, which is sorted by ascending
// score, exactly as evictionPoolPopulate does.
func (c *Redis) poolInsert(key uint64, idle uint64) {
	p := &c.pool
	k := 0
	for k < redisPoolSize && p[k].valid && p[k].idle < idle {
		k++
	}
	switch {
	case k == 0 && p[redisPoolSize-1].valid:
		return // worse than everything in a full pool
	case k < redisPoolSize && !p[k].valid:
		// an empty slot: insert here
	case !p[redisPoolSize-1].valid:
		copy(p[k+1:], p[k:redisPoolSize-1]) // room on the right: shift right
	default:
		k-- // full: shift the left part left, dropping the lowest score
		copy(p[:k], p[1:k+1])
	}
	p[k] = redisPoolEntry{key: key, idle: idle, valid: true}
}

// lfuDecr is LFUDecrAndReturn: the counter of state v after decaying one
// per decay-time minutes since its last decrement time.
func (c *Redis) lfuDecr(v, now int64) uint8 {
	ctr := v & 255
	if c.decayTime > 0 {
		if periods := (minutes(now) - v>>8) / c.decayTime; periods > 0 {
			ctr = max(ctr-periods, 0)
		}
	}
	return uint8(ctr)
}

// lfuLogIncr is LFULogIncr: increment with probability 1/((ctr−5)·factor+1).
func (c *Redis) lfuLogIncr(ctr uint8) uint8 {
	if ctr == redisLFUMax {
		return ctr
	}
	base := max(float64(ctr)-redisLFUInit, 0)
	if c.rng.Float64() < 1/(base*c.logFactor+1) {
		ctr++
	}
	return ctr
}

// Remove drops key's object (Redis's DEL). Eviction pool entries naming key
// stay, as in Redis: the pool holds keys, and pick skips those no longer
// cached (evict.c's "ghost" entries); a key written again afterwards may be
// picked with its stale score, as in Redis.
func (c *Redis) Remove(key uint64) bool { return c.removeKey(key, c.keysRemove) }

// Expire drops key's entry if it has expired by now (see Expirer): only
// redis-ttl gives its keys an expiry.
func (c *Redis) Expire(key uint64, now int64) bool {
	i, ok := c.lookup(key)
	if !ok || c.mode != RedisTTL {
		return false
	}
	if e := c.nodes[i].when; e == redisNoExpiry || now < e {
		return false
	}
	c.remove(i)
	return true
}

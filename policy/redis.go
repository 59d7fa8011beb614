package policy

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/cachesim/cachesim/traces/trace"
)

func init() {
	samples := IntParam("samples", 5, 1, 64, "maxmemory-samples, keys sampled per eviction into the pool of 16")
	memory := []Param{
		EnumParam("memory", "redis", []string{"redis", "payload"}, "redis: with byte sizes the capacity is "+
			"maxmemory and each key costs the memory Redis 7.0 gives it (key, value, dict entries, jemalloc size "+
			"classes, the dictionaries' buckets, the server's baseline); payload: the request sizes alone"),
		IntParam("key", 16, 0, 1<<16, "memory=redis: bytes of every key's name (16: redis-benchmark's key:000000012345); "+
			"0: the decimal digits of the trace's key, as a replay against a live server sends it"),
		BoolParam("size-has-key", true, "memory=redis: a request's size counts its key's name (MONITOR captures); "+
			"false: the size is the value's alone"),
		IntParam("hash-fields", 0, 0, 1<<20, "memory=redis: every object is a hash of this many fields, names and "+
			"values sharing its size evenly; 0: every object is a string"),
		EnumParam("quantum", "16", []string{"16", "8"}, "memory=redis: jemalloc's quantum, 16 for a distribution's "+
			"redis-server (system jemalloc), 8 for Redis built from source (its bundled jemalloc)"),
		BytesParam("baseline", redisBaseline, 0, 1<<40, "memory=redis: the used_memory of the empty server "+
			"(an idle redis-server 7.0 with one client; `live` measures a server's)"),
	}
	const memoryHelp = "; with byte sizes the capacity is maxmemory, each key charged the memory Redis 7.0 " +
		"gives it, evicting before a command while used_memory exceeds it (memory=payload: request sizes alone)"
	Register(Info{
		Name: "redis-lru",
		Summary: "Redis allkeys-lru as evict.c implements it: sample keys into an eviction pool of 16 ordered by idle " +
			"time (a 1 s resolution clock on trace time) and evict the pool's idlest; approximates LRU, exact as samples grow; " +
			"keys with a TTL expire on access and in the active expiry cycle" + memoryHelp,
		Traits: TraceTime | Expiry | Randomised,
		Params: append([]Param{samples}, memory...),
		New: func(c Config) (Cache, error) {
			return newRedisFrom(c, redisLRU, redisOptionsFrom(c)), nil
		},
	})
	Register(Info{
		Name: "redis-lfu",
		Summary: "Redis allkeys-lfu: an 8-bit logarithmic access counter per key (initial 5) that decays while the " +
			"key is idle; sampled keys with the lowest counters enter the pool of 16 and are evicted first; " +
			"keys with a TTL expire on access and in the active expiry cycle" + memoryHelp,
		Traits: TraceTime | Expiry | Randomised,
		Params: append([]Param{samples,
			FloatParam("log-factor", 10, 0, 1e9, "lfu-log-factor, how slowly the 8-bit counter grows"),
			IntParam("decay-time", 1, 0, 1<<30,
				"lfu-decay-time, minutes of trace time per decrement of an idle key's counter (0: never)"),
		}, memory...),
		New: func(c Config) (Cache, error) {
			o := redisOptionsFrom(c)
			o.LogFactor, o.DecayTime = c.Values.Float("log-factor"), c.Values.Int("decay-time")
			return newRedisFrom(c, redisLFU, o), nil
		},
	})
	Register(Info{
		Name: "redis-ttl",
		Summary: "Redis volatile-ttl: only keys with a time to live (the request's, else the default TTL) are evicted, " +
			"sampled ones nearest to expiry first; expired keys miss (lazy expiry) or go in the active expiry cycle; " +
			"with nothing evictable a write is refused" + memoryHelp,
		Traits: TraceTime | Expiry | Randomised,
		Params: append([]Param{samples}, memory...),
		New: func(c Config) (Cache, error) {
			return newRedisFrom(c, redisTTL, redisOptionsFrom(c)), nil
		},
	})
}

// newRedisFrom builds the registered policy of mode from c: with the
// memory model when c asks for it and the capacity is in bytes.
func newRedisFrom(c Config, mode redisMode, o redisOptions) Cache {
	r := newRedis(c.Capacity, mode, o)
	if c.Values.Enum("memory") != "redis" || c.Objects {
		return r
	}
	q := int64(16)
	if c.Values.Enum("quantum") == "8" {
		q = 8
	}
	r.mem = &redisMemory{quantum: q, key: c.Values.Int("key"), sizeHasKey: c.Values.Bool("size-has-key"),
		fields: c.Values.Int("hash-fields")}
	r.baseline = c.Values.Int("baseline")
	return r
}

// redisMode is the maxmemory-policy a Redis model follows.
type redisMode int

// The Redis eviction policies modelled.
const (
	// redisLRU is allkeys-lru.
	redisLRU redisMode = iota
	// redisLFU is allkeys-lfu.
	redisLFU
	// redisTTL is volatile-ttl.
	redisTTL
)

// redisOptions are a Redis model's parameters, used as given (the
// registered policies' schemas hold Redis's defaults:
// New(Spec{Name: "redis-lfu"}, …)).
type redisOptions struct {
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

// redisOptionsFrom returns the options every Redis policy takes from c.
func redisOptionsFrom(c Config) redisOptions {
	return redisOptions{Samples: int(c.Values.Int("samples")), TTL: c.TTL, Seed: c.Seed}
}

const (
	redisPoolSize = 16  // EVPOOL_SIZE
	redisLFUInit  = 5   // LFU_INIT_VAL
	redisNoExpiry = -1  // the expiry of a key without TTL (objLRU under redis-ttl)
	redisLFUMax   = 255 // the counter's ceiling
)

// redisPoolEntry is one slot of the eviction pool: a key and its score
// ("idle": higher is evicted first) as of when it was sampled.
type redisPoolEntry struct {
	key   uint64
	idle  uint64
	valid bool
}

// redisKey is what a Redis model keeps per entry beside the store's:
// the key's expiry (ns of trace time, 0: none), its position among the
// keys with one, and its modelled memory (memory model only).
type redisKey struct {
	expires int64
	vpos    int32
	mem     int64
}

// The active expiry cycle (expire.c, active-expire-effort 1): every
// serverCron tick (hz 10) samples 20 keys with a TTL at a time, again while
// more than 10% of a sample had expired, within a time limit that
// redisExpireRounds stands for.
const (
	redisCronPeriod   = 100 * int64(time.Millisecond)
	redisExpireSample = 20
	redisExpireStale  = 10 // percent
	redisExpireRounds = 1000
)

// redis models Redis's approximated eviction (evict.c, object.c, Redis 7):
// every eviction samples keys uniformly (Redis's dictGetSomeKeys samples
// neighbouring buckets, close to uniform) into a pool of 16 kept sorted by
// score, then evicts the best-scored key of the pool that still exists; the
// pool persists between evictions and its scores are not refreshed, as in
// Redis. Time is the trace's: the LRU clock ticks in whole seconds, the LFU
// decay clock in whole minutes. Each key's LRU clock (seconds), LFU state
// (minutes<<8 | counter) or expiry (ns; redisNoExpiry) is in its word64
// (objLRU), its position in the sampled set in its word32 (denseSet).
//
// Keys with a time to live (the request's, else the default) expire as in
// Redis: a lookup deletes an expired key and misses, and the active expiry
// cycle samples keys with one every 100 ms of trace time.
//
// With the memory model (the registered policies' memory=redis on byte
// capacities) the capacity is maxmemory: each key is charged the memory
// Redis 7.0 gives it (see redismem.go), the dictionaries' bucket arrays and
// the server's baseline count too, and before every request, as before
// every command, keys are evicted while the modelled used_memory exceeds
// maxmemory (performEvictions); the command then runs, a write even when it
// takes the memory past the limit until the next one. A write that finds
// the memory still over the limit with nothing left to evict is refused.
type redis struct {
	store
	mode       redisMode
	samples    int
	logFactor  float64
	decayTime  int64    // minutes
	defaultTTL int64    // ns
	keys       denseSet // evictable keys: all, or those with an expiry for redis-ttl
	pool       [redisPoolSize]redisPoolEntry
	rng        *rand.Rand

	extra    []redisKey // by entry
	volatile []int32    // the entries with an expiry, for the active expiry cycle
	cursor   int        // the cycle's position in volatile
	cron     int64      // trace time of the next serverCron tick; 0 before the first request
	now      int64      // the time of the latest request
	expired  uint64     // keys deleted on expiry

	mem            *redisMemory // nil: the payload model
	baseline       int64
	keyMem         int64 // the keys' modelled memory
	main, expiring redisDict
}

// newRedis returns an empty Redis model of the given mode with the options
// o, counting the requests' sizes against the capacity (the registered
// policies' memory=payload).
func newRedis(capacity int64, mode redisMode, o redisOptions) *redis {
	return &redis{
		store: newStore(capacity), mode: mode, samples: o.Samples, logFactor: o.LogFactor, decayTime: o.DecayTime,
		defaultTTL: int64(o.TTL), rng: rand.New(rand.NewPCG(o.Seed, 0x7ed15)),
	}
}

func seconds(ns int64) int64 { return ns / int64(time.Second) }
func minutes(ns int64) int64 { return ns / int64(time.Minute) }

// UsedMemory returns the used_memory the memory model counts: the
// baseline, the keys and the dictionaries' buckets; on the payload model,
// Used.
func (c *redis) UsedMemory() int64 {
	if c.mem == nil {
		return c.used
	}
	return c.baseline + c.keyMem + c.main.bytes() + c.expiring.bytes()
}

// Expired returns how many keys expired (on access or in the active
// expiry cycle); expirations are not evictions.
func (c *redis) Expired() uint64 { return c.expired }

// Access looks r up at the request's time, updating the key's LRU clock or
// LFU counter; a miss is admitted after evicting as Redis would.
func (c *redis) Access(r *trace.Request) bool {
	c.now = r.Time
	c.clock(r.Time)
	if c.mem != nil {
		c.main.step()
		c.expiring.step()
		c.makeRoom(r.Time)
	}
	if i, ok := c.lookup(r); ok {
		if e := c.extra[i].expires; e == 0 || r.Time < e {
			switch c.mode {
			case redisLRU:
				c.setObjLRU(i, seconds(r.Time))
			case redisLFU:
				ctr := c.lfuLogIncr(c.lfuDecr(c.objLRU(i), r.Time))
				c.setObjLRU(i, minutes(r.Time)<<8|int64(ctr))
			}
			return true
		}
		c.expire(i) // expired: Redis deletes it on access and the lookup misses
	}
	expires := c.expiry(r)
	var cost int64
	if c.mem != nil {
		if c.UsedMemory() > c.capacity {
			return false // nothing left to evict: Redis refuses the write (OOM)
		}
		cost = c.mem.cost(r.Key, r.Size, expires != redisNoExpiry)
	} else {
		if !c.fits(r.Size) {
			return false
		}
		for c.full(r.Size) {
			if c.keys.len() == 0 {
				return false // volatile-ttl with no volatile key: Redis refuses the write
			}
			c.evictOne(r.Time)
		}
	}
	i := c.add(r)
	switch c.mode {
	case redisLRU:
		c.setObjLRU(i, seconds(r.Time))
	case redisLFU:
		c.setObjLRU(i, minutes(r.Time)<<8|redisLFUInit)
	case redisTTL:
		c.setObjLRU(i, expires)
	}
	c.track(i, expires, cost)
	return false
}

// objLRU returns what Redis keeps in a key's robj.lru field and evicts by:
// under redis-lru the LRU clock (seconds), under redis-lfu the LFU state
// (minutes<<8 | counter); here also, under redis-ttl, the expiry (ns;
// redisNoExpiry), which Redis looks up in its expires dictionary.
func (c *redis) objLRU(i int32) int64 { return c.nodes[i].word64 }

// setObjLRU sets key i's objLRU.
func (c *redis) setObjLRU(i int32, v int64) { c.nodes[i].word64 = v }

// track records entry i's expiry (redisNoExpiry: none) and memory cost,
// and makes it evictable.
func (c *redis) track(i int32, expires, cost int64) {
	for int(i) >= len(c.extra) {
		c.extra = append(c.extra, redisKey{})
	}
	x := &c.extra[i]
	*x = redisKey{vpos: -1, mem: cost}
	if c.mem != nil {
		room := c.capacity - c.UsedMemory()
		c.keyMem += cost
		c.main.add(room)
		if expires != redisNoExpiry {
			c.expiring.add(room)
		}
	}
	if expires != redisNoExpiry {
		x.expires, x.vpos = expires, int32(len(c.volatile))
		c.volatile = append(c.volatile, i)
	}
	if c.mode != redisTTL || expires != redisNoExpiry {
		c.keys.add(c.nodes, i)
	}
}

// untrack takes entry i out of the model's structures before the store
// drops it.
func (c *redis) untrack(i int32) {
	x := &c.extra[i]
	if c.mode != redisTTL || x.expires != 0 {
		c.keys.remove(c.nodes, i)
	}
	if c.mem != nil {
		c.keyMem -= x.mem
		c.main.del()
		if x.expires != 0 {
			c.expiring.del()
		}
	}
	if x.expires != 0 {
		p := x.vpos
		last := c.volatile[len(c.volatile)-1]
		c.volatile[p] = last
		c.extra[last].vpos = p
		c.volatile = c.volatile[:len(c.volatile)-1]
	}
	*x = redisKey{vpos: -1}
}

// makeRoom evicts while the modelled used_memory exceeds maxmemory and
// something is left to evict (performEvictions).
func (c *redis) makeRoom(now int64) {
	for c.UsedMemory() > c.capacity && c.keys.len() > 0 {
		c.evictOne(now)
	}
}

// evictOne evicts the key the pool picks.
func (c *redis) evictOne(now int64) {
	v := c.pick(now)
	c.untrack(v)
	c.evict(v)
}

// expiry is when r's key expires, or redisNoExpiry: the request's TTL, else
// the default.
func (c *redis) expiry(r *trace.Request) int64 {
	ttl := c.defaultTTL
	if r.TTL > 0 {
		ttl = int64(r.TTL) * int64(time.Second)
	}
	if ttl <= 0 {
		return redisNoExpiry
	}
	return r.Time + ttl
}

// expire deletes entry i, which has expired.
func (c *redis) expire(i int32) {
	c.expired++
	c.untrack(i)
	c.drop(i)
}

// clock runs the serverCron ticks due by now: each runs the active expiry
// cycle and the keyspace's rehashing and shrinking (databasesCron). Trace
// time 0 is the server's start.
func (c *redis) clock(now int64) {
	for c.cron <= now {
		if len(c.volatile) == 0 && (c.mem == nil || c.main.idle() && c.expiring.idle()) {
			c.cron = (now/redisCronPeriod + 1) * redisCronPeriod // nothing to do until then
			return
		}
		c.activeExpire(c.cron)
		if c.mem != nil {
			c.main.cron()
			c.expiring.cron()
		}
		c.cron += redisCronPeriod
	}
}

// activeExpire is activeExpireCycle's slow cycle at time now: samples of
// 20 keys with a TTL, in the order of a cursor that goes round them (Redis
// scans the expires dictionary's buckets from a cursor), deleting the
// expired, again while more than 10% of a sample had expired.
func (c *redis) activeExpire(now int64) {
	for range redisExpireRounds {
		n := min(redisExpireSample, len(c.volatile))
		if n == 0 {
			return
		}
		expired := 0
		for range n {
			if c.cursor >= len(c.volatile) {
				c.cursor = 0
			}
			if i := c.volatile[c.cursor]; c.extra[i].expires <= now {
				c.expire(i) // the last key with a TTL moves into the cursor's place
				expired++
			} else {
				c.cursor++
			}
			if len(c.volatile) == 0 {
				break
			}
		}
		if expired*100/n <= redisExpireStale {
			return
		}
	}
}

// score is Redis's "idle" of entry i at time now: higher is evicted first.
func (c *redis) score(i int32, now int64) uint64 {
	switch c.mode {
	case redisLRU:
		return uint64(max(seconds(now)-c.objLRU(i), 0)) * 1000 // estimateObjectIdleTime, in ms
	case redisLFU:
		return redisLFUMax - uint64(c.lfuDecr(c.objLRU(i), now))
	}
	return ^uint64(0) - uint64(c.objLRU(i))
}

// pick populates the pool from fresh samples (evictionPoolPopulate) and
// takes its best key that still exists.
func (c *redis) pick(now int64) int32 {
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
			if i, ok := c.lookupKey(key); ok && (c.mode != redisTTL || c.objLRU(i) != redisNoExpiry) {
				return i
			}
		}
	}
}

// poolInsert puts a sampled key into the pool, which is sorted by ascending
// score, exactly as evictionPoolPopulate does.
func (c *redis) poolInsert(key uint64, idle uint64) {
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
func (c *redis) lfuDecr(v, now int64) uint8 {
	ctr := v & 255
	if c.decayTime > 0 {
		if periods := (minutes(now) - v>>8) / c.decayTime; periods > 0 {
			ctr = max(ctr-periods, 0)
		}
	}
	return uint8(ctr)
}

// lfuLogIncr is LFULogIncr: increment with probability 1/((ctr−5)·factor+1).
func (c *redis) lfuLogIncr(ctr uint8) uint8 {
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
// picked with its stale score, as in Redis. On the memory model, keys are
// evicted first while the memory exceeds maxmemory, as before any command:
// a write that replaces a key (the simulator removes the old copy, then
// stores the new) evicts with the old value still counted, as Redis's SET.
func (c *redis) Remove(key uint64) bool {
	if c.mem != nil {
		c.makeRoom(c.now)
	}
	return c.removeKey(key, c.untrack)
}

// Expire drops key's entry if it has expired by now (see Expirer).
func (c *redis) Expire(key uint64, now int64) bool {
	i, ok := c.lookupKey(key)
	if !ok {
		return false
	}
	if e := c.extra[i].expires; e == 0 || now < e {
		return false
	}
	c.expire(i)
	return true
}

// Describe says which memory model counts the capacity (see Describer).
func (c *redis) Describe() string {
	if c.mem == nil {
		return "the capacity counts the request sizes alone (memory=payload, or object counts)"
	}
	key := fmt.Sprintf("keys of %d B", c.mem.key)
	if c.mem.key == 0 {
		key = "keys of the trace key's decimal digits"
	}
	kind := "every object a string"
	if c.mem.fields > 0 {
		kind = fmt.Sprintf("every object a hash of %d fields", c.mem.fields)
	}
	return fmt.Sprintf("the capacity is maxmemory, each key charged the memory Redis 7.0 gives it (%s, %s, "+
		"jemalloc quantum %d), with the dictionaries' buckets and a baseline of %d B (memory=payload: request sizes alone)",
		key, kind, c.mem.quantum, c.baseline)
}

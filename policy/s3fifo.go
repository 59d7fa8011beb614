package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name: "s3fifo",
		Summary: "S3-FIFO (Yang et al., SOSP'23): new objects enter a small FIFO; those hit often enough move to the main " +
			"FIFO (a 2-bit CLOCK), the rest are evicted into a ghost FIFO, whose hits enter main directly (as libCacheSim's S3FIFO)",
		Params: []Param{
			FractionParam("small", 0.1, "share of the capacity for the small FIFO"),
			FloatParam("ghost", 0.9, 0, 10, "ghost FIFO size as a share of the capacity"),
			IntParam("threshold", 2, 1, 1<<20, "hits in the small FIFO needed to move to main"),
		},
		New: func(c Config) (Cache, error) {
			return newS3FIFO(c.Capacity, s3fifoOptions{
				Small:     c.Values.Float("small"),
				Ghost:     c.Values.Float("ghost"),
				Threshold: int(c.Values.Int("threshold")),
			}), nil
		},
	})
}

// s3fifoOptions are S3-FIFO's parameters, used as given (the registered
// policy's schema holds the defaults: New(Spec{Name: "s3fifo"}, …)).
type s3fifoOptions struct {
	// Small is the small FIFO's share of the capacity.
	Small float64
	// Ghost is the ghost FIFO's size as a share of the capacity.
	Ghost float64
	// Threshold is the number of hits in the small FIFO that move an
	// object to main.
	Threshold int
}

// s3fifo is the S3-FIFO policy as libCacheSim implements it (S3FIFO.c):
// until the first eviction, objects that find the small queue full go to
// main; an object leaving small with freq >= threshold moves to main with
// its count reset; main reinserts an object with freq >= 1 at its head with
// min(freq, 3) - 1. Each entry's access count is in its word32 (freqOf),
// its queue in its word64 (queueOf: inSmall, inMain, or inGhost for the
// ghost queue, whose ghosts share the cache's store: ghostQueue).
//
// Differences from libCacheSim, for tiny caches only: the small queue holds
// at least one object's worth (libCacheSim's is floor(0.1 × capacity), so a
// cache under 10 objects admits nothing), and an object as large as the
// small queue is admitted (libCacheSim refuses size >= small capacity).
type s3fifo struct {
	store
	small, main segment
	ghost       ghostQueue
	threshold   int32
	evicted     bool // an eviction has happened (libCacheSim's has_evicted)
}

// newS3FIFO returns an empty S3-FIFO cache with the options o.
func newS3FIFO(capacity int64, o s3fifoOptions) *s3fifo {
	sc := max(int64(float64(capacity)*o.Small), 1)
	return &s3fifo{
		store:     newHistoryStore(capacity),
		small:     newSegment(sc),
		main:      newSegment(capacity - sc),
		ghost:     newGhostQueue(int64(float64(capacity) * o.Ghost)),
		threshold: int32(o.Threshold),
	}
}

// Access looks r up, counting a hit; a miss enters main if the ghost
// remembers the key, else the small queue.
func (c *s3fifo) Access(r *trace.Request) bool {
	i, ok := c.lookup(r)
	if ok && queueOf(c.nodes, i) != inGhost {
		c.countHit(i)
		return true
	}
	if !c.fits(r.Size) || int64(r.Size) > c.small.capacity {
		return false
	}
	fromGhost := ok
	if fromGhost {
		c.ghost.forget(&c.store, i)
	}
	for c.full(r.Size) {
		c.evicted = true
		if c.main.over() || c.small.used == 0 {
			c.evictMain()
		} else {
			c.evictSmall()
		}
	}
	i = c.add(r)
	switch {
	case fromGhost, !c.evicted && c.small.used >= c.small.capacity:
		setQueue(c.nodes, i, inMain)
		c.main.push(c.nodes, i)
	default:
		setQueue(c.nodes, i, inSmall)
		c.small.push(c.nodes, i)
	}
	return false
}

// freqOf returns entry i's access count.
func (c *s3fifo) freqOf(i int32) int32 { return c.nodes[i].word32 }

// setFreq sets entry i's access count.
func (c *s3fifo) setFreq(i, f int32) { c.nodes[i].word32 = f }

// countHit raises entry i's access count by one.
func (c *s3fifo) countHit(i int32) { c.nodes[i].word32++ }

// evictSmall empties the small queue's tail until one object leaves the
// cache, moving frequently hit ones to main.
func (c *s3fifo) evictSmall() {
	for c.small.used > 0 {
		v := c.small.tail
		c.small.take(c.nodes, v)
		if c.freqOf(v) >= c.threshold {
			c.setFreq(v, 0)
			setQueue(c.nodes, v, inMain)
			c.main.push(c.nodes, v)
			continue
		}
		c.ghost.remember(&c.store, v)
		return
	}
}

// evictMain runs main's 2-bit CLOCK until one object leaves the cache.
func (c *s3fifo) evictMain() {
	for c.main.used > 0 {
		v := c.main.tail
		c.main.take(c.nodes, v)
		if f := c.freqOf(v); f >= 1 {
			c.setFreq(v, min(f, 3)-1)
			c.main.push(c.nodes, v)
			continue
		}
		c.evict(v)
		return
	}
}

// Remove drops key's object (a delete in the trace) and forgets it in the
// ghost FIFO, so that its return is a new object that enters the small queue.
func (c *s3fifo) Remove(key uint64) bool {
	return c.removeQueued(key, &c.small, &c.main, &c.ghost)
}

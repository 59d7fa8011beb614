package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name: "s3fifo-v0",
		Summary: "the first S3-FIFO: objects leaving a small FIFO move to a main FIFO with reinsertion if hit often " +
			"enough, else into a ghost FIFO whose hits enter main directly; main may exceed its share until the next " +
			"eviction (as libCacheSim's S3FIFOv0, the S3FIFO of libCacheSim aa0fc40)",
		Params: []Param{
			FractionParam("small", 0.1, "share of the capacity for the small FIFO; above 0, as a miss larger than it is not admitted, and one under one object admits nothing").AboveMin(),
			FloatParam("ghost", 0.9, 0, 10, "ghost FIFO size as a share of the capacity"),
			IntParam("threshold", 2, 1, 1<<20, "hits in the small FIFO needed to move to main"),
		},
		New: func(c Config) (Cache, error) {
			return newS3FIFOv0(c.Capacity, s3fifoOptions{
				Small:     c.Values.Float("small"),
				Ghost:     c.Values.Float("ghost"),
				Threshold: int(c.Values.Int("threshold")),
			}), nil
		},
	})
}

// s3fifoV0 is the first S3-FIFO as libCacheSim implemented it (S3FIFO.c
// at aa0fc40, now S3FIFOv0.c). It differs from S3FIFO in admission and in
// the sizes of its queues, and shares its eviction steps: the small FIFO
// gets floor(small × capacity) (so a cache under 10 objects admits
// nothing), main the rest. A hit counts in freqOf (without bound). A
// miss remembered by the ghost enters main, any other the small FIFO unless
// it is at least as large as the small FIFO. To make room, main is cleaned
// when it is over its size or the small FIFO is empty, else the small FIFO:
// its oldest objects with at least threshold hits move to main's head with
// a count of 0 (main may exceed its size), until one with fewer leaves
// into the ghost. Main reinserts its oldest object with count c > 0 at its
// head with min(c, 3) − 1 and evicts the first with 0. There is no rule
// for the first fill (S3FIFO's has_evicted). queueOf is the queue
// (inSmall, inMain or inGhost).
type s3fifoV0 struct{ s3fifo }

// newS3FIFOv0 returns an empty first-version S3-FIFO cache with the options o.
func newS3FIFOv0(capacity int64, o s3fifoOptions) *s3fifoV0 {
	sc := int64(float64(capacity) * o.Small)
	return &s3fifoV0{s3fifo{
		store:     newHistoryStore(capacity),
		small:     newSegment(sc),
		main:      newSegment(capacity - sc),
		ghost:     newGhostQueue(int64(float64(capacity) * o.Ghost)),
		threshold: int32(o.Threshold),
	}}
}

// Access looks r up, counting a hit; a miss enters main if the ghost
// remembers the key, else the small FIFO.
func (c *s3fifoV0) Access(r *trace.Request) bool {
	i, ok := c.lookup(r)
	if ok && queueOf(c.nodes, i) != inGhost {
		c.countHit(i)
		return true
	}
	fromGhost := ok
	if fromGhost {
		c.ghost.forget(&c.store, i)
	}
	if int64(r.Size) > c.small.capacity || !c.fits(r.Size) {
		return false
	}
	for c.full(r.Size) {
		if c.main.over() || c.small.used == 0 {
			c.evictMain()
		} else {
			c.evictSmall()
		}
	}
	if !fromGhost && int64(r.Size) >= c.small.capacity {
		return false
	}
	i = c.add(r)
	if fromGhost {
		setQueue(c.nodes, i, inMain)
		c.main.push(c.nodes, i)
	} else {
		setQueue(c.nodes, i, inSmall)
		c.small.push(c.nodes, i)
	}
	return false
}

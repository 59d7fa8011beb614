package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name:    "fifo",
		Summary: "first in, first out: evicts the object admitted earliest; hits change nothing",
		New:     func(c Config) (Cache, error) { return newFIFO(c.Capacity), nil },
	})
}

// fifo evicts the object that was admitted first.
type fifo struct{ queue }

// newFIFO returns an empty FIFO cache of the given capacity.
func newFIFO(capacity int64) *fifo { return &fifo{newQueue(capacity)} }

// Access looks r up; a miss is admitted at the queue's head.
func (c *fifo) Access(r *trace.Request) bool {
	if _, ok := c.lookup(r); ok {
		return true
	}
	c.admit(r)
	return false
}

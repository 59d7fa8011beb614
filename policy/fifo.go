package policy

import "github.com/cachesim/cachesim/traces/trace"

func init() {
	Register(Info{
		Name:    "fifo",
		Summary: "first in, first out: evicts the object admitted earliest; hits change nothing",
		New:     func(c Config) (Cache, error) { return NewFIFO(c.Capacity), nil },
	})
}

// FIFO evicts the object that was admitted first.
type FIFO struct{ queue }

// NewFIFO returns an empty FIFO cache of the given capacity.
func NewFIFO(capacity int64) *FIFO { return &FIFO{newQueue(capacity)} }

// Access looks r up; a miss is admitted at the queue's head.
func (c *FIFO) Access(r *trace.Request) bool {
	if _, ok := c.lookup(r.Key); ok {
		return true
	}
	c.admit(r)
	return false
}

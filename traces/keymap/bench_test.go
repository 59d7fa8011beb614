package keymap_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/keymap"
	"github.com/cachesim/cachesim/traces/tracestest"
)

var (
	streamsMu sync.Mutex
	streams   = map[string][]uint64{}
)

// keyStream returns the keys of a shared trace, loaded once per process.
func keyStream(b *testing.B, name string) []uint64 {
	streamsMu.Lock()
	defer streamsMu.Unlock()
	if k, ok := streams[name]; ok {
		return k
	}
	t, _, err := traces.Load(tracestest.Path(b, name), traces.Options{})
	if err != nil {
		b.Fatal(err)
	}
	streams[name] = t.Keys
	return t.Keys
}

// table is what the benchmark drives: the Map or a Go map.
type table interface {
	Get(uint64) (int32, bool)
	Put(uint64, int32)
	Del(uint64)
}

type goMap map[uint64]int32

func (m goMap) Get(k uint64) (int32, bool) { v, ok := m[k]; return v, ok }
func (m goMap) Put(k uint64, v int32)      { m[k] = v }
func (m goMap) Del(k uint64)               { delete(m, k) }

// fifoMix drives t as the index of a FIFO cache of n objects over keys: a
// lookup per request, and per miss an insert and (when full) the delete of
// the oldest key — the simulator's lookup/insert/delete mix.
func fifoMix(t table, keys []uint64, n int, reqs int) {
	ring := make([]uint64, n)
	head, used := 0, 0
	for i := 0; i < reqs; i++ {
		k := keys[i%len(keys)]
		if _, ok := t.Get(k); ok {
			continue
		}
		if used == n {
			t.Del(ring[head])
		} else {
			used++
		}
		ring[head] = k
		t.Put(k, int32(head))
		if head++; head == n {
			head = 0
		}
	}
}

// BenchmarkMix runs the FIFO mix on the shared traces' key streams at the
// sizes sweeps use, with the Map and with Go's map (a Swiss table since Go
// 1.24) as a yardstick; one op is one request.
func BenchmarkMix(b *testing.B) {
	for _, name := range []string{"oltp.gz", "p3.gz"} {
		keys := keyStream(b, name)
		for _, n := range []int{1000, 10000, 100000, 600000} {
			b.Run(fmt.Sprintf("%s/n=%d/keymap", name, n), func(b *testing.B) {
				m := keymap.NewSized(n)
				fifoMix(&m, keys, n, b.N)
			})
			b.Run(fmt.Sprintf("%s/n=%d/gomap", name, n), func(b *testing.B) {
				fifoMix(make(goMap, n), keys, n, b.N)
			})
		}
	}
}

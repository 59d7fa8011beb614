package traces

import (
	"fmt"
	"math"

	"github.com/cachesim/cachesim/traces/keymap"
)

// DefaultSize is the size in bytes of a request that carries none when its
// key was never sized before and Options.DefaultSize is 0: 1 byte, the size
// every object has in a trace without sizes.
const DefaultSize = 1

// sizeMemo sizes the requests of formats that give some requests a size and
// others none (a Redis GET, an HTTP HEAD or 304, a JSON line without a size
// field): such a request takes its key's last known size, from a write or an
// earlier sized read, and a key never sized takes the default size. Its
// memory is one entry per distinct sized key; once the table is large
// enough, it allocates nothing per request.
type sizeMemo struct {
	def   uint32
	index keymap.Map // key → position in sizes
	sizes []uint32
	// recalled and defaulted count the requests sized each way.
	recalled, defaulted int64
}

// newSizeMemo returns a memo whose default size is def (0: DefaultSize).
func newSizeMemo(def uint32) sizeMemo {
	return sizeMemo{def: defaultSize(def), index: keymap.New()}
}

// defaultSize returns def, or DefaultSize when def is 0.
func defaultSize(def uint32) uint32 {
	if def == 0 {
		return DefaultSize
	}
	return def
}

// learn records size as key's size.
func (m *sizeMemo) learn(key uint64, size uint32) {
	if i, ok := m.index.Get(key); ok {
		m.sizes[i] = size
		return
	}
	if len(m.sizes) == math.MaxInt32 {
		return // 2^31 keys: later ones take the default
	}
	m.index.Put(key, int32(len(m.sizes)))
	m.sizes = append(m.sizes, size)
}

// known returns key's last known size.
func (m *sizeMemo) known(key uint64) (uint32, bool) {
	if i, ok := m.index.Get(key); ok {
		return m.sizes[i], true
	}
	return 0, false
}

// recall returns the size of a request for key that carries none, and
// whether it was known (false: the default, see Request.Unsized), and
// counts how it was found.
func (m *sizeMemo) recall(key uint64) (uint32, bool) {
	if s, ok := m.known(key); ok {
		m.recalled++
		return s, true
	}
	m.defaulted++
	return m.def, false
}

// notes returns a note saying how many requests were sized by recall.
func (m *sizeMemo) notes() []Note {
	if m.recalled+m.defaulted == 0 {
		return nil
	}
	return []Note{{Kind: NoteSizes, Text: fmt.Sprintf(
		"%d requests carried no size: %d took their key's last known size, and %d, for keys not sized before, the default size of %s",
		m.recalled+m.defaulted, m.recalled, m.defaulted, byteCount(m.def))}}
}

// unsizedNotes is the note of a format without sizes whose requests all
// took the default size def, when it is not the usual 1 byte.
func unsizedNotes(def uint32) []Note {
	if defaultSize(def) == 1 {
		return nil
	}
	return []Note{{Kind: NoteSizes, Text: fmt.Sprintf("the trace carries no object sizes: every request has the default size of %s", byteCount(def))}}
}

// byteCount writes n bytes out: "1 byte", "4096 bytes".
func byteCount(n uint32) string {
	if n == 1 {
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}

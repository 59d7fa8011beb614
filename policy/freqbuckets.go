package policy

import "github.com/cachesim/cachesim/traces/keymap"

// freqBuckets groups a store's cached entries by frequency, for policies
// that rank by it beside another order kept in the entries' own links
// (LeCaR's LRU list, Cacheus's SR-LRU lists): each bucket is a sideList of
// its entries, newest at the head, and the buckets form a list sorted by
// frequency, lowest first. An entry's bucket is of[i]; a bucket lives while
// it has entries (release frees an emptied one).
type freqBuckets struct {
	links   sideLinks
	of      []int32 // bucket of each entry, by entry index
	buckets []sideBucket
	freeB   []int32
	byFreq  keymap.Map
	lowest  int32
}

// sideBucket holds the entries of one frequency.
type sideBucket struct {
	freq       int64
	items      sideList
	n          int32
	prev, next int32 // neighbouring buckets, by frequency
}

func newFreqBuckets() freqBuckets { return freqBuckets{byFreq: keymap.New(), lowest: nilIdx} }

// grow makes room for entry i.
func (f *freqBuckets) grow(i int32) {
	f.links.grow(i)
	for int(i) >= len(f.of) {
		f.of = append(f.of, nilIdx)
	}
}

// freq returns the frequency of bucket b.
func (f *freqBuckets) freq(b int32) int64 { return f.buckets[b].freq }

// find returns the bucket of frequency q, if there is one.
func (f *freqBuckets) find(q int64) (int32, bool) { return f.byFreq.Get(uint64(q)) }

// at returns the bucket of frequency q, creating it in order if needed.
func (f *freqBuckets) at(q int64) int32 {
	if b, ok := f.find(q); ok {
		return b
	}
	prev := nilIdx
	for b := f.lowest; b != nilIdx && f.buckets[b].freq < q; b = f.buckets[b].next {
		prev = b
	}
	return f.after(prev, q)
}

// after returns the bucket of frequency q, creating it after bucket prev
// (nilIdx: first) if the bucket following prev is not it; q must lie
// between prev's frequency and the next bucket's.
func (f *freqBuckets) after(prev int32, q int64) int32 {
	next := f.lowest
	if prev != nilIdx {
		next = f.buckets[prev].next
	}
	if next != nilIdx && f.buckets[next].freq == q {
		return next
	}
	b := reuse(&f.buckets, &f.freeB)
	f.buckets[b] = sideBucket{freq: q, items: newSideList(), prev: prev, next: next}
	if prev != nilIdx {
		f.buckets[prev].next = b
	} else {
		f.lowest = b
	}
	if next != nilIdx {
		f.buckets[next].prev = b
	}
	f.byFreq.Put(uint64(q), b)
	return b
}

// push links entry i at the head of bucket b.
func (f *freqBuckets) push(i, b int32) {
	f.of[i] = b
	f.buckets[b].items.pushFront(&f.links, i)
	f.buckets[b].n++
}

// take unlinks entry i from its bucket, which stays until release, and
// returns the bucket.
func (f *freqBuckets) take(i int32) int32 {
	b := f.of[i]
	f.buckets[b].items.remove(&f.links, i)
	f.buckets[b].n--
	f.of[i] = nilIdx
	return b
}

// release frees bucket b if it is empty.
func (f *freqBuckets) release(b int32) {
	bk := &f.buckets[b]
	if bk.n > 0 {
		return
	}
	if bk.prev != nilIdx {
		f.buckets[bk.prev].next = bk.next
	} else {
		f.lowest = bk.next
	}
	if bk.next != nilIdx {
		f.buckets[bk.next].prev = bk.prev
	}
	f.byFreq.Del(uint64(bk.freq))
	f.freeB = append(f.freeB, b)
}

// reuse returns the index of a slot of items to fill: the last freed one
// (popped from free) or a new one at the end.
func reuse[T any](items *[]T, free *[]int32) int32 {
	if n := len(*free); n > 0 {
		i := (*free)[n-1]
		*free = (*free)[:n-1]
		return i
	}
	var zero T
	*items = append(*items, zero)
	return int32(len(*items) - 1)
}

package trace

import (
	"io"
	"slices"
	"time"

	"github.com/cachesim/cachesim/traces/huge"
	"github.com/cachesim/cachesim/traces/keymap"
)

// Trace is a request sequence held in memory column by column. Columns a
// source does not carry are nil and cost nothing. A Trace is read-only once
// built, so any number of goroutines may replay it at once.
type Trace struct {
	// Name is the file name or workload description, for reports.
	Name  string
	Keys  []uint64
	Sizes []uint32 // nil: every size is 1
	Times []int64  // nil: no timestamps
	TTLs  []uint32 // nil: no per-request TTLs
	Ops   []Op     // nil: every request is a get
	Next  []int64  // nil until NextAccess fills it: index of the next request for the same key
	// Refs are the requests' key numbers and KeyRefs the numbering (nil
	// until NumberKeys fills them).
	Refs    []uint32
	KeyRefs *KeyRefs
	// Latencies are the backend latencies the trace recorded, in seconds (nil: none).
	Latencies []float64
	// Marks hold each request's Continues and Unsized (MarkContinues,
	// MarkUnsized; nil: none set).
	Marks []uint8
	// Tenants are the requests' tenants (nil: none); Tokens their token counts (nil: none).
	Tenants []uint32
	Tokens  []uint32
	// TenantNames name the tenants, tenant 1 first (nil: tenants, if any,
	// are known by number only); see TenantName.
	TenantNames []string
	// Origin is the clock time of the first request when the timestamps
	// are clock times (see Originer); zero otherwise.
	Origin time.Time
}

// NewTrace returns an empty Trace that stores the given optional fields.
func NewTrace(name string, f Fields) *Trace {
	t := &Trace{Name: name, Keys: []uint64{}}
	if f.Size {
		t.Sizes = []uint32{}
	}
	if f.Time {
		t.Times = []int64{}
	}
	if f.TTL {
		t.TTLs = []uint32{}
	}
	if f.Op {
		t.Ops = []Op{}
	}
	if f.Latency {
		t.Latencies = []float64{}
	}
	if f.Marks {
		t.Marks = []uint8{}
	}
	if f.Tenant {
		t.Tenants = []uint32{}
	}
	if f.Tokens {
		t.Tokens = []uint32{}
	}
	return t
}

// Len returns the number of requests.
func (t *Trace) Len() int { return len(t.Keys) }

// ColumnBytes is the memory of t's request columns at their lengths.
func (t *Trace) ColumnBytes() int64 {
	return int64(8*len(t.Keys) + 4*len(t.Sizes) + 8*len(t.Times) + 4*len(t.TTLs) + len(t.Ops) + 8*len(t.Next) + 4*len(t.Refs) +
		8*len(t.Latencies) + len(t.Marks) + 4*len(t.Tenants) + 4*len(t.Tokens))
}

// Append adds a request, keeping only the columns the trace stores.
func (t *Trace) Append(r *Request) {
	t.Keys = append(t.Keys, r.Key)
	if t.Sizes != nil {
		t.Sizes = append(t.Sizes, r.Size)
	}
	if t.Times != nil {
		t.Times = append(t.Times, r.Time)
	}
	if t.TTLs != nil {
		t.TTLs = append(t.TTLs, r.TTL)
	}
	if t.Ops != nil {
		t.Ops = append(t.Ops, r.Op)
	}
	if t.Latencies != nil {
		t.Latencies = append(t.Latencies, r.Latency)
	}
	if t.Marks != nil {
		t.Marks = append(t.Marks, marks(r))
	}
	if t.Tenants != nil {
		t.Tenants = append(t.Tenants, r.Tenant)
	}
	if t.Tokens != nil {
		t.Tokens = append(t.Tokens, r.Tokens)
	}
}

// The bits of Trace.Marks.
const (
	MarkContinues uint8 = 1 << iota
	MarkUnsized
)

// marks packs r's Continues and Unsized.
func marks(r *Request) uint8 {
	var m uint8
	if r.Continues {
		m |= MarkContinues
	}
	if r.Unsized {
		m |= MarkUnsized
	}
	return m
}

// AppendSparse adds a request like Append, to a trace whose optional
// columns start nil: a column of f is made only when a request first
// carries something other than the default (size 1, time 0, no TTL, a get,
// no latency), filled with the default before it. Loading a source that
// declares columns it turns out not to use (a text file before its header
// is seen) then costs only the keys.
func (t *Trace) AppendSparse(r *Request, f Fields) {
	n, c := len(t.Keys), cap(t.Keys)
	t.Keys = append(t.Keys, r.Key)
	addSparse(&t.Sizes, r.Size, 1, f.Size, n, c)
	addSparse(&t.Times, r.Time, 0, f.Time, n, c)
	addSparse(&t.TTLs, r.TTL, 0, f.TTL, n, c)
	addSparse(&t.Ops, r.Op, OpGet, f.Op, n, c)
	addSparse(&t.Latencies, r.Latency, 0, f.Latency, n, c)
	addSparse(&t.Marks, marks(r), 0, f.Marks, n, c)
	addSparse(&t.Tenants, r.Tenant, 0, f.Tenant, n, c)
	addSparse(&t.Tokens, r.Tokens, 0, f.Tokens, n, c)
}

// addSparse appends v to *col, the column of a trace holding n requests
// before this one: a nil column starts (n defaults def, then v) only when
// it is declared and v is not the default. A column that stays nil costs
// a test: loading writes nothing per request but the columns it keeps.
func addSparse[T comparable](col *[]T, v, def T, declared bool, n, capacity int) {
	if *col != nil || (v != def && declared) {
		appendSparse(col, v, def, n, capacity)
	}
}

// appendSparse is addSparse's append, out of line so that addSparse inlines.
func appendSparse[T comparable](col *[]T, v, def T, n, capacity int) {
	if *col == nil {
		*col = startColumn(n, def, v, capacity)
		return
	}
	*col = append(*col, v)
}

// startColumn returns a column of n default values def followed by v.
func startColumn[T any](n int, def, v T, capacity int) []T {
	col := huge.Make[T](n+1, max(capacity, n+1))
	for i := range n {
		col[i] = def
	}
	col[n] = v
	return col
}

// Shrink drops columns that turned out to carry no information (all sizes 1,
// all times 0, no TTLs, only gets) and trims spare capacity.
func (t *Trace) Shrink() {
	if t.Sizes != nil && allEqual(t.Sizes, 1) {
		t.Sizes = nil
	}
	if t.Times != nil && allEqual(t.Times, 0) {
		t.Times = nil
	}
	if t.TTLs != nil && allEqual(t.TTLs, 0) {
		t.TTLs = nil
	}
	if t.Ops != nil && allEqual(t.Ops, OpGet) {
		t.Ops = nil
	}
	if t.Latencies != nil && allEqual(t.Latencies, 0) {
		t.Latencies = nil
	}
	if t.Marks != nil && allEqual(t.Marks, 0) {
		t.Marks = nil
	}
	if t.Tenants != nil && allEqual(t.Tenants, 0) {
		t.Tenants = nil
	}
	if t.Tokens != nil && allEqual(t.Tokens, 0) {
		t.Tokens = nil
	}
	t.Keys = trim(t.Keys)
	t.Sizes = trim(t.Sizes)
	t.Times = trim(t.Times)
	t.TTLs = trim(t.TTLs)
	t.Ops = trim(t.Ops)
	t.Latencies = trim(t.Latencies)
	t.Marks = trim(t.Marks)
	t.Tenants = trim(t.Tenants)
	t.Tokens = trim(t.Tokens)
}

// Filter keeps the requests whose key keep accepts, in order, in place,
// and drops the next-access column (its indices no longer hold) and the
// key numbers.
func (t *Trace) Filter(keep func(key uint64) bool) {
	t.Next, t.Refs, t.KeyRefs = nil, nil, nil
	n := 0
	for i, k := range t.Keys {
		if !keep(k) {
			continue
		}
		t.Keys[n] = k
		filterMove(t.Sizes, n, i)
		filterMove(t.Times, n, i)
		filterMove(t.TTLs, n, i)
		filterMove(t.Ops, n, i)
		filterMove(t.Latencies, n, i)
		filterMove(t.Marks, n, i)
		filterMove(t.Tenants, n, i)
		filterMove(t.Tokens, n, i)
		n++
	}
	t.Keys = t.Keys[:n]
	t.Sizes = cut(t.Sizes, n)
	t.Times = cut(t.Times, n)
	t.TTLs = cut(t.TTLs, n)
	t.Ops = cut(t.Ops, n)
	t.Latencies = cut(t.Latencies, n)
	t.Marks = cut(t.Marks, n)
	t.Tenants = cut(t.Tenants, n)
	t.Tokens = cut(t.Tokens, n)
}

// filterMove moves element i of a column (nil: absent) to n.
func filterMove[T any](col []T, n, i int) {
	if col != nil {
		col[n] = col[i]
	}
}

// cut shortens a column (nil: absent) to n elements.
func cut[T any](col []T, n int) []T {
	if col == nil {
		return nil
	}
	return col[:n]
}

// At fills r with request i.
func (t *Trace) At(i int, r *Request) {
	r.Key = t.Keys[i]
	r.Size = 1
	if t.Sizes != nil {
		r.Size = t.Sizes[i]
	}
	r.Time = 0
	if t.Times != nil {
		r.Time = t.Times[i]
	}
	r.TTL = 0
	if t.TTLs != nil {
		r.TTL = t.TTLs[i]
	}
	r.Op = OpGet
	if t.Ops != nil {
		r.Op = t.Ops[i]
	}
	r.Latency = 0
	if t.Latencies != nil {
		r.Latency = t.Latencies[i]
	}
	r.Next = 0
	if t.Next != nil {
		r.Next = t.Next[i]
	}
	r.Continues, r.Unsized = false, false
	if t.Marks != nil {
		r.Continues, r.Unsized = t.Marks[i]&MarkContinues != 0, t.Marks[i]&MarkUnsized != 0
	}
	r.Tenant = 0
	if t.Tenants != nil {
		r.Tenant = t.Tenants[i]
	}
	r.Tokens = 0
	if t.Tokens != nil {
		r.Tokens = t.Tokens[i]
	}
	r.Ref = 0
	if t.Refs != nil {
		r.Ref = t.Refs[i]
	}
}

// Fill fills b with requests from, from+1, … as At does, a column at a
// time, which costs a fraction of At per request.
func (t *Trace) Fill(from int, b []Request) {
	to := from + len(b)
	for k, key := range t.Keys[from:to] {
		b[k] = Request{Key: key, Size: 1}
	}
	if t.Sizes != nil {
		for k, v := range t.Sizes[from:to] {
			b[k].Size = v
		}
	}
	if t.Times != nil {
		for k, v := range t.Times[from:to] {
			b[k].Time = v
		}
	}
	if t.TTLs != nil {
		for k, v := range t.TTLs[from:to] {
			b[k].TTL = v
		}
	}
	if t.Ops != nil {
		for k, v := range t.Ops[from:to] {
			b[k].Op = v
		}
	}
	if t.Latencies != nil {
		for k, v := range t.Latencies[from:to] {
			b[k].Latency = v
		}
	}
	if t.Next != nil {
		for k, v := range t.Next[from:to] {
			b[k].Next = v
		}
	}
	if t.Marks != nil {
		for k, v := range t.Marks[from:to] {
			b[k].Continues, b[k].Unsized = v&MarkContinues != 0, v&MarkUnsized != 0
		}
	}
	if t.Tenants != nil {
		for k, v := range t.Tenants[from:to] {
			b[k].Tenant = v
		}
	}
	if t.Tokens != nil {
		for k, v := range t.Tokens[from:to] {
			b[k].Tokens = v
		}
	}
	if t.Refs != nil {
		for k, v := range t.Refs[from:to] {
			b[k].Ref = v
		}
	}
}

// Fields reports which optional columns the trace stores.
func (t *Trace) Fields() Fields {
	return Fields{Time: t.Times != nil, Size: t.Sizes != nil, TTL: t.TTLs != nil, Op: t.Ops != nil, Latency: t.Latencies != nil,
		Marks: t.Marks != nil, Tenant: t.Tenants != nil, Tokens: t.Tokens != nil}
}

// HasUnsized reports whether a request is unsized (Request.Unsized).
func (t *Trace) HasUnsized() bool {
	for _, m := range t.Marks {
		if m&MarkUnsized != 0 {
			return true
		}
	}
	return false
}

// Reader returns a Reader that streams the trace from the start.
func (t *Trace) Reader() Reader { return &traceReader{t: t} }

// DistinctKeys counts the distinct keys.
func (t *Trace) DistinctKeys() int {
	n, _ := t.Footprint()
	return n
}

// Footprint returns the number of distinct keys and the sum of the sizes of
// the distinct objects (each at its first-seen size).
func (t *Trace) Footprint() (objects int, bytes int64) {
	var c Counter
	for i, k := range t.Keys {
		size := uint32(1)
		if t.Sizes != nil {
			size = t.Sizes[i]
		}
		c.add(k, size)
	}
	return c.Distinct, c.Bytes
}

// Each calls fn with every request of r, in order, and returns the first
// read error other than io.EOF. The request is reused: fn must not keep it.
func Each(r Reader, fn func(*Request)) error {
	var req Request
	for {
		if err := r.Read(&req); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		fn(&req)
	}
}

// Counter counts what a stream of requests holds without keeping it: the
// requests, the distinct keys and their footprint, and which optional
// fields carried information. Its memory follows the distinct keys (16 to
// 32 bytes each: a keymap.KeySet). The zero Counter is ready to use.
type Counter struct {
	// Requests counts every request added; Unsized those unsized
	// (Request.Unsized).
	Requests, Unsized int64
	// Distinct is the number of distinct keys; Bytes sums the sizes of the
	// distinct objects, each at its first-seen size.
	Distinct int
	Bytes    int64
	seen     keymap.KeySet
	carried  Fields
}

// Add counts r.
func (c *Counter) Add(r *Request) {
	c.Observe(r)
	c.add(r.Key, r.Size)
}

// AddNumbered counts r as Add does, for a caller that numbers the keys
// (KeyRefs.Number): isNew says r's key is first seen, and the Counter
// keeps no table of its own.
func (c *Counter) AddNumbered(r *Request, isNew bool) {
	c.Observe(r)
	if isNew {
		c.Distinct++
		c.Bytes += int64(r.Size)
	}
}

// Observe counts r and its fields but not its key, for callers that count
// the distinct keys on their own.
func (c *Counter) Observe(r *Request) {
	c.Requests++
	c.carried.Time = c.carried.Time || r.Time != 0
	c.carried.Size = c.carried.Size || r.Size != 1
	c.carried.TTL = c.carried.TTL || r.TTL != 0
	c.carried.Op = c.carried.Op || r.Op != OpGet
	c.carried.Latency = c.carried.Latency || r.Latency != 0
	c.carried.Marks = c.carried.Marks || r.Continues || r.Unsized
	if r.Unsized {
		c.Unsized++
	}
	c.carried.Tenant = c.carried.Tenant || r.Tenant != 0
	c.carried.Tokens = c.carried.Tokens || r.Tokens != 0
}

func (c *Counter) add(key uint64, size uint32) {
	if c.seen.Add(key) {
		c.Distinct++
		c.Bytes += int64(size)
	}
}

// Fields reports the optional fields that carried information in the
// requests added (those a loaded Trace keeps after Shrink): a time other
// than 0, a size other than 1, a TTL, an operation other than get, a
// latency.
func (c *Counter) Fields() Fields { return c.carried }

type traceReader struct {
	t *Trace
	i int
}

func (r *traceReader) Read(req *Request) error {
	if r.i >= r.t.Len() {
		return io.EOF
	}
	r.t.At(r.i, req)
	r.i++
	return nil
}

func (r *traceReader) Fields() Fields { return r.t.Fields() }

func allEqual[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x != v {
			return false
		}
	}
	return true
}

func trim[T any](s []T) []T {
	if s == nil || cap(s) == len(s) {
		return s
	}
	return append(make([]T, 0, len(s)), s...)
}

// ClientWrites reports whether t's clients write their own objects: it
// holds a key-value write (OpSet), as a cache-aside capture does. Its
// writes are the cache's own fills, not a store's (see sim/system).
func (t *Trace) ClientWrites() bool { return slices.Contains(t.Ops, OpSet) }

// Slice returns requests [from, to) of t as a trace of their own that
// shares t's columns (nothing is copied; neither may be appended to
// after). Times keep counting from t's first request, so Origin still
// holds; the next-access column is dropped (its indices would not).
func (t *Trace) Slice(from, to int) *Trace {
	if from == 0 && to == t.Len() {
		return t
	}
	s := *t
	s.Next = nil
	s.Keys = t.Keys[from:to]
	s.Sizes = sub(t.Sizes, from, to)
	s.Times = sub(t.Times, from, to)
	s.TTLs = sub(t.TTLs, from, to)
	s.Ops = sub(t.Ops, from, to)
	s.Latencies = sub(t.Latencies, from, to)
	s.Marks = sub(t.Marks, from, to)
	s.Tenants = sub(t.Tenants, from, to)
	s.Tokens = sub(t.Tokens, from, to)
	s.Refs = sub(t.Refs, from, to) // numbered as in t
	return &s
}

// sub returns elements [from, to) of a column (nil: absent), with no
// spare capacity, so that an append copies.
func sub[T any](col []T, from, to int) []T {
	if col == nil {
		return nil
	}
	return col[from:to:to]
}

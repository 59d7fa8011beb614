package traces

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cachesim/cachesim/traces/trace"
)

// Multi-key requests (batches) and tenants, as the readers find them.
//
// A batch is a run of consecutive requests each of which but the first
// has Request.Continues set: the keys of one MGET, of one MULTI/EXEC
// block, of the CSV rows or JSON lines that share a request id, or of one
// JSON line's list of keys. A tenant is a small number (Request.Tenant)
// standing for a name (a model, a Redis namespace) that a TenantTable keeps.

// TenantTable numbers tenant names from 1 in the order first seen. Looking
// up a name already seen allocates nothing.
type TenantTable struct {
	ids   map[string]uint32
	names []string
}

// MaxTenants bounds the distinct tenants of a trace: more is a sign that
// the tenant is taken from the wrong part of the key.
const MaxTenants = 1 << 16

// ID returns the number of name, adding it when new; ok is false when the
// table is full (MaxTenants).
func (tt *TenantTable) ID(name []byte) (id uint32, ok bool) {
	if id, ok := tt.ids[string(name)]; ok {
		return id, true
	}
	if len(tt.names) >= MaxTenants {
		return 0, false
	}
	if tt.ids == nil {
		tt.ids = map[string]uint32{}
	}
	s := string(name)
	tt.names = append(tt.names, s)
	tt.ids[s] = uint32(len(tt.names))
	return uint32(len(tt.names)), true
}

// Names returns the names, tenant 1 first.
func (tt *TenantTable) Names() []string { return tt.names }

// TenantNamer is implemented by readers whose requests carry tenants with
// names; ReadAll keeps them in Trace.TenantNames.
type TenantNamer interface {
	// TenantNames returns the name of every tenant, tenant 1 first.
	TenantNames() []string
}

// TenantRule derives a request's tenant from its key, as Redis namespaces
// are used: the first Fields fields of a string key split at Sep
// ("pred:model_a:9f1c" with 2 fields of ':' is "pred:model_a"); a key
// with no more fields than that is its whole key.
type TenantRule struct {
	Fields int
	Sep    byte
}

// TenantRuleForms documents what ParseTenantRule accepts.
const TenantRuleForms = `prefix:N: the first N ':'-separated fields of the key (pred:model_a:… with prefix:2 is pred:model_a); prefix:N:SEP splits at another one-character separator`

// ParseTenantRule parses "prefix:N" or "prefix:N:SEP".
func ParseTenantRule(s string) (TenantRule, error) {
	kind, rest, _ := strings.Cut(s, ":")
	if kind != "prefix" {
		return TenantRule{}, fmt.Errorf("%q: expected %s", s, TenantRuleForms)
	}
	ns, sep, hasSep := strings.Cut(rest, ":")
	n, err := strconv.Atoi(ns)
	if err != nil || n < 1 || n > 64 {
		return TenantRule{}, fmt.Errorf("%q: the number of fields must be from 1 to 64 (%s)", s, TenantRuleForms)
	}
	rule := TenantRule{Fields: n, Sep: ':'}
	if hasSep {
		if len(sep) != 1 {
			return TenantRule{}, fmt.Errorf("%q: the separator must be one character", s)
		}
		rule.Sep = sep[0]
	}
	return rule, nil
}

// String renders the rule as ParseTenantRule reads it.
func (r TenantRule) String() string {
	if r.Sep == ':' {
		return fmt.Sprintf("prefix:%d", r.Fields)
	}
	return fmt.Sprintf("prefix:%d:%c", r.Fields, r.Sep)
}

// Prefix returns the part of key that names its tenant: up to the
// Fields-th separator, or the whole key when it has fewer fields.
func (r TenantRule) Prefix(key []byte) []byte {
	end := 0
	for n := 0; n < r.Fields; n++ {
		i := bytes.IndexByte(key[end:], r.Sep)
		if i < 0 {
			return key
		}
		end += i
		if n+1 < r.Fields {
			end++
		}
	}
	return key[:end]
}

// tenants assigns tenants to requests from a name, a key or nothing, for
// the readers; its zero value assigns none.
type tenants struct {
	rule     *TenantRule
	table    TenantTable
	full     bool // MaxTenants was reached: the rest are tenant 0
	fromRule bool // some tenant came from a key by the rule
}

// fromName returns the tenant of a name (0 for an empty one).
func (t *tenants) fromName(name []byte) uint32 {
	if len(name) == 0 {
		return 0
	}
	id, ok := t.table.ID(name)
	t.full = t.full || !ok
	return id
}

// fromKey returns the tenant the rule derives from a string key (0 without a rule).
func (t *tenants) fromKey(key []byte) uint32 {
	if t.rule == nil {
		return 0
	}
	t.fromRule = true
	return t.fromName(t.rule.Prefix(key))
}

// notes names the tenants found and where from, and says when the table
// overflowed.
func (t *tenants) notes() []Note {
	names := t.table.Names()
	if len(names) == 0 {
		return nil
	}
	from := "a tenant column or field"
	if t.rule != nil && t.fromRule {
		from = fmt.Sprintf("the keys (%s)", t.rule)
	}
	list := names
	more := ""
	if len(list) > 10 {
		list, more = list[:10], fmt.Sprintf(" and %d more", len(names)-10)
	}
	notes := []Note{{Kind: NoteTenants, Text: fmt.Sprintf("%d tenants from %s: %s%s", len(names), from, strings.Join(list, ", "), more)}}
	if t.full {
		notes = append(notes, Note{Kind: NoteTenants, Text: fmt.Sprintf("more than %d tenants: the requests of the others have none (is the tenant taken from the right part of the key?)", MaxTenants)})
	}
	return notes
}

// batchCounter counts the multi-key requests a reader found, for its note.
type batchCounter struct {
	requests, keys int64
	cur, most      int64 // keys of the current request, and the most of any
}

// add counts a request that continues the one before, or starts a new one.
func (c *batchCounter) add(continues bool) {
	if !continues || c.requests == 0 {
		c.requests++
		c.cur = 0
	}
	c.keys++
	c.cur++
	c.most = max(c.most, c.cur)
}

// notes says how many requests of how many keys were found, and by what,
// when some had several keys.
func (c *batchCounter) notes(by string) []Note {
	if c.most < 2 {
		return nil
	}
	return []Note{{Kind: NoteBatches, Text: fmt.Sprintf("%s keys in %s requests of 1 to %d keys (mean %.1f), grouped by %s",
		Thousands(int64(c.keys)), Thousands(int64(c.requests)), c.most, float64(c.keys)/float64(c.requests), by)}}
}

// lineBatches finds the multi-key requests (consecutive lines with the
// same request id) and the tenants of a CSV or text trace.
type lineBatches struct {
	prev    []byte // the previous line's request id
	have    bool   // prev holds one (an empty id starts a request of its own)
	count   batchCounter
	tenants tenants
	// blockIndex is the previous row's block index (prompt traces), and
	// assumedTokens says a block took the default tokens.
	blockIndex    uint64
	assumedTokens bool
}

// continues reports whether a line of fields continues the request of the
// line before it: both have the same id in column request (0: none).
func (b *lineBatches) continues(fields [][]byte, request int) bool {
	if request == 0 {
		return false
	}
	id := fields[request-1]
	cont := len(id) > 0 && b.have && bytes.Equal(id, b.prev)
	b.prev, b.have = append(b.prev[:0], id...), len(id) > 0
	return cont
}

// batchAndTenant counts r, whose Continues is set, in its multi-key
// request, and sets its Tenant from the tenant column, or from its key by
// the tenant rule.
func (l *LineReader) batchAndTenant(r *trace.Request) {
	c, b := &l.opt.Columns, &l.batch
	if c.Request > 0 {
		b.count.add(r.Continues)
	}
	r.Tenant = 0
	switch {
	case c.Tenant > 0:
		r.Tenant = b.tenants.fromName(l.fields[c.Tenant-1])
	case l.opt.TenantFrom != nil:
		b.tenants.rule = l.opt.TenantFrom
		r.Tenant = b.tenants.fromKey(l.fields[l.keyCols[0]-1])
	}
}

// ErrNoBlocks says that a block size was given for a CSV that is not of
// prompt blocks.
var ErrNoBlocks = errors.New("not a CSV of prompt blocks")

// blockOf reads a prompt block's tokens and checks its index (the CSV form
// of a prompt trace: rows of one request in block order, from 0 or 1). A
// block without a tokens column holds BlockTokens (default
// DefaultBlockTokens), said in a note.
func (l *LineReader) blockOf(r *trace.Request) error {
	c, b := &l.opt.Columns, &l.batch
	r.Tokens = 0
	if l.opt.BlockTokens > 0 && (c.Block == 0 || c.Tokens > 0) {
		return fmt.Errorf("%w: a block size in tokens applies to a CSV of prompt blocks with a block index column and no tokens column", ErrNoBlocks)
	}
	if c.Tokens > 0 {
		n, err := parseSize(l.fields[c.Tokens-1])
		if err != nil || n == 0 {
			return l.sc.errorf(c.Tokens, "tokens: expected a positive integer, got %q", l.fields[c.Tokens-1])
		}
		r.Tokens = n
	} else if c.Block > 0 {
		r.Tokens = uint32(DefaultBlockTokens)
		if l.opt.BlockTokens > 0 {
			r.Tokens = uint32(l.opt.BlockTokens)
		}
		b.assumedTokens = true
	}
	if c.Block == 0 {
		return nil
	}
	idx, ok := parseUint(l.fields[c.Block-1])
	switch {
	case !ok:
		return l.sc.errorf(c.Block, "block index: expected a non-negative integer, got %q", l.fields[c.Block-1])
	case r.Continues && idx != b.blockIndex+1:
		return l.sc.errorf(c.Block, "block %d follows block %d of the same request: a prompt's rows must be in block order", idx, b.blockIndex)
	case !r.Continues && idx > 1:
		return l.sc.errorf(c.Block, "a request starts at block %d: its first block (0 or 1) is missing, or its rows are not in block order", idx)
	}
	b.blockIndex = idx
	return nil
}

// notes says what the request ids grouped, and when tenants overflowed.
func (b *lineBatches) notes(byColumn bool) []Note {
	var notes []Note
	if byColumn {
		notes = b.count.notes("the request id column")
	}
	if b.assumedTokens {
		notes = append(notes, Note{Kind: NoteBlockTokens, Text: "the prompt blocks have no tokens column: each holds the block size in tokens (vLLM's default, 16, unless given)"})
	}
	return append(notes, b.tenants.notes()...)
}

// TenantNames returns the names of the tenants read so far.
func (l *LineReader) TenantNames() []string { return l.batch.tenants.table.Names() }

// TenantNames returns the names of the tenants the reader found.
func (f *File) TenantNames() []string {
	if n, ok := f.Reader.(TenantNamer); ok {
		return n.TenantNames()
	}
	return nil
}

// monitorBatches follows the multi-key requests of Redis MONITOR output:
// a command with several keys (MGET, MSET, HMGET by field, DEL k1 k2) is
// one request, and so is every command between a client's MULTI and its
// EXEC (or DISCARD) — MONITOR shows a transaction's commands one after
// another, so a line from another client ends the block.
type monitorBatches struct {
	client  []byte // the client of the open MULTI block
	open    bool
	emitted int // requests emitted in the open block
	blocks  int64
	count   batchCounter
	tenants tenants
}

// line starts a line of client: a line from another client closes an open block.
func (b *monitorBatches) line(client []byte) {
	if b.open && !bytes.Equal(client, b.client) {
		b.open = false
	}
}

// transaction reads MULTI, EXEC and DISCARD, reporting whether name is one.
func (b *monitorBatches) transaction(name, client []byte) bool {
	switch string(name) {
	case "MULTI":
		b.client, b.open, b.emitted = append(b.client[:0], client...), true, 0
		b.blocks++
	case "EXEC", "DISCARD":
		b.open = false
	default:
		return false
	}
	return true
}

// continues reports whether a request emitted now continues the one
// before: a later key of the same command, or of the open block.
func (b *monitorBatches) continues(sameCommand bool) bool {
	c := sameCommand || (b.open && b.emitted > 0)
	if b.open {
		b.emitted++
	}
	b.count.add(c)
	return c
}

// key returns the key of a MONITOR argument and sets the tenant of the
// requests that follow from it (by the tenant rule, if any).
func (m *MonitorReader) key(arg []byte) uint64 {
	m.admit(arg)
	return inDatabase(ParseKey(arg), m.db)
}

// TenantNames returns the names of the tenants read so far.
func (m *MonitorReader) TenantNames() []string { return m.batch.tenants.table.Names() }

// batchNotes says what the multi-key commands and blocks grouped.
func (b *monitorBatches) notes() []Note {
	by := "command (MGET, MSET, HMGET, DEL …)"
	if b.blocks > 0 {
		blocks := "blocks"
		if b.blocks == 1 {
			blocks = "block"
		}
		by += fmt.Sprintf(" and MULTI/EXEC block (%d %s)", b.blocks, blocks)
	}
	return append(b.count.notes(by), b.tenants.notes()...)
}

// jsonBatches holds what a JSON line says of its request beyond one key:
// a list of keys, a request id, a tenant; and the requests a list expands to.
type jsonBatches struct {
	keys, id, tenant []byte // this line's raw values (nil: absent)
	prev             []byte // the previous line's request id
	have             bool
	pending          []trace.Request // the later keys of a line's list, still to be read
	next             int
	count            batchCounter
	byList, byID     bool
	tenants          tenants
}

// take keeps the value of a field of the line if it is one of the batch
// fields (keys, request id, tenant) and reports whether it was.
func (j *JSONReader) take(name, val []byte) bool {
	b := &j.batch
	switch {
	case bytes.Equal(name, j.keysField):
		b.keys = val
	case bytes.Equal(name, j.requestField):
		b.id = val
	case bytes.Equal(name, j.tenantField):
		b.tenant = val
	default:
		return false
	}
	return true
}

// pop fills r with the next key of a line's list, if any is left.
func (b *jsonBatches) pop(r *trace.Request) bool {
	if b.next >= len(b.pending) {
		return false
	}
	*r = b.pending[b.next]
	b.next++
	return true
}

// expand finishes r, the request of one line: its tenant and Continues,
// and, when the line lists its keys, the requests of the other keys
// (left in pending for Read). key is the key field's text (nil with a
// list); settle sizes a request of the line.
func (j *JSONReader) expand(r *trace.Request, key []byte, settle func(*trace.Request)) error {
	b := &j.batch
	b.pending, b.next = b.pending[:0], 0
	cont := len(b.id) > 0 && b.have && bytes.Equal(b.id, b.prev)
	b.prev, b.have = append(b.prev[:0], b.id...), len(b.id) > 0
	b.byID = b.byID || len(b.id) > 0
	if key != nil {
		keep, cont := j.keys.admit(key, cont)
		if !keep {
			return errDropped
		}
		r.Key = ParseKey(key)
		r.Tenant = j.tenantOf(key)
		r.Continues = cont
		b.count.add(cont)
		settle(r)
		return nil
	}
	b.byList = true
	p := jsonScanner{b: b.keys}
	if !p.consume('[') {
		return fmt.Errorf("%s: expected a list of keys", j.keysField)
	}
	proto := *r
	n := 0
	for first := true; !p.consume(']'); first = false {
		if !first && !p.consume(',') {
			return fmt.Errorf("%s: expected ',' or ']' in the list of keys", j.keysField)
		}
		v, isStr, ok := p.value()
		if !ok || len(v) == 0 {
			return fmt.Errorf("%s: expected a list of keys (strings or numbers)", j.keysField)
		}
		n++
		if err := checkJSONKey(v, isStr); err != nil {
			return fmt.Errorf("%s: key %d: %w", j.keysField, n, err)
		}
		keep, cont := j.keys.admit(v, cont || !first)
		if !keep {
			continue
		}
		b.pending = append(b.pending, proto)
		q := &b.pending[len(b.pending)-1] // settled in place: a local would escape to settle
		q.Key, q.Tenant, q.Continues = ParseKey(v), j.tenantOf(v), cont
		b.count.add(q.Continues)
		settle(q)
	}
	switch {
	case n == 0:
		return fmt.Errorf("%s: the list of keys is empty", j.keysField)
	case len(b.pending) == 0:
		return errDropped
	}
	*r = b.pending[0]
	b.next = 1
	return nil
}

// setTime sets the time of the requests of a line: r, and those of its
// list still to be read.
func (b *jsonBatches) setTime(r *trace.Request, t int64) {
	r.Time = t
	for i := b.next; i < len(b.pending); i++ {
		b.pending[i].Time = t
	}
}

// tenantOf returns the tenant of a line's key: the tenant field's, else
// the rule's from the key.
func (j *JSONReader) tenantOf(key []byte) uint32 {
	if j.batch.tenant != nil {
		return j.batch.tenants.fromName(j.batch.tenant)
	}
	return j.batch.tenants.fromKey(key)
}

// TenantNames returns the names of the tenants read so far.
func (j *JSONReader) TenantNames() []string { return j.batch.tenants.table.Names() }

// batchNotes says what grouped the keys into requests.
func (b *jsonBatches) notes(keys, id []byte) []Note {
	var by []string
	if b.byList {
		by = append(by, fmt.Sprintf("each line's %q list", keys))
	}
	if b.byID {
		by = append(by, fmt.Sprintf("the %q field", id))
	}
	return append(b.count.notes(strings.Join(by, " and ")), b.tenants.notes()...)
}

// writtenIDs writes the request id and tenant columns of a trace: a
// request id numbered from 1 that changes where a request does not
// continue the one before, and the tenant's name (its number when the
// reader has no names).
type writtenIDs struct {
	request uint64
	names   TenantNamer // nil: tenants by number
}

// append appends r's request id and tenant to b, as f asks.
func (w *writtenIDs) append(b []byte, sep byte, r *trace.Request, f trace.Fields) []byte {
	if f.Marks {
		if !r.Continues || w.request == 0 {
			w.request++
		}
		b = strconv.AppendUint(append(b, sep), w.request, 10)
	}
	if f.Tenant {
		b = append(b, sep)
		var names []string
		if w.names != nil {
			names = w.names.TenantNames()
		}
		switch {
		case r.Tenant == 0:
		case int(r.Tenant) <= len(names):
			b = appendField(b, names[r.Tenant-1], sep)
		default:
			b = strconv.AppendUint(b, uint64(r.Tenant), 10)
		}
	}
	return b
}

// appendField appends a text field: quoted in CSV when it holds the
// separator or a quote, its spaces made underscores in whitespace-separated text.
func appendField(b []byte, s string, sep byte) []byte {
	if sep == ' ' {
		return append(b, strings.ReplaceAll(s, " ", "_")...)
	}
	if !strings.ContainsAny(s, string(sep)+`"`) {
		return append(b, s...)
	}
	return append(append(append(b, '"'), strings.ReplaceAll(s, `"`, `""`)...), '"')
}

package traces

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"path"
	"sort"
	"strings"

	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cespare/xxhash/v2"
)

// MonitorOptions configure the reading of Redis MONITOR output.
type MonitorOptions struct {
	// Fields makes each field of a hash an object of its own (the key and
	// the field); otherwise the object is the Redis key, a hash whole.
	Fields bool
	// ChangeKeys, a glob (path.Match: * does not cross /), makes the
	// writes and deletes of the keys it matches changes of the truth
	// (trace.OpChange) instead of writes of the cache: the truth lives in
	// those keys and the simulated cache is in front of them.
	ChangeKeys string
	// ChangeChannel makes each PUBLISH on this channel a change of the
	// key its message names.
	ChangeChannel string
}

// MonitorReader reads the output of Redis's MONITOR command:
//
//	1339518083.107412 [0 127.0.0.1:60866] "GET" "key"
//
// Commands that read, write, expire or delete a key become requests, one per
// key (or per field, see MonitorOptions), in order; the second and later
// requests of one command have Continues set:
//
//   - Reads (gets): GET, MGET, EXISTS, TOUCH, GETEX (then an expire when
//     it sets or clears the TTL), HGET, HMGET, HGETALL, HEXISTS; GETDEL is a
//     get then a delete; GETSET and SET … GET a get then a set.
//   - Writes (sets), which store the object at its new size: SET (EX, PX,
//     EXAT, PXAT as the TTL, none without them, the key's remaining TTL
//     with KEEPTTL; NX, XX accepted), SETNX, SETEX, PSETEX, MSET, MSETNX
//     (no TTL); APPEND, SETRANGE, INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT,
//     HSET, HMSET, HSETNX, HINCRBY, HINCRBYFLOAT and HDEL (a hash that
//     loses fields is rewritten smaller), which keep the key's remaining
//     TTL, as Redis does.
//   - Expiry (expires, which change only the TTL of a cached key):
//     EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (an expiry already past
//     deletes), PERSIST (no TTL).
//   - Deletes: DEL, UNLINK (and HDEL per field with MonitorOptions.Fields);
//     FLUSHDB and FLUSHALL delete every key written before, in the
//     database or in all.
//
// Keys of different databases (the number before the client) are
// different objects. The reader follows each key's expiry as the server
// sets it, so that a write that keeps the TTL carries what remains of it.
// A read carries the size and TTL its key was last written with: a miss
// in a simulated cache stands for the cache-aside client's fill after it.
//
// Sizes: a string is its key's length plus its value's; APPEND adds to the
// key's last known size; INCR and the like keep it (or take the key's and
// the number's length); a hash is its key's length plus, per field, the
// field's and the value's, kept up to date by HSET and HDEL. A read, which
// MONITOR shows without its value, takes the key's last known size, or the
// default size for a key never sized (Options.DefaultSize); a note counts
// them. MONITOR shows MULTI/EXEC transactions, pipelines and Lua scripts'
// commands ("[0 lua]") as the commands they run, each on its line, so they
// are read as such. Every other command (PING, MULTI, EVAL, …) is counted
// by name in a note; the "OK" line MONITOR starts with is skipped.
type MonitorReader struct {
	sc     lineScanner
	opt    MonitorOptions
	args   [][]byte // arguments of the current line, command first
	argLen []int    // their unescaped lengths
	out    []trace.Request
	next   int           // index in out of the next request to return
	cur    trace.Request // time of the current line
	now    int64         // the current line's time in seconds since the epoch
	start  origin        // the first timestamp
	sizes  sizeMemo
	// fieldSizes are the sizes of the fields of hashes (field name plus
	// value), by field key, to keep a whole hash's size up to date.
	fieldSizes sizeMemo
	digest     *xxhash.Digest
	others     map[string]*int // commands read as no request, by name
	otherCount int
	client     []byte // the current line's client ("0 127.0.0.1:60866")
	db         uint64 // the current line's database
	// expires holds each key's expiry as the server set it (ns since the
	// trace's start), for the keys that have one; ttls the TTL the key was
	// last given (seconds), which a read carries: the TTL the client's
	// fill after a miss would give it.
	expires map[uint64]int64
	ttls    map[uint64]uint32
	// written lists every key ever written, in the order first written,
	// and writtenDB its database, for FLUSHDB and FLUSHALL.
	written   []uint64
	writtenDB []uint32
	batch     monitorBatches // multi-key requests and tenants (batch.go)
	// keys drops the keys it does not match: drop says the requests of
	// the key last read are dropped. ts is the current line's time, in
	// ns since the epoch: the time of its requests once one is kept.
	keys *keyFilter
	drop bool
	ts   int64
	badRecords
}

// maxOtherNames bounds the distinct command names the note lists.
const maxOtherNames = 64

// NewMonitorReader returns a reader of MONITOR output from r; name is used
// in error messages.
func NewMonitorReader(name string, r io.Reader, opt Options) *MonitorReader {
	m := &MonitorReader{
		sc: newLineScanner(name, r), opt: opt.Monitor, badRecords: badRecords{skip: opt.SkipBad},
		sizes: newSizeMemo(opt.DefaultSize), fieldSizes: newSizeMemo(0), digest: xxhash.New(), others: map[string]*int{},
		expires: map[uint64]int64{}, ttls: map[uint64]uint32{}, keys: newKeyFilter(name, opt.Keys),
	}
	m.batch.tenants.rule = opt.TenantFrom
	return m
}

func (m *MonitorReader) keyFilter() *keyFilter { return m.keys }

// Fields reports that MONITOR output carries every field.
func (m *MonitorReader) Fields() trace.Fields {
	return trace.Fields{Time: true, Size: true, TTL: true, Op: true, Marks: true, Tenant: m.batch.tenants.rule != nil}
}

// Notes counts the reads sized from other requests and lists the commands
// that were not read as requests.
func (m *MonitorReader) Notes() []Note {
	notes := append(m.sizes.notes(), m.batch.notes()...)
	if m.otherCount == 0 {
		return notes
	}
	names := make([]string, 0, len(m.others))
	for n := range m.others {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := *m.others[names[i]], *m.others[names[j]]
		return a > b || (a == b && names[i] < names[j])
	})
	var list []string
	for i, n := range names {
		if i == 10 {
			list = append(list, fmt.Sprintf("and %d more", len(names)-10))
			break
		}
		list = append(list, fmt.Sprintf("%s %d", n, *m.others[n]))
	}
	return append(notes, Note{Kind: NoteCommands, Text: fmt.Sprintf(
		"%d commands were not read as requests (no key, or not modelled): %s", m.otherCount, strings.Join(list, ", "))})
}

// Read fills r with the next request.
func (m *MonitorReader) Read(r *trace.Request) error {
	for m.next == len(m.out) {
		line, err := m.sc.next()
		if err == nil {
			err = m.parse(line)
		}
		if err = m.handle(err); err != nil {
			return err
		}
	}
	*r = m.out[m.next]
	m.next++
	return nil
}

// parse reads one line into m.out; a line that is no cache operation
// leaves it empty.
func (m *MonitorReader) parse(line []byte) error {
	m.out, m.next = m.out[:0], 0
	if bytes.Equal(line, []byte("OK")) {
		return nil
	}
	sp := bytes.IndexByte(line, ' ')
	if sp < 0 {
		return m.sc.errorf(0, `expected "time [db client] \"COMMAND\" ...", found %q`, line)
	}
	ts, err := parseTime(line[:sp], 1e9)
	if err != nil {
		return m.sc.wrap(1, err)
	}
	rest := line[sp+1:]
	if len(rest) == 0 || rest[0] != '[' {
		return m.sc.errorf(0, "expected [db client] after the time")
	}
	rb := bytes.IndexByte(rest, ']')
	if rb < 0 {
		return m.sc.errorf(0, "missing ']' after the client")
	}
	m.client = rest[1:rb]
	m.db = database(m.client)
	m.batch.line(m.client)
	rest = rest[rb+1:]
	m.args, m.argLen = m.args[:0], m.argLen[:0]
	for {
		rest = bytes.TrimLeft(rest, " ")
		if len(rest) == 0 {
			break
		}
		if rest[0] != '"' {
			return m.sc.errorf(0, "expected a double-quoted argument, found %q", rest)
		}
		arg, n, tail, ok := redisQuoted(rest)
		if !ok {
			return m.sc.errorf(0, "argument %d: missing closing quote", len(m.args)+1)
		}
		m.args, m.argLen, rest = append(m.args, arg), append(m.argLen, n), tail
	}
	if len(m.args) == 0 {
		return m.sc.errorf(0, "no command")
	}
	m.cur, m.now, m.ts, m.drop = trace.Request{}, ts/1e9, ts, false
	err = m.command()
	if err != nil {
		m.out = m.out[:0]
	}
	return err
}

// monitorCommand reads one kind of command: its name, its minimum number
// of arguments (the name not counted) and how it becomes requests.
type monitorCommand struct {
	name    string
	minArgs int
	read    func(m *MonitorReader, name string, args [][]byte, lens []int) error
}

// monitorCommands are the commands read as requests, by upper-case name.
var monitorCommands = func() map[string]monitorCommand {
	cmds := map[string]monitorCommand{}
	add := func(minArgs int, read func(*MonitorReader, string, [][]byte, []int) error, names ...string) {
		for _, n := range names {
			cmds[n] = monitorCommand{n, minArgs, read}
		}
	}
	add(1, readGets, "GET", "MGET", "EXISTS", "TOUCH")
	add(1, (*MonitorReader).readGetEx, "GETEX")
	add(1, (*MonitorReader).readGetDel, "GETDEL")
	add(2, (*MonitorReader).readSet, "SET", "SETNX", "GETSET")
	add(3, (*MonitorReader).readSetEx, "SETEX", "PSETEX")
	add(2, (*MonitorReader).readMSet, "MSET", "MSETNX")
	add(2, (*MonitorReader).readAppend, "APPEND")
	add(3, (*MonitorReader).readSetRange, "SETRANGE")
	add(1, (*MonitorReader).readIncr, "INCR", "DECR")
	add(2, (*MonitorReader).readIncr, "INCRBY", "DECRBY", "INCRBYFLOAT")
	add(1, readDels, "DEL", "UNLINK")
	add(0, (*MonitorReader).readFlush, "FLUSHDB", "FLUSHALL")
	add(2, (*MonitorReader).readExpire, "EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT")
	add(1, (*MonitorReader).readExpire, "PERSIST")
	add(2, (*MonitorReader).readHashGet, "HGET", "HEXISTS", "HMGET")
	add(1, (*MonitorReader).readHashGet, "HGETALL")
	add(3, (*MonitorReader).readHashSet, "HSET", "HMSET", "HSETNX", "HINCRBY", "HINCRBYFLOAT")
	add(2, (*MonitorReader).readHashDel, "HDEL")
	return cmds
}()

// command interprets m.args.
func (m *MonitorReader) command() error {
	var buf [16]byte
	cmd := m.args[0]
	n := min(len(cmd), len(buf))
	for i, c := range cmd[:n] {
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[i] = c
	}
	if m.batch.transaction(buf[:n], m.client) {
		return nil
	}
	if m.changes(string(buf[:n])) {
		return nil
	}
	c, ok := monitorCommands[string(buf[:n])]
	if !ok || len(cmd) > len(buf) {
		m.other(buf[:n])
		return nil
	}
	args, lens := m.args[1:], m.argLen[1:]
	if len(args) < c.minArgs {
		return m.sc.errorf(0, "%s: expected at least %d arguments, found %d", cmd, c.minArgs, len(args))
	}
	return c.read(m, c.name, args, lens)
}

// changes emits the changes of the truth the command name of the current
// line makes (see MonitorOptions.ChangeKeys and ChangeChannel), and reports
// whether it did: then the line is nothing else.
func (m *MonitorReader) changes(name string) bool {
	args := m.args[1:]
	if name == "PUBLISH" && m.opt.ChangeChannel != "" {
		if len(args) < 2 || string(args[0]) != m.opt.ChangeChannel {
			return false
		}
		m.emit(trace.OpChange, m.key(args[1]), 1, 0)
		return true
	}
	keys := changeKeyArgs[name]
	if m.opt.ChangeKeys == "" || keys == 0 || len(args) == 0 {
		return false
	}
	for i := 0; i < len(args); i += keys {
		if ok, _ := path.Match(m.opt.ChangeKeys, string(args[i])); !ok {
			return false // a command of other keys (or of some other keys) writes the cache
		}
		if keys == 1 && i == 0 && name != "DEL" && name != "UNLINK" {
			m.emit(trace.OpChange, m.key(args[0]), 1, 0)
			return true
		}
	}
	for i := 0; i < len(args); i += keys {
		m.emit(trace.OpChange, m.key(args[i]), 1, 0)
	}
	return true
}

// changeKeyArgs are the commands that write or delete keys, with the
// stride of their key arguments: 2 for MSET's key value pairs; 1 for DEL's
// keys, and for the others, whose key is their first argument.
var changeKeyArgs = func() map[string]int {
	m := map[string]int{"MSET": 2, "MSETNX": 2}
	for _, n := range []string{"SET", "SETNX", "GETSET", "SETEX", "PSETEX", "APPEND", "SETRANGE", "INCR", "DECR", "INCRBY",
		"DECRBY", "INCRBYFLOAT", "DEL", "UNLINK", "HSET", "HMSET", "HSETNX", "HINCRBY", "HINCRBYFLOAT", "HDEL", "GETDEL"} {
		m[n] = 1
	}
	return m
}()

// other counts a command that is read as no request.
func (m *MonitorReader) other(name []byte) {
	m.otherCount++
	n, ok := m.others[string(name)] // a lookup allocates nothing
	if !ok && len(m.others) == maxOtherNames {
		name = []byte("(other)")
		n, ok = m.others[string(name)]
	}
	if !ok {
		n = new(int)
		m.others[string(name)] = n
	}
	*n++
}

// admit applies the key filter to key, a key of the current command: the
// requests of it that follow are dropped, or kept with its tenant and the
// line's time.
func (m *MonitorReader) admit(key []byte) {
	m.drop = !m.keys.match(key)
	if !m.drop {
		m.stamp()
		m.cur.Tenant = m.batch.tenants.fromKey(key)
	}
}

// stamp gives the current line's requests its time: the first line that
// has one is time 0.
func (m *MonitorReader) stamp() { m.cur.Time = m.start.since(m.ts) }

// dropped reports whether the key filter dropped the current key, and
// counts a request of it when it did.
func (m *MonitorReader) dropped() bool {
	if m.drop {
		m.keys.tally(false)
	}
	return m.drop
}

// emit appends a request of the current command.
func (m *MonitorReader) emit(op trace.Op, key uint64, size, ttl uint32) {
	m.keys.tally(true)
	r := m.cur
	r.Op, r.Key, r.Size, r.TTL, r.Continues, r.Unsized = op, key, size, ttl, m.batch.continues(len(m.out) > 0), false
	m.out = append(m.out, r)
}

// emitRecalled appends a request of the current command for key, of its
// last known size (unsized when it has none).
func (m *MonitorReader) emitRecalled(op trace.Op, key uint64, ttl uint32) {
	size, known := m.sizes.recall(key)
	m.emit(op, key, size, ttl)
	m.out[len(m.out)-1].Unsized = !known
}

// get emits a read of key, of its last known size and TTL.
func (m *MonitorReader) get(key uint64) {
	if !m.dropped() {
		m.emitRecalled(trace.OpGet, key, m.ttls[key])
	}
}

// set emits a write of key with its new size and TTL (0: none).
func (m *MonitorReader) set(key uint64, size, ttl uint32) {
	if m.dropped() {
		return
	}
	m.setExpiry(key, ttl)
	m.store(key, size, ttl)
}

// write emits a write of key with its new size that keeps the key's TTL
// (APPEND, INCR, HSET, …): what remains of it, or none when it has
// expired.
func (m *MonitorReader) write(key uint64, size uint32) {
	if m.dropped() {
		return
	}
	ttl := m.remaining(key)
	if ttl == 0 {
		delete(m.ttls, key)
	}
	m.store(key, size, ttl)
}

// store emits a write of key with size and ttl, learning the size.
func (m *MonitorReader) store(key uint64, size, ttl uint32) {
	if _, known := m.sizes.known(key); !known {
		m.written, m.writtenDB = append(m.written, key), append(m.writtenDB, uint32(m.db))
	}
	m.sizes.learn(key, size)
	m.emit(trace.OpSet, key, size, ttl)
}

// expire emits a change of key's TTL (0: none).
func (m *MonitorReader) expire(key uint64, ttl uint32) {
	if m.dropped() {
		return
	}
	m.setExpiry(key, ttl)
	m.emitRecalled(trace.OpExpire, key, ttl)
}

// setExpiry records key's expiry, ttl seconds from now (0: none), and
// ttl as the TTL it was last given.
func (m *MonitorReader) setExpiry(key uint64, ttl uint32) {
	if ttl == 0 {
		delete(m.expires, key)
		delete(m.ttls, key)
		return
	}
	m.expires[key] = m.cur.Time + int64(ttl)*1e9
	m.ttls[key] = ttl
}

// remaining returns what remains of key's TTL in whole seconds, rounded
// up, or 0 when it has none or has expired.
func (m *MonitorReader) remaining(key uint64) uint32 {
	at, ok := m.expires[key]
	if !ok || at <= m.cur.Time {
		delete(m.expires, key)
		return 0
	}
	return uint32(min(ceilDiv(at-m.cur.Time, 1e9), math.MaxUint32))
}

// del emits a delete of key (of its last known size, which matters to no one).
func (m *MonitorReader) del(key uint64) {
	if m.dropped() {
		return
	}
	delete(m.expires, key)
	delete(m.ttls, key)
	size, ok := m.sizes.known(key)
	if !ok {
		size = m.sizes.def
	}
	m.emit(trace.OpDelete, key, size, 0)
}

// sum returns a + b as a size, saturated at the largest.
func sum(a, b uint64) uint32 { return uint32(min(a+b, math.MaxUint32)) }

// readGets reads GET, MGET, EXISTS and TOUCH: a read of each key.
func readGets(m *MonitorReader, _ string, args [][]byte, _ []int) error {
	for _, k := range args {
		m.get(m.key(k))
	}
	return nil
}

// readDels reads DEL and UNLINK: a delete of each key.
func readDels(m *MonitorReader, _ string, args [][]byte, _ []int) error {
	for _, k := range args {
		m.del(m.key(k))
	}
	return nil
}

// readFlush reads FLUSHDB and FLUSHALL: a delete of every key ever
// written in the current database, or in all of them, as one request.
func (m *MonitorReader) readFlush(name string, _ [][]byte, _ []int) error {
	m.stamp() // every key written was kept
	for i, key := range m.written {
		if name == "FLUSHALL" || uint64(m.writtenDB[i]) == m.db {
			m.del(key)
		}
	}
	return nil
}

// readGetEx reads GETEX key [EX s | PX ms | EXAT t | PXAT t | PERSIST].
func (m *MonitorReader) readGetEx(_ string, args [][]byte, _ []int) error {
	ttl, expired, err := m.expiry(args[1:])
	if err != nil {
		return err
	}
	key := m.key(args[0])
	m.get(key)
	switch {
	case expired:
		m.del(key)
	case ttl > 0 || hasOption(args[1:], "PERSIST"):
		m.expire(key, ttl)
	}
	return nil
}

// readGetDel reads GETDEL key: a read, then a delete.
func (m *MonitorReader) readGetDel(_ string, args [][]byte, _ []int) error {
	key := m.key(args[0])
	m.get(key)
	m.del(key)
	return nil
}

// readSet reads SET key value [options], SETNX and GETSET.
func (m *MonitorReader) readSet(name string, args [][]byte, lens []int) error {
	ttl, expired, err := m.expiry(args[2:])
	if err != nil {
		return err
	}
	key := m.key(args[0])
	if name == "GETSET" || hasOption(args[2:], "GET") {
		m.get(key)
	}
	if hasOption(args[2:], "KEEPTTL") {
		m.write(key, sum(uint64(lens[0]), uint64(lens[1])))
	} else {
		m.set(key, sum(uint64(lens[0]), uint64(lens[1])), ttl)
	}
	if expired {
		m.del(key)
	}
	return nil
}

// readSetEx reads SETEX key seconds value and PSETEX key ms value.
func (m *MonitorReader) readSetEx(name string, args [][]byte, lens []int) error {
	opt := "EX"
	if name == "PSETEX" {
		opt = "PX"
	}
	ttl, expired, err := m.ttl(opt, args[1])
	if err != nil {
		return err
	}
	key := m.key(args[0])
	m.set(key, sum(uint64(lens[0]), uint64(lens[2])), ttl)
	if expired {
		m.del(key)
	}
	return nil
}

// readMSet reads MSET and MSETNX key value…: a write of each key.
func (m *MonitorReader) readMSet(name string, args [][]byte, lens []int) error {
	if len(args)%2 != 0 {
		return m.sc.errorf(0, "%s: expected key value pairs, found %d arguments", name, len(args))
	}
	for i := 0; i < len(args); i += 2 {
		m.set(m.key(args[i]), sum(uint64(lens[i]), uint64(lens[i+1])), 0)
	}
	return nil
}

// readAppend reads APPEND key value: the value grows by value's length.
func (m *MonitorReader) readAppend(_ string, args [][]byte, lens []int) error {
	key := m.key(args[0])
	size, ok := m.sizes.known(key)
	if !ok {
		size = uint32(min(lens[0], math.MaxUint32))
	}
	m.write(key, sum(uint64(size), uint64(lens[1])))
	return nil
}

// readSetRange reads SETRANGE key offset value: the value grows to cover
// offset+len(value) when it is shorter.
func (m *MonitorReader) readSetRange(_ string, args [][]byte, lens []int) error {
	off, err := parseTime(args[1], 1)
	if err != nil || off < 0 || bytes.IndexByte(args[1], '.') >= 0 {
		return m.sc.errorf(0, "SETRANGE: expected an offset >= 0, got %q", args[1])
	}
	key := m.key(args[0])
	size, ok := m.sizes.known(key)
	if !ok {
		size = uint32(min(lens[0], math.MaxUint32))
	}
	end := uint64(lens[0]) + uint64(min(off, math.MaxUint32)) + uint64(lens[2])
	m.write(key, uint32(min(max(uint64(size), end), math.MaxUint32)))
	return nil
}

// readIncr reads INCR key, INCRBY key n and the like: the key keeps its
// last known size, or takes its length plus the number's.
func (m *MonitorReader) readIncr(_ string, args [][]byte, lens []int) error {
	key := m.key(args[0])
	size, ok := m.sizes.known(key)
	if !ok {
		n := 1 // INCR and DECR write "1" or "-1" to a new key
		if len(args) > 1 {
			n = lens[1]
		}
		size = sum(uint64(lens[0]), uint64(n))
	}
	m.write(key, size)
	return nil
}

// readExpire reads EXPIRE key s, PEXPIRE key ms, EXPIREAT key t, PEXPIREAT
// key t-ms (each with optional NX, XX, GT or LT) and PERSIST key: an
// expire of the key with the new TTL (none for PERSIST), or a delete when
// the expiry is already past.
func (m *MonitorReader) readExpire(name string, args [][]byte, _ []int) error {
	key := m.key(args[0])
	var ttl uint32
	if name != "PERSIST" {
		opt := "EX"
		switch name {
		case "PEXPIRE":
			opt = "PX"
		case "EXPIREAT":
			opt = "EXAT"
		case "PEXPIREAT":
			opt = "PXAT"
		}
		var expired bool
		var err error
		if ttl, expired, err = m.ttl(opt, args[1]); err != nil {
			return err
		}
		if expired {
			m.del(key)
			return nil
		}
	}
	m.expire(key, ttl)
	return nil
}

// fieldKey returns the key of field of the hash key: both hashed together.
func (m *MonitorReader) fieldKey(key, field []byte) uint64 {
	m.admit(key)
	m.digest.Reset()
	m.digest.Write(key)
	m.digest.Write([]byte{0})
	m.digest.Write(field)
	return inDatabase(m.digest.Sum64(), m.db)
}

// readHashGet reads HGET key field, HEXISTS key field, HMGET key field…
// and HGETALL key: a read of the hash, or of each field named.
func (m *MonitorReader) readHashGet(name string, args [][]byte, _ []int) error {
	if !m.opt.Fields {
		m.get(m.key(args[0]))
		return nil
	}
	if name == "HGETALL" {
		m.other([]byte("HGETALL")) // which fields it reads is unknown
		return nil
	}
	for _, f := range args[1:] {
		m.get(m.fieldKey(args[0], f))
	}
	return nil
}

// readHashSet reads HSET key field value…, HMSET, HSETNX key field value and
// HINCRBY key field n (HINCRBYFLOAT): a write of the hash with its new
// size, or of each field.
func (m *MonitorReader) readHashSet(name string, args [][]byte, lens []int) error {
	incr := strings.HasPrefix(name, "HINCRBY")
	if !incr && (len(args)-1)%2 != 0 {
		return m.sc.errorf(0, "%s: expected a key and field value pairs, found %d arguments", name, len(args))
	}
	if incr {
		args, lens = args[:3], lens[:3]
	}
	key := m.key(args[0])
	hash, ok := m.sizes.known(key)
	if !ok {
		hash = uint32(min(lens[0], math.MaxUint32))
	}
	for i := 1; i+1 < len(args); i += 2 {
		fk := m.fieldKey(args[0], args[i])
		old, known := m.fieldSizes.known(fk)
		size := sum(uint64(lens[i]), uint64(lens[i+1]))
		if known && (incr || name == "HSETNX") {
			size = old // HSETNX leaves a field that exists; HINCRBY keeps its length
		}
		m.fieldSizes.learn(fk, size)
		hash = sum(uint64(hash)-uint64(min(old, hash)), uint64(size))
		if m.opt.Fields {
			m.write(fk, sum(uint64(lens[0]), uint64(size)))
		}
	}
	if !m.opt.Fields {
		m.write(key, hash)
	}
	return nil
}

// readHashDel reads HDEL key field…: the hash rewritten without the fields
// (no smaller than its key), or a delete of each field.
func (m *MonitorReader) readHashDel(_ string, args [][]byte, lens []int) error {
	key := m.key(args[0])
	hash, hashKnown := m.sizes.known(key)
	for _, f := range args[1:] {
		fk := m.fieldKey(args[0], f)
		old, _ := m.fieldSizes.known(fk)
		m.fieldSizes.learn(fk, 0)
		hash -= min(old, hash)
		if m.opt.Fields {
			m.del(fk)
		}
	}
	if !m.opt.Fields {
		if !hashKnown {
			if !m.dropped() {
				m.emitRecalled(trace.OpSet, key, m.remaining(key))
			}
			return nil
		}

		m.write(key, max(hash, uint32(min(lens[0], math.MaxUint32))))
	}
	return nil
}

// hasOption reports whether opts holds the word o (in any case).
func hasOption(opts [][]byte, o string) bool {
	for _, x := range opts {
		if bytes.EqualFold(x, []byte(o)) {
			return true
		}
	}
	return false
}

// expiry reads the expiry options of SET and GETEX: EX s, PX ms, EXAT t,
// PXAT t-ms (PERSIST, KEEPTTL, NX, XX and GET need no value). It returns
// the TTL in seconds (0: none) and whether the expiry is already past.
func (m *MonitorReader) expiry(opts [][]byte) (ttl uint32, expired bool, err error) {
	for i := 0; i < len(opts); i++ {
		o := opts[i]
		var opt string
		for _, name := range []string{"EX", "PX", "EXAT", "PXAT"} {
			if bytes.EqualFold(o, []byte(name)) {
				opt = name
			}
		}
		if opt == "" {
			continue
		}
		if i+1 >= len(opts) {
			return 0, false, m.sc.errorf(0, "%s without a value", o)
		}
		i++
		if ttl, expired, err = m.ttl(opt, opts[i]); err != nil {
			return 0, false, err
		}
	}
	return ttl, expired, nil
}

// ttl turns the value v of expiry option opt (EX seconds, PX milliseconds
// rounded up, EXAT and PXAT Unix times, relative to the current line's
// time) into a TTL in seconds, reporting whether it is already past.
func (m *MonitorReader) ttl(opt string, v []byte) (uint32, bool, error) {
	n, err := parseTime(v, 1) // an integer, maybe negative
	if err != nil || bytes.IndexByte(v, '.') >= 0 {
		return 0, false, m.sc.errorf(0, "%s: expected an integer expiry, got %q", opt, v)
	}
	switch opt {
	case "PX":
		n = ceilDiv(n, 1000)
	case "EXAT":
		n -= m.now
	case "PXAT":
		n = ceilDiv(n, 1000) - m.now
	}
	if n <= 0 {
		return 0, true, nil
	}
	return uint32(min(n, math.MaxUint32)), false, nil
}

// ceilDiv returns a / b rounded up (b > 0).
func ceilDiv(a, b int64) int64 {
	if a > 0 {
		return (a + b - 1) / b
	}
	return a / b
}

// redisQuoted returns the raw contents of the quoted argument at the start
// of b as MONITOR prints it (escapes \" \\ \n \r \t \a \b \xHH kept), its
// unescaped length, and what follows.
func redisQuoted(b []byte) (raw []byte, n int, rest []byte, ok bool) {
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			if i+1 < len(b) && b[i+1] == 'x' {
				i += 3
			} else {
				i++
			}
		case '"':
			return b[1:i], n, b[i+1:], true
		}
		n++
	}
	return nil, 0, nil, false
}

// check parses one line, for format detection.
func (m *MonitorReader) check(line []byte) error {
	return m.parse(line)
}

// database returns the database number MONITOR prints first in the client
// field ("5 127.0.0.1:60866", "0 lua"): 0 when there is none.
func database(client []byte) uint64 {
	var db uint64
	for _, c := range client {
		if c < '0' || c > '9' || db > 1<<20 {
			break
		}
		db = db*10 + uint64(c-'0')
	}
	return db
}

// inDatabase returns the key of key in database db: key itself in
// database 0, a key of its own in any other, so that the same name in two
// databases names two objects.
func inDatabase(key, db uint64) uint64 {
	if db == 0 {
		return key
	}
	x := key ^ db*0x9e3779b97f4a7c15
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

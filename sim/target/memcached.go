package target

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cachesim/cachesim/policy"
	"github.com/cachesim/cachesim/sim/target/internal/loopback"
	"github.com/cachesim/cachesim/traces/trace"
)

// mcConn is a memcached text-protocol client: pipelined get/set/delete.
type mcConn struct {
	c       net.Conn
	r       *bufio.Reader
	w       *bufio.Writer
	scratch []byte
}

func newMC(c net.Conn) *mcConn {
	return &mcConn{c: c, r: bufio.NewReaderSize(c, 64<<10), w: bufio.NewWriterSize(c, 64<<10), scratch: make([]byte, 0, 64)}
}

// maxRelativeTTL is the largest exptime memcached reads as seconds from now;
// larger values are absolute Unix times.
const maxRelativeTTL = 30 * 24 * 3600

func (c *mcConn) command(name string, key uint64) {
	c.scratch = append(c.scratch[:0], name...)
	c.scratch = appendKey(c.scratch, key)
}

func (c *mcConn) get(k uint64) {
	c.command("get ", k)
	c.w.Write(append(c.scratch, "\r\n"...))
}

func (c *mcConn) del(k uint64) {
	c.command("delete ", k)
	c.w.Write(append(c.scratch, "\r\n"...))
}

func (c *mcConn) expire(k uint64, ttl uint32) {
	c.command("touch ", k)
	c.scratch = append(c.scratch, ' ')
	c.scratch = strconv.AppendInt(c.scratch, mcExptime(ttl), 10)
	c.w.Write(append(c.scratch, "\r\n"...))
}

// mcExptime is memcached's exptime for a TTL: relative up to 30 days,
// an absolute Unix time beyond.
func mcExptime(ttl uint32) int64 {
	exp := int64(ttl)
	if exp > maxRelativeTTL {
		exp += time.Now().Unix()
	}
	return exp
}

func (c *mcConn) set(k uint64, value []byte, ttl uint32) {
	exp := mcExptime(ttl)
	c.command("set ", k)
	c.scratch = append(c.scratch, " 0 "...)
	c.scratch = strconv.AppendInt(c.scratch, exp, 10)
	c.scratch = append(c.scratch, ' ')
	c.scratch = strconv.AppendInt(c.scratch, int64(len(value)), 10)
	c.scratch = append(c.scratch, "\r\n"...)
	c.w.Write(c.scratch)
	c.w.Write(value)
	c.w.WriteString("\r\n")
}

func (c *mcConn) flush() error                  { return c.w.Flush() }
func (c *mcConn) setDeadline(t time.Time) error { return c.c.SetDeadline(t) }
func (c *mcConn) close() error                  { return c.c.Close() }

// line reads one reply line without its CRLF.
func (c *mcConn) line() ([]byte, error) {
	b, err := c.r.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("reply line longer than %d bytes: not a memcached server?", c.r.Size())
		}
		return nil, err
	}
	return bytes.TrimRight(b, "\r\n"), nil
}

// unexpected is the error for a reply that is not what the command expects.
func unexpected(l []byte) error {
	if bytes.HasPrefix(l, []byte("CLIENT_ERROR")) || bytes.HasPrefix(l, []byte("SERVER_ERROR")) || bytes.Equal(l, []byte("ERROR")) {
		return fmt.Errorf("memcached: %s", l)
	}
	return fmt.Errorf("unexpected reply %q: not a memcached server?", l)
}

func (c *mcConn) readGet() (bool, error) {
	l, err := c.line()
	if err != nil {
		return false, err
	}
	if string(l) == "END" {
		return false, nil
	}
	if !bytes.HasPrefix(l, []byte("VALUE ")) {
		return false, unexpected(l)
	}
	// VALUE key flags bytes [cas]
	f := l[6:]
	for range 2 {
		_, f, _ = bytes.Cut(f, []byte(" "))
	}
	f, _, _ = bytes.Cut(f, []byte(" "))
	n, err := strconv.Atoi(string(f))
	if err != nil {
		return false, unexpected(l)
	}
	if _, err := c.r.Discard(n + 2); err != nil {
		return false, err
	}
	if l, err = c.line(); err != nil || string(l) != "END" {
		if err == nil {
			err = unexpected(l)
		}
		return false, err
	}
	return true, nil
}

func (c *mcConn) readSet() (bool, error) {
	l, err := c.line()
	switch {
	case err != nil:
		return false, err
	case string(l) == "STORED":
		return true, nil
	case string(l) == "NOT_STORED", bytes.HasPrefix(l, []byte("SERVER_ERROR")):
		return false, nil // out of memory, or larger than the item size limit
	}
	return false, unexpected(l)
}

func (c *mcConn) readExpire() error {
	l, err := c.line()
	if err == nil && string(l) != "TOUCHED" && string(l) != "NOT_FOUND" {
		err = unexpected(l)
	}
	return err
}

func (c *mcConn) readDel() error {
	l, err := c.line()
	if err == nil && string(l) != "DELETED" && string(l) != "NOT_FOUND" {
		err = unexpected(l)
	}
	return err
}

// simple sends a one-line command and returns the reply lines up to one
// for which last returns true.
func (c *mcConn) simple(cmd string, last func(string) bool) ([]string, error) {
	c.c.SetDeadline(time.Now().Add(dialTimeout))
	c.w.WriteString(cmd + "\r\n")
	if err := c.w.Flush(); err != nil {
		return nil, err
	}
	var out []string
	for {
		l, err := c.line()
		if err != nil {
			return nil, err
		}
		s := string(l)
		if s == "ERROR" || strings.HasPrefix(s, "CLIENT_ERROR") || strings.HasPrefix(s, "SERVER_ERROR") {
			return nil, unexpected(l)
		}
		out = append(out, s)
		if last(s) {
			return out, nil
		}
	}
}

// memcachedTarget is a memcached server, maybe one we started.
type memcachedTarget struct {
	addr  string
	cfg   Config
	ctl   *mcConn
	proc  *loopback.Server // the spawned server
	limit int64            // the spawned server's -m in bytes
	mu    sync.Mutex       // guards proc and ctl against a Close from a signal handler
}

func openMemcached(u *url.URL, cfg Config) (Target, error) {
	t := &memcachedTarget{addr: hostPort(u, "11211"), cfg: cfg}
	if cfg.Spawn {
		return t, nil // started by Prepare, which knows the memory limit
	}
	if err := t.connect(); err != nil {
		return nil, err
	}
	c, err := t.Counters()
	if err != nil {
		t.ctl.close()
		return nil, err
	}
	if c.Keys > 0 && !cfg.Flush {
		t.ctl.close()
		return nil, fmt.Errorf("memcached target %s holds %d items: %w", t.addr, c.Keys, ErrNotEmpty)
	}
	return t, nil
}

func (t *memcachedTarget) String() string {
	if t.proc != nil {
		return fmt.Sprintf("memcached %s (spawned, -m %d)", t.addr, t.limit>>20)
	}
	return "memcached " + t.addr
}

func (t *memcachedTarget) Kind() string { return "memcached" }

// connect opens the control connection and checks the server speaks memcached.
func (t *memcachedTarget) connect() error {
	nc, err := dialTCP("memcached", t.addr)
	if err != nil {
		return err
	}
	c := newMC(nc)
	v, err := c.simple("version", func(string) bool { return true })
	if err == nil && !strings.HasPrefix(v[0], "VERSION ") {
		err = fmt.Errorf("version answered %q", v[0])
	}
	if err != nil {
		c.close()
		return fmt.Errorf("memcached target %s: not a memcached server? %w", t.addr, err)
	}
	t.ctl = c
	return nil
}

func (t *memcachedTarget) dial() (conn, error) {
	nc, err := dialTCP("memcached", t.addr)
	if err != nil {
		return nil, err
	}
	return newMC(nc), nil
}

// Prepare empties the server; a spawned one is (re)started with maxMemory,
// which must be whole MiB; a running one's limit cannot change (-m is a
// start-up flag), so maxMemory must be 0 or equal to it.
func (t *memcachedTarget) Prepare(maxMemory int64) error {
	if t.cfg.Spawn {
		if maxMemory <= 0 {
			return ErrSpawnNeedsLimit
		}
		if maxMemory%(1<<20) != 0 {
			return fmt.Errorf("a memcached of our own: the memory limit must be a whole number of MiB (memcached -m), not %d bytes", maxMemory)
		}
		if t.proc == nil || t.limit != maxMemory {
			t.stop()
			if err := t.spawn(maxMemory); err != nil {
				return err
			}
		}
	} else if maxMemory > 0 {
		c, err := t.Counters()
		if err != nil {
			return err
		}
		if c.MemoryLimit != maxMemory {
			return fmt.Errorf("memcached target %s has a memory limit of %d MiB, set when it started (-m); it cannot be changed to %d bytes: %w", t.addr, c.MemoryLimit>>20, maxMemory, ErrFixedLimit)
		}
	}
	_, err := t.ctl.simple("flush_all", func(string) bool { return true })
	return err
}

// spawn starts memcached on a free loopback port with -m maxMemory.
func (t *memcachedTarget) spawn(maxMemory int64) error {
	bin := t.cfg.Binary
	if bin == "" {
		bin = "memcached"
	}
	args := func(port string) []string {
		a := append([]string{"-l", "127.0.0.1", "-p", port, "-U", "0"}, loopback.MemcachedMemoryArgs(maxMemory>>20)...)
		if os.Geteuid() == 0 {
			a = append(a, "-u", "root") // memcached refuses root without -u
		}
		return a
	}
	var stderr bytes.Buffer
	s, err := loopback.Start(bin, args, &stderr)
	if err != nil {
		return fmt.Errorf("starting memcached -m %d: %v (is memcached installed? apt-get install memcached) %s", maxMemory>>20, err, stderr.String())
	}
	t.mu.Lock()
	t.proc, t.limit, t.addr = s, maxMemory, s.Addr
	t.mu.Unlock()
	return t.connect()
}

// stop ends the spawned server, if any.
func (t *memcachedTarget) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ctl != nil {
		t.ctl.close()
		t.ctl = nil
	}
	if t.proc != nil {
		t.proc.Stop()
		t.proc = nil
	}
}

// stats sends "stats" with an argument ("" for none) and returns its STAT lines by name.
func (t *memcachedTarget) stats(arg string) (map[string]string, error) {
	cmd := strings.TrimSpace("stats " + arg)
	lines, err := t.ctl.simple(cmd, func(s string) bool { return s == "END" })
	if err != nil {
		return nil, fmt.Errorf("memcached target %s: %s: %w", t.addr, cmd, err)
	}
	return parseStats(lines, " "), nil
}

func (t *memcachedTarget) Counters() (Counters, error) {
	var m [3]map[string]string
	for i, arg := range []string{"", "slabs", "settings"} {
		var err error
		if m[i], err = t.stats(arg); err != nil {
			return Counters{}, err
		}
	}
	s, slabs := m[0], m[1]
	return Counters{
		Hits: statUint(s, "get_hits"), Misses: statUint(s, "get_misses"),
		Evictions: statUint(s, "evictions"), Expired: statUint(s, "expired_unfetched") + statUint(s, "reclaimed"),
		UsedMemory: statInt(s, "bytes"), MemoryLimit: statInt(s, "limit_maxbytes"),
		Keys: statInt(s, "curr_items"), Policy: "memcached",
		SlabMemory: statInt(slabs, "total_malloced"), ChunkMemory: chunkMemory(slabs),
		SlabClasses: int(statInt(slabs, "active_slabs")), Model: memcachedModel(m[2]),
	}, nil
}

// chunkMemory adds up chunk_size × used_chunks over the classes of stats slabs.
func chunkMemory(slabs map[string]string) int64 {
	var total int64
	for k, v := range slabs {
		class, name, ok := strings.Cut(k, ":")
		if !ok || name != "chunk_size" {
			continue
		}
		size, _ := strconv.ParseInt(v, 10, 64)
		total += size * statInt(slabs, class+":used_chunks")
	}
	return total
}

// Close stops a spawned server; a running one is left as it is.
func (t *memcachedTarget) Close() error {
	t.stop()
	return nil
}

// memcachedModel returns the memcached model's spec for a server's stats
// settings, naming only the settings that differ from the model's
// defaults ("memcached" for a server run with none).
func memcachedModel(settings map[string]string) string {
	info, _ := policy.Lookup("memcached")
	params := policy.Params{}
	set := func(name, v string) {
		for _, p := range info.Params {
			if p.Name == name && v != "" && !sameNumber(p.Default, v) {
				params[name] = v
			}
		}
	}
	yes := func(name string) string {
		if v, ok := settings[name]; ok {
			return strconv.FormatBool(v == "yes")
		}
		return ""
	}
	set("factor", settings["growth_factor"])
	set("chunk", settings["chunk_size"])
	set("cas", yes("cas_enabled"))
	set("hot-max-factor", settings["hot_max_factor"])
	set("warm-max-factor", settings["warm_max_factor"])
	set("automove", settings["slab_automove"])
	set("automove-ratio", settings["slab_automove_ratio"])
	set("automove-window", settings["slab_automove_window"])
	for _, pct := range []string{"hot", "warm"} {
		if v, err := strconv.ParseFloat(settings[pct+"_lru_pct"], 64); err == nil {
			set(pct, strconv.FormatFloat(v/100, 'g', -1, 64))
		}
	}
	if settings["temp_lru"] == "yes" {
		set("temp-ttl", settings["temporary_ttl"])
	}
	if settings["slab_reassign"] == "no" {
		params["automove"] = "0"
	}
	// item-max and chunk-max default to the page and half of it.
	itemMax := statInt(settings, "item_size_max")
	if itemMax > 0 && itemMax != 1<<20 {
		params["item-max"] = settings["item_size_max"]
	}
	if itemMax <= 0 {
		itemMax = 1 << 20
	}
	if cm := statInt(settings, "slab_chunk_max"); cm > 0 && cm != min(1<<19, itemMax) {
		params["chunk-max"] = settings["slab_chunk_max"]
	}
	return policy.Spec{Name: "memcached", Params: params}.String()
}

// sameNumber reports whether a and b are the same number, or the same
// string when either is not a number.
func sameNumber(a, b string) bool {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	if errA != nil || errB != nil {
		return a == b
	}
	return x == y
}

// memcachedSizes is what the memcached model (the policy memcached) tells
// of an item's place in the server's memory.
type memcachedSizes interface {
	// ItemSize returns the bytes memcached stores for an object of size
	// bytes under key (ITEM_ntotal).
	ItemSize(key uint64, size uint32) int64
	// ChunkSize returns the chunk size of the slab class such an object
	// goes to, or 0 when it is too large to store.
	ChunkSize(key uint64, size uint32) int64
}

// memcachedValueBytes estimates the value bytes of the items left in a
// memcached: their bytes (ITEM_ntotal summed) less, for each, what the
// model says an empty value's item takes with a key of the trace's mean
// length over its requests.
func memcachedValueBytes(t *trace.Trace, c Counters) int64 {
	spec, err := policy.ParseSpec(c.Model)
	if err != nil || t.Len() == 0 {
		return 0
	}
	p, err := policy.New(spec, policy.Config{Capacity: 1})
	if err != nil {
		return 0
	}
	m := p.(memcachedSizes)
	var empty float64
	for _, k := range t.Keys {
		empty += float64(m.ItemSize(k, 0))
	}
	return max(c.UsedMemory-int64(empty/float64(t.Len())*float64(c.Keys)), 0)
}

package target

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/cachesim/cachesim/sim"
)

// redisTarget is a Redis server and one of its databases.
type redisTarget struct {
	addr, user, pass string
	db               int
	cfg              Config
	ctl              *respConn
	saved            [][2]string // settings as found, restored by Close
	changed          bool
	// mu serialises the control connection and the saved settings, so that
	// Close may run from a signal handler while Prepare or Counters runs.
	mu sync.Mutex
}

// redisSettings are the CONFIG parameters a replay may change, in the order
// they are set (maxmemory last, after the database is emptied).
var redisSettings = []string{"maxmemory-policy", "maxmemory-samples", "lfu-log-factor", "lfu-decay-time", "maxmemory"}

func openRedis(u *url.URL, cfg Config) (Target, error) {
	t := &redisTarget{addr: hostPort(u, "6379"), cfg: cfg, db: cfg.DB}
	if u.User != nil {
		t.user = u.User.Username()
		t.pass, _ = u.User.Password()
		if t.pass == "" { // redis://password@host
			t.user, t.pass = "", t.user
		}
	}
	if t.db < -1 {
		return nil, fmt.Errorf("redis target %s: database %d: expected a database number, 0 or more (-1: the URL's)", t.addr, t.db)
	}
	if t.db < 0 {
		t.db = 0
		if p := strings.Trim(u.Path, "/"); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("redis target %s: database %q in the URL is not a number", t.addr, p)
			}
			t.db = n
		}
	}
	c, err := t.connect()
	if err != nil {
		return nil, err
	}
	t.ctl = c
	if err := t.check(); err != nil {
		c.close()
		return nil, err
	}
	return t, nil
}

func (t *redisTarget) String() string { return fmt.Sprintf("redis %s db %d", t.addr, t.db) }
func (t *redisTarget) Kind() string   { return "redis" }

// fail wraps an error with the target's name.
func (t *redisTarget) fail(what string, err error) error {
	return fmt.Errorf("redis target %s: %s: %w", t.addr, what, err)
}

// connect dials, authenticates and selects the database.
func (t *redisTarget) connect() (*respConn, error) {
	nc, err := dialTCP("redis", t.addr)
	if err != nil {
		return nil, err
	}
	c := newRESP(nc)
	fail := func(err error) (*respConn, error) {
		c.close()
		return nil, err
	}
	// A server at its maxclients answers a new connection's first command
	// with this error and closes it.
	var se serverError
	full := func(err error) bool {
		return errors.As(err, &se) && strings.Contains(string(se), "max number of clients reached")
	}
	const fullMsg = "redis target %s refused the connection: max number of clients reached (its maxclients); close other clients, give fewer connections, or raise maxclients"
	if t.pass != "" {
		args := []string{"AUTH", t.pass}
		if t.user != "" {
			args = []string{"AUTH", t.user, t.pass}
		}
		if _, err := c.do(args...); err != nil {
			if full(err) {
				return fail(fmt.Errorf(fullMsg, t.addr))
			}
			return fail(t.fail("authentication failed (check the password in the target URL)", err))
		}
	}
	pong, err := c.do("PING")
	switch {
	case full(err):
		return fail(fmt.Errorf(fullMsg, t.addr))
	case errors.As(err, &se) && strings.HasPrefix(string(se), "NOAUTH"):
		return fail(fmt.Errorf("redis target %s requires authentication: give the password in the target, redis://:PASSWORD@%s (or redis://USER:PASSWORD@…)", t.addr, t.addr))
	case err != nil:
		return fail(t.fail("PING failed (is this a Redis server?)", err))
	case pong != "PONG":
		return fail(fmt.Errorf("redis target %s: PING answered %q, not PONG: not a Redis server?", t.addr, pong))
	}
	if _, err := c.do("SELECT", strconv.Itoa(t.db)); err != nil {
		return fail(t.fail(fmt.Sprintf("SELECT %d", t.db), err))
	}
	return c, nil
}

func (t *redisTarget) dial() (conn, error) { return t.connect() }

// check makes sure a replay would only touch the chosen database: it holds
// no keys (unless Flush) and no other database holds keys that eviction,
// which is server-wide, could remove; and CONFIG is available.
func (t *redisTarget) check() error {
	n, err := t.dbSize()
	if err != nil {
		return err
	}
	if n > 0 && !t.cfg.Flush {
		return fmt.Errorf("redis target %s: db %d holds %d keys: %w", t.addr, t.db, n, ErrNotEmpty)
	}
	info, err := t.info("keyspace")
	if err != nil {
		return err
	}
	var dbs []int // the other databases with keys, in order
	for k := range info {
		if n, err := strconv.Atoi(strings.TrimPrefix(k, "db")); err == nil && n != t.db {
			dbs = append(dbs, n)
		}
	}
	slices.Sort(dbs)
	var others []string
	for _, db := range dbs {
		keys, _, _ := strings.Cut(strings.TrimPrefix(info[fmt.Sprintf("db%d", db)], "keys="), ",")
		others = append(others, fmt.Sprintf("db%d holds %s keys", db, keys))
	}
	if len(others) > 0 {
		return fmt.Errorf("redis target %s: %s, and eviction under a memory limit is server-wide: it could remove them; use a server whose other databases are empty", t.addr, strings.Join(others, ", "))
	}
	for _, name := range redisSettings {
		v, err := t.ctl.do("CONFIG", "GET", name)
		if err != nil {
			return t.fail("CONFIG GET "+name+" (is CONFIG disabled on this server?)", err)
		}
		pair, ok := v.([]any)
		if !ok || len(pair) != 2 {
			return fmt.Errorf("redis target %s: CONFIG GET %s gave %v", t.addr, name, v)
		}
		val, _ := pair[1].(string)
		t.saved = append(t.saved, [2]string{name, val})
	}
	return nil
}

func (t *redisTarget) dbSize() (int64, error) {
	v, err := t.ctl.do("DBSIZE")
	if err != nil {
		return 0, t.fail("DBSIZE", err)
	}
	n, _ := v.(int64)
	return n, nil
}

// info returns one INFO section as a map.
func (t *redisTarget) info(section string) (map[string]string, error) {
	v, err := t.ctl.do("INFO", section)
	if err != nil {
		return nil, t.fail("INFO "+section, err)
	}
	s, _ := v.(string)
	return parseStats(strings.Split(s, "\n"), ":"), nil
}

func (t *redisTarget) set(name, value string) error {
	t.changed = true
	if _, err := t.ctl.do("CONFIG", "SET", name, value); err != nil {
		return t.fail(fmt.Sprintf("CONFIG SET %s %s", name, value), err)
	}
	return nil
}

// Prepare sets the policy parameters (a bad value fails before anything is
// emptied), empties the database and sets maxmemory.
func (t *redisTarget) Prepare(maxMemory int64) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	opt := func(p *int) string {
		if p == nil {
			return ""
		}
		return strconv.Itoa(*p)
	}
	want := map[string]string{"maxmemory-policy": t.cfg.Policy, "maxmemory-samples": opt(t.cfg.Samples),
		"lfu-log-factor": opt(t.cfg.LogFactor), "lfu-decay-time": opt(t.cfg.DecayTime)}
	if maxMemory > 0 {
		want["maxmemory"] = strconv.FormatInt(maxMemory, 10)
	}
	for _, name := range redisSettings {
		if name == "maxmemory" {
			if _, err := t.ctl.do("FLUSHDB"); err != nil {
				return t.fail("FLUSHDB", err)
			}
			if err := t.checkBaseline(maxMemory); err != nil {
				t.restore()
				return err
			}
		}
		if v := want[name]; v != "" {
			if err := t.set(name, v); err != nil {
				t.restore()
				return err
			}
		}
	}
	return nil
}

// checkBaseline refuses a memory limit at or below what the server uses
// with the database empty: every write would be refused, and the
// simulation would have no room to set beside it.
func (t *redisTarget) checkBaseline(maxMemory int64) error {
	if maxMemory <= 0 {
		return nil
	}
	mem, err := t.info("memory")
	if err != nil {
		return err
	}
	used := statInt(mem, "used_memory")
	if maxMemory > used {
		return nil
	}
	return fmt.Errorf("redis target %s: a memory limit of %s %w: the server uses %s (used_memory %d B) with the database empty, so every write would be refused; give more than %s (the limit less that is the room for the trace's objects)",
		t.addr, sim.FormatSize(maxMemory, true), ErrBelowBaseline, sim.FormatSize(used, true), used, sim.FormatSize(used, true))
}

// restore puts back the settings found at Open.
func (t *redisTarget) restore() error {
	if !t.changed {
		return nil
	}
	var first error
	for i := len(t.saved) - 1; i >= 0; i-- {
		if _, err := t.ctl.do("CONFIG", "SET", t.saved[i][0], t.saved[i][1]); err != nil && first == nil {
			first = t.fail("restoring "+t.saved[i][0], err)
		}
	}
	t.changed = false
	return first
}

func (t *redisTarget) Counters() (Counters, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var c Counters
	stats, err := t.info("stats")
	if err != nil {
		return c, err
	}
	mem, err := t.info("memory")
	if err != nil {
		return c, err
	}
	c.Hits, c.Misses = statUint(stats, "keyspace_hits"), statUint(stats, "keyspace_misses")
	c.Evictions, c.Expired = statUint(stats, "evicted_keys"), statUint(stats, "expired_keys")
	c.UsedMemory, c.MemoryLimit = statInt(mem, "used_memory"), statInt(mem, "maxmemory")
	c.Fragmentation, _ = strconv.ParseFloat(mem["mem_fragmentation_ratio"], 64)
	c.Policy = mem["maxmemory_policy"]
	for _, p := range []struct {
		name string
		v    *int
	}{{"maxmemory-samples", &c.Samples}, {"lfu-log-factor", &c.LogFactor}, {"lfu-decay-time", &c.DecayTime}} {
		v, err := t.ctl.do("CONFIG", "GET", p.name)
		if err != nil {
			return c, t.fail("CONFIG GET "+p.name, err)
		}
		if pair, ok := v.([]any); ok && len(pair) == 2 {
			s, _ := pair[1].(string)
			*p.v, _ = strconv.Atoi(s)
		}
	}
	c.Keys, err = t.dbSize()
	return c, err
}

// Close restores the server's settings; the replayed keys stay in the
// database. It may be called more than once, and concurrently with the
// other methods (from a signal handler).
func (t *redisTarget) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	err := t.restore()
	t.ctl.close()
	return err
}

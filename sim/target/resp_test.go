package target

import (
	"io"
	"net"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cachesim/cachesim/sim/target/targettest"
)

// allocated returns the bytes f allocates (all goroutines included).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A server that answers PING but then declares absurd replies is refused at
// once as not Redis, without allocating what it declares (a *2^63-1 array
// used to panic, *2e9 to allocate 32 GB, $2e9 2 GB).
func TestRedisAbsurdReplies(t *testing.T) {
	for _, answer := range []string{"*9223372036854775807", "*2000000000", "$2000000000", "*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1"} {
		addr := targettest.FakeRedis(t, answer)
		var err error
		start := time.Now()
		n := allocated(func() { _, err = Open("redis://"+addr, Config{DB: -1}) })
		if err == nil || !strings.Contains(err.Error(), "not a Redis server") || !strings.Contains(err.Error(), addr) {
			t.Errorf("%q: %v, want an error naming %s as not a Redis server", answer, err, addr)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%q: refused after %v, want at once", answer, d)
		}
		if n > 16<<20 {
			t.Errorf("%q: allocated %d bytes", answer, n)
		}
	}
}

// A reply's memory grows with the bytes that arrive, not with the length
// it declares; well-formed replies still parse.
func TestRESPReplyAllocation(t *testing.T) {
	read := func(wire string) (any, error) {
		client, server := net.Pipe()
		defer client.Close()
		go func() {
			io.WriteString(server, wire)
			server.Close()
		}()
		return newRESP(client).reply()
	}
	var err error
	n := allocated(func() { _, err = read("$500000000\r\nabc") })
	if err != io.ErrUnexpectedEOF || n > 16<<20 {
		t.Errorf("truncated 500 MB string: %v after allocating %d bytes, want io.ErrUnexpectedEOF and little memory", err, n)
	}
	n = allocated(func() { _, err = read("*1000000\r\n:1\r\n") })
	if err == nil || n > 16<<20 {
		t.Errorf("truncated array of a million: %v after allocating %d bytes, want an error and little memory", err, n)
	}
	v, err := read("*3\r\n$3\r\nfoo\r\n:5\r\n*2\r\n$-1\r\n+OK\r\n")
	want := []any{"foo", int64(5), []any{nil, "OK"}}
	if err != nil || !reflect.DeepEqual(v, want) {
		t.Errorf("got %#v, %v; want %#v", v, err, want)
	}
}

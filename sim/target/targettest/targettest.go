// Package targettest starts private Redis and memcached servers for tests:
// on a free loopback port, without persistence, stopped when the test ends.
// It never uses a server already running on the machine. When a server
// cannot be started the test is skipped, or fails when CI is set.
package targettest

import (
	"bufio"
	"bytes"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"

	"github.com/cachesim/cachesim/sim/target/internal/loopback"
)

// unavailable skips the test, or fails it under CI, where the servers must be installed.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// start runs bin on a free loopback port (see loopback.Start) and
// registers its stop; it returns the address.
func start(t testing.TB, bin string, args func(port string) []string) string {
	t.Helper()
	path, err := exec.LookPath(bin)
	if err != nil {
		unavailable(t, "%s is not installed (apt-get install redis-server memcached): %v", bin, err)
	}
	var out syncBuffer
	s, err := loopback.Start(path, args, &out)
	if err != nil {
		unavailable(t, "%s did not start: %v\n%s", bin, err, out.String())
	}
	t.Cleanup(s.Stop)
	return s.Addr
}

// syncBuffer is a bytes.Buffer safe for a process's output goroutine and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Redis starts a redis-server of the test's own (no snapshots, no AOF, its
// files in a temporary directory) with any extra arguments ("--requirepass",
// "secret") and returns its host:port.
func Redis(t testing.TB, extra ...string) string {
	t.Helper()
	dir := t.TempDir()
	return start(t, "redis-server", func(port string) []string {
		return append([]string{"--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--daemonize", "no", "--dir", dir, "--logfile", ""}, extra...)
	})
}

// Memcached starts a memcached of the test's own with mb MiB of memory and
// returns its host:port.
func Memcached(t testing.TB, mb int) string {
	t.Helper()
	return start(t, "memcached", func(port string) []string {
		args := append([]string{"-l", "127.0.0.1", "-p", port, "-U", "0"}, loopback.MemcachedMemoryArgs(int64(mb))...)
		if os.Geteuid() == 0 {
			args = append(args, "-u", "root")
		}
		return args
	})
}

// FakeRedis listens on a loopback port, as a server that is not Redis
// would: it answers PING with +PONG and every other command with the raw
// reply line answer (CRLF added). It returns the host:port; the listener
// and connections close when the test ends.
func FakeRedis(t testing.TB, answer string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go serveFake(c, answer)
		}
	}()
	return l.Addr().String()
}

// serveFake reads RESP commands (arrays of bulk strings) from c and answers
// each.
func serveFake(c net.Conn, answer string) {
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil || len(line) < 3 || line[0] != '*' {
			return
		}
		n, _ := strconv.Atoi(line[1 : len(line)-2])
		var args []string
		for ; n > 0; n-- {
			if _, err := r.ReadString('\n'); err != nil { // $len
				return
			}
			arg, err := r.ReadString('\n')
			if err != nil {
				return
			}
			args = append(args, arg[:len(arg)-2])
		}
		reply := answer
		if len(args) > 0 && args[0] == "PING" {
			reply = "+PONG"
		}
		if _, err := c.Write([]byte(reply + "\r\n")); err != nil {
			return
		}
	}
}

// Package targettest starts private Redis and memcached servers for tests:
// on a free loopback port, without persistence, stopped when the test ends.
// It never uses a server already running on the machine. When a server
// cannot be started the test is skipped, or fails when CI is set.
package targettest

import (
	"bytes"
	"os"
	"os/exec"
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

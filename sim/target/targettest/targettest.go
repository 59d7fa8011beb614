// Package targettest starts private Redis and memcached servers for tests:
// on a free loopback port, without persistence, stopped when the test ends.
// It never uses a server already running on the machine. When a server
// cannot be started the test is skipped, or fails when CI is set.
package targettest

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

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

// start runs bin with args built for a free port, waits until it listens
// and registers its stop; it returns the address. A server that exits at
// once (the port was taken meanwhile) is retried on another port.
func start(t testing.TB, bin string, args func(port string) []string) string {
	t.Helper()
	path, err := exec.LookPath(bin)
	if err != nil {
		unavailable(t, "%s is not installed (apt-get install redis-server memcached): %v", bin, err)
	}
	var out bytes.Buffer
	for try := 0; try < 3; try++ {
		port, err := loopback.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		p := strconv.Itoa(port)
		cmd := exec.Command(path, args(p)...)
		out.Reset()
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			unavailable(t, "cannot start %s: %v", bin, err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		addr := net.JoinHostPort("127.0.0.1", p)
		err = loopback.WaitListening(addr, 10*time.Second)
		select {
		case <-exited: // not ours listening there, if anyone
		case <-time.After(50 * time.Millisecond):
			if err == nil {
				t.Cleanup(func() {
					cmd.Process.Kill()
					<-exited
				})
				return addr
			}
			cmd.Process.Kill()
			<-exited
		}
	}
	unavailable(t, "%s did not start:\n%s", bin, out.String())
	return ""
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
		args := []string{"-l", "127.0.0.1", "-p", port, "-U", "0", "-m", strconv.Itoa(mb)}
		if os.Geteuid() == 0 {
			args = append(args, "-u", "root")
		}
		return args
	})
}

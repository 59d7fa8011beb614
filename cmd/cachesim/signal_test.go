package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cachesim/cachesim/sim/target/targettest"
)

// binDir holds the binary the process tests build; TestMain removes it.
var binDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// binary builds cachesim once for the tests that run it as a process.
var binary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "cachesim-bin")
	if err != nil {
		return "", err
	}
	binDir = dir
	bin := filepath.Join(dir, "cachesim")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", errors.New(string(out))
	}
	return bin, nil
})

// binaryCommand returns a command that runs the built binary with args in dir.
func binaryCommand(t *testing.T, dir string, args ...string) *exec.Cmd {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatalf("building cachesim: %v", err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	return cmd
}

// startProcess starts the built binary with args in dir.
func startProcess(t *testing.T, dir string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := binaryCommand(t, dir, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// runProcess runs the built binary with args in a temporary directory,
// its standard output going to stdout (nil: discarded), and returns what
// it wrote on stderr and its exit status.
func runProcess(t *testing.T, stdout *os.File, args ...string) (stderr string, code int) {
	t.Helper()
	cmd := binaryCommand(t, t.TempDir(), args...)
	if stdout != nil {
		cmd.Stdout = stdout
	}
	var e strings.Builder
	cmd.Stderr = &e
	code = exitStatus(cmd.Run())
	if code < 0 {
		t.Fatalf("running %v failed", args)
	}
	return e.String(), code
}

// waitFor polls until cond holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// exitStatus returns a finished process's exit code.
func exitStatus(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err == nil {
		return 0
	}
	return -1
}

// SIGINT, SIGTERM and SIGHUP during a long write stop the run with 130, 143
// and 129 and leave no temporary file beside the destination (and no
// destination).
func TestSignalRemovesTemporaries(t *testing.T) {
	for sig, code := range map[syscall.Signal]int{syscall.SIGINT: 130, syscall.SIGTERM: 143, syscall.SIGHUP: 129} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			p := startProcess(t, dir, "generate", "zipf", "--keys", "1e6", "--requests", "1e9", "-o", "g.csv")
			waitFor(t, "the temporary file", func() bool {
				m, _ := filepath.Glob(filepath.Join(dir, ".g.csv.tmp*"))
				return len(m) > 0
			})
			if err := p.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if got := exitStatus(p.Wait()); got != code {
				t.Errorf("%s: exit status %d, want %d", sig, got, code)
			}
			left, _ := os.ReadDir(dir)
			if len(left) != 0 {
				t.Errorf("%s: left %v in the directory", sig, left)
			}
		})
	}
}

// redisConfig reads one CONFIG setting of the Redis at addr with redis-cli.
func redisConfig(t *testing.T, addr, name string) string {
	t.Helper()
	host, port, _ := strings.Cut(addr, ":")
	out, err := exec.Command("redis-cli", "-h", host, "-p", port, "config", "get", name).Output()
	if err != nil {
		t.Fatalf("redis-cli: %v", err)
	}
	lines := strings.Fields(string(out))
	if len(lines) != 2 {
		t.Fatalf("redis-cli config get %s: %q", name, out)
	}
	return lines[1]
}

// SIGTERM during a live replay restores the Redis settings the run changed.
func TestSignalRestoresRedis(t *testing.T) {
	addr := targettest.Redis(t)
	if _, err := exec.LookPath("redis-cli"); err != nil {
		t.Skip("redis-cli is not installed")
	}
	before := redisConfig(t, addr, "maxmemory-policy")
	p := startProcess(t, t.TempDir(), "live", "replay", "redis://"+addr, "zipf:keys=1e5,requests=5e6,size=100",
		"--maxmemory", "4MiB", "--maxmemory-policy", "allkeys-lfu", "--flush")
	waitFor(t, "the run to set maxmemory-policy", func() bool { return redisConfig(t, addr, "maxmemory-policy") == "allkeys-lfu" })
	if err := p.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if got := exitStatus(p.Wait()); got != 143 {
		t.Errorf("exit status %d, want 143", got)
	}
	if got := redisConfig(t, addr, "maxmemory-policy"); got != before {
		t.Errorf("maxmemory-policy is %s after the interrupted run, want %s restored", got, before)
	}
	if got := redisConfig(t, addr, "maxmemory"); got != "0" {
		t.Errorf("maxmemory is %s after the interrupted run, want 0 restored", got)
	}
}

// A memcached started with --spawn dies with cachesim, even on SIGKILL.
func TestSpawnedMemcachedDiesWithCachesim(t *testing.T) {
	targettest.Memcached(t, 1) // skips (or fails under CI) without memcached
	p := startProcess(t, t.TempDir(), "live", "replay", "memcached://127.0.0.1", "zipf:keys=1e5,requests=5e6,size=100",
		"--spawn", "--maxmemory", "4MiB")
	var child string
	waitFor(t, "the spawned memcached", func() bool {
		child = childNamed(p.Process.Pid, "memcached")
		return child != ""
	})
	if err := p.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	p.Wait()
	waitFor(t, "memcached "+child+" to end", func() bool {
		b, err := os.ReadFile("/proc/" + child + "/stat")
		// gone, or a zombie waiting for init to reap it
		return err != nil || strings.Contains(string(b), ") Z ")
	})
}

// childNamed returns the pid of a child process of parent whose command is
// name, from /proc, or "".
func childNamed(parent int, name string) string {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, st := range stats {
		b, err := os.ReadFile(st)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		s := string(b)
		open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || close < open {
			continue
		}
		rest := strings.Fields(s[close+1:])
		if s[open+1:close] == name && len(rest) > 1 && rest[1] == fmt.Sprint(parent) {
			return strings.TrimSpace(s[:open])
		}
	}
	return ""
}

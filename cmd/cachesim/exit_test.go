package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cachesim/cachesim/sim/target/targettest"
)

// A panic in main is printed with its stack, runs the cleanups and exits 2;
// the deferred exit used to run during the panic and exit 0 in silence.
func TestPanicExitsNonZero(t *testing.T) {
	defer func() { exit = 0 }()
	var stderr strings.Builder
	code, cleaned := -1, false
	onInterrupt(func() { cleaned = true })
	func() {
		defer finish(&stderr, func(c int) { code = c })
		panic("boom")
	}()
	if code != 2 {
		t.Errorf("exit status %d, want 2", code)
	}
	if !cleaned {
		t.Error("the cleanups did not run")
	}
	for _, want := range []string{"panic: boom", "TestPanicExitsNonZero"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	// Without a panic, the status main set.
	exit = 1
	func() {
		defer finish(&stderr, func(c int) { code = c })
	}()
	if code != 1 {
		t.Errorf("exit status %d after no panic, want 1", code)
	}
}

// A server that answers PING like Redis but then declares absurd replies
// is refused quickly, as not Redis, with a non-zero status (*2^63-1 used to
// panic and exit 0 in silence, *2e9 to run out of memory). The child's peak
// memory cannot be read here (its maxrss starts from the test process's,
// whose memory it shared until exec): sim/target's TestRedisAbsurdReplies
// bounds the allocations.
func TestLiveNotRedis(t *testing.T) {
	for _, answer := range []string{"*9223372036854775807", "*2000000000", "$2000000000"} {
		addr := targettest.FakeRedis(t, answer)
		start := time.Now()
		stderr, code := runProcess(t, nil, "live", "replay", "redis://"+addr, "zipf:keys=10,requests=100")
		if code != 1 || !strings.Contains(stderr, "not a Redis server") || !strings.Contains(stderr, addr) || strings.Contains(stderr, "panic") {
			t.Errorf("%q: exit status %d, stderr %q; want 1 and an error naming %s as not a Redis server", answer, code, stderr, addr)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%q: took %v", answer, d)
		}
	}
}

// Every command that prints to standard output fails when the writes
// fail (a full disk; a descriptor not open for writing), instead of
// exiting 0 having printed nothing. (A stdout closed before the start,
// cachesim >&-, cannot be told apart: Go's runtime opens /dev/null on a
// closed descriptor 0, 1 or 2 before main runs.)
func TestStdoutWriteErrors(t *testing.T) {
	trace := writeFile(t, "loop.txt", loopTrace(10, 3))
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full: %v", err)
	}
	defer full.Close()
	readOnly, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer readOnly.Close()
	for _, args := range [][]string{
		{"sweep", trace, "--sizes", "5,10"},
		{"sweep", trace, "--sizes", "5,10", "--format", "csv"},
		{"mrc", trace},
		{"replay", trace, "--size", "5"},
		{"system", "replay", trace, "--policy", "lru", "--size", "5"},
		{"system", "sweep", trace, "--levels", "l1=lru:2,l2=lru:5@1ms", "--vary", "l2", "--sizes", "5,10"},
		{"inspect", trace},
		{"policies"},
		{"convert", trace, "-"},
		{"generate", "zipf:keys=10", "--requests", "10", "-o", "-"},
		{"sweep", "--help"},
	} {
		t.Run(caseName(args), func(t *testing.T) {
			for _, c := range []struct {
				name, want string
				stdout     *os.File
			}{{"/dev/full", "writing standard output: no space left on device", full}, {"/dev/null open read-only", "writing standard output: bad file descriptor", readOnly}} {
				stderr, code := runProcess(t, c.stdout, args...)
				if code != 1 || !strings.Contains(stderr, c.want) {
					t.Errorf("%v > %s: exit status %d, stderr %q; want 1 and %q", args, c.name, code, stderr, c.want)
				}
			}
		})
	}
}

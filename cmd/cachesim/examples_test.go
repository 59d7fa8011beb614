package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cachesim/cachesim/sim/target/targettest"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// shellWords splits a command line as a POSIX shell would for the examples:
// words separated by spaces, single and double quotes grouping, and "< FILE"
// redirecting standard input (returned apart).
func shellWords(line string) (words []string, stdin string) {
	var cur strings.Builder
	in, quote, redirect := false, byte(0), false
	flush := func() {
		if !in {
			return
		}
		if redirect {
			stdin, redirect = cur.String(), false
		} else {
			words = append(words, cur.String())
		}
		cur.Reset()
		in = false
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			cur.WriteByte(c)
		case c == '\'' || c == '"':
			quote, in = c, true
		case c == ' ':
			flush()
		case c == '<' && !in:
			redirect = true
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	flush()
	return words, stdin
}

// examples returns every example line of cmd and its subcommands, in order,
// with the command each belongs to.
func examples(cmd *cobra.Command) (lines, owners []string) {
	for _, l := range strings.Split(cmd.Example, "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "cachesim ") {
			lines = append(lines, l)
			owners = append(owners, cmd.CommandPath())
		}
	}
	for _, sub := range cmd.Commands() {
		l, o := examples(sub)
		lines, owners = append(lines, l...), append(owners, o...)
	}
	return lines, owners
}

// Every example of every command's help runs when pasted, in order, into an
// empty directory (examples that need a file create it first), as the
// binary a user runs (built once, without the race detector, which would
// make this test ten times slower and find nothing: each example is its own
// process). Redis examples run against a private server standing in for
// 127.0.0.1:6379.
func TestHelpExamplesRun(t *testing.T) {
	redis := targettest.Redis(t)
	targettest.Memcached(t, 1) // the --spawn examples need memcached installed
	bin, err := binary()
	if err != nil {
		t.Fatalf("building cachesim: %v", err)
	}
	lines, owners := examples(newRootCmd())
	if len(lines) < 30 {
		t.Fatalf("found only %d examples", len(lines))
	}
	dir := t.TempDir()
	for i, line := range lines {
		line = strings.ReplaceAll(line, "127.0.0.1:6379", redis)
		words, stdin := shellWords(line)
		cmd := exec.Command(bin, words[1:]...)
		cmd.Dir = dir
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		if stdin != "" {
			f, err := os.Open(filepath.Join(dir, stdin))
			if err != nil {
				t.Fatalf("example of %s: %s: %v", owners[i], line, err)
			}
			cmd.Stdin = f
			defer f.Close()
		}
		start := time.Now()
		err := cmd.Run()
		if d := time.Since(start); d > 2*time.Second {
			t.Logf("%.1fs: %s", d.Seconds(), line)
		}
		if err != nil {
			t.Errorf("example of %s fails: %s\n%v\n%s", owners[i], line, err, errOut.String())
		}
	}
}

// No flag's help takes a back-quoted word, which the flag library would
// show as the argument's name.
func TestFlagHelpHasNoBackquotes(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if strings.Contains(f.Usage, "`") {
				t.Errorf("%s --%s: help has a back quote: %s", c.CommandPath(), f.Name, f.Usage)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd())
}

// runnable lists the commands that run (not the groups) under c.
func runnable(c *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	if c.Runnable() {
		out = append(out, c)
	}
	for _, sub := range c.Commands() {
		out = append(out, runnable(sub)...)
	}
	return out
}

// Every flag exists only where it acts: given to a command that lacks it,
// a flag of another command is an error naming the commands it belongs to.
func TestFlagOfAnotherCommandNamesItsCommand(t *testing.T) {
	root := newRootCmd()
	cmds := runnable(root)
	checked := 0
	for _, c := range cmds {
		for _, other := range cmds {
			other.Flags().VisitAll(func(f *pflag.Flag) {
				if c.Flags().Lookup(f.Name) != nil || f.Name == "help" {
					return
				}
				args := strings.Fields(c.CommandPath())[1:]
				if f.Value.Type() == "bool" {
					args = append(args, "--"+f.Name)
				} else {
					args = append(args, "--"+f.Name, "1")
				}
				_, _, err := runCLI(t, args...)
				if err == nil || !strings.Contains(err.Error(), other.CommandPath()) || !strings.Contains(err.Error(), "--"+f.Name) {
					t.Errorf("%v: error %v, want one naming --%s and %s", args, err, f.Name, other.CommandPath())
				}
				checked++
			})
		}
	}
	if checked < 100 {
		t.Errorf("only %d combinations checked", checked)
	}
}

// A --config key that is a flag of another command fails before any work,
// naming that command; a key of this command is applied.
func TestConfigKeyOfAnotherCommand(t *testing.T) {
	tr := writeFile(t, "loop.txt", loopTrace(10, 3))
	for key, home := range map[string]string{"maxmemory: 4MiB": "cachesim live replay", "optimal: true": "cachesim sweep", "points: 10": "cachesim mrc"} {
		t.Run(key, func(t *testing.T) {
			cfg := writeFile(t, "c.yaml", "policy: lru\nsize: 10\n"+key+"\n")
			_, _, err := runCLI(t, "system", "replay", tr, "--config", cfg)
			if err == nil || !strings.Contains(err.Error(), home) || !strings.Contains(err.Error(), "c.yaml:3") {
				t.Errorf("config with %q: error %v, want one naming c.yaml:3 and %s", key, err, home)
			}
		})
	}
	cfg := writeFile(t, "c.yaml", "policy: lru\nsize: 10\nformat: xml\n")
	if _, _, err := runCLI(t, "system", "replay", tr, "--config", cfg); err == nil || !strings.Contains(err.Error(), `--format "xml"`) {
		t.Errorf("a bad format in the config: error %v, want it refused before the run", err)
	}
}

// A --config file past 1 MiB is refused without reading it whole (a
// device such as /dev/zero was read until 4.3 GB); one just under is read.
func TestConfigSizeCap(t *testing.T) {
	tr := writeFile(t, "loop.txt", loopTrace(10, 3))
	comments := strings.Repeat("# a comment line of settings\n", 1<<20/29)
	big := writeFile(t, "big.yaml", "policy: lru\nsize: 10\n"+comments+strings.Repeat("#", 1<<20-len(comments)))
	_, _, err := runCLI(t, "system", "replay", tr, "--config", big)
	if err == nil || !strings.Contains(err.Error(), "--config "+big+": larger than 1 MiB") {
		t.Errorf("a config past 1 MiB: %v", err)
	}
	ok := writeFile(t, "ok.yaml", "policy: lru\nsize: 10\n"+comments)
	if _, _, err := runCLI(t, "system", "replay", tr, "--config", ok); err != nil {
		t.Errorf("a config under 1 MiB: %v", err)
	}
}

// A flag given twice is an error, not a silent replacement of the first
// value; a flag with no effect on the loaded trace is an error too.
func TestFlagGivenTwiceAndCountWrites(t *testing.T) {
	_, _, err := runCLI(t, "sweep", "--plot", "a.png", "--plot", "b.png")
	if err == nil || !strings.Contains(err.Error(), "--plot is given twice") {
		t.Errorf("--plot twice: %v", err)
	}
	_, _, err = runCLI(t, "replay", "--count-writes")
	if err == nil || !strings.Contains(err.Error(), "--count-writes has no effect") {
		t.Errorf("--count-writes on a trace of gets: %v", err)
	}
}

package main

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/report"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// helpOf runs "cachesim PATH… --help" and returns the help and the command
// it describes (whose flags then include --help).
func helpOf(t *testing.T, path []string) (string, *cobra.Command) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(append(slices.Clone(path), "--help"))
	if err := root.Execute(); err != nil {
		t.Fatalf("%v --help: %v", path, err)
	}
	cmd, _, err := root.Find(path)
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), cmd
}

// commandPaths lists the path of every command under c, c's own first.
func commandPaths(c *cobra.Command) [][]string {
	out := [][]string{strings.Fields(c.CommandPath())[1:]}
	for _, sub := range c.Commands() {
		out = append(out, commandPaths(sub)...)
	}
	return out
}

// flagLine matches a line of flag help, capturing the flag's name.
var flagLine = regexp.MustCompile(`^  (?:-., |    )--([\w-]+)\b`)

// Every flag of every command is in its help exactly once, whatever
// section it is in, and nothing else is shown as a flag.
func TestHelpShowsEveryFlagOnce(t *testing.T) {
	for _, path := range commandPaths(newRootCmd()) {
		t.Run(strings.Join(append([]string{"cachesim"}, path...), " "), func(t *testing.T) {
			help, cmd := helpOf(t, path)
			shown := map[string]int{}
			for _, line := range strings.Split(help, "\n") {
				if m := flagLine.FindStringSubmatch(line); m != nil {
					shown[m[1]]++
				}
			}
			n := 0
			cmd.Flags().VisitAll(func(f *pflag.Flag) {
				n++
				if shown[f.Name] != 1 {
					t.Errorf("--%s is shown %d times", f.Name, shown[f.Name])
				}
			})
			cmd.InheritedFlags().VisitAll(func(f *pflag.Flag) { n++ })
			if len(shown) != n {
				t.Errorf("%d flags shown, the command has %d:\n%s", len(shown), n, help)
			}
		})
	}
}

// The first flags of sweep's help are those a first run needs: the trace,
// the policies, the sizes and the outputs, before any section.
func TestSweepHelpStartsWithFirstRunFlags(t *testing.T) {
	help, _ := helpOf(t, []string{"sweep"})
	_, rest, ok := strings.Cut(help, "\nArguments and main flags:\n")
	if !ok {
		t.Fatalf("no first section in\n%s", help)
	}
	first, _, _ := strings.Cut(rest, "\n\n")
	lines := strings.Split(first, "\n")
	if !strings.HasPrefix(lines[0], "  TRACE ") || !strings.Contains(lines[0], "synthetic workload") {
		t.Errorf("the first section does not start with the trace argument: %q", lines[0])
	}
	for _, want := range []string{"--policy", "--sizes", "--plot", "--csv", "--format", "--out", "--help"} {
		if !strings.Contains(first, want+" ") {
			t.Errorf("the first section lacks %s:\n%s", want, first)
		}
	}
	if len(lines) > 10 {
		t.Errorf("the first section has %d lines, want a handful:\n%s", len(lines), first)
	}
	for _, want := range []string{"\n\nPolicies and sizes flags:\n", "\n\nSizing rules and charts flags:\n", "\n\nLatency and cost flags:\n",
		"\n\nOutput flags:\n", "\n\nInput flags:\n      --block-tokens"} {
		if !strings.Contains(rest, want) {
			t.Errorf("no %q in\n%s", want, rest)
		}
	}
}

// The first-run flags a command names exist, and every section a flag is
// put in is one of sectionOrder.
func TestHelpLayoutNamesRealFlagsAndSections(t *testing.T) {
	for _, c := range runnable(newRootCmd()) {
		for _, name := range strings.Fields(c.Annotations[startKey]) {
			if c.Flags().Lookup(name) == nil {
				t.Errorf("%s: first-run flag --%s is not a flag of the command", c.CommandPath(), name)
			}
		}
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if s := sectionOf(f); !slices.Contains(sectionOrder, s) {
				t.Errorf("%s --%s: section %q is not in sectionOrder", c.CommandPath(), f.Name, s)
			}
		})
	}
}

// A flag registered in no section (such as a format flag generated from the
// formats' table) is shown with the input flags; sections follow
// sectionOrder, each alphabetical, and help lines up in one column.
func TestHelpSectionsDefaultToInput(t *testing.T) {
	cmd := &cobra.Command{Use: "x TRACE", Run: func(*cobra.Command, []string) {}}
	fs := cmd.Flags()
	fs.String("zeta-column", "", "a format flag nobody put in a section")
	done := inSection(fs, sectionOutput)
	fs.String("out-file", "", "an output")
	fs.Bool("alpha-out", false, "another output")
	done()
	done = inSection(fs, sectionPolicies)
	fs.String("policy", "lru", "a policy")
	fs.Int("a-very-long-flag-name", 0, "a policy's flag")
	done()
	startHere(cmd, []helpArg{{"TRACE", "the trace"}}, "policy")
	cmd.SetUsageFunc(writeUsage)
	cmd.InitDefaultHelpFlag()
	var out bytes.Buffer
	cmd.SetOut(&out)
	if err := cmd.Usage(); err != nil {
		t.Fatal(err)
	}
	want := `Usage:
  x TRACE [flags]

Arguments and main flags:
  TRACE                             the trace
      --policy string               a policy (default "lru")
  -h, --help                        help for x

Policies and sizes flags:
      --a-very-long-flag-name int   a policy's flag

Output flags:
      --alpha-out                   another output
      --out-file string             an output

Input flags:
      --zeta-column string          a format flag nobody put in a section
`
	if got := out.String(); got != want {
		t.Errorf("usage\n%s\nwant\n%s", got, want)
	}
}

// flagUsage returns the help of --name of the command at path.
func flagUsage(t *testing.T, path []string, name string) string {
	t.Helper()
	_, cmd := helpOf(t, path)
	f := cmd.Flags().Lookup(name)
	if f == nil {
		t.Fatalf("%v has no --%s", path, name)
	}
	return f.Usage
}

// --metric's help names every metric the command takes: for sweep, mrc and
// system sweep, every name of report.MetricNames (their help is written
// from that table); for replay's timeline, those it draws, and it refuses
// the others.
func TestMetricHelpListsEveryMetric(t *testing.T) {
	for _, path := range [][]string{{"sweep"}, {"mrc"}, {"system", "sweep"}} {
		usage := flagUsage(t, path, "metric")
		for _, name := range report.MetricNames {
			if !regexp.MustCompile(`\b` + name + ` \(`).MatchString(usage) {
				t.Errorf("%v --metric help does not list %q: %s", path, name, usage)
			}
		}
	}
	usage := flagUsage(t, []string{"replay"}, "metric")
	for _, name := range report.MetricNames {
		listed := strings.Contains(usage, name+" (")
		_, err := parseOptions(t, newReplayCmd, "t.csv", "--plot", "t.png", "--metric", name)
		if listed != (err == nil) {
			t.Errorf("replay --metric %s: listed in the help %v, accepted %v (%v): %s", name, listed, err == nil, err, usage)
		}
	}
}

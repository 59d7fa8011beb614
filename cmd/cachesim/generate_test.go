package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/workload"
)

// run executes the command line and returns stdout, stderr and the error.

// TestGenerateDeterministic: generate writes the same bytes for the same
// seed, other bytes for another seed, and the file replays like the spec.
func TestGenerateDeterministic(t *testing.T) {
	dir := t.TempDir()
	gen := func(name string, extra ...string) []byte {
		t.Helper()
		path := filepath.Join(dir, name)
		args := append([]string{"generate", "zipf:keys=1000,alpha=0.8", "--requests", "5000", "--rate", "100", "--size", "pareto:100:1.5", "-o", path}, extra...)
		if _, stderr, err := runCLI(t, args...); err != nil {
			t.Fatalf("generate: %v\n%s", err, stderr)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b, c := gen("a.csv"), gen("b.csv"), gen("c.csv", "--seed", "43")
	if !bytes.Equal(a, b) {
		t.Error("same seed: the files differ")
	}
	if bytes.Equal(a, c) {
		t.Error("seeds 42 and 43: the files are identical")
	}
	if lines := strings.Count(string(a), "\n"); lines != 5001 || !strings.HasPrefix(string(a), "key,time,size\n") {
		t.Errorf("a.csv: %d lines starting %q, want a header and 5000 requests", lines, string(a[:20]))
	}
	// Replaying the file and the spec gives the same statistics.
	fromFile, _, err := runCLI(t, "replay", filepath.Join(dir, "a.csv"), "--header", "--csv-time", "2", "--csv-size", "3", "--size", "100", "-f", "json")
	if err != nil {
		t.Fatal(err)
	}
	fromSpec, _, err := runCLI(t, "replay", "zipf:keys=1000,alpha=0.8,requests=5000,rate=100,size=pareto:100:1.5", "--size", "100", "-f", "json")
	if err != nil {
		t.Fatal(err)
	}
	strip := func(s string) string { // drop the name and the timings
		var keep []string
		for _, l := range strings.Split(s, "\n") {
			if !strings.Contains(l, "workload") && !strings.Contains(l, "second") {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	if strip(fromFile) != strip(fromSpec) {
		t.Errorf("replaying the file:\n%s\nreplaying the spec:\n%s", fromFile, fromSpec)
	}
}

// TestGenerateErrors: bad kinds, parameters and formats fail with clear
// errors and leave no file behind.
func TestGenerateErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x.txt")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"generate", "zap", "-o", out}, "valid: zipf, uniform"},
		{[]string{"generate", "zipf", "--hot", "3", "-o", out}, "unknown parameter \"hot\" for zipf"},
		{[]string{"generate", "zipf", "--alpha", "-1", "-o", out}, "expected a number > 0"},
		{[]string{"generate", "zipf", "--format", "vscsi", "-o", out}, "writable: text, csv"},
		{[]string{"generate", "zipf"}, "required flag(s) \"out\""},
		{[]string{"sweep", "zipf:alpah=1"}, "unknown parameter \"alpah\""},
	} {
		t.Run(caseName(tc.args), func(t *testing.T) {
			_, _, err := runCLI(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v: %v, want an error containing %q", tc.args, err, tc.want)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed runs left %d files behind", len(entries))
	}
}

// TestGenerateHelp: the help documents every parameter with its default.
func TestGenerateHelp(t *testing.T) {
	help, _, err := runCLI(t, "generate", "--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range workload.Common {
		if !strings.Contains(help, "--"+p.Name) || !strings.Contains(help, "(default "+p.Default+")") {
			t.Errorf("help lacks --%s or its default %s", p.Name, p.Default)
		}
	}
	for _, k := range workload.Kinds() {
		if !strings.Contains(help, "\n"+k.Name+": ") {
			t.Errorf("help lacks the kind %s", k.Name)
		}
		for _, p := range k.Params {
			want := "(default " + p.Default + ")"
			if p.Default == "" {
				want = "(required)"
			}
			documented := false
			for _, line := range strings.Split(help, "\n") {
				if strings.HasPrefix(line, "  "+p.Name+" ") && strings.HasSuffix(line, want) {
					documented = true
				}
			}
			if !documented || !strings.Contains(help, "--"+p.Name) {
				t.Errorf("help lacks --%s or a line for %s of %s ending %s", p.Name, p.Name, k.Name, want)
			}
		}
	}
}

// TestSpecAsTrace: a spec is accepted wherever a trace path is, and a file
// of that name wins over the spec.
func TestSpecAsTrace(t *testing.T) {
	out, _, err := runCLI(t, "sweep", "zipf:keys=1e3,requests=1e4,alpha=0.9", "--policy", "lru,lfu", "--sizes", "10,100", "-f", "csv")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out, "\n"); n != 5 || !strings.Contains(out, "lfu,100,objects,10000,") {
		t.Errorf("sweep over a spec:\n%s", out)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("zipf:x", []byte("1\n2\n1\n"), 0o644); err != nil {
		t.Skip("the file system does not allow ':' in names")
	}
	out, _, err = runCLI(t, "replay", "zipf:x", "-f", "json", "--size", "10")
	if err != nil || !strings.Contains(out, `"requests": 3`) {
		t.Errorf("a file named like a spec: %v\n%s", err, out)
	}
}

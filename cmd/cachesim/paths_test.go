package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An output that is the input trace, or another output, is refused before
// any work, whatever its spelling or link; the input is left intact.
func TestOutputClashes(t *testing.T) {
	dir := t.TempDir()
	trace := filepath.Join(dir, "mine.txt")
	content := loopTrace(10, 3)
	if err := os.WriteFile(trace, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.txt")
	if err := os.Symlink("mine.txt", link); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, "hard.txt")
	if err := os.Link(trace, hard); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.csv")
	respelled := filepath.Join(dir, "sub", "..", "out.csv")
	config := writeFile(t, "system.yaml", "csv: "+trace+"\n")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep", trace, "--sizes", "5", "--csv", trace}, "--csv " + trace + " would overwrite the input " + trace},
		{[]string{"sweep", trace, "--sizes", "5", "--out", link}, "--out " + link + " would overwrite the input " + trace},
		{[]string{"mrc", trace, "--plot", hard}, "--plot " + hard + " would overwrite the input"},
		{[]string{"sweep", trace, "--sizes", "5", "--csv", out, "--json", respelled}, "--csv " + out + " and --json " + respelled + " are the same file"},
		{[]string{"replay", trace, "--size", "5", "--out", out, "--plot", out}, "are the same file"},
		{[]string{"convert", trace, trace}, "output " + trace + " would overwrite the input " + trace},
		{[]string{"inspect", trace, "-o", trace}, "would overwrite the input"},
		{[]string{"system", "sweep", trace, "--config", config}, "--csv " + trace + " would overwrite the input " + trace},
		{[]string{"system", "replay", trace, "--config", config, "--out", config}, "--out " + config + " would overwrite the --config " + config},
	} {
		t.Run(caseName(c.args), func(t *testing.T) {
			_, _, err := runCLI(t, c.args...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v: %v, want an error saying %q", c.args, err, c.want)
			}
		})
	}
	if b, _ := os.ReadFile(trace); string(b) != content {
		t.Errorf("the trace was overwritten: %.40q", b)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s was written", out)
	}
}

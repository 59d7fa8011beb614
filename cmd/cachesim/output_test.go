package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// "-" as the output of generate and convert is standard output, not a file
// named "-".
func TestOutputDashIsStdout(t *testing.T) {
	out, errOut, err := runCLI(t, "generate", "zipf:keys=10", "--requests", "20", "-o", "-")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out, "\n"); n != 20 || !strings.Contains(errOut, "to standard output") {
		t.Errorf("generate -o -: %d lines on stdout (want 20), stderr %q", n, errOut)
	}
	p := writeFile(t, "t.txt", "1\n2\n3\n")
	out, errOut, err = runCLI(t, "convert", p, "-")
	if err != nil {
		t.Fatal(err)
	}
	if out != "1\n2\n3\n" || !strings.Contains(errOut, "wrote 3 requests to standard output") {
		t.Errorf("convert %s -: stdout %q, stderr %q", p, out, errOut)
	}
	if _, err := os.Lstat("-"); err == nil {
		os.Remove("-")
		t.Error(`a file named "-" was written`)
	}
}

// Outputs through a symbolic link land in its target and keep the link;
// /dev/null stays a device.
func TestOutputsThroughLinksAndDevices(t *testing.T) {
	trace := writeFile(t, "loop.txt", loopTrace(10, 3))
	dir := t.TempDir()
	target := filepath.Join(dir, "real.csv")
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink("real.csv", link); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "sweep", trace, "--sizes", "5,10", "--csv", link, "--json", os.DevNull); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("%s is no longer a link: %v", link, err)
	}
	if b, err := os.ReadFile(target); err != nil || !strings.HasPrefix(string(b), "policy,size") {
		t.Errorf("the link's target holds %q (%v), want the CSV", b, err)
	}
	if st, err := os.Lstat(os.DevNull); err != nil || st.Mode()&fs.ModeCharDevice == 0 {
		t.Fatalf("%s is not a device any more", os.DevNull)
	}
}

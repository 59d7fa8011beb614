package report

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

// A named pipe is written through, not replaced by a regular file.
func TestWriteFileFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(p) // waits for the writer
		if err != nil {
			got <- err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	if err := Check(p); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, writeString("through the pipe\n")); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(p); err != nil || st.Mode()&fs.ModeNamedPipe == 0 {
		t.Fatalf("%s is no longer a named pipe: %v %v", p, st.Mode(), err)
	}
	select {
	case s := <-got:
		if s != "through the pipe\n" {
			t.Errorf("the reader got %q", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the reader got nothing")
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(p), ".*")); len(left) != 0 {
		t.Errorf("left %v", left)
	}
}

// /dev/null stays the device (as root, a rename in /dev would replace it).
func TestWriteFileDevice(t *testing.T) {
	if err := Check(os.DevNull); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(os.DevNull, writeString("nothing\n")); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(os.DevNull); err != nil || st.Mode()&fs.ModeCharDevice == 0 {
		t.Fatalf("%s is not a character device any more: %v %v", os.DevNull, st.Mode(), err)
	}
	if left, _ := filepath.Glob("/dev/.null.*"); len(left) != 0 {
		t.Errorf("left %v in /dev", left)
	}
}

// A symbolic link is followed: the link stays, its target (in another
// directory, existing or not) gets the content, with no temporary left in
// either directory.
func TestWriteFileSymlink(t *testing.T) {
	links, targets := t.TempDir(), t.TempDir()
	for _, c := range []struct{ name, old string }{{"existing", "old content\n"}, {"dangling", ""}} {
		target := filepath.Join(targets, c.name+".csv")
		if c.old != "" {
			if err := os.WriteFile(target, []byte(c.old), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		rel, _ := filepath.Rel(links, target)
		link := filepath.Join(links, c.name)
		if err := os.Symlink(rel, link); err != nil {
			t.Fatal(err)
		}
		if err := Check(link); err != nil {
			t.Fatal(err)
		}
		if err := WriteFile(link, writeString("new content\n")); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Lstat(link); err != nil || st.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("%s: the link was replaced (%v %v)", c.name, st.Mode(), err)
		}
		b, err := os.ReadFile(target)
		if err != nil || string(b) != "new content\n" {
			t.Errorf("%s: target holds %q (%v)", c.name, b, err)
		}
		if st, _ := os.Stat(target); c.old != "" && st.Mode().Perm() != 0o600 {
			t.Errorf("%s: target's mode became %v", c.name, st.Mode().Perm())
		}
	}
	for _, dir := range []string{links, targets} {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".") {
				t.Errorf("left %s in %s", e.Name(), dir)
			}
		}
	}
}

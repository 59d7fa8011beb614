package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// pathRole is the annotation that declares which flags and positional
// arguments name files a command reads ("input") or writes ("output"), so
// that checkPaths can refuse an output that would overwrite an input or
// another output.
const pathRole = "cachesim:path"

// markPaths declares the flags names of fs as naming files of role
// ("input" or "output").
func markPaths(fs *pflag.FlagSet, role string, names ...string) {
	for _, name := range names {
		_ = fs.SetAnnotation(name, pathRole, []string{role})
	}
}

// pathArgs declares the roles of a command's positional arguments, in
// order ("input", "output", or "-" for an argument that is not a file, such
// as a server's URL); the last role applies to any further arguments.
func pathArgs(roles ...string) map[string]string {
	return map[string]string{pathRole: strings.Join(roles, " ")}
}

// pathUse is one file a command reads or writes, and how it was named.
type pathUse struct {
	output bool
	name   string // "--csv out.csv", "the trace mine.txt"
	path   string
}

// checkPaths fails, before any work, if an output of cmd is one of its
// inputs or another of its outputs: the same cleaned absolute path, or
// the same existing file by another name (a link). "-" (standard input or
// output) and devices and pipes, which are written through, never clash.
func checkPaths(cmd *cobra.Command, args []string) error {
	var uses []pathUse
	if roles := strings.Fields(cmd.Annotations[pathRole]); len(roles) > 0 {
		for i, a := range args {
			role := roles[min(i, len(roles)-1)]
			if role == "input" || role == "output" {
				uses = append(uses, pathUse{role == "output", role + " " + a, a})
			}
		}
	}
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if role := f.Annotations[pathRole]; len(role) == 1 {
			uses = append(uses, pathUse{role[0] == "output", "--" + f.Name + " " + f.Value.String(), f.Value.String()})
		}
	})
	for i, a := range uses {
		for _, b := range uses[:i] {
			if (a.output || b.output) && samePath(a.path, b.path) {
				out, other := a, b
				if !out.output {
					out, other = b, a
				}
				if other.output {
					return fmt.Errorf("%s and %s are the same file: give each output its own", other.name, out.name)
				}
				return fmt.Errorf("%s would overwrite the %s it reads: write the output to another file", out.name, other.name)
			}
		}
	}
	return nil
}

// samePath reports whether a and b name the same regular (or not yet
// existing) file.
func samePath(a, b string) bool {
	if a == "" || b == "" || a == "-" || b == "-" {
		return false
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb) && sa.Mode().IsRegular()
	}
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	return errA == nil && errB == nil && absA == absB
}

package main

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// unknownFlag matches pflag's errors for a flag the command does not have.
var unknownFlag = regexp.MustCompile(`^unknown (?:flag: --([^\s=]+)|shorthand flag: '(.)')`)

// givenTwice matches pflag's wrapping of onceValue's error.
var givenTwice = regexp.MustCompile(`--([\w-]+) is given twice`)

// flagHints add a word for the confusions seen in practice.
var flagHints = map[string]string{
	"maxmemory":        "the simulated cache's size is --size (replay) or --sizes (sweep)",
	"maxmemory-policy": "the simulated policy is --policy",
	"max-memory":       "a live server's memory limit is --maxmemory",
	"target":           "the live server is the first argument of cachesim live replay|sweep",
	"levels":           "a hierarchy is simulated by cachesim system replay|sweep",
	"size":             "a sweep takes --sizes",
	"sizes":            "a replay takes --size",
}

// flagError turns an unknown flag into an error that says which commands
// have it, or which flag of this command was probably meant.
func flagError(root *cobra.Command) func(*cobra.Command, error) error {
	return func(cmd *cobra.Command, err error) error {
		if m := givenTwice.FindStringSubmatch(err.Error()); m != nil {
			return fmt.Errorf("--%s is given twice: give it once (a second value would replace the first)", m[1])
		}
		m := unknownFlag.FindStringSubmatch(err.Error())
		if m == nil {
			return err
		}
		name, short := m[1], m[2]
		if short != "" {
			return fmt.Errorf("%s has no flag -%s (see %s --help)", cmd.CommandPath(), short, cmd.CommandPath())
		}
		if homes := commandsWithFlag(root, name); len(homes) > 0 {
			msg := fmt.Sprintf("--%s is not a flag of %s: it belongs to %s", name, cmd.CommandPath(), joinOr(homes))
			if h := flagHints[name]; h != "" {
				msg += " (" + h + ")"
			}
			return fmt.Errorf("%s", msg)
		}
		msg := fmt.Sprintf("unknown flag --%s for %s", name, cmd.CommandPath())
		if h := flagHints[name]; h != "" {
			msg += ": " + h
		} else if s := suggestFlag(cmd, name); s != "" {
			msg += "; did you mean --" + s + "?"
		} else {
			msg += " (see " + cmd.CommandPath() + " --help)"
		}
		return fmt.Errorf("%s", msg)
	}
}

// commandsWithFlag lists the runnable commands under root that have a flag
// of that name.
func commandsWithFlag(root *cobra.Command, name string) []string {
	var out []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Runnable() && c.Flags().Lookup(name) != nil {
			out = append(out, c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	sort.Strings(out)
	return out
}

// joinOr renders a list as "a", "a or b", "a, b or c".
func joinOr(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// suggestFlag returns the flag of cmd nearest to name, if one is near
// enough to be a typo (edit distance at most 2, or a prefix).
func suggestFlag(cmd *cobra.Command, name string) string {
	best, bestD := "", 3
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		d := editDistance(name, f.Name)
		if strings.HasPrefix(f.Name, name) && len(name) >= 3 {
			d = min(d, 1)
		}
		if d < bestD || (d == bestD && f.Name < best) {
			best, bestD = f.Name, d
		}
	})
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// onceValue is a flag value that may be given only once: a repeated flag
// would silently replace the first value.
type onceValue struct {
	pflag.Value
	name string
	set  bool
}

// Set sets the value, refusing a second one.
func (v *onceValue) Set(s string) error {
	if v.set {
		return fmt.Errorf("--%s is given twice (a second value would replace the first)", v.name)
	}
	v.set = true
	return v.Value.Set(s)
}

// onceFlags makes every flag of every command under root refuse a second
// value, but those that take several (--key-filter).
func onceFlags(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if _, list := f.Value.(pflag.SliceValue); list {
				return
			}
			if _, ok := f.Value.(*onceValue); !ok {
				f.Value = &onceValue{Value: f.Value, name: f.Name}
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

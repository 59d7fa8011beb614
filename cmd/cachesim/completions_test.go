package main

import (
	"strings"
	"testing"
)

// Flag values complete from the tables that define them: policies from the
// registry, formats from the format table, stampede modes from sim/system,
// and a command completes only the flags it has.
func TestFlagCompletion(t *testing.T) {
	for _, tc := range []struct {
		args        []string
		want, avoid string
	}{
		{[]string{"sweep", "--policy", ""}, "belady-prefix", ""},
		{[]string{"replay", "--trace-format", ""}, "mooncake", ""},
		{[]string{"system", "replay", "--stampede", ""}, "coalesce", ""},
		{[]string{"inspect", "--format", ""}, "json", "csv"},
		{[]string{"sweep", "--model", ""}, "deepseek-v3", ""},
		{[]string{"replay", "--kv-dtype", ""}, "fp8", ""},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out, _, err := runCLI(t, append([]string{"__complete"}, tc.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(out, "\n")
			has := func(v string) bool {
				for _, l := range lines {
					if l == v {
						return true
					}
				}
				return false
			}
			if !has(tc.want) || (tc.avoid != "" && has(tc.avoid)) {
				t.Errorf("completions %q: want %q, not %q", lines, tc.want, tc.avoid)
			}
		})
	}
}

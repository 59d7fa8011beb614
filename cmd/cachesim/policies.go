package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/cachesim/cachesim/policy"
	"github.com/spf13/cobra"
)

func newPoliciesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "policies",
		Short: "List the eviction policies, their traits and their parameters",
		Long: `policies lists every eviction policy with a description, its traits (what it
needs from a trace and what it does with it; explained at the end) and its
parameters as name=default, with what each means and accepts. Give parameters
in parentheses after the name: --policy 's3fifo(small=0.2,threshold=1)'.`,
		Example: "  cachesim policies\n  cachesim sweep --policy lru,lfu,fifo\n  cachesim sweep --policy 's3fifo(small=0.2),redis-lru(samples=10)' --optimal",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			writePolicies(cmd.OutOrStdout(), 100)
			return nil
		},
	}
}

// writePolicies lists every registered policy from its Info, wrapped to width columns.
func writePolicies(w io.Writer, width int) {
	var infos []policy.Info
	nameW, paramW := 0, 0
	for _, name := range policy.Names() {
		info, _ := policy.Lookup(name)
		infos = append(infos, info)
		nameW = max(nameW, len(name))
		for _, p := range info.Params {
			paramW = max(paramW, len(p.Name)+1+len(p.Default))
		}
	}
	indent := strings.Repeat(" ", nameW+2)
	for _, info := range infos {
		for i, line := range wrap(info.Summary, width-len(indent)) {
			name := ""
			if i == 0 {
				name = info.Name
			}
			fmt.Fprintf(w, "%-*s  %s\n", nameW, name, line)
		}
		if info.Traits != 0 {
			fmt.Fprintf(w, "%straits: %s\n", indent, info.Traits)
		}
		for _, p := range info.Params {
			help := p.Help + "; " + p.Accepts()
			for i, line := range wrap(help, width-len(indent)-paramW-2) {
				nv := ""
				if i == 0 {
					nv = p.Name + "=" + p.Default
				}
				fmt.Fprintf(w, "%s%-*s  %s\n", indent, paramW, nv, line)
			}
		}
	}
	fmt.Fprintln(w, "\nTraits:")
	for _, t := range policy.AllTraits() {
		fmt.Fprintf(w, "  %-12s %s\n", t, t.Help())
	}
}

// wrap breaks text into lines of at most width characters at spaces (a
// longer word gets a line of its own).
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case len([]rune(line))+1+len([]rune(word)) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	return append(lines, line)
}

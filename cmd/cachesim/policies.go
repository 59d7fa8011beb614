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
		Short: "List the eviction policies and admission filters, their traits and their parameters",
		Long: `policies lists every eviction policy with a description, its traits (what it
needs from a trace and what it does with it; explained at the end) and its
parameters as name=default, with what each means and accepts. Give parameters
in parentheses after the name: --policy 's3fifo(small=0.2,threshold=1)'. Then
the admission filters, which go in front of any policy after a +: a miss
enters the cache only if the filter admits it ('lru+tinylfu', 'lru+size:1MiB').`,
		Example: "  cachesim policies\n  cachesim sweep --policy lru,lfu,fifo,lru+tinylfu\n  cachesim sweep --policy 's3fifo(small=0.2),redis-lru(samples=10)' --optimal",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			writePolicies(cmd.OutOrStdout(), 100)
			return nil
		},
	}
}

// writePolicies lists every registered policy, then every admission
// filter, from their Info, wrapped to width columns.
func writePolicies(w io.Writer, width int) {
	var entries []policy.FilterInfo // a policy's listing is a filter's without Main
	for _, name := range policy.Names() {
		info, _ := policy.Lookup(name)
		entries = append(entries, policy.FilterInfo{Name: info.Name, Summary: info.Summary, Traits: info.Traits, Params: info.Params})
	}
	nPolicies := len(entries)
	for _, name := range policy.FilterNames() {
		f, _ := policy.LookupFilter(name)
		entries = append(entries, f)
	}
	nameW, paramW := 0, 0
	for _, e := range entries {
		nameW = max(nameW, len(e.Name))
		for _, p := range e.Params {
			paramW = max(paramW, len(p.Name)+1+len(p.Default))
		}
	}
	for i, e := range entries {
		if i == nPolicies {
			fmt.Fprintln(w, "\nAdmission filters (after a policy and a +: lru+tinylfu, 'lru+size:1MiB', 'lfu+prob(p=0.1)';")
			fmt.Fprintln(w, "name:value sets the parameter marked *):")
		}
		writeEntry(w, e, nameW, paramW, width)
	}
	fmt.Fprintln(w, "\nTraits:")
	for _, t := range policy.AllTraits() {
		fmt.Fprintf(w, "  %-12s %s\n", t, t.Help())
	}
}

// writeEntry lists one policy or filter: name and summary, traits, parameters.
func writeEntry(w io.Writer, e policy.FilterInfo, nameW, paramW, width int) {
	indent := strings.Repeat(" ", nameW+2)
	for i, line := range wrap(e.Summary, width-len(indent)) {
		name := ""
		if i == 0 {
			name = e.Name
		}
		fmt.Fprintf(w, "%-*s  %s\n", nameW, name, line)
	}
	if e.Traits != 0 {
		fmt.Fprintf(w, "%straits: %s\n", indent, e.Traits)
	}
	for _, p := range e.Params {
		help := p.Help + "; " + p.Accepts()
		if p.Name == e.Main {
			help = "(*) " + help
		}
		for i, line := range wrap(help, width-len(indent)-paramW-2) {
			nv := ""
			if i == 0 {
				nv = p.Name + "=" + p.Default
			}
			fmt.Fprintf(w, "%s%-*s  %s\n", indent, paramW, nv, line)
		}
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

package main

import (
	"fmt"

	"github.com/cachesim/cachesim/policy"
	"github.com/spf13/cobra"
)

func newPoliciesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "policies",
		Short: "List the eviction policies and their parameters",
		Long: `policies lists every eviction policy with a one-line description and,
indented below it, its parameters as name=default: meaning. Give parameters
in parentheses after the name: --policy 's3fifo(small=0.2,threshold=1)'.`,
		Example: "  cachesim policies\n  cachesim sweep --policy lru,lfu,fifo\n  cachesim sweep --policy 's3fifo(small=0.2),redis-lru(samples=10)' --optimal",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			width := 0
			for _, name := range policy.Names() {
				width = max(width, len(name))
			}
			for _, name := range policy.Names() {
				info, _ := policy.Lookup(name)
				fmt.Fprintf(w, "%-*s  %s\n", width, name, info.Summary)
				for _, p := range info.Params {
					fmt.Fprintf(w, "%-*s    %s\n", width, "", p)
				}
			}
			return nil
		},
	}
}

package main

import (
	"fmt"
	"strings"

	"github.com/cachesim/cachesim/policy"
	"github.com/spf13/cobra"
)

func newPoliciesCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "policies",
		Short:   "List the eviction policies and their parameters",
		Example: "  cachesim policies\n  cachesim sweep --policy lru,lfu,fifo",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			for _, name := range policy.Names() {
				info, _ := policy.Lookup(name)
				fmt.Fprintf(w, "%-8s %s\n", name, info.Summary)
				if len(info.Params) > 0 {
					fmt.Fprintf(w, "%-8s parameters: %s\n", "", strings.Join(info.Params, "; "))
				}
			}
			return nil
		},
	}
}

package main

import (
	"strings"

	"github.com/spf13/cobra"
)

// completeOne completes a flag whose value is one of values.
func completeOne(values ...string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeList completes a flag whose value is a comma-separated list of
// values: the item being typed, after the ones already given.
func completeList(values func() []string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, typed string) ([]string, cobra.ShellCompDirective) {
		done := ""
		if i := strings.LastIndexByte(typed, ','); i >= 0 {
			done = typed[:i+1]
		}
		var out []string
		for _, v := range values() {
			out = append(out, done+v)
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}

// completeFlags registers the completion functions of flagCompletions for
// those of the flags that cmd has; formats are the values of its --format.
func completeFlags(cmd *cobra.Command, formats ...string) {
	if len(formats) > 0 {
		_ = cmd.RegisterFlagCompletionFunc("format", completeOne(formats...))
	}
	for name, f := range flagCompletions {
		if cmd.Flags().Lookup(name) != nil {
			_ = cmd.RegisterFlagCompletionFunc(name, f)
		}
	}
}

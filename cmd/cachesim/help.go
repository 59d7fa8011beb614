package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The help shows a command's flags in sections, as kubectl and gh do: first
// its arguments and the few flags a first run needs (startHere), then every
// other flag in the section of the group that registered it (inSection),
// in sectionOrder. A flag registered in no section is an input flag: the
// flags that say how to read a trace, which are most of them, need no
// declaration to be shown.

// Help sections, in the order they are shown (sectionOrder).
const (
	sectionPolicies = "Policies and sizes"
	sectionSystem   = "System"
	sectionStampede = "Stampedes and writes"
	sectionEvents   = "Invalidations and warm-up"
	sectionSpan     = "Window and warm-up"
	sectionServer   = "Server"
	sectionClients  = "Clients and models"
	sectionWorkload = "Workload parameters"
	sectionRules    = "Sizing rules and charts"
	sectionLatency  = "Latency and cost"
	sectionBatches  = "Multi-key requests and tenants"
	sectionPrompts  = "Prompt traces"
	sectionTimeline = "Timeline"
	sectionSpeed    = "Speed, memory and sampling"
	sectionOutput   = "Output"
	sectionInput    = "Input" // the default: flags registered in no section
)

// sectionOrder is the order of the sections in the help.
var sectionOrder = []string{sectionPolicies, sectionSystem, sectionStampede, sectionEvents, sectionSpan, sectionServer, sectionClients,
	sectionWorkload, sectionRules, sectionLatency, sectionBatches, sectionPrompts, sectionTimeline, sectionSpeed,
	sectionOutput, sectionInput}

// Annotations of the help layout: on a flag, its section; on a command,
// its arguments (a "NAME\tusage" line each) and its first-run flags.
const (
	sectionKey = "cachesim:section"
	argsKey    = "cachesim:args"
	startKey   = "cachesim:start"
)

// inSection puts the flags registered on fs from now until the returned
// function is called in help section s; a flag put in a section of its own
// meanwhile stays there. A group's register function starts with
//
//	defer inSection(fs, sectionOutput)()
func inSection(fs *pflag.FlagSet, s string) (done func()) {
	before := len(definedFlags(fs))
	return func() {
		for _, f := range definedFlags(fs)[before:] {
			if f.Annotations[sectionKey] != nil {
				continue
			}
			if f.Annotations == nil {
				f.Annotations = map[string][]string{}
			}
			f.Annotations[sectionKey] = []string{s}
		}
	}
}

// definedFlags returns fs's flags in the order they were defined. It is
// VisitAll without sorting: sorted, VisitAll sorts every flag again after
// each one is added, which was 40% of building the commands (that is, of
// every run's start).
func definedFlags(fs *pflag.FlagSet) []*pflag.Flag {
	sorted := fs.SortFlags
	fs.SortFlags = false
	defer func() { fs.SortFlags = sorted }()
	var flags []*pflag.Flag
	fs.VisitAll(func(f *pflag.Flag) { flags = append(flags, f) })
	return flags
}

// sectionOf returns the help section of flag f.
func sectionOf(f *pflag.Flag) string {
	if s := f.Annotations[sectionKey]; len(s) == 1 {
		return s[0]
	}
	return sectionInput
}

// helpArg is a positional argument and its help.
type helpArg struct{ name, usage string }

// traceArg is the optional trace of the simulating commands.
var traceArg = helpArg{"TRACE", "the trace: a file (format detected: see --trace-format), - for standard input, or a synthetic workload " +
	"such as 'zipf:keys=1e6,alpha=0.9' (see cachesim generate --help) (default: the built-in workload)"}

// startHere puts cmd's arguments and then the flags a first run needs, in
// this order, at the top of its help, above the sections.
func startHere(cmd *cobra.Command, args []helpArg, flags ...string) {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	lines := make([]string, len(args))
	for i, a := range args {
		lines[i] = a.name + "\t" + a.usage
	}
	cmd.Annotations[argsKey] = strings.Join(lines, "\n")
	cmd.Annotations[startKey] = strings.Join(flags, " ")
}

// flagSection is a titled part of the flags of a help.
type flagSection struct {
	title string
	args  []helpArg // in the first section only
	flags []*pflag.Flag
}

// flagSections lays out cmd's own flags: the arguments, the first-run
// flags and --help first, then each other flag in its section.
func flagSections(cmd *cobra.Command) []flagSection {
	first := flagSection{}
	for _, line := range strings.Split(cmd.Annotations[argsKey], "\n") {
		if name, usage, ok := strings.Cut(line, "\t"); ok {
			first.args = append(first.args, helpArg{name, usage})
		}
	}
	start := strings.Fields(cmd.Annotations[startKey])
	byName := map[string]*pflag.Flag{}
	bySection := map[string][]*pflag.Flag{}
	cmd.LocalFlags().VisitAll(func(f *pflag.Flag) {
		switch {
		case f.Hidden:
		case slices.Contains(start, f.Name):
			byName[f.Name] = f
		case f.Name == "help" || f.Name == "version":
			start = append(start, f.Name)
			byName[f.Name] = f
		default:
			s := sectionOf(f)
			bySection[s] = append(bySection[s], f)
		}
	})
	for _, name := range start {
		if f := byName[name]; f != nil && !slices.Contains(first.flags, f) {
			first.flags = append(first.flags, f)
		}
	}
	titles := make([]string, 0, len(bySection))
	for s := range bySection {
		titles = append(titles, s)
	}
	rank := func(s string) int {
		if i := slices.Index(sectionOrder, s); i >= 0 {
			return i
		}
		return len(sectionOrder) // a section not in the order: after the others
	}
	slices.SortFunc(titles, func(a, b string) int {
		if d := rank(a) - rank(b); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	switch {
	case len(titles) == 0:
		first.title = "Flags"
	case len(first.args) > 0:
		first.title = "Arguments and main flags"
	default:
		first.title = "Main flags"
	}
	out := []flagSection{first}
	for _, s := range titles {
		out = append(out, flagSection{title: s + " flags", flags: bySection[s]})
	}
	return out
}

// argValue stands for a positional argument among the flags, so that its
// help lines up with theirs; it shows no type and no default.
type argValue struct{}

func (argValue) String() string   { return "" }
func (argValue) Set(string) error { return nil }
func (argValue) Type() string     { return "bool" }

// flagHelp renders the sections, their help aligned in one column.
func flagHelp(sections []flagSection) string {
	render := func(ss []flagSection) []string {
		fs := pflag.NewFlagSet("help", pflag.ContinueOnError)
		fs.SortFlags = false
		for _, s := range ss {
			for _, a := range s.args {
				fs.AddFlag(&pflag.Flag{Name: a.name, Usage: a.usage, Value: argValue{}})
			}
			for _, f := range s.flags {
				fs.AddFlag(f)
			}
		}
		return strings.Split(strings.TrimRight(fs.FlagUsages(), "\n"), "\n")
	}
	lines, n := render(sections), 0
	for _, s := range sections {
		n += len(s.args) + len(s.flags)
	}
	aligned := len(lines) == n // else some help takes several lines: each section is aligned on its own
	var b strings.Builder
	for i, s := range sections {
		if i > 0 {
			b.WriteString("\n\n")
		}
		var own []string
		if aligned {
			own, lines = lines[:len(s.args)+len(s.flags)], lines[len(s.args)+len(s.flags):]
		} else {
			own = render([]flagSection{s})
		}
		b.WriteString(s.title + ":")
		for j, line := range own {
			if j < len(s.args) { // shown as a flag: --NAME
				name := s.args[j].name
				line = strings.Replace(line, "      --"+name, "  "+name+"      ", 1)
			}
			b.WriteString("\n" + strings.TrimRight(line, " "))
		}
	}
	return b.String()
}

// writeUsage is the usage of every command: cobra's (its default template,
// written out), with the flags in sections (see flagSections).
func writeUsage(cmd *cobra.Command) error {
	var b strings.Builder
	b.WriteString("Usage:")
	if cmd.Runnable() {
		b.WriteString("\n  " + cmd.UseLine())
	}
	if cmd.HasAvailableSubCommands() {
		b.WriteString("\n  " + cmd.CommandPath() + " [command]")
	}
	if len(cmd.Aliases) > 0 {
		b.WriteString("\n\nAliases:\n  " + cmd.NameAndAliases())
	}
	if cmd.HasExample() {
		b.WriteString("\n\nExamples:\n" + cmd.Example)
	}
	if cmd.HasAvailableSubCommands() {
		b.WriteString("\n\nAvailable Commands:")
		for _, sub := range cmd.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				fmt.Fprintf(&b, "\n  %-*s %s", sub.NamePadding(), sub.Name(), sub.Short)
			}
		}
	}
	if cmd.HasAvailableLocalFlags() {
		b.WriteString("\n\n" + flagHelp(flagSections(cmd)))
	}
	if cmd.HasAvailableInheritedFlags() {
		b.WriteString("\n\nGlobal Flags:\n" + strings.TrimRightFunc(cmd.InheritedFlags().FlagUsages(), unicode.IsSpace))
	}
	if cmd.HasHelpSubCommands() {
		b.WriteString("\n\nAdditional help topics:")
		for _, sub := range cmd.Commands() {
			if sub.IsAdditionalHelpTopicCommand() {
				fmt.Fprintf(&b, "\n  %-*s %s", sub.CommandPathPadding(), sub.CommandPath(), sub.Short)
			}
		}
	}
	if cmd.HasAvailableSubCommands() {
		fmt.Fprintf(&b, "\n\nUse \"%s [command] --help\" for more information about a command.", cmd.CommandPath())
	}
	b.WriteString("\n")
	_, err := io.WriteString(cmd.OutOrStderr(), b.String())
	return err
}

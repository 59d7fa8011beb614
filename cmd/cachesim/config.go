package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// maxConfig is the largest --config file read: settings take a few lines.
const maxConfig = 1 << 20

// readConfig reads the file at path, refusing one past maxConfig (a device
// such as /dev/zero would otherwise be read until memory ran out).
func readConfig(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfig+1))
	if err != nil {
		return nil, fmt.Errorf("--config %s: %w", path, err)
	}
	if len(data) > maxConfig {
		return nil, fmt.Errorf("--config %s: larger than 1 MiB; a settings file is a few lines of YAML (name: value)", path)
	}
	return data, nil
}

// applyConfig sets the flags of cmd from the YAML file at path, except
// those given on the command line. Every key must be a flag of cmd; errors
// name the file and line (and, for a flag of another command, that command).
func applyConfig(cmd *cobra.Command, path string) error {
	fs := cmd.Flags()
	data, err := readConfig(path)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("--config %s: %w", path, err)
	}
	if len(doc.Content) == 0 {
		return fmt.Errorf("--config %s: empty file", path)
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: expected a mapping of settings (name: value)", path, top.Line)
	}
	changed := map[string]bool{}
	fs.Visit(func(f *pflag.Flag) { changed[f.Name] = true })
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		fail := func(format string, a ...any) error {
			return fmt.Errorf("%s:%d: %s: %s", path, v.Line, k.Value, fmt.Sprintf(format, a...))
		}
		name := k.Value
		if name == "config" || fs.Lookup(name) == nil {
			if homes := commandsWithFlag(cmd.Root(), name); len(homes) > 0 && name != "config" {
				return fmt.Errorf("%s:%d: %s is not a setting of %s: it is a flag of %s", path, k.Line, name, cmd.CommandPath(), joinOr(homes))
			}
			return fmt.Errorf("%s:%d: unknown setting %q (settings are the flag names of %s, e.g. levels, instances, stampede, ttl)", path, k.Line, name, cmd.CommandPath())
		}
		if changed[name] {
			continue
		}
		if err := setConfigValue(fs, name, v); err != nil {
			return fail("%v", err)
		}
	}
	return nil
}

// setConfigValue sets flag name from its YAML value: each item of a list
// on its own for a flag that may be repeated (--key-filter), else the
// value as configValue renders it.
func setConfigValue(fs *pflag.FlagSet, name string, v *yaml.Node) error {
	if _, repeated := fs.Lookup(name).Value.(pflag.SliceValue); repeated && v.Kind == yaml.SequenceNode {
		for _, item := range v.Content {
			if item.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: expected a value", item.Line)
			}
			if err := fs.Set(name, item.Value); err != nil {
				return err
			}
		}
		return nil
	}
	value, err := configValue(name, v)
	if err != nil {
		return err
	}
	return fs.Set(name, value)
}

// configValue renders a YAML value as its flag's text: a scalar as is, a
// list of scalars comma-separated, and levels given as a list of mappings
// in the --levels syntax.
func configValue(name string, v *yaml.Node) (string, error) {
	switch v.Kind {
	case yaml.ScalarNode:
		return v.Value, nil
	case yaml.SequenceNode:
		parts := make([]string, len(v.Content))
		for j, item := range v.Content {
			switch {
			case item.Kind == yaml.ScalarNode:
				parts[j] = item.Value
			case item.Kind == yaml.MappingNode && name == "levels":
				var l struct {
					Name, Policy, Size, Latency string
				}
				if err := item.Decode(&l); err != nil {
					return "", err
				}
				if l.Name == "" || l.Policy == "" || l.Size == "" {
					return "", fmt.Errorf("line %d: a level needs name, policy and size (latency optional)", item.Line)
				}
				parts[j] = l.Name + "=" + l.Policy + ":" + l.Size
				if l.Latency != "" {
					parts[j] += "@" + l.Latency
				}
			default:
				return "", fmt.Errorf("line %d: expected a value", item.Line)
			}
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("expected a value or a list")
}

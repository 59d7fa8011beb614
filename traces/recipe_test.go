package traces

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
)

// TestFormatRecipe checks what adding a trace format takes besides its
// reader and its row in formats (see formats): every format has a sample
// that reads as it, and a fuzz target; every reader flag applies to
// formats of the table.
func TestFormatRecipe(t *testing.T) {
	for _, p := range recipeProblems(formats, Flags) {
		t.Error(p)
	}
}

// TestFormatRecipeCatches checks that TestFormatRecipe can fail: a format
// without a sample or a fuzz target, and a flag naming no format, are
// reported.
func TestFormatRecipeCatches(t *testing.T) {
	fake := format{name: "fake", exts: []string{".csv"}, alsoIn: []string{".nosuch"}, sniff: func([]byte, Options) bool { return false },
		open: func(string, io.Reader, Options) (trace.Reader, error) { return nil, nil }}
	flags := append(slices.Clip(Flags), Flag{Name: "fake-flag", Formats: []string{"nosuch"}, set: func(*Options, string) error { return nil }})
	got := strings.Join(recipeProblems(append(slices.Clip(formats), fake), flags), "\n")
	for _, want := range []string{"fake: no sample testdata/formats/fake.*", `fake: no fuzz target: add to fuzz_test.go a Fuzz function calling fuzzFormat(f, "fake")`,
		`--fake-flag applies to "nosuch", no format of the table`, "fake: .csv is the usual extension of csv already", "fake: .nosuch in alsoIn is no format's usual extension",
		"fake: say whether its keys are text that --key-filter matches"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems do not say %q:\n%s", want, got)
		}
	}
}

// recipeProblems says what the formats fms and the flags lack of the recipe:
//
//   - extensions: one usual format per extension (exts), and the formats
//     that alsoIn names an extension of have one;
//   - a sample, testdata/formats/NAME.EXT: read as NAME, it holds at least
//     one request and no error, and its name and contents choose NAME when no
//     format is named;
//   - a fuzz target: a Fuzz function of fuzz_test.go calling
//     fuzzFormat(f, "NAME", …);
//   - flags whose Formats name formats of fms;
//   - keys that --key-filter matches as text, or that numericKeys says
//     are not text.
func recipeProblems(fms []format, flags []Flag) []string {
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	known := map[string]bool{}
	for _, f := range fms {
		known[f.name] = true
	}

	fuzzed, err := fuzzedFormats("fuzz_test.go")
	if err != nil {
		return []string{err.Error()}
	}
	samples, _ := filepath.Glob(filepath.Join("testdata", "formats", "*"))
	for _, f := range fms {
		if len(fuzzed[f.name]) == 0 {
			fail("%s: no fuzz target: add to fuzz_test.go a Fuzz function calling fuzzFormat(f, %q)", f.name, f.name)
		}
		if err := checkSample(f.name); err != nil {
			fail("%s: %v", f.name, err)
		}
	}
	for name, targets := range fuzzed {
		if !known[name] {
			fail("%s: fuzzFormat(f, %q) names no format of the table", strings.Join(targets, ", "), name)
		}
	}
	for _, p := range samples {
		if name, _, _ := strings.Cut(filepath.Base(p), "."); !known[name] {
			fail("sample %s: %q is no format of the table (samples are named FORMAT.EXT)", p, name)
		}
	}

	usual := map[string]string{}
	for _, f := range fms {
		for _, ext := range f.exts {
			if other, ok := usual[ext]; ok {
				fail("%s: %s is the usual extension of %s already: name it in alsoIn", f.name, ext, other)
			}
			usual[ext] = f.name
		}
	}
	for _, f := range fms {
		for _, ext := range f.alsoIn {
			if usual[ext] == "" {
				fail("%s: %s in alsoIn is no format's usual extension (exts)", f.name, ext)
			}
		}
	}

	seen := map[string]bool{}
	for _, fl := range flags {
		if seen[fl.Name] {
			fail("--%s is declared twice", fl.Name)
		}
		seen[fl.Name] = true
		if len(fl.Formats) == 0 || fl.set == nil || fl.Help == "" {
			fail("--%s: a flag needs Formats, help and set", fl.Name)
		}
		for _, name := range fl.Formats {
			if !known[name] {
				fail("--%s applies to %q, no format of the table", fl.Name, name)
			}
		}
	}
	var textKeys []string
	for _, fl := range flags {
		if fl.Name == "key-filter" {
			textKeys = fl.Formats
		}
	}
	for _, f := range fms {
		if slices.Contains(textKeys, f.name) == (KeysOf(f.name) != "") {
			fail("%s: say whether its keys are text that --key-filter matches (textKeyFormats, and its reader applies Options.Keys) or not (numericKeys says what they are)", f.name)
		}
	}
	return problems
}

// fuzzedFormats parses the fuzz test file at path and returns, for each
// format name passed to fuzzFormat, the Fuzz functions that do.
func fuzzedFormats(path string) (map[string][]string, error) {
	file, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		return nil, err
	}
	fuzzed := map[string][]string{}
	for _, decl := range file.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || !strings.HasPrefix(fn.Name.Name, "Fuzz") || fn.Body == nil {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 2 {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "fuzzFormat" {
				return true
			}
			if lit, ok := call.Args[1].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				name, _ := strconv.Unquote(lit.Value)
				fuzzed[name] = append(fuzzed[name], fn.Name.Name)
			}
			return true
		})
	}
	return fuzzed, nil
}

// checkSample reads the sample of format name, testdata/formats/NAME.*,
// as that format and detected, and says what is wrong.
func checkSample(name string) error {
	paths, _ := filepath.Glob(filepath.Join("testdata", "formats", name+".*"))
	switch {
	case len(paths) == 0:
		return fmt.Errorf("no sample testdata/formats/%s.* (a few requests its reader reads)", name)
	case len(paths) > 1:
		return fmt.Errorf("samples %s: give one", strings.Join(paths, ", "))
	}
	path := paths[0]
	f, err := Open(path, Options{Format: name})
	if err != nil {
		return err
	}
	defer f.Close()
	n := 0
	var req trace.Request
	for ; ; n++ {
		if err := f.Read(&req); err == io.EOF {
			break
		} else if err != nil {
			return fmt.Errorf("sample %s: after %d requests: %w", path, n, err)
		}
	}
	if n == 0 {
		return fmt.Errorf("sample %s holds no request", path)
	}
	if got, err := DetectFormat(path, Options{}); err != nil || got != name {
		return fmt.Errorf("sample %s is detected as %q (%v): its name or contents should choose %s", path, got, err, name)
	}
	return nil
}

// TestFlagDefaults checks that the reader flags' defaults, as help shows
// them, read as not giving the flags: --delimiter apart, whose default is
// to look at the file (a comma, shown as its default, unless the file
// shows another).
func TestFlagDefaults(t *testing.T) {
	norm := func(o Options) Options {
		o.JSON = o.JSON.withDefaults() // "" is the default name
		return o
	}
	none, err := ParseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, fl := range Flags {
		if fl.Default == "" || fl.Name == "delimiter" {
			continue // help shows no default
		}
		got, err := ParseFlags(map[string]string{fl.Name: fl.Default})
		if err != nil {
			t.Errorf("--%s %q: %v", fl.Name, fl.Default, err)
		} else if !reflect.DeepEqual(norm(got), norm(none)) {
			t.Errorf("--%s %q: %+v, want %+v as without it", fl.Name, fl.Default, got, none)
		}
	}
}

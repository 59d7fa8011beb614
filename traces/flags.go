package traces

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Flag is a setting of some trace formats' readers that commands offer as a
// command-line flag. Flags declares each once: its name, help, default, the
// formats it applies to and how its value sets Options. A command
// registers them and turns the ones given into Options with ParseFlags; one
// given with a trace read as a format not among its Formats would have no
// effect, and commands refuse it.
type Flag struct {
	// Name is the flag's name without dashes: "csv-key".
	Name string
	// Kind is the type of its value.
	Kind FlagKind
	// Default is the value help shows when it is not given ("" and a
	// bool's "false" show none). A flag not given leaves Options as
	// ParseFlags starts them, which reads the same.
	Default string
	// Help is its help text.
	Help string
	// Formats are the formats it applies to, in the order an error lists them.
	Formats []string
	// Values are the values it takes, for shell completion (nil: any).
	Values []string
	// Group says which commands offer it.
	Group FlagGroup
	// set stores value in o; an error starts with the value, for
	// ParseFlags to prefix with the flag's name.
	set func(o *Options, value string) error
}

// FlagKind is the type of a Flag's value.
type FlagKind uint8

const (
	// StringFlag takes any string.
	StringFlag FlagKind = iota
	// BoolFlag is given without a value (--header), or as --header=false.
	BoolFlag
	// IntFlag takes an integer.
	IntFlag
	// ListFlag takes a string and may be given several times: ParseFlags
	// takes its values joined by newlines.
	ListFlag
)

// FlagGroup says which commands offer a Flag.
type FlagGroup uint8

const (
	// EveryCommand flags are offered by every command that reads traces.
	EveryCommand FlagGroup = iota
	// RequestCommands flags group rows or lines into multi-key requests or
	// prompts, on the commands that report (or write) them.
	RequestCommands
	// TenantCommands flags say where a request's tenant comes from, on the
	// commands that use tenants.
	TenantCommands
	// ChangeCommands flags say which lines are changes of the truth
	// (trace.OpChange), on the commands that measure staleness.
	ChangeCommands
)

// lineFormats are the formats LineReader reads with columns.
var lineFormats = []string{"csv", "text"}

// textKeyFormats are the formats whose keys are text a KeyFilter matches.
var textKeyFormats = []string{"csv", "text", "jsonl", "monitor", "accesslog", "twitter"}

// Flags are the reader flags, in the order ParseFlags applies them.
var Flags = []Flag{
	columnFlag("csv-key", columnHelp("key", "; a comma list (entity_id,feature_group) makes a composite key (default: the header's key column, else 1)"),
		func(s *ColumnSpec) *string { return &s.Key }),
	columnFlag("csv-size", columnHelp("object size in bytes", " (default: none, every size is --default-size)"),
		func(s *ColumnSpec) *string { return &s.Size }),
	columnFlag("csv-time", columnHelp("timestamp", " (default: none)"),
		func(s *ColumnSpec) *string { return &s.Time }),
	columnFlag("csv-ttl", columnHelp("TTL in seconds", " (default: none)"),
		func(s *ColumnSpec) *string { return &s.TTL }),
	columnFlag("csv-op", columnHelp("operation, get/set/delete", " (default: none; see --count-writes)"),
		func(s *ColumnSpec) *string { return &s.Op }),
	columnFlag("csv-latency", columnHelp("backend latency each request cost", " (default: none), for --miss-latency column"),
		func(s *ColumnSpec) *string { return &s.Latency }),
	{Name: "header", Kind: BoolFlag, Formats: lineFormats,
		Help: "the first line is a header. Without it, a first line with no number that names columns (key, id, *_id, lbn; size, bytes, *_bytes; time, ts, timestamp; ttl; op; latency) is taken as one, and one that names none but has words where the next line has numbers is an error. Without --csv-* flags, the recognised columns are used and the others ignored (a note lists them)",
		set:  func(o *Options, v string) (err error) { o.Line.Header, err = parseBool(v); return err }},
	{Name: "delimiter", Default: ",", Formats: []string{"csv"},
		Help: "CSV column delimiter (one character; \\t for tab). Not given: a comma, or a semicolon or tab when the first 20 lines hold no comma and each the same number of one of them (a note says so)",
		set:  setDelimiter},
	{Name: "time-unit", Formats: []string{"csv", "text", "jsonl", "prompts", "mooncake"}, Values: unitNames,
		Help: "unit of trace timestamps: s, ms, us or ns (decimals allowed; default: ms in Mooncake traces, else from the magnitude of the first timestamp, epoch seconds, ms, µs or ns, with a note; small values are seconds, with a warning on prompt traces when whole numbers span over a day at under one prompt a minute)",
		set:  func(o *Options, v string) (err error) { o.Line.TimeUnit, err = parseUnit(v); return err }},
	{Name: "latency-unit", Formats: lineFormats, Values: unitNames,
		Help: "unit of the latency column: s, ms, us or ns (decimals allowed; default: from a header name such as latency_us, else ms)",
		set:  func(o *Options, v string) (err error) { o.Line.LatencyUnit, err = parseUnit(v); return err }},
	jsonFlag("json-key", "key", "JSON lines: name of the key field", func(j *JSONFields) *string { return &j.Key }),
	withFormats(jsonFlag("json-time", "", `JSON lines and prompt traces: name of the time field, a number in --time-unit (default: time; timestamp in Mooncake traces)`, func(j *JSONFields) *string { return &j.Time }),
		"jsonl", "prompts", "mooncake"),
	withFormats(jsonFlag("json-blocks", "", `prompt traces: name of the list of a prompt's block hashes (default: blocks; hash_ids in Mooncake traces)`, func(j *JSONFields) *string { return &j.Blocks }),
		"prompts", "mooncake"),
	withFormats(jsonFlag("json-tokens", "", `prompt traces: name of a prompt's token count (default: tokens; input_length in Mooncake traces)`, func(j *JSONFields) *string { return &j.Tokens }),
		"prompts", "mooncake"),
	jsonFlag("json-size", "size", "JSON lines: name of the size field (bytes)", func(j *JSONFields) *string { return &j.Size }),
	jsonFlag("json-ttl", "ttl", "JSON lines: name of the TTL field (seconds)", func(j *JSONFields) *string { return &j.TTL }),
	jsonFlag("json-op", "op", "JSON lines: name of the operation field (get, set, delete, …)", func(j *JSONFields) *string { return &j.Op }),
	jsonFlag("json-keys", "keys", "JSON lines: name of a list of keys (one request of several keys) given instead of the key field", func(j *JSONFields) *string { return &j.Keys }),
	{Name: "block-tokens", Kind: IntFlag, Formats: []string{"prompts", "mooncake", "csv", "text"},
		Help: fmt.Sprintf("prompt traces: tokens a KV-cache block holds (token_ids are hashed per full block; blocks without a token count hold this many; a line's block_tokens, or block_size in Mooncake traces, wins) (default %d, vLLM's; %d in Mooncake traces; a warning says when most prompts declare over twice the tokens their blocks hold)", DefaultBlockTokens, MooncakeBlockTokens),
		set:  setBlockTokens},
	{Name: "key-filter", Kind: ListFlag, Formats: textKeyFormats,
		Help: "keep only the requests whose key matches the pattern, e.g. 'pred:*' (repeat for several): * is any run of characters (: and / too), ? one, [a-z] one of a set, [^a-z] one not in it, \\ makes the next one literal; the pattern matches the whole key, as Redis's SCAN MATCH (a pattern without * is one key). The key is a MONITOR line's Redis key, a composite CSV key's columns joined by ','. Applied before anything else: a multi-key request keeps its matching keys, or disappears; a note counts what was kept",
		set:  func(o *Options, v string) error { return setPatterns(&o.Keys.Include, v) }},
	{Name: "key-exclude", Kind: ListFlag, Formats: textKeyFormats,
		Help: "drop the requests whose key matches the pattern, e.g. 'pred:tmp:*' (repeat for several; patterns as --key-filter), of those --key-filter keeps",
		set:  func(o *Options, v string) error { return setPatterns(&o.Keys.Exclude, v) }},
	{Name: "monitor-key", Default: "key", Formats: []string{"monitor"}, Values: []string{"key", "field"},
		Help: "Redis MONITOR: the cached object is the Redis key (key: a hash whole) or each field of a hash (field: key+field)",
		set:  setMonitorKey},
	{Name: "log-host", Kind: BoolFlag, Formats: []string{"accesslog"},
		Help: "access logs: key = virtual host + path (vhost_combined logs)",
		set:  func(o *Options, v string) (err error) { o.AccessLog.WithHost, err = parseBool(v); return err }},
	{Name: "log-all", Kind: BoolFlag, Formats: []string{"accesslog"},
		Help: "access logs: keep every request, not only successful GETs and HEADs (2xx, 304)",
		set:  func(o *Options, v string) (err error) { o.AccessLog.AllRequests, err = parseBool(v); return err }},

	withGroup(RequestCommands, columnFlag("csv-request", columnHelp("request id", ": consecutive rows with the same id are one multi-key request (default: a header column named request_id or batch_id)"),
		func(s *ColumnSpec) *string { return &s.Request })),
	withGroup(RequestCommands, jsonFlag("json-request", "request_id", "JSON lines: name of the request id field (consecutive lines with the same id are one multi-key request)",
		func(j *JSONFields) *string { return &j.Request })),
	withGroup(RequestCommands, columnFlag("csv-block", columnHelp("block index of a prompt's KV block", ": with a request id column and block hashes as keys, the CSV is a prompt trace, rows in block order (default: a header column named block_index)"),
		func(s *ColumnSpec) *string { return &s.Block })),
	withGroup(RequestCommands, columnFlag("csv-tokens", columnHelp("tokens a prompt's KV block holds", " (default: a header column named tokens; without one, --block-tokens)"),
		func(s *ColumnSpec) *string { return &s.Tokens })),

	{Name: "tenant-from", Group: TenantCommands, Formats: []string{"csv", "text", "jsonl", "monitor"}, Values: []string{"prefix:1", "prefix:2", "prefix:3"},
		Help: "derive each request's tenant from its key: " + TenantRuleForms + " (CSV, text, JSON lines and MONITOR traces; a tenant column or field wins)",
		set:  setTenantFrom},
	withGroup(TenantCommands, columnFlag("csv-tenant", "column of the tenant (a model, a service): a 1-based number or a header name (default: a header column named tenant, model, model_id or namespace)",
		func(s *ColumnSpec) *string { return &s.Tenant })),
	withGroup(TenantCommands, jsonFlag("json-tenant", "tenant", "JSON lines: name of the tenant field", func(j *JSONFields) *string { return &j.Tenant })),

	{Name: "monitor-changes", Group: ChangeCommands, Formats: []string{"monitor"},
		Help: "Redis MONITOR: the lines that change the truth instead of writing the cache: writes:PATTERN (the writes and deletes of the keys matching the glob, e.g. writes:feature:*) or publish:CHANNEL (PUBLISH on it; the message names the key that changed)",
		set:  setMonitorChanges},
}

// setMonitorChanges sets which MONITOR lines are changes of the truth.
func setMonitorChanges(o *Options, v string) error {
	kind, arg, _ := strings.Cut(v, ":")
	if arg == "" || (kind != "writes" && kind != "publish") {
		return fmt.Errorf("%q: expected writes:PATTERN (writes:feature:*) or publish:CHANNEL", v)
	}
	if kind == "publish" {
		o.Monitor.ChangeChannel = arg
		return nil
	}
	if _, err := path.Match(arg, ""); err != nil {
		return fmt.Errorf("%q: bad pattern: %v", v, err)
	}
	o.Monitor.ChangeKeys = arg
	return nil
}

// ParseFlags returns the Options that the reader flags in given ask for:
// given maps the name of each flag given on the command line to its value
// as typed (names of no Flag are ignored, so a command may pass all it
// was given), a ListFlag's values joined by newlines. The flags not given leave Options at their zero value, but
// for Line.AutoColumns, true: unless column flags give numbers, a header
// line naming the columns locates them. The first bad value is an error
// naming its flag: --time-unit "m": expected s, ms, us or ns.
func ParseFlags(given map[string]string) (Options, error) {
	opt := Options{Line: LineOptions{AutoColumns: true}}
	for _, f := range Flags {
		v, ok := given[f.Name]
		if !ok {
			continue
		}
		if err := f.set(&opt, v); err != nil {
			return opt, fmt.Errorf("--%s %w", f.Name, err)
		}
	}
	return opt, nil
}

// columnHelp is the help of a column flag: what the column holds, then
// more after the forms its value takes.
func columnHelp(what, more string) string {
	return fmt.Sprintf("column of the %s: a 1-based number (at most %d) or a header name%s", what, MaxColumns, more)
}

// columnFlag is a flag locating a column of CSV and text traces, and the
// field of ColumnSpec it sets.
func columnFlag(name, help string, field func(*ColumnSpec) *string) Flag {
	return Flag{Name: name, Formats: lineFormats, Help: help,
		set: func(o *Options, v string) error {
			if err := CheckColumns(v); err != nil {
				return fmt.Errorf("%q: %w", v, err)
			}
			*field(&o.Line.Spec) = v
			// Numbers locate exactly the columns given, as in libCacheSim;
			// names leave the header's other columns recognised.
			if strings.Trim(v, "0123456789, ") == "" {
				o.Line.AutoColumns = false
			}
			return nil
		}}
}

// jsonFlag is a flag naming a field of JSON lines, and the field of
// JSONFields it sets.
func jsonFlag(name, def, help string, field func(*JSONFields) *string) Flag {
	return Flag{Name: name, Default: def, Formats: []string{"jsonl"}, Help: help,
		set: func(o *Options, v string) error { *field(&o.JSON) = v; return nil }}
}

// withFormats returns f applying to formats instead.
func withFormats(f Flag, formats ...string) Flag {
	f.Formats = formats
	return f
}

// withGroup returns f offered by the commands of g.
func withGroup(g FlagGroup, f Flag) Flag {
	f.Group = g
	return f
}

// unitNames are the time units parseUnit reads, as completion offers them.
var unitNames = []string{"s", "ms", "us", "ns"}

// parseUnit parses a time unit into its length in nanoseconds.
func parseUnit(v string) (int64, error) {
	units := map[string]int64{"s": 1e9, "ms": 1e6, "us": 1e3, "µs": 1e3, "ns": 1}
	n, ok := units[v]
	if !ok && v != "" {
		return 0, fmt.Errorf("%q: expected s, ms, us or ns", v)
	}
	return n, nil
}

// parseBool parses the value of a BoolFlag.
func parseBool(v string) (bool, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%q: expected true or false", v)
	}
	return b, nil
}

// setDelimiter sets the CSV delimiter: one character, or "\t" or "tab".
func setDelimiter(o *Options, v string) error {
	d := v
	if d == `\t` || d == "tab" {
		d = "\t"
	}
	if len(d) != 1 {
		return fmt.Errorf("%q: expected one character", v)
	}
	o.Line.Delimiter = d[0]
	return nil
}

// setBlockTokens sets the tokens of a prompt block.
func setBlockTokens(o *Options, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 1<<20 {
		return fmt.Errorf("%s: expected 1 to 1048576 tokens", v)
	}
	o.BlockTokens = n
	return nil
}

// setMonitorKey sets what a MONITOR trace caches: a key, or each field of a hash.
func setMonitorKey(o *Options, v string) error {
	switch v {
	case "key":
		o.Monitor.Fields = false
	case "field":
		o.Monitor.Fields = true
	default:
		return fmt.Errorf("%q: expected key or field", v)
	}
	return nil
}

// setPatterns sets the key patterns of a ListFlag, given joined by newlines.
func setPatterns(dst *[]string, v string) error {
	for _, p := range strings.Split(v, "\n") {
		if p == "" {
			return fmt.Errorf("%q: an empty pattern matches no key", v)
		}
		if err := checkGlob(p); err != nil {
			return fmt.Errorf("%q: %w", p, err)
		}
		*dst = append(*dst, p)
	}
	return nil
}

// setTenantFrom sets the rule deriving tenants from keys ("": none).
func setTenantFrom(o *Options, v string) error {
	if v == "" {
		o.TenantFrom = nil
		return nil
	}
	r, err := ParseTenantRule(v)
	if err != nil {
		return err
	}
	o.TenantFrom = &r
	return nil
}

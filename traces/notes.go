package traces

import "strconv"

// NoteKind says what a Note is about, so that a command can point to the
// option that changes what the note describes.
type NoteKind uint8

const (
	// NoteFormat: the format was chosen from the contents, not the file name.
	NoteFormat NoteKind = iota
	// NoteColumns: which columns of a header were used and which ignored.
	NoteColumns
	// NoteTimeUnit: the unit of the timestamps was inferred from their magnitude.
	NoteTimeUnit
	// NoteSizes: requests without a size were given one (the key's last
	// known size, or the default size).
	NoteSizes
	// NoteCommands: Redis commands that were not read as requests.
	NoteCommands
	// NoteBlockTokens: the tokens a KV-cache block holds were assumed.
	NoteBlockTokens
	// NoteTenants: how tenants were found (or that there were too many).
	NoteTenants
	// NoteBatches: how multi-key requests were found.
	NoteBatches
	// NoteDelimiter: the column delimiter of a CSV file was chosen from its
	// first lines.
	NoteDelimiter
	// NoteKeyFilter: how many requests a key filter kept.
	NoteKeyFilter
	// NoteKeyColumns: the key is one column of several that look like
	// parts of an object's name; Suggest lists them all.
	NoteKeyColumns
)

// Note tells the user something a reader inferred or left out. Its text
// names no command-line flag; a command may add one according to Kind.
type Note struct {
	Kind NoteKind
	Text string
	// Warning says the results are likely wrong as read: what the note
	// describes (a block size, a time unit) looks mistaken.
	Warning bool
	// Suggest is, for a warning, the value of the setting of Kind that
	// would likely fix it ("512" tokens a block, "ms"; "": none known); for
	// a NoteKeyColumns, the columns that would make a composite key.
	Suggest string
}

// String returns the note's text.
func (n Note) String() string { return n.Text }

// Noter is implemented by readers that have notes; Notes is complete once
// the reader has returned io.EOF.
type Noter interface {
	Notes() []Note
}

// Thousands writes a count with thousands separators, as notes and
// reports show counts: 93,512,190.
func Thousands(n int64) string {
	s, sign := strconv.FormatInt(n, 10), ""
	if n < 0 { // not -n: the smallest int64 has no opposite
		sign, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return sign + s
}

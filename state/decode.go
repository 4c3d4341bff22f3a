package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Load reads the state file at path. A missing file is an empty state
// (New, with no lineage until its first save). A file of a newer version
// is refused with ErrNewerVersion, one that is not a valid state with
// ErrCorrupt (ErrDuplicateID too when two entries share one Dialpad id);
// all come as an *Error naming the file, and the file is left as it is.
//
// Load reads only a regular file at path itself: a symbolic link
// (ErrSymlink), a folder, a named pipe or a device (ErrNotRegular) and a
// file over MaxFileSize (ErrTooLarge) are refused without being read.
func Load(path string) (*State, error) {
	return LoadWith(path, Options{})
}

// LoadWith reads the state file at path as Load does; with
// opts.AllowDuplicateIDs it accepts two entries sharing one Dialpad id.
func LoadWith(path string, opts Options) (*State, error) {
	data, err := readRegular(path, MaxFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return New(), nil
	}
	if err != nil {
		return nil, &Error{Op: "load", Path: path, Err: osReason(err)}
	}
	return decode(path, data, opts.AllowDuplicateIDs)
}

// Decode parses the bytes of a state file, as Load does.
func Decode(data []byte) (*State, error) {
	return decode("", data, false)
}

// osReason strips the path from an *fs.PathError, which *Error names.
func osReason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// decoder reads a state strictly: keys exactly as written by Encode, each
// once, with the types and content Validate wants.
type decoder struct {
	path        string
	data        []byte
	dec         *json.Decoder
	c           canon
	allowDupIDs bool // accept two entries with one id (Options.AllowDuplicateIDs)
	fileVersion int  // the file's version (1 or 2)
	keyOfID     map[string]idOwner
}

func decode(path string, data []byte, allowDupIDs bool) (*State, error) {
	d := &decoder{path: path, data: data, allowDupIDs: allowDupIDs}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, d.corrupt(-1, "the file is empty")
	}
	// The whole file must be JSON; then its version says how to read it.
	var probe struct {
		Version json.RawMessage `json:"version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, d.corruptCause(se.Offset-1, se, "%v", se)
		}
		return nil, d.corrupt(0, "the state must be a JSON object")
	}
	if !isObject(data) {
		return nil, d.corrupt(0, "the state must be a JSON object")
	}
	version, err := d.version(probe.Version)
	if err != nil {
		return nil, err
	}
	// A version 1 state is upgraded in memory: the next save writes it
	// as the current version.
	d.fileVersion = version
	s := New()
	if err := d.state(s); err != nil {
		return nil, err
	}
	return s, nil
}

func (d *decoder) version(raw json.RawMessage) (int, error) {
	if raw == nil {
		return 0, d.corrupt(-1, `no "version" field`)
	}
	if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		return 0, d.corrupt(-1, "version: want a number, not %s", raw)
	}
	v, err := strconv.ParseInt(string(raw), 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange) && raw[0] != '-', err == nil && v > Version:
		return 0, &Error{Op: "load", Path: d.path, Err: &reasonError{
			kind: ErrNewerVersion,
			msg: fmt.Sprintf("it is version %s and this officectl reads version %d: upgrade officectl to use it (the file was left unchanged)",
				raw, Version),
		}}
	case err != nil:
		return 0, d.corrupt(-1, "version: %s is not a version number", raw)
	case v < 1:
		return 0, d.corrupt(-1, "version: %d is not a version number", v)
	}
	return int(v), nil
}

// corrupt returns an ErrCorrupt error at byte offset off (-1: none).
func (d *decoder) corrupt(off int64, format string, args ...any) *Error {
	return d.corruptCause(off, nil, format, args...)
}

func (d *decoder) corruptCause(off int64, cause error, format string, args ...any) *Error {
	backup := "the backup"
	if d.path != "" {
		backup = d.path + ".backup"
	}
	e := &Error{Op: "load", Path: d.path, Err: &reasonError{
		kind:  ErrCorrupt,
		msg:   fmt.Sprintf(format, args...) + "; restore " + backup + " or fix the file (it was left unchanged)",
		cause: cause,
	}}
	if off >= 0 {
		e.Line, e.Column = lineCol(d.data, off)
	}
	return e
}

// lineCol returns the 1-based line and byte column of offset off.
func lineCol(data []byte, off int64) (line, col int) {
	off = max(0, min(off, int64(len(data))))
	before := data[:off]
	line = 1 + bytes.Count(before, []byte{'\n'})
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// token reads the next token and the offset where it starts; the JSON is
// known to be valid.
func (d *decoder) token() (json.Token, int64, error) {
	off := d.next()
	tok, err := d.dec.Token()
	if err != nil {
		return nil, off, d.corruptCause(off, err, "%v", err)
	}
	return tok, off, nil
}

// next returns the offset of the next token: past the spaces, colons and
// commas that separate it from the last.
func (d *decoder) next() int64 {
	off := d.dec.InputOffset()
	for off < int64(len(d.data)) && bytes.IndexByte([]byte(" \t\r\n:,"), d.data[off]) >= 0 {
		off++
	}
	return off
}

// raw reads the next value whole, and the offset where it starts.
func (d *decoder) raw() (json.RawMessage, int64, error) {
	off := d.next()
	var raw json.RawMessage
	if err := d.dec.Decode(&raw); err != nil {
		return nil, off, d.corruptCause(off, err, "%v", err)
	}
	return raw, off, nil
}

// key reads the next object key, or reports the end of the object.
func (d *decoder) key() (key string, off int64, end bool, err error) {
	tok, off, err := d.token()
	if err != nil {
		return "", off, false, err
	}
	switch tok := tok.(type) {
	case json.Delim:
		return "", off, true, nil // '}': the JSON is valid
	case string:
		return tok, off, false, nil
	}
	return "", off, false, d.corrupt(off, "unexpected %v", tok)
}

// object reads '{' or null; null says so with ok false.
func (d *decoder) object(what string) (ok bool, err error) {
	tok, off, err := d.token()
	if err != nil {
		return false, err
	}
	switch tok {
	case json.Delim('{'):
		return true, nil
	case nil:
		return false, nil
	}
	return false, d.corrupt(off, "%s: want an object, not %s", what, describe(tok))
}

func describe(tok json.Token) string {
	switch tok := tok.(type) {
	case json.Delim:
		switch tok {
		case '[':
			return "an array"
		case '{':
			return "an object"
		}
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprint(tok)
}

func (d *decoder) string(what string) (string, error) {
	raw, off, err := d.raw()
	if err != nil {
		return "", err
	}
	var s string
	if raw[0] != '"' {
		return "", d.corrupt(off, "%s: want a string, not %s", what, kindOf(raw))
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", d.corruptCause(off, err, "%s: %v", what, err)
	}
	return s, nil
}

func (d *decoder) time(what string) (*time.Time, error) {
	raw, off, err := d.raw()
	if err != nil {
		return nil, err
	}
	if raw[0] != '"' {
		return nil, d.corrupt(off, "%s: want an RFC 3339 time string, not %s", what, kindOf(raw))
	}
	var t time.Time
	if err := t.UnmarshalJSON(raw); err != nil {
		return nil, d.corruptCause(off, err, "%s: %v", what, err)
	}
	return &t, nil
}

// kindOf names the kind of a JSON value.
func kindOf(raw json.RawMessage) string {
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func (d *decoder) state(s *State) error {
	d.dec = json.NewDecoder(bytes.NewReader(d.data))
	d.dec.UseNumber()
	if _, err := d.object("state"); err != nil {
		return err
	}
	seen := map[string]bool{}
	for {
		key, off, end, err := d.key()
		if err != nil {
			return err
		}
		if end {
			break
		}
		if seen[key] {
			return d.corrupt(off, "duplicate field %q", key)
		}
		seen[key] = true
		switch key {
		case "version":
			if _, _, err := d.raw(); err != nil { // read by version
				return err
			}
		case "lineage":
			if s.Lineage, err = d.string(key); err != nil {
				return err
			}
		case "company_id":
			if s.CompanyID, err = d.string(key); err != nil {
				return err
			}
			if s.CompanyID != "" && !isID(s.CompanyID) {
				return d.corrupt(off, "company_id: %q is not a Dialpad id (decimal digits)", s.CompanyID)
			}
		case "serial":
			raw, off, err := d.raw()
			if err != nil {
				return err
			}
			if s.Serial, err = strconv.ParseInt(string(raw), 10, 64); err != nil || s.Serial < 0 {
				return d.corrupt(off, "serial: want a whole number ≥ 0, not %s", raw)
			}
		case "offices":
			if err := d.entries(s, KindOffice); err != nil {
				return err
			}
		case "departments", "callcenters":
			if d.fileVersion < 2 {
				return d.corrupt(off, "%q is not a field of a version %d state (it came with version 2)", key, d.fileVersion)
			}
			k := KindDepartment
			if key == "callcenters" {
				k = KindCallCenter
			}
			if err := d.entries(s, k); err != nil {
				return err
			}
		default:
			return d.corrupt(off, "unknown field %q", key)
		}
	}
	if _, err := d.dec.Token(); err != io.EOF {
		// Unreachable: json.Unmarshal accepted the file.
		return d.corrupt(d.dec.InputOffset(), "data after the state")
	}
	return nil
}

// entries reads the map of kind k; a key must be new across all maps.
func (d *decoder) entries(s *State, k Kind) error {
	field := k.Field()
	if ok, err := d.object(field); !ok || err != nil {
		return err
	}
	if d.keyOfID == nil {
		d.keyOfID = map[string]idOwner{}
	}
	m := s.Map(k)
	if m == nil {
		m = map[string]*Entry{}
		*s.mapPtr(k) = m
	}
	for {
		key, off, end, err := d.key()
		if err != nil {
			return err
		}
		if end {
			if len(m) == 0 && k != KindOffice {
				*s.mapPtr(k) = nil // an empty group map is as good as none
			}
			return nil
		}
		if _, dup := m[key]; dup {
			return d.corrupt(off, "%s: duplicate key %q", field, key)
		}
		if !ValidKey(key) {
			return d.corrupt(off, "%s: key %q does not match ^[a-z0-9][a-z0-9_-]{0,62}$", field, key)
		}
		if other, dup := s.KindOf(key); dup && !kindChange(k, other) {
			return d.corrupt(off, "%s: key %q is also a key of %s: a key names one entry across offices, departments and callcenters; rename or remove one", field, key, other.Field())
		}
		e, err := d.entry(k, key)
		if err != nil {
			return err
		}
		if err := validateEntry(k, key, e); err != nil {
			return d.corrupt(off, "%v", err)
		}
		if other, dup := d.keyOfID[e.ID]; dup && e.ID != "" && !d.allowDupIDs {
			return d.duplicateID(off, e, idOwner{k, key}, s.Map(other.kind)[other.key], other)
		}
		d.keyOfID[e.ID] = idOwner{k, key}
		m[key] = e
	}
}

func (d *decoder) entry(k Kind, key string) (*Entry, error) {
	p := k.Field() + "." + key
	ok, err := d.object(p)
	if err != nil {
		return nil, err
	}
	e := &Entry{}
	if !ok {
		return nil, nil // validateEntry says so
	}
	var seen [len(entryFields)]bool
	for {
		field, off, end, err := d.key()
		if err != nil {
			return nil, err
		}
		if end {
			return e, nil
		}
		i := slices.Index(entryFields[:], field)
		if i < 0 {
			return nil, d.corrupt(off, "%s: unknown field %q", p, field)
		}
		if seen[i] {
			return nil, d.corrupt(off, "%s: duplicate field %q", p, field)
		}
		seen[i] = true
		what := p + "." + field
		if i >= entryFieldsV1 && d.fileVersion < 2 {
			return nil, d.corrupt(off, "%s: %q is not a field of a version %d state (it came with version 2)", p, field, d.fileVersion)
		}
		switch field {
		case "created_at":
			e.CreatedAt, err = d.time(what)
		case "started_at":
			e.StartedAt, err = d.time(what)
		case "updated_at":
			e.UpdatedAt, err = d.time(what)
		case "id":
			e.ID, err = d.string(what)
		case "name":
			e.Name, err = d.string(what)
		case "spec_sha256":
			e.SpecSHA256, err = d.string(what)
		case "status":
			var st string
			st, err = d.string(what)
			e.Status = Status(st)
		case "spec":
			e.Spec, err = d.spec(what)
		case "office_id":
			e.OfficeID, err = d.string(what)
		case "protect":
			e.Protect, err = d.bool(what)
		case "operators":
			e.Operators, err = d.operators(k, what)
		case "refs":
			e.Refs, err = d.refs(what)
		}
		if err != nil {
			return nil, err
		}
	}
}

// entryFields are an entry's fields: those of version 1, then those that
// came with version 2.
var entryFields = [...]string{"created_at", "id", "name", "spec", "spec_sha256", "started_at", "status", "updated_at",
	"office_id", "operators", "protect", "refs"}

const entryFieldsV1 = 8

// refs reads an entry's refs: an object of strings (validateEntry checks
// the keys and ids); an empty object is kept as an empty, non-nil map.
func (d *decoder) refs(what string) (map[string]string, error) {
	tok, off, err := d.token()
	if err != nil {
		return nil, err
	}
	if tok != json.Delim('{') {
		return nil, d.corrupt(off, "%s: want an object, not %s", what, describe(tok))
	}
	refs := map[string]string{}
	for {
		key, off, end, err := d.key()
		if err != nil {
			return nil, err
		}
		if end {
			return refs, nil
		}
		if _, dup := refs[key]; dup {
			return nil, d.corrupt(off, "%s: duplicate key %q", what, key)
		}
		if refs[key], err = d.string(what + "." + key); err != nil {
			return nil, err
		}
	}
}

func (d *decoder) bool(what string) (bool, error) {
	raw, off, err := d.raw()
	if err != nil {
		return false, err
	}
	switch string(raw) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, d.corrupt(off, "%s: want true or false, not %s", what, kindOf(raw))
}

// operators reads a list of operators of an entry of kind k, each checked
// at its own position; an empty list is kept as an empty, non-nil slice.
func (d *decoder) operators(k Kind, what string) ([]Operator, error) {
	tok, off, err := d.token()
	if err != nil {
		return nil, err
	}
	if tok != json.Delim('[') {
		return nil, d.corrupt(off, "%s: want a list, not %s", what, describe(tok))
	}
	ops := []Operator{}
	for i := 0; ; i++ {
		if !d.dec.More() {
			d.dec.Token() // ']': the JSON is valid
			return ops, nil
		}
		w := fmt.Sprintf("%s[%d]", what, i)
		start := d.next()
		o, err := d.operator(w)
		if err != nil {
			return nil, err
		}
		if err := validateOperator(k, o); err != nil {
			return nil, d.corrupt(start, "%s: %v", w, err)
		}
		if i > 0 {
			switch c := compareOperators(ops[i-1], o); {
			case c == 0:
				return nil, d.corrupt(start, "%s: %s %s is listed twice", w, o.Type, o.ID)
			case c > 0:
				return nil, d.corrupt(start, "%s: not sorted (by type, then id as a number)", w)
			}
		}
		ops = append(ops, o)
	}
}

var operatorFields = [...]string{"email", "id", "role", "skill_level", "type"}

func (d *decoder) operator(what string) (Operator, error) {
	var o Operator
	ok, err := d.object(what)
	if err != nil {
		return o, err
	}
	if !ok {
		return o, d.corrupt(d.dec.InputOffset()-4, "%s: want an object, not null", what)
	}
	var seen [len(operatorFields)]bool
	for {
		field, off, end, err := d.key()
		if err != nil {
			return o, err
		}
		if end {
			return o, nil
		}
		i := slices.Index(operatorFields[:], field)
		if i < 0 {
			return o, d.corrupt(off, "%s: unknown field %q", what, field)
		}
		if seen[i] {
			return o, d.corrupt(off, "%s: duplicate field %q", what, field)
		}
		seen[i] = true
		w := what + "." + field
		switch field {
		case "email":
			o.Email, err = d.string(w)
		case "id":
			o.ID, err = d.string(w)
		case "role":
			o.Role, err = d.string(w)
		case "type":
			o.Type, err = d.string(w)
		case "skill_level":
			var raw json.RawMessage
			raw, off, err = d.raw()
			if err == nil {
				n, perr := strconv.Atoi(string(raw))
				if perr != nil || n < 1 || n > 100 {
					return o, d.corrupt(off, "%s: want a whole number in 1..100, not %s", w, raw)
				}
				o.SkillLevel = n
			}
		}
		if err != nil {
			return o, err
		}
	}
}

// spec reads a spec object (or null, which is no spec) into its compact
// canonical form.
func (d *decoder) spec(what string) (json.RawMessage, error) {
	raw, off, err := d.raw()
	if err != nil {
		return nil, err
	}
	switch raw[0] {
	case 'n':
		return nil, nil
	case '{':
	default:
		return nil, d.corrupt(off, "%s: want an object, not %s", what, kindOf(raw))
	}
	out, err := d.c.appendCanonical(make([]byte, 0, len(raw)), raw, 0, false)
	if err != nil {
		var ce *canonError
		if errors.As(err, &ce) {
			return nil, d.corrupt(off+int64(ce.offset), "%s: %v", what, ce)
		}
		return nil, d.corrupt(off, "%s: %v", what, err)
	}
	return out, nil
}

// duplicateID returns the error of entry e of key at offset off, whose id
// entry o of other has too.
func (d *decoder) duplicateID(off int64, e *Entry, key idOwner, o *Entry, other idOwner) *Error {
	rm := "officectl state rm KEY"
	if d.path != "" {
		rm = "officectl state rm --state " + d.path + " KEY"
	}
	what := "one office"
	if key.kind != KindOffice || other.kind != KindOffice {
		what = "one Dialpad object"
	}
	err := &Error{Op: "load", Path: d.path, Err: &reasonError{
		kind: duplicateIDError(key.kind, other.kind),
		msg: fmt.Sprintf("%s.id: Dialpad id %s is also the id of %s (%q; this one is %q), and %s cannot be both "+
			"(a merge of two edits of the state in Git can do this): find out which of the two the %s with that id is "+
			"(its name in Dialpad), then forget the other one with %s (the file was left unchanged)",
			key, e.ID, other, o.Name, e.Name, what, strings.TrimPrefix(what, "one "), rm),
		cause: ErrCorrupt,
	}}
	err.Line, err.Column = lineCol(d.data, off)
	return err
}

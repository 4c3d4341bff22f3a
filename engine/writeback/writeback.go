package writeback

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Format is the language of a config file.
type Format string

// The formats of config files.
const (
	YAML Format = "yaml"
	JSON Format = "json"
	CUE  Format = "cue"
)

// FormatOf is the format of a config file by its name (.yaml, .yml,
// .json, .cue), and false for any other name.
func FormatOf(name string) (Format, bool) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml":
		return YAML, true
	case ".json":
		return JSON, true
	case ".cue":
		return CUE, true
	}
	return "", false
}

// File is a config file to edit: its name (for Manual and errors), its
// format and its content.
type File struct {
	Name   string
	Format Format
	Src    []byte
}

// Edit sets or deletes one value of a config file.
type Edit struct {
	// Path is the keys from the top of the file to the value, such as
	// departments, berlin-sales, hold_queue, max_hold_count; an element
	// of a list is named by its index in decimal. Objects and fields on
	// the path that the file lacks are added.
	Path []string
	// Value is the new value as JSON. The parts of it that equal what
	// the file says are left as they are, byte for byte; new object keys
	// are written in the order Value gives them.
	Value []byte
	// Delete removes the value at Path (a field or a whole object, with
	// the comment lines above it; a list element) instead; Value is then
	// ignored. Deleting what the file does not have does nothing.
	Delete bool
	// Node, for YAML files, is the new value as a yaml.v3 node tree,
	// such as an object made by import --generate's encoder; Value is
	// then ignored. The parts of it that are new to the file are written
	// as the nodes say (styles, comments); an object the file has is
	// still edited member by member. Other formats ignore it.
	Node *yaml.Node
}

// Manual is a value an edit did not write, because the file does not
// say it as a plain value: it comes from a policy, a reference, a
// comprehension, an interpolation, a default, an anchor or another file.
// Someone has to change it by hand.
type Manual struct {
	// File, Line and Column are where the value is said (the file of the
	// policy when a policy says it).
	File   string
	Line   int
	Column int
	// Path is the edit's path.
	Path []string
	// Reason says where the value comes from and why it is not written.
	Reason string
}

// String is m as FILE:LINE:COL: manual: PATH: REASON.
func (m Manual) String() string {
	return fmt.Sprintf("%s:%d:%d: manual: %s: %s", m.File, m.Line, m.Column, strings.Join(m.Path, "."), m.Reason)
}

// Options tune Apply. The zero value is ready to use.
type Options struct {
	// Policy is the CUE files of the config directory. A field that a
	// constraint of one of them sets for every object (a label such as
	// [string]) is not written in any file but reported as Manual at
	// that constraint: the constraint would conflict with it.
	Policy []File
}

// ErrPath is wrapped by the error Apply returns for an edit whose path
// goes through a value that is not an object or list, or names no
// element of a list.
var ErrPath = errors.New("no such path")

// MaxFileSize bounds the files Apply edits, in bytes.
const MaxFileSize = 16 << 20

// Apply returns f's content with edits made, in order, and the edits or
// parts of edits it left to be made by hand. It changes only the bytes of
// the values that change: every other line of the file (comments, key
// order, quoting, indentation) stays as it was. It does not validate the
// result against the schema: see Validate. An error means no edit was
// made: f does not parse, or an edit is malformed.
func Apply(f File, edits []Edit, opts Options) ([]byte, []Manual, error) {
	if len(f.Src) > MaxFileSize {
		return nil, nil, fmt.Errorf("%s: larger than %d bytes", f.Name, MaxFileSize)
	}
	pol, err := parsePolicy(opts.Policy)
	if err != nil {
		return nil, nil, err
	}
	src := f.Src
	var manual []Manual
	for _, e := range edits {
		if len(e.Path) == 0 {
			return nil, nil, fmt.Errorf("%s: an edit without a path", f.Name)
		}
		var v *val
		var given map[*val]*yaml.Node
		switch {
		case e.Delete:
		case e.Node != nil && f.Format == YAML:
			v, given, err = nodeVal(e.Node)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: the new value of %s: %w", f.Name, strings.Join(e.Path, "."), err)
			}
		default:
			if v, err = parseVal(e.Value); err != nil {
				return nil, nil, fmt.Errorf("%s: the new value of %s: %w", f.Name, strings.Join(e.Path, "."), err)
			}
		}
		if m, ok := pol.covers(e.Path); ok {
			m.Path = e.Path
			manual = append(manual, m)
			continue
		}
		var out []byte
		var ms []Manual
		switch f.Format {
		case YAML:
			out, ms, err = applyYAML(f.Name, src, e.Path, v, given)
		case JSON:
			out, ms, err = applyJSON(f.Name, src, e.Path, v)
		case CUE:
			out, ms, err = applyCUE(f.Name, src, e.Path, v)
		default:
			return nil, nil, fmt.Errorf("%s: unknown format %q", f.Name, f.Format)
		}
		if err != nil {
			return nil, nil, err
		}
		for i := range ms {
			ms[i].Path = e.Path
		}
		manual = append(manual, ms...)
		src = out
	}
	return src, manual, nil
}

// doc is a parsed file that edits are made on, N its node type. Each
// format supplies one; set and walk make the edits on any of them.
type doc[N comparable] interface {
	// read is n's value, or the reason n cannot be read and written.
	read(n N) (*val, string)
	// object is n's keys and values when n's members can be edited one
	// by one (a block mapping, a JSON object over several lines, a CUE
	// struct); false when n is changed by writing it whole.
	object(n N) ([]string, []N, bool)
	// array is n's elements when they can be edited one by one.
	array(n N) ([]N, bool)
	// canDelete reports whether member or element i of n can be removed
	// on its own.
	canDelete(n N, i int) bool
	replace(n N, v *val)
	addMember(obj N, key string, v *val)
	delMember(obj N, i int)
	insertItem(arr N, before int, v *val)
	delItem(arr N, i int)
	manual(n N, why string)
}

// walk makes the edit setting path below n to v (nil: delete it).
func walk[N comparable](d doc[N], n N, path []string, v *val) error {
	for i, key := range path {
		last := i == len(path)-1
		if keys, vals, ok := d.object(n); ok {
			at := -1
			for j, k := range keys {
				if k == key {
					at = j
				}
			}
			switch {
			case at < 0 && v == nil:
				return nil
			case at < 0:
				d.addMember(n, key, nest(path[i+1:], v))
				return nil
			case last && v == nil:
				if d.canDelete(n, at) {
					d.delMember(n, at)
					return nil
				}
			case last:
				set(d, vals[at], v)
				return nil
			default:
				n = vals[at]
				continue
			}
		}
		if items, ok := d.array(n); ok {
			at, err := strconv.Atoi(key)
			if err != nil || at < 0 || at >= len(items) {
				return fmt.Errorf("%w: %s is not an element of a list of %d", ErrPath, key, len(items))
			}
			switch {
			case last && v == nil:
				if d.canDelete(n, at) {
					d.delItem(n, at)
					return nil
				}
			case last:
				set(d, items[at], v)
				return nil
			default:
				n = items[at]
				continue
			}
		}
		// n is written whole: write it whole with the edit made.
		old, why := d.read(n)
		if why != "" {
			d.manual(n, why)
			return nil
		}
		nv, err := setIn(old, path[i:], v)
		if err != nil {
			return err
		}
		d.replace(n, nv)
		return nil
	}
	return nil
}

// setIn is a copy of old with the value at path set to v (nil: deleted).
func setIn(old *val, path []string, v *val) (*val, error) {
	if len(path) == 0 {
		return v, nil
	}
	c := *old
	switch old.kind {
	case kObject:
		c.keys = append([]string(nil), old.keys...)
		c.vals = append([]*val(nil), old.vals...)
		for i, k := range c.keys {
			if k != path[0] {
				continue
			}
			nv, err := setIn(c.vals[i], path[1:], v)
			if err != nil {
				return nil, err
			}
			if nv == nil {
				c.keys = append(c.keys[:i], c.keys[i+1:]...)
				c.vals = append(c.vals[:i], c.vals[i+1:]...)
			} else {
				c.vals[i] = nv
			}
			return &c, nil
		}
		if v != nil {
			c.keys = append(c.keys, path[0])
			c.vals = append(c.vals, nest(path[1:], v))
		}
		return &c, nil
	case kArray:
		at, err := strconv.Atoi(path[0])
		if err != nil || at < 0 || at >= len(old.items) {
			return nil, fmt.Errorf("%w: %s is not an element of a list of %d", ErrPath, path[0], len(old.items))
		}
		c.items = append([]*val(nil), old.items...)
		nv, err := setIn(c.items[at], path[1:], v)
		if err != nil {
			return nil, err
		}
		if nv == nil {
			c.items = append(c.items[:at], c.items[at+1:]...)
		} else {
			c.items[at] = nv
		}
		return &c, nil
	}
	return nil, fmt.Errorf("%w: %s is below a value that is not an object or a list", ErrPath, path[0])
}

// set makes n say v, changing as little as it can: members and elements
// equal to v's stay as they are.
func set[N comparable](d doc[N], n N, v *val) {
	old, why := d.read(n)
	if equal(old, v) {
		return
	}
	if keys, vals, ok := d.object(n); ok && v.kind == kObject {
		kept := 0
		for i, k := range keys {
			if v.get(k) != nil {
				kept++
			} else if !d.canDelete(n, i) {
				ok = false
			}
		}
		// With no member kept, the object is written whole.
		if ok && kept > 0 {
			for i := len(keys) - 1; i >= 0; i-- {
				if v.get(keys[i]) == nil {
					d.delMember(n, i)
				}
			}
			for i, k := range keys {
				if nv := v.get(k); nv != nil {
					set(d, vals[i], nv)
				}
			}
			for i, k := range v.keys {
				if !contains(keys, k) {
					d.addMember(n, k, v.vals[i])
				}
			}
			return
		}
	}
	if items, ok := d.array(n); ok && v.kind == kArray && len(items) > 0 && len(v.items) > 0 && len(items)*len(v.items) <= maxAlign {
		if setItems(d, n, items, v.items) {
			return
		}
	}
	if why != "" {
		d.manual(n, why)
		return
	}
	d.replace(n, v)
}

// maxAlign bounds the table setItems makes (elements of the old list
// times those of the new): a longer list is written whole.
const maxAlign = 1 << 20

// setItems makes list n with elements items say want: elements equal to
// one of want stay (the longest common subsequence), those between are
// set pairwise, the rest removed or inserted. False when an element that
// would go cannot be removed on its own.
func setItems[N comparable](d doc[N], n N, items []N, want []*val) bool {
	old := make([]*val, len(items))
	for i, it := range items {
		old[i], _ = d.read(it)
	}
	// lcs[i][j] is the length of the longest common subsequence of
	// old[i:] and want[j:].
	lcs := make([][]int, len(old)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(want)+1)
	}
	for i := len(old) - 1; i >= 0; i-- {
		for j := len(want) - 1; j >= 0; j-- {
			if equal(old[i], want[j]) {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type op struct {
		kind   byte // 's' set, 'd' delete, 'i' insert
		i, j   int
		before int
	}
	var ops []op
	i, j := 0, 0
	run := func(i0, i1, j0, j1 int) {
		k := 0
		for ; i0+k < i1 && j0+k < j1; k++ {
			ops = append(ops, op{kind: 's', i: i0 + k, j: j0 + k})
		}
		for x := i0 + k; x < i1; x++ {
			ops = append(ops, op{kind: 'd', i: x})
		}
		for y := j0 + k; y < j1; y++ {
			ops = append(ops, op{kind: 'i', j: y, before: i1})
		}
	}
	i0, j0 := 0, 0
	for i < len(old) && j < len(want) {
		if equal(old[i], want[j]) {
			run(i0, i, j0, j)
			i, j = i+1, j+1
			i0, j0 = i, j
		} else if lcs[i+1][j] >= lcs[i][j+1] {
			i++
		} else {
			j++
		}
	}
	run(i0, len(old), j0, len(want))
	for _, o := range ops {
		if o.kind == 'd' && !d.canDelete(n, o.i) {
			return false
		}
	}
	for _, o := range ops {
		switch o.kind {
		case 's':
			set(d, items[o.i], want[o.j])
		case 'd':
			d.delItem(n, o.i)
		case 'i':
			d.insertItem(n, o.before, want[o.j])
		}
	}
	return true
}

func contains(keys []string, k string) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}

// splice replaces src[start:end] with text.
type splice struct {
	start, end int
	text       string
}

// splices is the changes of one edit to a file's bytes.
type splices []splice

func (s *splices) add(start, end int, text string) {
	*s = append(*s, splice{start, end, text})
}

// apply returns src with every splice made. Splices are made at the
// bytes of the file as read, in the order of their start; splices at one
// place in the order they were added.
func (s splices) apply(src []byte) ([]byte, error) {
	sort.SliceStable(s, func(i, j int) bool {
		if s[i].start != s[j].start {
			return s[i].start < s[j].start
		}
		return s[i].end < s[j].end
	})
	// Removals that overlap (two neighbours of a JSON object, each
	// taking a separator) are one removal.
	var merged splices
	for _, sp := range s {
		if n := len(merged); n > 0 && sp.text == "" && merged[n-1].text == "" && sp.start < merged[n-1].end {
			merged[n-1].end = max(merged[n-1].end, sp.end)
			continue
		}
		merged = append(merged, sp)
	}
	var b []byte
	at := 0
	for _, sp := range merged {
		if sp.start < at || sp.end < sp.start || sp.end > len(src) {
			return nil, fmt.Errorf("internal error: overlapping edits at byte %d", sp.start)
		}
		b = append(b, src[at:sp.start]...)
		b = append(b, sp.text...)
		at = sp.end
	}
	return append(b, src[at:]...), nil
}

// Each format is a doc.
var (
	_ doc[*yaml.Node] = (*yamlDoc)(nil)
	_ doc[*jnode]     = (*jsonDoc)(nil)
	_ doc[*cnode]     = (*cueDoc)(nil)
)

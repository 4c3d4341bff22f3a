package writeback

import (
	"bytes"
	"hash/fnv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"cuelang.org/go/cue/parser"

	"github.com/officectl/officectl/schema"
)

// exampleFiles are the files of the example config FuzzApply edits.
var exampleFiles = []string{"europe.yaml", "groups.yaml", "americas.json", "apac.cue"}

// fuzzSkip are the fields FuzzApply leaves alone: a value moved from
// another object there may break a rule across fields or objects (unique
// names, a group's office, the country an E911 address needs, routing
// kinds and cycles), which is validation's to report, not a defect of
// writeback.
var fuzzSkip = []string{"name", "office", "country", "currency", "routing_options", "billing_contact", "mainline_number", "protect", "hours_on", "first_action"}

// fuzzOptional are fields a config may leave out: FuzzApply deletes them.
var fuzzOptional = []string{"ring_seconds", "group_description", "timezone", "max_hold_count", "max_hold_seconds",
	"allow_queuing", "advanced_settings", "alerts", "voice_intelligence", "monday_hours", "saturday_hours", "address2"}

// leaf is a value of a file and its signature: its path with the object
// keys and list indexes left out (offices/e911_address/zip), so that a
// value of one signature fits another place of the same.
type leaf struct {
	file string
	path []string
	v    *val
	sig  string
}

// FuzzApply makes random edits on the files of the example config (a
// value set to one another object has at the same place, an optional
// field or an operator removed) and checks that the file still loads
// without errors, that the value reads back, and that every line outside
// the edited value's lines is as it was.
func FuzzApply(f *testing.F) {
	for i := range 16 {
		f.Add([]byte(strconv.Itoa(i * 7919)))
	}
	srcs := map[string][]byte{}
	var leaves []leaf
	for _, name := range exampleFiles {
		b, err := os.ReadFile(filepath.Join(exampleDir, name))
		if err != nil {
			f.Fatal(err)
		}
		srcs[name] = b
		v := fileValue(f, name, b)
		collect(name, nil, v, &leaves)
	}
	bySig := map[string][]*val{}
	for _, l := range leaves {
		bySig[l.sig] = append(bySig[l.sig], l.v)
	}
	f.Fuzz(func(t *testing.T, seed []byte) {
		h := fnv.New64a()
		h.Write(seed)
		rnd := h.Sum64()
		next := func(n int) int {
			rnd ^= rnd << 13
			rnd ^= rnd >> 7
			rnd ^= rnd << 17
			return int(rnd % uint64(n))
		}
		l := leaves[next(len(leaves))]
		name, src := l.file, srcs[l.file]
		var e Edit
		last := l.path[len(l.path)-1]
		_, isIndex := strconv.Atoi(last)
		switch {
		case isIndex == nil && len(l.path) > 1 && l.path[len(l.path)-2] == "operators" && next(2) == 0:
			e = Edit{Path: l.path, Delete: true}
		case slices.Contains(fuzzOptional, last) && next(3) == 0:
			e = Edit{Path: l.path, Delete: true}
		default:
			cands := bySig[l.sig]
			e = Edit{Path: l.path, Value: []byte(cands[next(len(cands))].json(" "))}
		}
		format, _ := FormatOf(name)
		out, manual, err := Apply(File{Name: name, Format: format, Src: src}, []Edit{e}, Options{})
		if err != nil {
			t.Fatalf("%s %v: %v", name, e.Path, err)
		}
		if len(manual) > 0 {
			return // a CUE expression: left as it was
		}
		diags, err := Validate(exampleDir, map[string][]byte{filepath.Join(exampleDir, name): out}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if schema.HasErrors(diags) && !onlyDuplicates(diags) {
			t.Errorf("%s %v = %s: the edited file does not load: %v\n%s", name, e.Path, e.Value, diags, out)
		}
		got := fileValue(t, name, out)
		for _, k := range e.Path[:len(e.Path)-1] {
			got = got.child(k)
		}
		if e.Delete {
			if got.child(last) != nil && got.kind == kObject {
				t.Errorf("%s %v: still there after the delete", name, e.Path)
			}
		} else if want, _ := parseVal(e.Value); !equal(got.child(last), want) {
			t.Errorf("%s %v: reads back as %v, want %s", name, e.Path, got.child(last), e.Value)
		}
		// The lines the old value spans are those a scalar in its place
		// changes; every other line stays.
		marked, _, err := Apply(File{Name: name, Format: format, Src: src}, []Edit{{Path: e.Path, Value: []byte(`"\u2603"`)}}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(out, src) {
			return
		}
		pre, suf := commonLines(src, marked)
		pre2, suf2 := commonLines(src, out)
		if e.Delete {
			// The comment lines above a removed field go with it.
			for pre > 0 && isComment(lineAt(src, pre-1)) {
				pre--
			}
			if format == JSON && pre > 0 {
				pre-- // the comma of the member before a last one
			}
		}
		if pre2 < pre || suf2 < suf {
			t.Errorf("%s %v: lines outside the value changed (unchanged first %d and last %d lines, want at least %d and %d)\n%s",
				name, e.Path, pre2, suf2, pre, suf, out)
		}
	})
}

// fileValue reads a file of the example as a value; in CUE, what is not
// a literal is left out.
func fileValue(t testing.TB, name string, src []byte) *val {
	t.Helper()
	switch format, _ := FormatOf(name); format {
	case YAML:
		d, err := parseYAML(name, src)
		if err != nil {
			t.Fatal(err)
		}
		v, why := d.read(d.root)
		if why != "" {
			t.Fatal(why)
		}
		return v
	case JSON:
		p := &jsonParser{src: src}
		p.space()
		n, err := p.value(0)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := (&jsonDoc{}).read(n)
		return v
	}
	af, err := parser.ParseFile(name, src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	d := &cueDoc{}
	var read func(n *cnode) *val
	read = func(n *cnode) *val {
		if n.file != nil || isStruct(n) {
			keys, vals, _ := d.members(n)
			v := &val{kind: kObject}
			for i, k := range keys {
				if e := read(vals[i]); e != nil {
					v.keys = append(v.keys, k)
					v.vals = append(v.vals, e)
				}
			}
			return v
		}
		v, why := d.read(n)
		if why != "" {
			return nil
		}
		return v
	}
	return read(&cnode{file: af})
}

// child is the value of key k of an object or element k of a list, or
// nil.
func (v *val) child(k string) *val {
	if v == nil {
		return nil
	}
	if v.kind == kArray {
		i, err := strconv.Atoi(k)
		if err != nil || i < 0 || i >= len(v.items) {
			return nil
		}
		return v.items[i]
	}
	return v.get(k)
}

// collect appends the leaves below the objects of v (offices, groups),
// whole lists and objects as well as scalars.
func collect(file string, path []string, v *val, out *[]leaf) {
	// An hour alone would break the order of its list: whole lists only.
	hour := len(path) >= 2 && strings.HasSuffix(path[len(path)-2], "_hours")
	if len(path) >= 3 && !hour && !slices.Contains(fuzzSkip, path[len(path)-1]) && !slices.Contains(fuzzSkip, path[2]) {
		var sig []string
		for i, p := range path {
			if _, err := strconv.Atoi(p); err == nil {
				sig = append(sig, "*")
			} else if i != 1 {
				sig = append(sig, p)
			}
		}
		*out = append(*out, leaf{file: file, path: slices.Clone(path), v: v, sig: strings.Join(sig, "/")})
	}
	switch v.kind {
	case kObject:
		for i, k := range v.keys {
			collect(file, append(path, k), v.vals[i], out)
		}
	case kArray:
		for i, e := range v.items {
			collect(file, append(path, strconv.Itoa(i)), e, out)
		}
	}
}

// commonLines is how many lines a and b share at their start and, after
// those, at their end.
func commonLines(a, b []byte) (pre, suf int) {
	x := bytes.SplitAfter(a, []byte("\n"))
	y := bytes.SplitAfter(b, []byte("\n"))
	for pre < len(x) && pre < len(y) && bytes.Equal(x[pre], y[pre]) {
		pre++
	}
	for suf < len(x)-pre && suf < len(y)-pre && bytes.Equal(x[len(x)-1-suf], y[len(y)-1-suf]) {
		suf++
	}
	return pre, suf
}

func lineAt(src []byte, i int) string {
	lines := strings.SplitAfter(string(src), "\n")
	return lines[i]
}

func isComment(line string) bool {
	t := strings.TrimSpace(line)
	return strings.HasPrefix(t, "#") || strings.HasPrefix(t, "//")
}

// onlyDuplicates reports whether every error of diags is an operator listed
// twice: a value moved from another operator of the same list, which
// validate rightly refuses (the edit was written as asked).
func onlyDuplicates(diags []schema.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == "error" && !strings.Contains(d.Message, "is listed twice") {
			return false
		}
	}
	return true
}

package load

import (
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/token"

	"github.com/officectl/officectl/schema"
)

// The fast path for a valid file of plain data without CUE policy: most
// files. Its syntax tree (from parse: cue's own YAML and JSON decoders, so
// the data means what it means to cue vet) is turned into Go values and
// those into a CUE value with Context.Encode, which skips compiling the
// tree (Context.BuildFile), the larger part of validation's cost. The
// verdict comes from Schema.Accepts: the schema with #Office's defaults
// taken out, the same verdict for such data at a lower cost (see
// schema.withoutDefaults; the figures are in the commits that made
// them); the defaults are filled in Go. A file the
// schema rejects, a file that is not plain data, and every file when the
// directory has CUE policy (Encode orders a struct's fields by name, and
// a policy may read their order) go the full way: compiled with its
// positions, validated against the schema itself, every error found and
// placed. The places a valid file's cross-file checks point at are read
// from its syntax tree. TestFastPathSameAsFull and FuzzFastPath check
// that both ways give the same offices, places and diagnostics.

// plainValue returns the Go value of n, a syntax tree from parse, and
// whether n is plain data: mappings (no key written twice), lists,
// double-quoted strings, decimal integers within int64, true and false.
// Anything else (a float, null, a byte string, a key written twice, a CUE
// expression) reports false, and the caller takes the full path.
func plainValue(n ast.Node) (any, bool) {
	switch x := n.(type) {
	case *ast.File:
		return plainStruct(x.Decls)
	case *ast.StructLit:
		return plainStruct(x.Elts)
	case *ast.ListLit:
		l := make([]any, len(x.Elts))
		for i, e := range x.Elts {
			v, ok := plainValue(e)
			if !ok {
				return nil, false
			}
			l[i] = v
		}
		return l, true
	case *ast.BasicLit:
		return plainLit(x)
	case *ast.UnaryExpr:
		if lit, ok := x.X.(*ast.BasicLit); ok && x.Op == token.SUB && lit.Kind == token.INT {
			return plainInt("-" + lit.Value)
		}
	}
	return nil, false
}

func plainStruct(decls []ast.Decl) (any, bool) {
	m := make(map[string]any, len(decls))
	for _, d := range decls {
		if _, ok := d.(*ast.CommentGroup); ok {
			continue
		}
		f, ok := d.(*ast.Field)
		if !ok || f.Constraint != token.ILLEGAL || len(f.Attrs) > 0 {
			return nil, false
		}
		name, ok := labelName(f.Label)
		if !ok {
			return nil, false
		}
		if _, twice := m[name]; twice {
			return nil, false
		}
		v, ok := plainValue(f.Value)
		if !ok {
			return nil, false
		}
		m[name] = v
	}
	return m, true
}

func plainLit(x *ast.BasicLit) (any, bool) {
	switch x.Kind {
	case token.STRING:
		if !strings.HasPrefix(x.Value, `"`) {
			return nil, false // a byte string, or a raw string
		}
		s, err := literal.Unquote(x.Value)
		return s, err == nil
	case token.INT:
		return plainInt(x.Value)
	case token.TRUE:
		return true, true
	case token.FALSE:
		return false, true
	}
	return nil, false
}

// plainInt is the value of a decimal integer literal (with an optional
// leading minus) within int64: 0x1f, 1_000, 007 or +1 are written another
// way, and compiling decides what they mean.
func plainInt(lit string) (any, bool) {
	digits := strings.TrimPrefix(lit, "-")
	if digits == "" || digits[0] == '0' && len(digits) > 1 {
		return nil, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return nil, false
		}
	}
	i, err := strconv.ParseInt(lit, 10, 64)
	return i, err == nil
}

// plainFields lists the fields of a plain mapping in the order written.
func plainFields(n ast.Node) []*ast.Field {
	var decls []ast.Decl
	switch x := n.(type) {
	case *ast.File:
		decls = x.Decls
	case *ast.StructLit:
		decls = x.Elts
	}
	var fields []*ast.Field
	for _, d := range decls {
		if f, ok := d.(*ast.Field); ok {
			fields = append(fields, f)
		}
	}
	return fields
}

// plainLookup returns the field at path (field names and [i] list
// indexes, such as routing_options.open.dtmf[0].options.action_target_id)
// in a plain mapping, or nil.
func plainLookup(n ast.Node, path string) *ast.Field {
	var found *ast.Field
	for _, step := range strings.Split(path, ".") {
		name, index, _ := strings.Cut(step, "[")
		found = nil
		for _, f := range plainFields(n) {
			if l, _ := labelName(f.Label); l == name {
				found = f
				break
			}
		}
		if found == nil {
			return nil
		}
		n = found.Value
		if index != "" {
			i, err := strconv.Atoi(strings.TrimSuffix(index, "]"))
			l, ok := n.(*ast.ListLit)
			if err != nil || !ok || i < 0 || i >= len(l.Elts) {
				return nil
			}
			n = l.Elts[i]
		}
	}
	return found
}

// fast validates a file of plain data: see above. It reports false when
// the file takes the full path instead. Validators check files in
// batches (files); fast is one file's batch.
func (v *validator) fast(name string, n ast.Node) (fileResult, bool) {
	top, _, ok := v.plainTop(n)
	if !ok || !v.schema.Accepts(top) {
		return fileResult{}, false
	}
	return v.fastResult(name, n, top), true
}

// plainTop is the Go value of a file's syntax tree n when the file may
// take the fast path: plain data defining an office or a group, without
// CUE policy in the directory; and the number of offices and groups.
func (v *validator) plainTop(n ast.Node) (map[string]any, int, bool) {
	if v.pol.Exists() {
		return nil, 0, false
	}
	x, ok := plainValue(n)
	if !ok {
		return nil, 0, false
	}
	top, _ := x.(map[string]any)
	n0 := schema.Objects(top)
	if n0 == 0 {
		return nil, 0, false // the full path says what is missing
	}
	return top, n0, true
}

// fastResult is the offices and groups of a file the schema accepted:
// n is its syntax tree, top its Go value (plainTop).
func (v *validator) fastResult(name string, n ast.Node, top map[string]any) fileResult {
	var res fileResult
	offs, _ := top["offices"].(map[string]any)
	if len(offs) > 0 {
		for _, f := range plainFields(plainLookup(n, "offices").Value) {
			key, _ := labelName(f.Label)
			o, ds := v.office(key, officeSource{file: name, field: f, plain: offs[key]}, cue.Value{})
			res.diags = append(res.diags, ds...)
			res.offices = append(res.offices, o) // the cross checks see it even when in error
		}
	}
	for _, t := range groupTops {
		gm, _ := top[t.top].(map[string]any)
		if len(gm) == 0 {
			continue
		}
		for _, f := range plainFields(plainLookup(n, t.top).Value) {
			key, _ := labelName(f.Label)
			g, ds := v.group(t.top, t.kind, key, officeSource{file: name, field: f, plain: gm[key]}, cue.Value{})
			res.diags = append(res.diags, ds...)
			res.groups = append(res.groups, g) // the cross checks see it even when in error
		}
	}
	return res
}

// labelName is the name of a regular field's label.
func labelName(l ast.Label) (string, bool) {
	switch x := l.(type) {
	case *ast.BasicLit:
		if x.Kind != token.STRING {
			return "", false
		}
		s, err := literal.Unquote(x.Value)
		return s, err == nil
	case *ast.Ident:
		if len(x.Name) > 0 && (x.Name[0] == '_' || x.Name[0] == '#') {
			return "", false // hidden or a definition: not data
		}
		return x.Name, true
	}
	return "", false
}

// valueSource is the syntax of v's value as written in its file: the
// value of the field that v is (nil when v has no single source).
func valueSource(v cue.Value) ast.Node {
	n := v.Source()
	if f, ok := n.(*ast.Field); ok {
		return f.Value
	}
	return n
}

package engine

import (
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/token"

	"github.com/officectl/officectl/schema"
)

// The fast path for a file that is plain data and valid, most files.
// Its syntax tree (from parse: cue's own YAML and JSON decoders, so the
// data means what it means to cue vet) is turned into Go values and those
// into a CUE value with Context.Encode, which skips compiling the tree
// (Context.BuildFile): on 500 bench files, 20% fewer instructions for
// the whole of validation. The schema and the check are the same
// (Schema.Accepts is Validate's verdict). A file the schema rejects, and
// any file that is not plain data, goes the full way: compiled with its
// positions, then every error found and placed. The places a valid file's
// cross-file checks point at are read from its syntax tree.

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
		return plainLit(x, false)
	case *ast.UnaryExpr:
		if lit, ok := x.X.(*ast.BasicLit); ok && x.Op == token.SUB && lit.Kind == token.INT {
			return plainLit(lit, true)
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

func plainLit(x *ast.BasicLit, negative bool) (any, bool) {
	switch x.Kind {
	case token.STRING:
		if negative || !strings.HasPrefix(x.Value, `"`) {
			return nil, false // a byte string, or a raw string
		}
		s, err := literal.Unquote(x.Value)
		return s, err == nil
	case token.INT:
		v := x.Value
		if v == "" || v[0] < '0' || v[0] > '9' || v[0] == '0' && len(v) > 1 {
			return nil, false
		}
		if negative {
			v = "-" + v
		}
		for _, c := range v[1:] {
			if c < '0' || c > '9' {
				return nil, false // 0x1f, 1_000, 1e3: written another way
			}
		}
		i, err := strconv.ParseInt(v, 10, 64)
		return i, err == nil
	case token.TRUE:
		return !negative, !negative
	case token.FALSE:
		return false, !negative
	}
	return nil, false
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
// the file takes the full path instead.
func (v *validator) fast(name string, n ast.Node) (fileResult, bool) {
	x, ok := plainValue(n)
	if !ok {
		return fileResult{}, false
	}
	top, _ := x.(map[string]any)
	if offs, _ := top["offices"].(map[string]any); len(offs) == 0 {
		return fileResult{}, false // the full path says what is missing
	}
	u, ok := v.schema.Accepts(v.ctx.Encode(x), v.pol)
	if !ok {
		return fileResult{}, false
	}
	var res fileResult
	for _, f := range plainFields(plainLookup(n, "offices").Value) {
		key, _ := labelName(f.Label)
		eff := u.LookupPath(cue.MakePath(cue.Str("offices"), cue.Str(key)))
		o, ds := v.office(key, officeSource{file: name, field: f}, eff)
		res.diags = append(res.diags, ds...)
		if !schema.HasErrors(ds) {
			res.offices = append(res.offices, o)
		}
	}
	return res, true
}

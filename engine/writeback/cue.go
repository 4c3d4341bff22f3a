package writeback

import (
	"fmt"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
)

// This file edits CUE through cue/ast: a value the file says as a plain
// literal (a string, number, bool, null, or a struct or list of those)
// is replaced in place; new fields go at the end of their struct, new
// values written by cue/format. A value that is a reference, an
// interpolation, a comprehension, a disjunction, a unification, a call
// or any other expression is left as it is and reported Manual at its
// position: what it means depends on more than this value.

// cnode is a value of a CUE file: said by one or several fields (a path
// such as offices may be written at the top of the file more than once),
// by a list element, or the file itself.
type cnode struct {
	path   []string
	fields []*ast.Field // the fields saying it; none for the file or a list element
	expr   ast.Expr     // a list element's value
	file   *ast.File    // the file, for the top
	parent *cnode
}

// exprs are the values saying n.
func (n *cnode) exprs() []ast.Expr {
	if n.expr != nil {
		return []ast.Expr{n.expr}
	}
	var es []ast.Expr
	for _, f := range n.fields {
		es = append(es, f.Value)
	}
	return es
}

type cueDoc struct {
	name    string
	t       *text
	out     splices
	manuals []Manual
}

func applyCUE(name string, src []byte, path []string, v *val) ([]byte, []Manual, error) {
	f, err := parser.ParseFile(name, src, parser.ParseComments)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	d := &cueDoc{name: name, t: newText(src)}
	if err := walk[*cnode](d, &cnode{file: f}, path, v); err != nil {
		return nil, nil, fmt.Errorf("%s: %s: %w", name, strings.Join(path, "."), err)
	}
	out, err := d.out.apply(src)
	return out, d.manuals, err
}

// decls are the declarations of the structs saying n, and false when n
// is not only plain structs.
func (n *cnode) decls() ([][]ast.Decl, bool) {
	if n.file != nil {
		return [][]ast.Decl{n.file.Decls}, true
	}
	var ds [][]ast.Decl
	for _, e := range n.exprs() {
		s, ok := e.(*ast.StructLit)
		if !ok {
			return nil, false
		}
		ds = append(ds, s.Elts)
	}
	return ds, true
}

// label is the name of a regular field's label: false for definitions,
// hidden fields, optional and required fields and patterns.
func label(f *ast.Field) (string, bool) {
	if f.Constraint != token.ILLEGAL {
		return "", false
	}
	name, isIdent, err := ast.LabelName(f.Label)
	if err != nil || isIdent && (strings.HasPrefix(name, "#") || strings.HasPrefix(name, "_")) {
		return "", false
	}
	return name, true
}

// members is the data fields of n in the order of their first field,
// and the reason n is not a plain struct.
func (d *cueDoc) members(n *cnode) ([]string, []*cnode, string) {
	ds, ok := n.decls()
	if !ok {
		return nil, nil, ""
	}
	var keys []string
	var vals []*cnode
	for _, decls := range ds {
		for _, decl := range decls {
			switch x := decl.(type) {
			case *ast.Field:
				k, ok := label(x)
				if !ok {
					if _, _, err := ast.LabelName(x.Label); err != nil {
						return nil, nil, "a pattern constraint of the struct says it"
					}
					continue
				}
				found := false
				for i, key := range keys {
					if key == k {
						vals[i].fields = append(vals[i].fields, x)
						found = true
					}
				}
				if !found {
					keys = append(keys, k)
					vals = append(vals, &cnode{path: append(append([]string(nil), n.path...), k), fields: []*ast.Field{x}, parent: n})
				}
			case *ast.Comprehension:
				// Its fields are not known here: read and addMember
				// see them through comprehension.
			case *ast.EmbedDecl:
				return nil, nil, "an embedded value of the struct says it"
			case *ast.Package, *ast.ImportDecl, *ast.CommentGroup, *ast.Attribute, *ast.LetClause:
			default:
				return nil, nil, "a CUE declaration of the struct says it"
			}
		}
	}
	return keys, vals, ""
}

// comprehension is the first comprehension in the structs saying n.
func (n *cnode) comprehension() *ast.Comprehension {
	ds, _ := n.decls()
	for _, decls := range ds {
		for _, decl := range decls {
			if c, ok := decl.(*ast.Comprehension); ok {
				return c
			}
		}
	}
	return nil
}

func (d *cueDoc) read(n *cnode) (*val, string) {
	if n.file == nil && len(n.fields) > 1 {
		return nil, "said in several places of the file"
	}
	if n.comprehension() != nil {
		return nil, "a comprehension adds fields to it"
	}
	if n.file != nil || isStruct(n) {
		keys, vals, why := d.members(n)
		if why != "" {
			return nil, why
		}
		v := &val{kind: kObject, keys: keys}
		for _, c := range vals {
			e, why := d.read(c)
			if why != "" {
				return nil, why
			}
			v.vals = append(v.vals, e)
		}
		return v, ""
	}
	return readExpr(n.exprs()[0], 0)
}

func isStruct(n *cnode) bool {
	es := n.exprs()
	if len(es) == 0 {
		return false
	}
	for _, e := range es {
		if _, ok := e.(*ast.StructLit); !ok {
			return false
		}
	}
	return true
}

// readExpr is the value of a literal expression, or why it is not one.
func readExpr(e ast.Expr, depth int) (*val, string) {
	if depth > maxDepth {
		return nil, "nested too deep"
	}
	switch x := e.(type) {
	case *ast.BasicLit:
		switch x.Kind {
		case token.STRING:
			s, err := literal.Unquote(x.Value)
			if err != nil || strings.HasPrefix(x.Value, "'") || strings.HasPrefix(x.Value, "#") {
				return nil, "a string literal of a kind officectl does not write"
			}
			return &val{kind: kString, text: s}, ""
		case token.INT, token.FLOAT:
			return &val{kind: kNumber, text: x.Value}, ""
		case token.TRUE, token.FALSE:
			return &val{kind: kBool, text: x.Value}, ""
		case token.NULL:
			return &val{kind: kNull}, ""
		}
	case *ast.UnaryExpr:
		if lit, ok := x.X.(*ast.BasicLit); ok && x.Op == token.SUB && (lit.Kind == token.INT || lit.Kind == token.FLOAT) {
			return &val{kind: kNumber, text: "-" + lit.Value}, ""
		}
		return nil, "a constraint (" + x.Op.String() + "), not a value"
	case *ast.ListLit:
		v := &val{kind: kArray}
		for _, el := range x.Elts {
			if _, ok := el.(*ast.Comprehension); ok {
				return nil, "a comprehension makes the list"
			}
			e, why := readExpr(el, depth+1)
			if why != "" {
				return nil, why
			}
			v.items = append(v.items, e)
		}
		return v, ""
	case *ast.StructLit:
		d := &cueDoc{}
		return d.read(&cnode{fields: []*ast.Field{{Label: ast.NewIdent("x"), Value: x}}})
	case *ast.Ident, *ast.SelectorExpr, *ast.IndexExpr:
		return nil, "a reference to another value; change what it refers to, or write the value here"
	case *ast.Interpolation:
		return nil, "a string interpolation"
	case *ast.BinaryExpr:
		switch x.Op {
		case token.OR:
			return nil, "a disjunction (a default and its alternatives)"
		case token.AND:
			return nil, "a unification of several values"
		}
		return nil, "a CUE expression (" + x.Op.String() + ")"
	case *ast.CallExpr:
		return nil, "a function call"
	case *ast.ParenExpr:
		return readExpr(x.X, depth+1)
	}
	return nil, "a CUE expression"
}

func (d *cueDoc) object(n *cnode) ([]string, []*cnode, bool) {
	if n.file == nil && !isStruct(n) {
		return nil, nil, false
	}
	keys, vals, why := d.members(n)
	if why != "" || n.file == nil && len(keys) == 0 {
		return nil, nil, false
	}
	return keys, vals, true
}

// array: CUE lists are written whole.
func (d *cueDoc) array(*cnode) ([]*cnode, bool) { return nil, false }

// canDelete: a field said in one place, alone on its lines (or the only
// field of a shorthand such as offices: tokyo: {…}, then that whole
// line).
func (d *cueDoc) canDelete(n *cnode, i int) bool {
	_, vals, _ := d.members(n)
	if i >= len(vals) || len(vals[i].fields) != 1 {
		return false
	}
	_, ok := d.fieldLines(n, vals[i].fields[0])
	return ok
}

// fieldLines is the field to remove to remove f, a member of n: f, or
// the shorthand field holding only f.
func (d *cueDoc) fieldLines(n *cnode, f *ast.Field) (*ast.Field, bool) {
	if d.t.blankBefore(f.Pos().Offset()) {
		return f, true
	}
	// f follows a label on its line: offices: tokyo: {…}. Find the
	// field whose shorthand struct holds only f.
	var outer *ast.Field
	for _, p := range n.fields {
		if s, ok := p.Value.(*ast.StructLit); ok && !s.Lbrace.IsValid() && len(s.Elts) == 1 && s.Elts[0] == f {
			outer = p
		}
	}
	if outer == nil || !d.t.blankBefore(outer.Pos().Offset()) {
		return nil, false
	}
	return outer, true
}

func (d *cueDoc) delMember(obj *cnode, i int) {
	_, vals, _ := d.members(obj)
	f, _ := d.fieldLines(obj, vals[i].fields[0])
	s, e := d.t.removal(d.t.commentsAbove(f.Pos().Offset(), "//"), d.t.lineEnd(f.End().Offset()))
	d.out.add(s, e, "")
}

func (d *cueDoc) delItem(*cnode, int)          {}
func (d *cueDoc) insertItem(*cnode, int, *val) {}
func (d *cueDoc) manual(n *cnode, why string)  { d.manualAt(d.pos(n), why) }
func (d *cueDoc) manualAt(p token.Pos, why string) {
	d.manuals = append(d.manuals, Manual{File: d.name, Line: p.Line(), Column: p.Column(), Reason: why})
}

func (d *cueDoc) pos(n *cnode) token.Pos {
	if es := n.exprs(); len(es) > 0 {
		return es[0].Pos()
	}
	return token.NoPos
}

func (d *cueDoc) addMember(obj *cnode, key string, v *val) {
	for n := obj; n != nil; n = n.parent {
		if c := n.comprehension(); c != nil {
			d.manualAt(c.Pos(), "a comprehension here may make it: edit the comprehension or its input")
			return
		}
	}
	// At the end of the last struct in braces saying obj; else (the
	// file, or only shorthands) a new field at the end of the file.
	var into *ast.StructLit
	for _, e := range obj.exprs() {
		if s, ok := e.(*ast.StructLit); ok && s.Lbrace.IsValid() {
			into = s
		}
	}
	if into == nil {
		at := len(d.t.src)
		pre := ""
		if at > 0 && d.t.src[at-1] != '\n' {
			pre = d.t.nl
		}
		// offices: KEY: {…}, as the example writes objects: the
		// labels down to the object's key on one line.
		var labels []string
		for _, k := range append(append([]string(nil), obj.path...), key) {
			labels = append(labels, cueLabel(k))
		}
		for len(labels) < 2 && v.kind == kObject && len(v.keys) == 1 {
			labels = append(labels, cueLabel(v.keys[0]))
			v = v.vals[0]
		}
		d.out.add(at, at, pre+d.t.nl+strings.Join(labels, ": ")+": "+d.render(v, "")+d.t.nl)
		return
	}
	if len(into.Elts) == 0 {
		// {}: written whole.
		old, _ := readExpr(into, 0)
		nv := &val{kind: kObject, keys: append(old.keys, key), vals: append(old.vals, v)}
		d.out.add(into.Pos().Offset(), into.End().Offset(), d.render(nv, d.t.indentAtAny(into.Pos().Offset())))
		return
	}
	last := into.Elts[len(into.Elts)-1]
	at := d.t.lineEnd(last.End().Offset())
	indent := d.t.indentAtAny(last.Pos().Offset())
	if l1, l2 := into.Lbrace.Line(), into.Rbrace.Line(); l1 == l2 {
		// A struct on one line: written again whole.
		old, _ := readExpr(into, 0)
		if old != nil {
			nv := &val{kind: kObject, keys: append(old.keys, key), vals: append(old.vals, v)}
			d.out.add(into.Pos().Offset(), into.End().Offset(), inlineCUE(nv))
			return
		}
	}
	d.out.add(at, at, indent+d.alignLabel(last, key)+d.render(v, indent)+d.t.nl)
}

// alignLabel is key's label and colon, padded as cue fmt aligns it after
// prev, a field on one line.
func (d *cueDoc) alignLabel(prev ast.Decl, key string) string {
	l := cueLabel(key) + ":"
	f, ok := prev.(*ast.Field)
	if !ok || f.Pos().Line() != f.End().Line() {
		return l + " "
	}
	col := f.Value.Pos().Column() - f.Pos().Column()
	if col > len(l)+1 {
		return l + strings.Repeat(" ", col-len(l))
	}
	return l + " "
}

func (d *cueDoc) replace(n *cnode, v *val) {
	if n.file != nil {
		return
	}
	es := n.exprs()
	if len(es) != 1 {
		d.manual(n, "said in several places of the file")
		return
	}
	e := es[0]
	d.out.add(e.Pos().Offset(), e.End().Offset(), d.render(v, d.t.indentAtAny(e.Pos().Offset())))
}

// render is v as CUE for a place whose line is indented by indent: what
// inline reports on one line, other structs and lists by cue/format.
func (d *cueDoc) render(v *val, indent string) string {
	if v.scalar() || v.inline() {
		return inlineCUE(v)
	}
	b, err := format.Node(cueExpr(v))
	if err != nil {
		return inlineCUE(v)
	}
	return strings.TrimPrefix(indentLines(string(b), indent, d.t.nl), indent)
}

// cueExpr is v as a CUE syntax tree; inline values as one literal.
func cueExpr(v *val) ast.Expr {
	switch v.kind {
	case kObject:
		if v.inline() {
			return &ast.BasicLit{Kind: token.STRING, Value: inlineCUE(v)}
		}
		s := &ast.StructLit{}
		for i, k := range v.keys {
			s.Elts = append(s.Elts, &ast.Field{Label: cueLabelNode(k), Value: cueExpr(v.vals[i])})
		}
		return s
	case kArray:
		if v.inline() {
			return &ast.BasicLit{Kind: token.STRING, Value: inlineCUE(v)}
		}
		l := &ast.ListLit{}
		for _, e := range v.items {
			l.Elts = append(l.Elts, cueExpr(e))
		}
		return l
	}
	return &ast.BasicLit{Kind: token.STRING, Value: inlineCUE(v)}
}

// inlineCUE is v as CUE on one line.
func inlineCUE(v *val) string {
	switch v.kind {
	case kString:
		return literal.String.Quote(v.text)
	case kNull:
		return "null"
	case kObject:
		parts := make([]string, len(v.keys))
		for i, k := range v.keys {
			parts[i] = cueLabel(k) + ": " + inlineCUE(v.vals[i])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case kArray:
		parts := make([]string, len(v.items))
		for i, e := range v.items {
			parts[i] = inlineCUE(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return v.text
}

// cueLabel is key as a CUE label: an identifier where it is one, else
// quoted.
func cueLabel(key string) string {
	switch key {
	case "true", "false", "null", "if", "for", "in", "let", "import", "package", "_":
		return literal.String.Quote(key)
	}
	if ast.IsValidIdent(key) && !strings.HasPrefix(key, "#") && !strings.HasPrefix(key, "_") && !strings.HasPrefix(key, "__") {
		return key
	}
	return literal.String.Quote(key)
}

func cueLabelNode(key string) ast.Label {
	if l := cueLabel(key); !strings.HasPrefix(l, `"`) {
		return ast.NewIdent(l)
	}
	return ast.NewString(key)
}

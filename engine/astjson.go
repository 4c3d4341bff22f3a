package engine

import (
	"bytes"
	"encoding/json"
	"regexp"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/token"
)

// jsonNumber is a number literal that JSON reads as it is.
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// appendASTJSON appends the JSON of n, a value decoded from a YAML or JSON
// file (struct, list and literal nodes only), and reports whether it
// could: anything else (a CUE expression, a number JSON writes another
// way) returns false, and the caller decodes the CUE value instead.
// Reading the syntax tree skips the evaluator's field ordering, which
// Value.Decode and MarshalJSON pay for every struct.
func appendASTJSON(b *bytes.Buffer, n ast.Node) bool {
	switch x := n.(type) {
	case *ast.StructLit:
		b.WriteByte('{')
		first := true
		for _, d := range x.Elts {
			if _, ok := d.(*ast.CommentGroup); ok {
				continue
			}
			f, ok := d.(*ast.Field)
			if !ok || f.Constraint != token.ILLEGAL {
				return false
			}
			name, ok := labelName(f.Label)
			if !ok {
				return false
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			q, _ := json.Marshal(name)
			b.Write(q)
			b.WriteByte(':')
			if !appendASTJSON(b, f.Value) {
				return false
			}
		}
		b.WriteByte('}')
		return true
	case *ast.ListLit:
		b.WriteByte('[')
		for i, e := range x.Elts {
			if i > 0 {
				b.WriteByte(',')
			}
			if !appendASTJSON(b, e) {
				return false
			}
		}
		b.WriteByte(']')
		return true
	case *ast.BasicLit:
		switch x.Kind {
		case token.STRING:
			s, err := literal.Unquote(x.Value)
			if err != nil {
				return false
			}
			q, _ := json.Marshal(s)
			b.Write(q)
			return true
		case token.INT, token.FLOAT:
			if !jsonNumber.MatchString(x.Value) {
				return false
			}
			b.WriteString(x.Value)
			return true
		case token.TRUE, token.FALSE, token.NULL:
			b.WriteString(x.Value)
			return true
		}
	case *ast.UnaryExpr:
		if lit, ok := x.X.(*ast.BasicLit); ok && x.Op == token.SUB && (lit.Kind == token.INT || lit.Kind == token.FLOAT) {
			b.WriteByte('-')
			return appendASTJSON(b, lit)
		}
	}
	return false
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

package load

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	cueerrors "cuelang.org/go/cue/errors"
	cuejson "cuelang.org/go/encoding/json"
	cueyaml "cuelang.org/go/encoding/yaml"
	yaml "go.yaml.in/yaml/v3"

	"github.com/officectl/officectl/schema"
)

// parse reads a YAML file into an *ast.File, a JSON file into an ast.Expr
// (compileData makes it a CUE value). A syntax error comes back as one
// diagnostic with the best position the decoder gives.
func parse(name string, src []byte) (n ast.Node, d *schema.Diagnostic) {
	defer func() {
		// A decoder that panics (cue's YAML decoder did on lone
		// carriage returns before the check below) fails this file, not
		// the run.
		if r := recover(); r != nil {
			n, d = nil, syntaxDiag(name, fmt.Errorf("the decoder failed on this file (%v)", r))
		}
	}()
	if strings.HasSuffix(name, ".json") {
		expr, err := cuejson.Extract(name, src)
		if err != nil {
			// encoding/json's errors carry the byte offset that CUE's
			// JSON decoder drops.
			if d := jsonSyntax(name, src); d != nil {
				return nil, d
			}
			return nil, syntaxDiag(name, err)
		}
		return expr, nil
	}
	if d := loneCR(name, src); d != nil {
		return nil, d
	}
	if d := yamlSelfAlias(name, src); d != nil {
		return nil, d
	}
	f, err := cueyaml.Extract(name, src)
	if err != nil {
		d := syntaxDiag(name, err)
		if line, ok := yamlErrorLine(src); ok {
			d.Line, d.Column = line, yamlErrorColumn(src, line, d.Message)
			if msg, col := yamlHint(src, &d.Line, strings.TrimPrefix(d.Message, "invalid YAML: ")); msg != "" {
				d.Message = "invalid YAML: " + msg
				if col > 0 {
					d.Column = col
				}
			}
		}
		return nil, d
	}
	return f, nil
}

// yamlErrorLine finds the line of a YAML syntax error: the first line at
// which the text, cut after that line, fails as the whole text does. The
// YAML decoder's own line is where the construct around the problem
// starts, counted from 0 or from 1 depending on the kind of error, and
// may lie past the end of the file. ok is false when the text parses.
func yamlErrorLine(src []byte) (line int, ok bool) {
	want := yamlErr(src)
	if want == "" {
		return 0, false
	}
	ends := []int{} // ends[i] is the length of the text up to line i+1
	for i, c := range src {
		if c == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(src) {
		ends = append(ends, len(src))
	}
	// The smallest cut that fails as the whole does; the whole fails, so
	// the search ends on a line of the file.
	i := sort.Search(len(ends), func(i int) bool { return yamlErr(src[:ends[i]]) == want })
	return min(i, len(ends)-1) + 1, true
}

// yamlErr is the first error decoding every document of src, or "".
func yamlErr(src []byte) string {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if err == io.EOF {
			return ""
		}
		if err != nil {
			return err.Error()
		}
	}
}

// yamlErrorColumn is the column of the character a YAML error names on
// the line (a tab, a character that cannot start a token), else 1.
func yamlErrorColumn(src []byte, line int, msg string) int {
	text := src
	for range line - 1 {
		i := bytes.IndexByte(text, '\n')
		if i < 0 {
			return 1
		}
		text = text[i+1:]
	}
	if i := bytes.IndexByte(text, '\n'); i >= 0 {
		text = text[:i]
	}
	chars := ""
	switch {
	case strings.Contains(msg, "tab character"):
		chars = "\t"
	case strings.Contains(msg, "cannot start any token"):
		chars = "@`"
	}
	if i := bytes.IndexAny(text, chars); chars != "" && i >= 0 {
		return utf8.RuneCount(text[:i]) + 1
	}
	return 1
}

// loneCR finds a carriage return without a line feed after it: YAML reads
// it as a line break, and cue's YAML decoder, which counts lines by line
// feeds, then misplaces everything after it or panics (cuelang.org/go
// v0.17.1, found by FuzzFastPath).
func loneCR(name string, src []byte) *schema.Diagnostic {
	for i := bytes.IndexByte(src, '\r'); i >= 0; i = nextCR(src, i) {
		if i+1 == len(src) || src[i+1] != '\n' {
			line, col := lineCol(src, i)
			return &schema.Diagnostic{File: name, Line: line, Column: col, Severity: schema.Error,
				Message: "invalid YAML: a carriage return (\\r) without a line feed: save the file with \\n or \\r\\n line endings"}
		}
	}
	return nil
}

// nextCR is the index of the next carriage return after i, or -1.
func nextCR(src []byte, i int) int {
	j := bytes.IndexByte(src[i+1:], '\r')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// yamlSelfAlias finds an alias inside the value of its own anchor
// (`a: &a {<<: *a}`), which cue's YAML decoder follows until the stack
// overflows and the process dies (cuelang.org/go v0.17.1, found by
// FuzzFastPath). Only text with an alias (*) is parsed for it; syntax
// errors are left to the decoder.
func yamlSelfAlias(name string, src []byte) *schema.Diagnostic {
	if !bytes.Contains(src, []byte("*")) {
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			return nil
		}
		if n := selfAlias(&doc, nil); n != nil {
			return &schema.Diagnostic{File: name, Line: n.Line, Column: n.Column, Severity: schema.Error,
				Message: fmt.Sprintf("invalid YAML: alias *%s is inside the value of its own anchor &%s", n.Value, n.Value)}
		}
	}
}

// selfAlias returns the first alias under n to n or to one of the nodes
// that hold it (open).
func selfAlias(n *yaml.Node, open []*yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		if slices.Contains(open, n.Alias) {
			return n
		}
		return nil
	}
	open = append(open, n)
	for _, c := range n.Content {
		if a := selfAlias(c, open); a != nil {
			return a
		}
	}
	return nil
}

// compileData compiles a syntax tree from parse into ctx. A key written twice
// with two values (CUE unifies them) is in error here.
func compileData(ctx *cue.Context, name string, n ast.Node) (cue.Value, *schema.Diagnostic) {
	var v cue.Value
	switch x := n.(type) {
	case *ast.File:
		v = ctx.BuildFile(x)
	case ast.Expr:
		v = ctx.BuildExpr(x)
	default:
		return cue.Value{}, &schema.Diagnostic{File: name, Line: 1, Column: 1, Severity: schema.Error,
			Message: fmt.Sprintf("cannot read %T", n)}
	}
	if err := v.Err(); err != nil {
		return cue.Value{}, syntaxDiag(name, err)
	}
	return v, nil
}

// jsonSyntax checks src with encoding/json, whose errors carry the byte
// offset that CUE's JSON decoder drops. It runs only when that decoder has
// failed: the decoder checks with encoding/json itself first.
func jsonSyntax(name string, src []byte) *schema.Diagnostic {
	dec := json.NewDecoder(bytes.NewReader(src))
	for {
		_, err := dec.Token()
		if err == nil {
			continue
		}
		if err.Error() == "EOF" {
			return nil
		}
		off := dec.InputOffset()
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		line, col := lineCol(src, int(off))
		return &schema.Diagnostic{File: name, Line: line, Column: col, Severity: schema.Error,
			Message: "invalid JSON: " + err.Error()}
	}
}

func lineCol(src []byte, off int) (int, int) {
	off = min(max(off, 0), len(src))
	line := 1 + bytes.Count(src[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(src[:off], '\n')
	return line, col
}

// yamlLine matches the "file:LINE: message" of YAML syntax errors.
var yamlLine = regexp.MustCompile(`^(.*?):(\d+): (.*)$`)

// syntaxDiag turns a decoder error into one diagnostic: never a list of
// CUE internals.
func syntaxDiag(name string, err error) *schema.Diagnostic {
	d := &schema.Diagnostic{File: name, Severity: schema.Error}
	errs := cueerrors.Errors(err)
	if len(errs) > 0 {
		e := errs[0]
		if p := e.Position(); p.Line() > 0 {
			d.Line, d.Column = p.Line(), p.Column()
		} else {
			// A conflict has no position of its own, only its inputs':
			// point at the last one, the value written second.
			for _, p := range e.InputPositions() {
				if p.Line() > d.Line || p.Line() == d.Line && p.Column() > d.Column {
					d.Line, d.Column = p.Line(), p.Column()
				}
			}
		}
		format, args := e.Msg()
		d.Message = fmt.Sprintf(format, args...)
		if path := e.Path(); len(path) > 0 && strings.HasPrefix(format, "conflicting values") {
			// A key written twice in one mapping (JSON allows it; CUE
			// unifies the two values).
			d.Path = strings.Join(path, ".")
			d.Message = fmt.Sprintf("%q is written twice in one mapping, with different values (%s)",
				path[len(path)-1], strings.TrimPrefix(d.Message, "conflicting values "))
		}
		if strings.TrimSpace(d.Message) == "" {
			d.Message = err.Error()
		}
	} else {
		d.Message = err.Error()
	}
	d.Message = schema.OneLine(d.Message)
	if m := yamlLine.FindStringSubmatch(d.Message); m != nil && !strings.HasSuffix(name, ".cue") {
		// The YAML decoder counts lines from 0 and leaves line 0 out.
		n, _ := strconv.Atoi(m[2])
		d.Line, d.Column, d.Message = n+1, 1, m[3]
	} else if d.Line == 0 && !strings.HasSuffix(name, ".cue") {
		d.Line, d.Column = 1, 1
	}
	d.Message = strings.TrimPrefix(d.Message, name+": ")
	switch {
	case strings.HasSuffix(name, ".json"):
		d.Message = "invalid JSON: " + d.Message
	case strings.HasSuffix(name, ".cue"):
		d.Message = "invalid CUE: " + d.Message
	default:
		d.Message = "invalid YAML: " + d.Message
	}
	return d
}

package writeback

import (
	"fmt"
	"path/filepath"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
)

// policy is the CUE files of a config directory, read to find the
// constraints that set a field for every object: offices: [string]:
// auto_call_recording: true.
type policy struct {
	files []*ast.File
}

func parsePolicy(files []File) (*policy, error) {
	p := &policy{}
	for _, f := range files {
		if f.Format != CUE {
			continue
		}
		af, err := parser.ParseFile(f.Name, f.Src)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", f.Name, err)
		}
		p.files = append(p.files, af)
	}
	return p, nil
}

// covers returns a Manual at the first constraint of the policy that
// says the value at path, or a value around it, through a pattern label
// such as [string] or [=~"^ber"] above it: offices: [string]:
// auto_call_recording covers offices.tokyo.auto_call_recording, not
// offices.tokyo (adding or removing a whole office is left to
// validation, which sees what the policy says of it).
func (p *policy) covers(path []string) (Manual, bool) {
	for _, f := range p.files {
		if pos, ok := coversDecls(f.Decls, path, false); ok {
			return Manual{File: filepath.ToSlash(pos.Filename()), Line: pos.Line(), Column: pos.Column(),
				Reason: "a policy constraint sets it for every object it matches: change the policy, or ask for an exception in it"}, true
		}
	}
	return Manual{}, false
}

// coversDecls finds a field of decls matching path, through a pattern
// when viaPattern or on the way.
func coversDecls(decls []ast.Decl, path []string, viaPattern bool) (token.Pos, bool) {
	for _, decl := range decls {
		f, ok := decl.(*ast.Field)
		if !ok {
			continue
		}
		name, isIdent, err := ast.LabelName(f.Label)
		pattern := err != nil
		if !pattern && (name != path[0] || isIdent && (strings.HasPrefix(name, "#") || strings.HasPrefix(name, "_"))) {
			continue
		}
		via := viaPattern || pattern
		if len(path) == 1 {
			if viaPattern {
				return f.Pos(), true
			}
			continue
		}
		s, ok := f.Value.(*ast.StructLit)
		if !ok {
			if via {
				return f.Pos(), true // the whole value around path
			}
			continue
		}
		if pos, ok := coversDecls(s.Elts, path[1:], via); ok {
			return pos, true
		}
	}
	return token.NoPos, false
}

package load

import (
	"fmt"
	"sort"
	"strings"

	"github.com/officectl/officectl/schema"
)

// crossChecks runs the checks that span files: duplicate keys, duplicate
// names, references to unknown keys, and reference cycles.
func crossChecks(all []found) []schema.Diagnostic {
	var diags []schema.Diagnostic
	errAt := func(p Position, path, msg string) {
		diags = append(diags, schema.Diagnostic{File: p.File, Line: p.Line, Column: p.Column,
			Severity: schema.Error, Path: path, Message: msg})
	}
	byKey := map[string][]*found{}
	byName := map[string][]*found{}
	for i := range all {
		f := &all[i]
		byKey[f.Key] = append(byKey[f.Key], f)
		if f.Office.Name != "" { // an office whose name is in error
			byName[f.Office.Name] = append(byName[f.Office.Name], f)
		}
	}
	for key, fs := range byKey {
		if len(fs) < 2 {
			continue
		}
		for _, f := range fs {
			errAt(f.Pos, "offices."+key, fmt.Sprintf("office key %q is defined more than once: also at %s", key, others(f, fs, func(o *found) Position { return o.Pos })))
		}
	}
	for name, fs := range byName {
		if len(fs) < 2 {
			continue
		}
		for _, f := range fs {
			p := f.namePos
			if p.Line == 0 {
				p = f.Pos
			}
			errAt(p, "offices."+f.Key+".name", fmt.Sprintf("office name %q is used more than once (also by %s): Dialpad office names must be unique to adopt offices by name", name, otherKeys(f, fs)))
		}
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i := range all {
		for _, r := range all[i].refs {
			if _, ok := byKey[r.key]; !ok {
				msg := fmt.Sprintf("refers to office %q, which no config file defines", r.key)
				if s := schema.Closest(r.key, keys); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				}
				errAt(r.pos, r.path, msg)
			}
		}
	}
	for _, cycle := range cycles(all) {
		f := cycle[0]
		errAt(f.refs[0].pos, "offices."+f.Key, "reference cycle: "+cyclePath(cycle)+": an office can only refer to offices created before it")
	}
	return diags
}

func others(f *found, fs []*found, pos func(*found) Position) string {
	var s []string
	for _, o := range fs {
		if o != f {
			p := pos(o)
			s = append(s, fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column))
		}
	}
	return strings.Join(s, ", ")
}

func otherKeys(f *found, fs []*found) string {
	var s []string
	for _, o := range fs {
		if o != f {
			s = append(s, fmt.Sprintf("%s at %s:%d:%d", o.Key, o.Pos.File, o.Pos.Line, o.Pos.Column))
		}
	}
	return strings.Join(s, ", ")
}

func cyclePath(c []*found) string {
	var s []string
	for _, f := range c {
		s = append(s, f.Key)
	}
	return strings.Join(append(s, c[0].Key), " → ")
}

// cycles finds the reference cycles among the offices, each once, starting
// at its smallest key.
func cycles(all []found) [][]*found {
	byKey := map[string]*found{}
	for i := range all {
		byKey[all[i].Key] = &all[i]
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var out [][]*found
	var stack []*found
	var visit func(f *found)
	visit = func(f *found) {
		color[f.Key] = grey
		stack = append(stack, f)
		for _, r := range f.refs {
			t, ok := byKey[r.key]
			if !ok {
				continue
			}
			switch color[t.Key] {
			case white:
				visit(t)
			case grey:
				for i := len(stack) - 1; i >= 0; i-- {
					if stack[i] == t {
						c := append([]*found(nil), stack[i:]...)
						out = append(out, rotate(c))
						break
					}
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[f.Key] = black
	}
	for _, k := range keys {
		if color[k] == white {
			visit(byKey[k])
		}
	}
	return out
}

// rotate starts a cycle at its smallest key.
func rotate(c []*found) []*found {
	m := 0
	for i := range c {
		if c[i].Key < c[m].Key {
			m = i
		}
	}
	return append(c[m:], c[:m]...)
}

package writeback

import (
	"fmt"
	"strings"
)

// This file edits JSON: a small scanner records where each value's
// bytes are; an object or list written over several lines is edited
// member by member, one written on one line is written again whole, in
// the spacing it had. New members go at the end of their object, in the
// indentation of their neighbours.

// jnode is a JSON value in a file.
type jnode struct {
	kind       valKind
	start, end int      // the value's bytes
	keys       []string // object
	vals       []*jnode // object: values; list: elements
	text       string   // scalar: string value or literal
}

type jsonDoc struct {
	name string
	t    *text
	unit string // one level of indentation
	out  splices
	dels map[*jnode]map[int]bool // what flush removes
	// oneLine counts, for each key, its objects and lists written on one
	// line (+1) and over several (-1): a new one of that key is written
	// as the file writes the others.
	oneLine map[string]int
	manuals []Manual
}

func applyJSON(name string, src []byte, path []string, v *val) ([]byte, []Manual, error) {
	p := &jsonParser{src: src}
	p.space()
	root, err := p.value(0)
	if err == nil {
		if p.space(); p.i < len(src) {
			err = fmt.Errorf("text after the JSON value at byte %d", p.i)
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if root.kind != kObject {
		return nil, nil, fmt.Errorf("%s: the file is not a JSON object", name)
	}
	d := &jsonDoc{name: name, t: newText(src), unit: "  ", oneLine: map[string]int{}}
	d.index(root, 0)
	if len(root.vals) > 0 {
		if in := d.t.indentAtAny(root.vals[0].start); in != "" && d.multiline(root) {
			d.unit = in
		}
	}
	if len(root.vals) == 0 {
		// An empty object: the edit is the whole file.
		if v == nil {
			return src, nil, nil
		}
		nv := nest(path, v)
		return []byte(d.render(nv, "") + d.t.nl), nil, nil
	}
	if err := walk[*jnode](d, root, path, v); err != nil {
		return nil, nil, fmt.Errorf("%s: %s: %w", name, strings.Join(path, "."), err)
	}
	d.flush()
	out, err := d.out.apply(src)
	return out, d.manuals, err
}

// indentAtAny is the leading white space (spaces or tabs) of the line
// holding off.
func (t *text) indentAtAny(off int) string {
	s := t.lineStart(off)
	e := s
	for e < len(t.src) && (t.src[e] == ' ' || t.src[e] == '\t') {
		e++
	}
	return string(t.src[s:e])
}

func (d *jsonDoc) index(n *jnode, depth int) {
	if depth > maxDepth {
		return
	}
	for i, c := range n.vals {
		if n.kind == kObject && len(c.vals) > 0 {
			if d.multiline(c) {
				d.oneLine[n.keys[i]]--
			} else {
				d.oneLine[n.keys[i]]++
			}
		}
		d.index(c, depth+1)
	}
}

func (d *jsonDoc) multiline(n *jnode) bool {
	if n.kind != kObject && n.kind != kArray || len(n.vals) == 0 {
		return false
	}
	l1, _ := d.t.position(n.start)
	l2, _ := d.t.position(n.end)
	if l1 == l2 {
		return false
	}
	for _, c := range n.vals {
		if !d.t.blankBefore(d.memberStart(n, c)) {
			return false
		}
	}
	return true
}

// memberStart is where member or element c of n starts: its key for an
// object.
func (d *jsonDoc) memberStart(n, c *jnode) int {
	if n.kind != kObject {
		return c.start
	}
	// Back from the value over white space, the colon and the key.
	i := c.start - 1
	for i > n.start && d.t.src[i] != ':' {
		i--
	}
	for i--; i > n.start && d.t.src[i] != '"'; i-- {
	}
	for i--; i > n.start; i-- {
		if d.t.src[i] == '"' && d.t.src[i-1] != '\\' {
			break
		}
	}
	return i
}

func (d *jsonDoc) read(n *jnode) (*val, string) {
	v := &val{kind: n.kind, text: n.text}
	switch n.kind {
	case kObject:
		v.keys = n.keys
		for _, c := range n.vals {
			e, _ := d.read(c)
			v.vals = append(v.vals, e)
		}
	case kArray:
		for _, c := range n.vals {
			e, _ := d.read(c)
			v.items = append(v.items, e)
		}
	}
	return v, ""
}

func (d *jsonDoc) object(n *jnode) ([]string, []*jnode, bool) {
	if n.kind != kObject || !d.multiline(n) {
		return nil, nil, false
	}
	return n.keys, n.vals, true
}

func (d *jsonDoc) array(n *jnode) ([]*jnode, bool) {
	if n.kind != kArray || !d.multiline(n) {
		return nil, false
	}
	return n.vals, true
}

func (d *jsonDoc) canDelete(n *jnode, i int) bool { return len(n.vals) > 1 }

// del marks member or element i of n to be removed by flush.
func (d *jsonDoc) del(n *jnode, i int) {
	if d.dels == nil {
		d.dels = map[*jnode]map[int]bool{}
	}
	if d.dels[n] == nil {
		d.dels[n] = map[int]bool{}
	}
	d.dels[n][i] = true
}

// flush removes the members and elements del marked: a run of them
// followed by one that stays as whole lines, a run at the end from the
// end of the one before it (its comma).
func (d *jsonDoc) flush() {
	for n, gone := range d.dels {
		for a := 0; a < len(n.vals); a++ {
			if !gone[a] {
				continue
			}
			b := a
			for b+1 < len(n.vals) && gone[b+1] {
				b++
			}
			if b+1 < len(n.vals) {
				d.out.add(d.t.lineStart(d.memberStart(n, n.vals[a])), d.t.lineStart(d.memberStart(n, n.vals[b+1])), "")
			} else if a > 0 {
				d.out.add(n.vals[a-1].end, n.vals[b].end, "")
			}
			a = b
		}
	}
}

func (d *jsonDoc) delMember(obj *jnode, i int) { d.del(obj, i) }
func (d *jsonDoc) delItem(arr *jnode, i int)   { d.del(arr, i) }

func (d *jsonDoc) addMember(obj *jnode, key string, v *val) {
	last := obj.vals[len(obj.vals)-1]
	indent := d.t.indentAtAny(d.memberStart(obj, last))
	d.out.add(last.end, last.end, ","+d.t.nl+indent+jsonString(key)+": "+d.renderMember(key, v, indent))
}

func (d *jsonDoc) insertItem(arr *jnode, before int, v *val) {
	if before < len(arr.vals) {
		at := arr.vals[before].start
		indent := d.t.indentAtAny(at)
		d.out.add(at, at, d.render(v, indent)+","+d.t.nl+indent)
		return
	}
	last := arr.vals[len(arr.vals)-1]
	indent := d.t.indentAtAny(last.start)
	d.out.add(last.end, last.end, ","+d.t.nl+indent+d.render(v, indent))
}

func (d *jsonDoc) replace(n *jnode, v *val) {
	if (n.kind == kObject || n.kind == kArray) && !d.multiline(n) && v.kind == n.kind {
		// Written on one line: again on one line, spaced as it was.
		sep := " "
		if t := string(d.t.src[n.start:n.end]); len(n.vals) > 0 && !strings.Contains(t, ", ") && !strings.Contains(t, ": ") {
			sep = ""
		}
		d.out.add(n.start, n.end, v.json(sep))
		return
	}
	d.out.add(n.start, n.end, d.render(v, d.t.indentAtAny(n.start)))
}

// render is v as JSON for a place whose line is indented by indent:
// what inline reports on one line, other objects and lists over several.
func (d *jsonDoc) render(v *val, indent string) string {
	if v.scalar() || v.inline() {
		return v.json(" ")
	}
	in := indent + d.unit
	var parts []string
	if v.kind == kObject {
		for i, k := range v.keys {
			parts = append(parts, in+jsonString(k)+": "+d.renderMember(k, v.vals[i], in))
		}
		return "{" + d.t.nl + strings.Join(parts, ","+d.t.nl) + d.t.nl + indent + "}"
	}
	for _, e := range v.items {
		parts = append(parts, in+d.render(e, in))
	}
	return "[" + d.t.nl + strings.Join(parts, ","+d.t.nl) + d.t.nl + indent + "]"
}

// renderMember is render of the value of key, on one line when the file
// writes the other values of that key so.
func (d *jsonDoc) renderMember(key string, v *val, indent string) string {
	if d.oneLine[key] > 0 {
		return v.json(" ")
	}
	return d.render(v, indent)
}

func (d *jsonDoc) manual(n *jnode, why string) {
	line, col := d.t.position(n.start)
	d.manuals = append(d.manuals, Manual{File: d.name, Line: line, Column: col, Reason: why})
}

// jsonParser reads JSON, recording where each value is.
type jsonParser struct {
	src []byte
	i   int
}

func (p *jsonParser) space() {
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) errorf(format string, args ...any) error {
	return fmt.Errorf("at byte %d: "+format, append([]any{p.i}, args...)...)
}

func (p *jsonParser) value(depth int) (*jnode, error) {
	if depth > maxDepth {
		return nil, p.errorf("nested deeper than %d levels", maxDepth)
	}
	if p.i >= len(p.src) {
		return nil, p.errorf("unexpected end of the file")
	}
	n := &jnode{start: p.i}
	switch c := p.src[p.i]; {
	case c == '{':
		n.kind = kObject
		p.i++
		p.space()
		if p.i < len(p.src) && p.src[p.i] == '}' {
			p.i++
			break
		}
		for {
			p.space()
			k, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			if k.kind != kString {
				return nil, p.errorf("an object key is not a string")
			}
			p.space()
			if p.i >= len(p.src) || p.src[p.i] != ':' {
				return nil, p.errorf("want ':'")
			}
			p.i++
			p.space()
			e, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			n.keys = append(n.keys, k.text)
			n.vals = append(n.vals, e)
			p.space()
			if p.i < len(p.src) && p.src[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.src) && p.src[p.i] == '}' {
				p.i++
				break
			}
			return nil, p.errorf("want ',' or '}'")
		}
	case c == '[':
		n.kind = kArray
		p.i++
		p.space()
		if p.i < len(p.src) && p.src[p.i] == ']' {
			p.i++
			break
		}
		for {
			p.space()
			e, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			n.vals = append(n.vals, e)
			p.space()
			if p.i < len(p.src) && p.src[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.src) && p.src[p.i] == ']' {
				p.i++
				break
			}
			return nil, p.errorf("want ',' or ']'")
		}
	case c == '"':
		p.i++
		for p.i < len(p.src) && p.src[p.i] != '"' {
			if p.src[p.i] == '\\' {
				p.i++
			}
			p.i++
		}
		if p.i >= len(p.src) {
			return nil, p.errorf("a string without its end")
		}
		p.i++
		v, err := parseVal(p.src[n.start:p.i])
		if err != nil {
			return nil, p.errorf("%v", err)
		}
		n.kind, n.text = kString, v.text
	default:
		for p.i < len(p.src) && strings.IndexByte(",]} \t\r\n", p.src[p.i]) < 0 {
			p.i++
		}
		v, err := parseVal(p.src[n.start:p.i])
		if err != nil || v.kind == kString || !v.scalar() {
			return nil, p.errorf("not a JSON value: %q", p.src[n.start:p.i])
		}
		n.kind, n.text = v.kind, v.text
	}
	n.end = p.i
	return n, nil
}

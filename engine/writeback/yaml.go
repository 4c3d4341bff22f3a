package writeback

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// This file edits YAML: the file is read into yaml.v3's node tree, whose
// positions say where each value's bytes are; an edit replaces only the
// bytes of the values that change, and new values are encoded by
// yaml.v3 in the file's indentation. Untouched lines stay byte for byte.

// yamlDoc is a YAML file being edited.
type yamlDoc struct {
	name string
	t    *text
	root *yaml.Node // the document's top mapping
	// keyOf is the key node of each value of a mapping; parent the
	// collection holding each node.
	keyOf  map[*yaml.Node]*yaml.Node
	parent map[*yaml.Node]*yaml.Node
	unit   int                 // indentation step of the file
	dashIn bool                // block sequences indented below their key
	style  yaml.Style          // how the file writes strings that need no quotes
	given  map[*val]*yaml.Node // values to write as these nodes (Edit.Node)
	// flowKeys counts, for each key, its objects written in flow style
	// (+1) and as blocks (-1): a new object of that key is written as
	// the file writes the others.
	flowKeys map[string]int
	record   map[*val]*yaml.Node // where value records what it reads
	out      splices
	manuals  []Manual
	err      error
}

func applyYAML(name string, src []byte, path []string, v *val, given map[*val]*yaml.Node) ([]byte, []Manual, error) {
	d, err := parseYAML(name, src)
	if err != nil {
		return nil, nil, err
	}
	d.given = given
	if d.root == nil {
		// An empty file (or only comments): the edit is the whole file.
		if v == nil {
			return src, nil, nil
		}
		body := d.block(nest(path, v), "")
		pre := src
		if len(pre) > 0 && !bytes.HasSuffix(pre, []byte("\n")) {
			pre = append(append([]byte(nil), pre...), d.t.nl...)
		}
		return append(append([]byte(nil), pre...), body+d.t.nl...), nil, nil
	}
	if err := walk[*yaml.Node](d, d.root, path, v); err != nil {
		return nil, nil, fmt.Errorf("%s: %s: %w", name, strings.Join(path, "."), err)
	}
	if d.err != nil {
		return nil, nil, d.err
	}
	out, err := d.out.apply(src)
	return out, d.manuals, err
}

func parseYAML(name string, src []byte) (*yamlDoc, error) {
	d := &yamlDoc{name: name, t: newText(src), keyOf: map[*yaml.Node]*yaml.Node{},
		parent: map[*yaml.Node]*yaml.Node{}, flowKeys: map[string]int{}, unit: 2, dashIn: true, style: yaml.DoubleQuotedStyle}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var top yaml.Node
	if err := dec.Decode(&top); err != nil {
		if errors.Is(err, io.EOF) {
			return d, nil
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: more than one YAML document: officectl reads only files of one", name)
	}
	if len(top.Content) == 0 {
		return d, nil
	}
	if top.Content[0].Kind != yaml.MappingNode || top.Content[0].Style&yaml.FlowStyle != 0 {
		return nil, fmt.Errorf("%s: the top of the file is not a block mapping", name)
	}
	d.root = top.Content[0]
	units := map[int]int{}
	plain, quoted := 0, 0
	var index func(n *yaml.Node, depth int)
	index = func(n *yaml.Node, depth int) {
		if depth > maxDepth {
			return
		}
		for i, c := range n.Content {
			d.parent[c] = n
			if n.Kind == yaml.MappingNode && i%2 == 1 {
				k := n.Content[i-1]
				d.keyOf[c] = k
				if c.Kind == yaml.MappingNode && c.Style&yaml.FlowStyle == 0 && c.Line > k.Line && len(c.Content) > 0 {
					units[c.Column-k.Column]++
				}
				if c.Kind == yaml.MappingNode && c.Style&yaml.FlowStyle != 0 {
					d.flowKeys[k.Value]++
				} else if c.Kind == yaml.MappingNode {
					d.flowKeys[k.Value]--
				}
				if c.Kind == yaml.SequenceNode && c.Style&yaml.FlowStyle == 0 && c.Line > k.Line {
					if c.Column > k.Column {
						units[-1]++
					} else {
						units[-2]++
					}
				}
				if c.Kind == yaml.ScalarNode && c.Tag == "!!str" {
					if c.Style == 0 {
						plain++
					} else if c.Style == yaml.DoubleQuotedStyle {
						quoted++
					}
				}
			}
			index(c, depth+1)
		}
	}
	index(d.root, 0)
	best := 0
	for u, n := range units {
		if u > 0 && n > best {
			d.unit, best = u, n
		}
	}
	d.dashIn = units[-2] <= units[-1]
	if plain > quoted {
		d.style = 0
	}
	return d, nil
}

// start is the offset of n's first byte.
func (d *yamlDoc) start(n *yaml.Node) int { return d.t.offset(n.Line, n.Column) }

// end is the offset just past n's last byte (before any comment after
// it).
func (d *yamlDoc) end(n *yaml.Node) int {
	src := d.t.src
	s := d.start(n)
	switch n.Kind {
	case yaml.MappingNode, yaml.SequenceNode:
		if n.Style&yaml.FlowStyle != 0 {
			return scanFlow(src, s)
		}
		if len(n.Content) == 0 {
			return s
		}
		return d.end(n.Content[len(n.Content)-1])
	case yaml.AliasNode:
		return s + 1 + len(n.Value)
	}
	switch n.Style {
	case yaml.DoubleQuotedStyle:
		for i := s + 1; i < len(src); i++ {
			if src[i] == '\\' {
				i++
			} else if src[i] == '"' {
				return i + 1
			}
		}
		return len(src)
	case yaml.SingleQuotedStyle:
		for i := s + 1; i < len(src); i++ {
			if src[i] == '\'' {
				if i+1 < len(src) && src[i+1] == '\'' {
					i++
					continue
				}
				return i + 1
			}
		}
		return len(src)
	case yaml.LiteralStyle, yaml.FoldedStyle:
		// The lines below the header more indented than the key.
		base := len(d.t.indentAt(s))
		e := d.t.lineEnd(s)
		last := e
		for e < len(src) {
			ne := d.t.lineEnd(e)
			line := strings.TrimRight(string(src[e:ne]), "\r\n")
			if strings.TrimSpace(line) != "" {
				if len(line)-len(strings.TrimLeft(line, " ")) <= base {
					break
				}
				last = ne
			}
			e = ne
		}
		for last > s && (src[last-1] == '\n' || src[last-1] == '\r') {
			last--
		}
		return last
	}
	if n.Tag == "!!null" && n.Value == "" {
		return s
	}
	// Plain: to the end of the line, a comment or, in a flow
	// collection, the next separator.
	inFlow := false
	if p := d.parent[n]; p != nil && p.Style&yaml.FlowStyle != 0 {
		inFlow = true
	}
	e := s
	for e < len(src) && src[e] != '\n' && src[e] != '\r' {
		if src[e] == '#' && e > s && (src[e-1] == ' ' || src[e-1] == '\t') {
			break
		}
		if inFlow && (src[e] == ',' || src[e] == ']' || src[e] == '}') {
			break
		}
		if src[e] == ':' && (e+1 == len(src) || src[e+1] == ' ' || src[e+1] == '\n' || src[e+1] == '\r') {
			break
		}
		e++
	}
	for e > s && (src[e-1] == ' ' || src[e-1] == '\t') {
		e--
	}
	return e
}

// scanFlow is the offset past the flow collection starting at s.
func scanFlow(src []byte, s int) int {
	depth := 0
	for i := s; i < len(src); i++ {
		switch src[i] {
		case '"':
			for i++; i < len(src) && src[i] != '"'; i++ {
				if src[i] == '\\' {
					i++
				}
			}
		case '\'':
			for i++; i < len(src); i++ {
				if src[i] == '\'' {
					if i+1 < len(src) && src[i+1] == '\'' {
						i++
						continue
					}
					break
				}
			}
		case '#':
			if i > s && (src[i-1] == ' ' || src[i-1] == '\t' || src[i-1] == '\n') {
				for i < len(src) && src[i] != '\n' {
					i++
				}
			}
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return len(src)
}

func (d *yamlDoc) flow(n *yaml.Node) bool {
	return n.Style&yaml.FlowStyle != 0
}

func (d *yamlDoc) read(n *yaml.Node) (*val, string) {
	return d.value(n, 0)
}

func (d *yamlDoc) value(n *yaml.Node, depth int) (*val, string) {
	if depth > maxDepth {
		return nil, "nested too deep"
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return nil, "the value is a YAML anchor or alias, shared with other places"
	}
	v, why := d.value1(n, depth)
	if v != nil && d.record != nil {
		d.record[v] = n
	}
	return v, why
}

func (d *yamlDoc) value1(n *yaml.Node, depth int) (*val, string) {
	switch n.Kind {
	case yaml.MappingNode:
		v := &val{kind: kObject}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "<<" && n.Content[i].Tag == "!!merge" {
				return nil, "the object takes values from a YAML merge key (<<)"
			}
			e, why := d.value(n.Content[i+1], depth+1)
			if why != "" {
				return nil, why
			}
			v.keys = append(v.keys, n.Content[i].Value)
			v.vals = append(v.vals, e)
		}
		return v, ""
	case yaml.SequenceNode:
		v := &val{kind: kArray}
		for _, c := range n.Content {
			e, why := d.value(c, depth+1)
			if why != "" {
				return nil, why
			}
			v.items = append(v.items, e)
		}
		return v, ""
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			if n.Style == 0 && strings.Contains(n.Value, "\n") {
				return nil, "a plain scalar over several lines"
			}
			return &val{kind: kString, text: n.Value}, ""
		case "!!int":
			i, err := strconv.ParseInt(n.Value, 0, 64)
			if err != nil {
				return nil, "an integer out of range"
			}
			return &val{kind: kNumber, text: strconv.FormatInt(i, 10)}, ""
		case "!!float":
			return &val{kind: kNumber, text: n.Value}, ""
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return nil, "not a boolean"
			}
			return &val{kind: kBool, text: strconv.FormatBool(b)}, ""
		case "!!null":
			return &val{kind: kNull}, ""
		}
	}
	return nil, fmt.Sprintf("a YAML value of tag %s", n.Tag)
}

func (d *yamlDoc) object(n *yaml.Node) ([]string, []*yaml.Node, bool) {
	if n.Kind != yaml.MappingNode || d.flow(n) || n.Anchor != "" || len(n.Content) == 0 {
		return nil, nil, false
	}
	var keys []string
	var vals []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Tag == "!!merge" {
			return nil, nil, false
		}
		keys = append(keys, n.Content[i].Value)
		vals = append(vals, n.Content[i+1])
	}
	return keys, vals, true
}

func (d *yamlDoc) array(n *yaml.Node) ([]*yaml.Node, bool) {
	if n.Kind != yaml.SequenceNode || d.flow(n) || n.Anchor != "" || len(n.Content) == 0 {
		return nil, false
	}
	return n.Content, true
}

// canDelete: a member whose key shares its line with something before it
// (the first key of an element of a block list, after its "- ") is not
// removed alone, nor the only member or element.
func (d *yamlDoc) canDelete(n *yaml.Node, i int) bool {
	if n.Kind == yaml.MappingNode {
		return len(n.Content) > 2 && d.t.blankBefore(d.start(n.Content[2*i]))
	}
	return len(n.Content) > 1 && d.t.blankBefore(d.dash(n.Content[i]))
}

// dash is the offset of the "-" of element n of a block list.
func (d *yamlDoc) dash(n *yaml.Node) int {
	s := d.start(n)
	for s > 0 && (d.t.src[s-1] == ' ' || d.t.src[s-1] == '\t') {
		s--
	}
	if s > 0 && d.t.src[s-1] == '-' {
		s--
	}
	return s
}

// removeLines removes the lines from the comment block above from to
// the end of the line of to.
func (d *yamlDoc) removeLines(from, to int) {
	s, e := d.t.removal(d.t.commentsAbove(from, "#"), d.t.lineEnd(to))
	d.out.add(s, e, "")
}

func (d *yamlDoc) delMember(obj *yaml.Node, i int) {
	d.removeLines(d.start(obj.Content[2*i]), d.end(obj.Content[2*i+1]))
}

func (d *yamlDoc) delItem(arr *yaml.Node, i int) {
	d.removeLines(d.dash(arr.Content[i]), d.end(arr.Content[i]))
}

func (d *yamlDoc) addMember(obj *yaml.Node, key string, v *val) {
	last := obj.Content[len(obj.Content)-1]
	at := d.t.lineEnd(d.end(last))
	indent := strings.Repeat(" ", obj.Content[0].Column-1)
	pre := ""
	if at == len(d.t.src) && at > 0 && d.t.src[at-1] != '\n' {
		pre = d.t.nl
	}
	member := &val{kind: kObject, keys: []string{key}, vals: []*val{v}}
	d.out.add(at, at, pre+d.block(member, indent)+d.t.nl)
}

func (d *yamlDoc) insertItem(arr *yaml.Node, before int, v *val) {
	ref := arr.Content[min(before, len(arr.Content)-1)]
	dash := d.dash(ref)
	indent := string(d.t.src[d.t.lineStart(dash):dash])
	item := d.item(v, indent)
	if before < len(arr.Content) {
		at := d.t.commentsAbove(dash, "#")
		d.out.add(at, at, item+d.t.nl)
		return
	}
	at := d.t.lineEnd(d.end(ref))
	pre := ""
	if at == len(d.t.src) && at > 0 && d.t.src[at-1] != '\n' {
		pre = d.t.nl
	}
	d.out.add(at, at, pre+item+d.t.nl)
}

// item is v as an element of a block list whose "-" is at indent.
func (d *yamlDoc) item(v *val, indent string) string {
	if v.inline() || v.kind != kObject || len(v.keys) == 0 {
		return indent + "- " + d.inline(v, nil)
	}
	body := d.block(v, indent+"  ")
	return indent + "- " + strings.TrimPrefix(body, indent+"  ")
}

func (d *yamlDoc) replace(n *yaml.Node, v *val) {
	s, e := d.start(n), d.end(n)
	if g := d.given[v]; g != nil && !v.scalar() {
		if k := d.keyOf[n]; k != nil {
			indent := strings.Repeat(" ", k.Column-1)
			text := indentLines(d.encode(&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: k.Tag, Value: k.Value, Style: k.Style}, g}}), indent, d.t.nl)
			d.out.add(d.t.lineStart(d.start(k)), e, text)
			return
		}
	}
	p := d.parent[n]
	// A block collection stays a block, written again whole.
	block := (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && !d.flow(n) && len(n.Content) > 0 &&
		(v.kind == kObject && len(v.keys) > 0 || v.kind == kArray && len(v.items) > 0)
	if p != nil && d.flow(p) || v.inline() && !block || d.flow(n) && n.Kind != yaml.ScalarNode {
		if k := d.keyOf[n]; k != nil && p != nil && !d.flow(p) {
			// After "key:", whatever was there (a block, or nothing).
			s = d.afterColon(k)
			d.out.add(s, e, " "+d.inline(v, n))
			return
		}
		d.out.add(s, e, d.inline(v, n))
		return
	}
	if v.scalar() {
		d.out.add(s, e, d.inline(v, n))
		return
	}
	if k := d.keyOf[n]; k != nil {
		indent := strings.Repeat(" ", k.Column-1)
		d.out.add(d.afterColon(k), e, d.t.nl+d.childBlock(v, indent))
		return
	}
	// An element of a block list.
	indent := string(d.t.src[d.t.lineStart(d.dash(n)):d.dash(n)])
	d.out.add(d.dash(n), e, strings.TrimPrefix(d.item(v, indent), indent))
}

// afterColon is the offset just past the ":" after key k.
func (d *yamlDoc) afterColon(k *yaml.Node) int {
	i := d.end(k)
	for i < len(d.t.src) && d.t.src[i] != ':' {
		i++
	}
	return min(i+1, len(d.t.src))
}

// childBlock is v (an object or list) written below a key at indent.
func (d *yamlDoc) childBlock(v *val, indent string) string {
	in := indent + strings.Repeat(" ", d.unit)
	if v.kind == kArray && !d.dashIn {
		in = indent
	}
	if v.kind == kArray {
		var lines []string
		for _, e := range v.items {
			lines = append(lines, d.item(e, in))
		}
		return strings.Join(lines, d.t.nl)
	}
	return d.block(v, in)
}

// block is object v written as block mapping at indent, without a final
// line break. Values that inline reports are written in flow style on
// their key's line, others below it.
func (d *yamlDoc) block(v *val, indent string) string {
	var lines []string
	for i, k := range v.keys {
		e := v.vals[i]
		key := d.scalar(&val{kind: kString, text: k}, 0)
		if n := d.given[e]; n != nil {
			lines = append(lines, indentLines(d.encode(&yaml.Node{Kind: yaml.MappingNode,
				Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: k}, n}}), indent, d.t.nl))
			continue
		}
		if e.inline() || e.kind == kObject && (len(e.keys) == 0 || d.flowKeys[k] > 0) || e.kind == kArray && len(e.items) == 0 {
			lines = append(lines, indent+key+": "+d.inline(e, nil))
			continue
		}
		lines = append(lines, indent+key+":"+d.t.nl+d.childBlock(e, indent))
	}
	return strings.Join(lines, d.t.nl)
}

// inline is v in flow style; old, when given, is the node it replaces,
// whose strings' quoting it keeps.
func (d *yamlDoc) inline(v *val, old *yaml.Node) string {
	style := d.style
	if s, ok := stringStyle(old); ok {
		style = s
	}
	switch v.kind {
	case kObject:
		parts := make([]string, len(v.keys))
		for i, k := range v.keys {
			parts[i] = d.scalar(&val{kind: kString, text: k}, 0) + ": " + d.inline(v.vals[i], childOf(old, k))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case kArray:
		parts := make([]string, len(v.items))
		for i, e := range v.items {
			var o *yaml.Node
			if old != nil && old.Kind == yaml.SequenceNode && len(old.Content) > 0 {
				o = old.Content[min(i, len(old.Content)-1)]
			}
			parts[i] = d.inline(e, o)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return d.scalar(v, style)
}

// stringStyle is the quoting of the first string in n, if any.
func stringStyle(n *yaml.Node) (yaml.Style, bool) {
	if n == nil {
		return 0, false
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		return n.Style & (yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle), true
	}
	for _, c := range n.Content {
		if s, ok := stringStyle(c); ok {
			return s, true
		}
	}
	return 0, false
}

func childOf(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// scalar is scalar v as YAML. A string is written in style where it can
// be (plain when it reads back as the same string, else double-quoted).
func (d *yamlDoc) scalar(v *val, style yaml.Style) string {
	n := &yaml.Node{Kind: yaml.ScalarNode, Value: v.text}
	switch v.kind {
	case kString:
		n.Tag = "!!str"
		n.Style = style
	case kNumber:
		n.Tag = "!!int"
		if strings.ContainsAny(v.text, ".eE") {
			n.Tag = "!!float"
		}
	case kBool:
		n.Tag = "!!bool"
	case kNull:
		n.Tag, n.Value = "!!null", "null"
	default:
		return d.inline(v, nil)
	}
	out := encodeNode(n)
	if v.kind == kString && (strings.HasPrefix(out, "'") && style != yaml.SingleQuotedStyle || strings.Contains(out, "\n") ||
		n.Style == 0 && numberLike.MatchString(out)) {
		// Double quotes for a string that could read as a number or
		// a time ("08:00") to some reader.
		n.Style = yaml.DoubleQuotedStyle
		out = encodeNode(n)
	}
	return out
}

// encode is n in YAML in the file's indentation step, without a final
// line break.
func (d *yamlDoc) encode(n *yaml.Node) string {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(d.unit)
	if err := enc.Encode(n); err != nil {
		d.err = err
	}
	if err := enc.Close(); err != nil {
		d.err = err
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// nodeVal is the value of a node tree given with an edit, and the node
// of each part of it.
func nodeVal(n *yaml.Node) (*val, map[*val]*yaml.Node, error) {
	d := &yamlDoc{record: map[*val]*yaml.Node{}}
	v, why := d.value(n, 0)
	if why != "" {
		return nil, nil, errors.New(why)
	}
	return v, d.record, nil
}

// numberLike is a plain scalar that some YAML reader (YAML 1.1's
// sexagesimal 09:00, octal, hexadecimal) may take for a number.
var numberLike = regexp.MustCompile(`^[-+.]?[0-9][0-9a-fA-FxXoObB_:.eE+-]*$`)

// encodeNode is n in YAML on one line.
func encodeNode(n *yaml.Node) string {
	b, err := yaml.Marshal(n)
	if err != nil {
		return strconv.Quote(n.Value)
	}
	return strings.TrimSuffix(string(b), "\n")
}

func (d *yamlDoc) manualAt(line, col int, why string) {
	d.manuals = append(d.manuals, Manual{File: d.name, Line: line, Column: col, Reason: why})
}

func (d *yamlDoc) manual(n *yaml.Node, why string) {
	d.manualAt(n.Line, n.Column, why)
}

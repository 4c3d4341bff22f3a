package load

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/officectl/officectl/schema"
)

// crossChecks runs the checks that span files: duplicate keys (across
// offices, departments and call centers), duplicate names, a group's
// office, references to unknown keys or of the wrong kind, and reference
// cycles.
func crossChecks(all []found, groups []foundGroup) []schema.Diagnostic {
	var diags []schema.Diagnostic
	errAt := func(p Position, path, msg string) {
		diags = append(diags, schema.Diagnostic{File: p.File, Line: p.Line, Column: p.Column,
			Severity: schema.Error, Path: path, Message: msg})
	}
	nodes := graphOf(all, groups)
	byKey := map[string][]*node{}
	byKind := map[string][]string{}
	byName := map[string][]*found{}
	for _, n := range nodes {
		if len(byKey[n.key]) == 0 {
			byKind[n.kind] = append(byKind[n.kind], n.key)
		}
		byKey[n.key] = append(byKey[n.key], n)
	}
	for i := range all {
		f := &all[i]
		if f.Office.Name != "" { // "": an office whose name is in error
			k := lookalike(f.Office.Name)
			byName[k] = append(byName[k], f)
		}
	}
	for key, ns := range byKey {
		if len(ns) < 2 {
			continue
		}
		for _, n := range ns {
			if allOffices(ns) {
				errAt(n.pos, "offices."+key, fmt.Sprintf("office key %q is defined more than once: also at %s", key, otherNodes(n, ns, false)))
				continue
			}
			errAt(n.pos, topOf(n.kind)+"."+key, fmt.Sprintf("key %q is defined more than once (also as %s): keys are unique across offices, departments and call centers", key, otherNodes(n, ns, true)))
		}
	}
	for _, fs := range byName {
		if len(fs) < 2 {
			continue
		}
		for _, f := range fs {
			p := f.namePos
			if p.Line == 0 {
				p = f.Pos
			}
			var same, alike []*found
			for _, o := range fs {
				switch {
				case o == f:
				case o.Office.Name == f.Office.Name:
					same = append(same, o)
				default:
					alike = append(alike, o)
				}
			}
			if len(same) > 0 {
				errAt(p, "offices."+f.Key+".name", fmt.Sprintf("office name %q is used more than once (also by %s): Dialpad office names must be unique to adopt offices by name", f.Office.Name, otherKeys(f, append(same, f))))
			}
			if len(alike) > 0 {
				var o []string
				for _, x := range alike {
					o = append(o, fmt.Sprintf("%s (%s at %s:%d:%d)", x.Key, strconv.QuoteToASCII(x.Office.Name), x.Pos.File, x.Pos.Line, x.Pos.Column))
				}
				errAt(p, "offices."+f.Key+".name", fmt.Sprintf("office name %s looks the same as %s: names that differ only in case, surrounding space or Unicode normalisation are different offices in Dialpad that nobody can tell apart; rename one", strconv.QuoteToASCII(f.Office.Name), strings.Join(o, ", ")))
			}
		}
	}
	groupNames(groups, errAt)
	for k := range byKind {
		sort.Strings(byKind[k])
	}
	for i := range groups {
		g := &groups[i]
		if g.Office == "" {
			continue
		}
		path := topOf(g.Kind) + "." + g.Key + ".office"
		if msg := refProblem(byKey, byKind, "office", g.Office, ""); msg != "" {
			errAt(g.officePos, path, msg)
		}
	}
	for _, n := range nodes {
		for _, r := range n.refs {
			typ := ""
			if r.typeSet {
				typ = r.targetType // "" when not written: nothing to compare
			}
			if msg := refProblem(byKey, byKind, r.kind, r.key, typ); msg != "" {
				errAt(r.pos, r.path, msg)
			}
		}
	}
	for _, cycle := range cycles(nodes) {
		n := cycle[0]
		p, _ := n.edgeTo(cycle[1%len(cycle)])
		errAt(p, topOf(n.kind)+"."+n.key, "reference cycle: "+cyclePath(cycle)+": "+cycleWhy(cycle))
	}
	return diags
}

// refProblem says what is wrong with a reference {kind: key} whose
// action_target_type is typ ("" when not known), or "".
func refProblem(byKey map[string][]*node, byKind map[string][]string, kind, key, typ string) string {
	ns := byKey[key]
	if len(ns) == 0 {
		msg := fmt.Sprintf("refers to %s %q, which no config file defines", kindWords(kind), key)
		if s := schema.Closest(key, byKind[kind]); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return msg
	}
	if ns[0].kind != kind {
		return fmt.Sprintf("%q is %s %s, not %s %s: write {%s: %s}", key, article(ns[0].kind), kindWords(ns[0].kind), article(kind), kindWords(kind), ns[0].kind, key)
	}
	if typ != "" && typ != kind {
		return fmt.Sprintf("a reference {%s: %s} needs action_target_type: %s, got %q", kind, key, kind, typ)
	}
	return ""
}

func article(kind string) string {
	if kind == "office" {
		return "an"
	}
	return "a"
}

// groupNames reports two groups of one kind in one office whose names
// are the same or look the same: Dialpad adopts groups by (office, kind,
// exact name), so the same name twice is one group; names that differ
// only in Unicode normalisation, case or surrounding space are two groups
// in Dialpad that nobody can tell apart.
func groupNames(groups []foundGroup, errAt func(Position, string, string)) {
	by := map[string][]*foundGroup{}
	for i := range groups {
		g := &groups[i]
		if g.Name == "" {
			continue
		}
		k := g.Kind + "\x00" + g.officeWords() + "\x00" + lookalike(g.Name)
		by[k] = append(by[k], g)
	}
	for _, gs := range by {
		if len(gs) < 2 {
			continue
		}
		for _, g := range gs {
			var same, alike []string
			for _, x := range gs {
				switch {
				case x == g:
				case x.Name == g.Name:
					same = append(same, fmt.Sprintf("%s at %s:%d:%d", x.Key, x.Pos.File, x.Pos.Line, x.Pos.Column))
				default:
					alike = append(alike, fmt.Sprintf("%s (%s at %s:%d:%d)", x.Key, strconv.QuoteToASCII(x.Name), x.Pos.File, x.Pos.Line, x.Pos.Column))
				}
			}
			p := g.namePos
			if p.Line == 0 {
				p = g.Pos
			}
			path := topOf(g.Kind) + "." + g.Key + ".name"
			if len(same) > 0 {
				errAt(p, path, fmt.Sprintf("%s name %q is used more than once in %s (also by %s): officectl finds a %s in Dialpad by its office and name",
					kindWords(g.Kind), g.Name, g.officeWords(), strings.Join(same, ", "), kindWords(g.Kind)))
			}
			if len(alike) > 0 {
				errAt(p, path, fmt.Sprintf("%s name %s looks the same as %s in %s: names that differ only in case, surrounding space or Unicode normalisation are different %ss in Dialpad that nobody can tell apart; rename one",
					kindWords(g.Kind), strconv.QuoteToASCII(g.Name), strings.Join(alike, ", "), g.officeWords(), kindWords(g.Kind)))
			}
		}
	}
}

// lookalike is a name as people read it: Unicode compatibility
// normalisation (NFKC: composed and decomposed accents, ligatures and
// full-width letters alike), case and surrounding space left out.
func lookalike(name string) string {
	return strings.ToLower(strings.TrimSpace(norm.NFKC.String(name)))
}

// node is an office, a department or a call center in the graph of
// references.
type node struct {
	key, kind string
	pos       Position
	refs      []ref
	// office is a group's office key ("" for an office, or a group by
	// office_id), written at officePos.
	office    string
	officePos Position
}

func graphOf(all []found, groups []foundGroup) []*node {
	var nodes []*node
	for i := range all {
		nodes = append(nodes, &node{key: all[i].Key, kind: "office", pos: all[i].Pos, refs: all[i].refs})
	}
	for i := range groups {
		g := &groups[i]
		nodes = append(nodes, &node{key: g.Key, kind: g.Kind, pos: g.Pos, refs: g.refs, office: g.Office, officePos: g.officePos})
	}
	return nodes
}

// edgeTo is where n refers to t (its office, or a reference to it).
func (n *node) edgeTo(t *node) (Position, bool) {
	for _, r := range n.refs {
		if r.key == t.key {
			return r.pos, true
		}
	}
	if n.office != "" && n.office == t.key {
		return n.officePos, true
	}
	if len(n.refs) > 0 {
		return n.refs[0].pos, false
	}
	return n.pos, false
}

func allOffices(ns []*node) bool {
	for _, n := range ns {
		if n.kind != "office" {
			return false
		}
	}
	return true
}

// cycleWhy explains a cycle: an office routing to a group of its own
// needs that group's id, which needs the office's first.
func cycleWhy(c []*node) string {
	for i, n := range c {
		next := c[(i+1)%len(c)]
		if n.kind == "office" && next.kind != "office" && next.office == n.key {
			return fmt.Sprintf("office %s routes to its own %s %s, which needs the office's id first (a %s is created in its office): route the office to it by id (action_target_id: ID) once both exist, or elsewhere",
				n.key, kindWords(next.kind), next.key, kindWords(next.kind))
		}
	}
	if allOffices(c) {
		return "an office can only refer to offices created before it"
	}
	return "an office, department or call center can only refer to ones created before it (a group is created after its office)"
}

func otherNodes(n *node, ns []*node, withKind bool) string {
	var s []string
	for _, o := range ns {
		if o != n {
			w := fmt.Sprintf("%s:%d:%d", o.pos.File, o.pos.Line, o.pos.Column)
			if withKind {
				w = kindWords(o.kind) + " at " + w
			}
			s = append(s, w)
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

func cyclePath(c []*node) string {
	var s []string
	for _, n := range c {
		s = append(s, n.key)
	}
	return strings.Join(append(s, c[0].key), " → ")
}

// cycles finds the reference cycles among offices, departments and call
// centers (a group refers to its office too), each once, starting at its
// smallest key.
func cycles(nodes []*node) [][]*node {
	byKey := map[string]*node{}
	for _, n := range nodes {
		if _, dup := byKey[n.key]; !dup {
			byKey[n.key] = n
		}
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
	var out [][]*node
	var stack []*node
	var visit func(n *node)
	visit = func(n *node) {
		color[n.key] = grey
		stack = append(stack, n)
		targets := make([]string, 0, len(n.refs)+1)
		if n.office != "" {
			targets = append(targets, n.office)
		}
		for _, r := range n.refs {
			targets = append(targets, r.key)
		}
		for _, k := range targets {
			t, ok := byKey[k]
			if !ok {
				continue
			}
			switch color[t.key] {
			case white:
				visit(t)
			case grey:
				for i := len(stack) - 1; i >= 0; i-- {
					if stack[i] == t {
						c := append([]*node(nil), stack[i:]...)
						out = append(out, rotate(c))
						break
					}
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[n.key] = black
	}
	for _, k := range keys {
		if color[k] == white {
			visit(byKey[k])
		}
	}
	return out
}

// rotate starts a cycle at its smallest key.
func rotate(c []*node) []*node {
	m := 0
	for i := range c {
		if c[i].key < c[m].key {
			m = i
		}
	}
	return append(c[m:], c[:m]...)
}

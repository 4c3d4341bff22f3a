package schema

import (
	"regexp"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"
)

// newContext returns a CUE context for validation.
func newContext() *cue.Context { return cuecontext.New() }

// NewContext returns a fresh CUE context for a validator to compile the
// schema and decode files into.
func NewContext() *cue.Context { return newContext() }

// Validate checks one decoded config file against the schema, with the
// user's CUE policy (the zero Value when there is none) unified in. It
// returns the unified value, which holds the effective offices when no
// diagnostic is an error, and a diagnostic for every problem found: CUE
// drops errors when a value has several, so on failure every office and
// every field is validated again on its own. Only the fields data defines
// are checked, so offices the policy itself defines are not checked again
// for every file.
func (s *Schema) Validate(file string, data, policy cue.Value) (cue.Value, []Diagnostic) {
	return s.ValidateSource(file, nil, data, policy)
}

// ValidateSource is Validate for data decoded from src, the file's text:
// hints then quote a value as the user wrote it (0154, not the 108 YAML
// reads), not as the decoder read it.
func (s *Schema) ValidateSource(file string, src []byte, data, policy cue.Value) (cue.Value, []Diagnostic) {
	u, paths, valid := s.check(data, policy)
	if valid {
		return u, nil
	}
	defs := s.definitions()
	c := collector{config: defs.config, office: defs.office, groups: defs.groups, seen: map[string]bool{}, key: s.facts.key}
	for _, p := range paths {
		c.walk(u, data, p)
	}
	return u, s.diagnose(file, src, data, c.errs)
}

// Accepts reports whether data, concrete data from a YAML or JSON file
// checked without CUE policy (plain Go values: maps, lists, strings,
// int64, bool), satisfies the schema: the verdict of Validate without the
// diagnostics, reached faster. A caller that gets false calls Validate
// with the data as written to learn what is wrong. It checks against the
// schema without #Office's defaults (see withoutDefaults), so the caller
// fills them in from Defaults, and without #Office's hours checks and
// #RoutingInner's unique check, which it makes in Go first (openingHours,
// uniqueKeys; what those refuse, such as hours that are not a list of
// strings, Validate judges).
func (s *Schema) Accepts(data map[string]any) bool {
	return s.AcceptsAll([]map[string]any{data})[0]
}

// AcceptsAll is Accepts of each file's data in files, one verdict each.
// Files are checked together, as the items of one list unified with
// [...#Config] (each item is a #Config of its own, whatever the others
// hold), up to MaxTogether offices and groups in a list: checking 8
// one-office files together costs about three quarters of checking them
// one at a time (BenchmarkAcceptsAll), while a list's memory grows with
// all it holds, so a file of many offices is checked alone. A file is
// accepted only as part of a list that validated without error: when
// some items fail, those its errors point at are refused and the others
// are checked again without them.
func (s *Schema) AcceptsAll(files []map[string]any) []bool {
	ok := make([]bool, len(files))
	var todo []int // the files the schema is still to judge
	for i, data := range files {
		if goChecks(data) {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return ok
	}
	if !s.bare.Exists() {
		bare, err := withoutDefaults(s.ctx)
		if err != nil {
			// Not expected (TestWithoutDefaults compiles it): the
			// schema itself gives the same verdicts, more slowly.
			for _, i := range todo {
				_, _, ok[i] = s.check(s.ctx.Encode(files[i]), cue.Value{})
			}
			return ok
		}
		s.bare = s.ctx.CompileString("[...#Config]", cue.Scope(bare))
	}
	for len(todo) > 0 {
		n, objects := 1, weight(files[todo[0]])
		for n < len(todo) && objects+weight(files[todo[n]]) <= MaxTogether {
			objects += weight(files[todo[n]])
			n++
		}
		s.acceptList(files, todo[:n], ok)
		todo = todo[n:]
	}
	return ok
}

// MaxTogether is the most offices and groups AcceptsAll checks in one
// list.
const MaxTogether = 8

// weight is what a file counts for in AcceptsAll's lists: its offices and
// groups, one when it has none.
func weight(data map[string]any) int { return max(1, Objects(data)) }

// Objects is the number of offices and groups a file's data defines.
func Objects(data map[string]any) int {
	n := 0
	for _, k := range kinds {
		m, _ := data[k.top].(map[string]any)
		n += len(m)
	}
	return n
}

// acceptList sets ok[i] for each file i of todo that the schema accepts,
// checking them as one list (see AcceptsAll).
func (s *Schema) acceptList(files []map[string]any, todo []int, ok []bool) {
	for len(todo) > 0 {
		items := make([]any, len(todo))
		for j, i := range todo {
			items[j] = files[i]
		}
		err := s.ctx.Encode(items).Unify(s.bare).Validate(cue.Concrete(true))
		if err == nil {
			for _, i := range todo {
				ok[i] = true
			}
			return
		}
		failed := failedItems(err, len(todo))
		if len(failed) == 0 {
			// An error that names no item: judge each on its own.
			if len(todo) > 1 {
				for _, i := range todo {
					s.acceptList(files, []int{i}, ok)
				}
			}
			return
		}
		rest := make([]int, 0, len(todo))
		for j, i := range todo {
			if !failed[j] {
				rest = append(rest, i)
			}
		}
		todo = rest
	}
}

// failedItems are the indexes of the n list items that err's errors point
// at.
func failedItems(err error, n int) map[int]bool {
	failed := map[int]bool{}
	for _, e := range cueerrors.Errors(err) {
		p := e.Path()
		if len(p) == 0 {
			continue
		}
		if j, err := strconv.Atoi(p[0]); err == nil && j >= 0 && j < n {
			failed[j] = true
		}
	}
	return failed
}

// goChecks are the checks Accepts makes in Go: #Office's opening hours
// and #RoutingInner's unique dtmf inputs, which the schema it unifies with
// leaves out.
func goChecks(data map[string]any) bool {
	offs, _ := data["offices"].(map[string]any)
	for _, o := range offs {
		o, _ := o.(map[string]any)
		for _, day := range hoursDays {
			if h, ok := o[day]; ok && !openingHours(h) {
				return false
			}
		}
	}
	return uniqueKeys(data)
}

// uniqueKeys is the unique check of #RoutingInner (see uniqueList) made
// everywhere in x, for Accepts: wherever a mapping has the list field
// (dtmf), its items are mappings whose key (input) is a string, each
// different. Anything else is refused, and the schema judges it.
// TestUniqueKeysAsSchema checks that it agrees with #RoutingInner.
func uniqueKeys(x any) bool {
	switch x := x.(type) {
	case map[string]any:
		for k, v := range x {
			if k == uniqueList.field && !uniqueItems(v) || !uniqueKeys(v) {
				return false
			}
		}
	case []any:
		for _, v := range x {
			if !uniqueKeys(v) {
				return false
			}
		}
	}
	return true
}

// uniqueItems reports whether l is a list of mappings whose
// uniqueList.key is a string, each different.
func uniqueItems(l any) bool {
	items, ok := l.([]any)
	if !ok {
		return false
	}
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		m, _ := it.(map[string]any)
		k, ok := m[uniqueList.key].(string)
		if !ok || seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

// openingHours is #OpeningHours's verdict on a day's hours h, for Accepts:
// open/close pairs of strings, strictly ascending. Anything else (not a
// list of strings) is refused, and the schema judges it. That each time is
// a #Time stays the schema's check (#Hours). TestOpeningHoursAsSchema
// checks that it agrees with #OpeningHours.
func openingHours(h any) bool {
	l, ok := h.([]any)
	if !ok || len(l)%2 != 0 {
		return false
	}
	prev := ""
	for i, t := range l {
		t, ok := t.(string)
		if !ok || i > 0 && t <= prev {
			return false
		}
		prev = t
	}
	return true
}

// check unifies data with policy and the schema and validates the fields
// data defines (all of them when there is no policy).
func (s *Schema) check(data, policy cue.Value) (u cue.Value, paths [][]cue.Selector, valid bool) {
	u = data
	if policy.Exists() {
		u = u.Unify(policy)
	}
	u = u.Unify(s.definitions().config)
	paths = dataPaths(data)
	if !policy.Exists() {
		return u, paths, u.Validate(cue.Concrete(true)) == nil
	}
	for _, p := range paths {
		if u.LookupPath(cue.MakePath(p...)).Validate(cue.Concrete(true)) != nil {
			return u, paths, false
		}
	}
	return u, paths, true
}

// dataPaths lists the paths data defines that the schema checks: each
// office under offices, and every other top-level field.
func dataPaths(data cue.Value) [][]cue.Selector {
	var paths [][]cue.Selector
	it, err := data.Fields()
	if err != nil {
		return [][]cue.Selector{nil}
	}
	for it.Next() {
		sel := it.Selector()
		if sel.String() != "offices" && sel.String() != "departments" && sel.String() != "callcenters" {
			paths = append(paths, []cue.Selector{sel})
			continue
		}
		offs, err := it.Value().Fields()
		if err != nil {
			paths = append(paths, []cue.Selector{sel})
			continue
		}
		for offs.Next() {
			paths = append(paths, []cue.Selector{sel, offs.Selector()})
		}
	}
	return paths
}

type collector struct {
	config cue.Value // #Config
	office cue.Value // #Office
	// groups are #Department and #CallCenter by their top-level field.
	groups map[string]cue.Value
	key    *regexp.Regexp // #Key
	errs   []cueerrors.Error
	seen   map[string]bool
}

// underBadKey reports whether path lies inside an office or group whose
// key is not valid: that key's own error is the one to report, not the
// "field not allowed" of every field inside it (which, beside another
// error, CUE reports instead).
func (c *collector) underBadKey(data cue.Value, path []string) bool {
	if len(path) < 3 {
		return false
	}
	if _, ok := c.groups[path[0]]; !ok && path[0] != "offices" {
		return false
	}
	key := path[1]
	if k, err := strconv.Unquote(key); err == nil {
		key = k // CUE quotes a label such as "berlin-sales" in a path
	}
	if c.key == nil || c.key.MatchString(key) {
		return false
	}
	c.add(notAllowedError{path: path[:2], pos: data.LookupPath(cue.MakePath(cue.Str(path[0]), cue.Str(key))).Pos()})
	return true
}

// walk validates u at path and, when that fails, each of its fields and
// elements, so that the errors CUE drops at one level surface at the next.
func (c *collector) walk(u, data cue.Value, path []cue.Selector) {
	v := u.LookupPath(cue.MakePath(path...))
	if !v.Exists() {
		return
	}
	err := v.Validate(cue.Concrete(true))
	if err == nil {
		return
	}
	d := data.LookupPath(cue.MakePath(path...))
	if !d.Exists() && len(path) > 2 && !isHidden(path) && c.allowed(path[:len(path)-1])[path[len(path)-1].Unquoted()] {
		// A field the schema requires and the user left out: say so
		// once, rather than what is missing inside it.
		c.add(missingError{path: pathStrings(path)})
		return
	}
	for _, e := range cueerrors.Errors(err) {
		if p := e.Path(); len(p) > 0 && strings.HasPrefix(p[0], "#") {
			continue // an echo from inside the schema's definitions
		}
		if c.underBadKey(data, e.Path()) {
			continue
		}
		c.add(e)
		if f, _ := e.Msg(); f == "field not allowed" && len(e.Path()) == len(path) {
			return // nothing inside an unknown field is worth a word
		}
	}
	// The children to look at: the value's own fields (hidden checks
	// included) and elements, and the fields only the user's data has,
	// where CUE reports "field not allowed". A value in error may list
	// none of its own, so both are tried whatever its kind.
	skip := map[string]bool{}
	children := map[string]bool{}
	var order []cue.Selector
	add := func(sel cue.Selector) {
		if !children[sel.String()] && !skip[sel.String()] {
			children[sel.String()] = true
			order = append(order, sel)
		}
	}
	if it, err := d.Fields(); err == nil && len(path) > 0 {
		// CUE drops "field not allowed" when the value has other errors:
		// ask the schema directly.
		allowed := c.allowed(path)
		for it.Next() {
			if allowed != nil && !allowed[it.Selector().Unquoted()] {
				c.add(notAllowedError{path: append(pathStrings(path), it.Selector().Unquoted()), pos: it.Value().Pos()})
				skip[it.Selector().String()] = true
			}
		}
	}
	// The schema's own required fields, for a value in error that lists
	// none of its own.
	var sch cue.Value
	if len(path) > 2 {
		sch = c.schemaAt(path)
	}
	for _, x := range []cue.Value{v, d, sch} {
		if !x.Exists() {
			continue
		}
		if it, err := x.Fields(cue.Hidden(true)); err == nil {
			for it.Next() {
				add(it.Selector())
			}
		}
		if it, err := x.List(); err == nil {
			for i := 0; it.Next(); i++ {
				add(cue.Index(i))
			}
		}
	}
	for _, sel := range order {
		child := append(append([]cue.Selector(nil), path...), sel)
		c.walk(u, data, child)
	}
}

// add records e unless an error with the same path and message is known.
func (c *collector) add(e cueerrors.Error) {
	format, args := e.Msg()
	key := strings.Join(e.Path(), ".") + "\x00" + format
	for _, a := range args {
		key += "\x00" + toString(a)
	}
	if !c.seen[key] {
		c.seen[key] = true
		c.errs = append(c.errs, e)
	}
}

func pathStrings(sels []cue.Selector) []string {
	out := make([]string, len(sels))
	for i, s := range sels {
		if s.Type() == cue.IndexLabel {
			out[i] = strconv.Itoa(s.Index())
		} else {
			out[i] = s.Unquoted()
		}
	}
	return out
}

// notAllowedError is the "field not allowed" error CUE itself may drop.
type notAllowedError struct {
	path []string
	pos  token.Pos
}

func (e notAllowedError) Position() token.Pos         { return e.pos }
func (e notAllowedError) InputPositions() []token.Pos { return nil }
func (e notAllowedError) Error() string               { return strings.Join(e.path, ".") + ": field not allowed" }
func (e notAllowedError) Path() []string              { return e.path }
func (e notAllowedError) Msg() (string, []any)        { return "field not allowed", nil }

// schemaAt is the schema's own value at a data path: below an office, the
// path is looked up in #Office, with list indexes as "any".
func (c *collector) schemaAt(path []cue.Selector) cue.Value {
	if len(path) < 2 {
		return c.config.LookupPath(cue.MakePath(path...))
	}
	v := c.office
	if def, ok := c.groups[path[0].String()]; ok {
		v = def
	}
	for _, s := range path[2:] {
		if s.Type() == cue.IndexLabel {
			v = v.LookupPath(cue.MakePath(cue.AnyIndex))
			continue
		}
		if w := v.LookupPath(cue.MakePath(s)); w.Exists() {
			v = w
			continue
		}
		v = v.LookupPath(cue.MakePath(s.Optional()))
	}
	return v
}

// allowed returns the field names the schema allows at a data path, or nil
// when it allows any (the office keys, checked by pattern).
func (c *collector) allowed(path []cue.Selector) map[string]bool {
	if len(path) == 1 {
		return nil
	}
	sch := c.schemaAt(path)
	if !sch.Exists() {
		return nil
	}
	it, err := sch.Fields(cue.Optional(true))
	if err != nil {
		return nil
	}
	names := map[string]bool{}
	for it.Next() {
		names[it.Selector().Unquoted()] = true
	}
	return names
}

func isHidden(path []cue.Selector) bool {
	for _, s := range path {
		if s.PkgPath() != "" || strings.HasPrefix(s.String(), "_") {
			return true
		}
	}
	return false
}

// missingError is a required field the user's data does not have.
type missingError struct {
	path []string
}

func (e missingError) Position() token.Pos         { return token.NoPos }
func (e missingError) InputPositions() []token.Pos { return nil }
func (e missingError) Error() string {
	return strings.Join(e.path, ".") + ": field is required but not present"
}
func (e missingError) Path() []string       { return e.path }
func (e missingError) Msg() (string, []any) { return "field is required but not present", nil }

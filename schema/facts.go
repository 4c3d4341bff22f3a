package schema

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"cuelang.org/go/cue"
)

// enumTable is the one table of the schema's enums: each definition a
// field refers to (#Country, matched by one regular expression for speed),
// the list of its values (#Countries), and the noun messages count them
// with. Which fields take which enum is read from the schema.
var enumTable = map[string]struct{ list, noun string }{
	"#Country":         {"#Countries", "countries"},
	"#Currency":        {"#Currencies", "currencies"},
	"#PlanPeriod":      {"#PlanPeriods", "plan periods"},
	"#FirstAction":     {"#FirstActions", "first actions"},
	"#Action":          {"#Actions", "routing actions"},
	"#TargetType":      {"#TargetTypes", "target types"},
	"#OperatorRouting": {"#OperatorRoutings", "operator routings"},
	"#OperatorRole":    {"#OperatorRoles", "operator roles"},
	"#CallCenterRole":  {"#CallCenterRoles", "call-center operator roles"},
}

// kinds are the definitions of the config's top-level maps, by the name
// facts of their fields are kept under when a kind's rule differs from an
// office's (max_hold_count, role): see facts.
var kinds = []struct{ top, name, def string }{
	{"offices", "office", "#Office"},
	{"departments", "department", "#Department"},
	{"callcenters", "callcenter", "#CallCenter"},
}

// enumFacts are the values a field accepts and their noun.
type enumFacts struct {
	values []string
	noun   string
}

// facts are what diagnostics say about Dialpad's rules, read from the
// compiled schema at Compile, never a second copy of it.
type facts struct {
	// e911 is #E911Countries as messages list them: "US, CA, ...".
	e911 string
	// time is #Time, the form of each time of a day's hours.
	time *regexp.Regexp
	// email is #Email's pattern.
	email *regexp.Regexp
	// key is #Key's pattern, the keys of offices, departments and call
	// centers.
	key *regexp.Regexp
	// enums are the enum fields' values, by field name. The maps of facts
	// are by field name; a field whose rule in a department or a call
	// center differs from the first one read is also under "KIND.FIELD"
	// ("callcenter.role"): use lookup.
	enums map[string]enumFacts
	// bounds are the minimum, maximum and maxLength (as the JSON Schema
	// names them) of the fields that have them, by field name.
	bounds map[string]map[string]any
	// fieldsAt lists the fields of each struct, by the name of the field
	// that holds it ("office" for #Office), for "did you mean" hints.
	fieldsAt map[string][]string
	// kind is the kind walk is reading ("office", "department", ...).
	kind string
}

// lookup returns m's facts of field in a config's top-level map top
// ("callcenters"): the kind's own when they differ, else the field's.
func lookup[T any](m map[string]T, top, field string) (T, bool) {
	for _, k := range kinds {
		if k.top == top {
			if v, ok := m[k.name+"."+field]; ok {
				return v, true
			}
		}
	}
	v, ok := m[field]
	return v, ok
}

// put stores v as field's fact, under the kind's own name when the field
// already has a different one.
func put[T any](f *facts, m map[string]T, field string, v T, same func(a, b T) bool) {
	if old, ok := m[field]; ok && !same(old, v) {
		m[f.kind+"."+field] = v
		return
	}
	m[field] = v
}

func readFacts(root cue.Value) (facts, error) {
	f := facts{enums: map[string]enumFacts{}, bounds: map[string]map[string]any{}, fieldsAt: map[string][]string{}}
	var e911 []string
	if err := root.LookupPath(cue.ParsePath("#E911Countries")).Decode(&e911); err != nil {
		return f, fmt.Errorf("#E911Countries: %w", err)
	}
	f.e911 = strings.Join(e911, ", ")
	var err error
	if f.time, err = pattern(root.LookupPath(cue.ParsePath("#Time"))); err != nil {
		return f, fmt.Errorf("#Time: %w", err)
	}
	if f.email, err = pattern(root.LookupPath(cue.ParsePath("#Email"))); err != nil {
		return f, fmt.Errorf("#Email: %w", err)
	}
	if f.key, err = pattern(root.LookupPath(cue.ParsePath("#Key"))); err != nil {
		return f, fmt.Errorf("#Key: %w", err)
	}
	for _, k := range kinds {
		f.kind = k.name
		if err := f.walk(root, k.name, root.LookupPath(cue.ParsePath(k.def))); err != nil {
			return f, err
		}
	}
	return f, nil
}

// walk reads the facts of the value of the field name.
func (f *facts) walk(root cue.Value, name string, v cue.Value) error {
	op, _ := v.Expr()
	if _, path := v.ReferencePath(); len(path.Selectors()) > 0 && (op == cue.NoOp || op == cue.SelectorOp) {
		if e, ok := enumTable[path.String()]; ok {
			vals, err := enumValues(root.LookupPath(cue.ParsePath(e.list)))
			if err != nil {
				return fmt.Errorf("%s: %w", e.list, err)
			}
			put(f, f.enums, name, enumFacts{values: vals, noun: e.noun}, func(a, b enumFacts) bool { return a.noun == b.noun })
			return nil
		}
	}
	k := v.IncompleteKind()
	if k == cue.BottomKind {
		// #Office waits for a concrete country (its e911 rule); its
		// fields are there to read.
		if _, err := v.Fields(); err == nil {
			k = cue.StructKind
		}
	}
	switch k {
	case cue.StructKind:
		it, err := v.Fields(cue.Optional(true))
		if err != nil {
			return err
		}
		var names []string
		for it.Next() {
			field := it.Selector().Unquoted()
			names = append(names, field)
			if err := f.walk(root, field, it.Value()); err != nil {
				return err
			}
		}
		put(f, f.fieldsAt, name, names, slices.Equal)
	case cue.ListKind:
		if elem := v.LookupPath(cue.MakePath(cue.AnyIndex)); elem.Exists() {
			return f.walk(root, name, elem)
		}
	case cue.StringKind, cue.IntKind:
		out := map[string]any{}
		constraints(root, v, out)
		delete(out, "pattern")
		delete(out, "allOf")
		delete(out, "minLength")
		if len(out) > 0 {
			put(f, f.bounds, name, out, func(a, b map[string]any) bool { return fmt.Sprint(a) == fmt.Sprint(b) })
		}
	}
	return nil
}

package schema

import (
	"fmt"
	"regexp"
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
	// enums are the enum fields' values, by field name.
	enums map[string]enumFacts
	// bounds are the minimum, maximum and maxLength (as the JSON Schema
	// names them) of the fields that have them, by field name.
	bounds map[string]map[string]any
	// fieldsAt lists the fields of each struct, by the name of the field
	// that holds it ("office" for #Office), for "did you mean" hints.
	fieldsAt map[string][]string
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
	return f, f.walk(root, "office", root.LookupPath(cue.ParsePath("#Office")))
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
			if old, ok := f.enums[name]; ok && old.noun != e.noun {
				return fmt.Errorf("field %s takes two enums", name)
			}
			f.enums[name] = enumFacts{values: vals, noun: e.noun}
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
		f.fieldsAt[name] = names
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
			f.bounds[name] = out
		}
	}
	return nil
}

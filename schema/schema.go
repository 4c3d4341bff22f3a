package schema

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"cuelang.org/go/cue"
)

//go:embed office.cue
var source []byte

// SourceName is the file name CUE positions in the schema carry.
const SourceName = "schema/office.cue"

// Source returns the CUE schema's text, as `officectl schema` prints it.
func Source() []byte { return append([]byte(nil), source...) }

// Schema is the compiled schema in one CUE context. A Schema is not safe
// for concurrent use: a validator goroutine compiles its own.
type Schema struct {
	ctx    *cue.Context
	config cue.Value // #Config
	office cue.Value // #Office
	enums  map[string]int
	// defaults is a JSON object of #Office's defaults (hours, hours_on,
	// auto_call_recording).
	defaults []byte
}

// Compile compiles the embedded schema into ctx (about a millisecond).
func Compile(ctx *cue.Context) (*Schema, error) {
	v := ctx.CompileBytes(source, cue.Filename(SourceName))
	if err := v.Err(); err != nil {
		return nil, fmt.Errorf("compile embedded schema: %w", err)
	}
	s := &Schema{
		ctx:    ctx,
		config: v.LookupPath(cue.ParsePath("#Config")),
		office: v.LookupPath(cue.ParsePath("#Office")),
		enums:  map[string]int{},
	}
	defaults, err := officeDefaults(s.office)
	if err != nil {
		return nil, fmt.Errorf("schema defaults: %w", err)
	}
	s.defaults = defaults
	for field, def := range enumDefs {
		n, err := countDisjuncts(v.LookupPath(cue.ParsePath(def)))
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", def, err)
		}
		s.enums[field] = n
	}
	return s, nil
}

// Defaults returns a JSON object of the defaults #Office gives the fields
// a user leaves out. The caller must not modify it.
func (s *Schema) Defaults() []byte { return s.defaults }

func officeDefaults(office cue.Value) ([]byte, error) {
	out := map[string]any{}
	it, err := office.Fields(cue.Optional(true))
	if err != nil {
		return nil, err
	}
	for it.Next() {
		d, ok := it.Value().Default()
		if !ok {
			continue
		}
		var v any
		if err := d.Decode(&v); err != nil {
			return nil, fmt.Errorf("%s: %w", it.Selector(), err)
		}
		out[it.Selector().Unquoted()] = v
	}
	return json.Marshal(out)
}

// Context returns the CUE context the schema was compiled in.
func (s *Schema) Context() *cue.Context { return s.ctx }

// Config returns #Config, the definition every config file must satisfy.
func (s *Schema) Config() cue.Value { return s.config }

// enumDefs maps each enum field name to the definition of its values.
var enumDefs = map[string]string{
	"country":             "#Countries",
	"currency":            "#Currencies",
	"plan_period":         "#PlanPeriods",
	"first_action":        "#FirstActions",
	"no_operators_action": "#Actions",
	"action":              "#Actions",
	"action_target_type":  "#TargetTypes",
	"operator_routing":    "#OperatorRoutings",
}

// EnumValues returns the allowed values of the enum definition def (such as
// "#Countries" or "#Currencies"), in schema order.
func EnumValues(def string) ([]string, error) {
	ctx := newContext()
	v := ctx.CompileBytes(source, cue.Filename(SourceName))
	return enumValues(v.LookupPath(cue.ParsePath(def)))
}

func enumValues(v cue.Value) ([]string, error) {
	if v.Kind() == cue.ListKind {
		// A list of the values, such as #Countries.
		var out []string
		err := v.Decode(&out)
		return out, err
	}
	op, args := v.Expr()
	if root, path := v.ReferencePath(); len(path.Selectors()) > 0 && (op == cue.NoOp || op == cue.SelectorOp) {
		// A reference to an enum definition.
		return enumValues(root.LookupPath(path))
	}
	if op != cue.OrOp {
		return nil, fmt.Errorf("not a disjunction of strings")
	}
	var out []string
	for _, a := range args {
		s, err := a.String()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func countDisjuncts(v cue.Value) (int, error) {
	vals, err := enumValues(v)
	return len(vals), err
}

package schema

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
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
	ctx *cue.Context
	// defs are the schema's definitions, compiled on first use (see
	// definitions): a file that Accepts never needs them.
	defs *definitions
	// bare is [...#Config], a list of files, of the schema with
	// #Office's defaulted fields optional and without their defaults, for
	// AcceptsAll, which compiles it on its first call: see
	// withoutDefaults.
	bare cue.Value
	facts
	// defaults is a JSON object of #Office's defaults (hours, hours_on,
	// auto_call_recording).
	defaults []byte
}

// definitions are the schema's definitions that validation unifies with.
type definitions struct {
	config cue.Value // #Config
	office cue.Value // #Office
	// groups are #Department and #CallCenter by their top-level field
	// ("departments", "callcenters").
	groups map[string]cue.Value
}

// Compile prepares the embedded schema for ctx. The schema is compiled
// into ctx when first needed: a validator that only meets valid files
// compiles only the schema without defaults, for Accepts (compiling each
// costs a few milliseconds, and a validator starts a new context every few
// hundred files).
func Compile(ctx *cue.Context) (*Schema, error) {
	fd, err := factsOnce()
	if err != nil {
		return nil, err
	}
	if _, err := bareSource(); err != nil {
		return nil, err
	}
	return &Schema{ctx: ctx, facts: fd.facts, defaults: fd.defaults}, nil
}

// definitions compiles the schema into s's context on first use.
// factsOnce has compiled the same text, so it cannot fail here.
func (s *Schema) definitions() *definitions {
	if s.defs == nil {
		v := s.ctx.CompileBytes(source, cue.Filename(SourceName))
		d := &definitions{
			config: v.LookupPath(cue.ParsePath("#Config")),
			office: v.LookupPath(cue.ParsePath("#Office")),
			groups: map[string]cue.Value{},
		}
		for _, k := range kinds[1:] {
			d.groups[k.top] = v.LookupPath(cue.ParsePath(k.def))
		}
		s.defs = d
	}
	return s.defs
}

// factsAndDefaults are what Compile reads from the compiled schema into
// Go values: the same for every compilation of the embedded schema, and
// never changed after.
type factsAndDefaults struct {
	facts    facts
	defaults []byte
}

// factsOnce reads the facts and defaults once per process: reading them
// cost a validator more than compiling the schema (7.5 ms and 4.5 MB of
// 20 ms and 6.3 MB, measured with the groups' kinds), and a validator
// compiles the schema again every few hundred files.
var factsOnce = sync.OnceValues(func() (factsAndDefaults, error) {
	v := newContext().CompileBytes(source, cue.Filename(SourceName))
	if err := v.Err(); err != nil {
		return factsAndDefaults{}, fmt.Errorf("compile embedded schema: %w", err)
	}
	defaults, err := officeDefaults(v.LookupPath(cue.ParsePath("#Office")))
	if err != nil {
		return factsAndDefaults{}, fmt.Errorf("schema defaults: %w", err)
	}
	f, err := readFacts(v)
	if err != nil {
		return factsAndDefaults{}, fmt.Errorf("schema facts: %w", err)
	}
	return factsAndDefaults{facts: f, defaults: defaults}, nil
})

// withoutDefaults compiles the schema with each of #Office's fields that
// has a default (hours, hours_on, auto_call_recording) made optional and
// its default taken out: `monday_hours: #Hours | *["08:00", "18:00"]`
// becomes `monday_hours?: #Hours`. For data that is concrete on its own
// (a YAML or JSON file without CUE policy) it accepts what the schema
// accepts: a value written must satisfy the same type and checks, and a
// default, which satisfies them, is only ever chosen where nothing is
// written (the hidden hours checks of an absent day stay incomplete,
// which is no error). It saves nine disjunctions and seven hours checks
// per office (the figures are in the commit that made it). Validation errors always come from the schema itself;
// the defaults are filled in Go from Defaults.
func withoutDefaults(ctx *cue.Context) (cue.Value, error) {
	src, err := bareSource()
	if err != nil {
		return cue.Value{}, err
	}
	v := ctx.CompileBytes(src, cue.Filename(SourceName))
	if err := v.Err(); err != nil {
		return cue.Value{}, fmt.Errorf("compile embedded schema without defaults: %w", err)
	}
	return v, nil
}

// bareSource is the text of the schema without #Office's defaults. It is
// compiled from text, not from the changed syntax tree: the parser
// resolved the references to the fields as they were.
var bareSource = sync.OnceValues(func() ([]byte, error) {
	file, err := parser.ParseFile(SourceName, source)
	if err != nil {
		return nil, fmt.Errorf("parse embedded schema: %w", err)
	}
	n := 0
	for _, d := range file.Decls {
		office, ok := d.(*ast.Field)
		if !ok {
			continue
		}
		if l, _, _ := ast.LabelName(office.Label); l == "#RoutingInner" {
			if err := takeUniqueCheck(office); err != nil {
				return nil, err
			}
			continue
		}
		if l, _, _ := ast.LabelName(office.Label); l != "#Office" {
			continue
		}
		body, ok := office.Value.(*ast.StructLit)
		if !ok {
			return nil, fmt.Errorf("embedded schema: #Office is not a struct")
		}
		kept := body.Elts[:0]
		for _, e := range body.Elts {
			if c, ok := e.(*ast.Comprehension); ok {
				if day, ok := hoursCheck(c); ok {
					hoursDays = append(hoursDays, day)
					continue
				}
			}
			kept = append(kept, e)
		}
		body.Elts = kept
		for _, e := range body.Elts {
			field, ok := e.(*ast.Field)
			if !ok {
				continue
			}
			or, ok := field.Value.(*ast.BinaryExpr)
			if !ok || or.Op != token.OR {
				continue
			}
			if def, ok := or.Y.(*ast.UnaryExpr); ok && def.Op == token.MUL {
				field.Value = or.X
				field.Constraint = token.OPTION
				n++
			}
		}
	}
	if n != 9 {
		return nil, fmt.Errorf("embedded schema: %d defaults in #Office, want 9", n)
	}
	if uniqueList.field == "" {
		return nil, fmt.Errorf("embedded schema: no unique check in #RoutingInner")
	}
	if len(hoursDays) != 7 {
		return nil, fmt.Errorf("embedded schema: %d hours checks in #Office, want 7", len(hoursDays))
	}
	src, err := format.Node(file)
	if err != nil {
		return nil, fmt.Errorf("format embedded schema without defaults: %w", err)
	}
	return src, nil
})

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
		if !ok || it.Selector().ConstraintType() == cue.OptionalConstraint {
			// An optional list (operators) defaults to [] in CUE's
			// eyes; absent means "leave alone" there.
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
func (s *Schema) Config() cue.Value { return s.definitions().config }

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

// pattern compiles the one regular expression v must match.
func pattern(v cue.Value) (*regexp.Regexp, error) {
	op, args := v.Expr()
	if op == cue.AndOp {
		// string & =~"...": the one regular expression among the terms.
		for _, a := range args {
			if re, err := pattern(a); err == nil {
				return re, nil
			}
		}
	}
	if op != cue.RegexMatchOp || len(args) != 1 {
		return nil, fmt.Errorf("not a regular expression")
	}
	re, err := args[0].String()
	if err != nil {
		return nil, err
	}
	return regexp.Compile(re)
}

// hoursDays are the fields whose #OpeningHours check bareSource took out of
// #Office (monday_hours … sunday_hours), read from the schema's
// comprehensions; Accepts checks them with openingHours.
var hoursDays []string

// hoursCheck reports whether c is one of #Office's hours checks,
// `if DAY != _|_ {_DAY: #OpeningHours & {#times: DAY}}`, and its DAY.
func hoursCheck(c *ast.Comprehension) (string, bool) {
	if len(c.Clauses) != 1 {
		return "", false
	}
	cond, ok := c.Clauses[0].(*ast.IfClause)
	if !ok {
		return "", false
	}
	exists, ok := cond.Condition.(*ast.BinaryExpr)
	if !ok || exists.Op != token.NEQ {
		return "", false
	}
	day, ok := exists.X.(*ast.Ident)
	if !ok {
		return "", false
	}
	body, ok := c.Value.(*ast.StructLit)
	if !ok || len(body.Elts) != 1 {
		return "", false
	}
	check, ok := body.Elts[0].(*ast.Field)
	if !ok {
		return "", false
	}
	if l, _, _ := ast.LabelName(check.Label); l != "_"+day.Name {
		return "", false
	}
	and, ok := check.Value.(*ast.BinaryExpr)
	if !ok || and.Op != token.AND {
		return "", false
	}
	if ref, ok := and.X.(*ast.Ident); !ok || ref.Name != "#OpeningHours" {
		return "", false
	}
	return day.Name, true
}

// uniqueList is the list field of #RoutingInner whose items' key must be
// unique (dtmf and input), read from the check bareSource took out:
// `if dtmf != _|_ {_dtmf_unique: [for m in dtmf {m.input}] &
// list.UniqueItems()}`. Accepts checks it with uniqueKeys.
var uniqueList struct{ field, key string }

// takeUniqueCheck takes the unique check out of #RoutingInner, def, and
// records its list and key in uniqueList.
func takeUniqueCheck(def *ast.Field) error {
	body, ok := def.Value.(*ast.StructLit)
	if !ok {
		return fmt.Errorf("embedded schema: #RoutingInner is not a struct")
	}
	for i, e := range body.Elts {
		c, ok := e.(*ast.Comprehension)
		if !ok || len(c.Clauses) != 1 {
			continue
		}
		cond, ok := c.Clauses[0].(*ast.IfClause)
		if !ok {
			continue
		}
		exists, ok := cond.Condition.(*ast.BinaryExpr)
		if !ok || exists.Op != token.NEQ {
			continue
		}
		list, ok := exists.X.(*ast.Ident)
		if !ok {
			continue
		}
		check, ok := c.Value.(*ast.StructLit)
		if !ok || len(check.Elts) != 1 {
			continue
		}
		f, ok := check.Elts[0].(*ast.Field)
		if !ok {
			continue
		}
		if l, _, _ := ast.LabelName(f.Label); l != "_"+list.Name+"_unique" {
			continue
		}
		// [for m in LIST {m.KEY}] & list.UniqueItems()
		and, ok := f.Value.(*ast.BinaryExpr)
		if !ok || and.Op != token.AND {
			break
		}
		items, ok := and.X.(*ast.ListLit)
		if !ok || len(items.Elts) != 1 {
			break
		}
		loop, ok := items.Elts[0].(*ast.Comprehension)
		if !ok || len(loop.Clauses) != 1 {
			break
		}
		each, ok := loop.Clauses[0].(*ast.ForClause)
		if !ok || each.Key != nil {
			break
		}
		if src, ok := each.Source.(*ast.Ident); !ok || src.Name != list.Name {
			break
		}
		item, ok := loop.Value.(*ast.StructLit)
		if !ok || len(item.Elts) != 1 {
			break
		}
		embed, ok := item.Elts[0].(*ast.EmbedDecl)
		if !ok {
			break
		}
		sel, ok := embed.Expr.(*ast.SelectorExpr)
		if !ok {
			break
		}
		if x, ok := sel.X.(*ast.Ident); !ok || x.Name != each.Value.Name {
			break
		}
		call, ok := and.Y.(*ast.CallExpr)
		if !ok || len(call.Args) != 0 {
			break
		}
		fn, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			break
		}
		if name, _, _ := ast.LabelName(fn.Sel); name != "UniqueItems" {
			break
		}
		key, _, _ := ast.LabelName(sel.Sel)
		uniqueList.field, uniqueList.key = list.Name, key
		body.Elts = append(body.Elts[:i:i], body.Elts[i+1:]...)
		return nil
	}
	return fmt.Errorf("embedded schema: #RoutingInner has no check `if L != _|_ {_L_unique: [for m in L {m.KEY}] & list.UniqueItems()}`")
}

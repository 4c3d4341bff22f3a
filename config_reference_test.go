package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/officectl/officectl/offices/officestest/specfacts"
	"github.com/officectl/officectl/schema"
)

// configReference is docs/config-reference.md: every field of every kind
// with its type, rule, default and whether it is required, derived from
// the JSON Schema that `officectl schema --format jsonschema` prints (so
// from the CUE schema), and each bound compared with Dialpad's reference
// (specfacts): a bound the reference does not state is marked as one
// officectl chose.
const configReference = "docs/config-reference.md"

// kindMessages are the API messages each top-level kind's entries are.
var kindMessages = map[string]string{
	"offices":     "schemas.office.CreateOfficeMessage",
	"departments": "schemas.group.CreateDepartmentMessage",
	"callcenters": "schemas.group.CreateCallCenterMessage",
}

func TestConfigReference(t *testing.T) {
	want := configReferenceText(t)
	if *updateScripts {
		if err := os.WriteFile(configReference, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(configReference)
	if err != nil || string(got) != want {
		t.Errorf("%s is not what the schema gives (%v); run go generate", configReference, err)
	}
}

type jsonSchema struct {
	Type                 any                    `json:"type"`
	Description          string                 `json:"description"`
	Properties           map[string]*jsonSchema `json:"properties"`
	PatternProperties    map[string]*jsonSchema `json:"patternProperties"`
	Items                *jsonSchema            `json:"items"`
	Required             []string               `json:"required"`
	Enum                 []any                  `json:"enum"`
	Default              any                    `json:"default"`
	Minimum, Maximum     *float64
	MinLength, MaxLength *int
	MinItems, MaxItems   *int
	Pattern              string          `json:"pattern"`
	AllOf                []*jsonSchema   `json:"allOf"`
	OneOf                []*jsonSchema   `json:"oneOf"`
	If                   json.RawMessage `json:"if"`   // a schema, or a boolean
	Then                 json.RawMessage `json:"then"` // a schema, or a boolean
}

func (s *jsonSchema) UnmarshalJSON(b []byte) error {
	type plain jsonSchema
	var bounds struct {
		Minimum   *float64 `json:"minimum"`
		Maximum   *float64 `json:"maximum"`
		MinLength *int     `json:"minLength"`
		MaxLength *int     `json:"maxLength"`
		MinItems  *int     `json:"minItems"`
		MaxItems  *int     `json:"maxItems"`
	}
	if err := json.Unmarshal(b, (*plain)(s)); err != nil {
		return err
	}
	if err := json.Unmarshal(b, &bounds); err != nil {
		return err
	}
	s.Minimum, s.Maximum, s.MinLength, s.MaxLength, s.MinItems, s.MaxItems = bounds.Minimum, bounds.Maximum, bounds.MinLength, bounds.MaxLength, bounds.MinItems, bounds.MaxItems
	return nil
}

func configReferenceText(t *testing.T) string {
	t.Helper()
	raw, err := schema.JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	var root jsonSchema
	if err := json.Unmarshal(raw, &root); err != nil {
		t.Fatal(err)
	}
	facts, err := specfacts.Load()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("# Config reference\n\n")
	b.WriteString("<!-- Generated from `officectl schema --format jsonschema` and Dialpad's reference by `go generate`: do not edit; TestConfigReference checks it. -->\n\n")
	b.WriteString("Every field of every kind, as the schema checks it. **required**: the\n" +
		"entry is invalid without it (a nested field: when its object is given).\n" +
		"**rule**: the type's bounds, pattern or values; a bound marked *chosen* is\n" +
		"not stated by Dialpad's reference: officectl chose it (see\n" +
		"[design decisions](design.md)). **default**: what the office gets when the\n" +
		"field is left out (filled in by officectl and shown by `officectl export`).\n" +
		"How the files are laid out, references and policy: [config files](config.md).\n" +
		"Some rules are officectl's own and not in this table: IANA time zones,\n" +
		"hours in ascending open/close pairs, unique DTMF inputs, references, cycles,\n" +
		"and duplicate keys and names across files ([validating](validate.md)).\n")
	for _, kind := range []string{"offices", "departments", "callcenters"} {
		top := root.Properties[kind]
		if top == nil || len(top.PatternProperties) != 1 {
			t.Fatalf("schema: no %s map of one key pattern", kind)
		}
		for pattern, entry := range top.PatternProperties {
			fmt.Fprintf(&b, "\n## %s\n\nKeys match `%s` (unique across offices, departments and call centers).", kind, pattern)
			if len(entry.OneOf) > 0 {
				var alts []string
				for _, one := range entry.OneOf {
					alts = append(alts, "`"+strings.Join(one.Required, "`, `")+"`")
				}
				fmt.Fprintf(&b, " Exactly one of %s.", strings.Join(alts, " or "))
			}
			for _, a := range entry.AllOf {
				var cond, then jsonSchema
				if json.Unmarshal(a.If, &cond) != nil || json.Unmarshal(a.Then, &then) != nil {
					continue // a boolean, or none
				}
				for field, c := range cond.Properties {
					fmt.Fprintf(&b, " `%s` is required when `%s` is %s.", strings.Join(then.Required, "`, `"), field, joinValues(c.Enum))
				}
			}
			b.WriteString("\n\n| field | type | required | rule | default |\n|---|---|---|---|---|\n")
			writeFields(&b, "", entry, facts, kindMessages[kind])
		}
	}
	return b.String()
}

// writeFields writes a row per field of s, nested objects and lists of
// objects below their field (path.field, path[].field); msg is the
// reference's message for s ("" when there is none).
func writeFields(b *strings.Builder, prefix string, s *jsonSchema, facts *specfacts.Facts, msg string) {
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f := s.Properties[n]
		path := prefix + n
		var ref *specfacts.Property
		if p, ok := facts.Schemas[msg].Properties[n]; ok && msg != "" {
			ref = &p
		}
		required := ""
		if slices.Contains(s.Required, n) {
			required = "yes"
		}
		def := ""
		if f.Default != nil {
			d, _ := json.Marshal(f.Default)
			def = "`" + string(d) + "`"
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s |\n", path, typeOf(f), required, ruleOf(f, ref), def)
		sub := ""
		if ref != nil {
			sub = ref.Ref
			if ref.Items != nil && ref.Items.Ref != "" {
				sub = ref.Items.Ref
			}
		}
		if n == "operators" && prefix == "" {
			// officectl's own field: each operator is sent as the
			// add-operator message of its group's kind.
			sub = "schemas.group.AddOperatorMessage"
			if msg == kindMessages["callcenters"] {
				sub = "schemas.group.AddCallCenterOperatorMessage"
			}
		}
		switch {
		case len(f.Properties) > 0:
			writeFields(b, path+".", f, facts, sub)
		case f.Items != nil && len(f.Items.Properties) > 0:
			writeFields(b, path+"[].", f.Items, facts, sub)
		}
	}
}

func typeOf(s *jsonSchema) string {
	switch t := s.Type.(type) {
	case string:
		if t == "array" && s.Items != nil {
			if it, ok := s.Items.Type.(string); ok {
				return "list of " + it
			}
		}
		return t
	case []any:
		var ts []string
		for _, x := range t {
			ts = append(ts, fmt.Sprint(x))
		}
		return strings.Join(ts, " or ")
	}
	var alts []string
	for _, a := range append(slices.Clone(s.OneOf), s.AllOf...) {
		if t := typeOf(a); t != "" && !slices.Contains(alts, t) {
			alts = append(alts, t)
		}
	}
	return strings.Join(alts, " or ")
}

// ruleOf is a field's constraints in words; ref is the reference's
// property, to tell the bounds Dialpad states from those officectl chose.
func ruleOf(s *jsonSchema, ref *specfacts.Property) string {
	var r []string
	chosen := func(ours *float64, theirs *int64) string {
		if theirs != nil && float64(*theirs) == *ours {
			return ""
		}
		return " *chosen*"
	}
	chosenLen := func(ours *int, theirs *int) string {
		if theirs != nil && *theirs == *ours {
			return ""
		}
		return " *chosen*"
	}
	var refMin, refMax *int64
	var refMaxLen *int
	if ref != nil {
		refMin, refMax, refMaxLen = ref.Minimum, ref.Maximum, ref.MaxLength
	}
	if s.Minimum != nil && s.Maximum != nil {
		mark := chosen(s.Minimum, refMin)
		if mark == "" {
			mark = chosen(s.Maximum, refMax)
		}
		r = append(r, fmt.Sprintf("%g..%g", *s.Minimum, *s.Maximum)+mark)
	} else if s.Minimum != nil {
		r = append(r, fmt.Sprintf("≥ %g", *s.Minimum)+chosen(s.Minimum, refMin))
	} else if s.Maximum != nil {
		r = append(r, fmt.Sprintf("≤ %g", *s.Maximum)+chosen(s.Maximum, refMax))
	}
	if s.MaxLength != nil {
		r = append(r, fmt.Sprintf("at most %d characters", *s.MaxLength)+chosenLen(s.MaxLength, refMaxLen))
	}
	if s.MinLength != nil && *s.MinLength > 0 {
		r = append(r, "not empty")
	}
	if s.MinItems != nil {
		r = append(r, fmt.Sprintf("at least %d items", *s.MinItems))
	}
	if s.MaxItems != nil {
		r = append(r, fmt.Sprintf("at most %d items", *s.MaxItems))
	}
	if len(s.Enum) > 0 {
		r = append(r, joinValues(s.Enum))
	}
	patterns := []string{}
	if s.Pattern != "" {
		patterns = append(patterns, s.Pattern)
	}
	for _, a := range s.AllOf {
		if a.Pattern != "" {
			patterns = append(patterns, a.Pattern)
		}
	}
	if s.Items != nil && s.Items.Pattern != "" {
		patterns = append(patterns, s.Items.Pattern)
	}
	for _, p := range patterns {
		switch p {
		case "^[^\r\n]*$":
			r = append(r, "one line")
		case "[^ \t]":
			r = append(r, "not blank")
		default:
			if t := patternText(p); strings.Contains(t, "`") {
				r = append(r, "matches `` "+t+" ``") // a code span that holds a backtick
			} else {
				r = append(r, "matches `"+t+"`")
			}
		}
	}
	if d := describe(s.Description); d != "" {
		r = append(r, d)
	}
	return strings.Join(r, "; ")
}

// describe is the part of a schema description worth a table cell: a
// CUE definition's "#Name is Message." says nothing a reader needs.
func describe(d string) string {
	d = strings.Join(strings.Fields(d), " ")
	if strings.HasPrefix(d, "#") {
		if _, rest, ok := strings.Cut(d, " is "); ok && strings.Contains(rest, ":") && !strings.HasPrefix(rest, "a required single-line field") {
			return strings.ReplaceAll(rest, "|", `\|`)
		}
		return ""
	}
	return strings.ReplaceAll(d, "|", `\|`)
}

// joinValues lists enum values, or counts them when there are many.
func joinValues(vals []any) string {
	if len(vals) > 14 {
		return fmt.Sprintf("one of %d values (`officectl schema` lists them)", len(vals))
	}
	var s []string
	for _, v := range vals {
		s = append(s, fmt.Sprintf("`%v`", v))
	}
	return strings.Join(s, ", ")
}

// patternText writes a pattern for a markdown table cell: "|" escaped, and
// every rune outside printable ASCII (tabs, line breaks, invisible and
// bidirectional characters) as \uXXXX, so the page shows what it matches.
func patternText(p string) string {
	var b strings.Builder
	for _, r := range p {
		switch {
		case r == '|':
			b.WriteString(`\|`)
		case r < 0x20 || r >= 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

package schema

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"github.com/google/go-cmp/cmp"

	"github.com/officectl/officectl/offices/officestest/specfacts"
)

// openAPISchema is one object of Dialpad's spec, from the committed facts
// (offices/officestest/specfacts), so the check runs on a fresh clone.
type openAPISchema = specfacts.Schema

func loadReference(t *testing.T) map[string]openAPISchema {
	t.Helper()
	f, err := specfacts.Load()
	if err != nil {
		t.Fatal(err)
	}
	return f.Schemas
}

// TestSchemaMatchesOpenAPI proves that every object of the office schema
// has exactly the fields of its counterpart in Dialpad's spec, the same
// required fields, and the same enums.
func TestSchemaMatchesOpenAPI(t *testing.T) {
	ref := loadReference(t)
	ctx := NewContext()
	v := ctx.CompileBytes(source, cue.Filename(SourceName))
	if err := v.Err(); err != nil {
		t.Fatal(err)
	}
	compiled, err := Compile(NewContext())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		def, spec string
	}{
		{"#Office", "schemas.office.CreateOfficeMessage"},
		{"#BillingAddress", "schemas.plan.BillingContactMessage"},
		{"#BillingContact", "schemas.plan.BillingPointOfContactMessage"},
		{"#E911Address", "schemas.office.E911Message"},
		{"#RoutingOptions", "schemas.group.RoutingOptions"},
		{"#RoutingInner", "schemas.group.RoutingOptionsInner"},
		{"#DTMFMapping", "schemas.group.DtmfMapping"},
		{"#DTMFMapping.options", "schemas.group.DtmfOptions"},
		{"#VoiceIntelligence", "schemas.group.VoiceIntelligence"},
		{"#Department", "schemas.group.CreateDepartmentMessage"},
		{"#CallCenter", "schemas.group.CreateCallCenterMessage"},
		{"#DepartmentHoldQueue", "schemas.group.HoldQueueDepartment"},
		{"#CallCenterHoldQueue", "schemas.group.HoldQueueCallCenter"},
		{"#Alerts", "schemas.group.Alerts"},
		{"#AdvancedSettings", "schemas.group.AdvancedSettings"},
		{"#AdvancedSettings.auto_call_recording", "schemas.group.AutoCallRecording"},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			def := v.LookupPath(cue.ParsePath(tc.def))
			if parent, field, ok := strings.Cut(tc.def, "."); !def.Exists() && ok {
				def = v.LookupPath(cue.ParsePath(parent)).LookupPath(cue.MakePath(cue.Str(field).Optional()))
			}
			if !def.Exists() {
				t.Fatalf("%s not in schema", tc.def)
			}
			spec, ok := ref[tc.spec]
			if !ok {
				t.Fatalf("%s not in reference", tc.spec)
			}
			fields, required := cueFields(t, def)
			var specFields []string
			for name := range spec.Properties {
				specFields = append(specFields, name)
			}
			specFields = append(specFields, own[tc.def]...)
			sort.Strings(specFields)
			var specRequired []string
			for _, r := range spec.Required {
				if !slices.Contains(looser[tc.def], r) {
					specRequired = append(specRequired, r)
				}
			}
			specRequired = append(specRequired, stricter[tc.def]...)
			sort.Strings(specRequired)
			if diff := cmp.Diff(specFields, fields); diff != "" {
				t.Errorf("fields differ from the reference (-reference +schema):\n%s", diff)
			}
			if diff := cmp.Diff(specRequired, required); diff != "" {
				t.Errorf("required fields differ (-reference +schema):\n%s", diff)
			}
			for name, p := range spec.Properties {
				f := def.LookupPath(cue.MakePath(cue.Str(name)))
				if !f.Exists() {
					f = def.LookupPath(cue.MakePath(cue.Str(name).Optional()))
				}
				checkBounds(t, ctx, name, f, p)
				if len(p.Enum) == 0 {
					continue
				}
				// What the schema enforces: every value of the reference
				// is accepted, and nothing else.
				var accepted []string
				for _, val := range p.Enum {
					if f.Unify(ctx.Encode(val)).Validate(cue.Concrete(true)) == nil {
						accepted = append(accepted, val)
					}
				}
				if diff := cmp.Diff(p.Enum, accepted); diff != "" {
					t.Errorf("%s: schema refuses values of the reference (-reference +accepted):\n%s", name, diff)
				}
				for _, bad := range []string{"XX", "", strings.ToLower(p.Enum[0]) + "x", p.Enum[0] + " "} {
					if f.Unify(ctx.Encode(bad)).Validate(cue.Concrete(true)) == nil {
						t.Errorf("%s: schema accepts %q, which the reference does not list", name, bad)
					}
				}
				// What messages count and list.
				enum, ok := compiled.enums[name]
				if !ok {
					t.Errorf("%s: messages do not know it is an enum", name)
					continue
				}
				got := append([]string(nil), enum.values...)
				want := append([]string(nil), p.Enum...)
				sort.Strings(want)
				sort.Strings(got)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s enum differs (-reference +messages):\n%s", name, diff)
				}
			}
		})
	}
}

// checkBounds proves that f accepts a value at each bound the reference
// states for it, and refuses one just past it.
func checkBounds(t *testing.T, ctx *cue.Context, name string, f cue.Value, p specfacts.Property) {
	t.Helper()
	accepts := func(v any) bool { return f.Unify(ctx.Encode(v)).Validate(cue.Concrete(true)) == nil }
	if p.Minimum != nil && (!accepts(*p.Minimum) || accepts(*p.Minimum-1)) {
		t.Errorf("%s: the reference's minimum is %d; the schema accepts %d: %v, %d: %v", name, *p.Minimum, *p.Minimum, accepts(*p.Minimum), *p.Minimum-1, accepts(*p.Minimum-1))
	}
	if p.Maximum != nil && (!accepts(*p.Maximum) || accepts(*p.Maximum+1)) {
		t.Errorf("%s: the reference's maximum is %d; the schema accepts %d: %v, %d: %v", name, *p.Maximum, *p.Maximum, accepts(*p.Maximum), *p.Maximum+1, accepts(*p.Maximum+1))
	}
	if p.MaxLength != nil {
		// Runes, not bytes: the limit counts characters.
		at, past := strings.Repeat("é", *p.MaxLength), strings.Repeat("é", *p.MaxLength+1)
		if !accepts(at) || accepts(past) {
			t.Errorf("%s: the reference allows at most %d characters; the schema accepts %d: %v, %d: %v", name, *p.MaxLength, *p.MaxLength, accepts(at), *p.MaxLength+1, accepts(past))
		}
	}
}

// stricter lists the fields the schema requires beyond the reference, on
// purpose: a DTMF menu entry without its key cannot be dialled.
var stricter = map[string][]string{
	"#DTMFMapping": {"input"},
}

// own lists officectl's own fields of a definition, which are never sent
// to Dialpad: the operators of an office, department or call center; the
// office key of a group (office_id comes from it); protect.
var own = map[string][]string{
	"#Office":     {"operators"},
	"#Department": {"office", "operators", "protect"},
	"#CallCenter": {"office", "operators", "protect"},
}

// looser lists the fields the reference requires and the schema does not
// require on its own: a group has office (a key of the config, whose id
// apply knows) or office_id, one of them.
var looser = map[string][]string{
	"#Department": {"office_id"},
	"#CallCenter": {"office_id"},
}

// cueFields lists a definition's fields, and those it requires: regular
// fields without a default. (Fields with a default, such as hours_on, are
// optional in the API; the schema fills them in.)
func cueFields(t *testing.T, def cue.Value) (all, required []string) {
	t.Helper()
	it, err := def.Fields(cue.Optional(true))
	if err != nil {
		t.Fatal(err)
	}
	for it.Next() {
		name := it.Selector().Unquoted()
		all = append(all, name)
		if it.Selector().ConstraintType() == 0 {
			if _, hasDefault := it.Value().Default(); !hasDefault {
				required = append(required, name)
			}
		}
	}
	sort.Strings(all)
	sort.Strings(required)
	return all, required
}

// TestE911CountriesMatchReference checks #E911Countries against the
// countries the reference's description of e911_address names.
func TestE911CountriesMatchReference(t *testing.T) {
	want := loadReference(t)["schemas.office.CreateOfficeMessage"].Properties["e911_address"].RequiredFor
	if len(want) == 0 {
		t.Fatal("the reference no longer says which countries need e911_address: update #E911Countries")
	}
	ctx := NewContext()
	v := ctx.CompileBytes(source, cue.Filename(SourceName))
	var got []string
	if err := v.LookupPath(cue.ParsePath("#E911Countries")).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}

func TestJSONSchemaGenerates(t *testing.T) {
	b, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	var js map[string]any
	if err := json.Unmarshal(b, &js); err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`"offices"`, `"ring_seconds"`, `"maximum": 45`, `"ZA"`, `"additionalProperties": false`} {
		if !strings.Contains(s, want) {
			t.Errorf("JSON Schema lacks %s", want)
		}
	}
}

// TestEnumRegexpsMatchLists checks that each enum's regular expression is
// exactly the alternation of its list.
func TestEnumRegexpsMatchLists(t *testing.T) {
	ctx := NewContext()
	v := ctx.CompileBytes(source, cue.Filename(SourceName))
	for def, e := range enumTable {
		list := e.list
		var vals []string
		if err := v.LookupPath(cue.ParsePath(list)).Decode(&vals); err != nil {
			t.Fatalf("%s: %v", list, err)
		}
		op, args := v.LookupPath(cue.ParsePath(def)).Expr()
		if op != cue.RegexMatchOp || len(args) != 1 {
			t.Fatalf("%s is not a regular expression", def)
		}
		got, _ := args[0].String()
		if want := "^(" + strings.Join(vals, "|") + ")$"; got != want {
			t.Errorf("%s = %q, want %q (from %s)", def, got, want, list)
		}
	}
}

// TestOperatorsMatchReference: the roles and skill levels operators may
// have are those of the add-operator messages: AddOperatorMessage for
// offices and departments, AddCallCenterOperatorMessage for call centers.
func TestOperatorsMatchReference(t *testing.T) {
	ref := loadReference(t)
	ctx := NewContext()
	v := ctx.CompileBytes(source, cue.Filename(SourceName))
	for _, tc := range []struct{ def, spec string }{
		{"#Operator", "schemas.group.AddOperatorMessage"},
		{"#CallCenterOperator", "schemas.group.AddCallCenterOperatorMessage"},
	} {
		def := v.LookupPath(cue.ParsePath(tc.def))
		spec := ref[tc.spec]
		for _, field := range []string{"role", "skill_level"} {
			p, inSpec := spec.Properties[field]
			f := def.LookupPath(cue.MakePath(cue.Str(field).Optional()))
			if inSpec != f.Exists() {
				t.Errorf("%s.%s: in the reference %v, in the schema %v", tc.def, field, inSpec, f.Exists())
				continue
			}
			if !inSpec {
				continue
			}
			checkBounds(t, ctx, tc.def+"."+field, f, p)
			var accepted []string
			for _, val := range append(append([]string(nil), p.Enum...), "owner", "Admin") {
				if f.Unify(ctx.Encode(val)).Validate(cue.Concrete(true)) == nil {
					accepted = append(accepted, val)
				}
			}
			if diff := cmp.Diff(p.Enum, accepted); len(p.Enum) > 0 && diff != "" {
				t.Errorf("%s.%s accepts (-reference +schema):\n%s", tc.def, field, diff)
			}
		}
	}
}

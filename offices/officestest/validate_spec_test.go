package officestest

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/officectl/officectl/offices/officestest/specfacts"
)

// facts returns the committed facts of the API reference.
func facts(t *testing.T) *specfacts.Facts {
	t.Helper()
	f, err := specfacts.Load()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestValidationMatchesReference walks CreateOfficeMessage and
// E911UpdateMessage in the reference's facts and in the simulator's rules
// side by side: the same properties (so unknown fields are refused
// exactly), the same required fields, the same enums, the same
// [single-line only] fields, matching types, and a hand-written format
// check only on a string field the reference has.
func TestValidationMatchesReference(t *testing.T) {
	f := facts(t)
	r, err := buildRules(f)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var walk func(obj *object)
	walk = func(obj *object) {
		if seen[obj.schema] {
			return
		}
		seen[obj.schema] = true
		s, err := f.Schema(obj.schema)
		if err != nil {
			t.Error(err)
			return
		}
		if diff := cmp.Diff(slices.Sorted(maps.Keys(s.Properties)), slices.Sorted(maps.Keys(obj.fields))); diff != "" {
			t.Errorf("%s properties (-reference +simulator):\n%s", obj.schema, diff)
		}
		if diff := cmp.Diff(slices.Sorted(slices.Values(s.Required)), slices.Sorted(slices.Values(obj.required))); diff != "" {
			t.Errorf("%s required (-reference +simulator):\n%s", obj.schema, diff)
		}
		for name, p := range s.Properties {
			fl := obj.fields[name]
			where := obj.schema + "." + name
			if diff := cmp.Diff(p.Enum, fl.enum); diff != "" {
				t.Errorf("%s enum (-reference +simulator):\n%s", where, diff)
			}
			if fl.singleLine != p.SingleLine {
				t.Errorf("%s: single-line %v, reference says %v", where, fl.singleLine, p.SingleLine)
			}
			if fl.check != nil && p.Type != "string" {
				t.Errorf("%s: a string check on a %s", where, p.Type)
			}
			if fl.kind == kHours && (p.Items == nil || p.Items.Type != "string") {
				t.Errorf("%s: hours, but the reference says a list of %+v", where, p.Items)
			}
			if fl.obj != nil {
				walk(fl.obj)
			}
		}
	}
	walk(r.createOffice)
	walk(r.e911Update)
	for key := range stringChecks {
		i := strings.LastIndex(key, ".")
		s, err := f.Schema(key[:i])
		name := key[i+1:]
		if _, ok := s.Properties[name]; err != nil || !ok {
			t.Errorf("stringChecks[%s]: the reference has no such field", key)
		}
	}
	create := r.createOffice.fields
	if len(create["country"].enum) != 84 || len(create["currency"].enum) != 7 {
		t.Errorf("%d countries, %d currencies; the design expects 84 and 7", len(create["country"].enum), len(create["currency"].enum))
	}
	if ring := create["ring_seconds"]; ring.min != 10 || ring.max != 45 || create["group_description"].maxLen != 256 {
		t.Errorf("ring_seconds %d..%d, group_description at most %d; the reference says 10..45 and 256", ring.min, ring.max, create["group_description"].maxLen)
	}
	if diff := cmp.Diff([]string{"AU", "CA", "FR", "GB", "NZ", "US"}, r.e911Countries); diff != "" {
		t.Errorf("e911 countries (-design +simulator):\n%s", diff)
	}
	if len(seen) != 10 {
		t.Errorf("walked %d schemas, want 10: %v", len(seen), slices.Sorted(maps.Keys(seen)))
	}
}

// TestRulesRefuseUnknownTypes: a type the simulator has no rule for is an
// error, not a field silently left unchecked.
func TestRulesRefuseUnknownTypes(t *testing.T) {
	f := facts(t)
	bad := &specfacts.Facts{Schemas: maps.Clone(f.Schemas)}
	create := bad.Schemas["schemas.office.CreateOfficeMessage"]
	create.Properties = maps.Clone(create.Properties)
	create.Properties["ring_seconds"] = specfacts.Property{Type: "number"}
	bad.Schemas["schemas.office.CreateOfficeMessage"] = create
	if _, err := buildRules(bad); err == nil || !strings.Contains(err.Error(), "ring_seconds") {
		t.Errorf("err = %v, want one naming ring_seconds", err)
	}
}

// TestInt64FieldsMatchReference: the simulator writes as strings exactly
// the int64 properties of the answers' schemas.
func TestInt64FieldsMatchReference(t *testing.T) {
	f := facts(t)
	want := map[string]bool{}
	for _, name := range []string{
		"schemas.office.OfficeProto", "schemas.company.CompanyProto", "schemas.plan.PlanProto",
		"schemas.group.RoutingOptionsInner", "schemas.group.DtmfOptions",
	} {
		s, err := f.Schema(name)
		if err != nil {
			t.Fatal(err)
		}
		for k, p := range s.Properties {
			if p.Format == "int64" {
				want[k] = true
			}
		}
	}
	if diff := cmp.Diff(want, int64Fields); diff != "" {
		t.Errorf("int64 fields (-reference +simulator):\n%s", diff)
	}
}

// TestRulesFollowFacts: the simulator's rules are the reference's facts:
// change a bound, an enum or the e911 countries there, and the simulator
// checks the changed rule.
func TestRulesFollowFacts(t *testing.T) {
	f := facts(t)
	changed := &specfacts.Facts{Schemas: maps.Clone(f.Schemas)}
	create := changed.Schemas["schemas.office.CreateOfficeMessage"]
	create.Properties = maps.Clone(create.Properties)
	ring := create.Properties["ring_seconds"]
	sixty := int64(60)
	ring.Maximum = &sixty
	create.Properties["ring_seconds"] = ring
	currency := create.Properties["currency"]
	currency.Enum = append(append([]string(nil), currency.Enum...), "CHF")
	create.Properties["currency"] = currency
	e911 := create.Properties["e911_address"]
	e911.RequiredFor = []string{"DE"}
	create.Properties["e911_address"] = e911
	changed.Schemas["schemas.office.CreateOfficeMessage"] = create

	body := validBody()
	body["ring_seconds"], body["currency"] = 50, "CHF"
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		facts *specfacts.Facts
		want  []string
	}{
		{f, []string{"currency: \"CHF\" is not one of", "ring_seconds: 50 is out of range: choose from 10 to 45"}},
		{changed, []string{"e911_address: required for offices in DE (required for DE)"}},
	} {
		r, err := buildRules(tc.facts)
		if err != nil {
			t.Fatal(err)
		}
		got := validateBody(b, r.createOffice)
		if len(got) != len(tc.want) {
			t.Fatalf("errors %q, want %q", got, tc.want)
		}
		for i, w := range tc.want {
			if !strings.HasPrefix(got[i], w) {
				t.Errorf("error %d = %q, want %q", i, got[i], w)
			}
		}
	}
}

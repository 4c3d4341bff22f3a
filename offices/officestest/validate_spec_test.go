package officestest

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// referencePath is the Dialpad offices OpenAPI spec, outside the repo.
var referencePath = filepath.Join("..", "..", "..", "shared", "reference", "dialpad-offices-openapi.json")

// schemas returns components.schemas of the reference, or skips.
func schemas(t *testing.T) map[string]map[string]any {
	t.Helper()
	b, err := os.ReadFile(referencePath)
	if os.IsNotExist(err) {
		t.Skipf("API reference %s not found: it lives outside the repository in ../shared/reference", referencePath)
	}
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	return spec.Components.Schemas
}

func refName(v any) string {
	m, _ := v.(map[string]any)
	ref, _ := m["$ref"].(string)
	return strings.TrimPrefix(ref, "#/components/schemas/")
}

func strs(v any) []string {
	list, _ := v.([]any)
	out := []string{}
	for _, x := range list {
		out = append(out, x.(string))
	}
	return out
}

// TestValidationMatchesReference walks CreateOfficeMessage and
// E911UpdateMessage in the reference and in the simulator's rules side by
// side: the same properties (so unknown fields are refused exactly), the
// same required fields, the same enums, the same [single-line only]
// fields, and matching types.
func TestValidationMatchesReference(t *testing.T) {
	all := schemas(t)
	seen := map[string]bool{}
	var walk func(obj *object)
	walk = func(obj *object) {
		if seen[obj.schema] {
			return
		}
		seen[obj.schema] = true
		s, ok := all[obj.schema]
		if !ok {
			t.Errorf("schema %s is not in the reference", obj.schema)
			return
		}
		props, _ := s["properties"].(map[string]any)
		if diff := cmp.Diff(slices.Sorted(maps.Keys(props)), slices.Sorted(maps.Keys(obj.fields))); diff != "" {
			t.Errorf("%s properties (-reference +simulator):\n%s", obj.schema, diff)
		}
		if diff := cmp.Diff(slices.Sorted(slices.Values(strs(s["required"]))), slices.Sorted(slices.Values(obj.required))); diff != "" {
			t.Errorf("%s required (-reference +simulator):\n%s", obj.schema, diff)
		}
		for name, raw := range props {
			p := raw.(map[string]any)
			f, ok := obj.fields[name]
			if !ok {
				continue
			}
			where := obj.schema + "." + name
			if diff := cmp.Diff(strs(p["enum"]), append([]string{}, f.enum...)); diff != "" {
				t.Errorf("%s enum (-reference +simulator):\n%s", where, diff)
			}
			desc, _ := p["description"].(string)
			if want := strings.Contains(desc, "[single-line only]"); want != f.singleLine {
				t.Errorf("%s: single-line %v, reference says %v", where, f.singleLine, want)
			}
			typ, _ := p["type"].(string)
			var wantKind kind
			switch ref := refName(p); {
			case ref != "":
				wantKind = kObject
				if f.obj == nil || f.obj.schema != ref {
					t.Errorf("%s: reference says %s", where, ref)
					continue
				}
			case typ == "array" && refName(p["items"]) != "":
				wantKind = kArray
				if f.obj == nil || f.obj.schema != refName(p["items"]) {
					t.Errorf("%s: reference says a list of %s", where, refName(p["items"]))
					continue
				}
			case typ == "array":
				wantKind = kHours // the only lists of strings are hours
			case typ == "boolean":
				wantKind = kBool
			case typ == "integer":
				wantKind = kInt
			case typ == "string":
				wantKind = kString
			default:
				t.Errorf("%s: type %q not handled", where, typ)
			}
			if f.kind != wantKind {
				t.Errorf("%s: kind %d, want %d (reference type %q)", where, f.kind, wantKind, typ)
			}
			if f.obj != nil {
				walk(f.obj)
			}
		}
	}
	walk(createOfficeMessage)
	walk(e911UpdateMessage)
	if len(countries) != 84 || len(currencies) != 7 {
		t.Errorf("%d countries, %d currencies; the design expects 84 and 7", len(countries), len(currencies))
	}
	if len(seen) != 10 {
		t.Errorf("walked %d schemas, want 10: %v", len(seen), slices.Sorted(maps.Keys(seen)))
	}
}

// TestInt64FieldsMatchReference: the simulator writes as strings exactly
// the int64 properties of the answers' schemas.
func TestInt64FieldsMatchReference(t *testing.T) {
	all := schemas(t)
	want := map[string]bool{}
	for _, name := range []string{
		"schemas.office.OfficeProto", "schemas.company.CompanyProto", "schemas.plan.PlanProto",
		"schemas.group.RoutingOptionsInner", "schemas.group.DtmfOptions",
	} {
		props, _ := all[name]["properties"].(map[string]any)
		for k, p := range props {
			if p.(map[string]any)["format"] == "int64" {
				want[k] = true
			}
		}
	}
	if diff := cmp.Diff(want, int64Fields); diff != "" {
		t.Errorf("int64 fields (-reference +simulator):\n%s", diff)
	}
}

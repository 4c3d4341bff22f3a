package officestest

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// groupsReferencePath is the Dialpad groups OpenAPI spec, outside the repo.
var groupsReferencePath = filepath.Join("..", "..", "..", "shared", "reference", "dialpad-groups-openapi.json")

type groupsSpec struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]map[string]any `json:"schemas"`
	} `json:"components"`
}

// groupsReference reads the groups reference, or skips.
func groupsReference(t *testing.T) groupsSpec {
	t.Helper()
	b, err := os.ReadFile(groupsReferencePath)
	if os.IsNotExist(err) {
		t.Skipf("API reference %s not found: it lives outside the repository in ../shared/reference", groupsReferencePath)
	}
	if err != nil {
		t.Fatal(err)
	}
	var spec groupsSpec
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	return spec
}

// boundPatterns read the bounds the reference states in its descriptions.
var boundPatterns = []*regexp.Regexp{
	regexp.MustCompile(`Choose from (\d+)-(\d+)`),
	regexp.MustCompile(`Choose from (\d+) seconds to (\d+) seconds`),
	regexp.MustCompile(`Choose from (\d+)s to (\d+)s`),
	regexp.MustCompile(`range (\d+) - (\d+)`),
	regexp.MustCompile(`between (\d+) and (\d+)`),
}

var maxLenPattern = regexp.MustCompile(`Max (\d+) characters`)

// boundsWithoutText are bounds the simulator keeps that no description
// states as numbers.
var boundsWithoutText = map[string]bool{
	"schemas.group.Alerts.cc_service_level": true, // "how many percent"
}

// TestGroupValidationMatchesReference walks the groups reference's
// request messages and the simulator's rules side by side: properties,
// required fields, enums, [single-line only], types, and every bound a
// description states (ranges, "Max N characters").
func TestGroupValidationMatchesReference(t *testing.T) {
	all := groupsReference(t).Components.Schemas
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
			wantLen := 0
			if m := maxLenPattern.FindStringSubmatch(desc); m != nil {
				wantLen, _ = strconv.Atoi(m[1])
			}
			if f.maxLen != wantLen {
				t.Errorf("%s: at most %d characters, reference says %d (%q)", where, f.maxLen, wantLen, desc)
			}
			var lo, hi int64
			for _, re := range boundPatterns {
				if m := re.FindStringSubmatch(desc); m != nil {
					lo, _ = strconv.ParseInt(m[1], 10, 64)
					hi, _ = strconv.ParseInt(m[2], 10, 64)
					break
				}
			}
			if (lo != f.min || hi != f.max) && !boundsWithoutText[where] {
				t.Errorf("%s: range %d..%d, reference says %d..%d (%q)", where, f.min, f.max, lo, hi, desc)
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
	for _, obj := range []*object{
		createDepartmentMessage, updateDepartmentMessage, createCallCenterMessage, updateCallCenterMessage,
		addOperatorMessage, removeOperatorMessage, addCallCenterOperatorMessage,
		removeCallCenterOperatorMessage, updateOperatorSkillLevelMessage,
	} {
		walk(obj)
	}
	if len(seen) != 19 {
		t.Errorf("walked %d schemas, want 19: %v", len(seen), slices.Sorted(maps.Keys(seen)))
	}
}

// TestGroupInt64FieldsMatchReference: the simulator writes as strings
// exactly the int64 properties of the groups reference.
func TestGroupInt64FieldsMatchReference(t *testing.T) {
	want := map[string]bool{}
	for _, s := range groupsReference(t).Components.Schemas {
		props, _ := s["properties"].(map[string]any)
		for k, p := range props {
			if p.(map[string]any)["format"] == "int64" {
				want[k] = true
			}
		}
	}
	got := map[string]bool{}
	for k := range groupInt64Fields {
		got[k] = true
	}
	for k := range want {
		if int64Fields[k] {
			got[k] = true // already written as a string for offices
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("int64 fields (-reference +simulator):\n%s", diff)
	}
}

// TestEveryGroupEndpointConforms calls every operation of the groups
// reference with a valid request and checks that it answers 200 with a
// body made only of the properties of the reference's response schema,
// at every depth.
func TestEveryGroupEndpointConforms(t *testing.T) {
	spec := groupsReference(t)
	c, office := newGroupsServer(t, Options{})
	dep := str(groupIDOf(c.ok("POST", "/api/v2/departments", map[string]any{"office_id": office, "name": "Fixture"})))
	cc := str(groupIDOf(c.ok("POST", "/api/v2/callcenters", map[string]any{"office_id": office, "name": "Fixture"})))
	user := str(FirstUserID + 1)
	room := FirstRoomID + 1
	c.ok("POST", "/api/v2/callcenters/"+cc+"/operators", map[string]any{"user_id": user})
	addUser := map[string]any{"operator_id": user, "operator_type": "user", "role": "admin"}
	addRoom := map[string]any{"operator_id": room, "operator_type": "room"}
	routing := map[string]any{
		"open":   map[string]any{"action": "operator", "try_dial_operators": true, "operator_routing": "longestidle"},
		"closed": map[string]any{"action": "voicemail", "try_dial_operators": false},
	}
	// In an order that keeps the fixtures alive until their deletes.
	ops := []struct {
		method, path, actual string
		body                 any
	}{
		{"POST", "/api/v2/departments", "", map[string]any{"office_id": office, "name": "Sales", "routing_options": routing}},
		{"GET", "/api/v2/departments", "?office_id=" + str(office) + "&name_search=Sal", nil},
		{"GET", "/api/v2/departments/{id}", "/api/v2/departments/" + dep, nil},
		{"PATCH", "/api/v2/departments/{id}", "/api/v2/departments/" + dep, map[string]any{"ring_seconds": 15, "routing_options": routing}},
		{"POST", "/api/v2/departments/{id}/operators", "/api/v2/departments/" + dep + "/operators", addUser},
		{"GET", "/api/v2/departments/{id}/operators", "/api/v2/departments/" + dep + "/operators", nil},
		{"DELETE", "/api/v2/departments/{id}/operators", "/api/v2/departments/" + dep + "/operators", map[string]any{"operator_id": user, "operator_type": "user"}},
		{"POST", "/api/v2/callcenters", "", map[string]any{"office_id": office, "name": "Support", "alerts": map[string]any{"cc_service_level": 90}}},
		{"GET", "/api/v2/callcenters", "?office_id=" + str(office), nil},
		{"GET", "/api/v2/callcenters/{id}", "/api/v2/callcenters/" + cc, nil},
		{"PATCH", "/api/v2/callcenters/{id}", "/api/v2/callcenters/" + cc, map[string]any{"hold_queue": map[string]any{"max_hold_count": 500}}},
		{"POST", "/api/v2/callcenters/{id}/operators", "/api/v2/callcenters/" + cc + "/operators", map[string]any{"user_id": str(FirstUserID + 2), "skill_level": 50, "role": "supervisor"}},
		{"GET", "/api/v2/callcenters/{id}/operators", "/api/v2/callcenters/" + cc + "/operators", nil},
		{"GET", "/api/v2/callcenters/{call_center_id}/operators/{user_id}/skill", "/api/v2/callcenters/" + cc + "/operators/" + user + "/skill", nil},
		{"PATCH", "/api/v2/callcenters/{call_center_id}/operators/{user_id}/skill", "/api/v2/callcenters/" + cc + "/operators/" + user + "/skill", map[string]any{"skill_level": 60}},
		{"DELETE", "/api/v2/callcenters/{id}/operators", "/api/v2/callcenters/" + cc + "/operators", map[string]any{"user_id": user}},
		{"POST", "/api/v2/offices/{id}/operators", "/api/v2/offices/" + str(office) + "/operators", addRoom},
		{"GET", "/api/v2/offices/{id}/operators", "/api/v2/offices/" + str(office) + "/operators", nil},
		{"DELETE", "/api/v2/offices/{id}/operators", "/api/v2/offices/" + str(office) + "/operators", addRoom},
		{"GET", "/api/v2/offices/{office_id}/departments", "/api/v2/offices/" + str(office) + "/departments", nil},
		{"GET", "/api/v2/offices/{office_id}/callcenters", "/api/v2/offices/" + str(office) + "/callcenters", nil},
		{"GET", "/api/v2/users", "?email=user1@example.com", nil},
		{"GET", "/api/v2/users/{id}", "/api/v2/users/" + user, nil},
		{"DELETE", "/api/v2/departments/{id}", "/api/v2/departments/" + dep, nil},
		{"DELETE", "/api/v2/callcenters/{id}", "/api/v2/callcenters/" + cc, nil},
	}
	var want, got []string
	for path, methods := range spec.Paths {
		for m := range methods {
			want = append(want, strings.ToUpper(m)+" "+path)
		}
	}
	for _, op := range ops {
		got = append(got, op.method+" "+op.path)
		target := op.actual
		if target == "" || strings.HasPrefix(target, "?") {
			target = op.path + target
		}
		body := c.ok(op.method, target, op.body)
		var o struct {
			Responses map[string]struct {
				Content map[string]struct {
					Schema map[string]any `json:"schema"`
				} `json:"content"`
			} `json:"responses"`
		}
		if err := json.Unmarshal(spec.Paths[op.path][strings.ToLower(op.method)], &o); err != nil {
			t.Fatal(err)
		}
		checkShape(t, op.method+" "+op.path, spec.Components.Schemas, refName(o.Responses["200"].Content["application/json"].Schema), body)
	}
	if diff := cmp.Diff(slices.Sorted(slices.Values(want)), slices.Sorted(slices.Values(got))); diff != "" {
		t.Errorf("operations (-reference +tested):\n%s", diff)
	}
}

// checkShape fails for every key of v, at any depth, that the schema
// named does not have.
func checkShape(t *testing.T, where string, all map[string]map[string]any, schema string, v any) {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Errorf("%s: %s is not an object: %v", where, schema, v)
		return
	}
	props, _ := all[schema]["properties"].(map[string]any)
	for k, x := range m {
		p, ok := props[k].(map[string]any)
		if !ok {
			t.Errorf("%s: %s has no property %q", where, schema, k)
			continue
		}
		if ref := refName(p); ref != "" {
			checkShape(t, where+"."+k, all, ref, x)
		} else if ref := refName(p["items"]); ref != "" {
			list, _ := x.([]any)
			for _, it := range list {
				checkShape(t, where+"."+k+"[]", all, ref, it)
			}
		}
	}
}

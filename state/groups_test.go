package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// group returns a created group entry of office 5100 with spec and
// operators.
func group(id, name string, ops ...Operator) *Entry {
	return &Entry{Status: Created, ID: id, Name: name, OfficeID: "5100",
		Spec: json.RawMessage(`{"name":"` + name + `"}`), SpecSHA256: strings.Repeat("0f", 32), Operators: ops}
}

func TestGroupAccessors(t *testing.T) {
	s := New()
	s.Set("berlin", &Entry{Status: Created, ID: "5100", Name: "Berlin"})
	s.SetOf(KindDepartment, "sales", group("61", "Sales", Operator{Type: OperatorUser, ID: "9", Role: "admin", Email: "a@example.com"}))
	s.SetOf(KindCallCenter, "support", group("71", "Support"))
	s.SetOf(KindDepartment, "desk", group("62", "Desk"))
	if got := s.KeysOf(KindDepartment); !cmp.Equal(got, []string{"desk", "sales"}) {
		t.Errorf("KeysOf(department) = %v", got)
	}
	if got := s.KeysOf(KindOffice); !cmp.Equal(got, s.Keys()) {
		t.Errorf("KeysOf(office) = %v, Keys = %v", got, s.Keys())
	}
	for key, want := range map[string]Kind{"berlin": KindOffice, "sales": KindDepartment, "support": KindCallCenter} {
		if k, ok := s.KindOf(key); !ok || k != want {
			t.Errorf("KindOf(%s) = %q %v, want %q", key, k, ok, want)
		}
	}
	if e, ok := s.GetOf(KindCallCenter, "support"); !ok || e.ID != "71" {
		t.Errorf("GetOf(callcenter, support) = %+v %v", e, ok)
	}
	if _, ok := s.GetOf(KindCallCenter, "sales"); ok {
		t.Error("GetOf found a department among the call centers")
	}
	c := s.Clone()
	e, _ := c.GetOf(KindDepartment, "sales")
	e.Operators[0].Role = "operator"
	e.Operators = append(e.Operators, Operator{Type: OperatorRoom, ID: "1", Role: "admin"})
	if orig, _ := s.GetOf(KindDepartment, "sales"); len(orig.Operators) != 1 || orig.Operators[0].Role != "admin" {
		t.Errorf("changing a clone's operators changed the state: %+v", orig.Operators)
	}
	s.DeleteOf(KindDepartment, "sales")
	if _, ok := s.KindOf("sales"); ok || len(s.Departments) != 1 {
		t.Errorf("DeleteOf left %v", s.Departments)
	}
	if err := s.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestSortOperators(t *testing.T) {
	ops := []Operator{
		{Type: OperatorUser, ID: "10", Role: "admin"},
		{Type: OperatorUser, ID: "9", Role: "admin"},
		{Type: OperatorRoom, ID: "100", Role: "admin"},
		{Type: OperatorUser, ID: "0011", Role: "admin"},
	}
	SortOperators(ops)
	var got []string
	for _, o := range ops {
		got = append(got, o.Type+":"+o.ID)
	}
	if want := []string{"room:100", "user:9", "user:10", "user:0011"}; !cmp.Equal(got, want) {
		t.Errorf("SortOperators = %v, want %v", got, want)
	}
}

// TestEncodeGroupsMatchesMarshalIndent: a state with groups and
// operators (none empty) is written as json.MarshalIndent writes it.
func TestEncodeGroupsMatchesMarshalIndent(t *testing.T) {
	s := bigState(3)
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	e, _ := s.Get("office-00001")
	e.Operators = []Operator{{Type: OperatorRoom, ID: "52", Role: "operator"}, {Type: OperatorUser, ID: "9", Role: "admin", Email: "a\"<b>@example.com"}}
	s.SetOf(KindDepartment, "sales", group("61", "Sales", Operator{Type: OperatorUser, ID: "9", Role: "operator"}))
	s.Departments["sales"].Protect = true
	s.Departments["sales"].UpdatedAt = &now
	s.SetOf(KindCallCenter, "support", group("71", "Support", Operator{Type: OperatorUser, ID: "9", Role: "supervisor", SkillLevel: 100}))
	for _, k := range Kinds {
		for _, e := range s.Map(k) {
			if e.Spec != nil {
				e.Spec = canonicalCompact(t, e.Spec)
			}
		}
	}
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.String(), string(Encode(s))); diff != "" {
		t.Errorf("Encode differs from json.MarshalIndent (-want +got):\n%s", diff)
	}
}

// TestUpgradeV1Fixtures reads every version 1 state among the fixtures
// (round-trip pairs, hostile files, fuzz seeds, CLI scripts): each is
// read as the current version, written as version 2 (the bytes are
// testdata/resave.txtar's, checked by TestResaveFixtures) and read back
// as the same state, its offices all there.
func TestUpgradeV1Fixtures(t *testing.T) {
	n := 0
	for _, f := range stateFixtures(t) {
		var probe struct{ Version json.RawMessage }
		if json.Unmarshal(f.data, &probe) != nil || string(probe.Version) != "1" {
			continue
		}
		s, err := decode("", f.data, true)
		if err != nil {
			continue // a corrupt v1 file: refused as before (resave.txtar)
		}
		n++
		if s.Version != Version || s.Departments != nil || s.CallCenters != nil {
			t.Errorf("%s: read as version %d with %v and %v", f.name, s.Version, s.Departments, s.CallCenters)
		}
		out := Encode(s)
		if !bytes.HasSuffix(out, []byte("\n  \"version\": 2\n}\n")) {
			t.Errorf("%s: not written as version 2:\n%s", f.name, out)
		}
		back, err := decode("", out, true)
		if err != nil {
			t.Errorf("%s: the upgraded state does not load: %v", f.name, err)
			continue
		}
		if diff := cmp.Diff(s, back); diff != "" {
			t.Errorf("%s: upgraded state read back differs (-v1 +v2):\n%s", f.name, diff)
		}
		var v1 struct{ Offices map[string]json.RawMessage }
		if json.Unmarshal(f.data, &v1) == nil && len(back.Offices) != len(v1.Offices) {
			t.Errorf("%s: %d offices after the upgrade, %d before", f.name, len(back.Offices), len(v1.Offices))
		}
	}
	if n < 15 {
		t.Errorf("only %d version 1 fixtures upgraded", n)
	}
}

// TestUpgradeFirstSaveKeepsV1Backup: the first save of a version 1 state
// writes version 2 and keeps the version 1 file as the backup, which
// still loads.
func TestUpgradeFirstSaveKeepsV1Backup(t *testing.T) {
	v1, err := os.ReadFile("testdata/roundtrip/pending_created.in.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(v1, []byte(`"version": 1`)) {
		t.Fatal("fixture is not version 1")
	}
	path := writeState(t, t.TempDir(), string(v1))
	st := openStore(t, path)
	if got := st.State().Version; got != Version {
		t.Errorf("opened as version %d", got)
	}
	before := st.State()
	if err := st.Update(func(s *State) error {
		s.SetOf(KindDepartment, "sales", group("6100", "Sales"))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	backup, err := os.ReadFile(path + ".backup")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(backup, v1) {
		t.Errorf("the backup is not the version 1 file:\n%s", backup)
	}
	old, err := Load(path + ".backup")
	if err != nil || len(old.Offices) != len(before.Offices) {
		t.Errorf("the version 1 backup does not load: %v", err)
	}
	now, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(now, []byte("\"version\": 2\n")) || !bytes.Contains(now, []byte(`"departments": {`)) {
		t.Errorf("the first save did not write version 2 with the department:\n%s", now)
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Serial != before.Serial+1 || s.Lineage != before.Lineage || len(s.Offices) != len(before.Offices) {
		t.Errorf("after the upgrade: serial %d lineage %q, %d offices; before: %d %q %d",
			s.Serial, s.Lineage, len(s.Offices), before.Serial, before.Lineage, len(before.Offices))
	}
	// Save (without a Store) upgrades the same way.
	path2 := writeState(t, t.TempDir(), string(v1))
	s2, err := Load(path2)
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(path2, s2); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path2 + ".backup"); !bytes.Equal(b, v1) {
		t.Error("Save: the backup is not the version 1 file")
	}
}

const goodDept = `{"status": "created", "id": "6100", "office_id": "5100", "name": "Sales", "spec_sha256": ""}`

func TestLoadRefusesCorruptV2(t *testing.T) {
	ops := func(list string) string {
		return `{"version": 2, "callcenters": {"cc": {"status": "pending", "office_id": "5100", "name": "C", "spec_sha256": "", "operators": ` + list + `}}}`
	}
	deptOps := func(list string) string {
		return `{"version": 2, "departments": {"d": {"status": "pending", "office_id": "5100", "name": "D", "spec_sha256": "", "operators": ` + list + `}}}`
	}
	for _, tc := range []struct {
		name, content string
		want          string // in the message
		at            string // what the error's position points at
	}{
		{"departments in v1", `{"version": 1, "departments": {}}`, `"departments" is not a field of a version 1 state`, `"departments"`},
		{"operators in v1", `{"version": 1, "offices": {"b": {"status": "pending", "name": "B", "spec_sha256": "", "operators": []}}}`, `offices.b: "operators" is not a field of a version 1 state`, `"operators"`},
		{"departments array", `{"version": 2, "departments": []}`, "departments: want an object, not an array", `[]`},
		{"key in two maps", `{"version": 2, "departments": {"berlin": ` + goodDept + `}, "offices": {"berlin": {"status": "pending", "name": "B", "spec_sha256": ""}}}`,
			`offices: key "berlin" is also a key of departments`, `"berlin": {"status": "pending"`},
		{"bad group key", `{"version": 2, "departments": {"Sales": ` + goodDept + `}}`, `departments: key "Sales" does not match`, `"Sales"`},
		{"no office_id", `{"version": 2, "departments": {"d": {"status": "pending", "name": "D", "spec_sha256": ""}}}`, "departments.d.office_id: missing", `"d"`},
		{"office_id letters", `{"version": 2, "callcenters": {"c": {"status": "pending", "office_id": "x1", "name": "C", "spec_sha256": ""}}}`, `callcenters.c.office_id: "x1" is not a Dialpad id`, `"c"`},
		{"office with office_id", `{"version": 2, "offices": {"b": {"status": "pending", "office_id": "1", "name": "B", "spec_sha256": ""}}}`, "offices.b.office_id: an office has none", `"b"`},
		{"office protected", `{"version": 2, "offices": {"b": {"status": "pending", "protect": true, "name": "B", "spec_sha256": ""}}}`, "offices.b.protect: an office has none", `"b"`},
		{"protect string", `{"version": 2, "departments": {"d": {"status": "pending", "office_id": "1", "protect": "yes", "name": "D", "spec_sha256": ""}}}`, "departments.d.protect: want true or false, not a string", `"yes"`},
		{"group created without id", `{"version": 2, "departments": {"d": {"status": "created", "office_id": "1", "name": "D", "spec_sha256": ""}}}`, "departments.d.id: a created department needs its Dialpad id", `"d"`},
		{"group spec array", `{"version": 2, "departments": {"d": {"status": "pending", "office_id": "1", "name": "D", "spec_sha256": "", "spec": []}}}`, "departments.d.spec: want an object, not an array", `[]`},
		{"group bad sha", `{"version": 2, "departments": {"d": {"status": "pending", "office_id": "1", "name": "D", "spec_sha256": "xyz"}}}`, `departments.d.spec_sha256: "xyz" is not 64 lowercase hex digits`, `"d"`},
		{"operators object", ops(`{}`), "callcenters.cc.operators: want a list, not an object", `{}`},
		{"operator null", ops(`[null]`), "callcenters.cc.operators[0]: want an object, not null", `null`},
		{"operator string", ops(`["a@example.com"]`), "callcenters.cc.operators[0]: want an object, not a string", `"a@example.com"`},
		{"operator unknown field", ops(`[{"type": "user", "id": "1", "role": "admin", "user": "x"}]`), `callcenters.cc.operators[0]: unknown field "user"`, `"user"`},
		{"operator duplicate field", ops(`[{"type": "user", "id": "1", "id": "2", "role": "admin"}]`), `callcenters.cc.operators[0]: duplicate field "id"`, `"id": "2"`},
		{"operator no type", ops(`[{"id": "1", "role": "admin"}]`), "callcenters.cc.operators[0]: type: missing", `{"id"`},
		{"operator bad type", ops(`[{"type": "bot", "id": "1", "role": "admin"}]`), `operators[0]: type: "bot" is not user or room`, `{"type"`},
		{"room in call center", ops(`[{"type": "room", "id": "1", "role": "admin"}]`), "operators[0]: type: a call center's operators are users, not rooms", `{"type"`},
		{"operator id number", ops(`[{"type": "user", "id": 1, "role": "admin"}]`), "callcenters.cc.operators[0].id: want a string, not a number", `1,`},
		{"operator id letters", ops(`[{"type": "user", "id": "1a", "role": "admin"}]`), `operators[0]: id: "1a" is not a Dialpad id`, `{"type"`},
		{"operator no role", ops(`[{"type": "user", "id": "1"}]`), "operators[0]: role: missing", `{"type"`},
		{"operator bad role", ops(`[{"type": "user", "id": "1", "role": "boss"}]`), `operators[0]: role: "boss" is not admin, operator or supervisor`, `{"type"`},
		{"supervisor in department", deptOps(`[{"type": "user", "id": "1", "role": "supervisor"}]`), "departments.d.operators[0]: role: supervisor is a call-center role", `{"type"`},
		{"skill in department", deptOps(`[{"type": "user", "id": "1", "role": "admin", "skill_level": 5}]`), "skill_level: only call-center operators have one", `{"type"`},
		{"skill too high", ops(`[{"type": "user", "id": "1", "role": "admin", "skill_level": 101}]`), "operators[0].skill_level: want a whole number in 1..100, not 101", `101`},
		{"skill float", ops(`[{"type": "user", "id": "1", "role": "admin", "skill_level": 5.5}]`), "skill_level: want a whole number in 1..100, not 5.5", `5.5`},
		{"room with email", deptOps(`[{"type": "room", "id": "1", "role": "admin", "email": "a@b.c"}]`), "operators[0]: email: a room has none", `{"type"`},
		{"bad email", ops(`[{"type": "user", "id": "1", "role": "admin", "email": "a b@example.com"}]`), `operators[0]: email: "a b@example.com" is not an email address`, `{"type"`},
		{"email control", ops(`[{"type": "user", "id": "1", "role": "admin", "email": "a@b\u001b[31m"}]`), `is not an email address`, `{"type"`},
		{"operators unsorted", ops("[{\"type\": \"user\", \"id\": \"10\", \"role\": \"admin\"},\n {\"type\": \"user\", \"id\": \"9\", \"role\": \"admin\"}]"), "callcenters.cc.operators[1]: not sorted", `{"type": "user", "id": "9"`},
		{"operator twice", ops(`[{"type": "user", "id": "9", "role": "admin"}, {"type": "user", "id": "9", "role": "operator"}]`), "callcenters.cc.operators[1]: user 9 is listed twice", `{"type": "user", "id": "9", "role": "operator"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeState(t, t.TempDir(), tc.content)
			se := checkRefused(t, path, tc.content, ErrCorrupt)
			msg := se.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not say %q", msg, tc.want)
			}
			if !strings.Contains(msg, "restore "+path+".backup or fix the file") {
				t.Errorf("error %q does not say what to do", msg)
			}
			if strings.ContainsRune(msg, 0x1b) {
				t.Errorf("error %q holds an escape character", msg)
			}
			if got := textAt(tc.content, se.Line, se.Column); !strings.HasPrefix(got, tc.at) {
				t.Errorf("error at %d:%d (%.24q), want at %q: %v", se.Line, se.Column, got, tc.at, msg)
			}
		})
	}
}

// TestLoadRefusesDuplicateIDAcrossKinds: ids are unique across offices,
// departments and call centers.
func TestLoadRefusesDuplicateIDAcrossKinds(t *testing.T) {
	content := `{"version": 2, "departments": {"sales": ` + goodDept + `},` + "\n" +
		` "offices": {"berlin": {"status": "created", "id": "6100", "name": "Berlin", "spec_sha256": ""}}}`
	path := writeState(t, t.TempDir(), content)
	se := checkRefused(t, path, content, ErrDuplicateID)
	msg := se.Error()
	if !strings.Contains(msg, "offices.berlin.id: Dialpad id 6100 is also the id of departments.sales") || se.Line != 2 {
		t.Errorf("error %q (line %d) does not name both entries on line 2", msg, se.Line)
	}
	if _, err := LoadWith(path, Options{AllowDuplicateIDs: true}); err != nil {
		t.Errorf("LoadWith(AllowDuplicateIDs): %v", err)
	}
}

// TestSaveRefusesInvalidGroups: Save checks group entries as Load does,
// and leaves the file as it was.
func TestSaveRefusesInvalidGroups(t *testing.T) {
	user := func(id, role string) Operator { return Operator{Type: OperatorUser, ID: id, Role: role} }
	for _, tc := range []struct {
		name   string
		change func(s *State)
		want   string
	}{
		{"key in two maps", func(s *State) { s.SetOf(KindCallCenter, "berlin", group("71", "B")) }, `callcenters: key "berlin" is also a key of offices`},
		{"bad key", func(s *State) { s.SetOf(KindDepartment, "Sales", group("61", "S")) }, `departments: key "Sales" does not match`},
		{"nil entry", func(s *State) { s.SetOf(KindDepartment, "sales", nil) }, "departments.sales: entry is null"},
		{"no office_id", func(s *State) { e := group("61", "S"); e.OfficeID = ""; s.SetOf(KindDepartment, "sales", e) }, "departments.sales.office_id: missing"},
		{"office_id on office", func(s *State) { s.Offices["berlin"].OfficeID = "1" }, "offices.berlin.office_id: an office has none"},
		{"protect on office", func(s *State) { s.Offices["berlin"].Protect = true }, "offices.berlin.protect: an office has none"},
		{"spec not object", func(s *State) {
			e := group("61", "S")
			e.Spec = json.RawMessage(`[1]`)
			s.SetOf(KindDepartment, "sales", e)
		}, "departments.sales.spec: not a JSON object"},
		{"unsorted", func(s *State) {
			s.SetOf(KindDepartment, "sales", group("61", "S", user("10", "admin"), user("9", "admin")))
		}, "departments.sales.operators[1]: not sorted"},
		{"twice", func(s *State) {
			s.SetOf(KindCallCenter, "cc", group("71", "C", user("9", "admin"), user("9", "supervisor")))
		}, "callcenters.cc.operators[1]: user 9 is listed twice"},
		{"skill 0..100", func(s *State) {
			o := user("9", "admin")
			o.SkillLevel = -1
			s.SetOf(KindCallCenter, "cc", group("71", "C", o))
		}, "callcenters.cc.operators[0]: skill_level: -1 is not in 1..100"},
		{"room in call center", func(s *State) {
			s.SetOf(KindCallCenter, "cc", group("71", "C", Operator{Type: OperatorRoom, ID: "1", Role: "admin"}))
		}, "type: a call center's operators are users, not rooms"},
		{"office operator id", func(s *State) { s.Offices["berlin"].Operators = []Operator{user("", "admin")} }, `offices.berlin.operators[0]: id: "" is not a Dialpad id`},
		{"id shared with an office", func(s *State) { s.SetOf(KindDepartment, "sales", group("5100", "S")) }, "offices.berlin.id: Dialpad id 5100 is also the id of departments.sales"},
		{"id shared by groups", func(s *State) {
			s.SetOf(KindDepartment, "sales", group("61", "S"))
			s.SetOf(KindCallCenter, "cc", group("61", "C"))
		}, "departments.sales.id: Dialpad id 61 is also the id of callcenters.cc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "officectl.state")
			st := openStore(t, path)
			if err := st.Update(func(s *State) error {
				s.Set("berlin", &Entry{Status: Created, ID: "5100", Name: "Berlin"})
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			saved, _ := os.ReadFile(path)
			s := st.State()
			tc.change(s)
			if err := s.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate: %v, want %q", err, tc.want)
			}
			err := Save(path, s)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Save: %v, want %q", err, tc.want)
			}
			err = st.Update(func(s *State) error { tc.change(s); return nil })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Store.Update: %v, want %q", err, tc.want)
			}
			if now, _ := os.ReadFile(path); !bytes.Equal(now, saved) {
				t.Errorf("a refused save changed the file:\n%s", now)
			}
		})
	}
}

// TestStoreUpdateGroupWriteAhead: a group goes to the file pending before
// its create and created after, and every later change of its operators
// or protect is saved (not served stale from the encoder's cache).
func TestStoreUpdateGroupWriteAhead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "officectl.state")
	st := openStore(t, path)
	now := time.Now()
	steps := []struct {
		change func(*State)
		check  func(*Entry) bool
	}{
		{func(s *State) {
			s.SetOf(KindCallCenter, "support", &Entry{Status: Pending, Name: "Support", OfficeID: "5100", StartedAt: &now, Protect: true})
		}, func(e *Entry) bool { return e.Status == Pending && e.Protect && e.Operators == nil }},
		{func(s *State) {
			e, _ := s.GetOf(KindCallCenter, "support")
			e.Status, e.ID, e.CreatedAt = Created, "7100", &now
			e.Operators = []Operator{}
		}, func(e *Entry) bool {
			return e.Status == Created && e.ID == "7100" && e.Operators != nil && len(e.Operators) == 0
		}},
		{func(s *State) {
			e, _ := s.GetOf(KindCallCenter, "support")
			e.Operators = append(e.Operators, Operator{Type: OperatorUser, ID: "9", Role: "operator", SkillLevel: 50, Email: "a@example.com"})
		}, func(e *Entry) bool { return len(e.Operators) == 1 && e.Operators[0].SkillLevel == 50 }},
		{func(s *State) {
			e, _ := s.GetOf(KindCallCenter, "support")
			e.Operators[0].SkillLevel = 80
			e.Protect = false
		}, func(e *Entry) bool { return len(e.Operators) == 1 && e.Operators[0].SkillLevel == 80 && !e.Protect }},
		{func(s *State) { s.DeleteOf(KindCallCenter, "support") }, nil},
	}
	for i, step := range steps {
		if err := st.Update(func(s *State) error { step.change(s); return nil }); err != nil {
			t.Fatal(err)
		}
		s, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		e, ok := s.GetOf(KindCallCenter, "support")
		if step.check == nil {
			if ok || s.CallCenters != nil {
				t.Errorf("after update %d the file still has %+v", i+1, s.CallCenters)
			}
			continue
		}
		if !ok || !step.check(e) || s.Serial != int64(i+1) {
			t.Errorf("after update %d the file has %+v (serial %d)", i+1, e, s.Serial)
		}
		if got, _ := st.EntryOf(KindCallCenter, "support"); !cmp.Equal(got, e) {
			t.Errorf("after update %d EntryOf = %+v, the file has %+v", i+1, got, e)
		}
	}
	if data, _ := os.ReadFile(path); bytes.Contains(data, []byte("callcenters")) {
		t.Errorf("an empty group map is written:\n%s", data)
	}
}

func TestLoadRefusesV3Groups(t *testing.T) {
	content := `{"version": 3, "departments": {"d": ` + goodDept + `}}`
	path := writeState(t, t.TempDir(), content)
	if se := checkRefused(t, path, content, ErrNewerVersion); errors.Is(se, ErrCorrupt) {
		t.Errorf("version 3 reported corrupt: %v", se)
	}
}

// TestRefs: an entry's refs are read, checked (keys valid, values
// decimal ids, an object of strings) and written back with keys sorted;
// a version 1 state has none.
func TestRefs(t *testing.T) {
	base := `{"version": 2, "departments": {"d": {"status": "created", "id": "6", "office_id": "1", "name": "D", "spec_sha256": "", "refs": REFS}}}`
	for _, tc := range []struct{ refs, want string }{
		{`{"Bad": "1"}`, `departments.d.refs: key "Bad" does not match`},
		{`{"o": "x1"}`, `departments.d.refs.o: "x1" is not a Dialpad id`},
		{`{"o": 1}`, `departments.d.refs.o: want a string, not a number`},
		{`["o"]`, `departments.d.refs: want an object, not an array`},
		{`{"o": "1", "o": "2"}`, `departments.d.refs: duplicate key "o"`},
	} {
		_, err := Decode([]byte(strings.Replace(base, "REFS", tc.refs, 1)))
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("refs %s: %v, want %q", tc.refs, err, tc.want)
		}
	}
	if _, err := Decode([]byte(`{"version": 1, "offices": {"a": {"status": "pending", "name": "A", "spec_sha256": "", "refs": {}}}}`)); err == nil || !strings.Contains(err.Error(), `"refs" is not a field of a version 1 state`) {
		t.Errorf("refs in v1: %v", err)
	}
	s, err := Decode([]byte(strings.Replace(base, "REFS", `{"z": "2", "a": "1"}`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	s.Departments["d"].Refs["m"] = "3"
	out := Encode(s)
	if !strings.Contains(string(out), `"refs": {
        "a": "1",
        "m": "3",
        "z": "2"
      },`) {
		t.Errorf("encoded:\n%s", out)
	}
}

// TestKindChangeKey: while apply changes a group's kind, one key names a
// department and a call center; a key of an office and a group is still
// refused.
func TestKindChangeKey(t *testing.T) {
	s := New()
	s.SetOf(KindDepartment, "x", &Entry{Status: Created, ID: "6", OfficeID: "1", Name: "X"})
	s.SetOf(KindCallCenter, "x", &Entry{Status: Pending, OfficeID: "1", Name: "X"})
	if err := s.Validate(); err != nil {
		t.Fatalf("a department and a call center of one key: %v", err)
	}
	if _, err := Decode(Encode(s)); err != nil {
		t.Fatalf("decoding it back: %v", err)
	}
	s.Set("x", &Entry{Status: Pending, Name: "X"})
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "is also a key of offices") {
		t.Errorf("an office and groups of one key: %v", err)
	}
}

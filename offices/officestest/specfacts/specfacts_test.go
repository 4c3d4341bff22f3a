package specfacts

import (
	"bytes"
	"errors"
	"io/fs"
	"testing"
)

// TestFixtureFresh regenerates the facts from ../shared/reference, when it
// is there, and compares them with the committed fixture.
func TestFixtureFresh(t *testing.T) {
	dir, err := ReferenceDir()
	if err != nil {
		t.Fatal(err)
	}
	specs, err := ReadReference(dir)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no reference at %s: the committed facts are checked by every other test, not against the reference", dir)
	}
	if err != nil {
		t.Fatal(err)
	}
	got, err := Generate(specs)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, fixture) {
		t.Errorf("testdata/facts.json is stale: the reference in %s says otherwise; run `make facts` (go generate ./offices/officestest/specfacts) and review the diff", dir)
	}
}

// TestFixtureHoldsTheFacts: the committed facts load and hold what the
// other tests rely on, including the bounds only descriptions state.
func TestFixtureHoldsTheFacts(t *testing.T) {
	f, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Paths) != 16 {
		t.Errorf("%d paths, want 16 (offices 4, groups 12)", len(f.Paths))
	}
	if op := f.Paths["/api/v2/offices"]["post"]; op.Request != "schemas.office.CreateOfficeMessage" || op.Spec != "offices" {
		t.Errorf("POST /api/v2/offices = %+v", op)
	}
	create, err := f.Schema("schemas.office.CreateOfficeMessage")
	if err != nil {
		t.Fatal(err)
	}
	ring := create.Properties["ring_seconds"]
	if ring.Minimum == nil || *ring.Minimum != 10 || ring.Maximum == nil || *ring.Maximum != 45 {
		t.Errorf("ring_seconds bounds %v..%v, want 10..45", ring.Minimum != nil, ring.Maximum != nil)
	}
	if d := create.Properties["group_description"]; d.MaxLength == nil || *d.MaxLength != 256 {
		t.Errorf("group_description = %+v, want at most 256", d)
	}
	if got := create.Properties["e911_address"].RequiredFor; len(got) != 6 {
		t.Errorf("e911_address required for %v, want 6 countries", got)
	}
	if !create.Properties["name"].SingleLine || len(create.Properties["country"].Enum) != 84 {
		t.Errorf("name single-line %v, %d countries", create.Properties["name"].SingleLine, len(create.Properties["country"].Enum))
	}
	if q, _ := f.Schema("schemas.group.HoldQueueDepartment"); q.Properties["max_hold_count"].Maximum == nil || *q.Properties["max_hold_count"].Maximum != 50 {
		t.Errorf("HoldQueueDepartment.max_hold_count = %+v, want at most 50", q.Properties["max_hold_count"])
	}
	if bytes.Contains(fixture, []byte(`"description"`)) || bytes.Contains(fixture, []byte("single-line only")) {
		t.Error("the fixture holds description text")
	}
}

// TestGenerateRefusesDifferentSharedSchemas: a schema both files define
// must be the same object in both.
func TestGenerateRefusesDifferentSharedSchemas(t *testing.T) {
	a := []byte(`{"components":{"schemas":{"X":{"properties":{"a":{"type":"string"}}}}}}`)
	b := []byte(`{"components":{"schemas":{"X":{"properties":{"a":{"type":"integer"}}}}}}`)
	if _, err := Generate(map[string][]byte{"offices": a, "groups": b}); err == nil {
		t.Error("no error for a schema that differs between the files")
	}
	if _, err := Generate(map[string][]byte{"offices": a, "groups": a}); err != nil {
		t.Error(err)
	}
}

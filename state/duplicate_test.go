package state

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// duplicateFixture copies the fixture of a state in which berlin and
// munich share one Dialpad id (what a merge of two state edits in Git
// gives) into a new folder and returns its path and content.
func duplicateFixture(t *testing.T) (string, string) {
	t.Helper()
	data, err := os.ReadFile("testdata/hostile/duplicate_id.state")
	if err != nil {
		t.Fatal(err)
	}
	return writeState(t, t.TempDir(), string(data)), string(data)
}

// TestLoadRefusesDuplicateID: Load and Open refuse the state, naming both
// keys, the id and what to do, at the second entry's place, and leave the
// file alone.
func TestLoadRefusesDuplicateID(t *testing.T) {
	path, content := duplicateFixture(t)
	se := checkRefused(t, path, content, ErrDuplicateID)
	if !errors.Is(se, ErrCorrupt) {
		t.Errorf("not ErrCorrupt too: %v", se)
	}
	if se.Line != 16 || se.Column != 5 {
		t.Errorf("at %d:%d, want 16:5 (the key munich)", se.Line, se.Column)
	}
	for _, want := range []string{
		"two offices share one Dialpad id: offices.munich.id: Dialpad id 5100000000000001 is also the id of offices.berlin",
		`("Berlin"; this one is "Munich")`,
		"officectl state rm --state " + path + " KEY",
		"the file was left unchanged",
	} {
		if !strings.Contains(se.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, se)
		}
	}
}

// TestDuplicateIDRepair: with AllowDuplicateIDs the state loads, so that
// state rm can forget the wrong entry; a save that keeps both is refused,
// one that forgets one of them goes through.
func TestDuplicateIDRepair(t *testing.T) {
	path, content := duplicateFixture(t)
	s, err := LoadWith(path, Options{AllowDuplicateIDs: true})
	if err != nil {
		t.Fatalf("LoadWith: %v", err)
	}
	if len(s.Offices) != 3 || s.Offices["munich"].ID != s.Offices["berlin"].ID {
		t.Fatalf("loaded %v", s.Keys())
	}
	st, err := Open(path, Options{AllowDuplicateIDs: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.Update(func(s *State) error {
		s.Delete("hamburg")
		return nil
	})
	if !errors.Is(err, ErrInvalid) || !errors.Is(err, ErrDuplicateID) || !strings.Contains(err.Error(), "offices.munich.id: Dialpad id 5100000000000001 is also the id of offices.berlin") {
		t.Fatalf("a save keeping both entries: %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != content {
		t.Fatal("a refused save changed the file")
	}
	st.Close()

	// A new Store: the failed save above poisoned the last one.
	st, err = Open(path, Options{AllowDuplicateIDs: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Update(func(s *State) error {
		s.Delete("munich")
		return nil
	}); err != nil {
		t.Fatalf("forgetting munich: %v", err)
	}
	st.Close()
	s, err = Load(path)
	if err != nil {
		t.Fatalf("Load after the repair: %v", err)
	}
	if got := strings.Join(s.Keys(), " "); got != "berlin hamburg" || s.Serial != 8 {
		t.Errorf("after the repair: %s, serial %d", got, s.Serial)
	}
}

// TestSaveRefusesDuplicateID: Save, and a Store whose encoder reuses the
// encoding of unchanged entries, refuse an entry that takes another
// entry's id, whichever of the two changed.
func TestSaveRefusesDuplicateID(t *testing.T) {
	path := filepath.Join(t.TempDir(), "officectl.state")
	s := sampleState() // berlin created with 5100000000000000
	s.Set("hamburg", &Entry{Status: Created, ID: "5100000000000000", Name: "Hamburg"})
	if err := s.Validate(); !errors.Is(err, ErrDuplicateID) {
		t.Errorf("Validate: %v", err)
	}
	if err := Save(path, s); !errors.Is(err, ErrInvalid) || !errors.Is(err, ErrDuplicateID) {
		t.Fatalf("Save: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("the refused state was written")
	}

	st := openStore(t, path)
	if err := st.Update(func(s *State) error {
		s.Set("berlin", &Entry{Status: Created, ID: "5100000000000000", Name: "Berlin"})
		s.Set("hamburg", &Entry{Status: Created, ID: "5100000000000001", Name: "Hamburg"})
		s.Set("munich", &Entry{Status: Pending, Name: "Munich"})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	saved, _ := os.ReadFile(path)
	// munich is new to the encoder's cache; berlin is served from it.
	err := st.Update(func(s *State) error {
		e := s.Offices["munich"]
		e.Status, e.ID = Created, "5100000000000000"
		return nil
	})
	if !errors.Is(err, ErrDuplicateID) || !strings.Contains(err.Error(), "offices.munich.id: Dialpad id 5100000000000000 is also the id of offices.berlin") {
		t.Fatalf("Update giving munich berlin's id: %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != string(saved) {
		t.Error("the refused save changed the file")
	}
}

// TestDuplicateIDGroupWording: when one of the two entries is a group,
// the error (Load's and Validate's) says entries, names the department's
// path, and still wraps ErrDuplicateID; two offices keep their wording.
func TestDuplicateIDGroupWording(t *testing.T) {
	content := `{
  "departments": {
    "berlin-sales": {
      "id": "5100000000000001",
      "name": "Sales",
      "office_id": "5100000000000002",
      "spec_sha256": "",
      "status": "created"
    }
  },
  "lineage": "8c7d6a0e-2b1f-4c3e-9d4a-0f1e2d3c4b5a",
  "offices": {
    "berlin": {
      "id": "5100000000000001",
      "name": "Berlin",
      "spec_sha256": "",
      "status": "created"
    }
  },
  "serial": 7,
  "version": 2
}
`
	path := writeState(t, t.TempDir(), content)
	se := checkRefused(t, path, content, ErrDuplicateID)
	for _, want := range []string{
		"two entries share one Dialpad id: offices.berlin.id: Dialpad id 5100000000000001 is also the id of departments.berlin-sales",
		"one Dialpad object",
	} {
		if !strings.Contains(se.Error(), want) {
			t.Errorf("Load error does not say %q:\n%v", want, se)
		}
	}
	s, err := LoadWith(path, Options{AllowDuplicateIDs: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(); !errors.Is(err, ErrDuplicateID) || !strings.Contains(err.Error(), "two entries share one Dialpad id") || strings.Contains(err.Error(), "offices share") {
		t.Errorf("Validate = %v, want ErrDuplicateID saying entries", err)
	}
}

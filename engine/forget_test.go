package engine

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/state"
)

// TestForget: the entry leaves the state on disk and comes back to the
// caller; an unknown key changes nothing.
func TestForget(t *testing.T) {
	path := filepath.Join(t.TempDir(), "officectl.state")
	store, err := state.Open(path, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	berlin, munich := enginetest.Office("Berlin", "DE"), enginetest.Office("Munich", "DE")
	if err := store.Update(func(st *state.State) error {
		st.Offices["berlin"] = enginetest.Created("5100000000000001", berlin)
		st.Offices["munich"] = enginetest.Created("5100000000000002", munich)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	serial := store.State().Serial

	if _, err := Forget(store, "paris"); !errors.Is(err, ErrNotInState) {
		t.Fatalf("Forget(paris) = %v, want ErrNotInState", err)
	}
	if got := store.State().Serial; got != serial {
		t.Errorf("serial %d after forgetting an unknown key, want %d: nothing to save", got, serial)
	}

	e, err := Forget(store, "berlin")
	if err != nil || e == nil || e.ID != "5100000000000001" || e.Name != "Berlin" {
		t.Fatalf("Forget(berlin) = %+v, %v", e, err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := state.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.Offices["berlin"]; ok || len(st.Offices) != 1 || st.Offices["munich"] == nil {
		t.Errorf("state on disk after forgetting berlin: %v", st.Keys())
	}
}

// TestForgetGroup: a department's or call center's key is found in its
// own map and forgotten there, its kind returned; the offices stay.
func TestForgetGroup(t *testing.T) {
	path := filepath.Join(t.TempDir(), "officectl.state")
	store, err := state.Open(path, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := store.Update(func(st *state.State) error {
		st.Offices["berlin"] = enginetest.Created("5100000000000001", enginetest.Office("Berlin", "DE"))
		st.SetOf(state.KindDepartment, "berlin-sales", &state.Entry{ID: "6100000000000001", Name: "Sales", OfficeID: "5100000000000001", Status: state.Created})
		st.SetOf(state.KindCallCenter, "berlin-support", &state.Entry{ID: "7100000000000001", Name: "Support", OfficeID: "5100000000000001", Status: state.Created})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key  string
		kind state.Kind
		id   string
	}{
		{"berlin-sales", state.KindDepartment, "6100000000000001"},
		{"berlin-support", state.KindCallCenter, "7100000000000001"},
	} {
		kind, e, err := ForgetKind(store, tc.key)
		if err != nil || kind != tc.kind || e == nil || e.ID != tc.id {
			t.Fatalf("ForgetKind(%s) = %q, %+v, %v; want %q with id %s", tc.key, kind, e, err, tc.kind, tc.id)
		}
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := state.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Departments) != 0 || len(st.CallCenters) != 0 || st.Offices["berlin"] == nil {
		t.Errorf("state on disk after forgetting both groups: offices %v, departments %v, callcenters %v", st.Keys(), st.KeysOf(state.KindDepartment), st.KeysOf(state.KindCallCenter))
	}
}

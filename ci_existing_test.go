package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// TestApplyAdoptExistingMaxCreates: CI set up for a company that already
// has 41 offices, with an empty state: apply --max-creates 25
// --adopt-existing adopts the 41 (adoptions create nothing, so they do not
// count against the limit) and records them; with 30 new offices beside
// them it is still refused, counting only the 30.
func TestApplyAdoptExistingMaxCreates(t *testing.T) {
	sim := officestest.NewServer(t, officestest.Options{Token: ciTestKey, RatePerMinute: -1})
	dir := t.TempDir()
	cfg := filepath.Join(dir, "cfg")
	var keys []string
	for i := range 41 {
		key := fmt.Sprintf("office-%02d", i)
		keys = append(keys, key)
		writeFile(t, filepath.Join(cfg, key+".yaml"), officeYAML(key, fmt.Sprintf("Office %02d", i), "Lisbon"))
	}
	// The company's offices, made before officectl (here by another state).
	if code, _, stderr := runCLI(t, sim.URL, nil, "apply", cfg, "--state", filepath.Join(dir, "before.state"), "--auto-approve", "--max-creates", "41"); code != exitOK {
		t.Fatalf("making the 41 offices: exit %d\n%s", code, stderr)
	}
	st := filepath.Join(dir, "ci.state")
	code, _, stderr := runCLI(t, sim.URL, nil, "apply", cfg, "--state", st, "--auto-approve", "--max-creates", "25", "--adopt-existing")
	if code != exitOK {
		t.Fatalf("apply --max-creates 25 --adopt-existing of 41 live offices: exit %d, want 0\n%s", code, stderr)
	}
	for _, want := range []string{"41 of the offices to create are live under their exact names", "0 created, 41 adopted"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("apply output lacks %q:\n%s", want, stderr)
		}
	}
	if n := len(sim.Offices()); n != 41 {
		t.Errorf("%d offices in Dialpad, want the 41 (nothing created)", n)
	}
	loaded, err := state.Load(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if e := loaded.Offices[k]; e == nil || e.Status != state.Created || e.ID == "" {
			t.Errorf("state %s: %+v, want adopted", k, e)
		}
	}

	// 30 new offices beside the 41: the 30 are over the limit.
	for i := range 30 {
		key := fmt.Sprintf("new-%02d", i)
		writeFile(t, filepath.Join(cfg, key+".yaml"), officeYAML(key, fmt.Sprintf("New %02d", i), "Porto"))
	}
	os.Remove(st)
	code, _, stderr = runCLI(t, sim.URL, nil, "apply", cfg, "--state", st, "--auto-approve", "--max-creates", "25", "--adopt-existing")
	if code != exitError || !strings.Contains(stderr, "this plan creates up to 30 offices (and adopts 41 offices live under their exact names), more than --max-creates 25") {
		t.Errorf("41 adoptions and 30 creates with --max-creates 25: exit %d, want 1 refusing the 30\n%s", code, stderr)
	}
	if n := len(sim.Offices()); n != 41 {
		t.Errorf("%d offices in Dialpad after a refused apply, want 41", n)
	}
}

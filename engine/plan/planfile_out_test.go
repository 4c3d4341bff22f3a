package plan_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/plan"
)

// TestCheckOutPath: a plan file replaces only an earlier plan file, an
// empty file or nothing; never the state's files, a config file, a link
// or a file of other content. SavePlanFile refuses them too, through the
// paths the plan records, and leaves the file as it was.
func TestCheckOutPath(t *testing.T) {
	root := t.TempDir()
	cfg := filepath.Join(root, "cfg")
	statePath := filepath.Join(cfg, "officectl.state")
	write := func(name, data string) string {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("cfg/offices.yaml", "offices: {}\n")
	write("cfg/.hidden.json", "{}")
	write("notes.txt", "notes")
	write("empty.json", "")
	write("old.json", `{"format_version": 1, "changes": []}`)
	write("cfg/old-plan.json", `{"format_version": 1, "changes": []}`)
	link := filepath.Join(root, "link.json")
	if err := os.Symlink(filepath.Join(root, "old.json"), link); err != nil {
		t.Skip(err)
	}
	for _, tc := range []struct {
		path string
		ok   bool
	}{
		{statePath, false},
		{statePath + ".backup", false},
		{statePath + ".lock", false},
		{filepath.Join(cfg, ".officectl.state.tmp-42"), false},
		{filepath.Join(cfg, "sub", "..", "officectl.state"), false},
		{filepath.Join(cfg, "offices.yaml"), false},
		{filepath.Join(cfg, "policy.cue"), false},
		{filepath.Join(root, "notes.txt"), false},
		{link, false},
		{cfg, false},
		{filepath.Join(cfg, ".hidden.json"), false}, // not config, but not a plan either
		{filepath.Join(root, "old.json"), true},
		{filepath.Join(cfg, "old-plan.json"), true},
		{filepath.Join(cfg, "new-plan.json"), true},
		{filepath.Join(root, "empty.json"), true},
		{filepath.Join(root, "new.json"), true},
	} {
		err := plan.CheckOutPath(tc.path, cfg, statePath)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, plan.ErrOutRefused)) {
			t.Errorf("CheckOutPath(%s) = %v; want ok %v", tc.path, err, tc.ok)
		}
	}

	ds, st := enginetest.AllActions()
	p := enginetest.MustPlan(t, ds, st)
	if err := p.SetPaths(statePath, cfg, statePath); err != nil {
		t.Fatal(err)
	}
	if err := plan.SavePlanFile(statePath, p); !errors.Is(err, plan.ErrOutRefused) {
		t.Errorf("SavePlanFile over the state it records = %v, want ErrOutRefused", err)
	}
	if _, err := os.Lstat(statePath); err == nil {
		t.Errorf("SavePlanFile wrote %s", statePath)
	}
}

package state_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/officectl/officectl/state"
)

// TestFileOf: the state's own files are named whether they exist or not,
// by any spelling of their path, and a hard link to the state is found
// by identity.
func TestFileOf(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "officectl.state")
	for name, want := range map[string]string{
		path:             "the state file",
		path + ".backup": "the state's backup",
		path + ".lock":   "the state's lock file",
		filepath.Join(dir, ".officectl.state.tmp-1"):     "a temporary file of a state save",
		filepath.Join(dir, ".officectl.state.backup-1"):  "a temporary file of a state save",
		filepath.Join(dir, "x", "..", "officectl.state"): "the state file",
		filepath.Join(dir, "plan.json"):                  "",
		filepath.Join(dir, "officectl.state.json"):       "",
	} {
		if got := state.FileOf(path, name); got != want {
			t.Errorf("FileOf(%s) = %q, want %q", name, got, want)
		}
	}
	if err := state.Save(path, state.New()); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, "other-name")
	if err := os.Link(path, hard); err != nil {
		t.Skip(err)
	}
	if got := state.FileOf(path, hard); got != "the state file" {
		t.Errorf("FileOf(hard link) = %q, want the state file", got)
	}
}

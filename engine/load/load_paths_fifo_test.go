//go:build unix

package load

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/officectl/officectl/schema"
)

// TestLoadPathsNamedFIFO: a FIFO named among the files is a diagnostic at
// that file; the other files are still read and checked.
func TestLoadPathsNamedFIFO(t *testing.T) {
	dir := t.TempDir()
	good, bad, fifo := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml"), filepath.Join(dir, "f.yaml")
	if err := os.WriteFile(good, []byte(plainOfficeYAML("berlin", "Berlin")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(strings.Replace(plainOfficeYAML("munich", "Munich"), "country: DE", "country: XX", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	_, diags, err := LoadPaths([]string{good, fifo, bad}, LoadOptions{})
	if err != nil {
		t.Fatalf("LoadPaths: %v, want diagnostics", err)
	}
	var atFIFO, atBad bool
	for _, d := range diags {
		switch {
		case d.File == fifo && d.Severity == schema.Error && strings.Contains(d.Message, "not a regular file (a named pipe)"):
			atFIFO = true
		case d.File == bad && d.Severity == schema.Error:
			atBad = true
		}
	}
	if !atFIFO || !atBad {
		t.Fatalf("diagnostics %v: want an error at the FIFO %s and one at %s", diags, fifo, bad)
	}
}

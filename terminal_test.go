//go:build linux

package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestIsTerminal: a pseudo-terminal is one; /dev/null (where CI jobs
// point stdin), a regular file, a pipe and a non-file are not.
func TestIsTerminal(t *testing.T) {
	_, slave := openPTY(t)
	if !isTerminal(slave) {
		t.Error("a pseudo-terminal is not a terminal")
	}
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	regular, err := os.Create(filepath.Join(t.TempDir(), "in"))
	if err != nil {
		t.Fatal(err)
	}
	defer regular.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for name, v := range map[string]any{"/dev/null": devNull, "regular file": regular, "pipe": r, "nil file": (*os.File)(nil), "not a file": "tty"} {
		if isTerminal(v) {
			t.Errorf("%s is taken for a terminal", name)
		}
	}
	// Colour needs a terminal and the environment's consent.
	std := stdio{getenv: func(k string) string { return map[string]string{"NO_COLOR": ""}[k] }}
	if !std.color(slave) || std.color(devNull) {
		t.Errorf("color: terminal %v, /dev/null %v; want true, false", std.color(slave), std.color(devNull))
	}
	std.getenv = func(k string) string { return map[string]string{"NO_COLOR": "1"}[k] }
	if std.color(slave) {
		t.Error("color on a terminal with NO_COLOR set")
	}
}

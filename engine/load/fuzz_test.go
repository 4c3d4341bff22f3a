package load

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/officectl/officectl/schema"
)

// fuzzExts are the file kinds FuzzLoadConfig writes, picked by kind%3.
var fuzzExts = [3]string{".yaml", ".json", ".cue"}

// officeKey must match #Key in schema/office.cue.
var officeKey = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

var fuzzCountries = sync.OnceValues(func() ([]string, error) { return schema.EnumValues("#Countries") })

// FuzzLoadConfig writes arbitrary bytes to one config file (YAML, JSON or
// CUE by kind%3; seeds in testdata/fuzz/FuzzLoadConfig) and loads its
// directory. Load must never panic nor fail: with one readable file there
// is no directory problem, so every bad input is a diagnostic. It returns
// a config only when no diagnostic is an error, and then every office has
// a valid key, a one-line name and an allowed country. Every diagnostic
// points at the file and says in one line (path and message) what is wrong, without CUE's
// bottom (_|_) or a Go stack unless the file itself has that text (a CUE
// file may write _|_, and messages may quote the user's values).
func FuzzLoadConfig(f *testing.F) {
	f.Add(byte(0), []byte("offices: {}\n"))
	f.Fuzz(func(t *testing.T, kind byte, src []byte) {
		dir := t.TempDir()
		name := "office" + fuzzExts[kind%3]
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, diags, err := Load(dir, LoadOptions{})
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		for _, d := range diags {
			switch {
			case d.File != path && d.File != name:
				t.Errorf("diagnostic names file %q, want %q: %v", d.File, path, d)
			case d.Line < 0 || d.Column < 0:
				t.Errorf("diagnostic at a negative place: %v", d)
			case d.Severity != schema.Error && d.Severity != schema.Warning:
				t.Errorf("diagnostic of severity %q: %v", d.Severity, d)
			case strings.TrimSpace(d.Message) == "":
				t.Errorf("diagnostic without a message: %#v", d)
			case leaks(d.Message, src, "_|_"), leaks(d.Message, src, "goroutine "):
				t.Errorf("diagnostic shows internals: %q", d.Message)
			case strings.ContainsAny(d.Message, "\r\n"), strings.ContainsAny(d.Path, "\r\n"):
				t.Errorf("diagnostic of several lines: %q: %q", d.Path, d.Message)
			}
		}
		if cfg == nil {
			if !schema.HasErrors(diags) {
				t.Fatalf("no config and no error diagnostic: %v", diags)
			}
			return
		}
		if schema.HasErrors(diags) {
			t.Fatalf("a config despite error diagnostics: %v", diags)
		}
		countries, err := fuzzCountries()
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range cfg.Offices {
			if !officeKey.MatchString(o.Key) {
				t.Errorf("office key %q accepted", o.Key)
			}
			if o.Office.Name == "" || strings.ContainsAny(o.Office.Name, "\r\n") {
				t.Errorf("office %q: name %q accepted", o.Key, o.Office.Name)
			}
			if !slices.Contains(countries, o.Office.Country) {
				t.Errorf("office %q: country %q accepted", o.Key, o.Office.Country)
			}
		}
	})
}

// leaks reports whether msg has internal text that src does not have.
func leaks(msg string, src []byte, internal string) bool {
	return strings.Contains(msg, internal) && !bytes.Contains(src, []byte(internal))
}

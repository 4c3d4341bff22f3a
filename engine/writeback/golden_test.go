package writeback

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/officectl/officectl/internal/linediff"
)

// update rewrites the golden sections of testdata/*.txtar instead of
// comparing: go test ./engine/writeback -update, then read the diff
// before committing.
var update = flag.Bool("update", false, "rewrite golden files")

// exampleDir is the example config the edits are made on and validated
// with.
const exampleDir = "../../testdata/example"

// TestGolden makes the edits of each testdata/*.txtar on its file and
// compares the result, what was left manual and the diagnostics of the
// example config with the edited file in place with the archive's
// golden sections. Each archive holds:
//
//	file         a file of the example config to edit, or
//	in.EXT       a file of its own (added to the example config to validate)
//	policy.cue   (optional) policy besides the example's
//	edits        one JSON object a line: {"path": […], "value": …} or {"path": […], "delete": true}
//	lines        the line diff the edits must make, "-REMOVED +ADDED" (written by hand)
//	out          golden: the edited file
//	manual       golden: the values left to do by hand
//	diagnostics  golden: `officectl validate` of the example config with the edited file
func TestGolden(t *testing.T) {
	paths, _ := filepath.Glob("testdata/*.txtar")
	if len(paths) == 0 {
		t.Fatal("no testdata/*.txtar")
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			sec := map[string][]byte{}
			for _, f := range ar.Files {
				sec[f.Name] = f.Data
			}
			var name string // the file as the example config holds it
			var src []byte
			if f := strings.TrimSpace(string(sec["file"])); f != "" {
				name = f
				if src, err = os.ReadFile(filepath.Join(exampleDir, f)); err != nil {
					t.Fatal(err)
				}
			} else {
				for k, v := range sec {
					if strings.HasPrefix(k, "in.") {
						name, src = "writeback-test."+strings.TrimPrefix(k, "in."), v
					}
				}
			}
			format, ok := FormatOf(name)
			if !ok {
				t.Fatalf("no file or in.EXT section")
			}
			edits := parseEdits(t, sec["edits"])
			var opts Options
			for _, p := range []string{filepath.Join(exampleDir, "policy.cue")} {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				opts.Policy = append(opts.Policy, File{Name: "policy.cue", Format: CUE, Src: b})
			}
			if p := sec["policy.cue"]; p != nil {
				opts.Policy = append(opts.Policy, File{Name: "writeback-policy.cue", Format: CUE, Src: p})
			}
			out, manual, err := Apply(File{Name: name, Format: format, Src: src}, edits, opts)
			if err != nil {
				t.Fatal(err)
			}
			var mb strings.Builder
			for _, m := range manual {
				mb.WriteString(m.String() + "\n")
			}
			edited := map[string][]byte{filepath.Join(exampleDir, name): out}
			if p := sec["policy.cue"]; p != nil {
				edited[filepath.Join(exampleDir, "writeback-policy.cue")] = p
			}
			diags, err := Validate(exampleDir, edited, nil)
			if err != nil {
				t.Fatal(err)
			}
			var db strings.Builder
			for _, d := range diags {
				d.File = filepath.ToSlash(strings.TrimPrefix(d.File, exampleDir+string(filepath.Separator)))
				db.WriteString(d.String() + "\n")
			}
			got := map[string]string{"out": string(out), "manual": mb.String(), "diagnostics": db.String()}
			removed, added := linediff.Count(string(src), string(out))
			if want, have := strings.TrimSpace(string(sec["lines"])), fmt.Sprintf("-%d +%d", removed, added); want != have {
				t.Errorf("the edits changed lines %s, want %s", have, want)
			}
			if *update {
				for i, f := range ar.Files {
					if g, ok := got[f.Name]; ok {
						ar.Files[i].Data = []byte(g)
						delete(got, f.Name)
					}
				}
				for _, k := range []string{"out", "manual", "diagnostics"} {
					if g, ok := got[k]; ok {
						ar.Files = append(ar.Files, txtar.File{Name: k, Data: []byte(g)})
					}
				}
				if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, k := range []string{"out", "manual", "diagnostics"} {
				if d := cmp.Diff(string(sec[k]), got[k]); d != "" {
					t.Errorf("%s differs from the golden section (-want +got; go test -update rewrites it):\n%s", k, d)
				}
			}
		})
	}
}

// parseEdits reads one edit a line.
func parseEdits(t *testing.T, b []byte) []Edit {
	t.Helper()
	var edits []Edit
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var e struct {
			Path   []string        `json:"path"`
			Value  json.RawMessage `json:"value"`
			Delete bool            `json:"delete"`
		}
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			t.Fatalf("edit %s: %v", line, err)
		}
		edits = append(edits, Edit{Path: e.Path, Value: e.Value, Delete: e.Delete})
	}
	return edits
}

// TestValidateNamesRealFiles: a diagnostic that names a second place (the
// first of two duplicate operators) names the config's file, not the
// temporary copy Validate loads.
func TestValidateNamesRealFiles(t *testing.T) {
	name := filepath.Join(exampleDir, "groups.yaml")
	src, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	dup := strings.Replace(string(src), "- {user: 5300000000000005, skill_level: 70}", "- {user: 5300000000000005, skill_level: 70}\n      - {user: 5300000000000005}", 1)
	if dup == string(src) {
		t.Fatal("the example changed: no operator to duplicate")
	}
	diags, err := Validate(exampleDir, map[string][]byte{name: []byte(dup)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range diags {
		if strings.Contains(d.Message, "listed twice") {
			found = true
			if strings.Contains(d.Message, "officectl-writeback-") || !strings.Contains(d.Message, name) {
				t.Errorf("message names the temporary copy, not %s: %s", name, d.Message)
			}
		}
	}
	if !found {
		t.Fatalf("no duplicate reported: %v", diags)
	}
}

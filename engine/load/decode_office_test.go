package load

import (
	"os"
	"path/filepath"
	"testing"

	"cuelang.org/go/cue"
	"github.com/google/go-cmp/cmp"

	"github.com/officectl/officectl/offices"
)

// TestDecodeOfficeFastPath checks that an office decoded from the user's
// data plus the schema's defaults (the path taken without CUE policy) is
// the office CUE's unified value holds, whether read from the syntax tree
// or, where that cannot be, from the CUE value.
func TestDecodeOfficeFastPath(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/example/*.yaml")
	more, _ := filepath.Glob("../../testdata/example/*.json")
	tricky, _ := filepath.Glob("testdata/decode/*.yaml")
	files = append(append(files, more...), tricky...)
	// Offices that need the CUE value: a number not written in decimal.
	fromValue := map[string]bool{"lisbon": true}
	v := newValidator(nil)
	n := 0
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		tree, d := parse(name, src)
		if d != nil {
			t.Fatal(d)
		}
		data, d := compileData(v.ctx, name, tree)
		if d != nil {
			t.Fatal(d)
		}
		u, diags := v.schema.Validate(name, data, cue.Value{})
		if len(diags) > 0 {
			t.Fatalf("%s: %v", name, diags)
		}
		it, _ := data.LookupPath(cue.ParsePath("offices")).Fields()
		for it.Next() {
			eff := u.LookupPath(cue.MakePath(cue.Str("offices"), it.Selector()))
			var fast, full offices.Office
			if err := v.decodeOffice(officeSource{file: name, data: it.Value()}, eff, &fast); err != nil {
				t.Fatal(err)
			}
			if err := eff.Decode(&full); err != nil {
				t.Fatal(err)
			}
			if _, plain := plainValue(valueSource(it.Value())); plain == fromValue[it.Selector().Unquoted()] {
				key := it.Selector().Unquoted()
				t.Errorf("%s: read from the syntax tree: %v, want %v", key, fromValue[key], !fromValue[key])
			}
			if diff := cmp.Diff(full, fast); diff != "" {
				t.Errorf("%s: fast decode differs (-cue +fast):\n%s", it.Selector(), diff)
			}
			n++
		}
	}
	if n < 6 {
		t.Fatalf("compared %d offices", n)
	}
}

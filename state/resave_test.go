package state

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"
)

// stateFixture is one state file of the repository's test data.
type stateFixture struct {
	name string
	data []byte
}

// stateFixtures returns every state file the tests hold: the round-trip
// pairs, the hostile files, the FuzzLoad seeds and the state files of the
// CLI scripts (../testdata/script/*.txtar).
func stateFixtures(t *testing.T) []stateFixture {
	t.Helper()
	var fs []stateFixture
	for _, pat := range []string{"testdata/roundtrip/*.json", "testdata/hostile/*"} {
		names, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			b, err := os.ReadFile(n)
			if err != nil {
				t.Fatal(err)
			}
			fs = append(fs, stateFixture{n, b})
		}
	}
	seeds, err := filepath.Glob("testdata/fuzz/FuzzLoad/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range seeds {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		lit, ok := strings.CutPrefix(lines[len(lines)-1], "[]byte(")
		if !ok || len(lines) != 2 {
			t.Fatalf("%s: not a one-value fuzz corpus file", n)
		}
		v, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		fs = append(fs, stateFixture{n, []byte(v)})
	}
	scripts, err := filepath.Glob("../testdata/script/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range scripts {
		a, err := txtar.ParseFile(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range a.Files {
			if strings.HasSuffix(f.Name, ".state") {
				fs = append(fs, stateFixture{strings.TrimPrefix(n, "../") + "/" + f.Name, f.Data})
			}
		}
	}
	if len(fs) < 20 {
		t.Fatalf("only %d state fixtures found", len(fs))
	}
	return fs
}

// TestResaveFixtures loads every state fixture and encodes it again: the
// bytes (or the error, for a file Load refuses) must be those recorded
// in testdata/resave.txtar, which was written by the codec this one
// replaced, so that no existing state file changes on its next save.
// A fixture written by officectl (*.out.json) must come back byte for
// byte.
func TestResaveFixtures(t *testing.T) {
	var got txtar.Archive
	for _, f := range stateFixtures(t) {
		var out []byte
		s, err := decode("", f.data, true)
		if err != nil {
			out = []byte("error: " + err.Error() + "\n")
		} else {
			out = Encode(s)
			if strings.HasSuffix(f.name, ".out.json") && !bytes.Equal(out, f.data) {
				t.Errorf("%s: re-encoded differently:\n%s", f.name, cmp.Diff(string(f.data), string(out)))
			}
		}
		got.Files = append(got.Files, txtar.File{Name: f.name, Data: out})
	}
	golden := "testdata/resave.txtar"
	if *update {
		if err := os.WriteFile(golden, txtar.Format(&got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := txtar.ParseFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	wantByName := map[string]string{}
	for _, f := range want.Files {
		wantByName[f.Name] = string(f.Data)
	}
	for _, f := range got.Files {
		w, ok := wantByName[f.Name]
		if !ok {
			t.Errorf("%s: not in %s (run go test -update)", f.Name, golden)
			continue
		}
		if diff := cmp.Diff(w, string(f.Data)); diff != "" {
			t.Errorf("%s: re-saved differently (-want +got):\n%s", f.Name, diff)
		}
	}
	if len(want.Files) != len(got.Files) {
		t.Errorf("%s holds %d files, the fixtures are %d", golden, len(want.Files), len(got.Files))
	}
}

package state

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeState writes content as dir/officectl.state and returns its path.
func writeState(t testing.TB, dir, content string) string {
	t.Helper()
	path := filepath.Join(dir, "officectl.state")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// dirNames lists dir's entries.
func dirNames(t testing.TB, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// checkRefused checks that the state file at path, holding content, is
// refused by Load and by Open with an error matching want, and that
// neither changed it or left any other file (backup, temp, lock) beside it.
func checkRefused(t *testing.T, path, content string, want error) *Error {
	t.Helper()
	_, err := Load(path)
	var se *Error
	if !errors.As(err, &se) || !errors.Is(err, want) {
		t.Fatalf("Load: got error %v, want an *Error wrapping %v", err, want)
	}
	if se.Path != path || !strings.HasPrefix(err.Error(), path) {
		t.Errorf("error does not name %s: %v", path, err)
	}
	if st, err := Open(path, Options{}); !errors.Is(err, want) {
		if st != nil {
			st.Close()
		}
		t.Errorf("Open: got error %v, want %v", err, want)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != content {
		t.Errorf("refused state file was changed:\n%s", got)
	}
	if names := dirNames(t, filepath.Dir(path)); !slices.Equal(names, []string{filepath.Base(path)}) {
		t.Errorf("files beside the refused state: %v", names)
	}
	return se
}

func TestLoadMissingIsEmpty(t *testing.T) {
	s, err := Load(filepath.Join(t.TempDir(), "officectl.state"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != Version || s.Lineage != "" || s.Serial != 0 || s.Offices == nil || len(s.Offices) != 0 {
		t.Errorf("Load of a missing file = %+v, want New()", s)
	}
}

const goodEntry = `{"status": "created", "id": "5100", "name": "Berlin", "spec_sha256": ""}`

func TestLoadRefusesCorrupt(t *testing.T) {
	for _, tc := range []struct {
		name, content string
		want          string // in the message
		at            string // what the error's position points at; "": no position
	}{
		{"empty", "", "the file is empty", ``},
		{"spaces", " \n\t", "the file is empty", ``},
		{"syntax", "{\n  \"version\": 1,\n  \"serial\": 1 2\n}\n", "invalid character '2' after object key:value pair", "2\n}"},
		{"truncated", "{\n  \"version\": 1,\n  \"offices\": {", "unexpected end of JSON input", `{`},
		{"merge conflict", "{\n<<<<<<< HEAD\n  \"version\": 1\n}\n", "invalid character '<'", `<<<<<<<`},
		{"trailing data", `{"version": 1} {}`, "invalid character '{' after top-level value", `{}`},
		{"array", `[{"version": 1}]`, "must be a JSON object", `[{`},
		{"null", `null`, "must be a JSON object", `null`},
		{"no version", `{"offices": {}}`, `no "version" field`, ``},
		{"version string", `{"version": "1"}`, `version: want a number, not "1"`, ``},
		{"version zero", `{"version": 0}`, "version: 0 is not a version number", ``},
		{"version negative", `{"version": -3}`, "version: -3 is not a version number", ``},
		{"version float", `{"version": 1.5}`, "version: 1.5 is not a version number", ``},
		{"serial negative", `{"version": 1, "serial": -1}`, "serial: want a whole number ≥ 0, not -1", `-1`},
		{"serial string", `{"version": 1, "serial": "3"}`, `serial: want a whole number ≥ 0, not "3"`, `"3"`},
		{"lineage number", `{"version": 1, "lineage": 7}`, "lineage: want a string, not a number", `7}`},
		{"company id", `{"version": 1, "company_id": "42x"}`, `company_id: "42x" is not a Dialpad id`, `"company_id"`},
		{"unknown field", `{"version": 1, "extra": 1}`, `unknown field "extra"`, `"extra"`},
		{"miscased field", `{"version": 1, "Serial": 1}`, `unknown field "Serial"`, `"Serial"`},
		{"duplicate field", `{"version": 1, "serial": 1, "serial": 2}`, `duplicate field "serial"`, `"serial": 2`},
		{"offices array", `{"version": 1, "offices": []}`, "offices: want an object, not an array", `[]`},
		{"bad key", `{"version": 1, "offices": {"Berlin": ` + goodEntry + `}}`, `offices: key "Berlin" does not match`, `"Berlin"`},
		{"long key", `{"version": 1, "offices": {"` + strings.Repeat("a", 64) + `": ` + goodEntry + `}}`, `does not match`, `"aaaa`},
		{"duplicate key", `{"version": 1, "offices": {"berlin": ` + goodEntry + `, "berlin": ` + goodEntry + `}}`, `offices: duplicate key "berlin"`, `"berlin": {`},
		{"null entry", `{"version": 1, "offices": {"berlin": null}}`, "offices.berlin: entry is null", `"berlin": null`},
		{"entry string", `{"version": 1, "offices": {"berlin": "x"}}`, "offices.berlin: want an object, not a string", `"x"`},
		{"bad status", `{"version": 1, "offices": {"berlin": {"status": "done", "name": "B", "spec_sha256": ""}}}`, `offices.berlin.status: "done" is not created or pending`, `"berlin"`},
		{"no status", `{"version": 1, "offices": {"berlin": {"name": "B", "spec_sha256": ""}}}`, `offices.berlin.status: missing`, `"berlin"`},
		{"created without id", `{"version": 1, "offices": {"berlin": {"status": "created", "name": "B", "spec_sha256": ""}}}`, "offices.berlin.id: a created office needs its Dialpad id", `"berlin"`},
		{"id letters", `{"version": 1, "offices": {"berlin": {"status": "created", "id": "51a", "name": "B", "spec_sha256": ""}}}`, `offices.berlin.id: "51a" is not a Dialpad id`, `"berlin"`},
		{"id too big", `{"version": 1, "offices": {"berlin": {"status": "created", "id": "99999999999999999999", "name": "B", "spec_sha256": ""}}}`, `is not a Dialpad id`, `"berlin"`},
		{"id number", `{"version": 1, "offices": {"berlin": {"status": "created", "id": 5100, "name": "B", "spec_sha256": ""}}}`, "offices.berlin.id: want a string, not a number", `5100,`},
		{"no name", `{"version": 1, "offices": {"berlin": {"status": "pending", "spec_sha256": ""}}}`, "offices.berlin.name: missing", `"berlin"`},
		{"bad sha", `{"version": 1, "offices": {"berlin": {"status": "pending", "name": "B", "spec_sha256": "ABC"}}}`, `offices.berlin.spec_sha256: "ABC" is not 64 lowercase hex digits`, `"berlin"`},
		{"spec array", `{"version": 1, "offices": {"berlin": {"status": "pending", "name": "B", "spec_sha256": "", "spec": [1]}}}`, "offices.berlin.spec: want an object, not an array", `[1]`},
		{"spec duplicate", "{\"version\": 1, \"offices\": {\"berlin\": {\"status\": \"pending\", \"name\": \"B\", \"spec_sha256\": \"\",\n \"spec\": {\"a\": 1, \"b\": {\"x\": 1, \"x\": 2}}}}}", `offices.berlin.spec: duplicate key "x"`, `"x": 2`},
		{"bad time", `{"version": 1, "offices": {"berlin": {"status": "pending", "name": "B", "spec_sha256": "", "started_at": "yesterday"}}}`, "offices.berlin.started_at: parsing time", `"yesterday"`},
		{"unknown entry field", `{"version": 1, "offices": {"berlin": {"status": "pending", "name": "B", "spec_sha256": "", "ID": "1"}}}`, `offices.berlin: unknown field "ID"`, `"ID"`},
		{"duplicate entry field", `{"version": 1, "offices": {"berlin": {"status": "pending", "name": "B", "name": "C", "spec_sha256": ""}}}`, `offices.berlin: duplicate field "name"`, `"name": "C"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeState(t, t.TempDir(), tc.content)
			se := checkRefused(t, path, tc.content, ErrCorrupt)
			msg := se.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not say %q", msg, tc.want)
			}
			if !strings.Contains(msg, "restore "+path+".backup or fix the file") {
				t.Errorf("error %q does not say what to do", msg)
			}
			if got := textAt(tc.content, se.Line, se.Column); tc.at == "" && se.Line != 0 || tc.at != "" && !strings.HasPrefix(got, tc.at) {
				t.Errorf("error at %d:%d (%.12q), want at %q: %v", se.Line, se.Column, got, tc.at, msg)
			}
		})
	}
}

// textAt returns content from 1-based line and byte column on.
func textAt(content string, line, col int) string {
	if line == 0 {
		return ""
	}
	lines := strings.SplitAfter(content, "\n")
	if line > len(lines) || col > len(lines[line-1])+1 {
		return "(beyond the end)"
	}
	return strings.Join(lines[line-1:], "")[col-1:]
}

func TestLoadRefusesNewerVersion(t *testing.T) {
	for _, content := range []string{
		`{"version": 3, "offices": [1, 2, 3], "shape": "unknown to v2"}`,
		"{\"serial\": 3,\n \"version\": 99999999999999999999999}\n",
	} {
		path := writeState(t, t.TempDir(), content)
		se := checkRefused(t, path, content, ErrNewerVersion)
		if errors.Is(se, ErrCorrupt) {
			t.Errorf("a newer version is also reported corrupt: %v", se)
		}
		if msg := se.Error(); !strings.Contains(msg, "upgrade officectl") || !strings.Contains(msg, "reads version 2") {
			t.Errorf("error %q does not say to upgrade", msg)
		}
	}
}

// TestLoadRefusesTruncated cuts a real state at every byte offset: every
// cut is refused, and the file left as it is. (Only the cut that drops
// the final newline alone gives a whole state, and is not tried.)
func TestLoadRefusesTruncated(t *testing.T) {
	full, err := os.ReadFile("testdata/roundtrip/pending_created.out.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for n := 0; n < len(full)-1; n++ {
		content := string(full[:n])
		path := writeState(t, dir, content)
		_, err := Load(path)
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Load of the first %d bytes: got %v, want ErrCorrupt", n, err)
		}
		if n%97 == 0 || n > len(full)-20 {
			// Open too (slower: it locks).
			checkRefused(t, path, content, ErrCorrupt)
		}
		if got, _ := os.ReadFile(path); string(got) != content {
			t.Fatalf("Load changed the file cut at %d", n)
		}
	}
}

// TestLoadRefusesBitFlips changes one byte of a real state at every offset
// to a byte that breaks its syntax: no panic, no success, no change.
func TestLoadRefusesBitFlips(t *testing.T) {
	full, err := os.ReadFile("testdata/roundtrip/spec_sorted.out.json")
	if err != nil {
		t.Fatal(err)
	}
	step := 1
	if raceEnabled {
		step = 7
	}
	for i := 0; i < len(full); i += step {
		for _, b := range []byte{'{', '"', ',', 0} {
			if full[i] == b {
				continue
			}
			mut := bytes.Clone(full)
			mut[i] = b
			s, err := Decode(mut)
			if err == nil {
				// Some changes still give a valid state (a '"' replacing
				// a space inside a string...): it must encode and decode.
				if _, err := Decode(Encode(s)); err != nil {
					t.Errorf("byte %d → %q: decodes, but its encoding does not: %v", i, b, err)
				}
				continue
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("byte %d → %q: %v, want ErrCorrupt", i, b, err)
			}
		}
	}
}

func TestDecodeErrorWithoutPath(t *testing.T) {
	_, err := Decode([]byte(`{"version": 1, "serial": true}`))
	if err == nil || !strings.HasPrefix(err.Error(), "state:1:26: state file is corrupt") || !strings.Contains(err.Error(), "restore the backup") {
		t.Errorf("Decode error: %v", err)
	}
}

func TestLoadUnreadable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "officectl.state")
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	var se *Error
	if !errors.As(err, &se) || errors.Is(err, ErrCorrupt) || se.Path != path {
		t.Errorf("Load of a folder: %v", err)
	}
}

// BenchmarkLoad decodes a state of 10,000 offices with ~1 KB specs.
func BenchmarkLoad(b *testing.B) {
	data := Encode(bigState(10000))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

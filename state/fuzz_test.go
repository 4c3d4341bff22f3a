package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzLoad feeds the decoder arbitrary bytes (seeded with real states from
// testdata/fuzz/FuzzLoad). It must never panic; it refuses with ErrCorrupt
// or ErrNewerVersion, or returns a state that Validate accepts and whose
// encoding decodes to the same state and encodes to the same bytes.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(`{"version": 1}`))
	f.Add([]byte(`{"version": 2}`))
	f.Add([]byte(`{"version": 3}`))
	f.Add([]byte(`{"version": 2, "departments": {"d": {"status": "pending", "office_id": "1", "name": "D", "spec_sha256": "", "protect": true, "operators": []}}}`))
	f.Add([]byte(`{"version": 2, "departments": {"d": {"status": "created", "id": "6", "office_id": "1", "name": "D", "spec_sha256": "", "refs": {"o": "1", "c": "7"}}}, "callcenters": {"d": {"status": "pending", "office_id": "1", "name": "D", "spec_sha256": "", "refs": {}}}}`))
	f.Add([]byte(`{"version": 1, "offices": {"a": {"status": "pending", "name": "A", "spec_sha256": "", "spec": {"b": [1, {"c": "\u00e9"}], "a": null}}}}`))
	f.Add([]byte(`{"version": 1, "offices": {"a": {"status": "created", "id": "7", "name": "A", "spec_sha256": ""}, "b": {"status": "created", "id": "7", "name": "B", "spec_sha256": ""}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Decode(data)
		if err != nil {
			var se *Error
			if !errors.As(err, &se) || !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNewerVersion) {
				t.Fatalf("Decode error of the wrong kind: %#v", err)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("Decode accepted a state that Validate refuses: %v", err)
		}
		out := Encode(s)
		s2, err := Decode(out)
		if err != nil {
			t.Fatalf("Decode(Encode(s)): %v\n%s", err, out)
		}
		if diff := cmp.Diff(s, s2); diff != "" {
			t.Fatalf("Decode(Encode(s)) != s:\n%s", diff)
		}
		if out2 := Encode(s2); !bytes.Equal(out, out2) {
			t.Fatalf("Encode is not a fixed point:\n%s\nthen\n%s", out, out2)
		}
	})
}

// FuzzCanonical checks the canonicaliser against encoding/json: it accepts
// exactly the valid JSON without duplicate keys, its output means what its
// input meant, is valid, and is its own canonical form, compact or
// indented.
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":[true,null,{"d":"\u00e9","c":-1.5e3}]}`, `"\ud83d\ude00\ud800"`, `{"a\n":1,"a":{}}`, `[]`, `0`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var c canon
		out, err := c.appendCanonical(nil, in, 0, false)
		valid := json.Valid(in)
		if err != nil {
			if valid && !strings.Contains(err.Error(), "duplicate key") && !strings.Contains(err.Error(), "depth") {
				t.Fatalf("canonical refuses valid JSON %q: %v", in, err)
			}
			return
		}
		if !valid {
			t.Fatalf("canonical accepts invalid JSON %q: %q", in, out)
		}
		want, got := decodeAny(t, in), decodeAny(t, out)
		if !cmp.Equal(want, got) {
			t.Fatalf("canonical(%q) = %q means something else", in, out)
		}
		again, err := c.appendCanonical(nil, out, 0, false)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("canonical(%q) = %q, not canonical: %q, %v", in, out, again, err)
		}
		indented, err := c.appendCanonical(nil, in, 0, true)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, indented); err != nil || !bytes.Equal(buf.Bytes(), out) {
			t.Fatalf("indented form %q does not compact to %q: %v", indented, out, err)
		}
	})
}

// decodeAny decodes JSON with numbers as written (json.Number).
func decodeAny(t *testing.T, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decoding %q: %v", b, err)
	}
	return v
}

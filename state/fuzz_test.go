package state

import (
	"bytes"
	"errors"
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
	f.Add([]byte(`{"version": 1, "offices": {"a": {"status": "pending", "name": "A", "spec_sha256": "", "spec": {"b": [1, {"c": "\u00e9"}], "a": null}}}}`))
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

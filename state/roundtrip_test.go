package state

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestRoundTrip decodes each testdata/roundtrip/NAME.in.json and checks
// that Encode gives NAME.out.json, and that the output is a fixed point:
// decoding and encoding it again changes nothing.
func TestRoundTrip(t *testing.T) {
	ins, err := filepath.Glob("testdata/roundtrip/*.in.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) == 0 {
		t.Fatal("no testdata/roundtrip/*.in.json")
	}
	for _, in := range ins {
		name := strings.TrimSuffix(filepath.Base(in), ".in.json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Decode(data)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			got := Encode(s)
			outPath := strings.TrimSuffix(in, ".in.json") + ".out.json"
			if *update {
				if err := os.WriteFile(outPath, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(outPath)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("Encode(Decode(%s)) differs from %s (-want +got):\n%s", in, outPath, diff)
			}
			s2, err := Decode(got)
			if err != nil {
				t.Fatalf("Decode(Encode(...)): %v", err)
			}
			if diff := cmp.Diff(s, s2); diff != "" {
				t.Errorf("Decode(Encode(s)) != s (-s +s2):\n%s", diff)
			}
			if again := Encode(s2); !bytes.Equal(again, got) {
				t.Errorf("Encode is not a fixed point:\n%s\nthen\n%s", got, again)
			}
		})
	}
}

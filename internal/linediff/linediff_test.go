package linediff

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDiff(t *testing.T) {
	a := "one\ntwo\nthree\nfour\n"
	b := "one\n2\nthree\nfour\nfive\n"
	want := []Line{{Removed: true, N: 2, Text: "two"}, {N: 2, Text: "2"}, {N: 5, Text: "five"}}
	if diff := cmp.Diff(want, Diff(a, b)); diff != "" {
		t.Errorf("Diff (-want +got):\n%s", diff)
	}
	if r, ad := Count(a, b); r != 1 || ad != 2 {
		t.Errorf("Count: %d removed, %d added; want 1, 2", r, ad)
	}
	if d := Diff(a, a); len(d) != 0 {
		t.Errorf("Diff of a file with itself: %v", d)
	}
}

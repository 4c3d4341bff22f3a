package main

import (
	"regexp"
	"testing"

	"github.com/spf13/pflag"
)

// TestFlagPlaceholders: in every command's --help, a flag's placeholder is
// one word. pflag takes the first `backquoted` text of a usage as the
// placeholder, so a backquoted command line in a usage garbles it
// (--out officectl apply PLANFILE).
func TestFlagPlaceholders(t *testing.T) {
	word := regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)
	for _, c := range commands() {
		fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
		c.run(fs, stdio{})
		fs.VisitAll(func(f *pflag.Flag) {
			name, _ := pflag.UnquoteUsage(f)
			if name != "" && !word.MatchString(name) {
				t.Errorf("officectl %s --%s: placeholder %q is not one word", c.name, f.Name, name)
			}
		})
	}
}

// TestWithoutPrefix: fail names the command once, whatever the error of
// the package doing it starts with.
func TestWithoutPrefix(t *testing.T) {
	for _, tc := range []struct{ msg, cmd, want string }{
		{"drift: office \"a\" (id 1): dialpad: 401", "drift", "office \"a\" (id 1): dialpad: 401"},
		{"import: listing the offices in Dialpad: x", "import", "listing the offices in Dialpad: x"},
		{"state: x", "state rm", "x"},
		{"plan: office key \"a\" appears twice", "apply", "plan: office key \"a\" appears twice"},
		{"dialpad: GET: drift: x", "drift", "dialpad: GET: drift: x"},
	} {
		if got := withoutPrefix(tc.msg, tc.cmd); got != tc.want {
			t.Errorf("withoutPrefix(%q, %q) = %q, want %q", tc.msg, tc.cmd, got, tc.want)
		}
	}
}

package main

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"
)

// TestVersionString: the version comes from -X main.version, else the
// module version, with the VCS revision, time and modified flag of the
// build info.
func TestVersionString(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-11-27T10:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	for _, tc := range []struct {
		name   string
		ldflag string
		bi     *debug.BuildInfo
		want   string
	}{
		{"go install @v1.2.3", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3"},
		{"release build", "v1.2.3", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs[:3]},
			"v1.2.3 (revision 0123456789abcdef0123456789abcdef01234567, 2026-11-27T10:00:00Z)"},
		{"checkout with changes", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs},
			"(devel) (revision 0123456789abcdef0123456789abcdef01234567, 2026-11-27T10:00:00Z, modified)"},
		{"no build info", "", nil, "(devel)"},
	} {
		if got := versionString(tc.ldflag, tc.bi); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestVersionFlag: `officectl --version` prints what `officectl version`
// prints.
func TestVersionFlag(t *testing.T) {
	var a, b bytes.Buffer
	if code := run([]string{"version"}, stdio{out: &a, err: &a}); code != exitOK {
		t.Fatalf("version: exit %d: %s", code, a.String())
	}
	if code := run([]string{"--version"}, stdio{out: &b, err: &b}); code != exitOK {
		t.Fatalf("--version: exit %d: %s", code, b.String())
	}
	if a.String() != b.String() || !strings.HasPrefix(a.String(), "officectl ") {
		t.Errorf("version %q, --version %q", a.String(), b.String())
	}
}

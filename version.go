package main

import (
	"runtime/debug"
	"strings"
)

// versionString is the version officectl prints: the -X main.version of
// a release build, else the module version `go install …@vX.Y.Z` records
// ("(devel)" for a build from a checkout), followed by the VCS revision,
// its commit time and "modified" when the tree had uncommitted changes.
// bi may be nil (no build info).
func versionString(ldflag string, bi *debug.BuildInfo) string {
	v := ldflag
	if v == "" && bi != nil {
		v = bi.Main.Version
	}
	if v == "" {
		v = "(devel)"
	}
	if bi == nil {
		return v
	}
	var rev, at string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	var extra []string
	if rev != "" {
		extra = append(extra, "revision "+rev)
	}
	if at != "" {
		extra = append(extra, at)
	}
	if modified {
		extra = append(extra, "modified")
	}
	if len(extra) > 0 {
		v += " (" + strings.Join(extra, ", ") + ")"
	}
	return v
}

package state

import (
	"os"
	"path/filepath"
	"strings"
)

// FileOf reports whether name is one of the files of the state at
// statePath — the state itself, PATH.backup, PATH.lock, or a temporary
// file of a save — and which: "the state file", "the state's backup",
// "the state's lock file" or "a temporary file of a state save"; "" when
// it is none of them. Neither file needs to exist: a state not yet saved
// has its names all the same. Paths are compared after making them
// absolute and resolving the symbolic links of their folders, and two
// files that exist compare by identity (os.SameFile), so a hard link or
// another spelling of the path is found too.
func FileOf(statePath, name string) string {
	sDir, sBase := splitReal(statePath)
	nDir, nBase := splitReal(name)
	if sDir == "" || nDir == "" {
		return ""
	}
	if sDir == nDir {
		switch {
		case nBase == sBase:
			return "the state file"
		case nBase == sBase+".backup":
			return "the state's backup"
		case nBase == sBase+".lock":
			return "the state's lock file"
		case strings.HasPrefix(nBase, "."+sBase+tmpInfix), strings.HasPrefix(nBase, "."+sBase+backupInfix):
			return "a temporary file of a state save"
		}
	}
	nfi, err := os.Lstat(name)
	if err != nil {
		return ""
	}
	for _, f := range []struct{ path, what string }{
		{statePath, "the state file"}, {statePath + ".backup", "the state's backup"}, {statePath + ".lock", "the state's lock file"},
	} {
		if fi, err := os.Lstat(f.path); err == nil && os.SameFile(fi, nfi) {
			return f.what
		}
	}
	return ""
}

// splitReal returns the folder of path, absolute with its symbolic links
// resolved (as given when they cannot be), and its last element.
func splitReal(path string) (dir, base string) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", ""
	}
	dir, base = filepath.Split(abs)
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	return filepath.Clean(dir), base
}

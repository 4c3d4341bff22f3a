package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/officectl/officectl/engine/plan"
)

// stateArgs checks the arguments of `state SUB` (list [DIR], show KEY
// [DIR], rm KEY [DIR]) and returns the state file they name, by the rule
// of every command (statePathFor): --state, else DIR/officectl.state with
// DIR "." by default. The file must exist: a missing one would read as an
// empty state, and a wrong directory would list nothing without a word.
//
// inv is the directory and --state as given, for the commands that
// hints print.
func stateArgs(sub string, rest []string, flagValue string) (path string, inv plan.Invocation, err error) {
	keys := map[string]int{"list": 0, "show": 1, "rm": 1, "unlock": 0}
	n, known := keys[sub]
	if !known {
		return statePathFor(".", flagValue), plan.Invocation{State: flagValue}, nil // the caller names the subcommand unknown
	}
	usage := sub + " [DIR]"
	if n == 1 {
		usage = sub + " KEY [DIR]"
	}
	if len(rest) < n || len(rest) > n+1 {
		return "", inv, fmt.Errorf("wrong number of arguments: use officectl state %s", usage)
	}
	dir := "."
	if len(rest) == n+1 {
		dir = rest[n]
	}
	inv = plan.Invocation{Dir: dir, State: flagValue}
	if err := notPlanFile(dir); err != nil {
		return "", inv, err
	}
	path = statePathFor(dir, flagValue)
	if sub == "unlock" {
		return path, inv, nil // a first apply may leave a lock and no state
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && n == 1 && len(rest) == 1 && isDir(rest[0]):
		// state show offices: the KEY was forgotten, and the directory
		// taken for it.
		return "", inv, fmt.Errorf("no state file %s, and %s is a directory: give the KEY before the config directory, e.g. `%s` (`%s` lists the keys)",
			path, rest[0], plan.Invocation{Dir: rest[0], State: flagValue}.Command("state "+sub, "KEY"), plan.Invocation{Dir: rest[0], State: flagValue}.Command("state list"))
	case errors.Is(err, fs.ErrNotExist):
		return "", inv, fmt.Errorf("no state file %s: officectl manages no office there yet; give the config directory (officectl state %s) or --state FILE", path, usage)
	case err != nil:
		return "", inv, err
	case fi.IsDir():
		return "", inv, fmt.Errorf("state file %s is a directory: give the config directory (officectl state %s) or --state FILE", path, usage)
	}
	return path, inv, nil
}

// isDir reports whether path is a directory.
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// strayState guards the commands that start a state file (import, apply):
// when DIR has no state file, --state is not given, and a folder just
// below DIR holds an officectl.state, the command was most likely run on
// the wrong directory (officectl import from the repository root, where
// the config lives in offices/) and would start a second state there. It
// looks two folder levels down, at most maxStrayLook entries, hidden
// folders aside.
func strayState(cmd, dir, flagValue string) error {
	if flagValue != "" {
		return nil
	}
	path := statePathFor(dir, "")
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil // it exists (or cannot be read: the command says so)
	}
	const maxStrayLook = 10000
	seen, found := 0, ""
	root := filepath.Clean(dir)
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if seen++; err != nil || seen > maxStrayLook {
			return filepath.SkipAll
		}
		if d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			if p != root && (strings.HasPrefix(d.Name(), ".") || strings.Count(rel, string(filepath.Separator)) >= 2) {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() == stateFileName {
			found = p
			return filepath.SkipAll
		}
		return nil
	})
	if found == "" {
		return nil
	}
	return fmt.Errorf("%s does not exist, but %s does: to use that state, run officectl %s %s; to start a new state file in %s, give --state %s",
		path, found, cmd, filepath.Dir(found), dir, path)
}

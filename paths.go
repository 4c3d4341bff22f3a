package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// stateArgs checks the arguments of `state SUB` (list [DIR], show KEY
// [DIR], rm KEY [DIR]) and returns the state file they name, by the rule
// of every command (statePathFor): --state, else DIR/officectl.state with
// DIR "." by default. The file must exist: a missing one would read as an
// empty state, and a wrong directory would list nothing without a word.
func stateArgs(sub string, rest []string, flagValue string) (string, error) {
	keys := map[string]int{"list": 0, "show": 1, "rm": 1}
	n, known := keys[sub]
	if !known {
		return statePathFor(".", flagValue), nil // the caller names the subcommand unknown
	}
	usage := sub + " [DIR]"
	if n == 1 {
		usage = sub + " KEY [DIR]"
	}
	if len(rest) < n || len(rest) > n+1 {
		return "", fmt.Errorf("wrong number of arguments: use officectl state %s", usage)
	}
	dir := "."
	if len(rest) == n+1 {
		dir = rest[n]
	}
	path := statePathFor(dir, flagValue)
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("no state file %s: officectl manages no office there yet; give the config directory (officectl state %s) or --state FILE", path, usage)
	case err != nil:
		return "", err
	case fi.IsDir():
		return "", fmt.Errorf("state file %s is a directory: give the config directory (officectl state %s) or --state FILE", path, usage)
	}
	return path, nil
}

package plan

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/state"
)

// ErrOutRefused is the sentinel of OutRefusedError: the path given to
// save a plan file at holds, or would become, something a plan must not
// replace.
var ErrOutRefused = errors.New("refusing to save the plan there")

// OutRefusedError is the error of CheckOutPath. It unwraps to
// ErrOutRefused.
type OutRefusedError struct {
	Path string // the path given to --out
	What string // what the path is, e.g. "is the state's backup of this run (…)"
	Todo string // what to do instead
}

func (e *OutRefusedError) Error() string {
	return fmt.Sprintf("--out %s %s; %s", e.Path, e.What, e.Todo)
}

// Unwrap returns ErrOutRefused.
func (e *OutRefusedError) Unwrap() error { return ErrOutRefused }

var _ error = (*OutRefusedError)(nil)

// CheckOutPath says whether a plan file may be saved at path, for a plan
// of the config directory configDir and the state file statePath (either
// "" when unknown). A save replaces path whole, so it refuses:
//
//   - a symbolic link (a save never writes through one, nor replaces it);
//   - the state, its backup, its lock and the temporary files of its
//     saves (state.FileOf), whether they exist yet or not;
//   - a config file of configDir (the loader skips a plan file, so its
//     offices and groups would be gone from the next plan), and any new
//     .cue file there, which would be loaded as config;
//   - anything else that exists and is not a plan file: a folder, a pipe,
//     a device, a file of other content.
//
// An existing plan file (plan --out or plan --format json) may be
// replaced, and so may an empty file (as mktemp makes). The error says
// what path is and what to do.
func CheckOutPath(path, configDir, statePath string) error {
	refuse := func(what, todo string) error {
		return &OutRefusedError{Path: path, What: what, Todo: todo}
	}
	const elsewhere = "give --out a path of its own, outside the config directory (e.g. --out plan.json)"
	fi, err := os.Lstat(path)
	exists := err == nil
	switch {
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("--out %s: %w", path, err)
	case exists && fi.Mode()&fs.ModeSymlink != 0:
		return refuse("is a symbolic link, and a plan is never saved through one (it could point at any file)",
			"remove the link, or give --out the path of the file itself")
	}
	if statePath != "" {
		if what := state.FileOf(statePath, path); what != "" {
			return refuse(fmt.Sprintf("is %s of this run (%s): a plan saved there would replace it", what, statePath), elsewhere)
		}
	}
	if loadedFrom(configDir, path) {
		switch {
		case filepath.Ext(path) == ".cue":
			return refuse(fmt.Sprintf("is a .cue file in the config directory %s, which officectl would load as config", configDir), elsewhere)
		case exists && fi.Mode().IsRegular() && fi.Size() > 0 && !load.SniffPlanFile(path):
			return refuse(fmt.Sprintf("is a config file of %s: a plan saved there would replace it, and its offices and groups would be gone from the next plan", configDir), elsewhere)
		}
	}
	switch {
	case !exists:
		return nil
	case fi.IsDir():
		return refuse("is a folder", "give --out the path of a file (e.g. --out plan.json)")
	case !fi.Mode().IsRegular():
		return refuse("is not a regular file ("+fi.Mode().Type().String()+")", "give --out the path of a regular file (e.g. --out plan.json)")
	case fi.Size() > 0 && !load.SniffPlanFile(path):
		return refuse("exists and is not an officectl plan file: plan --out replaces only an earlier plan file",
			"remove the file first if it can go, or give --out another path (e.g. --out plan.json)")
	}
	return nil
}

// loadedFrom reports whether the config loader reads path as a file of
// the config directory dir: inside dir (both made absolute, the symbolic
// links of dir and of path's folder resolved), with a config file's name
// (load.IsConfigFile), and no dot starting its name or a folder's on the
// way.
func loadedFrom(dir, path string) bool {
	if dir == "" || !load.IsConfigFile(path) {
		return false
	}
	real := func(p string, folder bool) string {
		abs, err := filepath.Abs(p)
		if err != nil {
			return p
		}
		if folder {
			if r, err := filepath.EvalSymlinks(abs); err == nil {
				return r
			}
			return abs
		}
		if r, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
			return filepath.Join(r, filepath.Base(abs))
		}
		return abs
	}
	rel, err := filepath.Rel(real(dir, true), real(path, false))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return false
	}
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		if strings.HasPrefix(part, ".") {
			return false
		}
	}
	return true
}

package load

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/schema"
)

// LoadPaths is Load of several paths at once, each a config directory (its
// files found as Load finds them) or a config file: a file named on its
// own is read even when hidden. The offices of every path make one config,
// so the checks that span files (duplicate keys and names, references)
// see them all; a file given twice, or inside a directory also given, is
// read once.
func LoadPaths(paths []string, opts LoadOptions) (*Config, []schema.Diagnostic, error) {
	if opts.Timeout <= 0 {
		return loadPaths(paths, opts)
	}
	return loadWithin(paths, opts)
}

func loadPaths(paths []string, opts LoadOptions) (*Config, []schema.Diagnostic, error) {
	rd := newConfigReader(opts.MaxFileSize)
	var files []string
	var diags []schema.Diagnostic
	seen := map[string]bool{}
	var plans []string // plan files named on their own: skipped
	add := func(f string) {
		a, err := filepath.Abs(f)
		if err != nil {
			a = f
		}
		if !seen[a] {
			seen[a] = true
			files = append(files, f)
		}
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			what := "config directory"
			if IsConfigFile(p) {
				what = "config file"
			}
			return nil, nil, fmt.Errorf("%s: %w", what, err)
		}
		if !info.IsDir() {
			if !IsConfigFile(p) {
				return nil, nil, fmt.Errorf("%s is not a config file: give a directory, or files ending in .cue, .yaml, .yml or .json", p)
			}
			// A FIFO or device is added too: reading it gives a
			// diagnostic at that file (configReader.read), and the
			// other files are still checked.
			if SniffPlanFile(p) {
				plans = append(plans, p)
				diags = append(diags, planFileNote(p))
				continue
			}
			// A file named on the command line is read where it
			// leads: the user chose it.
			if err := rd.addRoot(filepath.Dir(p), p); err != nil {
				return nil, nil, err
			}
			add(p)
			continue
		}
		if err := rd.addRoot(p, p); err != nil {
			return nil, nil, err
		}
		found, linkDiags, err := FindFiles(p, opts.Skip)
		if err != nil {
			return nil, nil, err
		}
		diags = append(diags, linkDiags...)
		for _, f := range found {
			add(f)
		}
	}
	if len(files) == 0 && len(plans) > 0 {
		return nil, nil, fmt.Errorf("%s: %w: an officectl plan file is not config: give config files or directories, and apply a plan file with `%s`", strings.Join(plans, ", "), ErrNoOfficeFiles, offices.Printable("officectl apply "+ShellQuote(plans[0])))
	}
	if len(files) == 0 {
		dir := "DIR"
		if len(paths) == 1 {
			dir = paths[0]
		}
		return nil, nil, fmt.Errorf("%s: %w: put offices in .cue, .yaml, .yml or .json files (officectl init %s writes an example)", strings.Join(paths, ", "), ErrNoOfficeFiles, dir)
	}
	sort.Strings(files)
	return loadFiles(rd, files, diags, opts)
}

// IsConfigFile reports whether a file's name makes it a config file
// (.cue, .yaml, .yml, .json), as the loader reads the files of a folder.
func IsConfigFile(name string) bool {
	switch filepath.Ext(name) {
	case ".cue", ".yaml", ".yml", ".json":
		return true
	}
	return false
}

package load

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/officectl/officectl/schema"
)

// LoadOptions tune Load. The zero value is ready to use.
type LoadOptions struct {
	// Skip lists files the walk leaves out, such as the state file.
	Skip []string
	// Workers validating files in parallel; default runtime.NumCPU().
	Workers int
	// ResetEvery is how many files a worker validates before it replaces
	// its CUE context (a context keeps every value it has seen), at the
	// end of a batch of files; default 250.
	ResetEvery int
	// MaxFileSize bounds each config file in bytes; default
	// DefaultMaxFileSize. A larger file is one diagnostic at that file.
	MaxFileSize int64
	// Timeout bounds Load; zero means no limit. See LoadTimeoutEnv.
	Timeout time.Duration

	stop  <-chan struct{} // closed when Load has given up: validate no more files
	batch int             // the most files a validator judges at once; default maxBatch
}

// ErrNoOfficeFiles is returned when a config directory holds no .cue,
// .yaml, .yml or .json file.
var ErrNoOfficeFiles = errors.New("no office files")

// Load reads every config file under dir, validates each against the
// schema (with the policy of the directory's CUE files), runs the checks
// that span files, and returns the effective offices. Problems in the files
// come back as diagnostics, every one of them; the error is for problems
// with the directory itself. The Config is nil when any diagnostic is an
// error.
//
// With opts.Timeout, Load returns ErrLoadTimeout once it passes. CUE's
// evaluation cannot be interrupted: the batch of files or the policy
// being evaluated then finishes in the background (no new batch is
// started), so a caller that gives up should exit soon after, as the CLI
// does.
func Load(dir string, opts LoadOptions) (*Config, []schema.Diagnostic, error) {
	return LoadPaths([]string{dir}, opts)
}

// loadFiles is Load of the config files listed, read through rd; diags
// are the problems found while listing them.
func loadFiles(rd *configReader, files []string, diags []schema.Diagnostic, opts LoadOptions) (*Config, []schema.Diagnostic, error) {
	var cueFiles, dataFiles []string
	for _, f := range files {
		if strings.HasSuffix(f, ".cue") {
			cueFiles = append(cueFiles, f)
		} else {
			dataFiles = append(dataFiles, f)
		}
	}
	pol, policyDiags, err := readPolicy(rd, cueFiles)
	if err != nil {
		return nil, nil, err
	}
	diags = append(policyDiags, diags...)
	if schema.HasErrors(diags) {
		// The CUE files do not parse: check the other files without
		// their policy, so that every broken file is reported at once.
		pol = nil
	}
	results, cueResult := validateAll(rd, dataFiles, pol, opts)
	results = append(results, cueResult)
	var found []found
	var groups []foundGroup
	for _, r := range results {
		diags = append(diags, r.diags...)
		found = append(found, r.offices...)
		groups = append(groups, r.groups...)
	}
	diags = append(diags, crossChecks(found, groups)...)
	schema.SortDiagnostics(diags)
	if schema.HasErrors(diags) {
		return nil, diags, nil
	}
	offs := make([]Desired, len(found))
	for i, f := range found {
		offs[i] = f.Desired
	}
	gs := make([]DesiredGroup, len(groups))
	for i, g := range groups {
		gs[i] = g.DesiredGroup
	}
	return NewConfigGroups(offs, gs), diags, nil
}

// FindFiles lists the config files under dir in lexical order, leaving out
// hidden files and folders and the files in skip. Symbolic links to
// folders are not followed (no loops, nothing read twice): each one is a
// warning.
func FindFiles(dir string, skip []string) ([]string, []schema.Diagnostic, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("config directory: %w", err)
	}
	if !info.IsDir() {
		return nil, nil, fmt.Errorf("config directory %s is not a directory", dir)
	}
	var diags []schema.Diagnostic
	skipAbs := map[string]bool{}
	for _, s := range skip {
		if a, err := filepath.Abs(s); err == nil {
			skipAbs[a] = true
		}
	}
	var files []string
	root := dir
	if fi, err := os.Lstat(dir); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		// The directory given is itself a link: walk what it points to
		// (a trailing separator makes WalkDir follow it), still naming
		// files through the link.
		root = dir + string(filepath.Separator)
	}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			if fi, err := os.Stat(path); err == nil && fi.IsDir() {
				diags = append(diags, schema.Diagnostic{File: path, Severity: schema.Warning,
					Message: "a symbolic link to a folder: not followed, its files are not checked; move or copy them into the config directory"})
				return nil
			}
		}
		switch filepath.Ext(path) {
		case ".cue", ".yaml", ".yml", ".json":
		default:
			return nil
		}
		if a, err := filepath.Abs(path); err == nil && skipAbs[a] {
			return nil
		}
		files = append(files, path)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("reading config directory: %w", err)
	}
	sort.Strings(files)
	return files, diags, nil
}

// dataKeys lists the keys the data files define, as "offices.KEY",
// "departments.KEY" and "callcenters.KEY".
func dataKeys(results []fileResult) map[string]bool {
	keys := map[string]bool{}
	for _, r := range results {
		for _, f := range r.offices {
			keys["offices."+f.Key] = true
		}
		for _, g := range r.groups {
			keys[topOf(g.Kind)+"."+g.Key] = true
		}
	}
	return keys
}

// maxBatch is the most files a validator judges at once (see
// validator.files).
const maxBatch = 8

// validateAll validates the data files on workers, each with its own CUE
// context, and the CUE instance on one of them; results come back in file
// order.
func validateAll(rd *configReader, files []string, pol *policy, opts LoadOptions) ([]fileResult, fileResult) {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	workers = max(1, min(workers, len(files)))
	reset := opts.ResetEvery
	if reset <= 0 {
		reset = 250
	}
	// Workers take the files in batches of consecutive files (see
	// validator.files), at least four batches each.
	most := opts.batch
	if most <= 0 {
		most = maxBatch
	}
	batch := max(1, min(most, len(files)/(4*workers)))
	results := make([]fileResult, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var v *validator
			n := 0
			for i := range next {
				if v == nil || n >= reset {
					v, n = newValidator(pol), 0
				}
				end := min(i+batch, len(files))
				n += end - i
				copy(results[i:end], v.files(rd, files[i:end]))
			}
		}()
	}
feed:
	for i := 0; i < len(files); i += batch {
		select {
		case next <- i:
		case <-opts.stop:
			break feed
		}
	}
	close(next)
	wg.Wait()
	var cueResult fileResult
	if pol != nil {
		cueResult = newValidator(pol).instance(dataKeys(results))
	}
	return results, cueResult
}

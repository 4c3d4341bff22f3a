package writeback

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/schema"
)

// Validate loads the config directory dir as `officectl validate` does,
// with the files of edited (by path, as load names them: under dir) in
// place of what is on disk, without writing dir. The diagnostics name
// the files of dir. skip is the files the load leaves out (the state
// file). A caller writes an edited file only when no diagnostic is an
// error, and otherwise reports them.
func Validate(dir string, edited map[string][]byte, skip []string) ([]schema.Diagnostic, error) {
	_, diags, err := LoadEdited(dir, edited, skip)
	return diags, err
}

// LoadEdited is Validate that also returns the config loaded (nil when
// the files are not found; its positions name a copy that is gone).
// edited may hold new files of dir, which are loaded with the others.
func LoadEdited(dir string, edited map[string][]byte, skip []string) (*load.Config, []schema.Diagnostic, error) {
	files, diags, err := load.FindFiles(dir, skip)
	if err != nil {
		return nil, nil, err
	}
	if schema.HasErrors(diags) {
		return nil, diags, nil
	}
	tmp, err := os.MkdirTemp("", "officectl-writeback-")
	if err != nil {
		return nil, nil, fmt.Errorf("validate edits: %w", err)
	}
	defer os.RemoveAll(tmp)
	names := map[string]string{} // copy → file of dir
	seen := map[string]bool{}
	put := func(orig string, data []byte) error {
		rel, err := filepath.Rel(dir, orig)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
			return fmt.Errorf("validate edits: %s is not in %s", orig, dir)
		}
		cp := filepath.Join(tmp, rel)
		if err := os.MkdirAll(filepath.Dir(cp), 0o700); err != nil {
			return fmt.Errorf("validate edits: %w", err)
		}
		if err := os.WriteFile(cp, data, 0o600); err != nil {
			return fmt.Errorf("validate edits: %w", err)
		}
		names[cp] = orig
		return nil
	}
	for _, f := range files {
		seen[filepath.Clean(f)] = true
		data, ok := edited[f]
		if !ok {
			data, ok = edited[filepath.Clean(f)]
		}
		if !ok {
			if data, err = load.ReadRegularFile(f, load.DefaultMaxFileSize); err != nil {
				return nil, nil, fmt.Errorf("validate edits: %w", err)
			}
		}
		if err := put(f, data); err != nil {
			return nil, nil, err
		}
	}
	for f, data := range edited {
		if !seen[filepath.Clean(f)] { // a new file
			if err := put(f, data); err != nil {
				return nil, nil, err
			}
		}
	}
	cfg, diags, err := load.Load(tmp, load.LoadOptions{})
	if err != nil {
		return nil, nil, err
	}
	for i := range diags {
		// A message may name another place (the first of two duplicates).
		diags[i].Message = strings.ReplaceAll(diags[i].Message, tmp+string(filepath.Separator), dir+string(filepath.Separator))
		if orig, ok := names[diags[i].File]; ok {
			diags[i].File = orig
		} else if rel, err := filepath.Rel(tmp, diags[i].File); err == nil && !strings.HasPrefix(rel, "..") {
			diags[i].File = filepath.Join(dir, rel)
		}
	}
	return cfg, diags, nil
}

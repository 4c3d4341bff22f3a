package specfacts

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ReferenceFiles names each reference file by the Spec name its
// operations carry.
var ReferenceFiles = map[string]string{
	"offices": "dialpad-offices-openapi.json",
	"groups":  "dialpad-groups-openapi.json",
}

// maxReference bounds a reference file's size (each is under 300 KB).
const maxReference = 16 << 20

// ReferenceDir finds ../shared/reference beside the repository holding
// the working directory: the folder above the one with go.mod.
func ReferenceDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "reference"), nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("no go.mod above the working directory: run inside the repository")
		}
		dir = up
	}
}

// ReadReference reads both reference files from dir. Without them, the
// error wraps fs.ErrNotExist.
func ReadReference(dir string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for spec, name := range ReferenceFiles {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("the API reference: %w", err)
		}
		b, err := io.ReadAll(io.LimitReader(f, maxReference+1))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("the API reference: %w", err)
		}
		if len(b) > maxReference {
			return nil, fmt.Errorf("the API reference %s is over %d bytes", name, maxReference)
		}
		out[spec] = b
	}
	return out, nil
}

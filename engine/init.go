package engine

import (
	_ "embed" // the example config
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/officectl/officectl/engine/load"
)

// This file holds init: the commented example config that officectl
// carries in its binary, for users who installed it with go install and
// have no repository to copy from.

// exampleConfig is the example config file, initconfig/offices.yaml.
//
//go:embed initconfig/offices.yaml
var exampleConfig []byte

// ExampleFile is the name of the example config file WriteExample writes.
const ExampleFile = "offices.yaml"

// ExampleConfig returns the example config file's content.
func ExampleConfig() []byte { return append([]byte(nil), exampleConfig...) }

// WriteExample writes the example config into dir, creating dir when
// needed, and returns the file's path. It refuses a dir that already
// holds config files (the example's keys and names would mix with
// theirs), and never overwrites a file.
func WriteExample(dir string) (string, error) {
	path := filepath.Join(dir, ExampleFile)
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return "", fmt.Errorf("%s is not a directory", dir)
		}
		files, _, err := load.FindFiles(dir, nil)
		if err != nil {
			return "", err
		}
		if len(files) > 0 {
			return "", fmt.Errorf("%s already holds config files (%s): init writes an example into a new or empty directory, and never over your files", dir, strings.Join(files, ", "))
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("%s exists already: init never overwrites a file", path)
	}
	if err != nil {
		return "", err
	}
	_, err = f.Write(ExampleConfig())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return path, nil
}

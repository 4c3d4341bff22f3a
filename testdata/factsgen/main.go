// Command factsgen writes offices/officestest/specfacts/testdata/facts.json
// from Dialpad's OpenAPI reference in ../shared/reference (beside the
// repository). Run it with `go generate ./offices/officestest/specfacts`
// or `make facts`.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/officectl/officectl/offices/officestest/specfacts"
)

func main() {
	ref := flag.String("reference", "", "the folder of the reference files (default: ../shared/reference beside the repository)")
	out := flag.String("o", "facts.json", "the file to write")
	flag.Parse()
	if err := run(*ref, *out); err != nil {
		fmt.Fprintln(os.Stderr, "factsgen:", err)
		os.Exit(1)
	}
}

func run(ref, out string) error {
	if ref == "" {
		dir, err := specfacts.ReferenceDir()
		if err != nil {
			return err
		}
		ref = dir
	}
	specs, err := specfacts.ReadReference(ref)
	if err != nil {
		return err
	}
	b, err := specfacts.Generate(specs)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Clean(out), b, 0o644)
}

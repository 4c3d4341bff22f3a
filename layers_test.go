package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// allowedImports is, for each package of officectl, the packages of
// officectl it may import: dependencies go downward only (docs/development.md
// "Layout", each package's doc.go).
var allowedImports = map[string][]string{
	"engine/load":   {"offices", "schema"},
	"engine/plan":   {"engine/load", "offices", "state"},
	"engine/render": {"engine/plan", "offices"},
	"engine/apply":  {"engine/plan", "offices", "state"},
	"engine":        {"engine/load", "engine/plan", "engine/writeback", "offices", "schema", "state"},
	"schema":        {"offices"},
	"offices":       {},
	"state":         {},

	// Config files edited in place (drift --write).
	"engine/writeback": {"engine/load", "offices", "schema", "state"},
}

// TestPackageLayers lists the imports of every package (go list) and
// holds each to allowedImports, so that no lower layer starts to import
// one above it.
func TestPackageLayers(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	const module = "github.com/officectl/officectl/"
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, ok := strings.CutPrefix(fields[0], module)
		if !ok {
			continue // the root package, main: it may import anything
		}
		allowed, known := allowedImports[pkg]
		if !known {
			continue // test helpers, tools and the simulator
		}
		seen[pkg] = true
		for _, imp := range fields[1:] {
			if dep, ours := strings.CutPrefix(imp, module); ours && !slices.Contains(allowed, dep) {
				t.Errorf("%s imports %s; it may import only %v", pkg, dep, allowed)
			}
		}
	}
	for pkg := range allowedImports {
		if !seen[pkg] {
			t.Errorf("go list did not list %s", pkg)
		}
	}
}

// TestBinaryLeavesOutTestPackages: the shipped binary links no testing
// package (net/http/httptest registers a flag of its own; testing
// registers many), though officectl sim links the simulator.
func TestBinaryLeavesOutTestPackages(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "net/http/httptest" || dep == "testing" || strings.HasSuffix(dep, "/enginetest") {
			t.Errorf("the officectl binary links %s", dep)
		}
	}
}

package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var updateScripts = flag.Bool("update", false, "rewrite the expected outputs in testdata/script")

// TestMain lets testscript run officectl in-process as a command.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"officectl": func() {
			os.Exit(run(os.Args[1:], stdio{os.Stdin, os.Stdout, os.Stderr, os.Getenv}))
		},
	})
}

// TestScripts runs the end-to-end CLI scripts in testdata/script: one
// behaviour per file. Run with -update to rewrite the expected outputs of
// cmp commands.
func TestScripts(t *testing.T) {
	example, err := filepath.Abs("testdata/example")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *updateScripts,
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			env.Setenv("EXAMPLE", example)
			return nil
		},
	})
}

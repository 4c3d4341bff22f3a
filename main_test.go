package main

import (
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	cuecmd "cuelang.org/go/cmd/cue/cmd"
	"github.com/rogpeppe/go-internal/testscript"
	"github.com/spf13/pflag"

	"github.com/officectl/officectl/offices/officestest"
)

var updateScripts = flag.Bool("update", false, "rewrite the expected outputs in testdata/script")

// TestMain lets testscript run officectl in-process as a command.
func TestMain(m *testing.M) {
	quickRaceExit()
	testscript.Main(waitingM{m}, map[string]func(){
		"officectl": func() {
			os.Exit(run(os.Args[1:], stdio{os.Stdin, os.Stdout, os.Stderr, os.Getenv}))
		},
		// The stock cue CLI, at the version go.mod pins, for the cue vet
		// commands README shows.
		"cue": func() { os.Exit(cuecmd.Main()) },
	})
}

// plainOfficectl returns a folder holding an officectl built without the
// race detector, for the tests that run officectl as a process hundreds
// of times (the scripts, the workflow tests), when this test binary has
// the race detector: a race-enabled officectl starts and loads CUE about
// ten times slower, and these tests check what the commands print, not
// their concurrency (the race detector still watches the simulator and
// the commands the tests run in-process). It returns "" without the race
// detector, with OFFICECTL_TEST_RACE_PROCESSES set (to run those processes
// with the race detector too), or when go cannot build it: then the test
// binary is officectl.
func plainOfficectl(t testing.TB) string {
	if !raceEnabled || os.Getenv("OFFICECTL_TEST_RACE_PROCESSES") != "" {
		return ""
	}
	bin, err := officectlBinary()
	if err != nil {
		t.Logf("officectl without the race detector: %v; using the test binary", err)
		return ""
	}
	return filepath.Dir(bin)
}

// quickRaceExit makes the processes this test binary starts (the
// scripts' officectl and cue, which are copies of it, and what they start)
// exit at once. A binary built with -race sleeps a second when it exits,
// in case another goroutine is about to race (GORACE atexit_sleep_ms,
// default 1000): 380 officectl commands in the scripts slept 6 minutes
// in all, more than half the root package's time under -race. 10 ms is
// testscript's own suggestion. A GORACE that sets atexit_sleep_ms stays.
func quickRaceExit() {
	opts := os.Getenv("GORACE")
	if strings.Contains(opts, "atexit_sleep_ms") {
		return
	}
	os.Setenv("GORACE", strings.TrimSpace(opts+" atexit_sleep_ms=10"))
}

// waitingM runs the tests (testscript.Main calls it when this binary runs
// as the test binary, not as one of the scripts' commands) with more
// parallel tests than cores, unless -test.parallel is given: the scripts
// and the CLI tests mostly wait for the processes they start, the
// simulator and fsync, so on 2 cores the default of 2 at once left them
// idle (the root package under -race: 177 s at 2, 112 s at 8, same binary,
// same machine).
type waitingM struct{ m *testing.M }

func (w waitingM) Run() int {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		flag.Set("test.parallel", strconv.Itoa(max(8, 4*runtime.GOMAXPROCS(0))))
	}
	defer func() {
		if cliBuild.dir != "" {
			os.RemoveAll(cliBuild.dir)
		}
	}()
	return w.m.Run()
}

// TestScripts runs the end-to-end CLI scripts in testdata/script: one
// behaviour per file. Run with -update to rewrite the expected outputs of
// cmp commands.
func TestScripts(t *testing.T) {
	t.Parallel()
	example, err := filepath.Abs("testdata/example")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *updateScripts,
		Setup: func(env *testscript.Env) error {
			if dir := plainOfficectl(t); dir != "" {
				env.Setenv("PATH", dir+string(filepath.ListSeparator)+env.Getenv("PATH"))
			}
			env.Setenv("NO_COLOR", "1")
			env.Setenv("EXAMPLE", example)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){"sim": scriptSim, "sim-edit": scriptSimEdit, "sim-delete": scriptSimDelete, "sim-group": scriptSimGroup, "sim-operator": scriptSimOperator, "hint": scriptHint},
	})
}

// scriptSim is the script command `sim [FAULTS]`: it starts a simulator
// in the test process for the rest of the script and points officectl at
// it (DIALPAD_API_URL, DIALPAD_API_KEY=sim-script-key, SIM_URL). FAULTS is
// written as for `officectl sim --faults`.
func scriptSim(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) > 1 {
		ts.Fatalf("usage: sim [FAULTS]")
	}
	// Users user1@example.com … user5@example.com and two rooms, for
	// operators.
	opts := officestest.Options{Token: "sim-script-key", RatePerMinute: -1, Users: 5, Rooms: 2}
	if len(args) == 1 {
		f, err := officestest.ParseFaults(args[0])
		ts.Check(err)
		opts.Faults = f
	}
	srv := officestest.NewServer(nil, opts)
	ts.Defer(srv.Close)
	simServers.Store(ts, srv)
	ts.Defer(func() { simServers.Delete(ts) })
	ts.Setenv("SIM_URL", srv.URL)
	ts.Setenv("DIALPAD_API_URL", srv.URL)
	ts.Setenv("DIALPAD_API_KEY", "sim-script-key")
}

// TestGitHubWorkflow checks the workflows docs/github-actions.md shows: they
// parse as YAML, docs/github-actions.md shows each as it is, and every
// officectl command line in them names a command and flags that exist.
func TestGitHubWorkflow(t *testing.T) {
	doc, err := os.ReadFile("docs/github-actions.md")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, path := range []string{"testdata/ci/github-workflow.yaml", "testdata/ci/github-drift.yaml"} {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(doc), string(src)) {
			t.Errorf("docs/github-actions.md does not show %s as it is", path)
		}
		checked += checkWorkflowCommands(t, runSteps(t, readWorkflow(t, path)))
	}
	if checked < 8 {
		t.Errorf("checked %d officectl command lines, want at least 8", checked)
	}
}

func checkCommandLine(t *testing.T, job string, args []string) {
	t.Helper()
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
		fs.SetOutput(new(strings.Builder))
		c.run(fs, stdio{getenv: os.Getenv})
		if err := fs.Parse(args[1:]); err != nil {
			t.Errorf("%s: officectl %s: %v", job, strings.Join(args, " "), err)
		} else if err := c.checkSub(fs, c.subNamed(args[1:])); err != nil {
			t.Errorf("%s: officectl %s: %v", job, strings.Join(args, " "), err)
		}
		return
	}
	t.Errorf("%s: no command %q", job, args[0])
}

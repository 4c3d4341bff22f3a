package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestMain makes the test binary stand for go test when
// TESTPROGRESS_FAKE names what to print: the events of a run.
func TestMain(m *testing.M) {
	switch os.Getenv("TESTPROGRESS_FAKE") {
	case "":
		os.Exit(m.Run())
	case "mixed":
		fmt.Println(`{"Action":"start","Package":"ex/a"}`)
		fmt.Println(`{"Action":"start","Package":"ex/b"}`)
		fmt.Println(`{"Action":"run","Package":"ex/b","Test":"TestX"}`)
		fmt.Println(`{"Action":"output","Package":"ex/b","Test":"TestX","Output":"=== RUN   TestX\n"}`)
		fmt.Println(`{"Action":"output","Package":"ex/b","Test":"TestX","Output":"    x_test.go:9: got 1, want 2\n"}`)
		fmt.Println(`{"Action":"fail","Package":"ex/b","Test":"TestX","Elapsed":0.5}`)
		fmt.Println(`{"Action":"output","Package":"ex/a","Test":"TestOK","Output":"quiet when it passes\n"}`)
		fmt.Println(`{"Action":"pass","Package":"ex/a","Test":"TestOK","Elapsed":0.1}`)
		fmt.Println(`{"Action":"pass","Package":"ex/a","Elapsed":1.25}`)
		fmt.Println(`{"Action":"fail","Package":"ex/b","Elapsed":2}`)
		fmt.Println(`{"ImportPath":"ex/c [ex/c.test]","Action":"build-output","Output":"c.go:3:1: syntax error\n"}`)
		fmt.Println(`{"ImportPath":"ex/c [ex/c.test]","Action":"build-fail"}`)
		fmt.Println(`not json`)
		os.Exit(1)
	case "slow":
		fmt.Println(`{"Action":"start","Package":"ex/slow"}`)
		time.Sleep(300 * time.Millisecond)
		fmt.Println(`{"Action":"pass","Package":"ex/slow","Elapsed":0.3}`)
	case "nothing":
	}
	os.Exit(0)
}

func runFake(t *testing.T, fake string, every time.Duration) (int, string) {
	t.Helper()
	t.Setenv("TESTPROGRESS_FAKE", fake)
	var out, errb strings.Builder
	code := run([]string{os.Args[0]}, &out, &errb, every)
	return code, out.String() + errb.String()
}

// TestRun: a line per package as it ends, the output of a failed test and
// of a failed build (none of a passing test), and go test's exit status.
func TestRun(t *testing.T) {
	code, out := runFake(t, "mixed", time.Hour)
	if code != 1 {
		t.Errorf("exit %d, want go test's 1", code)
	}
	for _, want := range []string{
		"ok   ex/a ",
		"--- FAIL ex/b TestX (0.50s)\n    === RUN   TestX\n        x_test.go:9: got 1, want 2\n",
		"\nFAIL ex/b ",
		"FAIL build ex/c [ex/c.test]\nc.go:3:1: syntax error\n",
		"not json\n",
		"FAILED after ",
		"\ntests: 1 passed, 1 failed, 0 skipped\n", // the closing line CI reads
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "quiet when it passes") {
		t.Errorf("a passing test's output was printed:\n%s", out)
	}
	if strings.Index(out, "ok   ex/a") > strings.Index(out, "\nFAIL ex/b ") {
		t.Errorf("packages out of the order they ended:\n%s", out)
	}
}

// TestRunProgress: a package that runs long is named while it runs.
func TestRunProgress(t *testing.T) {
	code, out := runFake(t, "slow", 50*time.Millisecond)
	if code != 0 || !strings.Contains(out, "still running: ex/slow (") || !strings.Contains(out, "1 packages tested in") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// TestRunNothing: go test that reports no package is a failure.
func TestRunNothing(t *testing.T) {
	if code, out := runFake(t, "nothing", time.Hour); code != 1 || !strings.Contains(out, "reported no package") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// TestJSONAdded: -json is added to go test when missing.
func TestJSONAdded(t *testing.T) {
	var out, errb strings.Builder
	code := run([]string{"go", "test", "-run", "^$", "./nosuchdir"}, &out, &errb, time.Hour)
	if code == 0 {
		t.Errorf("go test of a missing package: exit 0\n%s%s", out.String(), errb.String())
	}
}

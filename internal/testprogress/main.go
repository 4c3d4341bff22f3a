// Command testprogress runs `go test -json ...` and prints a line per
// package as soon as the package finishes (go test without -json holds
// every package's line until the packages listed before it finish), the
// output of the tests that failed, and every minute the packages still
// running. It exits with go test's status (1 when go test said nothing).
//
//	go run ./internal/testprogress go test -race -count=1 ./...
//
// make test runs it. Only the standard library: it builds in a second.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: testprogress go test -json ... (the -json is added when missing)")
		os.Exit(2)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, time.Minute))
}

// event is one line of `go test -json` (cmd/test2json), or of the build
// output it interleaves (ImportPath, Action build-output / build-fail).
type event struct {
	Action     string
	Package    string
	ImportPath string
	Test       string
	Elapsed    float64
	Output     string
}

// run runs args (go test ..., given -json), prints progress on out and
// returns the exit status.
func run(args []string, out, errw io.Writer, every time.Duration) int {
	if !slices.Contains(args, "-json") && len(args) >= 2 && args[1] == "test" {
		args = slices.Insert(slices.Clone(args), 2, "-json")
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = errw
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintf(errw, "testprogress: %v\n", err)
		return 1
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(errw, "testprogress: %v\n", err)
		return 1
	}
	p := newPrinter(out)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				p.running()
			}
		}
	}()
	failed := p.read(stdout)
	close(done)
	wg.Wait()
	err = cmd.Wait()
	status := 0
	if ee, ok := err.(*exec.ExitError); ok {
		status = ee.ExitCode()
	} else if err != nil {
		fmt.Fprintf(errw, "testprogress: %v\n", err)
		status = 1
	}
	p.summary()
	switch {
	case status != 0:
		return status
	case failed:
		return 1 // a failure go test did not count: should not happen
	case p.packages == 0:
		fmt.Fprintln(errw, "testprogress: go test reported no package")
		return 1
	}
	return 0
}

// printer turns events into lines.
type printer struct {
	mu       sync.Mutex
	out      io.Writer
	start    time.Time
	started  map[string]time.Time   // packages running, since
	output   map[[2]string][]string // by package and test: its output so far
	build    map[string][]string    // build output by import path
	packages int
	failures []string
	// tests counts the tests (subtests too) per outcome: pass, fail, skip.
	tests map[string]int
}

func newPrinter(out io.Writer) *printer {
	return &printer{out: out, start: time.Now(), started: map[string]time.Time{}, output: map[[2]string][]string{}, build: map[string][]string{}, tests: map[string]int{}}
}

// read prints the events of r until it ends and reports whether a test, a
// package or a build failed. A line that is not an event is printed as it is.
func (p *printer) read(r io.Reader) bool {
	failed := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || (e.Action == "" && e.ImportPath == "") {
			p.line(sc.Text())
			continue
		}
		if p.event(e) {
			failed = true
		}
	}
	if err := sc.Err(); err != nil {
		p.line("testprogress: reading go test's output: " + err.Error())
		failed = true
	}
	return failed
}

func (p *printer) line(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(p.out, s)
}

// event handles one event and reports whether it is a failure.
func (p *printer) event(e event) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e.Action {
	case "build-output":
		p.build[e.ImportPath] = append(p.build[e.ImportPath], e.Output)
		return false
	case "build-fail":
		fmt.Fprintf(p.out, "FAIL build %s\n%s", e.ImportPath, strings.Join(p.build[e.ImportPath], ""))
		delete(p.build, e.ImportPath)
		return true
	case "start":
		p.started[e.Package] = time.Now()
		return false
	case "output":
		k := [2]string{e.Package, e.Test}
		if len(p.output[k]) < 10000 { // a test that prints without end
			p.output[k] = append(p.output[k], e.Output)
		}
		return false
	}
	if e.Action != "pass" && e.Action != "fail" && e.Action != "skip" {
		return false // run, pause, cont, bench
	}
	k := [2]string{e.Package, e.Test}
	lines := p.output[k]
	delete(p.output, k)
	if e.Test != "" {
		p.tests[e.Action]++
		if e.Action == "fail" {
			fmt.Fprintf(p.out, "--- FAIL %s %s (%.2fs)\n%s", e.Package, e.Test, e.Elapsed, indent(lines))
			p.failures = append(p.failures, e.Package+" "+e.Test)
		}
		return e.Action == "fail"
	}
	delete(p.started, e.Package)
	p.packages++
	switch e.Action {
	case "pass":
		fmt.Fprintf(p.out, "ok   %-50s %6.1fs   [%s]\n", e.Package, e.Elapsed, p.since())
	case "skip":
		fmt.Fprintf(p.out, "?    %-50s [no test files]\n", e.Package)
	case "fail":
		// The package's own output: a panic, a timeout, TestMain.
		fmt.Fprintf(p.out, "FAIL %-50s %6.1fs   [%s]\n%s", e.Package, e.Elapsed, p.since(), indent(lines))
		p.failures = append(p.failures, e.Package)
	}
	for key := range p.output {
		if key[0] == e.Package {
			delete(p.output, key)
		}
	}
	return e.Action == "fail"
}

// running prints the packages still running, longest first.
func (p *printer) running() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.started) == 0 {
		return
	}
	var names []string
	for pkg := range p.started {
		names = append(names, pkg)
	}
	slices.SortFunc(names, func(a, b string) int { return p.started[a].Compare(p.started[b]) })
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s (%s)", n, time.Since(p.started[n]).Round(time.Second))
	}
	fmt.Fprintf(p.out, "...  [%s] still running: %s\n", p.since(), strings.Join(parts, ", "))
}

func (p *printer) summary() {
	p.mu.Lock()
	defer p.mu.Unlock()
	// The closing line CI reads: "tests: N passed, N failed, N skipped".
	defer fmt.Fprintf(p.out, "tests: %d passed, %d failed, %d skipped\n", p.tests["pass"], p.tests["fail"], p.tests["skip"])
	if len(p.failures) > 0 {
		fmt.Fprintf(p.out, "FAILED after %s: %s\n", p.since(), strings.Join(p.failures, "; "))
		return
	}
	fmt.Fprintf(p.out, "%d packages tested in %s\n", p.packages, p.since())
}

// since is the time since the start, for the progress lines.
func (p *printer) since() string {
	return time.Since(p.start).Round(time.Second).String()
}

// indent indents the output lines of a failed test.
func indent(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("    " + l)
		if !strings.HasSuffix(l, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String()
}

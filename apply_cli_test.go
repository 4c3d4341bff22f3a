package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// TestApplyCLI runs the officectl binary as a child process against a
// simulator in this process: what only a real process shows (SIGKILL,
// SIGINT, the lock, exit codes, what reaches stdout and stderr).
func TestApplyCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the officectl binary: not in -short")
	}
	t.Parallel()
	bin := buildApplyCLI(t)
	t.Run("killed", func(t *testing.T) { t.Parallel(); testApplyKilledResumes(t, bin) })
	t.Run("interrupted", func(t *testing.T) { t.Parallel(); testApplyInterruptExits130(t, bin) })
	t.Run("locked", func(t *testing.T) { t.Parallel(); testApplyLocked(t, bin) })
	t.Run("unauthorized", func(t *testing.T) { t.Parallel(); testApplyUnauthorized(t, bin) })
	t.Run("key-never-printed", func(t *testing.T) { t.Parallel(); testApplyKeyNeverPrinted(t, bin) })
	t.Run("interrupt-prompt", func(t *testing.T) { t.Parallel(); testApplyInterruptPrompt(t, bin) })
	t.Run("hostile-api", func(t *testing.T) { t.Parallel(); testApplyHostileAPI(t, bin) })
}

// buildApplyCLI builds the command (see officectlBinary).
func buildApplyCLI(t *testing.T) string {
	t.Helper()
	bin, err := officectlBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// officectlBinary builds officectl without the race detector, once for all
// the tests of this process, into a temporary directory that TestMain
// removes at the end: the CLI tests send it signals, and the scripts run it
// as a process (plainOfficectl).
func officectlBinary() (string, error) {
	cliBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "officectl-cli-test")
		if err != nil {
			cliBuild.err = err
			return
		}
		cliBuild.dir, cliBuild.bin = dir, filepath.Join(dir, "officectl")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if out, err := exec.CommandContext(ctx, "go", "build", "-o", cliBuild.bin, ".").CombinedOutput(); err != nil {
			cliBuild.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	return cliBuild.bin, cliBuild.err
}

// cliBuild is the binary buildApplyCLI built.
var cliBuild struct {
	once     sync.Once
	dir, bin string
	err      error
}

// cliTestKey is the API key of the simulators these tests start.
const cliTestKey = "apply-test-key-5f2c9d"

// cliEnv is a config directory of n offices, a state path and a
// simulator.
type cliEnv struct {
	bin, dir, statePath string
	sim                 *officestest.TestServer
	key                 string
}

func newCLIEnv(t *testing.T, bin string, n int, simOpts officestest.Options) *cliEnv {
	t.Helper()
	if simOpts.Token == "" {
		simOpts.Token = cliTestKey
	}
	if simOpts.RatePerMinute == 0 {
		simOpts.RatePerMinute = -1
	}
	work := t.TempDir()
	e := &cliEnv{bin: bin, dir: filepath.Join(work, "offices"), statePath: filepath.Join(work, "officectl.state"),
		sim: officestest.NewServer(t, simOpts), key: cliTestKey}
	writeApplyConfig(t, e.dir, n)
	return e
}

// cmd is `officectl apply DIR --state … --auto-approve` plus args.
func (e *cliEnv) cmd(args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	all := append([]string{"apply", e.dir, "--state", e.statePath, "--auto-approve", "--max-creates", "1000"}, args...)
	cmd := exec.Command(e.bin, all...)
	cmd.Env = append(os.Environ(), "DIALPAD_API_URL="+e.sim.URL, "DIALPAD_API_KEY="+e.key, "NO_COLOR=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

// run runs apply to its end and returns its exit code.
func (e *cliEnv) run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd, stdout, stderr := e.cmd(args...)
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// waitOffices waits until the simulator holds at least n offices.
func (e *cliEnv) waitOffices(t *testing.T, n int, cmd *exec.Cmd, stderr *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for len(e.sim.Offices()) < n {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("still fewer than %d offices after 2 minutes:\n%s", n, stderr)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// finishAndCheck runs apply to completion and checks the end: exactly n
// offices, no name twice, the state is the server, and plan shows no
// changes.
func (e *cliEnv) finishAndCheck(t *testing.T, n int) {
	t.Helper()
	if code, _, stderr := e.run(t); code != 0 {
		t.Fatalf("apply after the first run: exit %d\n%s", code, stderr)
	}
	st, err := state.Load(e.statePath)
	if err != nil {
		t.Fatal(err)
	}
	enginetest.CheckStateMatchesServer(t, e.sim, st, n)
	plan := exec.Command(e.bin, "plan", e.dir, "--state", e.statePath, "--detailed-exitcode")
	if out, err := plan.CombinedOutput(); err != nil {
		t.Errorf("plan after apply: %v\n%s", err, out)
	}
}

// testApplyKilledResumes: an apply killed with SIGKILL mid-run, then run
// again, ends with exactly the configured offices.
func testApplyKilledResumes(t *testing.T, bin string) {
	const n = 40
	e := newCLIEnv(t, bin, n, officestest.Options{Latency: 30 * time.Millisecond})
	cmd, _, stderr := e.cmd("--parallelism", "4")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	e.waitOffices(t, 10, cmd, stderr)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	killedAt := len(e.sim.Offices())
	st, err := state.Load(e.statePath)
	if err != nil {
		t.Fatalf("state after SIGKILL: %v", err)
	}
	pending := 0
	for _, en := range st.Offices {
		if en.Status == state.Pending {
			pending++
		}
	}
	t.Logf("killed with %d offices on the server; state: %d entries, %d pending", killedAt, len(st.Offices), pending)
	if killedAt == n {
		t.Fatal("the apply finished before the kill: the test proves nothing")
	}
	e.finishAndCheck(t, n)
}

// testApplyInterruptExits130: SIGINT makes apply finish what is in flight,
// save, and exit 130; every entry is created or pending, and the next run
// finishes the job.
func testApplyInterruptExits130(t *testing.T, bin string) {
	const n = 40
	e := newCLIEnv(t, bin, n, officestest.Options{Latency: 100 * time.Millisecond})
	cmd, _, stderr := e.cmd("--parallelism", "2")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	e.waitOffices(t, 4, cmd, stderr)
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatalf("apply still running a minute after SIGINT:\n%s", stderr)
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit %d after SIGINT, want 130\n%s", code, stderr)
	}
	if !strings.Contains(stderr.String(), "Apply interrupted") {
		t.Errorf("no interrupted summary:\n%s", stderr)
	}
	st, err := state.Load(e.statePath)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, l := range e.sim.Offices() {
		ids[strconv.FormatInt(l.ID, 10)] = true
	}
	for key, en := range st.Offices {
		switch {
		case en.Status == state.Created && !ids[en.ID]:
			t.Errorf("%s: created with id %s, which the server does not have", key, en.ID)
		case en.Status != state.Created && en.Status != state.Pending:
			t.Errorf("%s: status %q", key, en.Status)
		}
	}
	if len(st.Offices) >= n {
		t.Fatalf("all %d offices done before the interrupt: the test proves nothing", n)
	}
	t.Logf("interrupted with %d offices on the server, %d state entries", len(ids), len(st.Offices))
	e.finishAndCheck(t, n)
}

// testApplyLocked: a second apply while one runs is refused at once,
// naming the holder; the first one finishes undisturbed.
func testApplyLocked(t *testing.T, bin string) {
	const n = 20
	e := newCLIEnv(t, bin, n, officestest.Options{Latency: 50 * time.Millisecond})
	first, _, firstErr := e.cmd("--parallelism", "1")
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	e.waitOffices(t, 1, first, firstErr)
	start := time.Now()
	code, _, stderr := e.run(t)
	if code != 1 || !strings.Contains(stderr, fmt.Sprintf("state locked by pid %d", first.Process.Pid)) {
		t.Errorf("second apply: exit %d, stderr:\n%s\nwant 1 and the first one's pid %d", code, stderr, first.Process.Pid)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("refusal took %s: it should not wait", d)
	}
	if err := first.Wait(); err != nil {
		t.Fatalf("first apply: %v\n%s", err, firstErr)
	}
	st, err := state.Load(e.statePath)
	if err != nil {
		t.Fatal(err)
	}
	enginetest.CheckStateMatchesServer(t, e.sim, st, n)
}

// testApplyUnauthorized: a refused key stops apply at once with a message
// about DIALPAD_API_KEY.
func testApplyUnauthorized(t *testing.T, bin string) {
	e := newCLIEnv(t, bin, 30, officestest.Options{})
	e.key = "wrong-key-3c1a77"
	code, stdout, stderr := e.run(t)
	if code != 1 || !strings.Contains(stderr, "DIALPAD_API_KEY") {
		t.Errorf("exit %d, stderr:\n%s\nwant 1 and a word about DIALPAD_API_KEY", code, stderr)
	}
	if n := e.sim.Stats().Requests; n > 2 {
		t.Errorf("%d requests after a 401", n)
	}
	if strings.Contains(stdout+stderr, e.key) {
		t.Error("the key was printed")
	}
}

// testApplyKeyNeverPrinted: with --debug, retries and errors, the key is
// in no output and no file.
func testApplyKeyNeverPrinted(t *testing.T, bin string) {
	const key = "sk-live-9d2e4f6a8b0c1e3f"
	faults := officestest.Faults{ServerError: 0.2, TooManyRequests: 0.1, Drop: 0.05}
	e := newCLIEnv(t, bin, 20, officestest.Options{Token: key, Faults: faults, Seed: 3})
	keyFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(keyFile, []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.key = "" // from the file only
	var out strings.Builder
	for _, format := range []string{"text", "json"} {
		code, stdout, stderr := e.run(t, "--debug", "--api-key-file", keyFile, "--format", format)
		out.WriteString(stdout + stderr)
		if format == "text" && code != 0 {
			t.Errorf("exit %d\n%s", code, stderr)
		}
	}
	if !strings.Contains(out.String(), "dialpad: POST /api/v2/offices") {
		t.Errorf("no debug lines: the test proves nothing\n%s", out.String())
	}
	if strings.Contains(out.String(), key) {
		t.Error("the key was printed")
	}
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(e.statePath), "*"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil && bytes.Contains(b, []byte(key)) {
			t.Errorf("%s holds the key", f)
		}
	}
}

// writeApplyConfig writes n offices, 20 to a YAML file; every fifth
// routes to the one before it.
func writeApplyConfig(t *testing.T, dir string, n int) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `  office-%03d:
    name: Office %03d
    country: DE
    currency: EUR
    plan_period: monthly
    invoiced: false
    unified_billing: true
    annual_commit_monthly_billing: false
    billing_address: {address_line_1: "%d Main St", city: Berlin, country: DE, postal_code: "10117", region: Berlin}
`, i, i, i)
		if i%5 == 4 {
			fmt.Fprintf(&b, `    routing_options:
      open: {action: department, action_target_type: office, action_target_id: {office: office-%03d}, try_dial_operators: false}
      closed: {action: voicemail, try_dial_operators: false}
`, i-1)
		}
		if i%20 == 19 || i == n-1 {
			name := filepath.Join(dir, fmt.Sprintf("offices-%03d.yaml", i/20))
			if err := os.WriteFile(name, append([]byte("offices:\n"), b.Bytes()...), 0o644); err != nil {
				t.Fatal(err)
			}
			b.Reset()
		}
	}
}

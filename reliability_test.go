package main

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// TestReliability is the chaos run: N offices applied against a simulator
// that fails requests (5xx, 429, commit-then-drop, resets) and answers
// slowly, with the apply process SIGKILLed at random points and started
// again. Afterwards exactly N offices exist, no name twice, the state
// matches the server, and a plan shows no changes.
//
// By default it runs a short variant (CI); OFFICECTL_RELIABILITY=long runs
// the full one: 1,000 offices, 100 ms latency, three kills (make
// reliability).
func TestReliability(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos apply: not in -short")
	}
	t.Parallel()
	n, kills, latency := 150, 1, 20*time.Millisecond
	if os.Getenv("OFFICECTL_RELIABILITY") == "long" {
		n, kills, latency = 1000, 3, 100*time.Millisecond
	}
	faults, err := officestest.ParseFaults("5xx=0.10,429=0.05,drop=0.03,reset=0.02")
	if err != nil {
		t.Fatal(err)
	}
	seed := time.Now().UnixNano()
	t.Logf("seed %d: %d offices, %d kills, %v latency, faults %v", seed, n, kills, latency, faults)
	rng := rand.New(rand.NewSource(seed))
	sim := officestest.NewServer(t, officestest.Options{
		Token: "reliability-token", RatePerMinute: 60000, Latency: latency,
		Faults: faults, Seed: uint64(seed),
	})
	bin := buildApplyCLI(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "offices")
	writeApplyConfig(t, cfg, n)
	statePath := filepath.Join(dir, "officectl.state")
	run := chaosRun{bin: bin, cfg: cfg, statePath: statePath, url: sim.URL, maxCreates: n}

	start := time.Now()
	run.killAt(t, rng, kills, n, func() int { return len(sim.Offices()) },
		func(have int) string { return fmt.Sprintf("%d offices", have) })
	// Run to completion: a run that hits an unknown outcome it cannot
	// settle yet may end with failures; the next run resumes.
	run.finish(t, 3)
	t.Logf("applied %d offices through %d kills in %v", n, kills, time.Since(start).Round(time.Millisecond))

	// Exactly n offices, no name twice, and the state is the server.
	st, err := state.Load(statePath)
	if err != nil {
		t.Fatal(err)
	}
	enginetest.CheckStateMatchesServer(t, sim, st, n)
	// And a plan shows nothing to do.
	plan := exec.Command(bin, "plan", cfg, "--state", statePath, "--detailed-exitcode")
	if out, err := plan.CombinedOutput(); err != nil {
		t.Errorf("plan after apply: %v\n%s", err, tail(string(out), 2000))
	}
}

// chaosRun runs the apply binary again and again on one config and state
// file against the simulator at url, as a chaos run does.
type chaosRun struct {
	bin, cfg, statePath, url string
	maxCreates               int
}

func (c chaosRun) apply() *exec.Cmd {
	cmd := exec.Command(c.bin, "apply", c.cfg, "--state", c.statePath, "--auto-approve",
		"--max-creates", strconv.Itoa(c.maxCreates), "--parallelism", "8", "--rate", "30000")
	cmd.Env = append(os.Environ(), "DIALPAD_API_URL="+c.url, "DIALPAD_API_KEY=reliability-token", "NO_COLOR=1")
	cmd.Stdin = bytes.NewReader(nil)
	return cmd
}

// killAt starts apply kills times and SIGKILLs it each time somewhere in
// the middle of what is left of total, as progress (what the server holds
// now) tells; says logs progress in words.
func (c chaosRun) killAt(t *testing.T, rng *rand.Rand, kills, total int, progress func() int, says func(int) string) {
	t.Helper()
	for k := 0; k < kills; k++ {
		have := progress()
		target := have + 1 + rng.Intn(max(1, (total-have)/(kills-k+1)))
		cmd := c.apply()
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Minute)
		for progress() < target && time.Now().Before(deadline) {
			time.Sleep(time.Duration(rng.Intn(20)) * time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Logf("kill %d: %v (it had finished)", k+1, err)
		}
		cmd.Wait()
		t.Logf("kill %d at %s on the server (target %d)", k+1, says(progress()), target)
	}
}

// finish runs apply until it succeeds, at most runs times.
func (c chaosRun) finish(t *testing.T, runs int) {
	t.Helper()
	for run := 1; ; run++ {
		cmd := c.apply()
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		if err == nil {
			return
		}
		if run == runs {
			t.Fatalf("apply still failing after %d runs: %v\n%s", run, err, tail(out.String(), 3000))
		}
		t.Logf("apply run %d after the kills: %v", run, err)
	}
}

// tail is the last n bytes of s.
func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

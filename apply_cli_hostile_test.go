package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// testApplyInterruptPrompt: after SIGINT, apply sends no request that was
// not already on the wire, says at once that it is stopping, and exits
// 130 about as soon as the requests in flight are answered. Measured by
// the simulator's arrival times, not by tight timing.
func testApplyInterruptPrompt(t *testing.T, bin string) {
	const n, latency = 200, 300 * time.Millisecond
	e := newCLIEnv(t, bin, n, officestest.Options{Latency: latency})
	cmd, _, stderr := e.cmd("--parallelism", "8")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	e.waitOffices(t, 10, cmd, stderr)
	signalled := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatalf("apply still running a minute after SIGINT:\n%s", stderr)
	}
	exited := time.Since(signalled)
	late := 0
	for _, r := range e.sim.Records() {
		if r.At.After(signalled) {
			late++
		}
	}
	t.Logf("exit %d after %s; %d requests arrived after SIGINT", cmd.ProcessState.ExitCode(), exited.Round(time.Millisecond), late)
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit %d, want 130\n%s", code, stderr)
	}
	// The signal reaches the process a moment after Signal returns: one
	// request may start in that moment.
	if late > 1 {
		t.Errorf("%d requests arrived after SIGINT, want none but the odd one sent as it was delivered", late)
	}
	if exited > latency+3*time.Second {
		t.Errorf("exit %s after SIGINT, want about the latency (%s) of the requests in flight", exited, latency)
	}
	if !strings.Contains(stderr.String(), "stopping: no new request starts; waiting for") {
		t.Errorf("no word that it is stopping:\n%s", stderr)
	}
	st, err := state.Load(e.statePath)
	if err != nil {
		t.Fatal(err)
	}
	enginetest.CheckStateMatchesServer(t, e.sim, st, len(e.sim.Offices()))
}

// testApplyHostileAPI: the promises of apply against an API that asks
// for an endless wait or cannot be reached: a clear error, exit 1, soon.
func testApplyHostileAPI(t *testing.T, bin string) {
	e := newCLIEnv(t, bin, 5, officestest.Options{})
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1000000000")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer huge.Close()
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()

	for _, tc := range []struct {
		name, url string
		args      []string
		want      string
	}{
		{"huge Retry-After", huge.URL, []string{"--max-retry-wait", "5s"}, `Retry-After "1000000000"`},
		{"connection refused", down.URL, nil, "the Dialpad API is unreachable"},
	} {
		cmd, _, stderr := e.cmd(tc.args...)
		cmd.Env = append(os.Environ(), "DIALPAD_API_URL="+tc.url, "DIALPAD_API_KEY="+e.key, "NO_COLOR=1")
		start := time.Now()
		cmd.Run()
		took := time.Since(start)
		if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%s: exit %d, stderr:\n%s\nwant 1 and %q", tc.name, code, stderr, tc.want)
		}
		if took > 30*time.Second {
			t.Errorf("%s: took %s", tc.name, took)
		}
		if st, err := state.Load(e.statePath); err == nil && len(st.Offices) > 0 {
			t.Errorf("%s: %d state entries, want none", tc.name, len(st.Offices))
		}
	}
}

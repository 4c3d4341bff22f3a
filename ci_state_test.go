package main

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sh runs a shell command line in dir as a person at a terminal does
// (officectl is this test binary, officectl-state the script) and returns
// its exit status and output.
func (r *ciRepo) sh(dir, line string) (int, string) {
	r.t.Helper()
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", line)
	cmd.Dir, cmd.Env = dir, append(slices.Clip(r.env), "TMPDIR="+r.dir)
	out, err := cmd.CombinedOutput()
	if err == nil {
		return 0, string(out)
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	}
	r.t.Fatalf("%s: %v", line, err)
	return -1, ""
}

// mustSh runs line in dir and fails the test unless it exits 0.
func (r *ciRepo) mustSh(dir, line string) string {
	r.t.Helper()
	code, out := r.sh(dir, line)
	if code != 0 {
		r.t.Fatalf("%s: exit %d\n%s", line, code, out)
	}
	return out
}

// makeLive creates the offices of main's config in Dialpad outside
// officectl's state, as a company that had them before officectl does.
func (r *ciRepo) makeLive() {
	r.t.Helper()
	r.mustSh(r.seed, "git pull --quiet origin main && officectl apply offices --state "+filepath.Join(r.dir, "elsewhere.state")+" --auto-approve")
}

// TestWorkflowBootstrap: a company with offices imports them in a clone
// and pushes that state with `officectl-state push STATE` (no command): the
// first push creates the state branch, and the first apply job then has
// nothing to do. A push without a command never replaces a state it has
// not pulled.
func TestWorkflowBootstrap(t *testing.T) {
	r := newCIRepo(t)
	r.merge("lisbon", "Lisbon")
	r.merge("porto", "Porto")
	r.makeLive()

	laptop := filepath.Join(r.dir, "laptop")
	r.git(r.dir, "clone", "--quiet", r.origin, laptop)
	if code, out := r.sh(laptop, "officectl-state push offices/officectl.state --"); code != 1 || !strings.Contains(out, "no COMMAND after --") {
		t.Errorf("push STATE -- without a command: exit %d\n%s", code, out)
	}
	r.mustSh(laptop, "officectl import offices --state offices/officectl.state")
	out := r.mustSh(laptop, "officectl-state push offices/officectl.state")
	if !strings.Contains(out, "pushed the state to officectl-state") {
		t.Errorf("the bootstrap push:\n%s", out)
	}
	r.checkStateIsServer("lisbon", "porto")
	if msg := r.git(r.dir, "--git-dir", r.origin, "log", "-1", "--format=%s", "officectl-state"); !strings.Contains(msg, "pushed as it is") {
		t.Errorf("state commit message %q", msg)
	}

	j := r.checkout("job0")
	j.mustSteps("Validate", "Fetch the state", "Apply", "Push the state")
	if !strings.Contains(j.output, "No changes") || !strings.Contains(j.output, "the state is unchanged: nothing to push") {
		t.Errorf("the first apply after the bootstrap should have nothing to do:\n%s", j.output)
	}
	r.checkStateIsServer("lisbon", "porto")

	// Another clone that never pulled: its push would replace the branch's
	// state, and is refused; once it has pulled (into another file), it
	// replaces it.
	other := filepath.Join(r.dir, "other")
	r.git(r.dir, "clone", "--quiet", r.origin, other)
	r.mustSh(other, "officectl import offices --state mine.state")
	r.mustSh(other, "officectl state rm porto offices --state mine.state")
	tip := r.git(r.dir, "--git-dir", r.origin, "rev-parse", "officectl-state")
	code, out := r.sh(other, "officectl-state push mine.state")
	if code != 1 || !strings.Contains(out, "::error title=officectl state::branch officectl-state holds a state this push would replace (commit "+tip[:12]+"); nothing was pushed") {
		t.Errorf("a push over a state never pulled: exit %d\n%s", code, out)
	}
	if got := r.git(r.dir, "--git-dir", r.origin, "rev-parse", "officectl-state"); got != tip {
		t.Errorf("the state branch moved to %s", got)
	}
	r.mustSh(other, "officectl-state pull theirs.state && officectl-state push mine.state")
	if st := r.branchState(); st.Offices["porto"] != nil || st.Offices["lisbon"] == nil {
		t.Errorf("after pull and push, the branch should hold mine.state (lisbon only): %v", st.Offices)
	}
}

// TestWorkflowDispatch runs the workflow's state job, as "Run workflow"
// does: state-rm KEY forgets an office on the state branch (the next
// apply adopts it again by name), import adopts an office made in
// Dialpad's console, and a bad input fails before anything is pushed.
func TestWorkflowDispatch(t *testing.T) {
	r := newCIRepo(t)
	r.merge("lisbon", "Lisbon")
	r.merge("porto", "Porto")
	r.checkout("job0").mustSteps("Validate", "Fetch the state", "Apply", "Push the state")
	r.checkStateIsServer("lisbon", "porto")

	dispatch := func(name, command, key string) (*job, int) {
		j := r.checkout(name)
		j.job = "state"
		j.env = []string{"COMMAND=" + command, "KEY=" + key}
		j.mustSteps("Fetch the state")
		return j, j.step("Change the state and push it")
	}
	j, code := dispatch("rm", "state-rm", "porto")
	if code != 0 {
		t.Fatalf("state-rm porto: exit %d\n%s", code, j.output)
	}
	if st := r.branchState(); st.Offices["porto"] != nil || st.Offices["lisbon"] == nil {
		t.Errorf("after state-rm porto the branch holds %v", st.Offices)
	}
	next := r.checkout("job1")
	next.mustSteps("Validate", "Fetch the state", "Apply", "Push the state")
	if !strings.Contains(next.output, "0 created, 1 adopted") {
		t.Errorf("the apply after state-rm should adopt porto again:\n%s", next.output)
	}
	r.checkStateIsServer("lisbon", "porto")

	// faro is made in Dialpad's console, then described in the config;
	// import adopts it onto the state branch.
	r.merge("faro", "Faro")
	r.mustSh(r.seed, "officectl apply offices --state "+filepath.Join(r.dir, "console.state")+" --auto-approve --adopt-existing")
	j, code = dispatch("import", "import", "")
	if code != 0 {
		t.Fatalf("import: exit %d\n%s", code, j.output)
	}
	r.checkStateIsServer("lisbon", "porto", "faro")
	again := r.checkout("job2")
	again.mustSteps("Validate", "Fetch the state", "Apply", "Push the state")
	if !strings.Contains(again.output, "No changes") {
		t.Errorf("after import the apply should have nothing to do:\n%s", again.output)
	}

	tip := r.git(r.dir, "--git-dir", r.origin, "rev-parse", "officectl-state")
	for _, bad := range []struct{ command, key, want string }{
		{"state-rm", "", "state-rm needs the key to forget"},
		{"state-rm", "nowhere", "nowhere"},
		{"apply", "", `unknown command "apply"`},
	} {
		j, code := dispatch("bad-"+bad.command+bad.key, bad.command, bad.key)
		if code == 0 || !strings.Contains(j.output, bad.want) {
			t.Errorf("%s %q: exit %d, want a failure with %q\n%s", bad.command, bad.key, code, bad.want, j.output)
		}
	}
	if got := r.git(r.dir, "--git-dir", r.origin, "rev-parse", "officectl-state"); got != tip {
		t.Errorf("a failed dispatch moved the state branch to %s", got)
	}
}

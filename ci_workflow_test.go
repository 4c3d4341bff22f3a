package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// These tests run the shell steps of the workflows docs/github-actions.md
// shows (testdata/ci/github-workflow.yaml, github-drift.yaml), as written,
// with bash: officectl is this test binary (see TestMain; plainOfficectl
// under -race), officectl-state is
// testdata/ci/officectl-state.sh, the API is the simulator, and origin is a
// bare Git repository in a temporary folder. The workflow's `uses:` steps
// are what the test does around them: a clone of main's tip for
// actions/checkout, PATH for the officectl action.

// workflowStep is one step of a workflow job.
type workflowStep struct {
	Name string `yaml:"name"`
	Uses string `yaml:"uses"`
	Run  string `yaml:"run"`
}

// workflow is the part of a workflow file these tests run.
type workflow struct {
	Env  map[string]string `yaml:"env"`
	Jobs map[string]struct {
		Steps []workflowStep `yaml:"steps"`
	} `yaml:"jobs"`
}

func readWorkflow(t *testing.T, path string) workflow {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var wf workflow
	if err := yaml.Unmarshal(src, &wf); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return wf
}

// runSteps returns the run steps of every job of wf by job and step name.
func runSteps(t *testing.T, wf workflow) map[string]map[string]string {
	t.Helper()
	jobs := map[string]map[string]string{}
	for job, j := range wf.Jobs {
		jobs[job] = map[string]string{}
		for _, s := range j.Steps {
			if s.Run == "" {
				continue
			}
			if strings.Contains(s.Run, "${{") {
				t.Errorf("job %s step %q: a run script with a ${{ }} expression (pass values through env:)", job, s.Name)
			}
			jobs[job][s.Name] = s.Run
		}
	}
	return jobs
}

// varDefault is the one expression the workflow's env may hold: a
// repository variable with a default.
var varDefault = regexp.MustCompile(`^\$\{\{ vars\.(\w+) \|\| '([^']*)' \}\}$`)

// workflowEnv evaluates the workflow's env with the repository variables
// vars, as GitHub does.
func workflowEnv(t *testing.T, wf workflow, vars map[string]string) []string {
	t.Helper()
	var env []string
	for k, v := range wf.Env {
		if m := varDefault.FindStringSubmatch(v); m != nil {
			v = m[2]
			if set := vars[m[1]]; set != "" {
				v = set
			}
		} else if strings.Contains(v, "${{") {
			t.Fatalf("workflow env %s: %q is not ${{ vars.NAME || 'default' }}", k, v)
		}
		env = append(env, k+"="+v)
	}
	return env
}

// checkWorkflowCommands checks every officectl command line of the run
// steps (`officectl ...` or `set -- officectl ...` up to a redirection, a
// pipe or ;;) names a command and flags that exist, with shell variables
// taken for numbers; it returns how many it checked.
func checkWorkflowCommands(t *testing.T, jobs map[string]map[string]string) int {
	t.Helper()
	line := regexp.MustCompile(`(?:^|set -- |-- )officectl ([^>|;]*)`)
	shellVar := regexp.MustCompile(`"?\$\{?[A-Za-z_]+\}?"?`)
	checked := 0
	for job, steps := range jobs {
		for _, run := range steps {
			for _, l := range strings.Split(run, "\n") {
				for _, m := range line.FindAllStringSubmatch(strings.TrimSpace(l), -1) {
					checkCommandLine(t, job, strings.Fields(shellVar.ReplaceAllString(m[1], "1")))
					checked++
				}
			}
		}
	}
	return checked
}

// applySteps returns the run steps of the README workflow's jobs.
func applySteps(t *testing.T) map[string]map[string]string {
	t.Helper()
	jobs := runSteps(t, readWorkflow(t, "testdata/ci/github-workflow.yaml"))
	steps := jobs["apply"]
	// The apply that the push step runs again after another run pushed
	// first takes flags that exist.
	if !strings.Contains(steps["Push the state"], " -- officectl apply ") {
		t.Error(`the push step runs no "-- officectl apply ..." again`)
	}
	for _, name := range []string{"Validate", "Fetch the state", "Apply", "Push the state"} {
		if steps[name] == "" {
			t.Fatalf("the apply job has no run step %q", name)
		}
	}
	return jobs
}

// ciRepo is a bare origin repository and the simulator behind one test.
type ciRepo struct {
	workflowRepo
	steps map[string]map[string]string // by job, then step
	// vars are the repository variables (vars.NAME) the workflow sees.
	vars map[string]string
}

// workflowRepo is what every workflow test sets up: a temporary folder
// with a bare repository standing for GitHub's (origin) and a clone to make
// merges in (seed), a simulator, and the environment the workflow's steps
// run in: officectl and officectl-state on PATH, git configured for
// commits and nothing else, DIALPAD_API_URL and DIALPAD_API_KEY naming the
// simulator.
type workflowRepo struct {
	t      *testing.T
	dir    string // the test's temporary folder
	origin string // the bare repository
	seed   string // a clone to make "merges" in
	sim    *officestest.TestServer
	env    []string
}

// newWorkflowRepo sets up a workflowRepo whose simulator takes simOpts
// (its Token is the API key the steps send).
func newWorkflowRepo(t *testing.T, simOpts officestest.Options) workflowRepo {
	t.Helper()
	needTools(t, "git", "bash")
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs("testdata/ci/officectl-state.sh")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(script, filepath.Join(bin, "officectl-state")); err != nil {
		t.Fatal(err)
	}
	path := bin + string(filepath.ListSeparator) + os.Getenv("PATH")
	if plain := plainOfficectl(t); plain != "" {
		path = plain + string(filepath.ListSeparator) + path
	}
	r := workflowRepo{t: t, dir: dir, origin: filepath.Join(dir, "origin.git"), seed: filepath.Join(dir, "seed")}
	r.sim = officestest.NewServer(t, simOpts)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DIALPAD_") && !strings.HasPrefix(kv, "GIT_") && !strings.HasPrefix(kv, "GITHUB_") {
			r.env = append(r.env, kv)
		}
	}
	r.env = append(r.env,
		"PATH="+path, // after os.Environ's PATH: this one wins
		"HOME="+dir, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com",
		"DIALPAD_API_URL="+r.sim.URL, "DIALPAD_API_KEY="+simOpts.Token, "NO_COLOR=1")
	r.git(dir, "init", "--quiet", "--bare", "--initial-branch=main", r.origin)
	r.git(dir, "clone", "--quiet", r.origin, r.seed)
	return r
}

// needTools skips t when a tool it runs is not installed (.ci/run
// installs them; GitHub's runners have them).
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: %v", tool, err)
		}
	}
}

func newCIRepo(t *testing.T) *ciRepo {
	t.Helper()
	r := &ciRepo{workflowRepo: newWorkflowRepo(t, officestest.Options{Token: ciTestKey, RatePerMinute: -1}), steps: applySteps(t)}
	for job, steps := range runSteps(t, readWorkflow(t, "testdata/ci/github-drift.yaml")) {
		r.steps[job] = steps
	}
	return r
}

// git runs git in dir and returns its trimmed output.
func (r *workflowRepo) git(dir string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir, cmd.Env = dir, r.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// merge commits an office file on main and pushes it, as merging a pull
// request does.
func (r *ciRepo) merge(key, name string) string {
	r.t.Helper()
	writeFile(r.t, filepath.Join(r.seed, "offices", key+".yaml"), officeYAML(key, name, name))
	r.git(r.seed, "add", "-A")
	r.git(r.seed, "commit", "--quiet", "-m", "add "+key)
	r.git(r.seed, "push", "--quiet", "origin", "HEAD:main")
	return r.git(r.seed, "rev-parse", "HEAD")
}

// job is one run of a workflow job (apply unless set): a checkout and
// its own runner temp folder.
type job struct {
	r            *ciRepo
	name, dir    string
	temp, output string
	job          string
	env          []string // the steps' own env:, beside the workflow's
}

// checkout clones origin at main's tip, as the workflow's checkout step
// (ref: the branch) does.
func (r *ciRepo) checkout(name string) *job {
	r.t.Helper()
	j := &job{r: r, name: name, dir: filepath.Join(r.dir, name), temp: filepath.Join(r.dir, name+"-temp"), job: "apply"}
	r.git(r.dir, "clone", "--quiet", "--branch", "main", r.origin, j.dir)
	if err := os.MkdirAll(j.temp, 0o755); err != nil {
		r.t.Fatal(err)
	}
	return j
}

// step runs the workflow step name with GitHub's shell (bash -eo
// pipefail) and returns its exit status; its output is added to j.output.
func (j *job) step(name string) int {
	j.r.t.Helper()
	run, ok := j.r.steps[j.job][name]
	if !ok {
		j.r.t.Fatalf("the %s job has no run step %q", j.job, name)
	}
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", run)
	cmd.Dir = j.dir
	cmd.Env = append(slices.Clip(j.r.env), workflowEnv(j.r.t, readWorkflow(j.r.t, "testdata/ci/github-workflow.yaml"), j.r.vars)...)
	cmd.Env = append(cmd.Env, j.env...)
	cmd.Env = append(cmd.Env, "RUNNER_TEMP="+j.temp, "GITHUB_SHA="+j.name, "GITHUB_STEP_SUMMARY="+filepath.Join(j.temp, "summary.md"), "GITHUB_OUTPUT="+filepath.Join(j.temp, "output"))
	out, err := cmd.CombinedOutput()
	j.output += "== " + name + "\n" + string(out)
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	j.r.t.Fatalf("%s: step %q: %v", j.name, name, err)
	return -1
}

// mustSteps runs steps that must succeed.
func (j *job) mustSteps(names ...string) {
	j.r.t.Helper()
	for _, n := range names {
		if code := j.step(n); code != 0 {
			j.r.t.Fatalf("%s: step %q exited %d:\n%s", j.name, n, code, j.output)
		}
	}
}

// branchState reads the state file at the tip of origin's state branch.
func (r *ciRepo) branchState() *state.State {
	r.t.Helper()
	data := r.git(r.dir, "--git-dir", r.origin, "show", "officectl-state:officectl.state")
	path := filepath.Join(r.dir, "branch.state")
	writeFile(r.t, path, data+"\n")
	st, err := state.Load(path)
	if err != nil {
		r.t.Fatal(err)
	}
	return st
}

// checkStateIsServer checks that the state on the branch records every
// office of the server, once, by its id, and nothing else; and that no
// name is on the server twice.
func (r *ciRepo) checkStateIsServer(wantKeys ...string) {
	r.t.Helper()
	st := r.branchState()
	live := r.sim.Offices()
	byName := map[string]int64{}
	for _, l := range live {
		if _, dup := byName[l.Name]; dup {
			r.t.Errorf("office %q created twice", l.Name)
		}
		byName[l.Name] = l.ID
	}
	if len(live) != len(wantKeys) || len(st.Offices) != len(wantKeys) {
		r.t.Errorf("%d offices on the server, %d in the state, want %d", len(live), len(st.Offices), len(wantKeys))
	}
	for _, k := range wantKeys {
		e, ok := st.Offices[k]
		if !ok {
			r.t.Errorf("the state on the branch lacks %s", k)
			continue
		}
		if e.Status != state.Created || e.ID != strconv.FormatInt(byName[e.Name], 10) {
			r.t.Errorf("state %s: %s id %s, server id %d", k, e.Status, e.ID, byName[e.Name])
		}
	}
}

// protect makes origin refuse pushes to ref, as a protected branch does.
func (r *ciRepo) protect(ref string) {
	r.t.Helper()
	hook := "#!/bin/sh\nwhile read old new ref; do\n  if [ \"$ref\" = \"" + ref + "\" ]; then echo \"GH006: Protected branch update failed for $ref.\"; exit 1; fi\ndone\n"
	path := filepath.Join(r.origin, "hooks", "pre-receive")
	if err := os.WriteFile(path, []byte(hook), 0o755); err != nil {
		r.t.Fatal(err)
	}
}

// TestWorkflowTwoMerges: two merges land while the first one's apply
// runs; each job checks out main's tip, the second starts from a state that
// lacks the first one's offices, and both push their state onto the state
// branch of a protected main: one after the other in both orders, and at
// the same moment. Both states reach the branch, nothing is created twice,
// and a later run has nothing to do.
func TestWorkflowTwoMerges(t *testing.T) {
	for _, order := range []string{"A then B", "B then A", "at once"} {
		if raceEnabled && order != "at once" {
			continue // the sequential orders have no concurrency for the race detector to watch
		}
		t.Run(order, func(t *testing.T) { twoMerges(t, order) })
	}
}

func twoMerges(t *testing.T, order string) {
	r := newCIRepo(t)
	r.merge("lisbon", "Lisbon")
	first := r.checkout("job0")
	first.mustSteps("Validate", "Fetch the state", "Apply", "Push the state")
	r.checkStateIsServer("lisbon")

	r.merge("porto", "Porto")
	a := r.checkout("jobA") // main's tip: porto
	tipB := r.merge("faro", "Faro")
	b := r.checkout("jobB")      // main's tip: porto and faro
	r.protect("refs/heads/main") // from now on only the state branch takes pushes
	a.mustSteps("Validate", "Fetch the state", "Apply")
	b.mustSteps("Validate", "Fetch the state") // before A pushes: B's state lacks porto
	b.mustSteps("Apply")
	if !strings.Contains(b.output, "1 created, 1 adopted") {
		t.Errorf("job B's apply should create faro and adopt porto:\n%s", b.output)
	}

	codes := make([]int, 2)
	switch order {
	case "A then B":
		codes[0], codes[1] = a.step("Push the state"), b.step("Push the state")
	case "B then A":
		codes[1], codes[0] = b.step("Push the state"), a.step("Push the state")
	default:
		var wg sync.WaitGroup
		for i, j := range []*job{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = j.step("Push the state")
			}()
		}
		wg.Wait()
	}
	if codes[0] != 0 || codes[1] != 0 {
		t.Fatalf("push steps exited %v:\n%s\n%s", codes, a.output, b.output)
	}
	if n := strings.Count(a.output+b.output, "another run pushed the state first"); n != 1 {
		t.Errorf("%d retries after a rejected push, want 1 (both started from the same state commit):\n%s\n%s", n, a.output, b.output)
	}
	r.checkStateIsServer("lisbon", "porto", "faro")
	if got := r.git(r.dir, "--git-dir", r.origin, "rev-parse", "main"); got != tipB {
		t.Errorf("main moved to %s: the workflow pushed to it", got)
	}

	again := r.checkout("jobC") // a re-run
	again.mustSteps("Validate", "Fetch the state", "Apply", "Push the state")
	if !strings.Contains(again.output, "No changes") || !strings.Contains(again.output, "the state is unchanged: nothing to push") {
		t.Errorf("a re-run should have nothing to do:\n%s", again.output)
	}
	r.checkStateIsServer("lisbon", "porto", "faro")
}

// TestWorkflowStatePushRefused: when the state branch refuses the push,
// the push step fails loudly, saying how to restore the state, and leaves
// it for the artifact step; the next run heals the state by adopting what
// the failed run created, and creates nothing twice.
func TestWorkflowStatePushRefused(t *testing.T) {
	r := newCIRepo(t)
	r.merge("lisbon", "Lisbon")
	r.protect("refs/heads/officectl-state")
	j := r.checkout("job0")
	j.mustSteps("Validate", "Fetch the state", "Apply")
	if code := j.step("Push the state"); code != 1 {
		t.Fatalf("push step exited %d, want 1:\n%s", code, j.output)
	}
	for _, want := range []string{"::error title=officectl state::the push to branch officectl-state was refused", "artifact", "    | ", "GH006"} {
		if !strings.Contains(j.output, want) {
			t.Errorf("push step output lacks %q:\n%s", want, j.output)
		}
	}
	saved, err := state.Load(filepath.Join(j.temp, "officectl-state", "officectl.state"))
	if err != nil || saved.Offices["lisbon"] == nil || saved.Offices["lisbon"].Status != state.Created {
		t.Fatalf("the state kept for the artifact: %v %+v", err, saved)
	}

	os.Remove(filepath.Join(r.origin, "hooks", "pre-receive"))
	next := r.checkout("job1")
	next.mustSteps("Validate", "Fetch the state", "Apply", "Push the state")
	if !strings.Contains(next.output, "0 created, 1 adopted") {
		t.Errorf("the next run should adopt lisbon:\n%s", next.output)
	}
	r.checkStateIsServer("lisbon")
}

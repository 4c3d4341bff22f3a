package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// This file runs the scheduled drift pull request workflow
// (testdata/ci/github-drift-pr.yaml) as written, with bash: officectl is
// this test binary (see TestMain), officectl-state is
// testdata/ci/officectl-state.sh, the API is the simulator, origin is a
// bare Git repository in a temporary folder, and GitHub's pull request
// endpoints are a fake on loopback.

const prToken = "ghs_drift-pr-token"

// prFake is the pull request endpoints of GitHub's REST API for one
// repository (acme/phones): list open ones by head, create, update, and
// comment. Every request must carry the token; what it does not serve
// fails the test.
type prFake struct {
	t      *testing.T
	mu     sync.Mutex
	pulls  []*prPull
	writes int
}

type prPull struct {
	Number   int      `json:"number"`
	Title    string   `json:"title"`
	Body     string   `json:"body"`
	State    string   `json:"state"`
	Head     string   `json:"-"`
	Base     string   `json:"-"`
	Comments []string `json:"-"`
}

func (g *prFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	in, ok := readGitHubRequest(w, r, prToken)
	if !ok {
		return
	}
	if r.Method != http.MethodGet {
		g.writes++
	}
	const repo = "/repos/acme/phones/"
	path, ok := strings.CutPrefix(r.URL.Path, repo)
	if !ok {
		g.t.Errorf("fake GitHub: %s %s", r.Method, r.URL)
		http.NotFound(w, r)
		return
	}
	parts := strings.Split(path, "/")
	pull := func(s string) *prPull {
		n, _ := strconv.Atoi(s)
		if n < 1 || n > len(g.pulls) {
			return nil
		}
		return g.pulls[n-1]
	}
	switch {
	case r.Method == http.MethodGet && path == "pulls":
		q := r.URL.Query()
		if q.Get("state") != "open" || q.Get("head") != "acme:officectl/drift" {
			g.t.Errorf("fake GitHub: list %s", r.URL)
		}
		out := []*prPull{}
		for _, p := range g.pulls {
			if p.State == "open" && "acme:"+p.Head == q.Get("head") {
				out = append(out, p)
			}
		}
		json.NewEncoder(w).Encode(out)
	case r.Method == http.MethodPost && path == "pulls":
		p := &prPull{Number: len(g.pulls) + 1, Title: in["title"], Body: in["body"], State: "open", Head: in["head"], Base: in["base"]}
		g.pulls = append(g.pulls, p)
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(p)
	case r.Method == http.MethodPatch && len(parts) == 2 && parts[0] == "pulls" && pull(parts[1]) != nil:
		p := pull(parts[1])
		if b, ok := in["body"]; ok {
			p.Body = b
		}
		if s, ok := in["state"]; ok {
			p.State = s
		}
		json.NewEncoder(w).Encode(p)
	case r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "issues" && parts[2] == "comments" && pull(parts[1]) != nil:
		p := pull(parts[1])
		p.Comments = append(p.Comments, in["body"])
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"id": 1}`)
	default:
		g.t.Errorf("fake GitHub: %s %s", r.Method, r.URL)
		http.NotFound(w, r)
	}
}

// prRepo is origin, a clone to merge in, the simulator and the fake
// GitHub of one test.
type prRepo struct {
	workflowRepo
	gh    *prFake
	ghURL string
	steps []workflowStep
	runs  int
}

func newPRRepo(t *testing.T) *prRepo {
	t.Helper()
	needTools(t, "git", "bash", "jq", "curl")
	src, err := os.ReadFile("testdata/ci/github-drift-pr.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []workflowStep `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(src, &wf); err != nil {
		t.Fatal(err)
	}
	r := &prRepo{workflowRepo: newWorkflowRepo(t, officestest.Options{Token: "drift-pr-key", RatePerMinute: -1, Users: 5, Rooms: 2}), steps: wf.Jobs["drift-pr"].Steps}
	for _, s := range r.steps {
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %q: a run script with a ${{ }} expression (pass values through env:)", s.Name)
		}
	}
	r.gh = &prFake{t: t}
	srv := httptest.NewServer(r.gh)
	t.Cleanup(srv.Close)
	r.ghURL = srv.URL
	return r
}

// sh runs a shell script in dir, as a workflow step does, with extra
// environment; it returns the exit status and output.
func (r *prRepo) sh(dir, script string, env ...string) (int, string) {
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(slices.Clip(r.env), env...)
	out, err := cmd.CombinedOutput()
	if err == nil {
		return 0, string(out)
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	}
	r.t.Fatalf("bash: %v", err)
	return -1, ""
}

// runJob runs the workflow's run steps in a fresh checkout of main, each
// step's outputs given to the next as their env: names them, and returns
// the output; a step that fails fails the test.
func (r *prRepo) runJob() string {
	r.t.Helper()
	r.runs++
	name := fmt.Sprintf("run%d", r.runs)
	dir, temp := filepath.Join(r.dir, name), filepath.Join(r.dir, name+"-temp")
	r.git(r.dir, "clone", "--quiet", "--branch", "main", r.origin, dir)
	if err := os.MkdirAll(temp, 0o755); err != nil {
		r.t.Fatal(err)
	}
	output := filepath.Join(temp, "output")
	all := ""
	outputs := map[string]string{}
	for _, s := range r.steps {
		if s.Run == "" {
			continue
		}
		env := []string{"RUNNER_TEMP=" + temp, "GITHUB_OUTPUT=" + output, "GITHUB_STEP_SUMMARY=" + filepath.Join(temp, "summary.md"),
			"GITHUB_SHA=" + name, "GITHUB_API_URL=" + r.ghURL, "GITHUB_REPOSITORY=acme/phones", "GH_TOKEN=" + prToken, "BASE=main",
			"RUN_URL=https://github.com/acme/phones/actions/runs/" + strconv.Itoa(r.runs),
			"PENDING=" + outputs["pending"], "COMMITTED=" + outputs["committed"]}
		code, out := r.sh(dir, s.Run, env...)
		all += "== " + s.Name + "\n" + out
		if code != 0 {
			r.t.Fatalf("%s: step %q exited %d:\n%s", name, s.Name, code, all)
		}
		if b, err := os.ReadFile(output); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if k, v, ok := strings.Cut(line, "="); ok {
					outputs[k] = v
				}
			}
		}
	}
	return all
}

// open returns the open drift pull requests.
func (r *prRepo) open() []*prPull {
	r.gh.mu.Lock()
	defer r.gh.mu.Unlock()
	var out []*prPull
	for _, p := range r.gh.pulls {
		if p.State == "open" {
			out = append(out, p)
		}
	}
	return out
}

// branchFile is a file at the tip of origin's branch, "" when there is no
// such branch.
func (r *prRepo) branchFile(branch, path string) string {
	r.t.Helper()
	cmd := exec.Command("git", "--git-dir", r.origin, "show", branch+":"+path)
	cmd.Env = r.env
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return string(out)
}

const prConfig = `# Berlin, with its sales department.
offices:
  berlin:
    name: Berlin
    country: DE
    currency: EUR
    plan_period: monthly
    invoiced: false
    unified_billing: true
    annual_commit_monthly_billing: false
    billing_address: {address_line_1: Friedrichstrasse 68, city: Berlin, country: DE, postal_code: "10117", region: Berlin}
    e911_address: {address: Friedrichstrasse 68, city: Berlin, country: DE, state: Berlin, zip: "10117"}
departments:
  sales:
    office: berlin
    name: Sales
    ring_seconds: 30  # long enough for the trainees
    operators:
      - {user: user2@example.com, role: admin}
`

// TestWorkflowDriftPullRequest: no drift opens nothing; a console change
// opens one pull request "Dialpad changed outside officectl" on
// officectl/drift with the config edited and the drift report as its body,
// and records the live objects on the state branch; a later change is
// added to the same pull request; merging it makes the apply of main send
// nothing, and the next run closes the pull request and deletes the
// branch.
func TestWorkflowDriftPullRequest(t *testing.T) {
	r := newPRRepo(t)
	if err := os.MkdirAll(filepath.Join(r.seed, "offices"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(r.seed, "offices", "berlin.yaml"), []byte(prConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	r.git(r.seed, "add", "-A")
	r.git(r.seed, "commit", "--quiet", "-m", "berlin")
	r.git(r.seed, "push", "--quiet", "origin", "HEAD:main")
	apply := "officectl-state pull offices/officectl.state\n" +
		"officectl apply offices --state offices/officectl.state --auto-approve --detailed-exitcode > apply.txt || [ $? = 2 ]\n" +
		"officectl-state push offices/officectl.state -- officectl apply offices --state offices/officectl.state --auto-approve\n" +
		"cat apply.txt\n"
	if code, out := r.sh(r.seed, apply); code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, out)
	}

	out := r.runJob()
	if len(r.open()) != 0 || r.gh.writes != 0 || !strings.Contains(out, "No drift\n") {
		t.Fatalf("no drift: %d open pull requests, %d writes\n%s", len(r.open()), r.gh.writes, out)
	}

	// An admin changes the department's ring time and the E911 zip.
	applied := r.stateOnBranch()
	id := func(kind state.Kind, key string) int64 {
		e, ok := applied.GetOf(kind, key)
		if !ok {
			t.Fatalf("the state branch lacks %s", key)
		}
		n, err := strconv.ParseInt(e.ID, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	office, sales := id(state.KindOffice, "berlin"), id(state.KindDepartment, "sales")
	edit := func(kind string, id int64, s string) {
		e, err := officestest.ParseEdit(s)
		if err != nil {
			t.Fatal(err)
		}
		if kind == "" {
			_, err = r.sim.Edit(id, e)
		} else {
			_, err = r.sim.EditGroup(kind, id, e)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	edit(officestest.KindDepartment, sales, "ring_seconds=45")
	out = r.runJob()
	open := r.open()
	if len(open) != 1 {
		t.Fatalf("%d open pull requests after drift, want 1\n%s", len(open), out)
	}
	pr := open[0]
	if pr.Title != "Dialpad changed outside officectl" || pr.Head != "officectl/drift" || pr.Base != "main" ||
		!strings.Contains(pr.Body, "ring_seconds") || !strings.Contains(pr.Body, "## Written to the config") || !strings.Contains(pr.Body, "runs/2") {
		t.Errorf("pull request: %+v", pr)
	}
	cfg := r.branchFile("officectl/drift", "offices/berlin.yaml")
	if want := strings.Replace(prConfig, "ring_seconds: 30  #", "ring_seconds: 45  #", 1); cfg != want {
		t.Errorf("the drift branch's config:\n%s\nwant:\n%s", cfg, want)
	}
	if r.branchFile("officectl/drift", "offices/officectl.state") != "" {
		t.Error("the drift branch holds the state file")
	}
	st := r.stateOnBranch()
	if e, _ := st.GetOf(state.KindDepartment, "sales"); e == nil || !strings.Contains(string(e.Spec), `"ring_seconds":45`) {
		t.Errorf("the state branch does not record the live department: %+v", e)
	}

	// A later change lands in the same pull request.
	edit("", office, `e911_address.zip="10119"`)
	out = r.runJob()
	if open := r.open(); len(open) != 1 || open[0] != pr || !strings.Contains(pr.Body, "e911_address.zip") || !strings.Contains(out, "updated pull request #1") {
		t.Fatalf("the second drift should update pull request #1:\n%s", out)
	}
	cfg = r.branchFile("officectl/drift", "offices/berlin.yaml")
	if !strings.Contains(cfg, "ring_seconds: 45  #") || !strings.Contains(cfg, `zip: "10119"}`) {
		t.Errorf("the drift branch lacks a change:\n%s", cfg)
	}

	// A run with nothing new leaves the pull request as it is.
	writes := r.gh.writes
	out = r.runJob()
	if r.gh.writes != writes || !strings.Contains(out, "still open; nothing new") {
		t.Errorf("a run with nothing new wrote to GitHub:\n%s", out)
	}

	// Merged: the apply of main sends nothing, and the next run closes the
	// pull request and deletes the branch.
	r.git(r.seed, "fetch", "--quiet", "origin")
	r.git(r.seed, "merge", "--quiet", "--no-edit", "origin/officectl/drift")
	r.git(r.seed, "push", "--quiet", "origin", "HEAD:main")
	before := r.sim.Stats().Requests
	if code, out := r.sh(r.seed, apply); code != 0 || !strings.Contains(out, "No changes") {
		t.Fatalf("apply after the merge: exit %d\n%s", code, out)
	}
	for _, rec := range r.sim.Records()[before:] {
		if rec.Method != http.MethodGet {
			t.Errorf("the apply after the merge sent %s %s", rec.Method, rec.Path)
		}
	}
	out = r.runJob()
	if len(r.open()) != 0 || pr.State != "closed" || len(pr.Comments) != 1 || !strings.Contains(out, "closed pull request #1") {
		t.Errorf("the run after the merge should close pull request #1: %+v\n%s", pr, out)
	}
	if r.branchFile("officectl/drift", "offices/berlin.yaml") != "" {
		t.Error("the drift branch is still there")
	}
}

// stateOnBranch reads the state at the tip of the state branch.
func (r *prRepo) stateOnBranch() *state.State {
	r.t.Helper()
	data := r.branchFile("officectl-state", "officectl.state")
	path := filepath.Join(r.dir, "branch.state")
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		r.t.Fatal(err)
	}
	st, err := state.Load(path)
	if err != nil {
		r.t.Fatal(err)
	}
	return st
}

// TestDriftPRWorkflowFile checks testdata/ci/github-drift-pr.yaml with
// actionlint, and that every officectl command line in it names a command
// and flags that exist.
func TestDriftPRWorkflowFile(t *testing.T) {
	src, err := os.ReadFile("testdata/ci/github-drift-pr.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Permissions map[string]string `yaml:"permissions"`
		Jobs        map[string]struct {
			Permissions map[string]string `yaml:"permissions"`
			Steps       []workflowStep    `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(src, &wf); err != nil {
		t.Fatal(err)
	}
	if len(wf.Permissions) != 1 || wf.Permissions["contents"] != "read" {
		t.Errorf("workflow permissions %v, want contents: read only", wf.Permissions)
	}
	job := wf.Jobs["drift-pr"]
	if len(job.Permissions) != 2 || job.Permissions["contents"] != "write" || job.Permissions["pull-requests"] != "write" {
		t.Errorf("job permissions %v, want contents: write and pull-requests: write", job.Permissions)
	}
	checked := 0
	for _, s := range job.Steps {
		for _, line := range strings.Split(s.Run, "\n") {
			line = strings.TrimSpace(line)
			if _, again, ok := strings.Cut(line, " -- officectl "); ok {
				line = "officectl " + again
			}
			if !strings.HasPrefix(line, "officectl ") {
				continue
			}
			if i := strings.IndexAny(line, ">|"); i > 0 {
				line = line[:i]
			}
			checkCommandLine(t, "drift-pr", strings.Fields(line)[1:])
			checked++
		}
	}
	if checked < 3 {
		t.Errorf("checked %d officectl command lines, want at least 3", checked)
	}
	if testing.Short() {
		return // actionlint is built on first use
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go is not on PATH: %v", err)
	}
	if out, err := exec.Command(goBin, "tool", "actionlint", "-no-color", "testdata/ci/github-drift-pr.yaml").CombinedOutput(); err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/officectl/officectl/offices/officestest"
)

// commit writes files (path: content; "" removes the file) in the seed
// clone and pushes them to main, as merging a pull request does.
func (r *ciRepo) commit(msg string, files map[string]string) {
	r.t.Helper()
	for path, content := range files {
		if content == "" {
			os.Remove(filepath.Join(r.seed, path))
			continue
		}
		writeFile(r.t, filepath.Join(r.seed, path), content)
	}
	r.git(r.seed, "add", "-A")
	r.git(r.seed, "commit", "--quiet", "-m", msg)
	r.git(r.seed, "push", "--quiet", "origin", "HEAD:main")
}

// pullRequest runs the plan job's steps up to the limits check on main's
// tip with files changed as a pull request changes them, and returns the
// job (its plan.md is the comment) and the check's exit status.
func (r *ciRepo) pullRequest(name string, files map[string]string) (*job, int) {
	r.t.Helper()
	j := r.checkout(name)
	j.job = "plan"
	for path, content := range files {
		if content == "" {
			os.Remove(filepath.Join(j.dir, path))
			continue
		}
		writeFile(r.t, filepath.Join(j.dir, path), content)
	}
	j.mustSteps("Validate", "Fetch the state", "Plan")
	return j, j.step("Check the plan against the apply limits")
}

func (j *job) comment() string {
	j.r.t.Helper()
	b, err := os.ReadFile(filepath.Join(j.dir, "plan.md"))
	if err != nil {
		j.r.t.Fatal(err)
	}
	return string(b)
}

const twoDepartments = `departments:
  lisbon-sales: {office: lisbon, name: Sales}
  lisbon-support: {office: lisbon, name: Support}
`

// TestWorkflowDeletes: a merged pull request that removes a department is
// applied by the shipped workflow as it is (the repository's
// OFFICECTL_MAX_DELETES, default 3); a pull request whose plan deletes or
// creates more than the repository's limits says so in its plan comment
// before merging (deletes also fail the check), and the apply after such a
// merge refuses, as the comment said.
func TestWorkflowDeletes(t *testing.T) {
	needTools(t, "jq", "curl")
	r := newCIRepo(t)
	r.merge("lisbon", "Lisbon")
	r.commit("departments", map[string]string{"offices/groups.yaml": twoDepartments})
	r.checkout("job0").mustSteps("Validate", "Fetch the state", "Apply", "Push the state")
	if n := len(r.sim.Groups(officestest.KindDepartment)); n != 2 {
		t.Fatalf("%d departments, want 2", n)
	}

	oneDepartment := "departments:\n  lisbon-sales: {office: lisbon, name: Sales}\n"
	pr, code := r.pullRequest("pr1", map[string]string{"offices/groups.yaml": oneDepartment})
	if code != 0 || strings.Contains(pr.comment(), "[!CAUTION]") || !strings.Contains(pr.comment(), "lisbon-support") {
		t.Errorf("a pull request deleting 1 department within the default limit: exit %d\n%s\n%s", code, pr.output, pr.comment())
	}
	r.commit("remove support", map[string]string{"offices/groups.yaml": oneDepartment})
	j := r.checkout("job1")
	j.mustSteps("Validate", "Fetch the state", "Apply", "Push the state")
	if g := r.sim.Groups(officestest.KindDepartment); len(g) != 1 {
		t.Errorf("after the merge: %d departments, want 1 (Support deleted)\n%s", len(g), j.output)
	}
	if st := r.branchState(); st.Departments["lisbon-support"] != nil || st.Departments["lisbon-sales"] == nil {
		t.Errorf("the state branch after the delete: %v", st.Departments)
	}

	// The repository allows no deletes: the pull request says so before
	// merging, and the apply refuses after.
	r.vars = map[string]string{"OFFICECTL_MAX_DELETES": "0"}
	pr, code = r.pullRequest("pr2", map[string]string{"offices/groups.yaml": ""})
	comment := pr.comment()
	if code != 1 || !strings.HasPrefix(comment, "<!-- officectl-plan -->\n\n> [!CAUTION]\n> **This plan deletes 1 groups (departments and call centers), more than the limit of 0** (the repository variable `OFFICECTL_MAX_DELETES`)") {
		t.Errorf("a pull request deleting more than OFFICECTL_MAX_DELETES: exit %d, want 1 and the comment to say so first\n%s\n%s", code, pr.output, comment)
	}
	if !strings.Contains(pr.output, "::error title=officectl limits::") {
		t.Errorf("no error annotation:\n%s", pr.output)
	}
	r.commit("remove sales", map[string]string{"offices/groups.yaml": ""})
	j = r.checkout("job2")
	j.mustSteps("Validate", "Fetch the state")
	if code := j.step("Apply"); code != 1 || !strings.Contains(j.output, "more than --max-deletes 0") {
		t.Errorf("apply over OFFICECTL_MAX_DELETES: exit %d\n%s", code, j.output)
	}
	if n := len(r.sim.Groups(officestest.KindDepartment)); n != 1 {
		t.Errorf("%d departments after a refused apply, want 1", n)
	}

	// Creates over the limit: a warning (live offices would be adopted,
	// not created), the check passes.
	r.vars = map[string]string{"OFFICECTL_MAX_CREATES": "1"}
	pr, code = r.pullRequest("pr3", map[string]string{"offices/porto.yaml": officeYAML("porto", "Porto", "Porto"), "offices/faro.yaml": officeYAML("faro", "Faro", "Faro")})
	if code != 0 || !strings.Contains(pr.comment(), "> [!WARNING]\n> **This plan creates up to 2 offices, more than the limit of 1**") {
		t.Errorf("a pull request creating more than OFFICECTL_MAX_CREATES: exit %d\n%s\n%s", code, pr.output, pr.comment())
	}
	summary, _ := os.ReadFile(filepath.Join(pr.temp, "summary.md"))
	if !strings.Contains(string(summary), "This plan creates up to 2 offices") {
		t.Errorf("the job summary lacks the warning:\n%s", summary)
	}

	r.vars = map[string]string{"OFFICECTL_MAX_DELETES": "three"}
	pr, code = r.pullRequest("pr4", nil)
	if code != 1 || !strings.Contains(pr.output, `take a number (0 or more), not "three"`) {
		t.Errorf("OFFICECTL_MAX_DELETES=three: exit %d\n%s", code, pr.output)
	}
}

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/officectl/officectl/offices/officestest"
)

// fakeIssue is an issue (or pull request) of the fake GitHub API.
type fakeIssue struct {
	Number      int    `json:"number"`
	Title       string `json:"title"`
	Body        string `json:"body"`
	State       string `json:"state"`
	StateReason string `json:"state_reason,omitempty"`
	User        struct {
		Login string `json:"login"`
	} `json:"user"`
	PullRequest *struct{} `json:"pull_request,omitempty"`
	Comments    []string  `json:"-"`
}

// fakeGitHub is the issues endpoints of GitHub's REST API for one
// repository, on loopback: list (paginated), create, update, comment.
// Every request must carry the token; what it does not serve fails the
// test.
type fakeGitHub struct {
	t      *testing.T
	mu     sync.Mutex
	issues []*fakeIssue
	writes int
}

const fakeToken = "ghs_test-token"

func newFakeGitHub(t *testing.T) (*fakeGitHub, string) {
	g := &fakeGitHub{t: t}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return g, srv.URL
}

func (g *fakeGitHub) add(title, body, login string, pr bool) *fakeIssue {
	g.mu.Lock()
	defer g.mu.Unlock()
	is := &fakeIssue{Number: len(g.issues) + 1, Title: title, Body: body, State: "open"}
	is.User.Login = login
	if pr {
		is.PullRequest = &struct{}{}
	}
	g.issues = append(g.issues, is)
	return is
}

// drift returns the open issues the bot opened with the drift marker.
func (g *fakeGitHub) drift() (open []*fakeIssue, all []*fakeIssue) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, is := range g.issues {
		if is.User.Login == "github-actions[bot]" && is.Title == "Dialpad drift" {
			all = append(all, is)
			if is.State == "open" {
				open = append(open, is)
			}
		}
	}
	return open, all
}

func (g *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	in, ok := readGitHubRequest(w, r, fakeToken)
	if !ok {
		return
	}
	if r.Method != http.MethodGet {
		g.writes++
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/repos/acme/phones/issues")
	if !ok {
		g.t.Errorf("fake GitHub: %s %s", r.Method, r.URL)
		http.NotFound(w, r)
		return
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	var issue *fakeIssue
	if parts[0] != "" {
		n, _ := strconv.Atoi(parts[0])
		if n < 1 || n > len(g.issues) {
			http.NotFound(w, r)
			return
		}
		issue = g.issues[n-1]
	}
	switch {
	case r.Method == http.MethodGet && issue == nil:
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		if page < 1 {
			page = 1
		}
		if per < 1 || per > 100 || r.URL.Query().Get("state") != "open" {
			g.t.Errorf("fake GitHub: list %s", r.URL)
		}
		var open []*fakeIssue
		for i := len(g.issues) - 1; i >= 0; i-- { // newest first, as GitHub lists
			if g.issues[i].State == "open" {
				open = append(open, g.issues[i])
			}
		}
		from, to := min((page-1)*per, len(open)), min(page*per, len(open))
		json.NewEncoder(w).Encode(open[from:to])
	case r.Method == http.MethodPost && issue == nil:
		is := &fakeIssue{Number: len(g.issues) + 1, Title: in["title"], Body: in["body"], State: "open"}
		is.User.Login = "github-actions[bot]"
		g.issues = append(g.issues, is)
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(is)
	case r.Method == http.MethodPatch && issue != nil && len(parts) == 1:
		if b, ok := in["body"]; ok {
			issue.Body = b
		}
		if st, ok := in["state"]; ok {
			issue.State, issue.StateReason = st, in["state_reason"]
		}
		json.NewEncoder(w).Encode(issue)
	case r.Method == http.MethodPost && issue != nil && len(parts) == 2 && parts[1] == "comments":
		issue.Comments = append(issue.Comments, in["body"])
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"id": 1}`)
	default:
		g.t.Errorf("fake GitHub: %s %s", r.Method, r.URL)
		http.NotFound(w, r)
	}
}

// TestWorkflowDrift runs the scheduled drift workflow
// (testdata/ci/github-drift.yaml) against the simulator and a fake GitHub
// API: no drift opens nothing; drift opens one issue, the next drift
// updates that issue (found past the first page of open issues, beside
// others that carry its marker but are a person's or a pull request), and a clean check closes it; a failed check touches no issue.
func TestWorkflowDrift(t *testing.T) {
	needTools(t, "jq", "curl")
	r := newCIRepo(t)
	gh, url := newFakeGitHub(t)
	for i := range 150 {
		switch i {
		case 3:
			gh.add("a pull request", "<!-- officectl-drift -->\nnot an issue", "github-actions[bot]", true)
		case 4:
			gh.add("quoted by a person", "<!-- officectl-drift -->\nmy notes", "someone", false)
		default:
			gh.add(fmt.Sprintf("issue %d", i), "", "someone", false)
		}
	}
	r.merge("lisbon", "Lisbon")
	r.merge("porto", "Porto")
	r.checkout("job0").mustSteps("Validate", "Fetch the state", "Apply", "Push the state")

	runs := 0
	drift := func() (*job, int) {
		runs++
		j := r.checkout(fmt.Sprintf("drift%d", runs))
		j.job = "drift"
		j.mustSteps("Fetch the state")
		if code := j.step("Check for drift"); code != 0 {
			return j, code
		}
		out, err := os.ReadFile(filepath.Join(j.temp, "output"))
		if err != nil {
			t.Fatal(err)
		}
		status, ok := strings.CutPrefix(strings.TrimSpace(string(out)), "status=")
		if !ok {
			t.Fatalf("the drift step's output: %q", out)
		}
		j.env = []string{"GH_TOKEN=" + fakeToken, "STATUS=" + status, "GITHUB_API_URL=" + url, "GITHUB_REPOSITORY=acme/phones",
			"RUN_URL=https://github.com/acme/phones/actions/runs/" + strconv.Itoa(runs)}
		return j, j.step("Open, update or close the drift issue")
	}
	check := func(j *job, code int, wantOpen int, wantIn ...string) *fakeIssue {
		t.Helper()
		if code != 0 {
			t.Fatalf("drift job: exit %d\n%s", code, j.output)
		}
		open, _ := gh.drift()
		if len(open) != wantOpen {
			t.Fatalf("%d open drift issues, want %d\n%s", len(open), wantOpen, j.output)
		}
		if wantOpen == 0 {
			return nil
		}
		for _, want := range wantIn {
			if !strings.Contains(open[0].Body, want) {
				t.Errorf("issue #%d lacks %q:\n%s", open[0].Number, want, open[0].Body)
			}
		}
		return open[0]
	}

	j, code := drift()
	check(j, code, 0)
	if gh.writes != 0 {
		t.Errorf("no drift: %d writes to GitHub, want none", gh.writes)
	}
	if !strings.Contains(j.output, "No drift\n") {
		t.Errorf("no drift:\n%s", j.output)
	}

	ids := map[string]int64{}
	for _, l := range r.sim.Offices() {
		ids[l.Name] = l.ID
	}
	edit := func(id int64, s string) {
		e, err := officestest.ParseEdit(s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.sim.Edit(id, e); err != nil {
			t.Fatal(err)
		}
	}
	edit(ids["Lisbon"], `name="Lisboa"`)
	j, code = drift()
	opened := check(j, code, 1, "<!-- officectl-drift -->", "lisbon", "Last checked by https://github.com/acme/phones/actions/runs/2")
	if opened.Number != 151 || !strings.Contains(j.output, "::warning title=officectl drift::") {
		t.Errorf("opened issue #%d:\n%s", opened.Number, j.output)
	}

	// 120 issues opened since: the drift issue is on the second page.
	for i := range 120 {
		gh.add(fmt.Sprintf("later issue %d", i), "", "someone", false)
	}
	if err := r.sim.SetState(ids["Porto"], "deleted"); err != nil {
		t.Fatal(err)
	}
	j, code = drift()
	updated := check(j, code, 1, "porto", "runs/3")
	if updated != opened || !strings.Contains(j.output, "Drift: updated issue #151") {
		t.Errorf("the second drift should update issue #151:\n%s", j.output)
	}

	// A failed check (a refused key) leaves the issue as it is.
	writes := gh.writes
	r.env = append(r.env, "DIALPAD_API_KEY=wrong")
	j, code = drift()
	if code != 1 || !strings.Contains(j.output, "401") || gh.writes != writes {
		t.Errorf("a failed check: exit %d, %d writes to GitHub\n%s", code, gh.writes-writes, j.output)
	}
	r.env = r.env[:len(r.env)-1]

	edit(ids["Lisbon"], `name="Lisbon"`)
	if err := r.sim.SetState(ids["Porto"], "active"); err != nil {
		t.Fatal(err)
	}
	j, code = drift()
	check(j, code, 0)
	if opened.State != "closed" || opened.StateReason != "completed" || len(opened.Comments) != 1 || !strings.Contains(opened.Comments[0], "runs/5") {
		t.Errorf("a clean check should close issue #151 with a comment: %+v\n%s", opened, j.output)
	}
	if _, all := gh.drift(); len(all) != 1 {
		t.Errorf("%d drift issues opened in all, want 1", len(all))
	}
}

// readGitHubRequest checks a request to a fake GitHub API as GitHub does:
// the bearer token, then a JSON object body for anything but GET. It
// answers the error itself and returns false when either is wrong.
func readGitHubRequest(w http.ResponseWriter, r *http.Request, token string) (map[string]string, bool) {
	if r.Header.Get("Authorization") != "Bearer "+token {
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		return nil, false
	}
	var in map[string]string
	if r.Method != http.MethodGet {
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, `{"message":"Problems parsing JSON"}`, http.StatusBadRequest)
			return nil, false
		}
	}
	return in, true
}

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/officectl/officectl/engine/apply"
	"github.com/officectl/officectl/offices/officestest"
)

const ciTestKey = "ci-test-key"

// officeYAML is a valid office file with the given key, name and city.
func officeYAML(key, name, city string) string {
	return "offices:\n  " + key + ":\n    name: " + name + `
    country: PT
    currency: EUR
    plan_period: monthly
    invoiced: false
    unified_billing: true
    annual_commit_monthly_billing: false
    billing_address: {address_line_1: x, city: ` + city + `, country: PT, postal_code: "1100", region: Lisboa}
`
}

// runCLI runs officectl with args against the simulator at url and
// returns the exit code, stdout and stderr.
func runCLI(t *testing.T, url string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		switch k {
		case "DIALPAD_API_URL":
			return url
		case "DIALPAD_API_KEY":
			return ciTestKey
		}
		return env[k]
	}
	code := run(args, stdio{strings.NewReader(""), &out, &errb, getenv})
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestApplyDetailedExitcode: with --detailed-exitcode, apply exits 2 when
// it applied everything it could but left a manual change and an orphan,
// names them, and writes the step summary; without the flag it exits 0 as
// before.
func TestApplyDetailedExitcode(t *testing.T) {
	sim := officestest.NewServer(t, officestest.Options{Token: ciTestKey, RatePerMinute: -1})
	dir := t.TempDir()
	cfg, st := filepath.Join(dir, "cfg"), filepath.Join(dir, "o.state")
	writeFile(t, filepath.Join(cfg, "a.yaml"), officeYAML("lisbon", "Lisbon", "Lisbon"))
	writeFile(t, filepath.Join(cfg, "b.yaml"), officeYAML("porto", "Porto", "Porto"))
	if code, _, stderr := runCLI(t, sim.URL, nil, "apply", cfg, "--state", st, "--auto-approve", "--detailed-exitcode"); code != exitOK {
		t.Fatalf("first apply: exit %d\n%s", code, stderr)
	}
	// lisbon changes a field the API cannot change; porto leaves the config.
	writeFile(t, filepath.Join(cfg, "a.yaml"), officeYAML("lisbon", "Lisbon", "Lisboa"))
	os.Remove(filepath.Join(cfg, "b.yaml"))

	if code, _, stderr := runCLI(t, sim.URL, nil, "apply", cfg, "--state", st, "--auto-approve"); code != exitOK {
		t.Errorf("without --detailed-exitcode: exit %d, want 0\n%s", code, stderr)
	}
	summary := filepath.Join(dir, "summary.md")
	code, _, stderr := runCLI(t, sim.URL, map[string]string{"GITHUB_STEP_SUMMARY": summary}, "apply", cfg, "--state", st, "--auto-approve", "--detailed-exitcode")
	if code != exitChanges {
		t.Errorf("with --detailed-exitcode: exit %d, want %d\n%s", code, exitChanges, stderr)
	}
	if !strings.Contains(stderr, "2 changes not applied") || !strings.Contains(stderr, "lisbon (manual)") || !strings.Contains(stderr, "porto (orphan)") {
		t.Errorf("stderr does not name the changes not applied:\n%s", stderr)
	}
	md, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(md), apply.ApplyMarkdownMarker) || !strings.Contains(string(md), "- `lisbon` (Lisbon): manual") {
		t.Errorf("step summary:\n%s", md)
	}
	if n := len(sim.Offices()); n != 2 {
		t.Errorf("%d offices on the server, want 2", n)
	}
}

// TestApplyAdoptExistingFlag: a state that lacks an office created by an
// earlier run (a re-run from an old commit) blocks apply without
// --adopt-existing and heals with it, creating nothing twice.
func TestApplyAdoptExistingFlag(t *testing.T) {
	sim := officestest.NewServer(t, officestest.Options{Token: ciTestKey, RatePerMinute: -1})
	dir := t.TempDir()
	cfg := filepath.Join(dir, "cfg")
	writeFile(t, filepath.Join(cfg, "a.yaml"), officeYAML("lisbon", "Lisbon", "Lisbon"))
	if code, _, stderr := runCLI(t, sim.URL, nil, "apply", cfg, "--state", filepath.Join(dir, "first.state"), "--auto-approve"); code != exitOK {
		t.Fatalf("first apply: exit %d\n%s", code, stderr)
	}
	writeFile(t, filepath.Join(cfg, "b.yaml"), officeYAML("porto", "Porto", "Porto"))
	stale := filepath.Join(dir, "stale.state")
	code, _, stderr := runCLI(t, sim.URL, nil, "apply", cfg, "--state", stale, "--auto-approve")
	if code != exitError || !strings.Contains(stderr, "already exists in Dialpad") {
		t.Errorf("without --adopt-existing: exit %d, want 1 and 'already exists'\n%s", code, stderr)
	}
	code, _, stderr = runCLI(t, sim.URL, nil, "apply", cfg, "--state", stale, "--auto-approve", "--adopt-existing")
	if code != exitOK || !strings.Contains(stderr, "1 adopted") {
		t.Errorf("with --adopt-existing: exit %d, want 0 and 1 adopted\n%s", code, stderr)
	}
	if n := len(sim.Offices()); n != 2 {
		t.Errorf("%d offices on the server, want 2", n)
	}
	code, out, stderr := runCLI(t, sim.URL, nil, "plan", cfg, "--state", stale, "--detailed-exitcode")
	if code != exitOK {
		t.Errorf("plan after the healing apply: exit %d, want 0\n%s%s", code, out, stderr)
	}
}

package plan_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/schema"
	"github.com/officectl/officectl/state"
)

// savedPlan saves p to a plan file and reads it back, as apply does.
func savedPlan(t *testing.T, p *plan.Plan) (*plan.Plan, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := plan.SavePlanFile(path, p); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := plan.ReadPlanFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return saved, data
}

// TestMatchPlan: a plan file edited after it was made (a body, an action,
// a change added or left out) is refused, naming the office; the file as
// saved is accepted.
func TestMatchPlan(t *testing.T) {
	ds, st := enginetest.AllActions()
	saved, data := savedPlan(t, enginetest.MustPlan(t, ds, st))
	fresh := enginetest.MustPlan(t, ds, st)
	if err := plan.MatchPlan(saved, fresh); err != nil {
		t.Fatalf("MatchPlan of the plan as saved = %v", err)
	}

	edit := func(t *testing.T, pairs ...string) *plan.Plan {
		t.Helper()
		s := string(data)
		for i := 0; i < len(pairs); i += 2 {
			if !strings.Contains(s, pairs[i]) {
				t.Fatalf("plan file lacks %q", pairs[i])
			}
			s = strings.Replace(s, pairs[i], pairs[i+1], 1)
		}
		p, err := plan.ReadPlan(strings.NewReader(s))
		if err != nil {
			t.Fatalf("edited plan does not read: %v", err)
		}
		return p
	}
	for _, tc := range []struct {
		name  string
		pairs []string
		want  string
	}{
		{"auto recording", []string{`"auto_call_recording": false`, `"auto_call_recording": true`}, `(create "munich")`},
		{"billing address", []string{`"address_line_1": "1 Main Street"`, `"address_line_1": "9 Other Street"`}, `(create "munich")`},
		{"e911 address", []string{`"address": "20 W 34th St"`, `"address": "1 Attacker Road"`}, `(update-e911 "nyc")`},
		{"no-op made orphan", []string{"\"key\": \"berlin\",\n      \"kind\": \"office\",\n      \"action\": \"no-op\"", "\"key\": \"berlin\",\n      \"kind\": \"office\",\n      \"action\": \"orphan\"", `"no-op": 2`, `"no-op": 1`, `"orphan": 2`, `"orphan": 3`}, `(orphan "berlin")`},
		{"orphan left out", []string{`,
    {
      "key": "vienna",
      "kind": "office",
      "action": "orphan",
      "name": "Vienna",
      "depends_on": []
    }`, ``, `"orphan": 2`, `"orphan": 1`}, "it has 10 changes, planning its config against its state gives 11 changes now"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := edit(t, tc.pairs...)
			err := plan.MatchPlan(p, fresh)
			if !errors.Is(err, plan.ErrPlanMismatch) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("MatchPlan = %v, want ErrPlanMismatch naming %s", err, tc.want)
			}
		})
	}

	t.Run("no state digest", func(t *testing.T) {
		p := edit(t, `,
    "sha256": "`+saved.State.SHA256+`"`, "")
		if err := plan.MatchPlan(p, fresh); !errors.Is(err, plan.ErrPlanMismatch) || !strings.Contains(err.Error(), "no state digest") {
			t.Fatalf("MatchPlan = %v, want a refusal of a plan without state digest", err)
		}
	})
	t.Run("config digest", func(t *testing.T) {
		p := edit(t, `"config_sha256": "`+saved.ConfigSHA256, `"config_sha256": "`+strings.Repeat("0", 64))
		if err := plan.MatchPlan(p, fresh); !errors.Is(err, plan.ErrStalePlan) || !strings.Contains(err.Error(), "config changed since") {
			t.Fatalf("MatchPlan = %v, want stale config", err)
		}
	})
}

// TestCheckFreshStateDigest: a plan made before any state existed does not
// apply to another state that also has no lineage and serial 0 (a state
// written by hand or by a merge), nor does any plan to a state whose
// content changed under the same lineage and serial.
func TestCheckFreshStateDigest(t *testing.T) {
	empty := enginetest.MustPlan(t, []load.Desired{{Key: "berlin", Office: enginetest.Office("Berlin", "DE")}}, nil)
	if err := plan.CheckFresh(empty, empty.ConfigSHA256, nil); err != nil {
		t.Fatalf("CheckFresh against no state = %v", err)
	}
	if err := plan.CheckFresh(empty, empty.ConfigSHA256, state.New()); err != nil {
		t.Fatalf("CheckFresh against a new state = %v", err)
	}
	other := state.New()
	other.Set("berlin", enginetest.Created("5100000000000001", enginetest.Office("Berlin", "DE")))
	err := plan.CheckFresh(empty, empty.ConfigSHA256, other)
	if !errors.Is(err, plan.ErrStalePlan) || !strings.Contains(err.Error(), "the state file's content is not the one the plan was made against") {
		t.Fatalf("CheckFresh of an empty-state plan against another state = %v", err)
	}

	ds, st := enginetest.AllActions()
	p := enginetest.MustPlan(t, ds, st)
	edited := st.Clone()
	edited.Offices["nyc"].ID = "5100000000000099" // the office an update-e911 goes to
	if err := plan.CheckFresh(p, p.ConfigSHA256, edited); !errors.Is(err, plan.ErrStalePlan) {
		t.Fatalf("CheckFresh against a state edited under the same serial = %v", err)
	}
	if plan.StateSHA256(nil) != plan.StateSHA256(state.New()) || plan.StateSHA256(st) == plan.StateSHA256(nil) {
		t.Error("StateSHA256: no state and a new state must agree, and differ from a state with offices")
	}
}

// TestPlanPaths: the paths a saved plan records are relative to its folder
// and resolve back from it, wherever the command runs.
func TestPlanPaths(t *testing.T) {
	root := t.TempDir()
	p := &plan.Plan{FormatVersion: plan.PlanFormatVersion}
	planPath := filepath.Join(root, "out", "plan.json")
	cfgDir := filepath.Join(root, "offices")
	stPath := filepath.Join(root, "offices", "officectl.state")
	if err := p.SetPaths(planPath, cfgDir, stPath); err != nil {
		t.Fatal(err)
	}
	if p.ConfigDir != "../offices" || p.State.Path != "../offices/officectl.state" {
		t.Errorf("recorded %q, %q; want paths relative to the plan file's folder", p.ConfigDir, p.State.Path)
	}
	dir, sp := p.Paths(planPath)
	if filepath.Clean(dir) != cfgDir || filepath.Clean(sp) != stPath {
		t.Errorf("Paths = %q, %q; want %q, %q", dir, sp, cfgDir, stPath)
	}
	if dir, sp := (&plan.Plan{}).Paths(planPath); dir != "" || sp != "" {
		t.Errorf("Paths of a plan recording none = %q, %q", dir, sp)
	}
}

// TestReadPlanHeader: the paths and digest a plan file records are
// checked before anything prints or opens them.
func TestReadPlanHeader(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "plan", "all_actions.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, old, new, want string }{
		{"control in config_dir", `"config_sha256"`, `"config_dir": "a\u001b]0;x\u0007", "config_sha256"`, "config_dir"},
		{"newline in state path", `"lineage"`, `"path": "a\n::error::x", "lineage"`, "state.path"},
		{"bad digest", `"serial": 7,
    "sha256": "`, `"serial": 7,
    "sha256": "XYZ`, "state.sha256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := string(golden)
			if !strings.Contains(s, tc.old) {
				t.Fatalf("plan file lacks %q", tc.old)
			}
			s = strings.Replace(s, tc.old, tc.new, 1)
			if _, err := plan.ReadPlan(strings.NewReader(s)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ReadPlan = %v, want an error naming %s", err, tc.want)
			}
		})
	}
}

// TestIsPlanFile: plans are recognised by content; config files and state
// files are not plans.
func TestIsPlanFile(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "plan", "no_changes.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		data string
		want bool
	}{
		{string(golden), true},
		{"\n  " + string(golden), true},
		{`{"offices": {"berlin": {"name": "Berlin"}}}`, false},
		{`{"version": 1, "lineage": "x", "serial": 3, "offices": {}}`, false},
		{`offices: {format_version: 1, changes: []}`, false},
		{`{"offices": {}, "note": "\"format_version\""}`, false},
		{`{"format_version": 1}`, false},
		{``, false},
	} {
		if got := load.IsPlanFile([]byte(tc.data)); got != tc.want {
			t.Errorf("IsPlanFile(%.40q) = %v, want %v", tc.data, got, tc.want)
		}
	}
}

// TestLoadSkipsPlanFile: a plan file saved in the config directory is not
// read as config: a note says it was skipped, and the config loads.
func TestLoadSkipsPlanFile(t *testing.T) {
	dir := t.TempDir()
	enginetest.WriteOfficesJSON(t, filepath.Join(dir, "offices.json"), load.Desired{Key: "berlin", Office: enginetest.Office("Berlin", "DE")})
	cfg, diags, err := load.Load(dir, load.LoadOptions{})
	if err != nil || cfg == nil {
		t.Fatalf("Load = %v, %v", err, diags)
	}
	p := enginetest.MustPlan(t, cfg.Offices, nil)
	planPath := filepath.Join(dir, "plan.json")
	if err := plan.SavePlanFile(planPath, p); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := plan.RenderJSON(&b, p); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "plan.yaml"), b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, diags, err = load.Load(dir, load.LoadOptions{})
	if err != nil || cfg == nil {
		t.Fatalf("Load with a plan file in the directory = %v, %s", err, fmtDiags(diags))
	}
	if len(cfg.Offices) != 1 || cfg.SHA256 != p.ConfigSHA256 {
		t.Errorf("config = %d offices, digest %s; want the one the plan was made from", len(cfg.Offices), cfg.SHA256)
	}
	var notes []schema.Diagnostic
	for _, d := range diags {
		if d.Severity == schema.Note {
			notes = append(notes, d)
		}
	}
	if len(notes) != 2 || notes[0].File != planPath || !strings.Contains(notes[0].Message, "plan file, not config: skipped") {
		t.Fatalf("diagnostics:\n%s\nwant one note per plan file", fmtDiags(diags))
	}
	var gh bytes.Buffer
	if err := load.WriteDiagnostics(&gh, notes[:1], "github"); err != nil || !strings.HasPrefix(gh.String(), "::notice file=") {
		t.Errorf("github format of the note = %q, %v; want a ::notice", gh.String(), err)
	}
}

// TestStateSHA256Fields: every field of the state changes its digest, and
// a state saved and loaded again keeps it.
func TestStateSHA256Fields(t *testing.T) {
	_, st := enginetest.AllActions()
	base := plan.StateSHA256(st)
	for name, edit := range map[string]func(*state.State){
		"company":    func(s *state.State) { s.CompanyID = "4200000000000077" },
		"version":    func(s *state.State) { s.Version++ },
		"id":         func(s *state.State) { s.Offices["berlin"].ID += "1" },
		"name":       func(s *state.State) { s.Offices["berlin"].Name += " " },
		"spec":       func(s *state.State) { s.Offices["berlin"].Spec = []byte(`{}`) },
		"created_at": func(s *state.State) { s.Offices["berlin"].CreatedAt = enginetest.Ptr(time.Unix(1, 0)) },
		"key":        func(s *state.State) { s.Offices["berlin2"] = s.Offices["berlin"]; delete(s.Offices, "berlin") },
	} {
		c := st.Clone()
		edit(c)
		if plan.StateSHA256(c) == base {
			t.Errorf("%s: digest unchanged", name)
		}
	}
	path := filepath.Join(t.TempDir(), "officectl.state")
	if err := state.Save(path, st); err != nil {
		t.Fatal(err)
	}
	loaded, err := state.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if plan.StateSHA256(loaded) != plan.StateSHA256(st) {
		t.Error("digest of the state loaded back differs from the saved one's")
	}
}

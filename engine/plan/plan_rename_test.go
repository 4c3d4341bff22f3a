package plan_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/officectl/officectl/engine/plan"
)

// renamedGroups is the groups fixture with berlin-sales renamed to
// berlin-sales2 (same office, kind and name), edited further by edits.
func renamedGroups(t *testing.T, edits ...string) (*plan.Plan, error) {
	t.Helper()
	st := appliedState(loadGroups(t))
	cfg := loadGroups(t, append([]string{"  berlin-sales:\n", "  berlin-sales2:\n"}, edits...)...)
	return plan.MakePlan(cfg, st)
}

// TestPlanRenameIsMove (issue 18, defect 4): a key renamed with the same
// office, kind and exact name is a move of the state entry, not a create
// and a delete (on main: create berlin-sales2, delete berlin-sales); it
// shows as a move in every format, counts in the summary and round-trips
// through a plan file of format version 2.
func TestPlanRenameIsMove(t *testing.T) {
	p, err := renamedGroups(t)
	if err != nil {
		t.Fatal(err)
	}
	want := []kindAction{
		{"berlin", "office", plan.ActionNoOp},
		{"berlin-support", "callcenter", plan.ActionNoOp},
		{"berlin-sales2", "department", plan.ActionMove},
		{"remote-desk", "department", plan.ActionNoOp},
	}
	if diff := cmp.Diff(want, summarize(p)); diff != "" {
		t.Fatalf("changes (-want +got):\n%s", diff)
	}
	c := p.Changes[2]
	if c.MovedFrom != "berlin-sales" || len(c.Fields) != 0 || len(c.Members) != 0 || c.Entry == nil || c.Entry.Name != "Sales" {
		t.Errorf("move = %+v", c)
	}
	if s := p.Summary(); s.Move != 1 || s.Changed() != 1 || s.Create != 0 || s.Delete != 0 {
		t.Errorf("summary %+v", s)
	}
	if p.FormatVersion != 2 {
		t.Errorf("format version %d, want 2 (a move)", p.FormatVersion)
	}
	r := renderings(t, p)
	for suffix, want := range map[string]string{
		".txt":  "> department berlin-sales2 (Sales) after berlin, berlin-support: has moved from berlin-sales: apply moves its state entry to this key (nothing is sent for the move)",
		".md":   "<summary>> move department <code>berlin-sales2</code> (Sales)",
		".json": `"action": "move",` + "\n" + `      "moved_from": "berlin-sales",`,
	} {
		if !strings.Contains(string(r[suffix]), want) {
			t.Errorf("%s lacks %q:\n%s", suffix, want, r[suffix])
		}
	}
	for _, want := range []string{"| move | 1 |", "- **move** (1): `berlin-sales2`", "Has moved from berlin-sales"} {
		if !strings.Contains(string(r[".md"]), want) {
			t.Errorf("markdown lacks %q:\n%s", want, r[".md"])
		}
	}
	if !strings.Contains(string(r[".txt"]), "1 moved") {
		t.Errorf("text summary lacks the move:\n%s", r[".txt"])
	}

	saved, err := plan.ReadPlan(strings.NewReader(string(r[".json"])))
	if err != nil {
		t.Fatalf("ReadPlan: %v", err)
	}
	if saved.Changes[2].MovedFrom != "berlin-sales" || saved.Changes[2].Action != plan.ActionMove || saved.Summary().Move != 1 {
		t.Errorf("read back: %+v", saved.Changes[2])
	}
	if err := plan.MatchPlan(saved, p); err != nil {
		t.Errorf("MatchPlan: %v", err)
	}
	// A version 1 file cannot hold a move: an edited version is refused.
	v1 := strings.Replace(string(r[".json"]), `"format_version": 2`, `"format_version": 1`, 1)
	if _, err := plan.ReadPlan(strings.NewReader(v1)); err == nil || !strings.Contains(err.Error(), "a move needs format_version 2") {
		t.Errorf("version 1 file with a move: %v", err)
	}
	// A move needs the key it moves from.
	noFrom := strings.Replace(string(r[".json"]), `"moved_from": "berlin-sales",`, "", 1)
	if _, err := plan.ReadPlan(strings.NewReader(noFrom)); err == nil || !strings.Contains(err.Error(), "moved_from") {
		t.Errorf("move without moved_from: %v", err)
	}
}

// TestPlanRenameWithChanges: a renamed group whose fields or operators
// change too is one move carrying the update apply makes after moving
// the entry; one whose change a PATCH cannot make stays manual, naming
// the rename, and its old key is not deleted.
func TestPlanRenameWithChanges(t *testing.T) {
	p, err := renamedGroups(t, `group_description: "Sales & renewals <EU>"`, `group_description: "Sales"`,
		"operators: [{user: bob@example.com}, {user: 4200000000000001, role: admin}]", "operators: [{user: bob@example.com}]")
	if err != nil {
		t.Fatal(err)
	}
	c := p.Changes[2]
	if c.Key != "berlin-sales2" || c.Action != plan.ActionMove || c.MovedFrom != "berlin-sales" {
		t.Fatalf("change = %s %s from %q", c.Key, c.Action, c.MovedFrom)
	}
	if got := plan.PatchFields(c.Fields); !cmp.Equal(got, []string{"group_description"}) {
		t.Errorf("PATCH fields %q", got)
	}
	if len(c.Members) != 1 || c.Members[0].Op != "remove" {
		t.Errorf("members %+v", c.Members)
	}
	r := renderings(t, p)
	if want := "has moved from berlin-sales: apply moves its state entry to this key (nothing is sent for the move); then apply PATCHes group_description, changes the operators"; !strings.Contains(string(r[".txt"]), want) {
		t.Errorf("text lacks %q:\n%s", want, r[".txt"])
	}
	if !strings.Contains(string(r[".md"]), "```diff") {
		t.Errorf("markdown lacks the diff of the fields:\n%s", r[".md"])
	}

	p, err = renamedGroups(t, "    hours_on: true\n", "")
	if err != nil {
		t.Fatal(err)
	}
	c = p.Changes[2]
	if c.Action != plan.ActionManual || c.MovedFrom != "berlin-sales" || !strings.HasPrefix(c.Note, "renamed from berlin-sales, but a PATCH cannot clear hours_on") {
		t.Errorf("change = %s from %q: %q", c.Action, c.MovedFrom, c.Note)
	}
	for _, c := range p.Changes {
		if c.Key == "berlin-sales" {
			t.Errorf("the old key is planned too: %s", c.Action)
		}
	}
}

// TestPlanRenameNeedsSameIdentity: another name, or two candidates with
// one identity, is no move: a create and a delete, as before.
func TestPlanRenameNeedsSameIdentity(t *testing.T) {
	p, err := renamedGroups(t, "    name: Sales\n", "    name: Sales 2\n")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]plan.Action{}
	for _, c := range p.Changes {
		got[c.Key] = c.Action
	}
	// berlin-sales is protected in the fixture: it is kept, not deleted.
	if got["berlin-sales2"] != plan.ActionCreate || got["berlin-sales"] != plan.ActionNoOp || p.Summary().Move != 0 {
		t.Errorf("actions %v", got)
	}

	st := appliedState(loadGroups(t))
	twin := *st.Departments["berlin-sales"]
	st.Departments["berlin-sales-old"] = &twin
	p, err = plan.MakePlan(loadGroups(t, "  berlin-sales:\n", "  berlin-sales2:\n"), st)
	if err != nil {
		t.Fatal(err)
	}
	if p.Summary().Move != 0 {
		t.Errorf("two entries of one identity moved: %+v", summarize(p))
	}
}

// kindChanged is the groups fixture with remote-desk a call center
// instead of a department.
func kindChanged(t *testing.T) string {
	t.Helper()
	return "  remote-desk:\n    office_id: 4800000000000001\n    name: Remote desk\n    operators: []\n"
}

// TestPlanKindChange (issue 18, defect 6): a key whose kind changes
// (department → call center) is a delete of the department right before
// the create of the call center: the old one is not hidden, the delete
// counts for --max-deletes, both render, and the plan file reads back.
// On main: only the create, and the department is hidden.
func TestPlanKindChange(t *testing.T) {
	st := appliedState(loadGroups(t))
	desk := kindChanged(t)
	cfg := loadGroups(t, desk, "", "callcenters:\n", "callcenters:\n"+desk)
	p, err := plan.MakePlan(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	want := []kindAction{
		{"berlin", "office", plan.ActionNoOp},
		{"berlin-support", "callcenter", plan.ActionNoOp},
		{"berlin-sales", "department", plan.ActionNoOp},
		{"remote-desk", "department", plan.ActionDelete},
		{"remote-desk", "callcenter", plan.ActionCreate},
	}
	if diff := cmp.Diff(want, summarize(p)); diff != "" {
		t.Fatalf("changes (-want +got):\n%s", diff)
	}
	if s := p.Summary(); s.Delete != 1 || s.Create != 1 {
		t.Errorf("summary %+v: the delete must count for --max-deletes", s)
	}
	if n := p.Changes[3].Note; !strings.Contains(n, "the config makes this key a call center: apply creates the call center first, then deletes this one (within --max-deletes; not when the create fails)") {
		t.Errorf("delete note %q", n)
	}
	r := renderings(t, p)
	for suffix, want := range map[string][]string{
		".txt":  {"x department remote-desk (Remote desk): the config makes this key a call center", "+ callcenter remote-desk (Remote desk): replaces the department of this key"},
		".md":   {"x delete department <code>remote-desk</code>", "+ create callcenter <code>remote-desk</code>"},
		".json": {`"kind": "department",` + "\n" + `      "action": "delete"`, `"kind": "callcenter",` + "\n" + `      "action": "create"`},
	} {
		for _, w := range want {
			if !strings.Contains(string(r[suffix]), w) {
				t.Errorf("%s lacks %q:\n%s", suffix, w, r[suffix])
			}
		}
	}
	saved, err := plan.ReadPlan(strings.NewReader(string(r[".json"])))
	if err != nil {
		t.Fatalf("ReadPlan: %v", err)
	}
	if err := plan.MatchPlan(saved, p); err != nil {
		t.Errorf("MatchPlan: %v", err)
	}
	// The same key twice is a kind change only: twice one kind is not.
	twice := strings.Replace(string(r[".json"]), `"kind": "callcenter",`+"\n"+`      "action": "create"`, `"kind": "department",`+"\n"+`      "action": "create"`, 1)
	if _, err := plan.ReadPlan(strings.NewReader(twice)); err == nil || !strings.Contains(err.Error(), "appears twice") {
		t.Errorf("a key twice, not a kind change: %v", err)
	}
}

// TestPlanKindChangeProtected: the old group is protected, so it is never
// deleted and the new kind cannot take its key: manual, saying how.
func TestPlanKindChangeProtected(t *testing.T) {
	st := appliedState(loadGroups(t))
	st.Departments["remote-desk"].Protect = true
	desk := kindChanged(t)
	p, err := plan.MakePlan(loadGroups(t, desk, "", "callcenters:\n", "callcenters:\n"+desk), st)
	if err != nil {
		t.Fatal(err)
	}
	old, now := p.Changes[3], p.Changes[4]
	if old.Action != plan.ActionNoOp || old.Note != plan.NoteProtected || now.Action != plan.ActionManual ||
		!strings.Contains(now.Note, "protected department, which is never deleted") {
		t.Errorf("changes %s %q, %s %q", old.Action, old.Note, now.Action, now.Note)
	}
	if s := p.Summary(); s.Delete != 0 || s.Create != 0 {
		t.Errorf("summary %+v", s)
	}
}

// TestMergeDriftKindChange: with plan --refresh, the drift of the old
// kind's group under a key whose kind changes stays on its delete, which
// stays a delete even when the group is gone in Dialpad already (apply
// takes the 404 as deleted); on main a gone group's delete became a
// create with no group.
func TestMergeDriftKindChange(t *testing.T) {
	st := appliedState(loadGroups(t))
	desk := kindChanged(t)
	p, err := plan.MakePlan(loadGroups(t, desk, "", "callcenters:\n", "callcenters:\n"+desk), st)
	if err != nil {
		t.Fatal(err)
	}
	rep := &plan.DriftReport{Drifts: []plan.Drift{{Key: "remote-desk", Name: "Remote desk", ID: 1, Kind: plan.DriftDeleted, Object: "department", LiveState: "not found", Fields: []plan.FieldChange{}}}}
	plan.MergeDrift(p, rep)
	old, now := p.Changes[3], p.Changes[4]
	if old.Action != plan.ActionDelete || old.Drift == nil || now.Action != plan.ActionCreate || now.Drift != nil {
		t.Errorf("after refresh: %s (drift %v), %s (drift %v)", old.Action, old.Drift != nil, now.Action, now.Drift != nil)
	}
}

// TestPlanKeysGolden renders, in the three formats, a plan that moves a
// key (with an update), changes a key's kind, follows a re-created
// reference target and stops managing a membership.
func TestPlanKeysGolden(t *testing.T) {
	st := appliedState(loadGroups(t))
	sentRefs(st)
	st.Offices["berlin"].ID = "5100000000000099" // berlin created again since berlin-sales was sent
	st.Departments["berlin-sales"].OfficeID = "5100000000000099"
	st.CallCenters["berlin-support"].OfficeID = "5100000000000099"
	desk := kindChanged(t)
	cfg := loadGroups(t, desk, "", "callcenters:\n", "callcenters:\n"+desk,
		"  berlin-sales:\n", "  berlin-sales2:\n",
		"    operators: [{user: carl@example.com, role: supervisor, skill_level: 80}]\n", "")
	p, err := plan.MakePlan(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	for suffix, got := range renderings(t, p) {
		checkPlanGolden(t, "keys"+suffix, got)
	}
}

package plan_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/engine/render"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// loadGroups loads the groups fixture of engine/load, edited by the
// replacements old → new.
func loadGroups(t *testing.T, edits ...string) *load.Config {
	t.Helper()
	src, err := os.ReadFile("../load/testdata/plain/groups.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(s, edits[i]) {
			t.Fatalf("fixture lacks %q", edits[i])
		}
		s = strings.Replace(s, edits[i], edits[i+1], 1)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "all.yaml"), []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags, err := load.Load(dir, load.LoadOptions{})
	if err != nil || cfg == nil {
		t.Fatalf("Load: %v %v", err, diags)
	}
	return cfg
}

// appliedState is the state an apply of cfg leaves: every office and group
// created, operators recorded with made-up ids.
func appliedState(cfg *load.Config) *state.State {
	st := state.New()
	st.Lineage = "0f0e0d0c-0b0a-4908-8706-050403020100"
	st.Serial = 3
	id := 5100000000000000
	next := func() string { id++; return strings.TrimSpace(strings.Repeat(" ", 0) + itoa(id)) }
	ops := func(os []load.Operator) []state.Operator {
		if os == nil {
			return nil
		}
		out := []state.Operator{}
		for _, o := range os {
			so := state.Operator{Email: o.Email, Role: o.Role, Type: state.OperatorUser}
			switch {
			case o.Email != "":
				so.ID = next()
			case o.UserID != 0:
				so.ID = itoa(int(o.UserID))
			default:
				so.ID, so.Type = itoa(int(o.RoomID)), state.OperatorRoom
			}
			if o.SkillLevel != nil {
				so.SkillLevel = int(*o.SkillLevel)
			}
			out = append(out, so)
		}
		state.SortOperators(out)
		return out
	}
	for _, d := range cfg.Offices {
		st.Set(d.Key, &state.Entry{Status: state.Created, ID: next(), Name: d.Office.Name, Spec: d.Office.Canonical(), SpecSHA256: d.Office.SpecSHA256(), Operators: ops(d.Operators)})
	}
	for _, g := range cfg.Groups {
		officeID := itoa(int(g.OfficeID))
		if g.Office != "" {
			officeID = st.Offices[g.Office].ID
		}
		st.SetOf(state.Kind(g.Kind), g.Key, &state.Entry{Status: state.Created, ID: next(), Name: g.Name, OfficeID: officeID,
			Spec: g.Body, SpecSHA256: plan.GroupSHA256(g.Body), Operators: ops(g.Operators), Protect: g.Protect})
	}
	return st
}

func itoa(n int) string {
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

type kindAction struct {
	Key    string
	Kind   offices.Kind
	Action plan.Action
}

func summarize(p *plan.Plan) []kindAction {
	var out []kindAction
	for _, c := range p.Changes {
		out = append(out, kindAction{c.Key, c.KindOf(), c.Action})
	}
	return out
}

// TestPlanGroupsCreate: offices, departments and call centers in one
// order, each group after its office and the groups it routes to.
func TestPlanGroupsCreate(t *testing.T) {
	p, err := plan.MakePlan(loadGroups(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []kindAction{
		{"berlin", "office", plan.ActionCreate},
		{"berlin-support", "callcenter", plan.ActionCreate},
		{"berlin-sales", "department", plan.ActionCreate},
		{"remote-desk", "department", plan.ActionCreate},
	}
	if diff := cmp.Diff(want, summarize(p)); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if got := p.Changes[2].DependsOn; !cmp.Equal(got, []string{"berlin", "berlin-support"}) {
		t.Errorf("berlin-sales depends on %q", got)
	}
	if got := p.Changes[2].Members; len(got) != 2 || got[0].Op != "add" || got[0].Operator != "bob@example.com" {
		t.Errorf("berlin-sales members %+v", got)
	}
	if s := p.Summary(); s.Create != 4 || s.Changed() != 4 {
		t.Errorf("summary %+v", s)
	}
}

// TestPlanGroupsApplied: the plan of a config against the state its apply
// leaves has no changes.
func TestPlanGroupsApplied(t *testing.T) {
	cfg := loadGroups(t)
	p, err := plan.MakePlan(cfg, appliedState(cfg))
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Summary(); s.Changed() != 0 {
		t.Errorf("summary %+v, changes %+v", s, summarize(p))
	}
}

// TestPlanGroupsUpdateDelete: a changed field is an update that PATCHes
// its top-level field; membership differences are listed as written; a
// group removed from the config is deleted unless protected; deletes come
// last, after the groups that referred to them.
func TestPlanGroupsUpdateDelete(t *testing.T) {
	st := appliedState(loadGroups(t))
	cfg := loadGroups(t,
		"ring_seconds: 20", "ring_seconds: 30",
		"{user: carl@example.com, role: supervisor, skill_level: 80}", "{user: carl@example.com, role: admin, skill_level: 90}, {user: dora@example.com}",
		"    operators: [{user: bob@example.com}, {user: 4200000000000001, role: admin}]\n    protect: true\n", "",
		"  remote-desk:\n    office_id: 4800000000000001\n    name: Remote desk\n    operators: []\n", "",
	)
	// berlin-sales stays but loses its operators list (left alone) and
	// protect; drop it from the config to see protect kept from state.
	var kept []load.DesiredGroup
	for _, g := range cfg.Groups {
		if g.Key != "berlin-sales" {
			kept = append(kept, g)
		}
	}
	cfg = load.NewConfigGroups(cfg.Offices, kept)
	p, err := plan.MakePlan(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	want := []kindAction{
		{"berlin", "office", plan.ActionNoOp},
		{"berlin-support", "callcenter", plan.ActionUpdate},
		{"berlin-sales", "department", plan.ActionNoOp},
		{"remote-desk", "department", plan.ActionDelete},
	}
	if diff := cmp.Diff(want, summarize(p)); diff != "" {
		t.Fatalf("changes (-want +got):\n%s", diff)
	}
	up := p.Changes[1]
	if diff := cmp.Diff([]plan.FieldChange{{Path: "ring_seconds", Old: "20", New: "30"}}, up.Fields); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	if got := plan.PatchFields(up.Fields); !cmp.Equal(got, []string{"ring_seconds"}) {
		t.Errorf("PATCH fields %q", got)
	}
	wantMembers := []plan.MemberChange{
		{Op: "role", Operator: "carl@example.com", Old: "supervisor", New: "admin"},
		{Op: "skill", Operator: "carl@example.com", Old: "80", New: "90"},
		{Op: "add", Operator: "dora@example.com", New: "operator"},
	}
	if diff := cmp.Diff(wantMembers, up.Members); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	if n := p.Changes[2].Note; n != plan.NoteProtected {
		t.Errorf("protected group's note %q", n)
	}
	if s := p.Summary(); s.Update != 1 || s.Delete != 1 || s.NoOp != 2 {
		t.Errorf("summary %+v", s)
	}
}

// TestPlanGroupsClearedField: removing a top-level field of a group is
// not something a PATCH can send: the plan says so instead of updating.
func TestPlanGroupsClearedField(t *testing.T) {
	st := appliedState(loadGroups(t))
	p, err := plan.MakePlan(loadGroups(t, "    ring_seconds: 20\n", ""), st)
	if err != nil {
		t.Fatal(err)
	}
	c := p.Changes[1]
	if c.Action != plan.ActionManual || !strings.Contains(c.Note, "cannot clear ring_seconds") {
		t.Errorf("%s %s: %q", c.Key, c.Action, c.Note)
	}
}

// TestStateSHA256Groups: the digest a saved plan is bound to changes with
// a group's entry and its operators.
func TestStateSHA256Groups(t *testing.T) {
	st := appliedState(loadGroups(t))
	base := plan.StateSHA256(st)
	for name, edit := range map[string]func(*state.State){
		"spec":      func(s *state.State) { s.CallCenters["berlin-support"].SpecSHA256 = strings.Repeat("0", 64) },
		"operator":  func(s *state.State) { s.CallCenters["berlin-support"].Operators[0].Role = "admin" },
		"protect":   func(s *state.State) { s.Departments["berlin-sales"].Protect = false },
		"office op": func(s *state.State) { s.Offices["berlin"].Operators = s.Offices["berlin"].Operators[1:] },
		"gone":      func(s *state.State) { s.DeleteOf(state.KindDepartment, "remote-desk") },
	} {
		c := st.Clone()
		edit(c)
		if plan.StateSHA256(c) == base {
			t.Errorf("%s: digest unchanged", name)
		}
	}
}

// TestPlanAllKindsGolden renders a plan with every group action (create,
// update with a field and membership diff, delete, protected removal)
// beside an office whose operators change, in the three formats.
func TestPlanAllKindsGolden(t *testing.T) {
	st := appliedState(loadGroups(t))
	cfg := loadGroups(t,
		"ring_seconds: 20", "ring_seconds: 30",
		"{user: carl@example.com, role: supervisor, skill_level: 80}", "{user: carl@example.com, role: admin, skill_level: 90}, {user: dora@example.com}",
		"      - {room: 5200000000000001}\n", "",
		"  remote-desk:\n    office_id: 4800000000000001\n    name: Remote desk\n    operators: []\n",
		"  berlin-new:\n    office: berlin\n    name: New team\n    operators: [{user: erin@example.com}]\n",
	)
	var kept []load.DesiredGroup
	for _, g := range cfg.Groups {
		if g.Key != "berlin-sales" {
			kept = append(kept, g)
		}
	}
	p, err := plan.MakePlan(load.NewConfigGroups(cfg.Offices, kept), st)
	if err != nil {
		t.Fatal(err)
	}
	for suffix, got := range renderings(t, p) {
		checkPlanGolden(t, "all_kinds"+suffix, got)
	}
}

// TestPlanFileGroups: a saved plan with groups reads back and matches the
// plan made again; a change to a group's state entry makes it stale.
func TestPlanFileGroups(t *testing.T) {
	st := appliedState(loadGroups(t))
	cfg := loadGroups(t, "ring_seconds: 20", "ring_seconds: 30")
	p, err := plan.MakePlan(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	if err := plan.RenderJSON(&buf, p); err != nil {
		t.Fatal(err)
	}
	saved, err := plan.ReadPlan(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatalf("ReadPlan: %v", err)
	}
	if err := plan.MatchPlan(saved, p); err != nil {
		t.Errorf("MatchPlan: %v", err)
	}
	st2 := st.Clone()
	st2.CallCenters["berlin-support"].Operators[0].Role = "admin"
	p2, err := plan.MakePlan(cfg, st2)
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.MatchPlan(saved, p2); err == nil {
		t.Errorf("a plan made against another group state matched")
	}
}

// TestPlanManageMembership: a list of operators (even []) for a
// membership the state records as never managed (nil) is an update that
// says apply makes it exactly the list, for a group and for an office.
func TestPlanManageMembership(t *testing.T) {
	cfg := loadGroups(t)
	st := appliedState(cfg)
	st.Departments["remote-desk"].Operators = nil
	st.Offices["berlin"].Operators = nil
	p, err := plan.MakePlan(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	want := []kindAction{
		{"berlin", "office", plan.ActionUpdate},
		{"berlin-support", "callcenter", plan.ActionNoOp},
		{"berlin-sales", "department", plan.ActionNoOp},
		{"remote-desk", "department", plan.ActionUpdate},
	}
	if diff := cmp.Diff(want, summarize(p)); diff != "" {
		t.Fatalf("changes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]plan.MemberChange{{Op: "manage", New: "0"}}, p.Changes[3].Members); diff != "" {
		t.Errorf("remote-desk members (-want +got):\n%s", diff)
	}
	wantOffice := []plan.MemberChange{
		{Op: "manage", New: "2"},
		{Op: "add", Operator: "anna@example.com", New: "admin"},
		{Op: "add", Operator: "room 5200000000000001", New: "operator"},
	}
	if diff := cmp.Diff(wantOffice, p.Changes[0].Members); diff != "" {
		t.Errorf("berlin members (-want +got):\n%s", diff)
	}
	var buf strings.Builder
	if err := render.RenderText(&buf, p, render.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "operators: membership managed from now on: exactly 0 operators; apply removes any others") {
		t.Errorf("text plan lacks the managed membership:\n%s", buf.String())
	}
}

// TestPlanProtectedOnlyGolden: a protected group that left the config is
// the plan's only difference: no changes, and the note shows in every
// format.
func TestPlanProtectedOnlyGolden(t *testing.T) {
	cfg := loadGroups(t)
	st := appliedState(cfg)
	var kept []load.DesiredGroup
	for _, g := range cfg.Groups {
		if g.Key != "berlin-sales" {
			kept = append(kept, g)
		}
	}
	p, err := plan.MakePlan(load.NewConfigGroups(cfg.Offices, kept), st)
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Summary(); s.Changed() != 0 {
		t.Fatalf("summary %+v", s)
	}
	for suffix, got := range renderings(t, p) {
		if !strings.Contains(string(got), plan.NoteProtected) {
			t.Errorf("%s lacks %q:\n%s", suffix, plan.NoteProtected, got)
		}
		checkPlanGolden(t, "protected_only"+suffix, got)
	}
}

// TestPlanOperatorWrittenAnotherWay: a user the state records by email
// and id, written in the config by that id, is the same operator: no
// change (apply sends nothing for it). Written by email where the state
// records the id only, the plan cannot know (that takes an API call): an
// add and a remove, and the text says apply may send nothing for them.
func TestPlanOperatorWrittenAnotherWay(t *testing.T) {
	cfg := loadGroups(t)
	st := appliedState(cfg)
	bob := st.Departments["berlin-sales"].Operators
	var bobID string
	for _, o := range bob {
		if o.Email == "bob@example.com" {
			bobID = o.ID
		}
	}
	if bobID == "" {
		t.Fatal("fixture: no bob@example.com in berlin-sales")
	}
	byID := loadGroups(t, "{user: bob@example.com}", "{user: "+bobID+"}")
	p, err := plan.MakePlan(byID, st)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range p.Changes {
		if c.Key == "berlin-sales" && (c.Action != plan.ActionNoOp || len(c.Members) > 0) {
			t.Errorf("bob written by his id: %s with %+v, want no change", c.Action, c.Members)
		}
	}

	// The state records bob by id only; the config writes his email.
	for i := range bob {
		if bob[i].ID == bobID {
			bob[i].Email = ""
		}
	}
	p, err = plan.MakePlan(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	if err := render.RenderText(&buf, p, render.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"operators: add bob@example.com as operator",
		"operators: remove user " + bobID + " (operator)",
		"operators: an email added above may be a user removed above, written another way: apply resolves emails first and sends nothing for such a user",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("text plan lacks %q:\n%s", want, buf.String())
		}
	}
}

// TestPlanAddShowsSkillLevel: adding a call-center operator with a skill
// level shows the level in text and markdown.
func TestPlanAddShowsSkillLevel(t *testing.T) {
	cfg := loadGroups(t)
	p, err := plan.MakePlan(cfg, state.New())
	if err != nil {
		t.Fatal(err)
	}
	var text, md strings.Builder
	if err := render.RenderText(&text, p, render.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := render.RenderMarkdown(&md, p); err != nil {
		t.Fatal(err)
	}
	// Markdown keeps a word joiner after every @ (no mention, no autolink).
	const want, wantMD = "add carl@example.com as supervisor, skill level 80", "add carl@\u2060example.com as supervisor, skill level 80"
	if !strings.Contains(text.String(), want) || !strings.Contains(md.String(), wantMD) {
		t.Errorf("text lacks %q or markdown lacks %q:\n%s\n%s", want, wantMD, text.String(), md.String())
	}
}

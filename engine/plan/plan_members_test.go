package plan_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/state"
)

// TestPlanUnmanageMembership (issue 18, defect 9): removing `operators:`
// from a group or an office is an update marked "unmanage" (apply sends
// no membership request and the state forgets the operators), said in
// every format. On main: no-op, and the state kept the old list for ever.
func TestPlanUnmanageMembership(t *testing.T) {
	cfg := loadGroups(t)
	st := appliedState(cfg)
	p, err := plan.MakePlan(loadGroups(t,
		"    operators: [{user: carl@example.com, role: supervisor, skill_level: 80}]\n", "",
		"    operators:\n      - {user: anna@example.com, role: admin}\n      - {room: 5200000000000001}\n", ""), st)
	if err != nil {
		t.Fatal(err)
	}
	want := []kindAction{
		{"berlin", "office", plan.ActionUpdate},
		{"berlin-support", "callcenter", plan.ActionUpdate},
		{"berlin-sales", "department", plan.ActionNoOp},
		{"remote-desk", "department", plan.ActionNoOp},
	}
	if diff := cmp.Diff(want, summarize(p)); diff != "" {
		t.Fatalf("changes (-want +got):\n%s", diff)
	}
	for _, i := range []int{0, 1} {
		c := p.Changes[i]
		if !c.Unmanages() || c.Operators != nil || (c.Group != nil && c.Group.Operators != nil) || c.Warning != "" {
			t.Errorf("%s: members %+v, operators %v, warning %q", c.Key, c.Members, c.Operators, c.Warning)
		}
	}
	if diff := cmp.Diff([]plan.MemberChange{{Op: plan.MemberUnmanage, Old: "2"}}, p.Changes[0].Members); diff != "" {
		t.Errorf("berlin members (-want +got):\n%s", diff)
	}
	r := renderings(t, p)
	for suffix, want := range map[string]string{
		".txt":  "~ callcenter berlin-support (Support) after berlin: apply stops managing the operators (the state forgets them; Dialpad's stay as they are)",
		".md":   "membership no longer managed (the config has no operators): the state forgets the 1 operator it records, Dialpad&#39;s stay as they are",
		".json": `"op": "unmanage",`,
	} {
		if !strings.Contains(string(r[suffix]), want) {
			t.Errorf("%s lacks %q:\n%s", suffix, want, r[suffix])
		}
	}
	if strings.Contains(string(r[".md"]), "changes the operators") {
		t.Errorf("markdown says the operators change:\n%s", r[".md"])
	}
}

// TestPlanRemovesEveryOperator: a plan that removes every operator the
// state records for a live group (here: both replaced by others) warns,
// naming them, in every format; one that keeps one does not.
func TestPlanRemovesEveryOperator(t *testing.T) {
	st := appliedState(loadGroups(t))
	p, err := plan.MakePlan(loadGroups(t,
		"operators: [{user: bob@example.com}, {user: 4200000000000001, role: admin}]",
		"operators: [{user: bbo@example.com}, {user: 4200000000000009, role: admin}]"), st)
	if err != nil {
		t.Fatal(err)
	}
	c := p.Changes[2]
	want := "removes every operator it has: user 4200000000000001, bob@example.com"
	if c.Key != "berlin-sales" || c.Warning != want {
		t.Fatalf("%s warning %q", c.Key, c.Warning)
	}
	r := renderings(t, p)
	for suffix, want := range map[string]string{
		".txt":  "    warning: " + want,
		".md":   "> [!WARNING]\n> This change removes every operator it has: user 4200000000000001, bob@\u2060example.com",
		".json": `"warning": "` + want + `"`,
	} {
		if !strings.Contains(string(r[suffix]), want) {
			t.Errorf("%s lacks %q:\n%s", suffix, want, r[suffix])
		}
	}
	saved, err := plan.ReadPlan(strings.NewReader(string(r[".json"])))
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.MatchPlan(saved, p); err != nil {
		t.Errorf("MatchPlan: %v", err)
	}

	p, err = plan.MakePlan(loadGroups(t,
		"operators: [{user: bob@example.com}, {user: 4200000000000001, role: admin}]", "operators: [{user: bob@example.com}]"), st)
	if err != nil {
		t.Fatal(err)
	}
	if w := p.Changes[2].Warning; w != "" {
		t.Errorf("one operator kept, warning %q", w)
	}
}

// TestPlanProtectOnly (issue 18, defect 14): a change of protect alone is
// described as what it is, recorded in the state only, not as a change
// of the operators.
func TestPlanProtectOnly(t *testing.T) {
	st := appliedState(loadGroups(t))
	p, err := plan.MakePlan(loadGroups(t, "    protect: true\n", "    protect: false\n"), st)
	if err != nil {
		t.Fatal(err)
	}
	c := p.Changes[2]
	if c.Action != plan.ActionUpdate || len(c.Members) != 0 {
		t.Fatalf("%s %s %+v", c.Key, c.Action, c.Members)
	}
	r := renderings(t, p)
	for _, suffix := range []string{".txt", ".md"} {
		got := string(r[suffix])
		if strings.Contains(got, "changes the operators") || !strings.Contains(got, "records protect: false (in the state only: nothing is sent for it)") {
			t.Errorf("%s:\n%s", suffix, got)
		}
	}
}

// TestPlanNestedFieldCleared (issue 18, defect 10): removing a field
// inside an object Dialpad merges field by field (hold_queue) cannot be
// sent by a PATCH: manual, saying so (on main: "update", and nothing
// changed). Inside routing_options, which a PATCH replaces whole,
// removing a field is sent: an update of routing_options.
func TestPlanNestedFieldCleared(t *testing.T) {
	st := appliedState(loadGroups(t))
	p, err := plan.MakePlan(loadGroups(t, "hold_queue: {allow_queuing: true, max_hold_count: 10, max_hold_seconds: 300}", "hold_queue: {allow_queuing: true, max_hold_seconds: 300}"), st)
	if err != nil {
		t.Fatal(err)
	}
	c := p.Changes[2]
	want := "a PATCH cannot clear hold_queue.max_hold_count (Dialpad merges hold_queue field by field: a field left out keeps its live value): give the field its default value in the config instead of removing it"
	if c.Key != "berlin-sales" || c.Action != plan.ActionManual || c.Note != want {
		t.Errorf("%s %s %q", c.Key, c.Action, c.Note)
	}

	p, err = plan.MakePlan(loadGroups(t, "      open: {action: operator, try_dial_operators: true, operator_routing: simultaneous}", "      open: {action: operator, try_dial_operators: true}"), st)
	if err != nil {
		t.Fatal(err)
	}
	c = p.Changes[2]
	if c.Action != plan.ActionUpdate || !cmp.Equal(plan.PatchFields(c.Fields), []string{"routing_options"}) {
		t.Errorf("routing field removed: %s %+v %q", c.Action, c.Fields, c.Note)
	}
}

// TestPlanCallCentersNotOffices (issue 18, defect 14): messages about a
// call center call it one: the resume note of the text plan (on main:
// "apply looks the office up by name").
func TestPlanCallCentersNotOffices(t *testing.T) {
	cfg := loadGroups(t)
	st := appliedState(cfg)
	st.CallCenters["berlin-support"].Status = state.Pending
	st.CallCenters["berlin-support"].ID = ""
	p, err := plan.MakePlan(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	r := renderings(t, p)
	if want := "? callcenter berlin-support (Support) after berlin: an earlier create was interrupted; apply looks the call center up by office and exact name before creating it again"; !strings.Contains(string(r[".txt"]), want) {
		t.Errorf("text lacks %q:\n%s", want, r[".txt"])
	}
}

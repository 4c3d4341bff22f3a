package plan_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/state"
)

// sentRefs records in st, as apply does, the ids berlin-sales's
// references resolved to when it was sent: the state's ids now.
func sentRefs(st *state.State) {
	st.Departments["berlin-sales"].Refs = map[string]string{
		"berlin-support": st.CallCenters["berlin-support"].ID,
		"berlin":         st.Offices["berlin"].ID,
	}
}

// TestPlanRefsFollowRecreatedTarget (issue 18, defect 8): a department
// routes to a call center that was created again (its state id changed
// since the department was sent): the same spec would send another id,
// so the department is an update that PATCHes routing_options with the
// new id. On main: no-op, and Dialpad keeps the old id.
func TestPlanRefsFollowRecreatedTarget(t *testing.T) {
	cfg := loadGroups(t)
	st := appliedState(cfg)
	sentRefs(st)
	old := st.CallCenters["berlin-support"].ID
	if p, err := plan.MakePlan(cfg, st); err != nil || p.Summary().Changed() != 0 {
		t.Fatalf("refs as sent: %v %+v", err, summarize(p))
	}

	st.CallCenters["berlin-support"].ID = "5199999999999999"
	p, err := plan.MakePlan(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	c := p.Changes[2]
	if c.Key != "berlin-sales" || c.Action != plan.ActionUpdate {
		t.Fatalf("change = %s %s", c.Key, c.Action)
	}
	want := []plan.FieldChange{{Path: "routing_options.closed.action_target_id", Old: old, New: "5199999999999999", Ref: true}}
	if diff := cmp.Diff(want, c.Fields); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	if got := plan.PatchFields(c.Fields); !cmp.Equal(got, []string{"routing_options"}) {
		t.Errorf("PATCH fields %q", got)
	}
	r := renderings(t, p)
	if want := "routing_options.closed.action_target_id: " + old + " → 5199999999999999"; !strings.Contains(string(r[".txt"]), want) {
		t.Errorf("text lacks %q:\n%s", want, r[".txt"])
	}
	if want := "- `routing_options.closed.action_target_id`: `" + old + "` → `5199999999999999`"; !strings.Contains(string(r[".md"]), want) {
		t.Errorf("markdown lacks %q:\n%s", want, r[".md"])
	}
	if !strings.Contains(string(r[".json"]), `"ref": true`) {
		t.Errorf("json lacks the ref mark:\n%s", r[".json"])
	}

	// The target is gone from the state (state rm) and created again in
	// this plan: the department is updated after it, with the id it gets.
	st.DeleteOf(state.KindCallCenter, "berlin-support")
	p, err = plan.MakePlan(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	if got := summarize(p)[1:3]; !cmp.Equal(got, []kindAction{{"berlin-support", "callcenter", plan.ActionCreate}, {"berlin-sales", "department", plan.ActionUpdate}}) {
		t.Fatalf("changes %+v", got)
	}
	if f := p.Changes[2].Fields; len(f) != 1 || f[0].New != `{"callcenter":"berlin-support"}` || f[0].Old != old {
		t.Errorf("fields %+v", f)
	}
}

// TestPlanRefsNilNoSpuriousUpdate: an entry recorded before refs were
// (Refs nil) trusts its keys: no update whatever the ids, as before; its
// next write records them (plan --refresh sees a stale id meanwhile).
func TestPlanRefsNilNoSpuriousUpdate(t *testing.T) {
	cfg := loadGroups(t)
	st := appliedState(cfg)
	st.CallCenters["berlin-support"].ID = "5199999999999999"
	p, err := plan.MakePlan(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Summary(); s.Changed() != 0 {
		t.Errorf("Refs nil: %+v", summarize(p))
	}
}

// TestPlanRefsOfficeManual: an office routing to an office created again
// cannot be PATCHed: manual, with an instruction that names the office,
// the field and the new id, and how to accept it.
func TestPlanRefsOfficeManual(t *testing.T) {
	a, b := enginetest.Office("A", "DE"), enginetest.Office("B", "DE")
	enginetest.RouteTo(&b, "a")
	st := state.New()
	st.Offices["a"] = enginetest.Created("5100000000000002", a)
	eb := enginetest.Created("5100000000000003", b)
	eb.Refs = map[string]string{"a": "5100000000000001"} // a's id when b was created
	st.Offices["b"] = eb
	p := enginetest.MustPlan(t, []load.Desired{{Key: "a", Office: a}, {Key: "b", Office: b}}, st)
	c := p.Changes[1]
	if c.Key != "b" || c.Action != plan.ActionManual {
		t.Fatalf("change %s %s", c.Key, c.Action)
	}
	path := c.Fields[0].Path
	want := `in office "B", set ` + path + " to 5100000000000002 (it was sent as 5100000000000001"
	if !strings.Contains(c.Note, want) {
		t.Errorf("note %q lacks %q", c.Note, want)
	}
	r := renderings(t, p)
	for _, suffix := range []string{".txt", ".md"} {
		if !strings.Contains(string(r[suffix]), "state rm b") || !strings.Contains(string(r[suffix]), "5100000000000002") {
			t.Errorf("%s lacks the instruction:\n%s", suffix, r[suffix])
		}
	}
	// After the fix in Dialpad and `state rm b` + `import`, the entry
	// records no refs: no manual any more.
	eb.Refs = nil
	if p := enginetest.MustPlan(t, []load.Desired{{Key: "a", Office: a}, {Key: "b", Office: b}}, st); p.Summary().Changed() != 0 {
		t.Errorf("after accepting: %+v", summarize(p))
	}
}

// TestStateSHA256Refs: a saved plan is bound to the refs the state
// records; a state without refs keeps the digest it had.
func TestStateSHA256Refs(t *testing.T) {
	st := appliedState(loadGroups(t))
	base := plan.StateSHA256(st)
	c := st.Clone()
	c.Departments["berlin-sales"].Refs = map[string]string{"berlin-support": "1"}
	if plan.StateSHA256(c) == base {
		t.Error("digest unchanged by refs")
	}
	d := c.Clone()
	d.Departments["berlin-sales"].Refs = map[string]string{"berlin-support": "2"}
	if plan.StateSHA256(c) == plan.StateSHA256(d) {
		t.Error("digest unchanged by a ref's id")
	}
}

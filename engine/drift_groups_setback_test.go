package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/officectl/officectl/engine/apply/applytest"
	"github.com/officectl/officectl/engine/enginetest"
	"strconv"
	"testing"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// TestDriftGroupsSetBack: a department whose field and membership an
// admin changed in Dialpad, and a call center whose operator's skill
// level they changed (which the operators listing does not show: drift
// GETs it), are planned by plan --refresh (MergeDrift) as updates that
// PATCH the field back, add and remove operators back to the config's
// and set the skill level back; apply carries them out against the live
// membership, and drift then finds nothing.
func TestDriftGroupsSetBack(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{}, nil)
	ctx := context.Background()
	cfg := enginetest.GroupsConfig(t, enginetest.GroupsYAML)
	if _, res := applytest.ApplyGroups(t, env, cfg, 0); res == nil || res.Err != nil {
		t.Fatalf("first apply: %+v", res)
	}
	e, _ := env.Store.State().GetOf(state.KindDepartment, "sales")
	sales, _ := strconv.ParseInt(e.ID, 10, 64)
	if _, err := env.Sim.EditGroup(officestest.KindDepartment, sales, officestest.Edit{Path: "ring_seconds", Value: json.RawMessage("45")}); err != nil {
		t.Fatal(err)
	}
	intruder := officestest.FirstUserID + 5
	if err := env.Client.AddOperator(ctx, offices.KindDepartment, sales, offices.Member{ID: intruder, Type: offices.OperatorUser, Role: "admin"}); err != nil {
		t.Fatal(err)
	}
	room := officestest.FirstRoomID + 1
	if err := env.Client.RemoveOperator(ctx, offices.KindDepartment, sales, offices.Member{ID: room, Type: offices.OperatorRoom}); err != nil {
		t.Fatal(err)
	}

	e, _ = env.Store.State().GetOf(state.KindCallCenter, "support")
	support, _ := strconv.ParseInt(e.ID, 10, 64)
	user3 := officestest.FirstUserID + 3
	if _, err := env.Client.UpdateSkill(ctx, support, user3, 50); err != nil {
		t.Fatal(err)
	}

	rep := drift(t, env)
	if len(rep.Drifts) != 2 || rep.Drifts[0].Key != "sales" || rep.Drifts[1].Key != "support" {
		t.Fatalf("drifts: %+v", rep.Drifts)
	}
	wantSkill := []plan.FieldChange{{Path: fmt.Sprintf("operators.user.%d.skill_level", user3), Old: "80", New: "50"}}
	if fmt.Sprint(rep.Drifts[1].Fields) != fmt.Sprint(wantSkill) {
		t.Errorf("support drift = %+v, want %+v", rep.Drifts[1].Fields, wantSkill)
	}
	p, err := plan.MakePlan(cfg, env.Store.State())
	if err != nil {
		t.Fatal(err)
	}
	plan.MergeDrift(p, rep)
	var c, cc *plan.Change
	for i := range p.Changes {
		switch p.Changes[i].Key {
		case "sales":
			c = &p.Changes[i]
		case "support":
			cc = &p.Changes[i]
		}
	}
	wantSkillBack := []plan.MemberChange{{Op: "skill", Operator: fmt.Sprintf("user %d", user3), Old: "50", New: "80"}}
	if cc == nil || cc.Action != plan.ActionUpdate || fmt.Sprint(cc.Members) != fmt.Sprint(wantSkillBack) || len(cc.Fields) != 0 {
		t.Errorf("support after MergeDrift: %+v, want an update with members %+v", cc, wantSkillBack)
	}
	if c == nil || c.Action != plan.ActionUpdate {
		t.Fatalf("sales after MergeDrift: %+v", c)
	}
	wantFields := []plan.FieldChange{{Path: "ring_seconds", Old: "45", New: "20"}}
	if fmt.Sprint(c.Fields) != fmt.Sprint(wantFields) {
		t.Errorf("fields = %+v, want %+v", c.Fields, wantFields)
	}
	wantMembers := []plan.MemberChange{
		{Op: "add", Operator: fmt.Sprintf("room %d", room), New: "operator"},
		{Op: "remove", Operator: fmt.Sprintf("user %d", intruder), Old: "admin"},
	}
	if fmt.Sprint(c.Members) != fmt.Sprint(wantMembers) {
		t.Errorf("members = %+v, want %+v", c.Members, wantMembers)
	}
	for i := range p.Changes {
		if k := p.Changes[i].Key; k != "sales" && k != "support" && p.Changes[i].Action != plan.ActionNoOp {
			t.Errorf("%s: %s, want no-op", p.Changes[i].Key, p.Changes[i].Action)
		}
	}

	res, _ := applytest.Apply(t, env, ctx, p, 4, false)
	if res.Err != nil || res.Counts.Updated != 2 {
		t.Fatalf("apply: updated %d: %v", res.Counts.Updated, res.Err)
	}
	if rep := drift(t, env); len(rep.Drifts) != 0 {
		t.Errorf("drift after apply: %+v", rep.Drifts)
	}
	enginetest.CheckGroupsMatch(t, env.Sim, env.Store.State(), cfg)
	if level, err := env.Client.GetSkill(ctx, support, user3); err != nil || level != 80 {
		t.Errorf("skill of user 3 in support after apply: %d, %v; want 80", level, err)
	}
}

package apply_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/officectl/officectl/engine/apply"
	"github.com/officectl/officectl/engine/apply/applytest"
	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
)

// TestApplyManageMembership: operators given (even []) for a membership
// officectl never managed make the plan an update, and apply lists the
// live members and removes the ones not listed, for a department and an
// office; the state then records the list ([] stays []) and the next
// plan has no changes.
func TestApplyManageMembership(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{Users: 6, Rooms: 2}, nil)
	unmanaged := strings.NewReplacer(
		"    operators: [{user: user1@example.com, role: admin}]\n", "",
		"    name: Team 1\n    operators: []\n", "    name: Team 1\n",
	).Replace(enginetest.GroupsYAML)
	if _, res := applytest.ApplyGroups(t, env, enginetest.GroupsConfig(t, unmanaged), 0); res == nil || res.Err != nil {
		t.Fatalf("first apply: %+v", res)
	}
	st := env.Store.State()
	if st.Departments["team-1"].Operators != nil || st.Offices["hq"].Operators != nil {
		t.Fatalf("memberships recorded as managed: %+v %+v", st.Departments["team-1"].Operators, st.Offices["hq"].Operators)
	}
	var team, hq int64
	fmt.Sscan(st.Departments["team-1"].ID, &team)
	fmt.Sscan(st.Offices["hq"].ID, &hq)
	// Someone adds operators in Dialpad, outside officectl.
	ctx := context.Background()
	for _, add := range []struct {
		kind offices.Kind
		id   int64
		m    offices.Member
	}{
		{offices.KindDepartment, team, offices.Member{Type: offices.OperatorUser, ID: officestest.FirstUserID + 5, Role: offices.RoleOperator}},
		{offices.KindDepartment, team, offices.Member{Type: offices.OperatorRoom, ID: officestest.FirstRoomID + 2, Role: offices.RoleOperator}},
		{offices.KindOffice, hq, offices.Member{Type: offices.OperatorUser, ID: officestest.FirstUserID + 6, Role: offices.RoleOperator}},
		{offices.KindOffice, hq, offices.Member{Type: offices.OperatorUser, ID: officestest.FirstUserID + 1, Role: offices.RoleOperator}},
	} {
		if err := env.Client.AddOperator(ctx, add.kind, add.id, add.m); err != nil {
			t.Fatalf("seeding %s %d: %v", add.kind, add.id, err)
		}
	}

	cfg := enginetest.GroupsConfig(t, enginetest.GroupsYAML) // team-1: operators []; hq: user1 as admin
	p, res := applytest.ApplyGroups(t, env, cfg, 0)
	if s := p.Summary(); s.Update != 2 || s.Changed() != 2 {
		t.Errorf("plan summary %+v", s)
	}
	for _, c := range p.Changes {
		if (c.Key == "team-1" || c.Key == "hq") && (len(c.Members) == 0 || c.Members[0].Op != "manage") {
			t.Errorf("%s: members %+v, want a manage first", c.Key, c.Members)
		}
	}
	if res == nil || res.Err != nil || res.Counts.Updated != 2 {
		t.Fatalf("apply: %+v", res)
	}
	if ops := env.Sim.Operators(team); len(ops) != 0 {
		t.Errorf("team-1's operators in Dialpad: %+v, want none", ops)
	}
	if ops := env.Sim.Operators(hq); len(ops) != 1 || ops[0].ID != officestest.FirstUserID+1 || ops[0].Role != "admin" {
		t.Errorf("hq's operators in Dialpad: %+v, want user1 as admin only", ops)
	}
	st = env.Store.State()
	if ops := st.Departments["team-1"].Operators; ops == nil || len(ops) != 0 {
		t.Errorf("team-1's operators in the state: %#v, want []", ops)
	}
	enginetest.CheckGroupsMatch(t, env.Sim, st, cfg)
	checkPlanEmpty(t, cfg, st)
}

// TestApplyAdoptedOfficeOperators: an office the preflight listing adopts
// (--adopt-existing) gets its operators in the same run, its live members
// listed and the others removed; an office created with `operators: []`
// records [] in the state. The next plan has no changes.
func TestApplyAdoptedOfficeOperators(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{Users: 6, Rooms: 2}, nil)
	ids := env.Sim.Seed(offices.Live{Name: "HQ"})
	if err := env.Client.AddOperator(context.Background(), offices.KindOffice, ids[0],
		offices.Member{Type: offices.OperatorUser, ID: officestest.FirstUserID + 6, Role: offices.RoleOperator}); err != nil {
		t.Fatal(err)
	}
	branch := strings.Replace(enginetest.GroupsYAML, "departments:\n", `  branch:
    name: Branch
    country: DE
    currency: EUR
    plan_period: monthly
    invoiced: false
    unified_billing: true
    annual_commit_monthly_billing: false
    billing_address: {address_line_1: Alexanderplatz 2, city: Berlin, country: DE, postal_code: "10178", region: Berlin}
    operators: []
departments:
`, 1)
	cfg := enginetest.GroupsConfig(t, branch)
	p, err := plan.MakePlan(cfg, env.Store.State())
	if err != nil {
		t.Fatal(err)
	}
	res, _ := apply.Apply(context.Background(), p, apply.ApplyOptions{Store: env.Store, API: env.Client, AdoptExisting: true})
	if res == nil || res.Err != nil {
		t.Fatalf("apply: %+v", res)
	}
	for _, o := range res.Offices {
		if o.Key == "hq" && (o.Outcome != apply.OutcomeAdopted || o.ID != ids[0]) {
			t.Errorf("hq: %s id %d, want adopted id %d", o.Outcome, o.ID, ids[0])
		}
	}
	if ops := env.Sim.Operators(ids[0]); len(ops) != 1 || ops[0].ID != officestest.FirstUserID+1 || ops[0].Role != "admin" {
		t.Errorf("hq's operators in Dialpad: %+v, want user1 as admin only", ops)
	}
	st := env.Store.State()
	if ops := st.Offices["hq"].Operators; len(ops) != 1 || ops[0].Email != "user1@example.com" {
		t.Errorf("hq's operators in the state: %+v", ops)
	}
	if ops := st.Offices["branch"].Operators; ops == nil || len(ops) != 0 {
		t.Errorf("branch's operators in the state: %#v, want []", ops)
	}
	enginetest.CheckGroupsMatch(t, env.Sim, st, cfg)
	p2, err := plan.MakePlan(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	if s := p2.Summary(); s.Changed() != 0 {
		t.Errorf("plan after apply: %+v %+v", s, p2.Changes)
	}
}

package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/officectl/officectl/engine/apply"
	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// applyGroupsYAML is an office with two departments and a call center that
// route to each other, with operators by email, user id and room.
const applyGroupsYAML = `offices:
  hq:
    name: HQ
    country: DE
    currency: EUR
    plan_period: monthly
    invoiced: false
    unified_billing: true
    annual_commit_monthly_billing: false
    billing_address: {address_line_1: Alexanderplatz 1, city: Berlin, country: DE, postal_code: "10178", region: Berlin}
    operators: [{user: user1@example.com, role: admin}]
departments:
  sales:
    office: hq
    name: Sales
    ring_seconds: 20
    routing_options:
      open: {action: operator, try_dial_operators: true, operator_routing: simultaneous}
      closed: {action: department, action_target_type: callcenter, action_target_id: {callcenter: support}, try_dial_operators: false}
    operators: [{user: user2@example.com}, {room: ROOM1}]
  archive:
    office: hq
    name: Archive
    protect: true
  team-1:
    office: hq
    name: Team 1
    operators: []
callcenters:
  support:
    office: hq
    name: Support
    ring_seconds: 30
    operators: [{user: user3@example.com, role: supervisor, skill_level: 80}, {user: USER4}]
`

// groupsConfig writes src (ROOM1 and USER4 replaced by seeded ids) and
// loads it.
func groupsConfig(t *testing.T, src string) *load.Config {
	t.Helper()
	src = strings.NewReplacer("ROOM1", fmt.Sprint(officestest.FirstRoomID+1), "USER4", fmt.Sprint(officestest.FirstUserID+4)).Replace(src)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "all.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags, err := load.Load(dir, load.LoadOptions{})
	if err != nil || cfg == nil {
		t.Fatalf("Load: %v %v", err, diags)
	}
	return cfg
}

func (e *applyEnv) applyGroups(t *testing.T, cfg *load.Config, maxDeletes int) (*plan.Plan, *apply.ApplyResult) {
	t.Helper()
	p, err := plan.MakePlan(cfg, e.store.State())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := apply.Approve(p, apply.Approval{MaxCreates: 100, MaxDeletes: maxDeletes, AutoApprove: true}); err != nil {
		return p, nil
	}
	res, _ := e.apply(t, context.Background(), p, 8, false)
	return p, res
}

// checkGroupsMatch checks that the simulator holds exactly one group of
// each name of the config, with exactly the config's operators.
func checkGroupsMatch(t *testing.T, sim *officestest.TestServer, st *state.State, cfg *load.Config) {
	t.Helper()
	for _, g := range cfg.Groups {
		e, ok := st.GetOf(state.Kind(g.Kind), g.Key)
		if !ok || e.Status != state.Created {
			t.Errorf("%s: state entry %+v", g.Key, e)
			continue
		}
		officeID := st.Offices[g.Office].ID
		var oid int64
		fmt.Sscan(officeID, &oid)
		if n := sim.CountGroupsByName(g.Kind, oid)[g.Name]; n != 1 {
			t.Errorf("%s: %d groups named %q in the simulator", g.Key, n, g.Name)
		}
		if g.Operators == nil {
			continue
		}
		var id int64
		fmt.Sscan(e.ID, &id)
		var got, want []string
		for _, o := range sim.Operators(id) {
			got = append(got, fmt.Sprintf("%s %d %s %d", o.Type, o.ID, o.Role, o.SkillLevel))
		}
		for _, o := range e.Operators {
			skill := o.SkillLevel
			if g.Kind == load.KindCallCenter && skill == 0 {
				skill = 100 // the API's default
			}
			want = append(want, fmt.Sprintf("%s %s %s %d", o.Type, o.ID, o.Role, skill))
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") || len(want) != len(g.Operators) {
			t.Errorf("%s: operators in Dialpad %q, in state %q, config has %d", g.Key, got, want, len(g.Operators))
		}
	}
}

// TestApplyGroupsUnderFaults: with 5xx, 429, resets and commit-then-drop,
// applies run until done create every group exactly once with exactly its
// operators, and the next plan has no changes.
func TestApplyGroupsUnderFaults(t *testing.T) {
	t.Parallel()
	env := newApplyEnv(t, officestest.Options{Users: 6, Rooms: 2, Seed: 7}, nil)
	env.sim.SetFaults(officestest.Faults{ServerError: 0.1, TooManyRequests: 0.05, Reset: 0.05, Drop: 0.3})
	cfg := groupsConfig(t, applyGroupsYAML)
	for run := 0; run < 20; run++ {
		_, res := env.applyGroups(t, cfg, 0)
		if res.Err == nil {
			break
		}
	}
	env.sim.SetFaults(officestest.Faults{})
	checkGroupsMatch(t, env.sim, env.store.State(), cfg)
	var hq int64
	fmt.Sscan(env.store.State().Offices["hq"].ID, &hq)
	if ops := env.sim.Operators(hq); len(ops) != 1 || ops[0].ID != officestest.FirstUserID+1 || ops[0].Role != "admin" {
		t.Errorf("hq's operators in Dialpad: %+v", ops)
	}
	p, err := plan.MakePlan(cfg, env.store.State())
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Summary(); s.Changed() != 0 {
		t.Errorf("plan after apply: %+v", s)
	}
	if d := env.sim.Stats().Drops; d == 0 {
		t.Errorf("no commit-then-drop happened: raise the rate")
	}
}

// TestApplyGroupsUpdateDelete: a changed field is PATCHed, membership
// changes are applied (role by remove and add, skill by PATCH), a delete
// is refused beyond --max-deletes and done within it, a protected group
// is never deleted, and the next plan has no changes.
func TestApplyGroupsUpdateDelete(t *testing.T) {
	t.Parallel()
	env := newApplyEnv(t, officestest.Options{Users: 6, Rooms: 2}, nil)
	if _, res := env.applyGroups(t, groupsConfig(t, applyGroupsYAML), 0); res == nil || res.Err != nil {
		t.Fatalf("first apply: %+v", res)
	}
	teamID := env.store.State().Departments["team-1"].ID
	archiveID := env.store.State().Departments["archive"].ID
	edited := strings.NewReplacer(
		"    ring_seconds: 30\n", "    ring_seconds: 40\n",
		"{user: user3@example.com, role: supervisor, skill_level: 80}", "{user: user3@example.com, role: admin, skill_level: 60}, {user: user5@example.com}",
		"  archive:\n    office: hq\n    name: Archive\n    protect: true\n", "",
		"  team-1:\n    office: hq\n    name: Team 1\n    operators: []\n", "",
	).Replace(applyGroupsYAML)
	cfg := groupsConfig(t, edited)

	p, res := env.applyGroups(t, cfg, 0)
	if res != nil {
		t.Fatalf("apply with a delete and --max-deletes 0 ran: %+v", res.Counts)
	}
	if _, err := apply.Approve(p, apply.Approval{MaxCreates: 100, MaxDeletes: 0, AutoApprove: true}); err == nil || !strings.Contains(err.Error(), "--max-deletes 1") {
		t.Errorf("refusal %v", err)
	}
	if s := p.Summary(); s.Update != 1 || s.Delete != 1 {
		t.Errorf("summary %+v", s)
	}
	_, res = env.applyGroups(t, cfg, 1)
	if res == nil || res.Err != nil || res.Counts.Updated != 1 || res.Counts.Deleted != 1 {
		t.Fatalf("apply: %+v %v", res.Counts, res.Err)
	}
	var id int64
	fmt.Sscan(teamID, &id)
	if _, ok := env.sim.GroupByID("department", id); ok {
		t.Errorf("team-1 still in the simulator")
	}
	fmt.Sscan(archiveID, &id)
	if _, ok := env.sim.GroupByID("department", id); !ok {
		t.Errorf("protected archive deleted")
	}
	if _, ok := env.store.State().Departments["archive"]; !ok {
		t.Errorf("protected archive left the state")
	}
	fmt.Sscan(env.store.State().CallCenters["support"].ID, &id)
	g, _ := env.sim.GroupByID("callcenter", id)
	if fmt.Sprint(g["ring_seconds"]) != "40" {
		t.Errorf("support ring_seconds %v", g["ring_seconds"])
	}
	checkGroupsMatch(t, env.sim, env.store.State(), cfg)
	p2, err := plan.MakePlan(cfg, env.store.State())
	if err != nil {
		t.Fatal(err)
	}
	if s := p2.Summary(); s.Changed() != 0 {
		t.Errorf("plan after apply: %+v", s)
	}
}

// TestApplyGroupsUnknownEmail: an email no user has fails its group,
// naming the email; the others are created; each email is asked once.
func TestApplyGroupsUnknownEmail(t *testing.T) {
	t.Parallel()
	env := newApplyEnv(t, officestest.Options{Users: 6, Rooms: 2}, nil)
	src := strings.Replace(applyGroupsYAML, "{user: user2@example.com}", "{user: nobody@example.com}, {user: user1@example.com}", 1)
	src = strings.Replace(src, "{user: USER4}", "{user: USER4}, {user: user1@example.com}", 1)
	_, res := env.applyGroups(t, groupsConfig(t, src), 0)
	if res == nil || res.Err == nil {
		t.Fatalf("apply succeeded: %+v", res)
	}
	for _, o := range res.Offices {
		switch {
		case o.Key == "sales":
			if o.Outcome != apply.OutcomeFailed || o.Err == nil || !strings.Contains(o.Err.Error(), "nobody@example.com") {
				t.Errorf("sales: %s %v", o.Outcome, o.Err)
			}
		case o.Outcome != apply.OutcomeCreated:
			t.Errorf("%s: %s %v", o.Key, o.Outcome, o.Err)
		}
	}
	asked := map[string]int{}
	for _, r := range env.sim.Records() {
		if r.Method == "GET" && r.Path == "/api/v2/users" {
			asked["users"]++
		}
	}
	// user1 (office and support), nobody, user3: one GET each.
	if asked["users"] != 3 {
		t.Errorf("%d GET /api/v2/users, want 3 (one per email)", asked["users"])
	}
}

// TestApplyGroupsResumeAfterCrash: a group whose state entry stayed
// pending (the process was killed after the POST took effect, or before
// it was sent) is adopted by office, kind and exact name, or created:
// never twice. "Team 1" must not adopt "Team 10".
func TestApplyGroupsResumeAfterCrash(t *testing.T) {
	t.Parallel()
	env := newApplyEnv(t, officestest.Options{Users: 6, Rooms: 2}, nil)
	src := strings.Replace(applyGroupsYAML, "  team-1:\n", "  team-10:\n    office: hq\n    name: Team 10\n  team-1:\n", 1)
	cfg := groupsConfig(t, src)
	if _, res := env.applyGroups(t, cfg, 0); res == nil || res.Err != nil {
		t.Fatalf("first apply: %+v", res)
	}
	supportID := env.store.State().CallCenters["support"].ID
	// A SIGKILL after the POST of support took effect, and before the
	// POST of team-1 was sent: both entries pending, team-1 gone.
	var teamID int64
	fmt.Sscan(env.store.State().Departments["team-1"].ID, &teamID)
	if err := env.sim.DeleteGroup("department", teamID); err != nil {
		t.Fatal(err)
	}
	if err := env.store.Update(func(st *state.State) error {
		for _, e := range []*state.Entry{st.CallCenters["support"], st.Departments["team-1"]} {
			e.Status, e.ID, e.StartedAt, e.CreatedAt, e.Operators = state.Pending, "", e.CreatedAt, nil, nil
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	p, res := env.applyGroups(t, cfg, 0)
	if s := p.Summary(); s.Resume != 2 {
		t.Errorf("summary %+v", s)
	}
	if res == nil || res.Err != nil {
		t.Fatalf("resume apply: %+v", res)
	}
	outcome := map[string]apply.Outcome{}
	for _, o := range res.Offices {
		outcome[o.Key] = o.Outcome
	}
	if outcome["support"] != apply.OutcomeAdopted || outcome["team-1"] != apply.OutcomeCreated {
		t.Errorf("outcomes %v", outcome)
	}
	if got := env.store.State().CallCenters["support"].ID; got != supportID {
		t.Errorf("support adopted as %s, want %s", got, supportID)
	}
	checkGroupsMatch(t, env.sim, env.store.State(), cfg)
	p2, err := plan.MakePlan(cfg, env.store.State())
	if err != nil {
		t.Fatal(err)
	}
	if s := p2.Summary(); s.Changed() != 0 {
		t.Errorf("plan after apply: %+v", s)
	}
}

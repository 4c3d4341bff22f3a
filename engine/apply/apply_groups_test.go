package apply_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/officectl/officectl/engine/apply"
	"github.com/officectl/officectl/engine/apply/applytest"
	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// TestApplyGroupsUnderFaults: with 5xx, 429, resets and commit-then-drop,
// applies run until done create every group exactly once with exactly its
// operators, and the next plan has no changes.
func TestApplyGroupsUnderFaults(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{Users: 6, Rooms: 2, Seed: 7}, nil)
	env.Sim.SetFaults(officestest.Faults{ServerError: 0.1, TooManyRequests: 0.05, Reset: 0.05, Drop: 0.3})
	cfg := enginetest.GroupsConfig(t, enginetest.GroupsYAML)
	for run := 0; run < 20; run++ {
		_, res := applytest.ApplyGroups(t, env, cfg, 0)
		if res.Err == nil {
			break
		}
	}
	env.Sim.SetFaults(officestest.Faults{})
	enginetest.CheckGroupsMatch(t, env.Sim, env.Store.State(), cfg)
	var hq int64
	fmt.Sscan(env.Store.State().Offices["hq"].ID, &hq)
	if ops := env.Sim.Operators(hq); len(ops) != 1 || ops[0].ID != officestest.FirstUserID+1 || ops[0].Role != "admin" {
		t.Errorf("hq's operators in Dialpad: %+v", ops)
	}
	checkPlanEmpty(t, cfg, env.Store.State())
	if d := env.Sim.Stats().Drops; d == 0 {
		t.Errorf("no commit-then-drop happened: raise the rate")
	}
}

// TestApplyGroupsUpdateDelete: a changed field is PATCHed, membership
// changes are applied (role by remove and add, skill by PATCH), a delete
// is refused beyond --max-deletes and done within it, a protected group
// is never deleted, and the next plan has no changes.
func TestApplyGroupsUpdateDelete(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{Users: 6, Rooms: 2}, nil)
	if _, res := applytest.ApplyGroups(t, env, enginetest.GroupsConfig(t, enginetest.GroupsYAML), 0); res == nil || res.Err != nil {
		t.Fatalf("first apply: %+v", res)
	}
	teamID := env.Store.State().Departments["team-1"].ID
	archiveID := env.Store.State().Departments["archive"].ID
	edited := strings.NewReplacer(
		"    ring_seconds: 30\n", "    ring_seconds: 40\n",
		"{user: user3@example.com, role: supervisor, skill_level: 80}", "{user: user3@example.com, role: admin, skill_level: 60}, {user: user5@example.com}",
		"  archive:\n    office: hq\n    name: Archive\n    protect: true\n", "",
		"  team-1:\n    office: hq\n    name: Team 1\n    operators: []\n", "",
	).Replace(enginetest.GroupsYAML)
	cfg := enginetest.GroupsConfig(t, edited)

	p, res := applytest.ApplyGroups(t, env, cfg, 0)
	if res != nil {
		t.Fatalf("apply with a delete and --max-deletes 0 ran: %+v", res.Counts)
	}
	if _, err := apply.Approve(p, apply.Approval{MaxCreates: 100, MaxDeletes: 0, AutoApprove: true}); err == nil || !strings.Contains(err.Error(), "--max-deletes 1") {
		t.Errorf("refusal %v", err)
	}
	if s := p.Summary(); s.Update != 1 || s.Delete != 1 {
		t.Errorf("summary %+v", s)
	}
	_, res = applytest.ApplyGroups(t, env, cfg, 1)
	if res == nil || res.Err != nil || res.Counts.Updated != 1 || res.Counts.Deleted != 1 {
		t.Fatalf("apply: %+v %v", res.Counts, res.Err)
	}
	var id int64
	fmt.Sscan(teamID, &id)
	if _, ok := env.Sim.GroupByID("department", id); ok {
		t.Errorf("team-1 still in the simulator")
	}
	fmt.Sscan(archiveID, &id)
	if _, ok := env.Sim.GroupByID("department", id); !ok {
		t.Errorf("protected archive deleted")
	}
	if _, ok := env.Store.State().Departments["archive"]; !ok {
		t.Errorf("protected archive left the state")
	}
	fmt.Sscan(env.Store.State().CallCenters["support"].ID, &id)
	g, _ := env.Sim.GroupByID("callcenter", id)
	if fmt.Sprint(g["ring_seconds"]) != "40" {
		t.Errorf("support ring_seconds %v", g["ring_seconds"])
	}
	enginetest.CheckGroupsMatch(t, env.Sim, env.Store.State(), cfg)
	checkPlanEmpty(t, cfg, env.Store.State())
}

// TestApplyGroupsUnknownEmail: an email no user has fails its group,
// naming the email; the others are created; each email is asked once.
func TestApplyGroupsUnknownEmail(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{Users: 6, Rooms: 2}, nil)
	src := strings.Replace(enginetest.GroupsYAML, "{user: user2@example.com}", "{user: nobody@example.com}, {user: user1@example.com}", 1)
	src = strings.Replace(src, "{user: USER4}", "{user: USER4}, {user: user1@example.com}", 1)
	_, res := applytest.ApplyGroups(t, env, enginetest.GroupsConfig(t, src), 0)
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
	for _, r := range env.Sim.Records() {
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
	env := enginetest.NewEnv(t, officestest.Options{Users: 6, Rooms: 2}, nil)
	src := strings.Replace(enginetest.GroupsYAML, "  team-1:\n", "  team-10:\n    office: hq\n    name: Team 10\n  team-1:\n", 1)
	cfg := enginetest.GroupsConfig(t, src)
	if _, res := applytest.ApplyGroups(t, env, cfg, 0); res == nil || res.Err != nil {
		t.Fatalf("first apply: %+v", res)
	}
	supportID := env.Store.State().CallCenters["support"].ID
	// A SIGKILL after the POST of support took effect, and before the
	// POST of team-1 was sent: both entries pending, team-1 gone.
	var teamID int64
	fmt.Sscan(env.Store.State().Departments["team-1"].ID, &teamID)
	if err := env.Sim.DeleteGroup("department", teamID); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.Update(func(st *state.State) error {
		for _, e := range []*state.Entry{st.CallCenters["support"], st.Departments["team-1"]} {
			e.Status, e.ID, e.StartedAt, e.CreatedAt, e.Operators = state.Pending, "", e.CreatedAt, nil, nil
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	p, res := applytest.ApplyGroups(t, env, cfg, 0)
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
	if got := env.Store.State().CallCenters["support"].ID; got != supportID {
		t.Errorf("support adopted as %s, want %s", got, supportID)
	}
	enginetest.CheckGroupsMatch(t, env.Sim, env.Store.State(), cfg)
	checkPlanEmpty(t, cfg, env.Store.State())
}

// checkPlanEmpty: planning cfg against st again, right after an apply,
// finds nothing to do.
func checkPlanEmpty(t *testing.T, cfg *load.Config, st *state.State) {
	t.Helper()
	p, err := plan.MakePlan(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Summary(); s.Changed() != 0 {
		t.Errorf("plan after apply: %+v", s)
	}
}

package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// TestImportGroupsSkills: import records the live skill level of each
// call-center user the config gives one (by email or id; one GET each,
// as the operators listing lacks them), none for the others, and drift
// then compares the recorded levels with Dialpad.
func TestImportGroupsSkills(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{}, nil)
	ctx := context.Background()
	berlin := env.Sim.Seed(liveOf("Berlin", "de"))[0]
	cc, err := env.Client.CreateCallCenter(ctx, berlin, offices.CallCenter{Name: "Support", MondayHours: []string{"08:00", "18:00"}})
	if err != nil {
		t.Fatal(err)
	}
	user3, user4, user5 := officestest.FirstUserID+3, officestest.FirstUserID+4, officestest.FirstUserID+5
	for _, m := range []offices.Member{{ID: user3, SkillLevel: 70}, {ID: user4, SkillLevel: 40}, {ID: user5}} {
		m.Type, m.Role = offices.OperatorUser, offices.RoleOperator
		if err := env.Client.AddOperator(ctx, offices.KindCallCenter, cc.ID, m); err != nil {
			t.Fatal(err)
		}
	}
	level := func(n int64) *int64 { return &n }
	cfg := load.NewConfigGroups([]load.Desired{{Key: "berlin", Office: enginetest.Office("Berlin", "DE")}}, []load.DesiredGroup{{
		Key: "support", Kind: load.KindCallCenter, Office: "berlin", Name: "Support", Body: []byte(`{"name":"Support"}`),
		Operators: []load.Operator{{Email: "user3@example.com", SkillLevel: level(80)}, {UserID: user4, SkillLevel: level(40)}, {UserID: user5}},
	}})
	before := env.Client.Stats().Requests
	if _, err := Import(ctx, cfg, ImportOptions{Store: env.Store, API: env.Client}); err != nil {
		t.Fatal(err)
	}
	e, ok := env.Store.State().GetOf(state.KindCallCenter, "support")
	if !ok {
		t.Fatal("support not adopted")
	}
	want := fmt.Sprintf("[{user %d operator 70} {user %d operator 40} {user %d operator 0}]", user3, user4, user5)
	var got []string
	for _, o := range e.Operators {
		got = append(got, fmt.Sprintf("{%s %s %s %d}", o.Type, o.ID, o.Role, o.SkillLevel))
	}
	if fmt.Sprint(got) != want {
		t.Errorf("recorded operators %v, want %s", got, want)
	}
	t.Logf("import sent %d requests", env.Client.Stats().Requests-before)

	if rep := drift(t, env); len(rep.Drifts) != 0 {
		t.Fatalf("drift right after import: %+v", rep.Drifts)
	}
	if _, err := env.Client.UpdateSkill(ctx, cc.ID, user4, 90); err != nil {
		t.Fatal(err)
	}
	rep := drift(t, env)
	if len(rep.Drifts) != 1 || fmt.Sprint(rep.Drifts[0].Fields) != fmt.Sprintf("[{operators.user.%d.skill_level 40 90 false}]", user4) {
		t.Errorf("drift after a skill change: %+v", rep.Drifts)
	}
}

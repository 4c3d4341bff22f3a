package engine

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// TestImportGroups: departments and call centers are adopted by (office,
// kind, exact name) from the per-office listings, followed over pages,
// with 5xx and 429 faults on the way: "Team 1" does not adopt "Team 10",
// two live groups of one name are a conflict, a deleted one is not
// adopted, a group whose office is not created yet is to create. The
// state gets id, office_id, the live spec and, where the config manages
// them, the live operators.
func TestImportGroups(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{PageSize: 2}, nil)
	ctx := context.Background()
	ids := env.Sim.Seed(liveOf("Berlin", "de"))
	berlin := ids[0]
	week := []string{"08:00", "18:00"}
	dept := func(name string) int64 {
		d, err := env.Client.CreateDepartment(ctx, berlin, offices.Department{Name: name, MondayHours: week, FridayHours: week})
		if err != nil {
			t.Fatal(err)
		}
		return d.ID
	}
	team10 := dept("Team 10")
	team1 := dept("Team 1")
	dept("Dup")
	dept("Dup")
	gone := dept("Gone")
	if err := env.Sim.DeleteGroup(officestest.KindDepartment, gone); err != nil {
		t.Fatal(err)
	}
	cc, err := env.Client.CreateCallCenter(ctx, berlin, offices.CallCenter{Name: "Support", MondayHours: week})
	if err != nil {
		t.Fatal(err)
	}
	user := officestest.FirstUserID + 3
	if err := env.Client.AddOperator(ctx, offices.KindCallCenter, cc.ID, offices.Member{ID: user, Type: offices.OperatorUser, Role: "supervisor"}); err != nil {
		t.Fatal(err)
	}
	f, err := officestest.ParseFaults("5xx=0.3,429=0.2")
	if err != nil {
		t.Fatal(err)
	}
	env.Sim.SetFaults(f)

	group := func(kind, key, office, name string, ops []load.Operator) load.DesiredGroup {
		return load.DesiredGroup{Key: key, Kind: kind, Office: office, Name: name, Body: []byte(`{"name":` + strconv.Quote(name) + `}`), Operators: ops}
	}
	cfg := load.NewConfigGroups(
		[]load.Desired{{Key: "berlin", Office: enginetest.Office("Berlin", "DE")}, {Key: "tokyo", Office: enginetest.Office("Tokyo", "JP")}},
		[]load.DesiredGroup{
			group(load.KindDepartment, "team1", "berlin", "Team 1", nil),
			group(load.KindDepartment, "dup", "berlin", "Dup", nil),
			group(load.KindDepartment, "gone", "berlin", "Gone", nil),
			group(load.KindDepartment, "tokyo-sales", "tokyo", "Sales", nil),
			group(load.KindCallCenter, "support", "berlin", "Support", []load.Operator{{Email: "user3@example.com", Role: "supervisor"}}),
		})
	res, err := Import(ctx, cfg, ImportOptions{Store: env.Store, API: env.Client})
	if err != nil {
		t.Fatal(err)
	}
	g := res.Groups
	if g == nil || len(g.Adopted) != 2 || g.Adopted[0].Key != "support" || g.Adopted[0].ID != cc.ID || g.Adopted[1].Key != "team1" || g.Adopted[1].ID != team1 {
		t.Fatalf("adopted %+v (team 1 is %d, team 10 %d)", g, team1, team10)
	}
	var create []string
	for _, a := range g.ToCreate {
		create = append(create, a.Key)
	}
	if strings.Join(create, " ") != "gone tokyo-sales" {
		t.Errorf("to create %v", create)
	}
	if len(g.Conflicts) != 1 || g.Conflicts[0].Key != "dup" || len(g.Conflicts[0].IDs) != 2 {
		t.Errorf("conflicts %+v", g.Conflicts)
	}

	st := env.Store.State()
	e, ok := st.GetOf(state.KindDepartment, "team1")
	b := strconv.FormatInt(berlin, 10)
	if !ok || e.ID != strconv.FormatInt(team1, 10) || e.OfficeID != b || e.Name != "Team 1" || e.Status != state.Created || e.Protect || e.Operators != nil {
		t.Fatalf("team1 in the state: %+v", e)
	}
	// The spec is the config's body (what plan compares), not the live
	// department's full field set: a plan after import is a no-op.
	if string(e.Spec) != `{"name":"Team 1"}` || e.SpecSHA256 != plan.GroupSHA256(e.Spec) {
		t.Errorf("team1's spec is not the config's: %s %s", e.Spec, e.SpecSHA256)
	}
	// The operator the config gives by email is recorded with it.
	e, ok = st.GetOf(state.KindCallCenter, "support")
	want := []state.Operator{{Email: "user3@example.com", ID: strconv.FormatInt(user, 10), Role: "supervisor", Type: state.OperatorUser}}
	if !ok || e.OfficeID != b || len(e.Operators) != 1 || e.Operators[0] != want[0] {
		t.Errorf("support in the state: %+v", e)
	}

	// Again: everything is managed now, nothing adopted twice.
	res, err = Import(ctx, cfg, ImportOptions{Store: env.Store, API: env.Client})
	if err != nil {
		t.Fatal(err)
	}
	if res.Groups.Managed != 2 || len(res.Groups.Adopted) != 0 {
		t.Errorf("second import: %+v", res.Groups)
	}
}

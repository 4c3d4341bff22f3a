package engine

import (
	"context"
	"strconv"
	"testing"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// TestDriftRefsLastApplied (issue 18, defect 8, plan --refresh): a
// department routes to a call center that is deleted in Dialpad and
// created again, and the state adopts the new one. Drift compares the
// department with what was sent (Entry.Refs: the old id), which is what
// Dialpad still has: no drift. On main it compared with the state's new
// id and reported "changed in Dialpad" with a wrong "last applied". The
// plan, for its part, PATCHes routing_options with the new id.
func TestDriftRefsLastApplied(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{}, nil)
	ctx := context.Background()
	berlin := env.Sim.Seed(liveOf("Berlin", "de"))[0]
	week := []string{"08:00", "18:00"}
	cc, err := env.Client.CreateCallCenter(ctx, berlin, offices.CallCenter{Name: "Support", MondayHours: week})
	if err != nil {
		t.Fatal(err)
	}
	routing := func(target offices.Target) *offices.RoutingOptions {
		return &offices.RoutingOptions{
			Open:   offices.RoutingInner{Action: "operator", TryDialOperators: true},
			Closed: offices.RoutingInner{Action: "department", ActionTargetType: "callcenter", ActionTargetID: &target},
		}
	}
	if _, err := env.Client.CreateDepartment(ctx, berlin, offices.Department{Name: "Sales", MondayHours: week, RoutingOptions: routing(offices.Target{ID: cc.ID})}); err != nil {
		t.Fatal(err)
	}
	body := `{"name":"Sales","routing_options":{"closed":{"action":"department","action_target_id":{"callcenter":"support"},"action_target_type":"callcenter","try_dial_operators":false},"open":{"action":"operator","try_dial_operators":true}}}`
	cfg := load.NewConfigGroups([]load.Desired{{Key: "berlin", Office: enginetest.Office("Berlin", "DE")}}, []load.DesiredGroup{
		{Key: "sales", Kind: load.KindDepartment, Office: "berlin", Name: "Sales", Body: []byte(body), Refs: []load.Ref{{Kind: "office", Key: "berlin"}, {Kind: load.KindCallCenter, Key: "support"}}},
		{Key: "support", Kind: load.KindCallCenter, Office: "berlin", Name: "Support", Body: []byte(`{"name":"Support"}`)},
	})
	if _, err := Import(ctx, cfg, ImportOptions{Store: env.Store, API: env.Client}); err != nil {
		t.Fatal(err)
	}
	st := env.Store.State().Clone()
	sales, _ := st.GetOf(state.KindDepartment, "sales")
	sales.Refs = map[string]string{"support": strconv.FormatInt(cc.ID, 10)} // as apply records it
	if rep, err := plan.CheckDrift(ctx, st, plan.DriftOptions{API: env.Client}); err != nil || len(rep.Drifts) != 0 {
		t.Fatalf("drift before: %v %+v", err, rep)
	}

	// Support is deleted in Dialpad and created again; the state adopts
	// the new one (as state rm + import would).
	if err := env.Sim.DeleteGroup(officestest.KindCallCenter, cc.ID); err != nil {
		t.Fatal(err)
	}
	again, err := env.Client.CreateCallCenter(ctx, berlin, offices.CallCenter{Name: "Support", MondayHours: week})
	if err != nil {
		t.Fatal(err)
	}
	support, _ := st.GetOf(state.KindCallCenter, "support")
	support.ID = strconv.FormatInt(again.ID, 10)

	rep, err := plan.CheckDrift(ctx, st, plan.DriftOptions{API: env.Client})
	if err != nil {
		t.Fatal(err)
	}
	if d := rep.Find("sales"); d != nil {
		t.Errorf("sales drifted although Dialpad has what was sent: %+v", d)
	}
	p, err := plan.MakePlan(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	plan.MergeDrift(p, rep)
	for _, c := range p.Changes {
		if c.Key != "sales" {
			continue
		}
		if c.Action != plan.ActionUpdate || len(c.Fields) != 1 || c.Fields[0].Old != strconv.FormatInt(cc.ID, 10) || c.Fields[0].New != strconv.FormatInt(again.ID, 10) {
			t.Errorf("sales: %s %+v", c.Action, c.Fields)
		}
	}
}

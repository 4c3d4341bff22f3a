package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
)

// TestDriftGroups: drift compares the departments and call centers the
// state records (here adopted by import) with Dialpad from one listing
// per office and kind plus one operator listing per group whose
// membership officectl manages: a changed field, a deleted group and a
// changed membership are found; an untouched group is not drift.
func TestDriftGroups(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{PageSize: 2}, nil)
	ctx := context.Background()
	berlin := env.Sim.Seed(liveOf("Berlin", "de"))[0]
	week := []string{"08:00", "18:00"}
	var ids []int64
	for _, name := range []string{"Sales", "Quiet", "Extra"} {
		d, err := env.Client.CreateDepartment(ctx, berlin, offices.Department{Name: name, MondayHours: week})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	cc, err := env.Client.CreateCallCenter(ctx, berlin, offices.CallCenter{Name: "Support", MondayHours: week})
	if err != nil {
		t.Fatal(err)
	}
	group := func(kind, key, name string, ops []load.Operator) load.DesiredGroup {
		return load.DesiredGroup{Key: key, Kind: kind, Office: "berlin", Name: name, Body: []byte(`{"name":` + strconv.Quote(name) + `}`), Operators: ops}
	}
	salesCfg := group(load.KindDepartment, "sales", "Sales", []load.Operator{})
	salesCfg.Body = []byte(`{"name":"Sales","ring_seconds":30}`) // drift compares the fields the config gives
	cfg := load.NewConfigGroups([]load.Desired{{Key: "berlin", Office: enginetest.Office("Berlin", "DE")}}, []load.DesiredGroup{
		salesCfg,
		group(load.KindDepartment, "quiet", "Quiet", []load.Operator{}),
		group(load.KindCallCenter, "support", "Support", nil),
	})
	if _, err := Import(ctx, cfg, ImportOptions{Store: env.Store, API: env.Client}); err != nil {
		t.Fatal(err)
	}

	if _, err := env.Sim.EditGroup(officestest.KindDepartment, ids[0], officestest.Edit{Path: "ring_seconds", Value: json.RawMessage("45")}); err != nil {
		t.Fatal(err)
	}
	user := officestest.FirstUserID + 2
	if err := env.Client.AddOperator(ctx, offices.KindDepartment, ids[0], offices.Member{ID: user, Type: offices.OperatorUser, Role: "admin"}); err != nil {
		t.Fatal(err)
	}
	if err := env.Sim.DeleteGroup(officestest.KindCallCenter, cc.ID); err != nil {
		t.Fatal(err)
	}

	before := env.Client.Stats().Requests
	rep, err := plan.CheckDrift(ctx, env.Store.State(), plan.DriftOptions{API: env.Client})
	if err != nil {
		t.Fatal(err)
	}
	// 1 office listing, 1 department and 1 call-center listing of berlin
	// (2 pages of departments: PageSize 2, 3 departments), 2 operator
	// listings (sales, quiet): 6 requests, whatever the number of groups.
	if n := env.Client.Stats().Requests - before; n != 6 {
		t.Errorf("drift sent %d requests, want 6", n)
	}
	if rep.Checked != 4 || len(rep.Drifts) != 2 {
		t.Fatalf("checked %d, drifts %+v", rep.Checked, rep.Drifts)
	}
	sales, support := rep.Find("sales"), rep.Find("support")
	if sales == nil || sales.Kind != plan.DriftChanged || sales.Object != "department" || sales.ID != ids[0] {
		t.Fatalf("sales: %+v", sales)
	}
	want := []plan.FieldChange{
		{Path: "operators.user." + strconv.FormatInt(user, 10), Old: "", New: `"admin"`},
		{Path: "ring_seconds", Old: "30", New: "45"},
	}
	got := append([]plan.FieldChange(nil), sales.Fields...)
	if len(got) != 2 || !(got[0] == want[1] && got[1] == want[0] || got[0] == want[0] && got[1] == want[1]) {
		t.Errorf("sales fields %+v, want %+v", got, want)
	}
	if support == nil || support.Kind != plan.DriftDeleted || support.Object != "callcenter" || support.LiveState != "not found" {
		t.Errorf("support: %+v", support)
	}
	var js bytes.Buffer
	if err := plan.RenderDriftJSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(js.String(), `"object": "callcenter"`) {
		t.Errorf("JSON does not name the kind:\n%s", js.String())
	}
}

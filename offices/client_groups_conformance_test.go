package offices_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
)

// specPath returns the reference's path template that path (with ids in
// it) instantiates, or "".
func specPath(paths map[string]map[string]struct{}, path string) string {
	segs := strings.Split(path, "/")
	for tmpl := range paths {
		ts := strings.Split(tmpl, "/")
		if len(ts) != len(segs) {
			continue
		}
		ok := true
		for i := range ts {
			if ts[i] != segs[i] && !strings.HasPrefix(ts[i], "{") {
				ok = false
				break
			}
		}
		if ok {
			return tmpl
		}
	}
	return ""
}

// TestGroupsConformance: every request the groups client sends, in a run
// of all its methods against the simulator (which validates every body
// against the reference), is a path and method of the groups reference
// with only its declared query parameters.
func TestGroupsConformance(t *testing.T) {
	facts := loadReference(t)
	sim := newSim(t, officestest.Options{Users: 3, Rooms: 1, PageSize: 1})
	c, rec := groupClient(t, sim.URL)
	ctx := context.Background()
	office := newOffice(t, c, "Berlin")
	rec.take() // the office calls are the offices conformance's

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	dep, err := c.CreateDepartment(ctx, office, sales("Sales"))
	must(err)
	cc, err := c.CreateCallCenter(ctx, office, support("Support"))
	must(err)
	_, err = c.CreateDepartment(ctx, office, sales("Sales 2"))
	must(err)
	_, err = c.GetDepartment(ctx, dep.ID)
	must(err)
	_, err = c.GetCallCenter(ctx, cc.ID)
	must(err)
	_, err = c.UpdateDepartment(ctx, dep.ID, sales("Sales EU"), []string{"name", "hold_queue", "routing_options", "auto_call_recording"})
	must(err)
	_, err = c.UpdateCallCenter(ctx, cc.ID, support("Support EU"), []string{"name", "advanced_settings", "alerts", "hold_queue"})
	must(err)
	_, err = c.ListDepartments(ctx, office)
	must(err)
	_, err = c.ListCallCenters(ctx, office)
	must(err)
	_, err = c.FindGroupByName(ctx, offices.KindDepartment, office, "Sales")
	must(err)
	_, err = c.FindGroupByName(ctx, offices.KindCallCenter, office, "Support")
	must(err)
	u, err := c.UserByEmail(ctx, "user1@example.com")
	must(err)
	user := offices.Member{ID: u.ID, Type: offices.OperatorUser, Role: "admin"}
	room := offices.Member{ID: officestest.FirstRoomID + 1, Type: offices.OperatorRoom, Role: "operator"}
	for _, k := range []struct {
		kind offices.Kind
		id   int64
	}{{offices.KindOffice, office}, {offices.KindDepartment, dep.ID}} {
		for _, m := range []offices.Member{user, room} {
			must(c.AddOperator(ctx, k.kind, k.id, m))
		}
		_, err = c.ListOperators(ctx, k.kind, k.id)
		must(err)
		must(c.RemoveOperator(ctx, k.kind, k.id, room))
	}
	agent := offices.Member{ID: u.ID, Type: offices.OperatorUser, Role: "supervisor", SkillLevel: 70}
	must(c.AddOperator(ctx, offices.KindCallCenter, cc.ID, agent))
	_, err = c.ListOperators(ctx, offices.KindCallCenter, cc.ID)
	must(err)
	_, err = c.UpdateSkill(ctx, cc.ID, u.ID, 40)
	must(err)
	_, err = c.GetSkill(ctx, cc.ID, u.ID)
	must(err)
	must(c.RemoveOperator(ctx, offices.KindCallCenter, cc.ID, agent))
	must(c.DeleteDepartment(ctx, dep.ID))
	must(c.DeleteCallCenter(ctx, cc.ID))

	templates := map[string]map[string]struct{}{}
	for p := range facts.Paths {
		templates[p] = nil
	}
	used := map[string]bool{}
	for _, call := range rec.take() {
		tmpl := specPath(templates, call.path)
		op, ok := facts.Paths[tmpl][strings.ToLower(call.method)]
		if tmpl == "" || !ok {
			t.Errorf("%s %s is not in the reference", call.method, call.path)
			continue
		}
		if op.Spec != "groups" {
			t.Errorf("%s %s: from the %s reference, want groups", call.method, tmpl, op.Spec)
		}
		used[call.method+" "+tmpl] = true
		q, _ := url.ParseQuery(call.query)
		for name := range q {
			declared := false
			for _, p := range op.Parameters {
				declared = declared || (p.Name == name && p.In == "query")
			}
			if !declared {
				t.Errorf("%s %s sends query parameter %q, which the reference does not declare", call.method, tmpl, name)
			}
		}
	}
	if len(used) != 24 {
		t.Errorf("%d operations exercised, want all 24 the client uses: %v", len(used), used)
	}
}

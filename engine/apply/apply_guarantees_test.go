package apply_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/officectl/officectl/engine/apply"
	"github.com/officectl/officectl/engine/apply/applytest"
	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// These tests hold the guarantees of issue 18 for every kind, each
// against the simulator over loopback.

// appliedGroups is an env where enginetest.GroupsYAML was applied.
func appliedGroups(t *testing.T) *enginetest.Env {
	t.Helper()
	env := enginetest.NewEnv(t, officestest.Options{Users: 6, Rooms: 2}, nil)
	if _, res := applytest.ApplyGroups(t, env, enginetest.GroupsConfig(t, enginetest.GroupsYAML), 0); res == nil || res.Err != nil {
		t.Fatalf("first apply: %+v", res)
	}
	return env
}

// entryID returns the Dialpad id the state records for (kind, key).
func entryID(t *testing.T, env *enginetest.Env, kind state.Kind, key string) int64 {
	t.Helper()
	e, ok := env.Store.State().GetOf(kind, key)
	if !ok {
		t.Fatalf("no state entry %s %s", kind, key)
	}
	id, err := strconv.ParseInt(e.ID, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// resultOf returns the result of key (and kind, when given) in res.
func resultOf(t *testing.T, res *apply.ApplyResult, kind offices.Kind, key string) apply.OfficeResult {
	t.Helper()
	for _, o := range res.Offices {
		if o.Key == key && (kind == "" || o.Kind == kind) {
			return o
		}
	}
	t.Fatalf("no result for %s %s in %+v", kind, key, res.Offices)
	return apply.OfficeResult{}
}

// writes lists the requests sent since record n that are not GETs.
func writes(env *enginetest.Env, n int) []string {
	var out []string
	for _, r := range env.Sim.Records()[n:] {
		if r.Method != http.MethodGet {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// TestApplyFailedMembershipKeepsStateTrue (issue 18, defect 1): a call
// center's operators replaced by two mistyped user ids, with a field
// change and protect added in the same run: the adds come first and fail,
// so Dialpad keeps both operators and the state says so; the PATCH that
// succeeded is recorded, and so is protect.
func TestApplyFailedMembershipKeepsStateTrue(t *testing.T) {
	t.Parallel()
	env := appliedGroups(t)
	cc := entryID(t, env, state.KindCallCenter, "support")
	before := len(env.Sim.Operators(cc))
	src := strings.NewReplacer(
		"{user: user3@example.com, role: supervisor, skill_level: 80}, {user: USER4}", "{user: 5300000000000901}, {user: 5300000000000902}",
		"    name: Support\n    ring_seconds: 30\n", "    name: Support\n    ring_seconds: 45\n    protect: true\n",
	).Replace(enginetest.GroupsYAML)
	cfg := enginetest.GroupsConfig(t, src)
	_, res := applytest.ApplyGroups(t, env, cfg, 0)
	if o := resultOf(t, res, offices.KindCallCenter, "support"); o.Outcome != apply.OutcomeFailed || !strings.Contains(fmt.Sprint(o.Err), "adding operator") {
		t.Fatalf("support: %s %v, want failed adding an operator", o.Outcome, o.Err)
	}
	if n := len(env.Sim.Operators(cc)); n != before || n != 2 {
		t.Errorf("support has %d operators in Dialpad after the failed adds, want its %d", n, before)
	}
	e, _ := env.Store.State().GetOf(state.KindCallCenter, "support")
	if len(e.Operators) != 2 {
		t.Errorf("state records %d operators, Dialpad has 2", len(e.Operators))
	}
	if !e.Protect {
		t.Error("protect: true was not recorded")
	}
	var spec struct {
		RingSeconds int `json:"ring_seconds"`
	}
	if json.Unmarshal(e.Spec, &spec); spec.RingSeconds != 45 {
		t.Errorf("the state's spec has ring_seconds %d; the PATCH of 45 succeeded", spec.RingSeconds)
	}
	live, _ := env.Sim.GroupByID(officestest.KindCallCenter, cc)
	if fmt.Sprint(live["ring_seconds"]) != "45" {
		t.Errorf("Dialpad's ring_seconds %v, want 45", live["ring_seconds"])
	}
	// Config restored: the plan sees what differs from the state, which
	// is what Dialpad has.
	p, err := plan.MakePlan(enginetest.GroupsConfig(t, enginetest.GroupsYAML), env.Store.State())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range p.Changes {
		if c.Key == "support" && c.Action != plan.ActionUpdate {
			t.Errorf("support after restoring the config: %s, want update (ring_seconds, protect)", c.Action)
		}
	}
}

// pointAtMarketing creates an unmanaged department "Marketing" in hq and
// makes the state entry of department key record its id, as a bad merge
// of the state file would; it returns that id.
func pointAtMarketing(t *testing.T, env *enginetest.Env, key string) int64 {
	t.Helper()
	mkt, err := env.Client.CreateDepartment(context.Background(), entryID(t, env, state.KindOffice, "hq"), offices.Department{Name: "Marketing"})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Store.Update(func(st *state.State) error {
		e, _ := st.GetOf(state.KindDepartment, key)
		e.ID = strconv.FormatInt(mkt.ID, 10)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return mkt.ID
}

// TestApplyTargetCheck (issue 18, defect 3): a state entry pointing at an
// unmanaged department ("Marketing") makes neither a PATCH nor a DELETE
// reach it: each of those changes fails naming both names, the others go
// on, and the check costs one listing per office and kind.
func TestApplyTargetCheck(t *testing.T) {
	t.Parallel()
	env := appliedGroups(t)
	mkt := pointAtMarketing(t, env, "sales")
	// sales: a field changes (PATCH); team-1 leaves the config (DELETE);
	// support changes too and must go on.
	src := strings.NewReplacer("    ring_seconds: 20\n", "    ring_seconds: 25\n", "    ring_seconds: 30\n", "    ring_seconds: 35\n",
		"  team-1:\n    office: hq\n    name: Team 1\n    operators: []\n", "").Replace(enginetest.GroupsYAML)
	n := len(env.Sim.Records())
	_, res := applytest.ApplyGroups(t, env, enginetest.GroupsConfig(t, src), 1)
	if res == nil {
		t.Fatal("not approved")
	}
	o := resultOf(t, res, offices.KindDepartment, "sales")
	for _, want := range []string{`"Marketing"`, `"Sales"`, `"sales"`, strconv.FormatInt(mkt, 10)} {
		if !errors.Is(o.Err, apply.ErrWrongTarget) || !strings.Contains(fmt.Sprint(o.Err), want) {
			t.Errorf("sales: %v; want ErrWrongTarget naming %s", o.Err, want)
		}
	}
	if o := resultOf(t, res, offices.KindCallCenter, "support"); o.Outcome != apply.OutcomeUpdated {
		t.Errorf("support: %s %v, want updated", o.Outcome, o.Err)
	}
	live, ok := env.Sim.GroupByID(officestest.KindDepartment, mkt)
	if !ok {
		t.Fatal("Marketing was deleted")
	}
	if live["ring_seconds"] != nil && fmt.Sprint(live["ring_seconds"]) == "25" {
		t.Error("Marketing was PATCHed")
	}
	for _, w := range writes(env, n) {
		if strings.HasSuffix(w, "/"+strconv.FormatInt(mkt, 10)) || strings.Contains(w, "/"+strconv.FormatInt(mkt, 10)+"/") {
			t.Errorf("%s sent to Marketing", w)
		}
	}
	lists := 0
	for _, r := range env.Sim.Records()[n:] {
		if r.Method == http.MethodGet && (r.Path == "/api/v2/departments" || r.Path == "/api/v2/callcenters") {
			lists++
		}
	}
	if lists != 2 {
		t.Errorf("%d group listings, want 2 (one per office and kind, shared by every target check)", lists)
	}
}

// TestApplyTargetCheckDelete (issue 18, defect 3): the delete of a group
// whose state entry records an unmanaged department's id is not sent.
func TestApplyTargetCheckDelete(t *testing.T) {
	t.Parallel()
	env := appliedGroups(t)
	mkt := pointAtMarketing(t, env, "team-1")
	src := strings.Replace(enginetest.GroupsYAML, "  team-1:\n    office: hq\n    name: Team 1\n    operators: []\n", "", 1)
	_, res := applytest.ApplyGroups(t, env, enginetest.GroupsConfig(t, src), 1)
	if res == nil {
		t.Fatal("not approved")
	}
	o := resultOf(t, res, offices.KindDepartment, "team-1")
	if o.Outcome != apply.OutcomeFailed || !errors.Is(o.Err, apply.ErrWrongTarget) || !strings.Contains(fmt.Sprint(o.Err), `"Marketing"`) || !strings.Contains(fmt.Sprint(o.Err), `"Team 1"`) {
		t.Errorf("team-1: %s %v; want failed, ErrWrongTarget naming Marketing and Team 1", o.Outcome, o.Err)
	}
	if _, ok := env.Sim.GroupByID(officestest.KindDepartment, mkt); !ok {
		t.Error("Marketing was deleted")
	}
}

// TestApplyGroupBadAnswerContained (issue 18, defect 7): a department
// create answered with an id another entry holds fails that department,
// pending; every other group goes on.
func TestApplyGroupBadAnswerContained(t *testing.T) {
	t.Parallel()
	sim := officestest.NewServer(t, officestest.Options{Token: enginetest.TestKey, RatePerMinute: -1, Users: 6, Rooms: 2})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/api/v2/departments" {
			b, _ := io.ReadAll(r.Body)
			if strings.Contains(string(b), `"Team 1"`) {
				var hq int64
				for _, o := range sim.Offices() {
					if o.Name == "HQ" {
						hq = o.ID
					}
				}
				fmt.Fprintf(w, `{"id": "%d", "office_id": "%d", "name": "Team 1", "state": "active"}`, hq, hq)
				return
			}
			r.Body = io.NopCloser(strings.NewReader(string(b)))
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	env := enginetest.NewEnvAt(t, sim, srv.URL, nil)
	_, res := applytest.ApplyGroups(t, env, enginetest.GroupsConfig(t, enginetest.GroupsYAML), 0)
	o := resultOf(t, res, offices.KindDepartment, "team-1")
	if o.Outcome != apply.OutcomeFailed || !errors.Is(o.Err, apply.ErrBadAnswer) || !o.Pending {
		t.Errorf("team-1: %s %v pending %v; want failed with ErrBadAnswer, pending", o.Outcome, o.Err, o.Pending)
	}
	for _, k := range []string{"hq", "sales", "archive", "support"} {
		if o := resultOf(t, res, "", k); o.Outcome != apply.OutcomeCreated {
			t.Errorf("%s: %s %v, want created", k, o.Outcome, o.Err)
		}
	}
	if e, ok := env.Store.State().GetOf(state.KindDepartment, "team-1"); !ok || e.Status != state.Pending {
		t.Errorf("team-1's entry %+v, want pending", e)
	}
}

// TestApplyDuplicateOperators (issue 18, the apply side of defect 5): one
// user listed twice (emails that differ in case, an email and the same
// user's id) fails that group before anything of it is sent, naming both;
// the others go on.
func TestApplyDuplicateOperators(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{Users: 6, Rooms: 2}, nil)
	src := strings.NewReplacer(
		"    name: Team 1\n    operators: []\n", fmt.Sprintf("    name: Team 1\n    operators: [{user: user2@example.com}, {user: %d}]\n", officestest.FirstUserID+2),
	).Replace(enginetest.GroupsYAML)
	cfg := enginetest.GroupsConfig(t, src)
	// validate refuses emails that differ only in case in one list; apply
	// checks again whatever built its plan (a config from a program, a
	// plan file).
	for i := range cfg.Groups {
		if cfg.Groups[i].Key == "support" {
			cfg.Groups[i].Operators = []load.Operator{{Email: "user3@example.com", Role: "operator"}, {Email: "USER3@example.com", Role: "admin"}}
		}
	}
	_, res := applytest.ApplyGroups(t, env, cfg, 0)
	for key, want := range map[string][]string{
		"support": {"user3@example.com", "USER3@example.com", "emails differ only in case"},
		"team-1":  {"user2@example.com", fmt.Sprintf("user %d", officestest.FirstUserID+2), "the same user"},
	} {
		o := resultOf(t, res, "", key)
		for _, w := range want {
			if o.Outcome != apply.OutcomeFailed || !errors.Is(o.Err, apply.ErrBadOperators) || !strings.Contains(fmt.Sprint(o.Err), w) {
				t.Errorf("%s: %s %v; want failed with ErrBadOperators naming %s", key, o.Outcome, o.Err, w)
			}
		}
	}
	for _, w := range writes(env, 0) {
		if strings.HasPrefix(w, "POST /api/v2/callcenters") || strings.HasPrefix(w, "POST /api/v2/departments/") {
			t.Errorf("%s sent for a group with a duplicate operator", w)
		}
	}
	if o := resultOf(t, res, "", "sales"); o.Outcome != apply.OutcomeSkipped {
		t.Errorf("sales (routes to support): %s %v, want skipped", o.Outcome, o.Err)
	}
	for _, k := range []string{"hq", "archive"} {
		if o := resultOf(t, res, "", k); o.Outcome != apply.OutcomeCreated {
			t.Errorf("%s: %s %v, want created", k, o.Outcome, o.Err)
		}
	}
}

// TestApplyUnmanagedMembershipForgotten (issue 18, the apply side of
// defect 9): once the config drops a group's operators, the state forgets
// them and nothing is sent to Dialpad's membership.
func TestApplyUnmanagedMembershipForgotten(t *testing.T) {
	t.Parallel()
	env := appliedGroups(t)
	src := strings.Replace(enginetest.GroupsYAML, "    operators: [{user: user2@example.com}, {room: ROOM1}]\n", "", 1)
	n := len(env.Sim.Records())
	p, res := applytest.ApplyGroups(t, env, enginetest.GroupsConfig(t, src), 0)
	if res == nil || res.Err != nil {
		t.Fatalf("apply: %+v", res)
	}
	if e, _ := env.Store.State().GetOf(state.KindDepartment, "sales"); e.Operators != nil {
		t.Errorf("the state still records sales' operators %+v (plan: %+v)", e.Operators, p.Changes)
	}
	if recs := env.Sim.Records()[n:]; len(recs) != 0 {
		t.Errorf("sent %d requests (%+v); forgetting a membership sends nothing", len(recs), recs)
	}
	// So does an update that only marks the membership as no longer
	// managed, as the plan of issue 18 emits it.
	if err := env.Store.Update(func(st *state.State) error {
		e, _ := st.GetOf(state.KindDepartment, "sales")
		e.Operators = []state.Operator{}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	g := groupOf(t, src, "sales")
	p = &plan.Plan{Changes: []plan.Change{{Key: "sales", Kind: offices.KindDepartment, Action: plan.ActionUpdate, Name: "Sales", Group: g,
		DependsOn: []string{"hq", "support"}, Members: []plan.MemberChange{{Op: "unmanage"}}}}}
	res, _ = applytest.Apply(t, env, context.Background(), p, 4, false)
	if e, _ := env.Store.State().GetOf(state.KindDepartment, "sales"); res.Err != nil || e.Operators != nil {
		t.Errorf("unmanage: %v, operators %+v", res.Err, e.Operators)
	}
	if recs := env.Sim.Records()[n:]; len(recs) != 0 {
		t.Errorf("unmanage sent %d requests", len(recs))
	}
	if ops := env.Sim.Operators(entryID(t, env, state.KindDepartment, "sales")); len(ops) != 2 {
		t.Errorf("sales has %d operators in Dialpad, want its 2", len(ops))
	}
}

// TestApplyRemovesEveryOperatorSaysSo: a membership emptied names the
// operators it removed in the result and its event.
func TestApplyRemovesEveryOperatorSaysSo(t *testing.T) {
	t.Parallel()
	env := appliedGroups(t)
	src := strings.Replace(enginetest.GroupsYAML, "{user: user2@example.com}, {room: ROOM1}", "", 1)
	_, res := applytest.ApplyGroups(t, env, enginetest.GroupsConfig(t, src), 0)
	o := resultOf(t, res, offices.KindDepartment, "sales")
	if o.Outcome != apply.OutcomeUpdated || !strings.Contains(o.Note, "removed every operator") || !strings.Contains(o.Note, "user2@example.com") || !strings.Contains(o.Note, "room ") {
		t.Errorf("sales: %s %v note %q; want updated, naming the removed operators", o.Outcome, o.Err, o.Note)
	}
}

// TestApplyRecordsRefs: every spec sent records the ids its references
// were resolved to.
func TestApplyRecordsRefs(t *testing.T) {
	t.Parallel()
	env := appliedGroups(t)
	st := env.Store.State()
	e, _ := st.GetOf(state.KindDepartment, "sales")
	want := map[string]string{"hq": st.Offices["hq"].ID, "support": st.CallCenters["support"].ID}
	if fmt.Sprint(e.Refs) != fmt.Sprint(want) {
		t.Errorf("sales' refs %v, want %v", e.Refs, want)
	}
}

// groupOf loads src and returns its group key.
func groupOf(t *testing.T, src, key string) *load.DesiredGroup {
	t.Helper()
	for _, g := range enginetest.GroupsConfig(t, src).Groups {
		if g.Key == key {
			return &g
		}
	}
	t.Fatalf("no group %s", key)
	return nil
}

// TestApplyMove: a renamed key is a state move: the live object is
// checked, the entry moves in one save, and nothing that writes is sent.
func TestApplyMove(t *testing.T) {
	t.Parallel()
	env := appliedGroups(t)
	old, _ := env.Store.State().GetOf(state.KindDepartment, "team-1")
	renamed := strings.Replace(enginetest.GroupsYAML, "  team-1:\n", "  team-one:\n", 1)
	p := &plan.Plan{Changes: []plan.Change{{Key: "team-one", Kind: offices.KindDepartment, Action: plan.ActionMove, MovedFrom: "team-1", Name: "Team 1",
		Group: groupOf(t, renamed, "team-one"), DependsOn: []string{"hq"}}}}
	n := len(env.Sim.Records())
	res, _ := applytest.Apply(t, env, context.Background(), p, 4, false)
	if res.Err != nil || res.Counts.Moved != 1 {
		t.Fatalf("move: %+v", res)
	}
	st := env.Store.State()
	if _, ok := st.GetOf(state.KindDepartment, "team-1"); ok {
		t.Error("team-1 still in the state")
	}
	if e, ok := st.GetOf(state.KindDepartment, "team-one"); !ok || e.ID != old.ID || e.Name != "Team 1" {
		t.Errorf("team-one: %+v, want team-1's entry (id %s)", e, old.ID)
	}
	if w := writes(env, n); len(w) != 0 {
		t.Errorf("a move sent %q", w)
	}
	// A move whose live object is not the one recorded is refused.
	if err := env.Store.Update(func(st *state.State) error {
		e, _ := st.GetOf(state.KindDepartment, "team-one")
		e.Name = "Team One"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	p.Changes[0].Key, p.Changes[0].MovedFrom, p.Changes[0].Name, p.Changes[0].Group.Name = "team-two", "team-one", "Team One", "Team One"
	res, _ = applytest.Apply(t, env, context.Background(), p, 4, false)
	if o := resultOf(t, res, "", "team-two"); !errors.Is(o.Err, apply.ErrWrongTarget) {
		t.Errorf("move to a live object of another name: %s %v, want ErrWrongTarget", o.Outcome, o.Err)
	}
}

// kindChangePlan is the plan that turns department sales into a call
// center of the same key and name: the create of the new kind and the
// delete of the old.
func kindChangePlan(t *testing.T, env *enginetest.Env) *plan.Plan {
	t.Helper()
	src := enginetest.GroupsYAML
	i := strings.Index(src, "  sales:\n")
	j := strings.Index(src, "  archive:\n")
	src = src[:i] + src[j:]
	src = strings.Replace(src, "callcenters:\n", "callcenters:\n  sales:\n    office: hq\n    name: Sales\n    ring_seconds: 20\n    operators: [{user: user2@example.com}]\n", 1)
	g := groupOf(t, src, "sales")
	old, _ := env.Store.State().GetOf(state.KindDepartment, "sales")
	return &plan.Plan{Changes: []plan.Change{
		{Key: "sales", Kind: offices.KindCallCenter, Action: plan.ActionCreate, Name: "Sales", Group: g, DependsOn: []string{"hq"}},
		{Key: "sales", Kind: offices.KindDepartment, Action: plan.ActionDelete, Name: "Sales", Entry: old},
	}}
}

// TestApplyKindChange: a group's kind changes under its key: the create
// of the new kind runs first, then the delete of the old; the state holds
// the new one only.
func TestApplyKindChange(t *testing.T) {
	t.Parallel()
	env := appliedGroups(t)
	dept := entryID(t, env, state.KindDepartment, "sales")
	res, _ := applytest.Apply(t, env, context.Background(), kindChangePlan(t, env), 4, false)
	if res.Err != nil || res.Counts.Created != 1 || res.Counts.Deleted != 1 {
		t.Fatalf("kind change: %+v", res)
	}
	st := env.Store.State()
	if _, ok := st.GetOf(state.KindDepartment, "sales"); ok {
		t.Error("the department is still in the state")
	}
	if e, ok := st.GetOf(state.KindCallCenter, "sales"); !ok || e.Status != state.Created {
		t.Errorf("the call center's entry: %+v", e)
	}
	if _, ok := env.Sim.GroupByID(officestest.KindDepartment, dept); ok {
		t.Error("the department is still in Dialpad")
	}
}

// TestApplyKindChangeCreateFails: when the create of the new kind fails,
// the delete of the old one is never sent.
func TestApplyKindChangeCreateFails(t *testing.T) {
	t.Parallel()
	env := appliedGroups(t)
	dept := entryID(t, env, state.KindDepartment, "sales")
	// A call center of that name exists and is not in the state: the
	// create is refused (it belongs to import).
	if _, err := env.Client.CreateCallCenter(context.Background(), entryID(t, env, state.KindOffice, "hq"), offices.CallCenter{Name: "Sales"}); err != nil {
		t.Fatal(err)
	}
	res, _ := applytest.Apply(t, env, context.Background(), kindChangePlan(t, env), 4, false)
	if o := resultOf(t, res, offices.KindCallCenter, "sales"); o.Outcome != apply.OutcomeFailed {
		t.Fatalf("create: %s %v, want failed", o.Outcome, o.Err)
	}
	if o := resultOf(t, res, offices.KindDepartment, "sales"); o.Outcome != apply.OutcomeSkipped || !errors.Is(o.Err, apply.ErrReplacementFailed) {
		t.Errorf("delete: %s %v, want skipped with ErrReplacementFailed", o.Outcome, o.Err)
	}
	if _, ok := env.Sim.GroupByID(officestest.KindDepartment, dept); !ok {
		t.Error("the department was deleted although its replacement failed")
	}
}

// TestApplyMoveWithUpdate: a renamed key whose fields and operators
// change too is moved, then updated under its new key.
func TestApplyMoveWithUpdate(t *testing.T) {
	t.Parallel()
	env := appliedGroups(t)
	id := entryID(t, env, state.KindDepartment, "team-1")
	renamed := strings.Replace(enginetest.GroupsYAML, "  team-1:\n    office: hq\n    name: Team 1\n    operators: []\n",
		"  team-one:\n    office: hq\n    name: Team 1\n    ring_seconds: 30\n    operators: [{user: user1@example.com}]\n", 1)
	p := &plan.Plan{Changes: []plan.Change{{Key: "team-one", Kind: offices.KindDepartment, Action: plan.ActionMove, MovedFrom: "team-1", Name: "Team 1",
		Group: groupOf(t, renamed, "team-one"), DependsOn: []string{"hq"},
		Fields:  []plan.FieldChange{{Path: "ring_seconds", New: "30"}},
		Members: []plan.MemberChange{{Op: "add", Operator: "user1@example.com", New: "operator"}}}}}
	res, _ := applytest.Apply(t, env, context.Background(), p, 4, false)
	if res.Err != nil || res.Counts.Moved != 1 {
		t.Fatalf("move with an update: %+v", res)
	}
	e, ok := env.Store.State().GetOf(state.KindDepartment, "team-one")
	if !ok || e.ID != strconv.FormatInt(id, 10) || len(e.Operators) != 1 || !strings.Contains(string(e.Spec), `"ring_seconds":30`) {
		t.Errorf("team-one's entry %+v", e)
	}
	if live, _ := env.Sim.GroupByID(officestest.KindDepartment, id); fmt.Sprint(live["ring_seconds"]) != "30" {
		t.Errorf("Dialpad's ring_seconds %v, want 30", live["ring_seconds"])
	}
	if ops := env.Sim.Operators(id); len(ops) != 1 {
		t.Errorf("%d operators in Dialpad, want 1", len(ops))
	}
}

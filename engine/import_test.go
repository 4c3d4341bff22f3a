package engine

import (
	"context"
	"github.com/officectl/officectl/engine/apply/applytest"
	"os"
	"slices"
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

// liveOf is a live office named name in country, as Seed takes it.
func liveOf(name, country string) offices.Live {
	h := []string{"08:00", "18:00"}
	return offices.Live{Name: name, Country: country, MondayHours: h, TuesdayHours: h, WednesdayHours: h, ThursdayHours: h, FridayHours: h}
}

// TestImportAdoptsByName: a config key with no state entry is adopted when
// one live office has its name; two live offices of a name, or one the
// state records under another key, are conflicts; a deleted office's name
// stays to be created; the other live offices are reported unmanaged.
func TestImportAdoptsByName(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{}, nil)
	hq := liveOf("HQ", "us")
	hq.IsPrimaryOffice = true
	ids := env.Sim.Seed(
		liveOf("Berlin", "de"),   // 0: adopted as berlin
		liveOf("Munich", "de"),   // 1, 2: two Munichs
		liveOf("Munich", "de"),   //
		liveOf("Paris", "fr"),    // 3: deleted below
		liveOf("Rome", "it"),     // 4: in state as old-rome
		liveOf("Lisbon", "pt"),   // 5: unmanaged
		hq,                       // 6: unmanaged, primary
		liveOf("Hamburg", "de"),  // 7: in state as hamburg already
		liveOf("berlin ", "de"),  // 8: not the same name
		liveOf("Valencia", "es"), // 9: cancelled: not unmanaged
	)
	env.Sim.SetState(ids[3], "deleted")
	env.Sim.SetState(ids[9], "cancelled")
	err := env.Store.Update(func(st *state.State) error {
		st.Set("old-rome", enginetest.Created(strconv.FormatInt(ids[4], 10), enginetest.Office("Rome", "IT")))
		st.Set("hamburg", enginetest.Created(strconv.FormatInt(ids[7], 10), enginetest.Office("Hamburg", "DE")))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var ds []load.Desired
	for _, k := range []string{"berlin", "munich", "paris", "rome", "hamburg", "tokyo"} {
		ds = append(ds, load.Desired{Key: k, Office: enginetest.Office(strings.ToUpper(k[:1])+k[1:], "DE")})
	}
	cfg := load.NewConfig(ds)

	res, err := Import(context.Background(), cfg, ImportOptions{Store: env.Store, API: env.Client})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Adopted) != 1 || res.Adopted[0] != (Adoption{Key: "berlin", Name: "Berlin", ID: ids[0]}) {
		t.Errorf("adopted %+v", res.Adopted)
	}
	if got := adoptionKeys(res.ToCreate); got != "paris tokyo" {
		t.Errorf("to create %q", got)
	}
	if len(res.Conflicts) != 2 || res.Conflicts[0].Key != "munich" || len(res.Conflicts[0].IDs) != 2 ||
		res.Conflicts[1].Key != "rome" || !strings.Contains(res.Conflicts[1].Reason, `"old-rome"`) {
		t.Errorf("conflicts %+v", res.Conflicts)
	}
	if res.Managed != 1 {
		t.Errorf("managed %d", res.Managed)
	}
	var unmanaged []string
	for _, l := range res.Unmanaged {
		unmanaged = append(unmanaged, l.Name)
	}
	if strings.Join(unmanaged, "|") != "Munich|Munich|Lisbon|HQ|berlin " {
		t.Errorf("unmanaged %q", unmanaged)
	}

	e, ok := env.Store.Entry("berlin")
	if !ok || e.Status != state.Created || e.ID != strconv.FormatInt(ids[0], 10) || e.CreatedAt == nil {
		t.Fatalf("berlin entry %+v", e)
	}
	p := env.Plan(t, ds)
	for _, c := range p.Changes {
		if c.Key == "berlin" && c.Action != plan.ActionNoOp {
			t.Errorf("berlin after import: %s", c.Action)
		}
	}
	if n := env.Sim.Stats().Created; n != 0 {
		t.Errorf("import created %d offices", n)
	}

	// Importing again adopts nothing more.
	res, err = Import(context.Background(), cfg, ImportOptions{Store: env.Store, API: env.Client})
	if err != nil || len(res.Adopted) != 0 || res.Managed != 2 {
		t.Errorf("second import: %+v, %v", res, err)
	}
}

func adoptionKeys(as []Adoption) string {
	var keys []string
	for _, a := range as {
		keys = append(keys, a.Key)
	}
	return strings.Join(keys, " ")
}

// TestImportPages: import follows the cursor over more than three pages.
func TestImportPages(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{PageSize: 2}, nil)
	ds := enginetest.Numbered(9)
	for _, d := range ds {
		env.Sim.Seed(liveOf(d.Office.Name, "de"))
	}
	res, err := Import(context.Background(), load.NewConfig(ds), ImportOptions{Store: env.Store, API: env.Client})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Adopted) != 9 || len(res.ToCreate)+len(res.Conflicts)+len(res.Unmanaged) != 0 {
		t.Errorf("result %+v", res)
	}
	lists := 0
	for _, r := range env.Sim.Records() {
		if r.Method == "GET" && r.Path == "/api/v2/offices" {
			lists++
		}
	}
	if lists != 5 {
		t.Errorf("%d list requests, want 5 pages", lists)
	}
	if s := env.Plan(t, ds).Summary(); s.NoOp != 9 {
		t.Errorf("plan after import %+v", s)
	}
}

// TestImportRecoversLostState: after an apply, the state file is lost;
// import alone rebuilds a state whose plan has no creates, nothing else
// to change, and whose offices have not drifted.
func TestImportRecoversLostState(t *testing.T) {
	t.Parallel()
	// The full example: offices with operators (some by email), and
	// departments and call centers that give only some fields.
	cfg := loadExample(t)
	if len(cfg.Groups) == 0 || !hasOperators(cfg) {
		t.Fatal("the example lost its groups or office operators")
	}
	env := enginetest.NewEnv(t, officestest.Options{PageSize: 2}, nil)
	p, err := plan.MakePlan(cfg, env.Store.State())
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := applytest.Apply(t, env, context.Background(), p, 8, false); res.Err != nil {
		t.Fatal(res.Err)
	}
	before := env.Store.State()

	env.Store.Close()
	for _, f := range []string{env.StatePath, env.StatePath + ".backup"} {
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	store, err := state.Open(env.StatePath, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	env.Store = store

	res, err := Import(context.Background(), cfg, ImportOptions{Store: store, API: env.Client})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Adopted) != len(cfg.Offices) {
		t.Fatalf("adopted %d of %d: %+v", len(res.Adopted), len(cfg.Offices), res)
	}
	after := store.State()
	if res.Groups == nil || len(res.Groups.Adopted) != len(cfg.Groups) {
		t.Fatalf("adopted groups %+v, want all %d", res.Groups, len(cfg.Groups))
	}
	for _, k := range []state.Kind{state.KindOffice, state.KindDepartment, state.KindCallCenter} {
		for key, e := range before.Map(k) {
			a, _ := after.GetOf(k, key)
			if a == nil || a.ID != e.ID || a.SpecSHA256 != e.SpecSHA256 || a.Protect != e.Protect || !slices.Equal(a.Operators, e.Operators) {
				t.Errorf("%s %s: recovered %+v, was %+v", k, key, a, e)
			}
		}
	}
	p, err = plan.MakePlan(cfg, after)
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Summary(); s.Create != 0 || s.Changed() != 0 || s.Update != 0 || s.Manual != 0 {
		t.Errorf("plan after recovery: %+v\n%s", s, renderText(t, p))
	}
	if rep := drift(t, env); len(rep.Drifts) != 0 || rep.Checked < len(cfg.Offices) {
		t.Errorf("drift after recovery: %+v", rep)
	}
	if n := env.Sim.Stats().Created; n != len(cfg.Offices) {
		t.Errorf("%d offices created in all, want %d", n, len(cfg.Offices))
	}
}

// TestImportDryRun changes nothing.
func TestImportDryRun(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{}, nil)
	env.Sim.Seed(liveOf("Office 000", "de"))
	res, err := Import(context.Background(), load.NewConfig(enginetest.Numbered(2)), ImportOptions{Store: env.Store, API: env.Client, DryRun: true})
	if err != nil || len(res.Adopted) != 1 || len(res.ToCreate) != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	if st := env.Store.State(); len(st.Offices) != 0 || st.Serial != 0 {
		t.Errorf("dry run changed the state: %+v", st)
	}
}

// TestImportPendingNotUnmanaged: a live office whose name is that of a
// pending state entry (a create interrupted, its answer lost) is that
// create, described by the config: import lists it as pending, for apply
// to adopt, not as an office in no config (it used to).
func TestImportPendingNotUnmanaged(t *testing.T) {
	munich := enginetest.Office("Munich", "DE")
	st := state.New()
	st.Set("munich", &state.Entry{Status: state.Pending, Name: "Munich", Spec: munich.Canonical(), SpecSHA256: munich.SpecSHA256()})
	live := []offices.Live{liveOf("Munich", "de"), liveOf("Lyon", "fr")}
	live[0].ID, live[1].ID = 5100000000000007, 5100000000000008
	res := MatchImport(load.NewConfig([]load.Desired{{Key: "munich", Office: munich}}), st, live)
	if len(res.Unmanaged) != 1 || res.Unmanaged[0].Name != "Lyon" {
		t.Errorf("unmanaged %+v, want Lyon only", res.Unmanaged)
	}
	if want := []Adoption{{Key: "munich", Name: "Munich", ID: 5100000000000007}}; !slices.Equal(res.Pending, want) {
		t.Errorf("pending %+v, want %+v", res.Pending, want)
	}
	var out strings.Builder
	if err := WriteImportReport(&out, ImportReport{Result: res, DryRun: true, Invocation: plan.Invocation{Dir: "offices"}}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Pending in the state: 1 office whose create was interrupted or lost its answer; `officectl apply offices` adopts each by name.\n  ~ munich (Munich): id 5100000000000007 in Dialpad\n",
		"In Dialpad but in no config: 1 office.\n  ? 5100000000000008 Lyon\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

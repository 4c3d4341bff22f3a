package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/officectl/officectl/engine/apply/applytest"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/engine/render"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// driftFixture is five offices: berlin with ring_seconds and a time zone,
// london and new-york with E911 addresses, munich routing to berlin, and
// paris.
func driftFixture() []load.Desired {
	berlin := enginetest.Office("Berlin", "DE")
	berlin.RingSeconds = enginetest.Ptr(int64(30))
	berlin.Timezone = "Europe/Berlin"
	munich := enginetest.Office("Munich", "DE")
	enginetest.RouteTo(&munich, "berlin", "berlin")
	paris := enginetest.Office("Paris", "FR")
	paris.E911Address = &offices.E911Address{Address: "10 Rue de Rivoli", City: "Paris", Country: "FR", State: "IDF", Zip: "75001"}
	return []load.Desired{
		{Key: "berlin", Office: berlin},
		{Key: "london", Office: enginetest.Office("London", "GB")},
		{Key: "munich", Office: munich},
		{Key: "new-york", Office: enginetest.Office("New York", "US")},
		{Key: "paris", Office: paris},
	}
}

// appliedEnv applies ds to a new simulator.
func appliedEnv(t *testing.T, simOpts officestest.Options, ds []load.Desired) *enginetest.Env {
	t.Helper()
	env := enginetest.NewEnv(t, simOpts, nil)
	if res, _ := applytest.Apply(t, env, context.Background(), env.Plan(t, ds), 4, false); res.Err != nil {
		t.Fatal(res.Err)
	}
	return env
}

// liveID is the Dialpad id the env's state records for key.
func liveID(t *testing.T, e *enginetest.Env, key string) int64 {
	t.Helper()
	en, ok := e.Store.Entry(key)
	if !ok {
		t.Fatalf("no state entry %q", key)
	}
	id, err := strconv.ParseInt(en.ID, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func drift(t *testing.T, e *enginetest.Env) *plan.DriftReport {
	t.Helper()
	rep, err := plan.CheckDrift(context.Background(), e.Store.State(), plan.DriftOptions{API: e.Client})
	if err != nil {
		t.Fatalf("CheckDrift: %v", err)
	}
	return rep
}

// driftEnv is a simulator holding offices created one by one, and the
// state that records them, in memory: the ids and the state are the same
// in every run, for golden files.
type driftEnv struct {
	Sim    *officestest.TestServer
	Client *offices.Client
	st     *state.State
}

// createdEnv creates ds in order (an office after those it refers to).
func createdEnv(t *testing.T, ds []load.Desired) *driftEnv {
	t.Helper()
	a := enginetest.NewEnv(t, officestest.Options{}, nil)
	env := &driftEnv{Sim: a.Sim, Client: a.Client, st: state.New()}
	ids := map[string]int64{}
	for _, d := range ds {
		body, err := d.Office.Resolve(ids)
		if err != nil {
			t.Fatal(err)
		}
		live, err := a.Client.CreateOffice(context.Background(), body)
		if err != nil {
			t.Fatal(err)
		}
		ids[d.Key] = live.ID
		env.st.Set(d.Key, enginetest.Created(strconv.FormatInt(live.ID, 10), d.Office))
	}
	return env
}

func (e *driftEnv) mutate(t *testing.T, key string, f func(*offices.Live)) {
	t.Helper()
	id, err := strconv.ParseInt(e.st.Offices[key].ID, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Sim.Mutate(id, f); err != nil {
		t.Fatal(err)
	}
}

// consoleEdits changes the fixture's offices as an admin would in
// Dialpad's web app: berlin's Monday hours and ring time, munich's open
// routing, new-york's E911 zip; paris is deleted.
func consoleEdits(t *testing.T, env *driftEnv) {
	t.Helper()
	env.mutate(t, "berlin", func(l *offices.Live) {
		l.MondayHours = []string{"09:00", "17:00"}
		l.RingSeconds = enginetest.Ptr(int64(45))
	})
	env.mutate(t, "munich", func(l *offices.Live) { l.RoutingOptions.Open.Action = "operator" })
	env.mutate(t, "new-york", func(l *offices.Live) { l.E911Address.Zip = "10001" })
	env.mutate(t, "paris", func(l *offices.Live) { l.State = "deleted" })
}

// TestDriftGolden: console edits to hours, ring_seconds, routing and the
// E911 address, and a deleted office, are found and rendered in the three
// formats, as a drift report and folded into a plan (plan --refresh)
// whose config also changed berlin's ring_seconds.
func TestDriftGolden(t *testing.T) {
	t.Parallel()
	ds := driftFixture()
	env := createdEnv(t, ds)
	consoleEdits(t, env)
	rep, err := plan.CheckDrift(context.Background(), env.st, plan.DriftOptions{API: env.Client})
	if err != nil {
		t.Fatal(err)
	}

	type want struct {
		kind   plan.DriftKind
		fields string
	}
	wants := map[string]want{
		"berlin":   {plan.DriftChanged, "monday_hours ring_seconds"},
		"munich":   {plan.DriftChanged, "routing_options.open.action"},
		"new-york": {plan.DriftE911, "e911_address.zip"},
		"paris":    {plan.DriftDeleted, ""},
	}
	if rep.Checked != 5 || len(rep.Drifts) != len(wants) {
		t.Fatalf("checked %d, drifts %+v", rep.Checked, rep.Drifts)
	}
	for _, d := range rep.Drifts {
		var paths []string
		for _, f := range d.Fields {
			paths = append(paths, f.Path)
		}
		if w := wants[d.Key]; d.Kind != w.kind || strings.Join(paths, " ") != w.fields {
			t.Errorf("%s: %s %q, want %s %q", d.Key, d.Kind, paths, w.kind, w.fields)
		}
	}
	if d := rep.Find("paris"); d == nil || d.LiveState != "deleted" {
		t.Errorf("paris: %+v", d)
	}

	for suffix, render := range map[string]func(*bytes.Buffer) error{
		".txt":       func(b *bytes.Buffer) error { return render.RenderDriftText(b, rep, render.TextOptions{}) },
		".color.txt": func(b *bytes.Buffer) error { return render.RenderDriftText(b, rep, render.TextOptions{Color: true}) },
		".md":        func(b *bytes.Buffer) error { return render.RenderDriftMarkdown(b, rep) },
		".json":      func(b *bytes.Buffer) error { return plan.RenderDriftJSON(b, rep) },
	} {
		var b bytes.Buffer
		if err := render(&b); err != nil {
			t.Fatal(err)
		}
		golden(t, filepath.Join("testdata", "drift", "report"+suffix), b.String())
	}

	ds[0].Office.RingSeconds = enginetest.Ptr(int64(25)) // and a config change
	p := enginetest.MustPlan(t, ds, env.st)
	plan.MergeDrift(p, rep)
	actions := map[string]plan.Action{}
	for _, c := range p.Changes {
		actions[c.Key] = c.Action
	}
	wantActions := map[string]plan.Action{"berlin": plan.ActionManual, "london": plan.ActionNoOp, "munich": plan.ActionManual, "new-york": plan.ActionUpdateE911, "paris": plan.ActionCreate}
	for k, a := range wantActions {
		if actions[k] != a {
			t.Errorf("%s: %s, want %s", k, actions[k], a)
		}
	}
	if got := p.Recreates(); len(got) != 1 || got[0] != "paris" {
		t.Errorf("Recreates() = %q", got)
	}
	if err := p.CheckSavable(); err == nil || !strings.Contains(err.Error(), "creates again paris") {
		t.Errorf("CheckSavable of a plan that creates paris again = %v", err)
	}
	refreshed := enginetest.MustPlan(t, ds, env.st)
	if err := refreshed.CheckSavable(); err != nil {
		t.Errorf("CheckSavable before the refresh = %v", err)
	}
	if _, err := plan.Refresh(context.Background(), refreshed, env.st, env.Client, 2); err != nil {
		t.Fatal(err)
	}
	var merged, refreshedJSON bytes.Buffer
	if err := errors.Join(plan.RenderJSON(&merged, p), plan.RenderJSON(&refreshedJSON, refreshed)); err != nil || merged.String() != refreshedJSON.String() {
		t.Errorf("Refresh differs from CheckDrift then MergeDrift (%v):\n%s", err, cmp.Diff(merged.String(), refreshedJSON.String()))
	}
	for suffix, got := range renderings(t, p) {
		golden(t, filepath.Join("testdata", "drift", "plan_refresh"+suffix), string(got))
	}

	// The JSON plan, drift included, reads back as a plan file.
	var b bytes.Buffer
	if err := plan.RenderJSON(&b, p); err != nil {
		t.Fatal(err)
	}
	var back *plan.Plan
	back, err = plan.ReadPlan(&b)
	if err != nil {
		t.Fatalf("ReadPlan: %v", err)
	}
	for i, c := range back.Changes {
		if (c.Drift == nil) != (p.Changes[i].Drift == nil) {
			t.Errorf("%s: drift lost in the plan file", c.Key)
		}
	}
}

// TestDriftNoneAfterApply: offices and groups just applied have not
// drifted (each one compared), whether
// the API sends int64 fields as strings or numbers; countries come back
// lower-case and references are resolved through the state.
func TestDriftNoneAfterApply(t *testing.T) {
	t.Parallel()
	cfg := loadExample(t)
	for _, numeric := range []bool{false, true} {
		env := enginetest.NewEnv(t, officestest.Options{NumericIDs: numeric}, nil)
		p, err := plan.MakePlan(cfg, env.Store.State())
		if err != nil {
			t.Fatal(err)
		}
		if res, _ := applytest.Apply(t, env, context.Background(), p, 8, false); res.Err != nil {
			t.Fatal(res.Err)
		}
		rep := drift(t, env)
		if rep.Checked != len(cfg.Offices)+len(cfg.Groups) || len(rep.Drifts) != 0 || len(rep.Skipped) != 0 {
			t.Errorf("numeric ids %v: checked %d, drifts %+v, skipped %+v", numeric, rep.Checked, rep.Drifts, rep.Skipped)
		}
	}
}

// TestDriftDeletedIsCreatedAgain: an office deleted in Dialpad is planned
// as a create again; once the state forgets it, apply creates it, and the
// next check finds no drift.
func TestDriftDeletedIsCreatedAgain(t *testing.T) {
	t.Parallel()
	ds := driftFixture()
	env := appliedEnv(t, officestest.Options{}, ds)
	oldID := liveID(t, env, "paris")
	if err := env.Sim.SetState(oldID, "cancelled"); err != nil {
		t.Fatal(err)
	}
	p := env.Plan(t, ds)
	plan.MergeDrift(p, drift(t, env))
	if s := p.Summary(); s.Create != 1 || s.NoOp != 4 || !strings.Contains(renderText(t, p), "RE-CREATE: cancelled in Dialpad") {
		t.Fatalf("refreshed plan %+v:\n%s", s, renderText(t, p))
	}

	if err := env.Store.Update(func(st *state.State) error { st.Delete("paris"); return nil }); err != nil {
		t.Fatal(err)
	}
	res, _ := applytest.Apply(t, env, context.Background(), env.Plan(t, ds), 1, false)
	if res.Err != nil || res.Counts.Created != 1 {
		t.Fatalf("apply: %+v %v", res.Counts, res.Err)
	}
	if newID := liveID(t, env, "paris"); newID == oldID {
		t.Errorf("paris kept id %d", oldID)
	}
	if rep := drift(t, env); len(rep.Drifts) != 0 {
		t.Errorf("drift after re-creating: %+v", rep.Drifts)
	}
}

// fakeDriftAPI answers GET office from a map; a missing id is a 404, and
// err, when set, fails every request. The listing leaves out the ids of
// unlisted, and fails with listErr when it is set.
type fakeDriftAPI struct {
	live     map[int64]*offices.Live
	unlisted map[int64]bool
	err      error
	listErr  error
	gets     atomic.Int32
}

func (f *fakeDriftAPI) ListOffices(ctx context.Context, opts offices.ListOptions) ([]offices.Live, error) {
	if f.err != nil {
		return nil, f.err
	}
	if f.listErr != nil {
		return nil, f.listErr
	}
	var out []offices.Live
	for id, l := range f.live {
		if !f.unlisted[id] {
			out = append(out, *l)
		}
	}
	return out, nil
}

func (f *fakeDriftAPI) GetOffice(ctx context.Context, id int64) (*offices.Live, error) {
	f.gets.Add(1)
	if f.err != nil {
		return nil, f.err
	}
	l, ok := f.live[id]
	if !ok {
		return nil, &offices.APIError{Status: http.StatusNotFound, Method: "GET", Path: "/api/v2/offices/" + strconv.FormatInt(id, 10)}
	}
	return l, nil
}

func (f *fakeDriftAPI) GetE911(ctx context.Context, id int64) (*offices.LiveE911, error) {
	l, err := f.GetOffice(ctx, id)
	if err != nil {
		return nil, err
	}
	return l.E911Address, nil
}

// TestDriftEdges: a 404 is a deletion; a pending entry and one without a
// spec are skipped; any other API error ends the check naming the office;
// routing with a reference to an office not in state is not compared.
func TestDriftEdges(t *testing.T) {
	t.Parallel()
	st := state.New()
	berlin := enginetest.Office("Berlin", "DE")
	st.Set("berlin", enginetest.Created("11", berlin))
	munich := enginetest.Office("Munich", "DE")
	enginetest.RouteTo(&munich, "nowhere")
	st.Set("munich", enginetest.Created("12", munich))
	st.Set("pending", &state.Entry{Status: state.Pending, Name: "Pending"})
	st.Set("nospec", &state.Entry{Status: state.Created, ID: "13", Name: "No spec"})

	liveMunich := &offices.Live{ID: 12, Name: "Munich", Country: "de", MondayHours: munich.MondayHours, TuesdayHours: munich.TuesdayHours,
		WednesdayHours: munich.WednesdayHours, ThursdayHours: munich.ThursdayHours, FridayHours: munich.FridayHours,
		RoutingOptions: &offices.RoutingOptions{Open: offices.RoutingInner{Action: "operator"}}, State: "active"}
	api := &fakeDriftAPI{live: map[int64]*offices.Live{12: liveMunich}}
	rep, err := plan.CheckDrift(context.Background(), st, plan.DriftOptions{API: api, Parallelism: 2})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Checked != 2 || len(rep.Drifts) != 1 || rep.Drifts[0].Key != "berlin" || rep.Drifts[0].LiveState != "not found" {
		t.Errorf("report %+v", rep)
	}
	if len(rep.Skipped) != 2 || rep.Skipped[0].Key != "nospec" || rep.Skipped[1].Key != "pending" {
		t.Errorf("skipped %+v", rep.Skipped)
	}

	if n := api.gets.Load(); n != 1 {
		t.Errorf("%d GETs of single offices; want 1 (berlin, which the listing leaves out)", n)
	}

	// An office the listing leaves out is fetched on its own.
	api.unlisted = map[int64]bool{12: true}
	api.gets.Store(0)
	rep, err = plan.CheckDrift(context.Background(), st, plan.DriftOptions{API: api, Parallelism: 1})
	if err != nil || rep.Checked != 2 || len(rep.Drifts) != 1 || api.gets.Load() != 2 {
		t.Errorf("munich unlisted: %+v %v, %d GETs", rep, err, api.gets.Load())
	}

	// Errors end the check, naming the listing or the office.
	api.listErr = errors.New("boom")
	if _, err := plan.CheckDrift(context.Background(), st, plan.DriftOptions{API: api}); err == nil || !strings.Contains(err.Error(), "drift: listing offices: boom") {
		t.Errorf("error %v", err)
	}
	api.listErr, api.unlisted = nil, nil
	api.live[11] = &offices.Live{ID: 11, Name: "Berlin", State: "active"}
	api.err = errors.New("boom")
	if _, err := plan.CheckDrift(context.Background(), st, plan.DriftOptions{API: api}); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("error %v", err)
	}
}

// TestDriftE911Errors: an error fetching an E911 address ends the check
// naming the office, and so does a 404 for an office that is there; a
// 404 for an office deleted in Dialpad is its deletion.
func TestDriftE911Errors(t *testing.T) {
	t.Parallel()
	ds := driftFixture()
	env := createdEnv(t, ds)
	env.Sim.SetFaults(officestest.Faults{})
	parisID, err := strconv.ParseInt(env.st.Offices["paris"].ID, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Sim.Delete(parisID); err != nil {
		t.Fatal(err)
	}
	rep, err := plan.CheckDrift(context.Background(), env.st, plan.DriftOptions{API: env.Client})
	if err != nil {
		t.Fatal(err)
	}
	if d := rep.Find("paris"); d == nil || d.Kind != plan.DriftDeleted || d.LiveState != "not found" {
		t.Errorf("paris: %+v", d)
	}

	// The listing says paris is there, but its E911 address is a 404.
	api := &fakeDriftAPI{live: map[int64]*offices.Live{}}
	for _, l := range env.Sim.Offices() {
		api.live[l.ID] = &l
	}
	api.live[parisID] = &offices.Live{ID: parisID, Name: "Paris", Country: "fr", State: "active"}
	e911 := &e911NotFound{fakeDriftAPI: api, id: parisID}
	if _, err := plan.CheckDrift(context.Background(), env.st, plan.DriftOptions{API: e911}); err == nil || !strings.Contains(err.Error(), `drift: E911 address of office "paris"`) {
		t.Errorf("error %v", err)
	}
}

// e911NotFound answers 404 for the E911 address of office id.
type e911NotFound struct {
	*fakeDriftAPI
	id int64
}

func (f *e911NotFound) GetE911(ctx context.Context, id int64) (*offices.LiveE911, error) {
	if id == f.id {
		return nil, &offices.APIError{Status: http.StatusNotFound, Method: "GET", Path: "/api/v2/offices/" + strconv.FormatInt(id, 10) + "/e911"}
	}
	return f.fakeDriftAPI.GetE911(ctx, id)
}

// TestDriftMarkdownLimit: a report of many drifted offices stays under
// the comment limit and says how many it leaves out.
func TestDriftMarkdownLimit(t *testing.T) {
	t.Parallel()
	rep := &plan.DriftReport{Checked: 2000}
	for i := range 2000 {
		rep.Drifts = append(rep.Drifts, plan.Drift{Key: "office-" + strconv.Itoa(10000+i), Name: "Office", ID: int64(i + 1), Kind: plan.DriftChanged,
			Fields: []plan.FieldChange{{Path: "monday_hours", Old: `["08:00","18:00"]`, New: `["09:00","17:00"]`}}})
	}
	var b bytes.Buffer
	if err := render.RenderDriftMarkdown(&b, rep); err != nil {
		t.Fatal(err)
	}
	if b.Len() >= render.MarkdownLimit || !strings.Contains(b.String(), "more offices not shown") {
		t.Errorf("markdown is %d bytes; tail %q", b.Len(), b.String()[max(0, b.Len()-200):])
	}
}

func loadExample(t *testing.T) *load.Config {
	t.Helper()
	cfg, diags, err := load.Load("../testdata/example", load.LoadOptions{})
	if err != nil || cfg == nil {
		t.Fatalf("load example: %v %v", err, diags)
	}
	return cfg
}

func renderText(t *testing.T, p *plan.Plan) string {
	t.Helper()
	var b bytes.Buffer
	if err := render.RenderText(&b, p, render.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestDriftParallelAndPaced: CheckDrift lists the offices, then fetches
// the E911 addresses the listing lacks with at most Parallelism requests
// at the server at once, reaches that bound, and stays within the API's
// rate (the client's limiter paces it: no 429).
func TestDriftParallelAndPaced(t *testing.T) {
	t.Parallel()
	sim := officestest.NewServer(t, officestest.Options{Token: enginetest.TestKey, RatePerMinute: 40, Window: time.Second, Latency: 30 * time.Millisecond,
		ListWithoutE911: true})
	counter := &enginetest.InflightCounter{H: sim.Server}
	front := httptest.NewServer(counter)
	t.Cleanup(front.Close)
	client, err := offices.NewClient(offices.ClientConfig{BaseURL: front.URL, APIKey: enginetest.TestKey, Rate: 40, Window: time.Second, Burst: 4})
	if err != nil {
		t.Fatal(err)
	}
	st := state.New()
	for i, d := range enginetest.Numbered(24) {
		l := liveOf(d.Office.Name, "de")
		if i%2 == 0 {
			d.Office = enginetest.Office(d.Office.Name, "US")
			e := offices.LiveE911(*d.Office.E911Address)
			l.Country, l.E911Address = "us", &e
		}
		id := sim.Seed(l)[0]
		st.Set(d.Key, enginetest.Created(strconv.FormatInt(id, 10), d.Office))
	}
	stop := enginetest.StallWatch()
	rep, err := plan.CheckDrift(context.Background(), st, plan.DriftOptions{API: client, Parallelism: 3})
	stall := stop()
	if err != nil {
		t.Fatal(err)
	}
	if rep.Checked != 24 || len(rep.Drifts) != 0 {
		t.Errorf("checked %d, drifts %+v", rep.Checked, rep.Drifts)
	}
	if got := counter.Max.Load(); got > 3 || got < 2 {
		t.Errorf("at most %d requests at once, want 3 (parallelism 3)", got)
	}
	s := sim.Stats()
	if s.Requests-s.RateLimited != 13 {
		t.Errorf("%d requests answered (want 1 page of offices + 12 e911)", s.Requests-s.RateLimited)
	}
	if s.RateLimited != 0 && stall <= 150*time.Millisecond {
		t.Errorf("%d requests throttled by the server", s.RateLimited)
	}
}

// TestDriftRequests: drift lists the offices a page at a time and takes
// their E911 addresses from the listing: 35 offices in pages of 10, one of
// them deleted (a GET of its own answers 404), are 4 pages and 1 GET.
func TestDriftRequests(t *testing.T) {
	t.Parallel()
	sim := officestest.NewServer(t, officestest.Options{Token: enginetest.TestKey, RatePerMinute: -1, PageSize: 10})
	client, err := offices.NewClient(offices.ClientConfig{BaseURL: sim.URL, APIKey: enginetest.TestKey, Rate: 60000})
	if err != nil {
		t.Fatal(err)
	}
	st := state.New()
	var gone int64
	for i, d := range enginetest.Numbered(35) {
		l := liveOf(d.Office.Name, "de")
		if i%2 == 0 {
			d.Office = enginetest.Office(d.Office.Name, "US")
			e := offices.LiveE911(*d.Office.E911Address)
			l.Country, l.E911Address = "us", &e
		}
		id := sim.Seed(l)[0]
		st.Set(d.Key, enginetest.Created(strconv.FormatInt(id, 10), d.Office))
		if i == 7 {
			gone = id
		}
	}
	if err := sim.Delete(gone); err != nil {
		t.Fatal(err)
	}
	rep, err := plan.CheckDrift(context.Background(), st, plan.DriftOptions{API: client})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Checked != 35 || len(rep.Drifts) != 1 || rep.Drifts[0].ID != gone || rep.Drifts[0].LiveState != "not found" {
		t.Errorf("checked %d, drifts %+v", rep.Checked, rep.Drifts)
	}
	var got []string
	for _, r := range sim.Records() {
		got = append(got, r.Method+" "+r.Path)
	}
	want := []string{"GET /api/v2/offices", "GET /api/v2/offices", "GET /api/v2/offices", "GET /api/v2/offices",
		"GET /api/v2/offices/" + strconv.FormatInt(gone, 10)}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestRefreshRefusesAnotherCompany: plan --refresh with the key of another
// company than the state records stops before fetching any office.
func TestRefreshRefusesAnotherCompany(t *testing.T) {
	env := enginetest.NewEnv(t, officestest.Options{Company: offices.Company{ID: 4200000000000002, Name: "Other"}}, nil)
	st := state.New()
	st.CompanyID = "4200000000000001"
	st.Offices["berlin"] = enginetest.Created("5100000000000001", enginetest.Office("Berlin", "DE"))
	p := enginetest.MustPlan(t, nil, st)
	_, err := plan.Refresh(context.Background(), p, st, env.Client, 2)
	if !errors.Is(err, plan.ErrCompanyMismatch) {
		t.Fatalf("Refresh = %v, want ErrCompanyMismatch", err)
	}
	if p.Refreshed() {
		t.Error("the plan took drift although the company is another")
	}
	if n := env.Client.Stats().Requests; n != 1 {
		t.Errorf("%d requests, want 1 (GET /api/v2/company)", n)
	}
}

// keptLister is the real client, counting the offices its listing keeps.
type keptLister struct {
	*offices.Client
	kept int
}

func (k *keptLister) ListOffices(ctx context.Context, opts offices.ListOptions) ([]offices.Live, error) {
	l, err := k.Client.ListOffices(ctx, opts)
	k.kept += len(l)
	return l, err
}

// TestDriftHoldsOnlyManagedOffices (issue 20): drift's listing keeps only
// the offices the state records, not every office of the company.
func TestDriftHoldsOnlyManagedOffices(t *testing.T) {
	t.Parallel()
	env := createdEnv(t, driftFixture())
	for i := range 200 {
		env.Sim.Seed(liveOf(fmt.Sprintf("Unmanaged %d", i), "de"))
	}
	api := &keptLister{Client: env.Client}
	rep, err := plan.CheckDrift(context.Background(), env.st, plan.DriftOptions{API: api})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Drifts) != 0 {
		t.Errorf("drift: %+v", rep.Drifts)
	}
	if n := len(env.st.Offices); api.kept > n {
		t.Errorf("the listing kept %d offices; the state records %d", api.kept, n)
	}
}

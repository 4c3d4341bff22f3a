package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/officectl/officectl/internal/linediff"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// driftWriteEnv runs officectl in-process against a simulator with a copy
// of testdata/drift_write/config applied.
type driftWriteEnv struct {
	t      *testing.T
	srv    *officestest.TestServer
	client *offices.Client
	dir    string
	env    map[string]string
}

func newDriftWriteEnv(t *testing.T) *driftWriteEnv {
	t.Helper()
	return newDriftWriteEnvOf(t, nil)
}

// newDriftWriteEnvOf is newDriftWriteEnv of the config files given (name
// → content), or of testdata/drift_write/config when files is nil.
func newDriftWriteEnvOf(t *testing.T, files map[string]string) *driftWriteEnv {
	t.Helper()
	srv := officestest.NewServer(t, officestest.Options{Token: "drift-write-key", RatePerMinute: -1, Users: 5, Rooms: 2})
	client, err := offices.NewClient(offices.ClientConfig{BaseURL: srv.URL, APIKey: "drift-write-key"})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "config")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if files == nil {
		src := "testdata/drift_write/config"
		ents, err := os.ReadDir(src)
		if err != nil {
			t.Fatal(err)
		}
		files = map[string]string{}
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(src, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			files[e.Name()] = string(b)
		}
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := &driftWriteEnv{t: t, srv: srv, client: client, dir: dir,
		env: map[string]string{"DIALPAD_API_URL": srv.URL, "DIALPAD_API_KEY": "drift-write-key", "NO_COLOR": "1"}}
	if code, out := e.run("apply", dir, "--auto-approve"); code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, out)
	}
	return e
}

// run runs officectl with args and returns its exit code and output.
func (e *driftWriteEnv) run(args ...string) (int, string) {
	var out bytes.Buffer
	code := run(args, stdio{strings.NewReader(""), &out, &out, func(k string) string { return e.env[k] }})
	return code, out.String()
}

// id is the Dialpad id the state records for key.
func (e *driftWriteEnv) id(key string) int64 {
	e.t.Helper()
	st, err := state.Load(filepath.Join(e.dir, "officectl.state"))
	if err != nil {
		e.t.Fatal(err)
	}
	for _, kind := range state.Kinds {
		if en, ok := st.GetOf(kind, key); ok {
			id, err := strconv.ParseInt(en.ID, 10, 64)
			if err != nil {
				e.t.Fatal(err)
			}
			return id
		}
	}
	e.t.Fatalf("no state entry %q", key)
	return 0
}

// edit changes an office (kind "") or a group in Dialpad's console.
func (e *driftWriteEnv) edit(kind, key string, sets ...string) {
	e.t.Helper()
	var edits []officestest.Edit
	for _, s := range sets {
		ed, err := officestest.ParseEdit(s)
		if err != nil {
			e.t.Fatal(err)
		}
		edits = append(edits, ed)
	}
	var err error
	if kind == "" {
		_, err = e.srv.Edit(e.id(key), edits...)
	} else {
		_, err = e.srv.EditGroup(kind, e.id(key), edits...)
	}
	if err != nil {
		e.t.Fatalf("edit %s %v: %v", key, sets, err)
	}
}

// snapshot reads every config file.
func (e *driftWriteEnv) snapshot() map[string][]byte {
	e.t.Helper()
	out := map[string][]byte{}
	for _, name := range []string{"europe.yaml", "americas.json", "apac.cue"} {
		b, err := os.ReadFile(filepath.Join(e.dir, name))
		if err != nil {
			e.t.Fatal(err)
		}
		out[name] = b
	}
	return out
}

// checkGolden compares the diff of each file from before to now with
// testdata/drift_write/NAME.PHASE.diff: the lines drift --write changed,
// and only those (a minimal line diff).
func (e *driftWriteEnv) checkGolden(phase string, before map[string][]byte) {
	e.t.Helper()
	now := e.snapshot()
	for name, old := range before {
		got := lineDiff(name, old, now[name])
		golden := filepath.Join("testdata/drift_write", name+"."+phase+".diff")
		if *updateScripts {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				e.t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			e.t.Fatalf("%v (run go test -run TestDriftWrite -update)", err)
		}
		if !bytes.Equal(got, want) {
			e.t.Errorf("%s changed otherwise than %s says:\n%s", name, golden, got)
		}
	}
}

// settled checks that the config is valid, the plan is empty and drift is
// clean.
func (e *driftWriteEnv) settled() {
	e.t.Helper()
	if code, out := e.run("validate", e.dir); code != 0 {
		e.t.Errorf("validate after drift --write: exit %d\n%s", code, out)
	}
	if code, out := e.run("plan", e.dir, "--detailed-exitcode"); code != 0 {
		e.t.Errorf("plan --detailed-exitcode after drift --write: exit %d\n%s", code, out)
	}
	if code, out := e.run("drift", e.dir); code != 0 {
		e.t.Errorf("drift after drift --write: exit %d\n%s", code, out)
	}
}

// TestDriftWriteRoundTrip edits every field drift can see of every kind
// in Dialpad's console (the simulator's admin surface and the operators
// API): scalars, nested objects, lists of hours, E911 addresses,
// references to other objects, operators (added, removed, another role,
// another skill level), in YAML, JSON and CUE files with comments. drift
// --write changes exactly the lines the goldens show, and after it the
// config is valid, `plan --detailed-exitcode` exits 0 and drift is clean.
// Then objects deleted in Dialpad leave their files, with their comments.
func TestDriftWriteRoundTrip(t *testing.T) {
	e := newDriftWriteEnv(t)
	ctx := context.Background()
	user := func(n int64) int64 { return 5300000000000000 + n }

	// YAML: an office, a department, a call center.
	e.edit("", "berlin", `name="Berlin Mitte"`, `ring_seconds=45`, `monday_hours=["09:00","17:00"]`,
		`e911_address.zip="10119"`, `routing_options.open.action_target_id=`+strconv.FormatInt(e.id("new-york"), 10))
	e.edit("department", "berlin-sales", `hold_queue.max_hold_count=15`, `group_description="New business."`,
		`routing_options={"open":{"action":"operator","try_dial_operators":true,"operator_routing":"simultaneous"},"closed":{"action":"department","action_target_type":"callcenter","action_target_id":`+strconv.FormatInt(e.id("new-york-care"), 10)+`,"try_dial_operators":false}}`)
	e.edit("callcenter", "berlin-support", `ring_seconds=25`)
	sales, support := e.id("berlin-sales"), e.id("berlin-support")
	must(t, e.client.RemoveOperator(ctx, offices.KindDepartment, sales, offices.Member{Type: "room", ID: 5200000000000002}))
	must(t, e.client.RemoveOperator(ctx, offices.KindDepartment, sales, offices.Member{Type: "user", ID: user(3)}))
	must(t, e.client.AddOperator(ctx, offices.KindDepartment, sales, offices.Member{Type: "user", ID: user(3), Role: "admin"}))
	must(t, e.client.AddOperator(ctx, offices.KindDepartment, sales, offices.Member{Type: "user", ID: user(1), Role: "operator"}))
	_, err := e.client.UpdateSkill(ctx, support, user(5), 90)
	must(t, err)

	// JSON.
	e.edit("", "new-york", `ring_seconds=20`, `saturday_hours=["10:00","16:00"]`, `e911_address.address2="Floor 22"`,
		`routing_options.open.action_target_id=`+strconv.FormatInt(e.id("tokyo"), 10))
	e.edit("department", "new-york-sales", `hold_queue.max_hold_seconds=900`, `tuesday_hours=["08:00","18:00"]`)
	e.edit("callcenter", "new-york-care", `name="Care"`, `hold_queue.max_hold_count=120`)
	must(t, e.client.RemoveOperator(ctx, offices.KindDepartment, e.id("new-york-sales"), offices.Member{Type: "user", ID: user(3)}))
	must(t, e.client.AddOperator(ctx, offices.KindCallCenter, e.id("new-york-care"), offices.Member{Type: "user", ID: user(2), Role: "operator"}))

	// CUE.
	e.edit("", "tokyo", `name="Tokyo Marunouchi"`, `friday_hours=["10:00","19:00"]`, `e911_address.city="Chiyoda-ku"`, `ring_seconds=25`)
	e.edit("department", "tokyo-front-desk", `hold_queue.max_hold_count=8`, `wednesday_hours=["09:00","12:00","13:00","17:00"]`,
		`routing_options={"open":{"action":"operator","try_dial_operators":true,"operator_routing":"simultaneous"},"closed":{"action":"department","action_target_type":"callcenter","action_target_id":`+strconv.FormatInt(e.id("new-york-care"), 10)+`,"try_dial_operators":false}}`)
	e.edit("callcenter", "tokyo-care", `ring_seconds=12`)
	must(t, e.client.AddOperator(ctx, offices.KindDepartment, e.id("tokyo-front-desk"), offices.Member{Type: "user", ID: user(2), Role: "operator"}))
	_, err = e.client.UpdateSkill(ctx, e.id("tokyo-care"), user(1), 70)
	must(t, err)

	before := e.snapshot()
	code, out := e.run("drift", e.dir, "--write")
	if code != 0 {
		t.Fatalf("drift --write: exit %d, want 0 (all written)\n%s", code, out)
	}
	for _, want := range []string{"Written to the config (3 files)", "office berlin:", "callcenter berlin-support:", "department tokyo-front-desk:"} {
		if !strings.Contains(strings.ReplaceAll(out, "call center", "callcenter"), want) {
			t.Errorf("drift --write does not say %q:\n%s", want, out)
		}
	}
	e.checkGolden("edit", before)
	e.settled()

	// Deleted in Dialpad: one department of each file, which nothing
	// refers to.
	for _, k := range []string{"berlin-sales", "new-york-sales", "tokyo-front-desk"} {
		must(t, e.srv.DeleteGroup("department", e.id(k)))
	}
	before = e.snapshot()
	if code, out := e.run("drift", e.dir, "--write"); code != 0 {
		t.Fatalf("drift --write of deletes: exit %d\n%s", code, out)
	}
	e.checkGolden("delete", before)
	e.settled()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestDriftWriteJSONShape: --format json is the drift report with a
// "write" member last.
func TestDriftWriteJSONShape(t *testing.T) {
	e := newDriftWriteEnv(t)
	e.edit("callcenter", "tokyo-care", `ring_seconds=12`)
	code, out := e.run("drift", e.dir, "--write", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	var got struct {
		Summary struct{ Changed int } `json:"summary"`
		Write   struct {
			Files   []string `json:"files"`
			Written []struct {
				Key    string   `json:"key"`
				Fields []string `json:"fields"`
			} `json:"written"`
		} `json:"write"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if got.Summary.Changed != 1 || len(got.Write.Files) != 1 || len(got.Write.Written) != 1 || got.Write.Written[0].Key != "tokyo-care" {
		t.Errorf("unexpected report: %+v\n%s", got, out)
	}
}

// lineDiff is the golden form of a minimal line diff of a and b: each line
// only in a as "-N: line", each only in b as "+N: line", N its line number
// in its file.
func lineDiff(name string, a, b []byte) []byte {
	var out strings.Builder
	out.WriteString("lines of " + name + " that drift --write changed:\n")
	for _, l := range linediff.Diff(string(a), string(b)) {
		sign := "+"
		if l.Removed {
			sign = "-"
		}
		out.WriteString(sign + strconv.Itoa(l.N) + ": " + l.Text + "\n")
	}
	return []byte(out.String())
}

// TestDriftWriteDeleted: an object deleted in Dialpad leaves its file with
// the comment above it, and the state forgets it. A deleted object the
// config still refers to is not removed (the config would not be valid):
// drift --write says what to do, writes the rest and exits 2; the plan is
// still empty.
func TestDriftWriteDeleted(t *testing.T) {
	e := newDriftWriteEnvOf(t, map[string]string{"de.yaml": deletedConfig})
	must(t, e.srv.DeleteGroup("department", e.id("sales")))
	must(t, e.srv.DeleteGroup("callcenter", e.id("support")))
	code, out := e.run("drift", e.dir, "--write")
	if code != 2 {
		t.Fatalf("drift --write: exit %d, want 2\n%s", code, out)
	}
	for _, want := range []string{
		"de.yaml: department sales: deleted in Dialpad: removed\n",
		"Not written (1)",
		"callcenters.support (delete): ",
		`remove what refers to callcenter "support"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("drift --write does not say %q:\n%s", want, out)
		}
	}
	got, err := os.ReadFile(filepath.Join(e.dir, "de.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != deletedWant {
		t.Errorf("de.yaml:\n%s\nwant:\n%s", got, deletedWant)
	}
	st, err := state.Load(filepath.Join(e.dir, "officectl.state"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.GetOf(state.KindDepartment, "sales"); ok {
		t.Error("the state still records the deleted department")
	}
	if _, ok := st.GetOf(state.KindCallCenter, "support"); !ok {
		t.Error("the state forgot the call center whose delete was not written")
	}
	if code, out := e.run("plan", e.dir, "--detailed-exitcode"); code != 0 {
		t.Errorf("plan --detailed-exitcode: exit %d\n%s", code, out)
	}
}

const deletedConfig = `offices:
  berlin:
    name: Berlin
    country: DE
    currency: EUR
    plan_period: monthly
    invoiced: false
    unified_billing: true
    annual_commit_monthly_billing: false
    billing_address: {address_line_1: Friedrichstrasse 68, city: Berlin, country: DE, postal_code: "10117", region: Berlin}
departments:
  # Sales: gone in Dialpad.
  sales:
    office: berlin
    name: Sales
  desk:
    office: berlin
    name: Desk
    routing_options:
      open: {action: operator, try_dial_operators: true}
      closed: {action: department, action_target_type: callcenter, action_target_id: {callcenter: support}, try_dial_operators: false}
callcenters:
  support:
    office: berlin
    name: Support
`

const deletedWant = `offices:
  berlin:
    name: Berlin
    country: DE
    currency: EUR
    plan_period: monthly
    invoiced: false
    unified_billing: true
    annual_commit_monthly_billing: false
    billing_address: {address_line_1: Friedrichstrasse 68, city: Berlin, country: DE, postal_code: "10117", region: Berlin}
departments:
  desk:
    office: berlin
    name: Desk
    routing_options:
      open: {action: operator, try_dial_operators: true}
      closed: {action: department, action_target_type: callcenter, action_target_id: {callcenter: support}, try_dial_operators: false}
callcenters:
  support:
    office: berlin
    name: Support
`

// TestDriftWriteNewGroups: a department and a call center created in
// Dialpad's console, in offices the config manages, that no config key
// and no state entry describes, are each written into a new file named
// for them, as import --generate writes groups (a name that a file has
// already gets the next free one), and recorded in the state: after it
// the config is valid, `plan --detailed-exitcode` exits 0 and drift is
// clean; a second drift --write finds nothing to write.
func TestDriftWriteNewGroups(t *testing.T) {
	e := newDriftWriteEnv(t)
	ctx := context.Background()
	// A file of the name the department's would have: not overwritten.
	taken := filepath.Join(e.dir, "berlin-pop-up-store.yaml")
	takenText := "# The pop-up store: described here once it is set up.\ndepartments: {}\n"
	if err := os.WriteFile(taken, []byte(takenText), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out := e.run("validate", e.dir); code != 0 {
		t.Fatalf("the config does not validate with the file in the way (exit %d):\n%s", code, out)
	}
	d, err := e.client.CreateDepartment(ctx, e.id("berlin"), offices.Department{Name: "Pop-up Store", RingSeconds: ptr[int64](20),
		HoldQueue: &offices.HoldQueueDepartment{AllowQueuing: ptr(true), MaxHoldCount: ptr[int64](5), MaxHoldSeconds: ptr[int64](120)}})
	must(t, err)
	must(t, e.client.AddOperator(ctx, offices.KindDepartment, d.ID, offices.Member{Type: "user", ID: 5300000000000002, Role: "admin"}))
	_, err = e.client.CreateCallCenter(ctx, e.id("tokyo"), offices.CallCenter{Name: "Night Line"})
	must(t, err)

	code, out := e.run("drift", e.dir, "--write", "--format", "json")
	if code != 0 {
		t.Fatalf("drift --write: exit %d, want 0 (all written)\n%s", code, out)
	}
	var got struct {
		Write struct {
			Files   []string `json:"files"`
			Written []struct {
				Kind string `json:"kind"`
				Key  string `json:"key"`
				File string `json:"file"`
				New  bool   `json:"new"`
			} `json:"written"`
		} `json:"write"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	want := map[string]string{"berlin-pop-up-store": "berlin-pop-up-store-2.yaml", "tokyo-night-line": "tokyo-night-line.yaml"}
	if len(got.Write.Written) != len(want) || len(got.Write.Files) != len(want) {
		t.Fatalf("written %+v, want the two new groups\n%s", got.Write, out)
	}
	for _, w := range got.Write.Written {
		if !w.New || filepath.Base(w.File) != want[w.Key] {
			t.Errorf("written %+v, want new in %s", w, want[w.Key])
		}
	}
	if b, err := os.ReadFile(taken); err != nil || string(b) != takenText {
		t.Errorf("the file in the way changed: %q, %v", b, err)
	}
	b, err := os.ReadFile(filepath.Join(e.dir, "berlin-pop-up-store-2.yaml"))
	must(t, err)
	for _, s := range []string{"departments:\n  berlin-pop-up-store:\n    office: \"berlin\"\n", "name: \"Pop-up Store\"\n", "ring_seconds: 20\n", "operators: [{user: 5300000000000002, role: \"admin\"}]\n"} {
		if !strings.Contains(string(b), s) {
			t.Errorf("the new file does not say %q:\n%s", s, b)
		}
	}
	e.settled()
	if code, out := e.run("drift", e.dir, "--write"); code != 0 || strings.Contains(out, "Written to the config") {
		t.Errorf("a second drift --write: exit %d\n%s", code, out)
	}
}

func ptr[T any](v T) *T { return &v }

// TestDriftWriteNewGroupRefused: a group created in Dialpad whose file
// would not validate (a name that looks the same as a department's of
// the config in that office: "sales" beside "Sales") is
// not written and not recorded: drift --write says what to do and exits
// 2; the plan is still empty.
func TestDriftWriteNewGroupRefused(t *testing.T) {
	e := newDriftWriteEnv(t)
	d, err := e.client.CreateDepartment(context.Background(), e.id("berlin"), offices.Department{Name: "sales"})
	must(t, err)
	code, out := e.run("drift", e.dir, "--write")
	if code != 2 {
		t.Fatalf("drift --write: exit %d, want 2\n%s", code, out)
	}
	for _, want := range []string{"Not written (1)", "departments.berlin-sales-2 (new in Dialpad): ", "new in Dialpad (department " + strconv.FormatInt(d.ID, 10) + ")"} {
		if !strings.Contains(out, want) {
			t.Errorf("drift --write does not say %q:\n%s", want, out)
		}
	}
	ents, err := os.ReadDir(e.dir)
	must(t, err)
	for _, ent := range ents {
		if strings.HasPrefix(ent.Name(), "berlin-") {
			t.Errorf("%s written", ent.Name())
		}
	}
	st, err := state.Load(filepath.Join(e.dir, "officectl.state"))
	must(t, err)
	if n := len(st.Map(state.KindDepartment)); n != 3 {
		t.Errorf("the state records %d departments, want the 3 of the config", n)
	}
	if code, out := e.run("plan", e.dir, "--detailed-exitcode"); code != 0 {
		t.Errorf("plan --detailed-exitcode: exit %d\n%s", code, out)
	}
}

// TestDriftWriteNewGroupPending: a group created in Dialpad whose office
// and name a config group not yet in the state has is left for import to
// adopt: drift --write writes no file for it, and import adopts it.
func TestDriftWriteNewGroupPending(t *testing.T) {
	e := newDriftWriteEnv(t)
	_, err := e.client.CreateDepartment(context.Background(), e.id("berlin"), offices.Department{Name: "Pop-up"})
	must(t, err)
	must(t, os.WriteFile(filepath.Join(e.dir, "popup.yaml"), []byte("departments:\n  popup:\n    office: berlin\n    name: Pop-up\n"), 0o644))
	code, out := e.run("drift", e.dir, "--write")
	if code != 0 || strings.Contains(out, "Written to the config") {
		t.Errorf("drift --write: exit %d, want 0 and nothing written\n%s", code, out)
	}
	if _, err := os.Lstat(filepath.Join(e.dir, "berlin-pop-up.yaml")); err == nil {
		t.Error("berlin-pop-up.yaml written for a group the config describes")
	}
	if code, out := e.run("import", e.dir); code != 0 {
		t.Fatalf("import: exit %d\n%s", code, out)
	}
	e.settled()
}

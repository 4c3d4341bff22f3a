package engine

import (
	"context"
	"fmt"
	"github.com/officectl/officectl/engine/apply/applytest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/schema"
	"github.com/officectl/officectl/state"
)

func TestSlugKey(t *testing.T) {
	for name, want := range map[string]string{
		"Berlin":                   "berlin",
		"Zürich HQ / Sales":        "zurich-hq-sales",
		"  São Paulo (Centro) ":    "sao-paulo-centro",
		"Straße_7":                 "strasse-7",
		"東京":                       "office-42",
		"---":                      "office-42",
		strings.Repeat("ab ", 40):  strings.TrimSuffix(strings.Repeat("ab-", 21), "-"),
		"Lisbon: \"Docks\" #1":     "lisbon-docks-1",
		"9 Elms":                   "9-elms",
		"Ünïcødé Öffice Łódź Čech": "unicode-office-lodz-cech",
	} {
		got := slugKey(name, 42)
		if got != want {
			t.Errorf("slugKey(%q) = %q, want %q", name, got, want)
		}
		if !regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`).MatchString(got) {
			t.Errorf("slugKey(%q) = %q is not a valid key", name, got)
		}
	}
	used := map[string]bool{"paris": true, "paris-2": true}
	if got := uniqueKey("paris", used); got != "paris-3" {
		t.Errorf("uniqueKey = %q", got)
	}
	long := strings.Repeat("a", 63)
	if got := uniqueKey(long, map[string]bool{long: true}); got != strings.Repeat("a", 61)+"-2" {
		t.Errorf("uniqueKey(long) = %q", got)
	}
}

// generateFixture seeds a simulator with berlin, managed, and offices no
// config describes: two whose names make the same key, one in the US with
// an E911 address and a name that needs quoting, and the primary office.
func generateFixture(t *testing.T) (*enginetest.Env, load.Desired) {
	t.Helper()
	env := enginetest.NewEnv(t, officestest.Options{}, nil)
	berlin := load.Desired{Key: "berlin", Office: enginetest.Office("Berlin", "DE")}
	p := env.Plan(t, []load.Desired{berlin})
	if res, _ := applytest.Apply(t, env, context.Background(), p, 1, false); res.Err != nil {
		t.Fatal(res.Err)
	}
	berlinID := liveID(t, env, "berlin")

	zurich := liveOf("Zürich HQ / Sales", "ch")
	zurich.Timezone = "Europe/Zurich"
	zurich.FirstAction = "menu"
	zurich.NoOperatorsAction = "voicemail"
	zurich.RingSeconds = enginetest.Ptr(int64(20))
	zurich.SaturdayHours = []string{"09:00", "12:00"}
	zurich.PhoneNumbers = []string{"+41445550100"}
	zurich.RoutingOptions = &offices.RoutingOptions{
		Open: offices.RoutingInner{Action: "department", ActionTargetType: "office", ActionTargetID: &offices.Target{ID: berlinID},
			OperatorRouting: "longestidle", TryDialOperators: true},
		Closed: offices.RoutingInner{Action: "menu", DTMF: []offices.DTMFMapping{
			{Input: "1", Options: &offices.DTMFOption{Action: "department", ActionTargetType: "office", ActionTargetID: &offices.Target{ID: berlinID}}},
			{Input: "2", Options: &offices.DTMFOption{Action: "voicemail"}},
		}},
	}
	nyc := liveOf(`New York: "Docks" #1`, "us")
	nyc.E911Address = &offices.LiveE911{Address: "350 5th Ave", Address2: "Floor 3", City: "New York", Country: "us", State: "NY", Zip: "10118"}
	hq := liveOf("HQ", "us")
	hq.IsPrimaryOffice = true
	env.Sim.Seed(zurich, liveOf("zurich-hq-sales", "no"), nyc, hq)
	return env, berlin
}

// TestGenerateThenValidate: the files generated for unmanaged offices do
// not validate while their TODOs are open; filled in, they do, import
// adopts every office they describe, and those offices show no drift.
func TestGenerateThenValidate(t *testing.T) {
	t.Parallel()
	env, berlin := generateFixture(t)
	live, err := env.Client.ListOffices(context.Background(), offices.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st := env.Store.State()
	res := MatchImport(load.NewConfig([]load.Desired{berlin}), st, live)
	gens, skipped, err := GenerateConfigs(res.UnmanagedLive, load.NewConfig([]load.Desired{berlin}), st)
	if err != nil || len(skipped) != 0 {
		t.Fatalf("GenerateConfigs: skipped %+v, %v", skipped, err)
	}
	// Zurich has a call center with an operator, and a department that
	// routes to it when closed.
	zurichID := gens[0].ID
	week := []string{"08:00", "18:00"}
	cc, err := env.Client.CreateCallCenter(context.Background(), zurichID, offices.CallCenter{Name: "Support: \"Tier 1\"", MondayHours: week})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Client.AddOperator(context.Background(), offices.KindCallCenter, cc.ID, offices.Member{ID: officestest.FirstUserID + 1, Type: offices.OperatorUser, Role: "supervisor"}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Client.CreateDepartment(context.Background(), zurichID, offices.Department{Name: "Sales", MondayHours: week, RoutingOptions: &offices.RoutingOptions{
		Open:   offices.RoutingInner{Action: "operator", OperatorRouting: "simultaneous", TryDialOperators: true},
		Closed: offices.RoutingInner{Action: "department", ActionTargetType: "callcenter", ActionTargetID: &offices.Target{ID: cc.ID}},
	}}); err != nil {
		t.Fatal(err)
	}
	if err := GenerateGroups(context.Background(), env.Client, gens, load.NewConfig([]load.Desired{berlin}), st); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, g := range gens {
		keys = append(keys, g.Key)
	}
	if strings.Join(keys, " ") != "zurich-hq-sales zurich-hq-sales-2 new-york-docks-1" {
		t.Fatalf("generated keys %q", keys)
	}
	zurichYAML := string(gens[0].YAML)
	berlinID := liveID(t, env, "berlin")
	for _, want := range []string{
		fmt.Sprintf("action_target_id: %d # office berlin, managed by officectl", berlinID), `country: "CH"`, `ring_seconds: 20`,
		"hours_on: true", `saturday_hours: ["09:00", "12:00"]`, `# TODO`, "+41445550100",
		"departments:\n  zurich-hq-sales-sales:\n    office: \"zurich-hq-sales\"", `name: "Support: \"Tier 1\""`,
		"action_target_id:\n          callcenter: \"zurich-hq-sales-support-tier-1\"",
		fmt.Sprintf("operators: [{user: %d, role: \"supervisor\"}]", officestest.FirstUserID+1),
	} {
		if !strings.Contains(zurichYAML, want) {
			t.Errorf("zurich file lacks %q:\n%s", want, zurichYAML)
		}
	}
	// Hours that are the defaults are left out: the offices have them anyway.
	for _, g := range gens {
		if strings.Contains(strings.Split(string(g.YAML), "departments:")[0], "monday_hours") {
			t.Errorf("%s: default hours written:\n%s", g.File, g.YAML)
		}
	}

	dir := t.TempDir()
	gen := filepath.Join(dir, "generated")
	if err := WriteGenerated(gen, gens); err != nil {
		t.Fatal(err)
	}
	if err := WriteGenerated(gen, gens[:1]); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Errorf("second write: %v", err)
	}

	// Unfilled, every file fails for the create-only fields.
	cfg, diags, err := load.Load(gen, load.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg != nil {
		t.Fatal("unfilled generated files validate")
	}
	for _, g := range gens {
		if !hasErrorIn(diags, g.File, "currency") {
			t.Errorf("%s: no error about currency in %v", g.File, fmtDiags(diags))
		}
	}

	// Filled in, they validate alone, with no warning, and next to
	// berlin's config.
	for _, g := range gens {
		path := filepath.Join(gen, g.File)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, fillTODOs(t, b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if cfg, diags, err := load.Load(gen, load.LoadOptions{}); err != nil || cfg == nil || len(diags) != 0 {
		t.Fatalf("filled files alone: %v\n%s", err, fmtDiags(diags))
	}
	enginetest.WriteOfficesJSON(t, filepath.Join(dir, "berlin.json"), berlin)
	cfg, diags, err = load.Load(dir, load.LoadOptions{})
	if err != nil || cfg == nil || len(diags) != 0 {
		t.Fatalf("filled files with the config: %v\n%s", err, fmtDiags(diags))
	}
	if len(cfg.Offices) != 4 || len(cfg.Groups) != 2 {
		t.Fatalf("%d offices, %d groups", len(cfg.Offices), len(cfg.Groups))
	}

	res2, err := Import(context.Background(), cfg, ImportOptions{Store: env.Store, API: env.Client})
	if err != nil {
		t.Fatal(err)
	}
	if adoptionKeys(res2.Adopted) != "new-york-docks-1 zurich-hq-sales zurich-hq-sales-2" || len(res2.Unmanaged) != 1 || !res2.Unmanaged[0].Primary {
		t.Errorf("import of the generated config: %+v", res2)
	}
	if res2.Groups == nil || len(res2.Groups.Adopted) != 2 {
		t.Errorf("import of the generated groups: %+v", res2.Groups)
	}
	if rep := drift(t, env); len(rep.Drifts) != 0 || rep.Checked != 6 {
		t.Errorf("drift of the generated offices: %+v", rep)
	}
}

// fillTODOs uncomments the create-only placeholders of a generated file
// and gives each a value, as a person would.
func fillTODOs(t *testing.T, b []byte) []byte {
	t.Helper()
	values := map[string]string{
		"address_line_1": `"1 Main Street"`, "city": `"Town"`, "postal_code": `"10117"`, "region": `"Region"`,
		"currency": "EUR", "plan_period": "monthly", "invoiced": "false", "unified_billing": "true",
		"annual_commit_monthly_billing": "false",
	}
	placeholder := regexp.MustCompile(`^(\s*)# (\s*)([a-z_0-9]+):\s*(.*?)\s*(# TODO.*)?$`)
	lines := strings.Split(string(b), "\n")
	todo := false
	filled := 0
	for i, line := range lines {
		if strings.Contains(line, "# TODO:") {
			todo = true
			continue
		}
		m := placeholder.FindStringSubmatch(line)
		if !todo || m == nil {
			continue
		}
		indent, name, value := m[1]+m[2], m[3], m[4]
		if v, ok := values[name]; ok {
			value = v
		}
		lines[i] = indent + name + ":"
		if value != "" {
			lines[i] += " " + value
		}
		filled++
	}
	if filled != 11 {
		t.Fatalf("filled %d placeholders, want 11:\n%s", filled, b)
	}
	return []byte(strings.Join(lines, "\n"))
}

func hasErrorIn(diags []schema.Diagnostic, file, text string) bool {
	for _, d := range diags {
		if d.Severity == schema.Error && filepath.Base(d.File) == file && strings.Contains(d.Path+" "+d.Message, text) {
			return true
		}
	}
	return false
}

// TestGenerateHostileText: text from the API reaches a generated file only
// through the YAML encoder, so a line break in a name, time zone or
// phone number stays inside its value (or is left out) and never becomes
// config of its own.
func TestGenerateHostileText(t *testing.T) {
	t.Parallel()
	inject := "\n    auto_call_recording: true\n    currency: EUR"
	l := liveOf(`Q3 "Sales" #1: Ops`, "de")
	l.ID = 77
	l.PhoneNumbers = []string{"+4930123456", "+4930" + inject, "+4930\u0085    hours_on: true"}
	l.Timezone = "Europe/Berlin" + inject
	l.FirstAction = "operators\u2028    invoiced: true"
	gens, _, err := GenerateConfigs([]offices.Live{l}, nil, nil)
	if err != nil || len(gens) != 1 {
		t.Fatalf("GenerateConfigs: %d files, %v", len(gens), err)
	}
	y := string(gens[0].YAML)
	if !strings.Contains(y, "# Phone numbers in Dialpad: +4930123456 (2 numbers not in E.164 form left out);") {
		t.Errorf("phone numbers:\n%s", y)
	}
	var doc struct {
		Offices map[string]map[string]any `yaml:"offices"`
	}
	if err := yaml.Unmarshal(gens[0].YAML, &doc); err != nil {
		t.Fatalf("%v\n%s", err, y)
	}
	office := doc.Offices[gens[0].Key]
	var fields []string
	for k := range office {
		fields = append(fields, k)
	}
	sort.Strings(fields)
	if got := strings.Join(fields, " "); got != "country first_action name timezone" {
		t.Errorf("fields %q:\n%s", got, y)
	}
	if office["name"] != l.Name || office["timezone"] != l.Timezone || office["first_action"] != l.FirstAction {
		t.Errorf("values changed: %q", office)
	}

	// Filled in as a person would, the file is read by officectl's own
	// loader with the values as they were: the time zone and first
	// action are errors at their lines, and nothing else was injected.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, gens[0].File), fillTODOs(t, gens[0].YAML), 0o644); err != nil {
		t.Fatal(err)
	}
	_, diags, err := load.Load(dir, load.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, d := range diags {
		paths = append(paths, d.Path)
	}
	key := "offices." + gens[0].Key
	if got := strings.Join(paths, " "); got != key+".timezone "+key+".first_action" && got != key+".first_action "+key+".timezone" {
		t.Errorf("diagnostics of the filled file: %s\n%s", fmtDiags(diags), y)
	}
}

// TestGenerateSkipsDuplicateNames: no file for a live office whose name
// the config or state already manages, nor for live offices sharing a
// name: moved into the config, such a file breaks it with a duplicate
// name, and import adopts by unique name only.
func TestGenerateSkipsDuplicateNames(t *testing.T) {
	t.Parallel()
	berlin := load.Desired{Key: "berlin", Office: enginetest.Office("Berlin", "DE")}
	st := state.New()
	st.Offices["old-rome"] = &state.Entry{Status: state.Created, ID: "900", Name: "Rome"}
	live := []offices.Live{liveOf("Berlin", "de"), liveOf("Rome", "it"), liveOf("Oslo", "no"), liveOf("Oslo", "no"), liveOf("Lisbon", "pt")}
	for i := range live {
		live[i].ID = int64(10 + i)
	}
	gens, skipped, err := GenerateConfigs(live, load.NewConfig([]load.Desired{berlin}), st)
	if err != nil {
		t.Fatal(err)
	}
	if len(gens) != 1 || gens[0].Key != "lisbon" {
		for _, g := range gens {
			t.Errorf("generated %s", g.File)
		}
	}
	var got []string
	for _, s := range skipped {
		got = append(got, fmt.Sprintf("%d %s: %s", s.ID, s.Name, s.Reason))
	}
	want := []string{
		"10 Berlin: the config already manages an office of this name (berlin); a second one would be a duplicate name: rename one of them in Dialpad to manage both",
		"11 Rome: the config already manages an office of this name (old-rome); a second one would be a duplicate name: rename one of them in Dialpad to manage both",
		"12 Oslo: 2 live offices have this name, and import adopts an office by its unique name: rename all but one in Dialpad, then generate again",
		"13 Oslo: 2 live offices have this name, and import adopts an office by its unique name: rename all but one in Dialpad, then generate again",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("skipped:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

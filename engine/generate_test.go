package engine

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/schema"
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
func generateFixture(t *testing.T) (*applyEnv, Desired) {
	t.Helper()
	env := newApplyEnv(t, officestest.Options{}, nil)
	berlin := Desired{Key: "berlin", Office: planOffice("Berlin", "DE")}
	p := env.plan(t, []Desired{berlin})
	if res, _ := env.apply(t, context.Background(), p, 1, false); res.Err != nil {
		t.Fatal(res.Err)
	}
	berlinID := env.liveID(t, "berlin")

	zurich := liveOf("Zürich HQ / Sales", "ch")
	zurich.Timezone = "Europe/Zurich"
	zurich.FirstAction = "menu"
	zurich.NoOperatorsAction = "voicemail"
	zurich.RingSeconds = ptr(int64(20))
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
	env.sim.Seed(zurich, liveOf("zurich-hq-sales", "no"), nyc, hq)
	return env, berlin
}

// TestGenerateThenValidate: the files generated for unmanaged offices do
// not validate while their TODOs are open; filled in, they do, import
// adopts every office they describe, and those offices show no drift.
func TestGenerateThenValidate(t *testing.T) {
	t.Parallel()
	env, berlin := generateFixture(t)
	live, err := env.client.ListOffices(context.Background(), offices.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st := env.store.State()
	res := MatchImport(NewConfig([]Desired{berlin}), st, live)
	gens := GenerateConfigs(res.Unmanaged, NewConfig([]Desired{berlin}), st)
	var keys []string
	for _, g := range gens {
		keys = append(keys, g.Key)
	}
	if strings.Join(keys, " ") != "zurich-hq-sales zurich-hq-sales-2 new-york-docks-1" {
		t.Fatalf("generated keys %q", keys)
	}
	zurichYAML := string(gens[0].YAML)
	for _, want := range []string{
		`action_target_id: {office: "berlin"}`, `country: "CH"`, `ring_seconds: 20`,
		`saturday_hours: ["09:00", "12:00"]`, `# TODO`, "+41445550100",
	} {
		if !strings.Contains(zurichYAML, want) {
			t.Errorf("zurich file lacks %q:\n%s", want, zurichYAML)
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
	cfg, diags, err := Load(gen, LoadOptions{})
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

	// Filled in, next to berlin's config, they validate.
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
	writeOfficesJSON(t, filepath.Join(dir, "berlin.json"), berlin)
	cfg, diags, err = Load(dir, LoadOptions{})
	if err != nil || cfg == nil {
		t.Fatalf("filled files do not validate: %v\n%s", err, fmtDiags(diags))
	}
	if len(cfg.Offices) != 4 {
		t.Fatalf("%d offices", len(cfg.Offices))
	}

	res2, err := Import(context.Background(), cfg, ImportOptions{Store: env.store, API: env.client})
	if err != nil {
		t.Fatal(err)
	}
	if adoptionKeys(res2.Adopted) != "new-york-docks-1 zurich-hq-sales zurich-hq-sales-2" || len(res2.Unmanaged) != 1 || !res2.Unmanaged[0].IsPrimaryOffice {
		t.Errorf("import of the generated config: %+v", res2)
	}
	if rep := env.drift(t); len(rep.Drifts) != 0 || rep.Checked != 4 {
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

// writeOfficesJSON writes ds as a JSON config file.
func writeOfficesJSON(t *testing.T, path string, ds ...Desired) {
	t.Helper()
	m := map[string]offices.Office{}
	for _, d := range ds {
		m[d.Key] = d.Office
	}
	b, err := json.Marshal(map[string]any{"offices": m})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

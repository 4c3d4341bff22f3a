package load

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLoadGroups loads offices, departments and call centers from one
// file, and the same split across three files: the desired groups carry
// the create body without officectl's fields, operators (nil when
// absent, empty when written empty), protect and their references.
func TestLoadGroups(t *testing.T) {
	src, err := os.ReadFile("testdata/plain/groups.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "all.yaml"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags, err := Load(dir, LoadOptions{})
	if err != nil || cfg == nil {
		t.Fatalf("Load: %v %v", err, diags)
	}
	if len(cfg.Offices) != 1 || len(cfg.Groups) != 3 {
		t.Fatalf("%d offices, %d groups", len(cfg.Offices), len(cfg.Groups))
	}
	skill := int64(80)
	if diff := cmp.Diff([]Operator{{Email: "anna@example.com", Role: "admin"}, {RoomID: 5200000000000001, Role: "operator"}}, cfg.Offices[0].Operators); diff != "" {
		t.Errorf("office operators (-want +got):\n%s", diff)
	}
	if b := cfg.Offices[0].Office.Canonical(); strings.Contains(string(b), "operators") {
		t.Errorf("office body %s", b)
	}
	// Sorted by key.
	sales, support, desk := cfg.Groups[0], cfg.Groups[1], cfg.Groups[2]
	want := DesiredGroup{Key: "berlin-sales", Kind: KindDepartment, Office: "berlin", Name: "Sales", Protect: true,
		Body:      []byte(`{"group_description":"Sales & renewals <EU>","hold_queue":{"allow_queuing":true,"max_hold_count":10,"max_hold_seconds":300},"hours_on":true,"monday_hours":["08:00","12:00","13:00","18:00"],"name":"Sales","routing_options":{"closed":{"action":"department","action_target_id":{"callcenter":"berlin-support"},"action_target_type":"callcenter","dtmf":[{"input":"1","options":{"action":"department","action_target_id":{"office":"berlin"},"action_target_type":"office"}}],"try_dial_operators":false},"open":{"action":"operator","operator_routing":"simultaneous","try_dial_operators":true}}}`),
		Operators: []Operator{{Email: "bob@example.com", Role: "operator"}, {UserID: 4200000000000001, Role: "admin"}},
		Refs:      []Ref{{Kind: "office", Key: "berlin"}, {Kind: KindCallCenter, Key: "berlin-support"}},
		Pos:       sales.Pos}
	if diff := cmp.Diff(want, sales); diff != "" {
		t.Errorf("berlin-sales (-want +got):\n%s", diff)
	}
	if desk.Operators == nil || len(desk.Operators) != 0 || desk.OfficeID != 4800000000000001 || desk.Office != "" {
		t.Errorf("remote-desk: %+v", desk)
	}
	if support.Operators[0].SkillLevel == nil || *support.Operators[0].SkillLevel != skill || support.Operators[0].Role != "supervisor" {
		t.Errorf("berlin-support operators: %+v", support.Operators)
	}
	if support.Kind != KindCallCenter || support.Protect {
		t.Errorf("berlin-support: %+v", support)
	}

	// The same, split across three files.
	split := t.TempDir()
	for name, body := range map[string]string{
		"offices.yaml":     "offices:\n" + section(string(src), "offices:", "departments:"),
		"departments.yaml": "departments:\n" + section(string(src), "departments:", "callcenters:"),
		"callcenters.yaml": "callcenters:\n" + section(string(src), "callcenters:", ""),
	} {
		if err := os.WriteFile(filepath.Join(split, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg2, diags, err := Load(split, LoadOptions{})
	if err != nil || cfg2 == nil {
		t.Fatalf("Load split: %v %v", err, diags)
	}
	if cfg2.SHA256 != cfg.SHA256 {
		t.Errorf("split config digest %s, one file %s", cfg2.SHA256, cfg.SHA256)
	}
	if len(cfg2.Groups) != 3 {
		t.Errorf("split: %d groups", len(cfg2.Groups))
	}
}

// TestConfigDigestOfGroups: a config without groups keeps its digest; a
// group's operators or protect change it.
func TestConfigDigestOfGroups(t *testing.T) {
	offs := []Desired{{Key: "a"}}
	if NewConfigGroups(offs, nil).SHA256 != NewConfig(offs).SHA256 {
		t.Error("digest without groups changed")
	}
	g := DesiredGroup{Key: "g", Kind: KindDepartment, OfficeID: 1, Name: "G", Body: []byte(`{"name":"G"}`)}
	base := NewConfigGroups(offs, []DesiredGroup{g}).SHA256
	g2 := g
	g2.Protect = true
	g3 := g
	g3.Operators = []Operator{}
	for _, other := range []DesiredGroup{g2, g3} {
		if NewConfigGroups(offs, []DesiredGroup{other}).SHA256 == base {
			t.Errorf("%+v: same digest", other)
		}
	}
}

// section is the text of src after the line from and before the line to
// ("" for the end).
func section(src, from, to string) string {
	i := strings.Index(src, "\n"+from+"\n")
	rest := src[i+len(from)+2:]
	if to == "" {
		return rest
	}
	return rest[:strings.Index(rest, "\n"+to+"\n")+1]
}

// TestLoadGroupsWithPolicy: CUE policy applies to departments as to
// offices, and a CUE file may define a call center itself; the bodies are
// the effective values.
func TestLoadGroupsWithPolicy(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"policy.cue": "departments: [string]: hours_on: true\ncallcenters: support: {office_id: 7, name: \"Support\", ring_seconds: 25, operators: []}\n",
		"d.yaml":     "departments:\n  sales:\n    office_id: 7\n    name: Sales\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, diags, err := Load(dir, LoadOptions{})
	if err != nil || cfg == nil {
		t.Fatalf("Load: %v %v", err, diags)
	}
	got := map[string]string{}
	for _, g := range cfg.Groups {
		got[g.Key] = g.Kind + " " + string(g.Body)
		if g.OfficeID != 7 {
			t.Errorf("%s: office_id %d", g.Key, g.OfficeID)
		}
		if (g.Key == "support") != (g.Operators != nil) {
			t.Errorf("%s: operators %#v (written [] for support only)", g.Key, g.Operators)
		}
	}
	want := map[string]string{
		"sales":   `department {"hours_on":true,"name":"Sales"}`,
		"support": `callcenter {"name":"Support","ring_seconds":25}`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
}

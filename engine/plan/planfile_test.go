package plan_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/state"
)

func TestPlanFileRoundTrip(t *testing.T) {
	ds, st := enginetest.AllActions()
	p := enginetest.MustPlan(t, ds, st)
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := plan.SavePlanFile(path, p); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("plan file mode = %v, %v; want 0600", fi.Mode(), err)
	}
	got, err := plan.ReadPlanFile(path)
	if err != nil {
		t.Fatal(err)
	}

	// Everything apply needs comes back; state entries do not, nor the
	// bodies of changes apply does not send.
	want := *p
	want.Changes = append([]plan.Change(nil), p.Changes...)
	for i := range want.Changes {
		c := &want.Changes[i]
		c.Entry = nil
		if a := c.Action; a != plan.ActionCreate && a != plan.ActionResume && a != plan.ActionUpdateE911 { // apply sends no body
			c.Office = nil
		}
	}
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("read plan (-want +got):\n%s", diff)
	}

	var again bytes.Buffer
	if err := plan.WritePlanFile(&again, got); err != nil {
		t.Fatal(err)
	}
	saved, _ := os.ReadFile(path)
	if !bytes.Equal(saved, again.Bytes()) {
		t.Errorf("plan file changed in a round trip:\n%s", cmp.Diff(string(saved), again.String()))
	}
	golden, _ := os.ReadFile(filepath.Join("testdata", "plan", "all_actions.json"))
	if !bytes.Equal(saved, golden) {
		t.Errorf("plan file differs from the json rendering")
	}
}

func TestReadPlanFileErrors(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "plan", "all_actions.json"))
	if err != nil {
		t.Fatal(err)
	}
	edit := func(old, new string) string {
		if !bytes.Contains(golden, []byte(old)) {
			t.Fatalf("golden plan lacks %q", old)
		}
		return strings.Replace(string(golden), old, new, 1)
	}
	for _, tc := range []struct {
		name, data, want string
	}{
		{"empty", "", "invalid JSON"},
		{"truncated", string(golden[:len(golden)/2]), "invalid JSON"},
		{"not an object", "[1, 2]", "a JSON object is expected"},
		{"state file", `{"version": 1, "lineage": "x", "serial": 3, "offices": {}}`, "no format_version"},
		{"version 3", edit(`"format_version": 1`, `"format_version": 3`), "format_version 3 is not supported (this officectl reads versions 1 to 2)"},
		{"version 0", edit(`"format_version": 1`, `"format_version": 0`), "format_version 0 is not supported"},
		{"version string", edit(`"format_version": 1`, `"format_version": "1"`), `format_version "1" is not a whole number`},
		{"unknown field", edit(`"config_sha256"`, `"extra": true, "config_sha256"`), `unknown field "extra"`},
		{"trailing data", string(golden) + "{}", "invalid JSON"},
		{"unknown action", edit(`"action": "no-op"`, `"action": "destroy"`), `unknown action "destroy"`},
		{"office move", edit(`"action": "no-op"`, `"action": "move"`), "offices are never moved"},
		{"no key", edit(`"key": "berlin"`, `"key": ""`), "empty key"},
		{"duplicate key", edit(`"key": "rome"`, `"key": "berlin"`), `office "berlin" appears twice`},
		{"create without body", edit(`"action": "create",`, `"action": "orphan",`), "has no body"},
		{"no-op with body", edit(`"action": "resume"`, `"action": "no-op"`), "has no body"},
		{"manual as create", edit(`"action": "manual"`, `"action": "create"`), "needs a body"},
		{"depends_on mismatch", edit("\"depends_on\": [\n        \"berlin\",\n        \"munich\"\n      ]", `"depends_on": ["berlin"]`), "does not match the body's references"},
		{"summary", edit(`"no-op": 2`, `"no-op": 3`), "summary"},
		{"bad target", edit(`"office": "vienna"`, `"office": ""`), "non-empty office key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.plan")
			if err := os.WriteFile(path, []byte(tc.data), 0o600); err != nil {
				t.Fatal(err)
			}
			p, err := plan.ReadPlanFile(path)
			if err == nil {
				t.Fatalf("ReadPlanFile = %+v, want an error", p)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q, want it to name the file and contain %q", err, tc.want)
			}
		})
	}

	if _, err := plan.ReadPlanFile(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: error %v, want os.ErrNotExist", err)
	}
}

func TestReadPlanOrder(t *testing.T) {
	// munich depends on berlin: a file listing munich first is refused.
	berlin, munich := enginetest.Office("Berlin", "DE"), enginetest.Office("Munich", "DE")
	enginetest.RouteTo(&munich, "berlin")
	p := &plan.Plan{FormatVersion: 1, Changes: []plan.Change{
		{Key: "munich", Action: plan.ActionCreate, Name: "Munich", DependsOn: []string{"berlin"}, Office: &munich},
		{Key: "berlin", Action: plan.ActionCreate, Name: "Berlin", Office: &berlin},
	}}
	var b bytes.Buffer
	if err := plan.WritePlanFile(&b, p); err != nil {
		t.Fatal(err)
	}
	if _, err := plan.ReadPlan(&b); err == nil || !strings.Contains(err.Error(), `office "munich" comes before office "berlin", which it depends on`) {
		t.Errorf("ReadPlan error = %v", err)
	}
}

func TestCheckFresh(t *testing.T) {
	saved := func(lineage string, serial int64) *state.State {
		st := state.New()
		st.Lineage, st.Serial = lineage, serial
		return st
	}
	made := &plan.Plan{FormatVersion: 1, ConfigSHA256: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", State: plan.StateRef{Lineage: "L1", Serial: 3}}
	emptyPlan := &plan.Plan{FormatVersion: 1, ConfigSHA256: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}
	for _, tc := range []struct {
		name   string
		p      *plan.Plan
		cfgSHA string
		st     *state.State
		want   string // "" for fresh
	}{
		{"fresh", made, made.ConfigSHA256, saved("L1", 3), ""},
		{"fresh without config", made, "", saved("L1", 3), ""},
		{"serial", made, made.ConfigSHA256, saved("L1", 5), "plan is stale: state changed since (serial 3 → 5); run officectl plan again"},
		{"lineage", made, "", saved("L2", 3), "plan is stale: the state was replaced since (lineage L1 → L2); run officectl plan again"},
		{"state deleted", made, "", nil, `plan is stale: the state was replaced since (lineage L1 → ""); run officectl plan again`},
		{"config", made, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", saved("L1", 3), "plan is stale: config changed since (sha256 aaaaaaaaaaaa → bbbbbbbbbbbb); run officectl plan again"},
		{"empty state fresh", emptyPlan, "", state.New(), ""},
		{"empty state nil", emptyPlan, "", nil, ""},
		{"empty state saved since", emptyPlan, "", saved("L9", 1), "plan is stale: state changed since (serial 0 → 1); run officectl plan again"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := plan.CheckFresh(tc.p, tc.cfgSHA, tc.st)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("CheckFresh = %v, want nil", err)
				}
				return
			}
			if err == nil || err.Error() != tc.want {
				t.Fatalf("CheckFresh = %v, want %q", err, tc.want)
			}
			var stale *plan.StalePlanError
			if !errors.Is(err, plan.ErrStalePlan) || !errors.As(err, &stale) {
				t.Errorf("CheckFresh error %T is not ErrStalePlan / *StalePlanError", err)
			}
		})
	}
}

// FuzzReadPlanFile feeds ReadPlan arbitrary bytes: it must never panic, and
// a plan it accepts must write back to a file it reads to the same plan.
func FuzzReadPlanFile(f *testing.F) {
	for _, name := range []string{"all_actions.json", "no_changes.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "plan", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := plan.ReadPlan(bytes.NewReader(data))
		if err != nil {
			return
		}
		var once bytes.Buffer
		if err := plan.WritePlanFile(&once, p); err != nil {
			t.Fatalf("write an accepted plan: %v", err)
		}
		p2, err := plan.ReadPlan(bytes.NewReader(once.Bytes()))
		if err != nil {
			t.Fatalf("read a written plan: %v\n%s", err, once.Bytes())
		}
		var twice bytes.Buffer
		if err := plan.WritePlanFile(&twice, p2); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(once.Bytes(), twice.Bytes()) {
			t.Fatalf("plan file not stable:\n%s", cmp.Diff(once.String(), twice.String()))
		}
	})
}

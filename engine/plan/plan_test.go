package plan_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/engine/render"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// checkPlanGolden compares got with testdata/plan/name, or rewrites it
// with -update.
func checkPlanGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "plan", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./engine/plan -run Golden -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; go test ./engine/plan -run Golden -update rewrites it):\n%s", path, diff)
	}
}

func TestPlanGolden(t *testing.T) {
	for name, build := range map[string]func() ([]load.Desired, *state.State){
		"all_actions": enginetest.AllActions,
		"no_changes":  enginetest.NoChanges,
	} {
		t.Run(name, func(t *testing.T) {
			ds, st := build()
			p := enginetest.MustPlan(t, ds, st)
			for suffix, got := range renderings(t, p) {
				checkPlanGolden(t, name+suffix, got)
			}
		})
	}
}

func TestMakePlanActions(t *testing.T) {
	ds, st := enginetest.AllActions()
	p := enginetest.MustPlan(t, ds, st)
	type row struct {
		Key    string
		Action plan.Action
		Deps   []string
	}
	var got []row
	for _, c := range p.Changes {
		got = append(got, row{c.Key, c.Action, c.DependsOn})
	}
	want := []row{
		{"berlin", plan.ActionNoOp, nil},
		{"london", plan.ActionManual, []string{"berlin"}},
		{"lyon", plan.ActionManual, nil},
		{"munich", plan.ActionCreate, []string{"berlin"}},
		{"hamburg", plan.ActionCreate, []string{"berlin", "munich"}},
		{"nyc", plan.ActionUpdateE911, nil},
		{"rome", plan.ActionNoOp, nil},
		{"tokyo", plan.ActionResume, []string{"berlin"}},
		{"zurich", plan.ActionCreate, []string{"vienna"}},
		{"oslo", plan.ActionOrphan, nil},
		{"vienna", plan.ActionOrphan, nil},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if s, want := p.Summary(), (plan.Summary{Create: 3, UpdateE911: 1, NoOp: 2, Manual: 2, Orphan: 2, Resume: 1}); s != want {
		t.Errorf("Summary() = %+v, want %+v", s, want)
	}
	byKey := map[string]plan.Change{}
	for _, c := range p.Changes {
		byKey[c.Key] = c
	}
	wantFields := map[string][]plan.FieldChange{
		"london": {
			{Path: "e911_address.zip", Old: `"EC2R 8EJ"`, New: `"EC2R 8AH"`},
			{Path: "ring_seconds", Old: "20", New: "30"},
			{Path: "routing_options.open.action", Old: `"department"`, New: `"operator"`},
			{Path: "timezone", Old: "", New: `"Europe/London"`},
		},
		"nyc": {
			{Path: "e911_address.address", Old: `"350 5th Ave"`, New: `"20 W 34th St"`},
			{Path: "e911_address.zip", Old: `"10118"`, New: `"10001"`},
		},
	}
	for key, want := range wantFields {
		if diff := cmp.Diff(want, byKey[key].Fields); diff != "" {
			t.Errorf("%s fields (-want +got):\n%s", key, diff)
		}
	}
	if p.FormatVersion != 1 || p.State != (plan.StateRef{Lineage: "3f0c2a9e-6b1d-4c3e-9a57-0e8b2d4f6a11", Serial: 7, SHA256: plan.StateSHA256(st)}) || p.ConfigSHA256 == "" {
		t.Errorf("plan header = %d %+v %q", p.FormatVersion, p.State, p.ConfigSHA256)
	}
}

func TestMakePlanE911Edges(t *testing.T) {
	base := enginetest.Office("Austin", "US")
	for _, tc := range []struct {
		name   string
		change func(o *offices.Office)
		want   plan.Action
	}{
		{"zip", func(o *offices.Office) { o.E911Address.Zip = "73301" }, plan.ActionUpdateE911},
		{"added", nil, plan.ActionUpdateE911}, // state without e911_address
		{"removed", func(o *offices.Office) { o.E911Address = nil }, plan.ActionManual},
		{"e911 and name", func(o *offices.Office) { o.E911Address.Zip = "73301"; o.Name = "Austin 2" }, plan.ActionManual},
		{"hours", func(o *offices.Office) { o.MondayHours = []string{"09:00", "17:00"} }, plan.ActionManual},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inState, desired := base, base
			desired.E911Address = enginetest.Ptr(*base.E911Address)
			if tc.change != nil {
				tc.change(&desired)
			} else {
				inState.E911Address = nil
			}
			st := state.New()
			st.Offices["austin"] = enginetest.Created("1", inState)
			p := enginetest.MustPlan(t, []load.Desired{{Key: "austin", Office: desired}}, st)
			if got := p.Changes[0].Action; got != tc.want {
				t.Errorf("action = %s, want %s (fields %+v)", got, tc.want, p.Changes[0].Fields)
			}
		})
	}
}

func TestMakePlanStaleHashSameSpec(t *testing.T) {
	// The state's hash does not match its spec, but the spec is the
	// desired office: nothing to do.
	o := enginetest.Office("Berlin", "DE")
	e := enginetest.Created("1", o)
	e.SpecSHA256 = "stale"
	st := state.New()
	st.Offices["berlin"] = e
	p := enginetest.MustPlan(t, []load.Desired{{Key: "berlin", Office: o}}, st)
	if got := p.Changes[0].Action; got != plan.ActionNoOp {
		t.Errorf("action = %s, want no-op", got)
	}
}

func TestMakePlanErrors(t *testing.T) {
	a, b, c := enginetest.Office("A", "DE"), enginetest.Office("B", "DE"), enginetest.Office("C", "DE")
	enginetest.RouteTo(&a, "b")
	enginetest.RouteTo(&b, "c")
	enginetest.RouteTo(&c, "a")
	self := enginetest.Office("Self", "DE")
	enginetest.RouteTo(&self, "self")
	lost := enginetest.Office("Lost", "DE")
	enginetest.RouteTo(&lost, "nowhere")
	after := enginetest.Office("After", "DE")
	enginetest.RouteTo(&after, "a")
	badStatus := state.New()
	badStatus.Offices["a"] = &state.Entry{Name: "A", Status: "deleted"}
	corrupt := state.New()
	corrupt.Offices["x"] = &state.Entry{Name: "X", Status: state.Created, Spec: []byte(`{"name":`), SpecSHA256: "x"}

	for _, tc := range []struct {
		name string
		ds   []load.Desired
		st   *state.State
		want string
	}{
		{"cycle", []load.Desired{{Key: "a", Office: a}, {Key: "b", Office: b}, {Key: "c", Office: c}, {Key: "z", Office: after}},
			nil, "reference cycle: a → b → c → a (each office refers to the next); 1 more office(s) wait on it"},
		{"self", []load.Desired{{Key: "self", Office: self}}, nil, "reference cycle: self → self"},
		{"unknown", []load.Desired{{Key: "lost", Office: lost}}, nil, `office "lost" refers to office "nowhere", which is neither in the config nor in the state`},
		{"duplicate", []load.Desired{{Key: "x", Office: enginetest.Office("X", "DE")}, {Key: "x", Office: enginetest.Office("Y", "DE")}}, nil, `"x" appears twice`},
		{"status", []load.Desired{{Key: "a", Office: enginetest.Office("A", "DE")}}, badStatus, `unknown status "deleted"`},
		{"spec", []load.Desired{{Key: "x", Office: enginetest.Office("X", "DE")}}, corrupt, `state entry "x": spec in state`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := plan.MakePlan(load.NewConfig(tc.ds), tc.st)
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("MakePlan error = %v, want it to contain %q", err, tc.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("MakePlan did not return")
			}
		})
	}
}

// TestPlanDeterministic shuffles the config's order and rebuilds the state
// map: every rendering must come out byte for byte the same.
func TestPlanDeterministic(t *testing.T) {
	ds, st := enginetest.AllActions()
	want := renderings(t, enginetest.MustPlan(t, ds, st))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20; i++ {
		shuffled := append([]load.Desired(nil), ds...)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		st2 := *st
		st2.Offices = map[string]*state.Entry{}
		for k, e := range st.Offices {
			st2.Offices[k] = e
		}
		// By hand rather than NewConfig, so the config is not re-sorted.
		cfg := &load.Config{Offices: shuffled, SHA256: load.NewConfig(ds).SHA256}
		p, err := plan.MakePlan(cfg, &st2)
		if err != nil {
			t.Fatal(err)
		}
		for name, got := range renderings(t, p) {
			if !bytes.Equal(got, want[name]) {
				t.Fatalf("shuffle %d: %s rendering differs:\n%s", i, name, cmp.Diff(string(want[name]), string(got)))
			}
		}
	}
}

// TestPlanOrderProperty plans random reference graphs without cycles: every
// office must come after each office it refers to, and among the offices
// ready at each step the smallest key comes first.
func TestPlanOrderProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for round := 0; round < 200; round++ {
		n := 1 + rng.IntN(40)
		// A random permutation decides which offices may refer to which,
		// so keys and dependency order are unrelated.
		perm := rng.Perm(n)
		key := func(i int) string { return fmt.Sprintf("k%02d", perm[i]) }
		st := state.New()
		var ds []load.Desired
		for i := 0; i < n; i++ {
			o := enginetest.Office(key(i), "DE")
			var refs []string
			for j := 0; j < i; j++ {
				if rng.IntN(4) == 0 {
					refs = append(refs, key(j))
				}
			}
			if rng.IntN(5) == 0 {
				refs = append(refs, "gone") // an office only in state
				st.Offices["gone"] = enginetest.Created("9", enginetest.Office("Gone", "DE"))
			}
			if len(refs) > 0 {
				enginetest.RouteTo(&o, refs[0], refs[1:]...)
			}
			ds = append(ds, load.Desired{Key: key(i), Office: o})
		}
		p := enginetest.MustPlan(t, ds, st)
		pos := map[string]int{}
		for i, c := range p.Changes {
			pos[c.Key] = i
		}
		for i, c := range p.Changes {
			if c.Action == plan.ActionOrphan {
				if i < n {
					t.Fatalf("round %d: orphan %s at %d before the config's offices", round, c.Key, i)
				}
				continue
			}
			for _, r := range c.DependsOn {
				if j, ok := pos[r]; ok && p.Changes[j].Action != plan.ActionOrphan && j > i {
					t.Fatalf("round %d: %s (at %d) comes before %s (at %d), which it refers to", round, c.Key, i, r, j)
				}
			}
			// Smallest ready key first: no later office that was
			// already ready here has a smaller key.
			for _, later := range p.Changes[i+1:] {
				if later.Action == plan.ActionOrphan || later.Key >= c.Key {
					continue
				}
				ready := true
				for _, r := range later.DependsOn {
					if j, ok := pos[r]; ok && p.Changes[j].Action != plan.ActionOrphan && j >= i {
						ready = false
					}
				}
				if ready {
					t.Fatalf("round %d: %s placed before %s, which was ready with a smaller key", round, c.Key, later.Key)
				}
			}
		}
	}
}

func TestMakePlanEmpty(t *testing.T) {
	p, err := plan.MakePlan(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 0 || p.State != (plan.StateRef{SHA256: plan.StateSHA256(nil)}) || p.FormatVersion != plan.MinPlanFormatVersion {
		t.Errorf("empty plan = %+v", p)
	}
	var b bytes.Buffer
	if err := render.RenderText(&b, p, render.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "No changes. Your offices match the configuration.") {
		t.Errorf("empty plan text:\n%s", b.String())
	}
}

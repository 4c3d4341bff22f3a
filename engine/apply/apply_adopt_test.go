package apply_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"testing"

	"github.com/officectl/officectl/engine/apply"
	"github.com/officectl/officectl/engine/apply/applytest"
	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// TestApplyAdoptExisting: with AdoptExisting, a create whose name exactly
// one live office has adopts that office instead of failing; a name live
// twice still fails, leaves no state entry and creates nothing; the others
// are created, and the next plan has nothing to do for the adopted one.
func TestApplyAdoptExisting(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{}, nil)
	ds := enginetest.Numbered(3)
	ids := env.Sim.Seed(offices.Live{Name: "Office 000"}, offices.Live{Name: "Office 001"}, offices.Live{Name: "Office 001"})
	p := env.Plan(t, ds)
	res, err := apply.Apply(context.Background(), p, apply.ApplyOptions{Store: env.Store, API: env.Client, AdoptExisting: true})
	if res == nil {
		t.Fatal(err)
	}
	got := map[string]apply.OfficeResult{}
	for _, r := range res.Offices {
		got[r.Key] = r
	}
	if r := got["office-000"]; r.Outcome != apply.OutcomeAdopted || r.ID != ids[0] {
		t.Errorf("office-000: %s id %d (%v), want adopted id %d", r.Outcome, r.ID, r.Err, ids[0])
	}
	if r := got["office-001"]; r.Outcome != apply.OutcomeFailed || !errors.Is(r.Err, apply.ErrAmbiguousName) || r.Pending {
		t.Errorf("office-001: %s pending %v: %v, want failed, ambiguous, not pending", r.Outcome, r.Pending, r.Err)
	}
	if r := got["office-002"]; r.Outcome != apply.OutcomeCreated {
		t.Errorf("office-002: %s %v", r.Outcome, r.Err)
	}
	if n := len(env.Sim.Offices()); n != 4 {
		t.Errorf("%d offices on the server, want 4 (3 seeded, 1 created)", n)
	}
	st := env.Store.State()
	if e, ok := st.Get("office-000"); !ok || e.Status != state.Created || e.ID != strconv.FormatInt(ids[0], 10) {
		t.Errorf("state office-000: %+v", e)
	}
	if _, ok := st.Get("office-001"); ok {
		t.Error("state records office-001, whose name is ambiguous")
	}
	again := env.Plan(t, ds)
	for _, c := range again.Changes {
		if c.Key == "office-000" && c.Action != plan.ActionNoOp {
			t.Errorf("next plan: office-000 %s, want no-op", c.Action)
		}
	}
}

// TestApplyWithoutAdoptExistingRefuses: the same live name without the
// option fails as before and points at import.
func TestApplyWithoutAdoptExistingRefuses(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{}, nil)
	env.Sim.Seed(offices.Live{Name: "Office 000"})
	res, _ := applytest.Apply(t, env, context.Background(), env.Plan(t, enginetest.Numbered(1)), 8, false)
	if r := res.Offices[0]; r.Outcome != apply.OutcomeFailed || !errors.Is(r.Err, apply.ErrNameExists) {
		t.Errorf("office-000: %s %v, want failed: name exists", r.Outcome, r.Err)
	}
	if n := len(env.Sim.Offices()); n != 1 {
		t.Errorf("%d offices on the server, want 1", n)
	}
}

// TestApplyWritesStateWhenNothingChanged: an apply with nothing to do on
// a state file that does not exist yet leaves one behind.
func TestApplyWritesStateWhenNothingChanged(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{}, nil)
	res, _ := applytest.Apply(t, env, context.Background(), env.Plan(t, nil), 8, false)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if _, err := os.Stat(env.StatePath); err != nil {
		t.Errorf("no state file after an apply that changed nothing: %v", err)
	}
}

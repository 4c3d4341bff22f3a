package apply_test

import (
	"context"
	"errors"
	"testing"

	"github.com/officectl/officectl/engine/apply"
	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// TestCheckCompanyWhateverThePlanHolds (issue 18, defect 2): the company
// check runs for a plan that only updates or deletes groups (no office
// create, resume or E911 update), and for nothing but a plan that does
// nothing.
func TestCheckCompanyWhateverThePlanHolds(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{}, nil)
	other := state.New()
	other.CompanyID = "4200000000000009"
	for _, a := range []plan.Action{plan.ActionUpdate, plan.ActionDelete, plan.ActionMove} {
		p := &plan.Plan{Changes: []plan.Change{{Key: "sales", Kind: "department", Action: a}}}
		if !apply.Acts(p) {
			t.Errorf("a plan with a %s does not act", a)
		}
		if _, err := apply.CheckCompany(context.Background(), env.Client, p, other); !errors.Is(err, plan.ErrCompanyMismatch) {
			t.Errorf("a plan with a group %s: %v, want a company mismatch", a, err)
		}
	}
	n := env.Sim.Stats().Requests
	idle := &plan.Plan{Changes: []plan.Change{{Key: "hq", Action: plan.ActionNoOp}, {Key: "x", Action: plan.ActionManual}, {Key: "y", Action: plan.ActionOrphan}}}
	if id, err := apply.CheckCompany(context.Background(), env.Client, idle, other); id != "" || err != nil || env.Sim.Stats().Requests != n {
		t.Errorf("a plan that does nothing: %q, %v, %d requests; want nothing asked", id, err, env.Sim.Stats().Requests-n)
	}
}

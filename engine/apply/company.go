package apply

import (
	"context"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/state"
)

// Acts reports whether Apply would act on p: send a request (any create,
// resume, update, E911 update, delete, operator change, or the listing
// that checks a move) or change the state. Only a plan of no-op, manual
// and orphan changes does nothing.
func Acts(p *plan.Plan) bool {
	for i := range p.Changes {
		switch p.Changes[i].Action {
		case plan.ActionNoOp, plan.ActionManual, plan.ActionOrphan:
		default:
			return true
		}
	}
	return false
}

// CheckCompany is the company check of an apply of p, before its first
// request that writes, whatever the plan holds: when Apply would act on
// p (Acts), it asks Dialpad whose API key it is (plan.CheckCompany) and
// fails with a *plan.CompanyMismatchError when st records another
// company; it returns the key's company id, or "" when p does nothing
// and nothing was asked.
func CheckCompany(ctx context.Context, api plan.CompanyAPI, p *plan.Plan, st *state.State) (string, error) {
	if !Acts(p) {
		return "", nil
	}
	return plan.CheckCompany(ctx, api, st)
}

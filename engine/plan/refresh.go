package plan

import (
	"context"
	"fmt"
	"strings"

	"github.com/officectl/officectl/state"
)

// This file holds the rules of `officectl plan --refresh`: which company
// the key must be of, how drift folds into the plan, and which refreshed
// plan may not be saved.

// CheckRecordedCompany checks, when st records the company it belongs
// to, that the API key is of that company (CheckCompany, before any other
// request). A state that records none passes: nothing was applied yet.
func CheckRecordedCompany(ctx context.Context, api CompanyAPI, st *state.State) error {
	if st == nil || st.CompanyID == "" {
		return nil
	}
	_, err := CheckCompany(ctx, api, st)
	return err
}

// Refresh fetches the offices st records from Dialpad and folds their
// drift into p (MergeDrift), after CheckRecordedCompany. It returns the
// drift report, whose Checked and Skipped the caller may show; it carries
// p's Invocation.
func Refresh(ctx context.Context, p *Plan, st *state.State, api BindAPI, parallelism int) (*DriftReport, error) {
	if err := CheckRecordedCompany(ctx, api, st); err != nil {
		return nil, err
	}
	rep, err := CheckDrift(ctx, st, DriftOptions{API: api, Parallelism: parallelism, Invocation: p.Invocation})
	if err != nil {
		return nil, err
	}
	MergeDrift(p, rep)
	return rep, nil
}

// CheckSavable refuses a plan that creates again offices deleted in
// Dialpad (a refreshed plan, see Recreates) as a plan file: apply refuses
// a create while the state records the office, so such a file could never
// be applied as reviewed.
func (p *Plan) CheckSavable() error {
	if keys := p.Recreates(); len(keys) > 0 {
		return fmt.Errorf("the plan creates again %s, deleted in Dialpad, which apply does only once the state forgets them: run `%s` for each, then plan again",
			strings.Join(keys, ", "), p.Invocation.Command("state rm", "KEY"))
	}
	return nil
}

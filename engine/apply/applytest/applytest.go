// Package applytest holds what the tests of apply and of the packages and
// binary around it share to run Apply against an enginetest.Env. Only
// tests import it.
package applytest

import (
	"context"
	"testing"

	"github.com/officectl/officectl/engine/apply"
	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
)

// Apply applies p with parallelism par and collects the events.
func Apply(t testing.TB, e *enginetest.Env, ctx context.Context, p *plan.Plan, par int, failFast bool) (*apply.ApplyResult, []apply.Event) {
	t.Helper()
	var evs []apply.Event
	res, _ := apply.Apply(ctx, p, apply.ApplyOptions{
		Store: e.Store, API: e.Client, Parallelism: par, FailFast: failFast,
		Events: func(ev apply.Event) { evs = append(evs, ev) },
	})
	if res == nil {
		t.Fatal("Apply returned no result")
	}
	return res, evs
}

// ApplyGroups plans cfg against the env's state and applies it when
// approved with maxDeletes (nil result otherwise).
func ApplyGroups(t testing.TB, e *enginetest.Env, cfg *load.Config, maxDeletes int) (*plan.Plan, *apply.ApplyResult) {
	t.Helper()
	p, err := plan.MakePlan(cfg, e.Store.State())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := apply.Approve(p, apply.Approval{MaxCreates: 100, MaxDeletes: maxDeletes, AutoApprove: true}); err != nil {
		return p, nil
	}
	res, _ := Apply(t, e, context.Background(), p, 8, false)
	return p, res
}

package main

import (
	"fmt"

	"github.com/officectl/officectl/engine/apply"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// planFilePaths returns the config directory and state file to apply the
// plan file at path with: --config and --state when given, else the ones
// the plan file records. It refuses a plan file with neither config
// directory, and says on stderr what it uses.
func planFilePaths(std stdio, path string, p *plan.Plan, configFlag, stateFlag string) (dir, statePath string, err error) {
	dir, statePath = p.Paths(path)
	if configFlag != "" {
		dir = configFlag
	}
	if stateFlag != "" {
		statePath = stateFlag
	}
	if dir == "" {
		return "", "", fmt.Errorf("plan file %s records no config directory (plan --out records one; plan --format json and older officectl do not): give --config DIR, the config it was made from, so that apply can check the plan is what was reviewed", path)
	}
	if statePath == "" {
		statePath = statePathFor(dir, "")
	}
	fmt.Fprintf(std.err, "Applying plan file %s: config %s, state %s\n", path, dir, statePath)
	return dir, statePath, nil
}

// checkBeforeApply makes the checks of apply that ask Dialpad, before it
// asks for approval: a plan file must be exactly p, the plan made now
// (plan.BindPlan), and when the plan sends anything the API key must be
// of the state's company (apply.CheckCompany, the first request). It
// returns the company id when it asked, else "". Ctrl-C cancels it.
func checkBeforeApply(saved, p *plan.Plan, st *state.State, client *offices.Client, parallelism int) (company string, err error) {
	ctx, stop := signalContext()
	defer stop()
	if saved != nil {
		if company, err = plan.BindPlan(ctx, saved, p, st, client, parallelism); err != nil {
			return "", err
		}
	}
	if company == "" {
		return apply.CheckCompany(ctx, client, p, st)
	}
	return company, nil
}

package main

import (
	"context"
	"fmt"

	"github.com/officectl/officectl/engine"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// planFilePaths returns the config directory and state file to apply the
// plan file at path with: --config and --state when given, else the ones
// the plan file records. It refuses a plan file with neither config
// directory, and says on stderr what it uses.
func planFilePaths(io stdio, path string, p *engine.Plan, configFlag, stateFlag string) (dir, statePath string, err error) {
	dir, statePath = p.Paths(path)
	if configFlag != "" {
		dir = configFlag
	}
	if stateFlag != "" {
		statePath = stateFlag
	}
	if dir == "" {
		return "", "", fmt.Errorf("plan file %s records no config directory (made by an older officectl): give --config DIR, the config it was made from, so that apply can check it is what was reviewed", path)
	}
	if statePath == "" {
		statePath = statePathFor(dir, "")
	}
	fmt.Fprintf(io.err, "Applying plan file %s: config %s, state %s\n", path, dir, statePath)
	return dir, statePath, nil
}

// checkRecordedCompany checks, when st records the company it belongs to,
// that the API key is of that company (before any other request).
func checkRecordedCompany(ctx context.Context, client *offices.Client, st *state.State) error {
	if st == nil || st.CompanyID == "" {
		return nil
	}
	_, err := engine.CheckCompany(ctx, client, st)
	return err
}

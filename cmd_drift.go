package main

import (
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/engine/render"
	"github.com/officectl/officectl/state"
)

func cmdDrift(fs *pflag.FlagSet, std stdio) func([]string) int {
	statePath := fs.String("state", "", "state file (default DIR/officectl.state)")
	format := fs.String("format", "text", "output format: text, markdown (issue or comment) or json")
	parallelism := fs.Int("parallelism", plan.DefaultParallelism, "most API requests in flight at once")
	write := fs.Bool("write", false, "accept the drift: edit the config files in place to say what is live, and record it in the state, so the next plan is empty")
	lockTimeout := fs.Duration("lock-timeout", 0, "with --write: how long to wait while another officectl holds the state lock")
	api := addAPIFlags(fs)
	return func(args []string) int {
		dir, err := dirArg(args)
		switch {
		case err != nil:
			return fail(std, "drift", err)
		case checkFormat(*format, "text", "markdown", "json") != nil:
			return fail(std, "drift", checkFormat(*format, "text", "markdown", "json"))
		case checkParallelism(*parallelism) != nil:
			return fail(std, "drift", checkParallelism(*parallelism))
		}
		if err := notPlanFile(dir); err != nil {
			return fail(std, "drift", err)
		}
		if *write {
			if _, err := os.Stat(statePathFor(dir, *statePath)); err != nil {
				inv := plan.Invocation{Dir: dir, State: *statePath}
				return fail(std, "drift", fmt.Errorf("no state file %s: officectl manages no office there yet (run `%s` or `%s`, or give --state)", statePathFor(dir, *statePath), inv.Command("apply"), inv.Command("import")))
			}
			return driftWrite(std, dir, *statePath, *format, *parallelism, *lockTimeout, api)
		}
		path := statePathFor(dir, *statePath)
		inv := plan.Invocation{Dir: dir, State: *statePath}
		if _, err := os.Stat(path); err != nil {
			return fail(std, "drift", fmt.Errorf("no state file %s: officectl manages no office there yet (run `%s` or `%s`, or give --state)", path, inv.Command("apply"), inv.Command("import")))
		}
		st, err := state.Load(path)
		if err != nil {
			return fail(std, "drift", err)
		}
		client, err := api.client(std)
		if err != nil {
			return fail(std, "drift", err)
		}
		ctx, stop := signalContext()
		defer stop()
		if err := plan.CheckRecordedCompany(ctx, client, st); err != nil {
			return fail(std, "drift", err)
		}
		rep, err := plan.CheckDrift(ctx, st, plan.DriftOptions{API: client, Parallelism: *parallelism, Invocation: inv})
		if err != nil {
			return fail(std, "drift", err)
		}
		if err := renderDriftReport(std, *format, rep); err != nil {
			return fail(std, "drift", err)
		}
		if rep.Summary().Total() > 0 {
			return exitChanges
		}
		return exitOK
	}
}

// renderDriftReport writes rep in format: text, markdown or json.
func renderDriftReport(std stdio, format string, rep *plan.DriftReport) error {
	switch format {
	case "markdown":
		return render.RenderDriftMarkdown(std.out, rep)
	case "json":
		return plan.RenderDriftJSON(std.out, rep)
	}
	return render.RenderDriftText(std.out, rep, render.TextOptions{Color: std.color(std.out)})
}

package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/engine/render"
	"github.com/officectl/officectl/state"
	"github.com/spf13/pflag"
)

func cmdDrift(fs *pflag.FlagSet, std stdio) func([]string) int {
	statePath := fs.String("state", "", "state file (default DIR/officectl.state)")
	format := fs.String("format", "text", "output format: text, markdown (issue or comment) or json")
	parallelism := fs.Int("parallelism", plan.DefaultParallelism, "most API requests in flight at once")
	api := addAPIFlags(fs)
	return func(args []string) int {
		dir, err := dirArg(args)
		switch {
		case err != nil:
			return fail(std, "drift", err)
		case *format != "text" && *format != "markdown" && *format != "json":
			return fail(std, "drift", fmt.Errorf("unknown --format %q: use text, markdown or json", *format))
		case *parallelism < 1:
			return fail(std, "drift", fmt.Errorf("--parallelism %d: give at least 1", *parallelism))
		}
		path := statePathFor(dir, *statePath)
		if _, err := os.Stat(path); err != nil {
			return fail(std, "drift", fmt.Errorf("no state file %s: officectl manages no office there yet (run officectl apply or officectl import, or give --state)", path))
		}
		st, err := state.Load(path)
		if err != nil {
			return fail(std, "drift", err)
		}
		client, err := api.client(std)
		if err != nil {
			return fail(std, "drift", err)
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := checkRecordedCompany(ctx, client, st); err != nil {
			return fail(std, "drift", err)
		}
		rep, err := plan.CheckDrift(ctx, st, plan.DriftOptions{API: client, Parallelism: *parallelism})
		if err != nil {
			return fail(std, "drift", err)
		}
		switch *format {
		case "markdown":
			err = render.RenderDriftMarkdown(std.out, rep)
		case "json":
			err = plan.RenderDriftJSON(std.out, rep)
		default:
			color := false
			if f, ok := std.out.(*os.File); ok {
				color = render.ColorEnabled(f, std.getenv)
			}
			err = render.RenderDriftText(std.out, rep, render.TextOptions{Color: color})
		}
		if err != nil {
			return fail(std, "drift", err)
		}
		if rep.Summary().Total() > 0 {
			return exitChanges
		}
		return exitOK
	}
}

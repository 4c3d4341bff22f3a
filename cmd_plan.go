package main

import (
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/engine/render"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

func cmdPlan(fs *pflag.FlagSet, std stdio) func([]string) int {
	statePath := fs.String("state", "", "state file (default DIR/officectl.state)")
	format := fs.String("format", "text", "output format: text, markdown (pull-request comment) or json")
	out := fs.String("out", "", "also save the plan to `PLANFILE`, for officectl apply PLANFILE")
	detailed := fs.Bool("detailed-exitcode", false, "exit 0 when nothing changes, 2 when something does, 1 on error")
	refresh := fs.Bool("refresh", false, "also fetch each managed office from Dialpad and plan what changed there since the last apply (drift)")
	parallelism := fs.Int("parallelism", plan.DefaultParallelism, "with --refresh: most API requests in flight at once")
	api := addAPIFlags(fs)
	return func(args []string) int {
		dir, err := dirArg(args)
		if err != nil {
			return fail(std, "plan", err)
		}
		if err := checkFormat(*format, "text", "markdown", "json"); err != nil {
			return fail(std, "plan", err)
		}
		if *out != "" {
			if err := plan.CheckOutPath(*out, dir, statePathFor(dir, *statePath)); err != nil {
				return fail(std, "plan", err)
			}
		}
		cfg, err := loadConfig(std, dir, *statePath)
		if err != nil {
			return fail(std, "plan", err)
		}
		st, err := state.Load(statePathFor(dir, *statePath))
		if err != nil {
			return fail(std, "plan", err)
		}
		p, err := plan.MakePlan(cfg, st)
		if err != nil {
			return fail(std, "plan", err)
		}
		p.Invocation = plan.Invocation{Dir: dir, State: *statePath}
		if *refresh {
			if err := refreshPlan(std, p, st, api, *parallelism, *out); err != nil {
				return fail(std, "plan", err)
			}
		}
		if err := renderPlan(std, p, *format); err != nil {
			return fail(std, "plan", err)
		}
		if path := std.getenv("GITHUB_STEP_SUMMARY"); path != "" {
			if err := appendStepSummary(path, p); err != nil {
				return fail(std, "plan", err)
			}
		}
		if *out != "" {
			if err := p.SetPaths(*out, dir, statePathFor(dir, *statePath)); err != nil {
				return fail(std, "plan", err)
			}
			if err := plan.SavePlanFile(*out, p); err != nil {
				return fail(std, "plan", err)
			}
			fmt.Fprintf(std.err, "Plan saved to %s; apply it with: %s\n", offices.Printable(*out), plan.Invocation{}.Command("apply", *out))
		}
		if *detailed && p.Summary().Changed() > 0 {
			return exitChanges
		}
		return exitOK
	}
}

// renderPlan prints p in format on stdout; text is coloured only on a
// terminal and never with NO_COLOR.
func renderPlan(std stdio, p *plan.Plan, format string) error {
	switch format {
	case "markdown":
		return render.RenderMarkdown(std.out, p)
	case "json":
		return plan.RenderJSON(std.out, p)
	}
	return render.RenderText(std.out, p, render.TextOptions{Color: std.color(std.out)})
}

// appendStepSummary adds the markdown plan to the GitHub Actions job
// summary.
func appendStepSummary(path string, p *plan.Plan) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err)
	}
	if err := render.RenderMarkdown(f, p); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// refreshPlan folds into p the drift of the offices st records
// (plan.Refresh) and says on stderr what it compared. A plan that creates
// again offices deleted in Dialpad is not saved to out (Plan.CheckSavable).
func refreshPlan(std stdio, p *plan.Plan, st *state.State, api *apiFlags, parallelism int, out string) error {
	if err := checkParallelism(parallelism); err != nil {
		return err
	}
	client, err := api.client(std)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	rep, err := plan.Refresh(ctx, p, st, client, parallelism)
	if err != nil {
		return err
	}
	fmt.Fprintf(std.err, "Refreshed: %s compared with Dialpad, %d drifted.\n", render.DriftChecked(rep), rep.Summary().Total())
	for _, s := range rep.Skipped {
		fmt.Fprintf(std.err, "Not compared: %s: %s\n", offices.Printable(s.Key), offices.Printable(s.Reason))
	}
	if out != "" {
		if err := p.CheckSavable(); err != nil {
			return fmt.Errorf("not saving --out %s: %w", out, err)
		}
	}
	return nil
}

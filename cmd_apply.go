package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/officectl/officectl/engine/apply"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/engine/render"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

func cmdApply(fs *pflag.FlagSet, std stdio) func([]string) int {
	statePath := fs.String("state", "", "state file (default DIR/officectl.state; with a PLANFILE, the one it records)")
	configDir := fs.String("config", "", "with a PLANFILE: the config directory it was made from (default: the one it records)")
	autoApprove := fs.Bool("auto-approve", false, "apply without asking; required when stdin is not a terminal")
	maxCreates := fs.Int("max-creates", 25, "refuse a plan that creates more offices than this: each one changes the company's Dialpad bill")
	maxDeletes := fs.Int("max-deletes", 0, "refuse a plan that deletes more departments and call centers than this (protect: true ones are never deleted)")
	parallelism := fs.Int("parallelism", plan.DefaultParallelism, "most API requests in flight at once")
	failFast := fs.Bool("fail-fast", false, "start no more offices after the first failure")
	format := fs.String("format", "text", "progress: text (on stderr) or json (one event per line on stdout)")
	lockTimeout := fs.Duration("lock-timeout", 0, "how long to wait while another officectl holds the state lock")
	adoptExisting := fs.Bool("adopt-existing", false, "adopt, as import does, an office whose exact name is live and that the state lacks, instead of failing")
	detailed := fs.Bool("detailed-exitcode", false, "exit 2 when everything planned succeeded but manual changes or orphans were left as they are (the config is not what Dialpad has)")
	api := addAPIFlags(fs)
	return func(args []string) int {
		failf := func(format string, a ...any) int { return fail(std, "apply", fmt.Errorf(format, a...)) }
		arg, err := dirArg(args)
		switch {
		case err != nil:
			return fail(std, "apply", err)
		case checkFormat(*format, "text", "json") != nil:
			return fail(std, "apply", checkFormat(*format, "text", "json"))
		case checkParallelism(*parallelism) != nil:
			return fail(std, "apply", checkParallelism(*parallelism))
		case *maxCreates < 0:
			return failf("--max-creates %d: give 0 or more", *maxCreates)
		case *maxDeletes < 0:
			return failf("--max-deletes %d: give 0 or more", *maxDeletes)
		}
		saved, err := planFileArg(arg)
		if err != nil {
			return fail(std, "apply", err)
		}
		client, err := api.client(std)
		if err != nil {
			return fail(std, "apply", err)
		}
		dir, stPath := arg, *statePath
		if saved != nil {
			if dir, stPath, err = planFilePaths(std, arg, saved, *configDir, *statePath); err != nil {
				return fail(std, "apply", err)
			}
		} else if *configDir != "" {
			return failf("--config goes with a PLANFILE; to apply a config directory, give it as the argument")
		} else if err := strayState("apply", dir, *statePath); err != nil {
			return fail(std, "apply", err)
		}
		cfg, err := loadConfig(std, dir, stPath)
		if err != nil {
			return fail(std, "apply", err)
		}

		store, err := state.Open(statePathFor(dir, stPath), state.Options{LockTimeout: *lockTimeout})
		if err != nil {
			return fail(std, "apply", err)
		}
		defer store.Close()
		if h := store.StaleLock(); h != nil {
			fmt.Fprintf(std.err, "officectl apply: took over the lock of %s, which is no longer running; its pending creates are resumed\n", offices.Printable(h.String()))
		}
		p, err := plan.MakePlan(cfg, store.State())
		if err != nil {
			return fail(std, "apply", err)
		}
		p.Invocation = plan.Invocation{Dir: dir, State: stPath}
		if filepath.Clean(stPath) == statePathFor(dir, "") {
			p.Invocation.State = "" // a plan file's default state: DIR says it
		}
		company, err := checkBeforeApply(saved, p, store.State(), client, *parallelism)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return exitInterrupted
			}
			return failf("%s: %w", arg, err)
		}
		approval := apply.Approval{MaxCreates: *maxCreates, MaxDeletes: *maxDeletes, AutoApprove: *autoApprove}
		if *adoptExisting {
			if approval.Adoptions, err = countAdoptions(p, store.State(), client, *maxCreates); errors.Is(err, context.Canceled) {
				return exitInterrupted
			} else if err != nil {
				return failf("listing the offices in Dialpad to tell adoptions from creates: %w", err)
			}
		}
		if code, ok := approveApply(std, p, approval); !ok {
			return code
		}
		// The company goes into the state before the run when the state
		// exists, else once the run has saved it.
		if err := plan.RecordCompany(store, company); err != nil {
			return fail(std, "apply", err)
		}

		ctx, stop := signalContext()
		defer stop()
		applied := make(chan struct{})
		watched := make(chan struct{})
		// Before stop, which ends ctx too; and the watcher is done before
		// apply returns, so it never writes after the command's output.
		defer func() { close(applied); <-watched }()
		go func() {
			defer close(watched)
			select {
			case <-ctx.Done():
			case <-applied:
				return
			}
			stop() // a second signal ends the process at once; pending entries keep it safe
			if *format == "text" {
				fmt.Fprintf(std.err, "\nofficectl apply: stopping: no new request starts; waiting for %s in flight (interrupt again to quit at once: their entries stay pending)\n",
					plural(int(client.Stats().InFlight), "request"))
			}
		}()
		opts := apply.ApplyOptions{Store: store, API: client, Parallelism: *parallelism, FailFast: *failFast, AdoptExisting: *adoptExisting}
		var progress *apply.Progress
		if *format == "json" {
			emit := apply.JSONEvents(std.out)
			opts.Events = func(e apply.Event) {
				if e.Type == apply.EventSummary {
					s := client.Stats()
					e.Requests, e.Throttled = s.Requests, s.Throttled
				}
				emit(e)
			}
		} else {
			progress = apply.NewProgress(std.err, apply.ProgressOptions{
				Live:     isTerminal(std.err),
				Requests: func() int64 { return client.Stats().Requests },
			})
			opts.Events = progress.Event
		}
		res, err := apply.Apply(ctx, p, opts)
		if progress != nil {
			progress.Close()
		}
		if res == nil {
			return fail(std, "apply", err)
		}
		if rerr := plan.RecordCompany(store, company); rerr != nil && err == nil {
			err = rerr
		}
		if *format == "text" {
			apply.WriteApplySummary(std.err, res)
			s := client.Stats()
			fmt.Fprintf(std.err, "API: %s, %d answered 429 Too Many Requests, %d retried.\n", plural(int(s.Requests), "request"), s.Throttled, s.Retries)
		}
		if path := std.getenv("GITHUB_STEP_SUMMARY"); path != "" {
			if serr := appendApplySummary(path, res); serr != nil {
				fail(std, "apply", serr) // the run's outcome decides the exit code
			}
		}
		if err := store.Close(); err != nil {
			return fail(std, "apply", err)
		}
		if err != nil && !apply.Listed(err) {
			fail(std, "apply", err) // not listed with the offices
		}
		switch {
		case res.Interrupted:
			return exitInterrupted
		case err != nil:
			return exitError
		case *detailed && len(res.NotApplied()) > 0:
			fmt.Fprintf(std.err, "officectl apply: %s\n", res.NotAppliedText())
			return exitChanges
		}
		return exitOK
	}
}

// appendApplySummary adds the apply run to the GitHub Actions job summary.
func appendApplySummary(path string, res *apply.ApplyResult) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err)
	}
	if err := apply.WriteApplyMarkdown(f, res); err != nil {
		f.Close()
		return fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err)
	}
	return f.Close()
}

// planFileArg reads arg as a plan file when it is a regular file, whatever
// its name; it returns nil for anything else, a config directory.
func planFileArg(arg string) (*plan.Plan, error) {
	fi, err := os.Stat(arg)
	if err != nil || !fi.Mode().IsRegular() {
		return nil, nil
	}
	p, err := plan.ReadPlanFile(arg)
	if errors.Is(err, plan.ErrNotPlanFile) {
		return nil, fmt.Errorf("%s is a file, neither a config directory nor a plan file (officectl plan --out plan.json writes one)", arg)
	}
	return p, err
}

// countAdoptions lists the live offices named like the offices p creates,
// when they are more than maxCreates, and counts those apply
// --adopt-existing adopts instead (apply.Adoptions).
func countAdoptions(p *plan.Plan, st *state.State, client *offices.Client, maxCreates int) (int, error) {
	if osum := p.OfficeSummary(); osum.Create+osum.Resume <= maxCreates {
		return 0, nil // within the limit whatever the listing says
	}
	names := apply.CreateNames(p)
	ctx, stop := signalContext()
	defer stop()
	live, err := client.ListOffices(ctx, offices.ListOptions{Keep: func(l offices.Live) bool { return names[l.Name] }})
	if err != nil {
		return 0, err
	}
	return apply.Adoptions(p, st, live), nil
}

// approveApply prints p on stderr and asks apply.Approve whether it may
// go ahead (--max-creates, --auto-approve, or "yes" typed on a
// terminal). When it may not, it returns the exit code and false.
func approveApply(std stdio, p *plan.Plan, a apply.Approval) (int, bool) {
	if err := render.RenderText(std.err, p, render.TextOptions{Color: std.color(std.err)}); err != nil {
		return fail(std, "apply", err), false
	}
	if a.Adoptions > 0 {
		verb := "are"
		if a.Adoptions == 1 {
			verb = "is"
		}
		fmt.Fprintf(std.err, "%d of the offices to create %s live under their exact names: --adopt-existing adopts them (creating nothing), and --max-creates counts only the others.\n", a.Adoptions, verb)
	}
	a.Interactive, a.In, a.Prompt = isTerminal(std.in), std.in, std.err
	ok, err := apply.Approve(p, a)
	switch {
	case err != nil:
		return fail(std, "apply", err), false
	case !ok:
		fmt.Fprintln(std.err, "Apply cancelled: nothing was changed.")
		return exitError, false
	}
	return exitOK, true
}

package main

import (
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/officectl/officectl/engine"
	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/state"
)

func cmdImport(fs *pflag.FlagSet, std stdio) func([]string) int {
	statePath := fs.String("state", "", "state file (default DIR/officectl.state)")
	generate := fs.String("generate", "", "write a YAML config file into this folder for each live office no config describes, with TODOs for the create-only fields")
	dryRun := fs.Bool("dry-run", false, "show what import would adopt and generate; change nothing")
	lockTimeout := fs.Duration("lock-timeout", 0, "how long to wait while another officectl holds the state lock")
	api := addAPIFlags(fs)
	return func(args []string) int {
		dir, err := dirArg(args)
		if err == nil {
			err = strayState("import", dir, *statePath)
		}
		if err != nil {
			return fail(std, "import", err)
		}
		cfg, err := loadConfig(std, dir, *statePath)
		if errors.Is(err, load.ErrNoOfficeFiles) {
			// Adopting a company starts with no config: list and generate.
			cfg, err = load.NewConfig(nil), nil
		}
		if err != nil {
			return fail(std, "import", err)
		}
		client, err := api.client(std)
		if err != nil {
			return fail(std, "import", err)
		}
		store, err := state.Open(statePathFor(dir, *statePath), state.Options{LockTimeout: *lockTimeout})
		if err != nil {
			return fail(std, "import", err)
		}
		defer store.Close()
		ctx, stop := signalContext()
		defer stop()
		company, err := plan.CheckCompany(ctx, client, store.State())
		if err != nil {
			return fail(std, "import", err)
		}
		inv := plan.Invocation{Dir: dir, State: *statePath}
		res, err := engine.Import(ctx, cfg, engine.ImportOptions{Store: store, API: client, DryRun: *dryRun, Generate: *generate != "", CompanyID: company, Invocation: inv})
		if err != nil {
			return fail(std, "import", err)
		}
		report := engine.ImportReport{Result: res, DryRun: *dryRun, Invocation: inv}
		if *generate != "" {
			report.GenerateDir = *generate
			report.Generated, report.NotGenerated, err = engine.GenerateConfigs(res.UnmanagedLive, cfg, store.State())
			if err == nil {
				err = engine.GenerateGroups(ctx, client, report.Generated, cfg, store.State())
			}
			if err != nil {
				return fail(std, "import", err)
			}
			if !*dryRun {
				if err := engine.WriteGenerated(*generate, report.Generated); err != nil {
					return fail(std, "import", err)
				}
			}
		}
		if err := engine.WriteImportReport(std.out, report); err != nil {
			return fail(std, "import", err)
		}
		if err := store.Close(); err != nil {
			return fail(std, "import", err)
		}
		if n := len(res.Conflicts); n > 0 {
			return fail(std, "import", fmt.Errorf("%s not adopted (see above); apply refuses to create an office whose name is live", plural(n, "office")))
		}
		if res.Groups != nil && len(res.Groups.Conflicts) > 0 {
			return fail(std, "import", fmt.Errorf("%s (departments and call centers) not adopted (see above); apply refuses to create a group whose name is live in its office", plural(len(res.Groups.Conflicts), "group")))
		}
		return exitOK
	}
}

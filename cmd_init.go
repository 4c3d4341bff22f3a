package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/officectl/officectl/engine"
	"github.com/officectl/officectl/engine/plan"
)

// cmdInit writes the example config that the binary carries, so that a
// user who installed officectl with go install has a config to start from.
func cmdInit(fs *pflag.FlagSet, std stdio) func([]string) int {
	return func(args []string) int {
		dir, err := dirArg(args)
		if err != nil {
			return fail(std, "init", err)
		}
		path, err := engine.WriteExample(dir)
		if err != nil {
			return fail(std, "init", err)
		}
		fmt.Fprintf(std.err, "Wrote %s: an example config of three offices, with comments. Edit it, then run: %s\n", path, plan.Invocation{}.Command("validate", dir))
		return exitOK
	}
}

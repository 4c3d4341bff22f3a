package main

import (
	"fmt"
	"os"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
)

// notPlanFile refuses a plan file given where a command takes the config
// directory (plan, drift, import, export, state): it says that a plan file
// goes to apply instead of failing later on DIR/officectl.state.
func notPlanFile(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil || !fi.Mode().IsRegular() || !load.SniffPlanFile(dir) {
		return nil
	}
	return fmt.Errorf("%s is an officectl plan file: this command takes the config directory; a plan file goes to `%s`",
		dir, plan.Invocation{}.Command("apply", dir))
}

package main

import (
	"fmt"
	"os"

	"github.com/officectl/officectl/engine"
)

// notPlanFile refuses a plan file given where a command takes the config
// directory (plan, drift, import, export, state): it says that a plan file
// goes to apply instead of failing later on DIR/officectl.state.
func notPlanFile(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil || !fi.Mode().IsRegular() || !engine.SniffPlanFile(dir) {
		return nil
	}
	return fmt.Errorf("%s is an officectl plan file: this command takes the config directory; a plan file goes to `%s`",
		dir, engine.Invocation{}.Command("apply", dir))
}

package plan

import (
	"strings"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/offices"
)

// Invocation is the config directory and state file a command was given,
// as given, so that the commands its hints print run as printed from
// where the user ran it (not only from inside the config directory).
type Invocation struct {
	// Dir is the config directory argument; "" and "." are left out of
	// the commands.
	Dir string
	// State is the --state value; "" when the flag was not given.
	State string
}

// Command is "officectl CMD ARGS [DIR] [--state FILE]": cmd as written
// (e.g. "state rm", "plan --refresh"), then args, the directory and the
// state file, each shell-quoted when needed and made printable.
func (inv Invocation) Command(cmd string, args ...string) string {
	parts := []string{"officectl", cmd}
	for _, a := range args {
		parts = append(parts, load.ShellQuote(a))
	}
	if inv.Dir != "" && inv.Dir != "." {
		parts = append(parts, load.ShellQuote(inv.Dir))
	}
	if inv.State != "" {
		parts = append(parts, "--state", load.ShellQuote(inv.State))
	}
	return offices.Printable(strings.Join(parts, " "))
}

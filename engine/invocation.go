package engine

import (
	"regexp"
	"strings"
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
		parts = append(parts, shellQuote(a))
	}
	if inv.Dir != "" && inv.Dir != "." {
		parts = append(parts, shellQuote(inv.Dir))
	}
	if inv.State != "" {
		parts = append(parts, "--state", shellQuote(inv.State))
	}
	return printable(strings.Join(parts, " "))
}

// shellSafe matches the words a POSIX shell reads as they are.
var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:=@%+,-]+$`)

// shellQuote is s as one word for a POSIX shell: unchanged when safe,
// else in single quotes.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

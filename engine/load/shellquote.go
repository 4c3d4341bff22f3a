package load

import (
	"regexp"
	"strings"
)

// shellSafe matches the words a POSIX shell reads as they are.
var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:=@%+,-]+$`)

// ShellQuote is s as one word for a POSIX shell: unchanged when safe,
// else in single quotes. plan.Invocation.Command builds its commands with
// it; load itself names `officectl apply PLANFILE` with it.
func ShellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

package schema

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/officectl/officectl/offices"
)

// Severity of a diagnostic.
const (
	Error   = "error"
	Warning = "warning"
	// Note is information about a file, not a problem in it (a plan file
	// in the config directory, skipped).
	Note = "note"
)

// Diagnostic is one problem in a config file, at the place the user wrote
// it. Line and Column are 1-based, zero when the problem has no place in
// the file (a missing file-level field, say).
type Diagnostic struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Severity string `json:"severity"`
	// Path is the field path, such as offices.berlin.ring_seconds.
	Path    string `json:"path"`
	Message string `json:"message"`
}

// String formats d the way compilers do, so editors can jump to it:
// FILE:LINE:COL: error: PATH: MESSAGE.
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(offices.Printable(d.File))
	if d.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", d.Line, max(d.Column, 1))
	}
	b.WriteString(": ")
	b.WriteString(d.Severity)
	b.WriteString(": ")
	if d.Path != "" {
		b.WriteString(offices.Printable(d.Path))
		b.WriteString(": ")
	}
	b.WriteString(offices.Printable(d.Message))
	return b.String()
}

// HasErrors reports whether any diagnostic is an error.
func HasErrors(ds []Diagnostic) bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// lineBreaks is a run of line breaks with the indentation around them.
var lineBreaks = regexp.MustCompile(`[ \t]*[\r\n]+[ \t]*`)

// OneLine joins the lines of a message with spaces: a diagnostic is one
// line, and CUE's messages (or a user's error("...") in a CUE file) may
// have several.
func OneLine(msg string) string {
	if !strings.ContainsAny(msg, "\r\n") {
		return msg
	}
	return strings.TrimSpace(lineBreaks.ReplaceAllString(msg, " "))
}

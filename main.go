// Command officectl keeps a company's Dialpad offices in Git: it validates
// office files against CUE schemas of the Dialpad API, plans the changes
// against a state file, and applies them through the API in dependency
// order, inside the rate limit, without creating an office twice.
//
// main is the command line only: it parses flags into options, calls
// the engine packages (load, plan, render, apply, engine), prints, and
// returns an exit code. Each command is in its cmd_*.go file; cli.go
// holds what they share.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	_ "time/tzdata" // time zones are checked against the embedded tz database

	"github.com/spf13/pflag"

	"github.com/officectl/officectl/offices"
)

// Exit codes.
const (
	exitOK          = 0
	exitError       = 1
	exitChanges     = 2
	exitInterrupted = 130
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func main() {
	// officectl is a short-lived process that holds a whole config in
	// memory: collecting garbage less often loads large configs faster.
	// A process-wide setting, so main decides it, not package load.
	debug.SetGCPercent(400)
	os.Exit(run(os.Args[1:], stdio{os.Stdin, os.Stdout, os.Stderr, os.Getenv}))
}

// stdio is the outside world of one run, so tests can run commands as
// functions.
type stdio struct {
	in     io.Reader
	out    io.Writer
	err    io.Writer
	getenv func(string) string
}

type command struct {
	name    string
	args    string
	summary string
	run     func(fs *pflag.FlagSet, std stdio) func(args []string) int
}

func commands() []command {
	return []command{
		{"validate", "[DIR | FILE]...", "check office files against the schema and report every problem", cmdValidate},
		{"export", "[DIR]", "print the effective offices (defaults filled) as JSON", cmdExport},
		{"plan", "[DIR]", "show what apply would change: the config against the state file", cmdPlan},
		{"apply", "[DIR | PLANFILE]", "create and update offices through the Dialpad API as planned", cmdApply},
		{"import", "[DIR]", "adopt the offices Dialpad already has into the state, by exact name", cmdImport},
		{"drift", "[DIR]", "compare the live offices with their last applied specs (scheduled check)", cmdDrift},
		{"state", "list [DIR] | show KEY [DIR] | rm KEY [DIR] | unlock [DIR]", "inspect the state file of DIR, forget an office, or clear a stale lock", cmdState},
		{"schema", "", "print the CUE schema (or a JSON Schema for editors)", cmdSchema},
		{"sim", "[edit [KIND] ID PATH=JSON... | delete [KIND] ID]", "run the Dialpad API simulator on a loopback address, for demos and tests (edit, delete: change its office, or KIND department or callcenter, as an admin would)", cmdSim},
		{"init", "[DIR]", "write a commented example config into DIR, to start from", cmdInit},
		{"version", "", "print the version", cmdVersion},
	}
}

func run(args []string, std stdio) int {
	if len(args) == 1 && args[0] == "--version" {
		args = []string{"version"}
	}
	if len(args) == 0 {
		usage(std.err)
		return exitError
	}
	if len(args) == 2 && args[0] == "help" {
		args = []string{args[1], "--help"} // help COMMAND: that command's help
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(std.out) // asked for: stdout, so that it pipes into less
		return exitOK
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		fs := pflag.NewFlagSet("officectl "+c.name, pflag.ContinueOnError)
		fs.SetOutput(std.err)
		fs.SortFlags = false
		body := c.run(fs, std)
		fs.Usage = func() { commandUsage(std.out, c, fs) } // only --help calls it
		if err := fs.Parse(args[1:]); err != nil {
			if errors.Is(err, pflag.ErrHelp) {
				return exitOK
			}
			fmt.Fprintf(std.err, "officectl %s: %v\nRun 'officectl %s --help' for usage.\n", c.name, err, c.name)
			return exitError
		}
		return body(fs.Args())
	}
	fmt.Fprintf(std.err, "officectl: unknown command %q\n\n", args[0])
	usage(std.err)
	return exitError
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "officectl manages Dialpad offices as code.\n\nUsage: officectl COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'officectl COMMAND --help' for a command's flags.\n")
}

// commandUsage writes the --help of command c, whose flags are fs.
func commandUsage(w io.Writer, c command, fs *pflag.FlagSet) {
	fmt.Fprintf(w, "Usage: officectl %s\n\n%s.\n", strings.TrimSpace(c.name+" "+c.args), capitalize(c.summary))
	if flags := fs.FlagUsages(); flags != "" {
		fmt.Fprintf(w, "\nFlags:\n%s", flags)
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// dirArg returns the config directory argument, "." by default.
func dirArg(args []string) (string, error) {
	switch len(args) {
	case 0:
		return ".", nil
	case 1:
		return args[0], nil
	}
	return "", fmt.Errorf("too many arguments: %s", strings.Join(args, " "))
}

// fail prints err once, the only place errors are printed, and returns the
// error exit code. The error's text may quote file names, names and API
// messages: it goes through the sanitiser of untrusted text.
func fail(std stdio, cmd string, err error) int {
	fmt.Fprintf(std.err, "officectl %s: %s\n", cmd, offices.PrintableLines(withoutPrefix(err.Error(), cmd)))
	return exitError
}

// withoutPrefix drops from msg the command's name that an error of the
// package doing the command starts with ("drift: ...", "import: ..."), so
// that fail does not print it twice; for "state rm" also a leading
// "state: ".
func withoutPrefix(msg, cmd string) string {
	first, _, _ := strings.Cut(cmd, " ")
	for _, p := range []string{cmd, first} {
		if rest, ok := strings.CutPrefix(msg, p+": "); ok {
			return rest
		}
	}
	return msg
}

// plural writes n and the noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

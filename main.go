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
	"slices"
	"strings"
	_ "time/tzdata" // time zones are checked against the embedded tz database

	"github.com/spf13/pflag"

	"github.com/officectl/officectl/internal/memlimit"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/schema"
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
	// memlimit keeps the memory of small and middling runs near 64 MiB.
	debug.SetGCPercent(400)
	memlimit.Start()
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
	// subs are the subcommands, each with its own help; the command's
	// flags serve them all.
	subs []subcommand
}

// subcommand is a subcommand's usage: its arguments, summary and which
// of its command's flags it takes (the others are left out of its help).
type subcommand struct {
	name    string
	args    string
	summary string
	flags   []string
}

func commands() []command {
	return []command{
		{name: "validate", args: "[DIR | FILE]...", summary: "check config files against the schema and report every problem", run: cmdValidate},
		{name: "export", args: "[DIR]", summary: "print the effective config (offices, departments, call centers; defaults filled) as JSON", run: cmdExport},
		{name: "plan", args: "[DIR]", summary: "show what apply would change: the config against the state file", run: cmdPlan},
		{name: "apply", args: "[DIR | PLANFILE]", summary: "carry out the plan through the Dialpad API: create offices, create, update and delete departments and call centers, set operators", run: cmdApply},
		{name: "import", args: "[DIR]", summary: "adopt the offices, departments and call centers Dialpad already has into the state, by exact name", run: cmdImport},
		{name: "drift", args: "[DIR]", summary: "compare what Dialpad has with what was last applied, for a scheduled check", run: cmdDrift},
		{name: "state", args: "list [DIR] | show KEY [DIR] | rm KEY [DIR] | unlock [DIR]", summary: "inspect the state file of DIR, forget an office, department or call center, or clear a stale lock", run: cmdState,
			subs: []subcommand{
				{"list", "[DIR]", "list the entries of the state file", []string{"state"}},
				{"show", "KEY [DIR]", "print the state entry of KEY as JSON", []string{"state"}},
				{"rm", "KEY [DIR]", "forget KEY: it stays in Dialpad, no longer managed", []string{"state", "lock-timeout"}},
				{"unlock", "[DIR]", "clear the lock of an officectl that no longer runs", []string{"state", "lock-id"}},
			}},
		{name: "schema", summary: "print the CUE schema (or a JSON Schema for editors)", run: cmdSchema},
		{name: "sim", args: "[edit [KIND] ID PATH=JSON... | delete [KIND] ID]", summary: "run the Dialpad API simulator on a loopback address, for demos and tests (edit, delete: change its office, or KIND department or callcenter, as an admin would)", run: cmdSim,
			subs: []subcommand{
				{"edit", "[office | department | callcenter] ID PATH=JSON...", "change a running simulator's office or group as an admin would", []string{"url", "token", "allow-non-loopback"}},
				{"delete", "[office | department | callcenter] ID", "delete a running simulator's office or group as an admin would", []string{"url", "token", "allow-non-loopback"}},
			}},
		{name: "init", args: "[DIR]", summary: "write a commented example config into DIR, to start from", run: cmdInit},
		{name: "version", summary: "print the version", run: cmdVersion},
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
	if len(args) > 1 && args[0] == "help" {
		args = append(slices.Clone(args[1:]), "--help") // help COMMAND [SUB]: that command's help
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(std.out) // asked for: stdout, so that it pipes into less
		return exitOK
	}
	c, ok := findCommand(args[0])
	if !ok {
		fmt.Fprintf(std.err, "officectl: unknown command %q%s\n\n", offices.Printable(args[0]), didYouMean(args[0], commandNames(), ""))
		usage(std.err)
		return exitError
	}
	fs := pflag.NewFlagSet("officectl "+c.name, pflag.ContinueOnError)
	fs.SetOutput(std.err)
	fs.SortFlags = false
	body := c.run(fs, std)
	sub := c.subNamed(args[1:])
	name := c.name
	if sub != nil {
		name += " " + sub.name
	}
	fs.Usage = func() { commandUsage(std.out, c, sub, fs) } // only --help calls it
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitOK
		}
		fmt.Fprintf(std.err, "officectl %s: %v%s\nRun 'officectl %s --help' for usage.\n", name, err, flagHint(err, fs, sub), name)
		return exitError
	}
	if err := c.checkSub(fs, sub); err != nil {
		fmt.Fprintf(std.err, "officectl %s: %v\nRun 'officectl %s --help' for usage.\n", name, err, name)
		return exitError
	}
	return body(fs.Args())
}

// findCommand returns the command called name.
func findCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func commandNames() []string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return names
}

// subNamed returns the subcommand that args name (the first argument
// that is a subcommand's name), or nil.
func (c command) subNamed(args []string) *subcommand {
	for _, a := range args {
		for i := range c.subs {
			if c.subs[i].name == a {
				return &c.subs[i]
			}
		}
	}
	return nil
}

// checkSub checks, for a command with subcommands, that the first
// argument is one of them and that only its flags were given.
func (c command) checkSub(fs *pflag.FlagSet, sub *subcommand) error {
	if len(c.subs) == 0 || fs.NArg() == 0 {
		return nil
	}
	var names, uses []string
	for _, s := range c.subs {
		names = append(names, s.name)
		uses = append(uses, "officectl "+c.name+" "+s.name+" "+s.args)
	}
	if first := fs.Arg(0); sub == nil || sub.name != first {
		return fmt.Errorf("unknown subcommand %q%s: use %s", offices.Printable(first), didYouMean(first, names, ""), strings.Join(uses, " | "))
	}
	var err error
	fs.Visit(func(f *pflag.Flag) {
		if err == nil && !slices.Contains(sub.flags, f.Name) {
			err = fmt.Errorf("--%s is not a flag of %s %s (it takes %s)", f.Name, c.name, sub.name, flagList(sub.flags))
		}
	})
	return err
}

func flagList(names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("--" + n)
	}
	return b.String()
}

// didYouMean is " (did you mean PREFIX+X?)" for the candidate X nearest
// to word, or "" when none is near.
func didYouMean(word string, candidates []string, prefix string) string {
	if best := schema.Closest(word, candidates); best != "" {
		return fmt.Sprintf(" (did you mean %s%s?)", prefix, best)
	}
	return ""
}

// flagHint suggests, for pflag's "unknown flag: --NAME", the nearest flag
// of the command (of the subcommand, when one is named).
func flagHint(err error, fs *pflag.FlagSet, sub *subcommand) string {
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return ""
	}
	name, _, _ = strings.Cut(name, "=")
	var names []string
	fs.VisitAll(func(f *pflag.Flag) {
		if sub == nil || slices.Contains(sub.flags, f.Name) {
			names = append(names, f.Name)
		}
	})
	return didYouMean(name, names, "--")
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "officectl manages Dialpad offices, departments, call centers and operators as code.\n\nUsage: officectl COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'officectl help COMMAND' (or 'officectl COMMAND --help') for a command's description, examples and flags.\n")
}

// commandUsage writes the --help of command c, or of its subcommand sub
// when sub is not nil, whose flags are fs: usage, summary, description,
// examples and flags.
func commandUsage(w io.Writer, c command, sub *subcommand, fs *pflag.FlagSet) {
	name, args, summary := c.name, c.args, c.summary
	if sub != nil {
		name, args, summary = c.name+" "+sub.name, sub.args, sub.summary
	}
	h := helps[name]
	fmt.Fprintf(w, "Usage: officectl %s\n\n%s.\n", strings.TrimSpace(name+" "+args), capitalize(summary))
	if h.text != "" {
		fmt.Fprintf(w, "\n%s\n", h.text)
	}
	if sub == nil && len(c.subs) > 0 {
		fmt.Fprintf(w, "\nSubcommands:\n")
		for _, s := range c.subs {
			fmt.Fprintf(w, "  %-7s %s\n", s.name, s.summary)
		}
		fmt.Fprintf(w, "\nRun 'officectl help %s SUBCOMMAND' for a subcommand's description, examples and flags.\n", c.name)
	}
	if len(h.examples) > 0 {
		fmt.Fprintf(w, "\nExamples:\n")
		for _, e := range h.examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
	shown := fs
	if sub != nil {
		shown = pflag.NewFlagSet(name, pflag.ContinueOnError)
		shown.SortFlags = false
		for _, f := range sub.flags {
			shown.AddFlag(fs.Lookup(f))
		}
	}
	if flags := shown.FlagUsages(); flags != "" {
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

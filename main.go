// Command officectl keeps a company's Dialpad offices in Git: it validates
// office files against CUE schemas of the Dialpad API, plans the changes
// against a state file, and applies them through the API in dependency
// order, inside the rate limit, without creating an office twice.
//
// main is the command line only: it parses flags into options, calls
// package engine, prints, and returns an exit code.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // time zones are checked against the embedded tz database

	"github.com/officectl/officectl/engine"
	"github.com/officectl/officectl/engine/apply"
	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/engine/render"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/schema"
	"github.com/officectl/officectl/state"
	"github.com/spf13/pflag"
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
	// officectl is a short-lived process that holds a config in memory:
	// collecting less often makes loading a large config about a third
	// faster. The process decides this, not the library (STYLE habit 15).
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
	run     func(fs *pflag.FlagSet, io stdio) func(args []string) int
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
		{"sim", "[edit ID PATH=JSON... | delete ID]", "run the Dialpad API simulator on a loopback address, for demos and tests (edit, delete: change it as an admin would)", cmdSim},
		{"init", "[DIR]", "write a commented example config into DIR, to start from", cmdInit},
		{"version", "", "print the version", cmdVersion},
	}
}

func run(args []string, io stdio) int {
	if len(args) == 1 && args[0] == "--version" {
		args = []string{"version"}
	}
	if len(args) == 0 {
		usage(io.err)
		return exitError
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(io.out) // asked for: stdout, so that it pipes into less
		return exitOK
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		fs := pflag.NewFlagSet("officectl "+c.name, pflag.ContinueOnError)
		fs.SetOutput(io.err)
		fs.SortFlags = false
		body := c.run(fs, io)
		fs.Usage = func() { commandUsage(io.out, c, fs) } // only --help calls it
		if err := fs.Parse(args[1:]); err != nil {
			if errors.Is(err, pflag.ErrHelp) {
				return exitOK
			}
			fmt.Fprintf(io.err, "officectl %s: %v\nRun 'officectl %s --help' for usage.\n", c.name, err, c.name)
			return exitError
		}
		return body(fs.Args())
	}
	fmt.Fprintf(io.err, "officectl: unknown command %q\n\n", args[0])
	usage(io.err)
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
func fail(io stdio, cmd string, err error) int {
	fmt.Fprintf(io.err, "officectl %s: %s\n", cmd, offices.PrintableLines(withoutPrefix(err.Error(), cmd)))
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

func cmdValidate(fs *pflag.FlagSet, io stdio) func([]string) int {
	format := fs.String("format", "text", "output format: text, json or github (pull-request annotations)")
	statePath := fs.String("state", "", "state file to leave out of the config (default DIR/officectl.state)")
	return func(args []string) int {
		if len(args) == 0 {
			args = []string{"."}
		}
		if *format != "text" && *format != "json" && *format != "github" {
			return fail(io, "validate", fmt.Errorf("unknown --format %q: use text, json or github", *format))
		}
		opts, err := loadOptions(io, args, *statePath)
		if err != nil {
			return fail(io, "validate", err)
		}
		cfg, diags, err := load.LoadPaths(args, opts)
		if err != nil {
			return fail(io, "validate", err)
		}
		if err := load.WriteDiagnostics(io.out, diags, *format); err != nil {
			return fail(io, "validate", err)
		}
		if cfg == nil {
			if *format == "text" {
				fmt.Fprintf(io.err, "%s\n", countProblems(diags))
			}
			return exitError
		}
		if *format == "text" {
			fmt.Fprintf(io.err, "%s valid\n", plural(len(cfg.Offices), "office"))
		}
		return exitOK
	}
}

func countProblems(diags []schema.Diagnostic) string {
	var errs, warns int
	files := map[string]bool{}
	for _, d := range diags {
		if d.Severity == schema.Error {
			errs++
			files[d.File] = true
		} else if d.Severity == schema.Warning {
			warns++
		}
	}
	return fmt.Sprintf("%s in %s, %s", plural(errs, "error"), plural(len(files), "file"), plural(warns, "warning"))
}

// skipFiles lists the state file and its companions, which live in the
// config directory but are not config.
func skipFiles(dir, statePath string) []string {
	statePath = statePathFor(dir, statePath)
	return []string{statePath, statePath + ".backup", statePath + ".lock"}
}

// loadOptions are the options of loading the config in dir: the state
// file's companions left out, the size limit per file from
// OFFICECTL_MAX_FILE_SIZE and the time limit from OFFICECTL_LOAD_TIMEOUT.
func loadOptions(io stdio, paths []string, statePath string) (load.LoadOptions, error) {
	opts := load.LoadOptions{Timeout: load.DefaultLoadTimeout}
	for _, p := range paths {
		opts.Skip = append(opts.Skip, skipFiles(p, statePath)...)
	}
	if v := io.getenv(load.LoadTimeoutEnv); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return opts, fmt.Errorf("%s=%q: give a duration such as 30s or 20m (0: no limit)", load.LoadTimeoutEnv, v)
		}
		opts.Timeout = d
	}
	if v := io.getenv(load.MaxFileSizeEnv); v != "" {
		n, err := load.ParseSize(v)
		if err != nil {
			return opts, fmt.Errorf("%s: %w", load.MaxFileSizeEnv, err)
		}
		opts.MaxFileSize = n
	}
	return opts, nil
}

// loadConfig loads dir and prints diagnostics (warnings too) to stderr;
// it fails when the config is invalid.
func loadConfig(io stdio, dir, statePath string) (*load.Config, error) {
	opts, err := loadOptions(io, []string{dir}, statePath)
	if err != nil {
		return nil, err
	}
	cfg, diags, err := load.Load(dir, opts)
	if err != nil {
		return nil, err
	}
	if err := load.WriteDiagnostics(io.err, diags, "text"); err != nil {
		return nil, err
	}
	if cfg == nil {
		return nil, fmt.Errorf("the config in %s is invalid (%s); run officectl validate %s", dir, countProblems(diags), dir)
	}
	return cfg, nil
}

func cmdExport(fs *pflag.FlagSet, io stdio) func([]string) int {
	statePath := fs.String("state", "", "state file to leave out of the config (default DIR/officectl.state)")
	return func(args []string) int {
		dir, err := dirArg(args)
		if err != nil {
			return fail(io, "export", err)
		}
		cfg, err := loadConfig(io, dir, *statePath)
		if err != nil {
			return fail(io, "export", err)
		}
		if err := engine.Export(io.out, cfg); err != nil {
			return fail(io, "export", err)
		}
		return exitOK
	}
}

func cmdSchema(fs *pflag.FlagSet, io stdio) func([]string) int {
	format := fs.String("format", "cue", "cue, or jsonschema for YAML and JSON editors")
	return func(args []string) int {
		if len(args) > 0 {
			return fail(io, "schema", fmt.Errorf("unexpected arguments: %s", strings.Join(args, " ")))
		}
		switch *format {
		case "cue":
			io.out.Write(schema.Source())
		case "jsonschema":
			b, err := schema.JSONSchema()
			if err != nil {
				return fail(io, "schema", err)
			}
			io.out.Write(b)
		default:
			return fail(io, "schema", fmt.Errorf("unknown --format %q: use cue or jsonschema", *format))
		}
		return exitOK
	}
}

func cmdVersion(fs *pflag.FlagSet, io stdio) func([]string) int {
	return func(args []string) int {
		bi, ok := debug.ReadBuildInfo()
		if !ok {
			bi = nil
		}
		fmt.Fprintf(io.out, "officectl %s\n", versionString(version, bi))
		return exitOK
	}
}

// sortedKeys is used by commands that print maps.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// plural writes n and the noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// statePathFor is the state file of every command: --state, or
// officectl.state in the config directory.
func statePathFor(dir, flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return filepath.Join(dir, "officectl.state")
}

func cmdPlan(fs *pflag.FlagSet, io stdio) func([]string) int {
	statePath := fs.String("state", "", "state file (default DIR/officectl.state)")
	format := fs.String("format", "text", "output format: text, markdown (pull-request comment) or json")
	out := fs.String("out", "", "also save the plan to `PLANFILE`, for officectl apply PLANFILE")
	detailed := fs.Bool("detailed-exitcode", false, "exit 0 when nothing changes, 2 when something does, 1 on error")
	refresh := fs.Bool("refresh", false, "also fetch each managed office from Dialpad and plan what changed there since the last apply (drift)")
	parallelism := fs.Int("parallelism", plan.DefaultParallelism, "with --refresh: most API requests in flight at once")
	api := addAPIFlags(fs)
	return func(args []string) int {
		dir, err := dirArg(args)
		if err != nil {
			return fail(io, "plan", err)
		}
		if *format != "text" && *format != "markdown" && *format != "json" {
			return fail(io, "plan", fmt.Errorf("unknown --format %q: use text, markdown or json", *format))
		}
		cfg, err := loadConfig(io, dir, *statePath)
		if err != nil {
			return fail(io, "plan", err)
		}
		st, err := state.Load(statePathFor(dir, *statePath))
		if err != nil {
			return fail(io, "plan", err)
		}
		p, err := plan.MakePlan(cfg, st)
		if err != nil {
			return fail(io, "plan", err)
		}
		if *refresh {
			if err := refreshPlan(io, p, st, api, *parallelism, *out); err != nil {
				return fail(io, "plan", err)
			}
		}
		if err := renderPlan(io, p, *format); err != nil {
			return fail(io, "plan", err)
		}
		if path := io.getenv("GITHUB_STEP_SUMMARY"); path != "" {
			if err := appendStepSummary(path, p); err != nil {
				return fail(io, "plan", err)
			}
		}
		if *out != "" {
			if err := p.SetPaths(*out, dir, statePathFor(dir, *statePath)); err != nil {
				return fail(io, "plan", err)
			}
			if err := plan.SavePlanFile(*out, p); err != nil {
				return fail(io, "plan", err)
			}
			fmt.Fprintf(io.err, "Plan saved to %s; apply it with: officectl apply %s\n", *out, *out)
		}
		if *detailed && p.Summary().Changed() > 0 {
			return exitChanges
		}
		return exitOK
	}
}

// renderPlan prints p in format on stdout; text is coloured only on a
// terminal and never with NO_COLOR.
func renderPlan(io stdio, p *plan.Plan, format string) error {
	switch format {
	case "markdown":
		return render.RenderMarkdown(io.out, p)
	case "json":
		return plan.RenderJSON(io.out, p)
	}
	color := false
	if f, ok := io.out.(*os.File); ok {
		color = render.ColorEnabled(f, io.getenv)
	}
	return render.RenderText(io.out, p, render.TextOptions{Color: color})
}

// appendStepSummary adds the markdown plan to the GitHub Actions job
// summary.
func appendStepSummary(path string, p *plan.Plan) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err)
	}
	if err := render.RenderMarkdown(f, p); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func cmdState(fs *pflag.FlagSet, io stdio) func([]string) int {
	statePathFlag := fs.String("state", "", "state file (default DIR/officectl.state)")
	lockTimeout := fs.Duration("lock-timeout", 0, "how long rm waits for another officectl holding the state lock")
	lockID := fs.String("lock-id", "", "unlock: clear the lock with this id (shown by unlock) without asking; required when stdin is not a terminal")
	return func(args []string) int {
		// list, show and rm read a state in which two offices share one id,
		// so that the wrong one can be found and forgotten; saves still refuse it.
		repair := state.Options{LockTimeout: *lockTimeout, AllowDuplicateIDs: true}
		if len(args) == 0 {
			return fail(io, "state", fmt.Errorf("missing subcommand: list [DIR], show KEY [DIR], rm KEY [DIR] or unlock [DIR]"))
		}
		sub, rest := args[0], args[1:]
		statePath, err := stateArgs(sub, rest, *statePathFlag)
		if err != nil {
			return fail(io, "state "+sub, err)
		}
		switch sub {
		case "list":
			st, err := state.LoadWith(statePath, repair)
			if err != nil {
				return fail(io, "state list", err)
			}
			if err := st.Validate(); err != nil {
				fmt.Fprintf(io.err, "officectl state list: warning: %s; forget the wrong one with officectl state rm --state %s KEY\n", offices.Printable(err.Error()), offices.Printable(statePath))
			}
			for _, k := range st.Keys() {
				e := st.Offices[k]
				id := e.ID
				if id == "" {
					id = "-"
				}
				fmt.Fprintf(io.out, "%s\t%s\t%s\t%s\n", offices.Printable(k), offices.Printable(string(e.Status)), offices.Printable(id), offices.Printable(e.Name))
			}
			return exitOK
		case "show":
			key := rest[0] // stateArgs checked it is there
			st, err := state.LoadWith(statePath, repair)
			if err != nil {
				return fail(io, "state show", err)
			}
			e, ok := st.Offices[key]
			if !ok {
				return fail(io, "state show", fmt.Errorf("no office %q in %s; see officectl state list --state %s", key, statePath, statePath))
			}
			b, err := json.MarshalIndent(e, "", "  ")
			if err != nil {
				return fail(io, "state show", err)
			}
			fmt.Fprintf(io.out, "%s\n", offices.EscapeJSON(b))
			return exitOK
		case "rm":
			key := rest[0] // stateArgs checked it is there
			store, err := state.Open(statePath, repair)
			if err != nil {
				return fail(io, "state rm", err)
			}
			defer store.Close()
			var forgot *state.Entry
			err = store.Update(func(st *state.State) error {
				e, ok := st.Offices[key]
				if !ok {
					return fmt.Errorf("no office %q in %s; see officectl state list --state %s", key, statePath, statePath)
				}
				forgot = e
				delete(st.Offices, key)
				return nil
			})
			if err != nil {
				return fail(io, "state rm", err)
			}
			id := forgot.ID
			if id == "" {
				id = "no id: its create was pending"
			}
			fmt.Fprintf(io.out, "Forgot %s (%q, Dialpad id %s). The office still exists in Dialpad; officectl no longer manages it.\n", offices.Printable(key), forgot.Name, offices.Printable(id))
			return exitOK
		case "unlock":
			return stateUnlock(io, statePath, *lockID)
		}
		return fail(io, "state", fmt.Errorf("unknown subcommand %q: use list [DIR], show KEY [DIR], rm KEY [DIR] or unlock [DIR]", sub))
	}
}

// stateUnlock clears a lock that no running process of this host holds
// (state.InspectLock decides which): it shows the holder, then needs
// "yes" typed on a terminal or the lock's id (--lock-id).
func stateUnlock(io stdio, statePath, id string) int {
	lf, err := state.InspectLock(statePath)
	if err != nil {
		return fail(io, "state unlock", err)
	}
	if lf == nil {
		fmt.Fprintf(io.out, "%s is not locked: nothing to do.\n", statePath)
		return exitOK
	}
	defer lf.Close()
	fmt.Fprintf(io.err, "The lock of %s is held by %s (lock id %s).\n", statePath, lf.Describe(), lf.ID)
	if id == "" {
		if !isTerminal(io.in) {
			return fail(io, "state unlock", fmt.Errorf("stdin is not a terminal, so unlock cannot ask: make sure that process is no longer running, then pass --lock-id %s", lf.ID))
		}
		fmt.Fprint(io.err, "If that process still runs, two officectl writing one state can create offices twice.\nClear the lock? Only 'yes' is accepted: ")
		answer, _ := bufio.NewReader(io.in).ReadString('\n')
		if strings.TrimSpace(answer) != "yes" {
			fmt.Fprintln(io.err, "Unlock cancelled: the lock is still there.")
			return exitError
		}
		id = lf.ID
	}
	if err := lf.Remove(id); err != nil {
		return fail(io, "state unlock", err)
	}
	fmt.Fprintf(io.out, "Cleared the lock of %s (lock id %s).\n", statePath, id)
	return exitOK
}

// apiFlags are the flags of every command that talks to the Dialpad API.
// The key is never a flag: it comes from DIALPAD_API_KEY or a file.
type apiFlags struct {
	url, keyFile string
	rate         int
	debug        bool
	maxRetryWait time.Duration
}

// addAPIFlags defines --api-url, --api-key-file, --rate and --debug on fs.
func addAPIFlags(fs *pflag.FlagSet) *apiFlags {
	a := &apiFlags{}
	fs.StringVar(&a.url, "api-url", "", "Dialpad API base URL (default $DIALPAD_API_URL, else "+offices.DefaultBaseURL+"); plain http only to loopback")
	fs.StringVar(&a.keyFile, "api-key-file", "", "read the API key from this file (default: the DIALPAD_API_KEY environment variable)")
	fs.IntVar(&a.rate, "rate", 1200, "most API requests per minute, shared by all requests")
	fs.BoolVar(&a.debug, "debug", false, "log every API request and retry to stderr (never the key)")
	fs.DurationVar(&a.maxRetryWait, "max-retry-wait", offices.DefaultMaxRetryWait, "longest wait before retrying a request; a 429 whose Retry-After asks for more fails the request")
	return a
}

// maxKeyFileSize bounds --api-key-file: a Dialpad key is under 100 bytes.
const maxKeyFileSize = 4 << 10

// client builds the API client: URL from --api-url or DIALPAD_API_URL,
// key from --api-key-file or DIALPAD_API_KEY. Debug lines go to io.err.
func (a *apiFlags) client(io stdio) (*offices.Client, error) {
	if a.rate < 2 {
		return nil, fmt.Errorf("--rate %d: give at least 2 requests per minute", a.rate)
	}
	if a.maxRetryWait <= 0 {
		return nil, fmt.Errorf("--max-retry-wait %s: give a positive duration, e.g. 60s", a.maxRetryWait)
	}
	url := a.url
	if url == "" {
		url = io.getenv("DIALPAD_API_URL")
	}
	key := io.getenv("DIALPAD_API_KEY")
	if a.keyFile != "" {
		b, err := load.ReadRegularFile(a.keyFile, maxKeyFileSize)
		if err != nil {
			// The error names the file, never its content.
			return nil, fmt.Errorf("--api-key-file: %w: give a regular file of at most %s holding only the key (for a key from a pipe, set DIALPAD_API_KEY instead)", err, load.FormatSize(maxKeyFileSize))
		}
		key = strings.TrimSpace(string(b))
		if key == "" {
			return nil, fmt.Errorf("--api-key-file %s is empty", a.keyFile)
		}
	}
	cfg := offices.ClientConfig{BaseURL: url, APIKey: key, Rate: a.rate, MaxRetryWait: a.maxRetryWait}
	if a.debug {
		var mu sync.Mutex
		cfg.Debug = func(line string) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintln(io.err, offices.Printable(line)) // statuses and errors from the server
		}
	}
	return offices.NewClient(cfg)
}

// simDemoToken is the key `officectl sim` accepts when DIALPAD_API_KEY is
// not set: the simulator guards nothing, so a fixed token is fine.
const simDemoToken = "officectl-demo-token"

func cmdSim(fs *pflag.FlagSet, io stdio) func([]string) int {
	addr := fs.String("addr", "127.0.0.1:8089", "loopback HOST:PORT to listen on (port 0 picks a free one; the URL is printed)")
	rate := fs.Int("rate", 1200, "requests admitted per sliding minute before answering 429 (negative: no limit)")
	latency := fs.Duration("latency", 0, "delay added to every request, e.g. 100ms")
	faults := fs.String("faults", "", "faults to inject, e.g. 5xx=0.1,429=0.05,reset=0.03,drop=0.05 (drop: created, then the connection closes)")
	seed := fs.Uint64("seed", 1, "seed of the random faults")
	tokenFlag := fs.String("token", "", "the API key the simulator accepts (default $DIALPAD_API_KEY, else "+simDemoToken+")")
	data := fs.String("data", "", "keep the offices in this file across restarts (ids are never given twice); written atomically after every change")
	allowNonLoopback := fs.Bool("allow-non-loopback", false, "listen on an --addr that is not loopback, on purpose: the simulator has no real security")
	simURL := fs.String("url", "", "edit, delete: the simulator's URL (default $DIALPAD_API_URL)")
	return func(args []string) int {
		if len(args) > 0 {
			return simAdmin(io, args, *simURL, *tokenFlag)
		}
		var f officestest.Faults
		if strings.TrimSpace(*faults) != "" {
			var err error
			if f, err = officestest.ParseFaults(*faults); err != nil {
				return fail(io, "sim", err)
			}
		}
		token := *tokenFlag
		if token == "" {
			token = io.getenv("DIALPAD_API_KEY")
		}
		if token == "" {
			token = simDemoToken
			fmt.Fprintf(io.err, "DIALPAD_API_KEY is not set: the simulator accepts the key %q\n", simDemoToken)
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		opts := officestest.Options{Token: token, RatePerMinute: *rate, Latency: *latency, Faults: f, Seed: *seed,
			DataFile: *data, AllowNonLoopback: *allowNonLoopback}
		if err := officestest.Run(ctx, *addr, opts, io.err); err != nil {
			return fail(io, "sim", err)
		}
		return exitOK
	}
}

func cmdApply(fs *pflag.FlagSet, io stdio) func([]string) int {
	statePath := fs.String("state", "", "state file (default DIR/officectl.state; with a PLANFILE, the one it records)")
	configDir := fs.String("config", "", "with a PLANFILE: the config directory it was made from (default: the one it records)")
	autoApprove := fs.Bool("auto-approve", false, "apply without asking; required when stdin is not a terminal")
	maxCreates := fs.Int("max-creates", 25, "refuse a plan that creates more offices than this: each one changes the company's Dialpad bill")
	parallelism := fs.Int("parallelism", plan.DefaultParallelism, "most API requests in flight at once")
	failFast := fs.Bool("fail-fast", false, "start no more offices after the first failure")
	format := fs.String("format", "text", "progress: text (on stderr) or json (one event per line on stdout)")
	lockTimeout := fs.Duration("lock-timeout", 0, "how long to wait while another officectl holds the state lock")
	adoptExisting := fs.Bool("adopt-existing", false, "adopt, as import does, an office whose exact name is live and that the state lacks, instead of failing")
	detailed := fs.Bool("detailed-exitcode", false, "exit 2 when everything planned succeeded but manual changes or orphans were left as they are (the config is not what Dialpad has)")
	api := addAPIFlags(fs)
	return func(args []string) int {
		failf := func(format string, a ...any) int { return fail(io, "apply", fmt.Errorf(format, a...)) }
		arg, err := dirArg(args)
		switch {
		case err != nil:
			return fail(io, "apply", err)
		case *format != "text" && *format != "json":
			return failf("unknown --format %q: use text or json", *format)
		case *parallelism < 1:
			return failf("--parallelism %d: give at least 1", *parallelism)
		case *maxCreates < 0:
			return failf("--max-creates %d: give 0 or more", *maxCreates)
		}
		saved, err := planFileArg(arg)
		if err != nil {
			return fail(io, "apply", err)
		}
		client, err := api.client(io)
		if err != nil {
			return fail(io, "apply", err)
		}
		dir, stPath := arg, *statePath
		if saved != nil {
			if dir, stPath, err = planFilePaths(io, arg, saved, *configDir, *statePath); err != nil {
				return fail(io, "apply", err)
			}
		} else if *configDir != "" {
			return failf("--config goes with a PLANFILE; to apply a config directory, give it as the argument")
		} else if err := strayState("apply", dir, *statePath); err != nil {
			return fail(io, "apply", err)
		}
		cfg, err := loadConfig(io, dir, stPath)
		if err != nil {
			return fail(io, "apply", err)
		}

		store, err := state.Open(statePathFor(dir, stPath), state.Options{LockTimeout: *lockTimeout})
		if err != nil {
			return fail(io, "apply", err)
		}
		defer store.Close()
		if h := store.StaleLock(); h != nil {
			fmt.Fprintf(io.err, "officectl apply: took over the lock of %s, which is no longer running; its pending creates are resumed\n", offices.Printable(h.String()))
		}
		p, err := plan.MakePlan(cfg, store.State())
		if err != nil {
			return fail(io, "apply", err)
		}
		company, err := checkBeforeApply(saved, p, store.State(), client, *parallelism)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return exitInterrupted
			}
			return failf("%s: %w", arg, err)
		}
		if code, ok := approveApply(io, p, *maxCreates, *autoApprove); !ok {
			return code
		}
		// The company goes into the state before the run when the state
		// exists, else once the run has saved it.
		if err := plan.RecordCompany(store, company); err != nil {
			return fail(io, "apply", err)
		}

		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		applied := make(chan struct{})
		defer close(applied) // before stop, which ends ctx too
		go func() {
			select {
			case <-ctx.Done():
			case <-applied:
				return
			}
			stop() // a second signal ends the process at once; pending entries keep it safe
			if *format == "text" {
				fmt.Fprintf(io.err, "\nofficectl apply: stopping: no new request starts; waiting for %s in flight (interrupt again to quit at once: their entries stay pending)\n",
					plural(int(client.Stats().InFlight), "request"))
			}
		}()
		opts := apply.ApplyOptions{Store: store, API: client, Parallelism: *parallelism, FailFast: *failFast, AdoptExisting: *adoptExisting}
		var progress *apply.Progress
		if *format == "json" {
			emit := apply.JSONEvents(io.out)
			opts.Events = func(e apply.Event) {
				if e.Type == apply.EventSummary {
					s := client.Stats()
					e.Requests, e.Throttled = s.Requests, s.Throttled
				}
				emit(e)
			}
		} else {
			progress = apply.NewProgress(io.err, apply.ProgressOptions{
				Live:     isTerminal(io.err),
				Requests: func() int64 { return client.Stats().Requests },
			})
			opts.Events = progress.Event
		}
		res, err := apply.Apply(ctx, p, opts)
		if progress != nil {
			progress.Close()
		}
		if res == nil {
			return fail(io, "apply", err)
		}
		if rerr := plan.RecordCompany(store, company); rerr != nil && err == nil {
			err = rerr
		}
		if *format == "text" {
			apply.WriteApplySummary(io.err, res)
			s := client.Stats()
			fmt.Fprintf(io.err, "API: %s, %d answered 429 Too Many Requests, %d retried.\n", plural(int(s.Requests), "request"), s.Throttled, s.Retries)
		}
		if path := io.getenv("GITHUB_STEP_SUMMARY"); path != "" {
			if serr := appendApplySummary(path, res); serr != nil {
				fail(io, "apply", serr) // the run's outcome decides the exit code
			}
		}
		if err := store.Close(); err != nil {
			return fail(io, "apply", err)
		}
		if oe := (*apply.OfficeError)(nil); err != nil && !errors.As(err, &oe) && !errors.Is(err, apply.ErrInterrupted) {
			fail(io, "apply", err) // not listed with the offices
		}
		switch {
		case res.Interrupted:
			return exitInterrupted
		case err != nil:
			return exitError
		case *detailed && len(res.NotApplied()) > 0:
			fmt.Fprintf(io.err, "officectl apply: %s\n", res.NotAppliedText())
			return exitChanges
		}
		return exitOK
	}
}

// appendApplySummary adds the apply run to the GitHub Actions job summary.
func appendApplySummary(path string, res *apply.ApplyResult) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err)
	}
	if err := apply.WriteApplyMarkdown(f, res); err != nil {
		f.Close()
		return fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err)
	}
	return f.Close()
}

// planFileArg reads arg as a plan file when it is a regular file, whatever
// its name; it returns nil for anything else, a config directory.
func planFileArg(arg string) (*plan.Plan, error) {
	fi, err := os.Stat(arg)
	if err != nil || !fi.Mode().IsRegular() {
		return nil, nil
	}
	p, err := plan.ReadPlanFile(arg)
	if errors.Is(err, plan.ErrNotPlanFile) {
		return nil, fmt.Errorf("%s is a file, neither a config directory nor a plan file (officectl plan --out plan.json writes one)", arg)
	}
	return p, err
}

// approveApply prints p on stderr and checks that it may go ahead: no more
// creates than maxCreates, and approval (--auto-approve, or "yes" typed on
// a terminal). When it may not, it returns the exit code and false.
func approveApply(io stdio, p *plan.Plan, maxCreates int, autoApprove bool) (int, bool) {
	color := false
	if f, ok := io.err.(*os.File); ok {
		color = render.ColorEnabled(f, io.getenv)
	}
	if err := render.RenderText(io.err, p, render.TextOptions{Color: color}); err != nil {
		return fail(io, "apply", err), false
	}
	sum := p.Summary()
	if sum.Create+sum.Resume+sum.UpdateE911 == 0 {
		return exitOK, true
	}
	if n := sum.Create + sum.Resume; n > maxCreates {
		return fail(io, "apply", fmt.Errorf("this plan creates up to %s, more than --max-creates %d; offices cost money (each one changes the company's Dialpad bill): check the plan, then pass --max-creates %d", plural(n, "office"), maxCreates, n)), false
	}
	if autoApprove {
		return exitOK, true
	}
	if !isTerminal(io.in) {
		return fail(io, "apply", errors.New("stdin is not a terminal, so apply cannot ask before changing offices: review the plan, then pass --auto-approve")), false
	}
	fmt.Fprint(io.err, "\nApply? Only 'yes' is accepted: ")
	answer, _ := bufio.NewReader(io.in).ReadString('\n')
	if strings.TrimSpace(answer) != "yes" {
		fmt.Fprintln(io.err, "Apply cancelled: nothing was changed.")
		return exitError, false
	}
	return exitOK, true
}

// isTerminal reports whether v is a terminal: a character device other
// than /dev/null (where CI jobs point stdin). Without golang.org/x/term in
// the module this is the portable test.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok || f == nil {
		return false
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(fi, null)
}

// refreshPlan fetches the offices st records from Dialpad and folds their
// drift into p (plan --refresh). A plan that creates again offices deleted
// in Dialpad is not saved to out: apply refuses a create while the state
// records the office.
func refreshPlan(io stdio, p *plan.Plan, st *state.State, api *apiFlags, parallelism int, out string) error {
	if parallelism < 1 {
		return fmt.Errorf("--parallelism %d: give at least 1", parallelism)
	}
	client, err := api.client(io)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := checkRecordedCompany(ctx, client, st); err != nil {
		return err
	}
	rep, err := plan.CheckDrift(ctx, st, plan.DriftOptions{API: client, Parallelism: parallelism})
	if err != nil {
		return err
	}
	plan.MergeDrift(p, rep)
	fmt.Fprintf(io.err, "Refreshed: %s compared with Dialpad, %d drifted.\n", plural(rep.Checked, "office"), rep.Summary().Total())
	for _, s := range rep.Skipped {
		fmt.Fprintf(io.err, "Not compared: %s: %s\n", offices.Printable(s.Key), offices.Printable(s.Reason))
	}
	if keys := p.Recreates(); out != "" && len(keys) > 0 {
		return fmt.Errorf("not saving --out %s: the plan creates again %s, deleted in Dialpad, which apply does only once the state forgets them: run `officectl state rm KEY` for each, then plan again",
			out, strings.Join(keys, ", "))
	}
	return nil
}

func cmdImport(fs *pflag.FlagSet, io stdio) func([]string) int {
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
			return fail(io, "import", err)
		}
		cfg, err := loadConfig(io, dir, *statePath)
		if errors.Is(err, load.ErrNoOfficeFiles) {
			// Adopting a company starts with no config: list and generate.
			cfg, err = load.NewConfig(nil), nil
		}
		if err != nil {
			return fail(io, "import", err)
		}
		client, err := api.client(io)
		if err != nil {
			return fail(io, "import", err)
		}
		store, err := state.Open(statePathFor(dir, *statePath), state.Options{LockTimeout: *lockTimeout})
		if err != nil {
			return fail(io, "import", err)
		}
		defer store.Close()
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		company, err := plan.CheckCompany(ctx, client, store.State())
		if err != nil {
			return fail(io, "import", err)
		}
		res, err := engine.Import(ctx, cfg, engine.ImportOptions{Store: store, API: client, DryRun: *dryRun, CompanyID: company})
		if err != nil {
			return fail(io, "import", err)
		}
		report := engine.ImportReport{Result: res, DryRun: *dryRun}
		if *generate != "" {
			report.GenerateDir = *generate
			report.Generated, report.NotGenerated, err = engine.GenerateConfigs(res.Unmanaged, cfg, store.State())
			if err != nil {
				return fail(io, "import", err)
			}
			if !*dryRun {
				if err := engine.WriteGenerated(*generate, report.Generated); err != nil {
					return fail(io, "import", err)
				}
			}
		}
		if err := engine.WriteImportReport(io.out, report); err != nil {
			return fail(io, "import", err)
		}
		if err := store.Close(); err != nil {
			return fail(io, "import", err)
		}
		if n := len(res.Conflicts); n > 0 {
			return fail(io, "import", fmt.Errorf("%s not adopted (see above); apply refuses to create an office whose name is live", plural(n, "office")))
		}
		return exitOK
	}
}

func cmdDrift(fs *pflag.FlagSet, io stdio) func([]string) int {
	statePath := fs.String("state", "", "state file (default DIR/officectl.state)")
	format := fs.String("format", "text", "output format: text, markdown (issue or comment) or json")
	parallelism := fs.Int("parallelism", plan.DefaultParallelism, "most API requests in flight at once")
	api := addAPIFlags(fs)
	return func(args []string) int {
		dir, err := dirArg(args)
		switch {
		case err != nil:
			return fail(io, "drift", err)
		case *format != "text" && *format != "markdown" && *format != "json":
			return fail(io, "drift", fmt.Errorf("unknown --format %q: use text, markdown or json", *format))
		case *parallelism < 1:
			return fail(io, "drift", fmt.Errorf("--parallelism %d: give at least 1", *parallelism))
		}
		path := statePathFor(dir, *statePath)
		if _, err := os.Stat(path); err != nil {
			return fail(io, "drift", fmt.Errorf("no state file %s: officectl manages no office there yet (run officectl apply or officectl import, or give --state)", path))
		}
		st, err := state.Load(path)
		if err != nil {
			return fail(io, "drift", err)
		}
		client, err := api.client(io)
		if err != nil {
			return fail(io, "drift", err)
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := checkRecordedCompany(ctx, client, st); err != nil {
			return fail(io, "drift", err)
		}
		rep, err := plan.CheckDrift(ctx, st, plan.DriftOptions{API: client, Parallelism: *parallelism})
		if err != nil {
			return fail(io, "drift", err)
		}
		switch *format {
		case "markdown":
			err = render.RenderDriftMarkdown(io.out, rep)
		case "json":
			err = plan.RenderDriftJSON(io.out, rep)
		default:
			color := false
			if f, ok := io.out.(*os.File); ok {
				color = render.ColorEnabled(f, io.getenv)
			}
			err = render.RenderDriftText(io.out, rep, render.TextOptions{Color: color})
		}
		if err != nil {
			return fail(io, "drift", err)
		}
		if rep.Summary().Total() > 0 {
			return exitChanges
		}
		return exitOK
	}
}

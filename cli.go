package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/render"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/schema"
)

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
func loadOptions(std stdio, paths []string, statePath string) (load.LoadOptions, error) {
	opts := load.LoadOptions{Timeout: load.DefaultLoadTimeout}
	for _, p := range paths {
		opts.Skip = append(opts.Skip, skipFiles(p, statePath)...)
	}
	if v := std.getenv(load.LoadTimeoutEnv); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return opts, fmt.Errorf("%s=%q: give a duration such as 30s or 20m (0: no limit)", load.LoadTimeoutEnv, v)
		}
		opts.Timeout = d
	}
	if v := std.getenv(load.MaxFileSizeEnv); v != "" {
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
func loadConfig(std stdio, dir, statePath string) (*load.Config, error) {
	if err := notPlanFile(dir); err != nil {
		return nil, err
	}
	opts, err := loadOptions(std, []string{dir}, statePath)
	if err != nil {
		return nil, err
	}
	cfg, diags, err := load.Load(dir, opts)
	if err != nil {
		return nil, err
	}
	if err := load.WriteDiagnostics(std.err, diags, "text"); err != nil {
		return nil, err
	}
	if cfg == nil {
		return nil, fmt.Errorf("the config in %s is invalid (%s); run officectl validate %s", dir, countProblems(diags), dir)
	}
	return cfg, nil
}

// stateFileName is the state file's name in a config directory.
const stateFileName = "officectl.state"

// statePathFor is the state file of every command: --state, or
// officectl.state in the config directory.
func statePathFor(dir, flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return filepath.Join(dir, stateFileName)
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
// key from --api-key-file or DIALPAD_API_KEY. Debug lines go to std.err.
func (a *apiFlags) client(std stdio) (*offices.Client, error) {
	if a.rate < 2 {
		return nil, fmt.Errorf("--rate %d: give at least 2 requests per minute", a.rate)
	}
	if a.maxRetryWait <= 0 {
		return nil, fmt.Errorf("--max-retry-wait %s: give a positive duration, e.g. 60s", a.maxRetryWait)
	}
	url := a.url
	if url == "" {
		url = std.getenv("DIALPAD_API_URL")
	}
	key := std.getenv("DIALPAD_API_KEY")
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
			fmt.Fprintln(std.err, offices.Printable(line)) // statuses and errors from the server
		}
	}
	return offices.NewClient(cfg)
}

// isTerminal reports whether v is a terminal (golang.org/x/term): not a
// file, a pipe or /dev/null, where CI jobs point stdin.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && f != nil && term.IsTerminal(int(f.Fd()))
}

// color reports whether text written to w may be coloured: w is a
// terminal, and render.ColorEnabled allows it (NO_COLOR unset, TERM not
// dumb).
func (s stdio) color(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f) && render.ColorEnabled(f, s.getenv)
}

// signalContext is the context of a command's work: done at the first
// SIGINT or SIGTERM, so that no new work starts (Ctrl-C). stop releases
// the signals: after it, a second signal ends the process at once.
func signalContext() (ctx context.Context, stop context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// checkFormat checks a --format value against the formats a command
// has, named in the error as "use a, b or c".
func checkFormat(format string, formats ...string) error {
	if slices.Contains(formats, format) {
		return nil
	}
	use := formats[len(formats)-1]
	if len(formats) > 1 {
		use = strings.Join(formats[:len(formats)-1], ", ") + " or " + use
	}
	return fmt.Errorf("unknown --format %q: use %s", format, use)
}

// checkParallelism checks a --parallelism value.
func checkParallelism(n int) error {
	if n < 1 {
		return fmt.Errorf("--parallelism %d: give at least 1", n)
	}
	return nil
}

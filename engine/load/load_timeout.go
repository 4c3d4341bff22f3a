package load

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/officectl/officectl/schema"
)

// DefaultLoadTimeout bounds validating a config directory in the CLI:
// 10,000 office files take seconds, so only a CUE policy too costly to
// evaluate reaches it.
const DefaultLoadTimeout = 10 * time.Minute

// LoadTimeoutEnv names the environment variable that overrides
// DefaultLoadTimeout, e.g. OFFICECTL_LOAD_TIMEOUT=30m (0: no limit).
const LoadTimeoutEnv = "OFFICECTL_LOAD_TIMEOUT"

// ErrLoadTimeout is wrapped by Load's error when opts.Timeout passed.
var ErrLoadTimeout = errors.New("validating the config took too long")

// loadWithin runs load and gives up when opts.Timeout passes.
func loadWithin(paths []string, opts LoadOptions) (*Config, []schema.Diagnostic, error) {
	stop := make(chan struct{})
	opts.stop = stop
	type result struct {
		cfg   *Config
		diags []schema.Diagnostic
		err   error
	}
	done := make(chan result, 1) // the abandoned load never blocks on it
	go func() {
		cfg, diags, err := loadPaths(paths, opts)
		done <- result{cfg, diags, err}
	}()
	t := time.NewTimer(opts.Timeout)
	defer t.Stop()
	select {
	case r := <-done:
		return r.cfg, r.diags, r.err
	case <-t.C:
		close(stop)
		return nil, nil, fmt.Errorf("%s: %w: over %s. CUE files are code, and their policy may be too costly to evaluate: check the .cue files, or raise the limit with the environment variable %s (e.g. %s=30m; 0: no limit)",
			strings.Join(paths, ", "), ErrLoadTimeout, opts.Timeout, LoadTimeoutEnv, LoadTimeoutEnv)
	}
}

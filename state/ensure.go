package state

import (
	"errors"
	"io/fs"
	"os"
)

// EnsureSaved saves the state when its file does not exist yet, so that a
// command that changed nothing still leaves a state file behind (a CI job
// commits it). An existing file is left as it is: rewriting it would only
// raise its serial, which makes saved plan files stale.
func (st *Store) EnsureSaved() error {
	if _, err := os.Stat(st.path); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return st.Update(func(*State) error { return nil })
}

package state

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Options configure Open.
type Options struct {
	// LockTimeout is how long Open waits while another process holds the
	// state's lock; zero fails at once.
	LockTimeout time.Duration
	// AllowDuplicateIDs loads a state in which two entries share one
	// Dialpad id, which Load refuses, so that `state rm` can forget the
	// wrong one; no save succeeds while both are there.
	AllowDuplicateIDs bool
}

// Store is a state file opened for writing: it holds the file's lock and
// the state, and saves the state after every change. It is safe for
// concurrent use; apply updates entries from several goroutines.
//
// Concurrent updates are committed in groups: while one save is being
// written, the updates that arrive meanwhile are applied in memory and
// wait, and the next single save writes them all. Each Update returns only
// once a save that includes its change is durable.
type Store struct {
	path  string
	lock  *Lock
	hooks saveHooks // for tests

	mu    sync.Mutex
	ended sync.Cond // broadcast when a save ends
	state *State
	// Changes are numbered as they are applied: applied counts them,
	// saved is the last one a successful save included, failed the last
	// one a failed save included, failErr that save's error.
	applied, saved, failed uint64
	failErr                error
	saving, closed         bool
	saves                  int // attempts, for tests
	enc                    *encoder
	buf                    []byte // the last save's bytes, reused
}

// Open locks the state file path (see Acquire, waiting up to
// opts.LockTimeout) and loads it (see Load). It refuses a backup
// (PATH.backup) that is a symbolic link or not a regular file, as every
// save would. It removes the temporary files of saves that a crash
// interrupted. Close releases the lock.
func Open(path string, opts Options) (*Store, error) {
	l, err := Acquire(path, opts.LockTimeout)
	if err != nil {
		return nil, err
	}
	removeLeftovers(path)
	s, err := LoadWith(path, opts)
	if err == nil {
		err = refuseLinks(path + ".backup")
		if err != nil {
			err = &Error{Op: "load", Path: path, Err: err}
		}
	}
	if err != nil {
		l.Release()
		return nil, err
	}
	st := &Store{path: path, lock: l, state: s, enc: newCachingEncoder()}
	st.ended.L = &st.mu
	return st, nil
}

// Path returns the state file's path.
func (st *Store) Path() string { return st.path }

// StaleLock returns the holder of an abandoned lock that Open took over
// (its process had died), or nil; worth a warning, since that process may
// have left pending entries.
func (st *Store) StaleLock() *LockInfo { return st.lock.Stale }

// State returns a copy of the state, with every change applied so far
// (including any whose save is still being written).
func (st *Store) State() *State {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.state.Clone()
}

// Entry returns a copy of the entry of key, or nil and false.
func (st *Store) Entry(key string) (*Entry, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	e, ok := st.state.Get(key)
	return e.Clone(), ok
}

// Update applies fn to the state and returns once the changed state is
// saved (see Save): when it returns nil, the change is durable. If fn
// returns an error, Update returns it and saves nothing; fn should then
// have changed nothing, as what it changed stays in memory and goes out
// with the next save. fn runs with the Store locked: it must be quick and
// must not call the Store's methods.
//
// A failed save fails every Update it included; the changes stay in
// memory, and a later successful save writes them. A state that fails
// Validate cannot be saved, so every later Update fails as well.
func (st *Store) Update(fn func(*State) error) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return &Error{Op: "save", Path: st.path, Err: ErrClosed}
	}
	if err := fn(st.state); err != nil {
		return err
	}
	st.applied++
	change := st.applied
	for {
		switch {
		case st.saved >= change:
			return nil
		case st.failed >= change:
			return st.failErr
		case !st.saving:
			st.saveLocked()
		default:
			st.ended.Wait()
		}
	}
}

// saveLocked saves every change applied so far. It is called with st.mu
// held, and releases it while writing.
func (st *Store) saveLocked() {
	st.saving = true
	through := st.applied
	next, data, err := encodeNext(st.path, st.state, st.enc, st.buf)
	if err == nil {
		st.buf = data
		st.mu.Unlock()
		err = writeAtomic(st.path, data, st.hooks)
		st.mu.Lock()
		if err != nil {
			err = &Error{Op: "save", Path: st.path, Err: err}
		}
	}
	if err == nil {
		st.state.Serial, st.state.Lineage, st.state.Version = next.Serial, next.Lineage, next.Version
		st.saved = through
	} else {
		st.failed, st.failErr = through, err
	}
	st.saves++
	st.saving = false
	st.ended.Broadcast()
}

// Close waits for the saves in progress and releases the lock. Updates
// after Close fail with ErrClosed. It is safe to call more than once.
func (st *Store) Close() error {
	st.mu.Lock()
	for st.saving || max(st.saved, st.failed) < st.applied {
		st.ended.Wait()
	}
	if st.closed {
		st.mu.Unlock()
		return nil
	}
	st.closed = true
	st.mu.Unlock()
	return st.lock.Release()
}

// removeLeftovers removes what saves interrupted by a crash left beside
// the state: temporary files that never became the state or its backup.
// Only the lock holder writes them, so with the lock held none is in use.
func removeLeftovers(path string) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		name := e.Name()
		if e.Type().IsRegular() && (strings.HasPrefix(name, "."+base+tmpInfix) || strings.HasPrefix(name, "."+base+backupInfix)) {
			os.Remove(filepath.Join(dir, name))
		}
	}
}

// EntryOf returns a copy of the entry of kind k and key, or nil and false.
func (st *Store) EntryOf(k Kind, key string) (*Entry, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	e, ok := st.state.GetOf(k, key)
	return e.Clone(), ok
}

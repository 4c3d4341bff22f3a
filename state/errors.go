package state

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinels for callers to branch on with errors.Is. The errors this
// package returns are *Error values that wrap one of them, or the
// underlying operating-system error.
var (
	// ErrCorrupt: the state file is not a valid state (bad JSON, wrong
	// types, impossible content). It was left as it is.
	ErrCorrupt = errors.New("state file is corrupt")
	// ErrNewerVersion: the state file was written by a newer officectl.
	// It was left as it is.
	ErrNewerVersion = errors.New("state file is from a newer officectl")
	// ErrLocked: another process holds the state's lock.
	ErrLocked = errors.New("state locked")
	// ErrInvalid: a state that breaks the format's rules (see
	// State.Validate) was not saved.
	ErrInvalid = errors.New("invalid state")
	// ErrClosed: the Store was closed.
	ErrClosed = errors.New("state store is closed")
)

// Error is an error about one state file, shaped like fs.PathError: what was
// being done, to which file, where in it (Line and Column, 1-based, when
// the problem has a position), and why.
type Error struct {
	// Op is "load", "save", "lock" or "unlock".
	Op string
	// Path is the state file's path; empty for Decode.
	Path string
	// Line and Column locate a syntax problem (byte column); zero when
	// the problem has no position.
	Line, Column int
	// Err is the reason; it wraps one of the sentinels (ErrCorrupt,
	// ErrNewerVersion, ErrInvalid, ErrLocked, ErrClosed) when that is the
	// case, else it is the operating system's error.
	Err error
}

// Error reads "PATH:LINE:COL: reason" (as editors expect) or "PATH: reason".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Path != "" {
		b.WriteString(e.Path)
	} else {
		b.WriteString("state")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns e.Err.
func (e *Error) Unwrap() error { return e.Err }

// reasonError is a reason of a given kind (a sentinel) with details and an
// optional cause: "state file is corrupt: offices.x.id: not a number; hint".
type reasonError struct {
	kind  error
	msg   string
	cause error
}

func (e *reasonError) Error() string { return e.kind.Error() + ": " + e.msg }

func (e *reasonError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

// LockInfo is what a lock file holds: who holds the lock, since when.
type LockInfo struct {
	// Host is the holder's host name.
	Host string `json:"host"`
	// PID is the holder's process id on Host.
	PID int `json:"pid"`
	// StartedAt is when it took the lock (UTC, whole seconds).
	StartedAt time.Time `json:"started_at"`
}

// String reads "pid 1234 on host build-7 since 2025-01-02T15:04:05Z".
func (i LockInfo) String() string {
	return fmt.Sprintf("pid %d on host %s since %s", i.PID, i.Host, i.StartedAt.Format(time.RFC3339))
}

// LockedError says who holds a state's lock. errors.Is(err, ErrLocked)
// holds for it.
type LockedError struct {
	// LockPath is the lock file.
	LockPath string
	// Holder is the lock file's content; nil when it could not be read
	// (the holder may have just created it).
	Holder *LockInfo
	// Waited is how long Acquire waited before giving up.
	Waited time.Duration
}

// Error says who holds the lock and what to do.
func (e *LockedError) Error() string {
	var b strings.Builder
	b.WriteString("state locked by ")
	if e.Holder != nil {
		b.WriteString(e.Holder.String())
	} else {
		b.WriteString("another process (" + e.LockPath + ")")
	}
	if e.Waited > 0 {
		fmt.Fprintf(&b, "; still locked after %s: wait for it to finish or raise --lock-timeout", e.Waited.Round(time.Millisecond))
	} else {
		b.WriteString("; wait for it to finish or pass --lock-timeout")
	}
	if !haveFlock {
		b.WriteString("; if it is no longer running, delete " + e.LockPath)
	}
	return b.String()
}

// Is reports whether target is ErrLocked.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

package state

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
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
	// ErrDuplicateID: two entries of the state share one Dialpad id (a
	// merge of two edits of the state in Git can do this). Load refuses
	// such a state (the error also wraps ErrCorrupt) and Save does not
	// write one.
	ErrDuplicateID = errors.New("two offices share one Dialpad id")
	// ErrSymlink: the state file, its backup, its lock or a temporary file
	// of a save is a symbolic link, which officectl never follows.
	ErrSymlink = errors.New("refusing a symbolic link")
	// ErrNotRegular: one of those files is a folder, a named pipe, a
	// device or a socket: officectl reads and writes regular files only.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge: the state file is larger than MaxFileSize.
	ErrTooLarge = errors.New("state file too large")
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
	// ErrNewerVersion, ErrInvalid, ErrLocked, ErrClosed, ErrDuplicateID,
	// ErrSymlink, ErrNotRegular, ErrTooLarge) when that is the case, else
	// it is the operating system's error.
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

// errDuplicateEntries is ErrDuplicateID when one of the two entries is a
// department or a call center: its text says entries, not offices.
var errDuplicateEntries error = &sentinelText{"two entries share one Dialpad id", ErrDuplicateID}

// duplicateIDError returns the ErrDuplicateID of two entries of kinds a
// and b, worded for them.
func duplicateIDError(a, b Kind) error {
	if a == KindOffice && b == KindOffice {
		return ErrDuplicateID
	}
	return errDuplicateEntries
}

// sentinelText is a sentinel under another text: errors.Is finds the
// sentinel.
type sentinelText struct {
	text string
	err  error
}

func (e *sentinelText) Error() string { return e.text }

func (e *sentinelText) Unwrap() error { return e.err }

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
	// Host is the holder's host name. Read from a lock file, it is
	// untrusted text: String quotes it unless it is plain.
	Host string `json:"host"`
	// PID is the holder's process id on Host.
	PID int `json:"pid"`
	// StartedAt is when it took the lock (UTC, whole seconds).
	StartedAt time.Time `json:"started_at"`
	// ID identifies the lock file's content (12 hex digits of its
	// SHA-256), as read from the file; not part of the file. LockFile.Remove
	// takes it, so that a lock is cleared only by someone who saw it.
	ID string `json:"-"`
}

// String reads "pid 1234 on host build-7 since 2025-01-02T15:04:05Z".
func (i LockInfo) String() string {
	return fmt.Sprintf("pid %d on host %s since %s", i.PID, plainHost(i.Host), i.StartedAt.Format(time.RFC3339))
}

// plainHost returns a host name as it is when it is plain (letters,
// digits, '.', '-', '_', at most 255 bytes), else quoted with every
// character that is not printable ASCII escaped, so that no lock file can
// write escape sequences or lines of its own to a terminal or a CI log.
func plainHost(h string) string {
	plain := h != "" && len(h) <= 255
	for _, r := range h {
		if !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-' || r == '_')) {
			plain = false
			break
		}
	}
	if plain {
		return h
	}
	if len(h) > 255 {
		h = h[:255]
	}
	return strconv.QuoteToASCII(h)
}

// LockedError says who holds a state's lock. errors.Is(err, ErrLocked)
// holds for it.
type LockedError struct {
	// LockPath is the lock file.
	LockPath string
	// Holder is the lock file's content; nil when it could not be read
	// (the holder may have just created it).
	Holder *LockInfo
	// OtherHost: no process of this host holds the lock, but the lock
	// file names another host, where its process may still run; such a
	// lock is never taken over (see InspectLock).
	OtherHost bool
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
	if e.OtherHost {
		b.WriteString(", another host: officectl cannot tell whether that process still runs, so it never takes the lock over")
	}
	if e.Waited > 0 {
		fmt.Fprintf(&b, "; still locked after %s: wait for it to finish or raise --lock-timeout", e.Waited.Round(time.Millisecond))
	} else {
		b.WriteString("; wait for it to finish or pass --lock-timeout")
	}
	if e.OtherHost || !haveFlock {
		fmt.Fprintf(&b, "; if it is no longer running, clear the lock with `officectl state unlock --state %s", strings.TrimSuffix(e.LockPath, ".lock"))
		if e.Holder != nil {
			b.WriteString(" --lock-id " + e.Holder.ID)
		}
		b.WriteString("`")
	}
	return b.String()
}

// Is reports whether target is ErrLocked.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

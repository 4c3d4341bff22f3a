package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrLockID: the lock id given to LockFile.Remove is not the id of the
// lock file in place; the lock was left as it is.
var ErrLockID = errors.New("wrong lock id")

// LockFile is a state's lock file that no running process of this host
// holds, opened by InspectLock so that a person can clear it (officectl
// state unlock, like terraform force-unlock): the lock of a process that
// died, or of a process of another host, which Acquire never takes over
// because it cannot tell whether that process still runs.
type LockFile struct {
	// Holder is what the lock file says of its holder; nil when it says
	// nothing readable.
	Holder *LockInfo
	// ID identifies the lock file's content (see LockInfo.ID), also when
	// it names no holder: Remove takes it.
	ID string
	// OtherHost: the lock file names another host (or no host), where
	// its process may still run.
	OtherHost bool

	path     string // the state file
	lockPath string
	f        *os.File // holds the flock while open
}

// InspectLock opens the lock file of the state file path, for clearing
// it. It returns nil and no error when there is none, and refuses with
// ErrLocked a lock that a running process of this host holds: a lock in
// use is never cleared. It refuses a lock file that is a symbolic link or
// not a regular file, as Acquire does, and reads at most 64 KiB of it.
// Until Remove or Close, it holds the lock file's flock, so that no
// process of this host takes the lock meanwhile.
func InspectLock(path string) (*LockFile, error) {
	lockPath := path + ".lock"
	fail := func(err error) (*LockFile, error) {
		return nil, &Error{Op: "unlock", Path: path, Err: err}
	}
	f, err := openRegular(lockPath, os.O_RDWR)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return fail(osReason(err))
	}
	if haveFlock {
		ok, err := lockFile(f, false)
		if err == nil && !ok {
			who := "another process"
			if h := readLockInfo(f); h != nil {
				who = h.String()
			}
			err = &reasonError{kind: ErrLocked, msg: who + " holds the lock and is running on this host: " +
				"a lock in use is never cleared; wait for it to finish, or stop it"}
		}
		if err != nil {
			f.Close()
			return fail(err)
		}
	}
	if !isFileAt(f, lockPath) { // released meanwhile
		f.Close()
		return nil, nil
	}
	data, err := readLock(f)
	if err != nil {
		f.Close()
		return fail(err)
	}
	lf := &LockFile{ID: lockID(data), path: path, lockPath: lockPath, f: f}
	var info LockInfo
	if json.Unmarshal(data, &info) == nil && info.PID != 0 {
		info.ID = lf.ID
		lf.Holder = &info
	}
	host, err := os.Hostname()
	lf.OtherHost = lf.Holder == nil || err != nil || lf.Holder.Host != host
	return lf, nil
}

func readLock(f *os.File) ([]byte, error) {
	return io.ReadAll(io.NewSectionReader(f, 0, maxLockFileSize))
}

// Describe says who holds the lock and what is known of it, as
// "pid 1234 on host build-7 since 2025-01-02T15:04:05Z, another host:
// officectl cannot tell whether it still runs".
func (lf *LockFile) Describe() string {
	switch {
	case lf.Holder == nil:
		return "an unknown holder (the lock file does not say who)"
	case lf.OtherHost:
		return lf.Holder.String() + ", another host: officectl cannot tell whether it still runs"
	case haveFlock:
		return lf.Holder.String() + ", this host: no longer running"
	}
	return lf.Holder.String() + ", this host"
}

// Remove clears the lock: it removes the lock file, provided id is the
// lock's ID and the file has not changed since InspectLock (else
// ErrLockID, and the lock stays). It closes lf either way.
func (lf *LockFile) Remove(id string) error {
	if lf.f == nil {
		return &Error{Op: "unlock", Path: lf.path, Err: ErrClosed}
	}
	defer lf.Close()
	data, err := readLock(lf.f)
	if err != nil {
		return &Error{Op: "unlock", Path: lf.path, Err: err}
	}
	if id != lf.ID || lockID(data) != lf.ID || !isFileAt(lf.f, lf.lockPath) {
		return &Error{Op: "unlock", Path: lf.path, Err: &reasonError{kind: ErrLockID, msg: fmt.Sprintf(
			"%q is not the id of the lock now in %s (it was %s when inspected, held by %s); it was left as it is: "+
				"run officectl state unlock again to see the lock as it is now", id, lf.lockPath, lf.ID, lf.Describe())}}
	}
	if err := os.Remove(lf.lockPath); err != nil {
		return &Error{Op: "unlock", Path: lf.path, Err: osReason(err)}
	}
	return nil
}

// Close lets go of the lock file without removing it. It is safe to call
// more than once.
func (lf *LockFile) Close() error {
	if lf == nil || lf.f == nil {
		return nil
	}
	f := lf.f
	lf.f = nil
	return f.Close()
}

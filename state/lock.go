package state

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"
)

// Lock is the exclusive lock of one state file: the file path+".lock" next
// to it, holding a LockInfo, created with O_EXCL and held with flock(2)
// where the system has it. The kernel drops a flock when its process
// dies, so a lock file left by a killed process of this host is known to
// be stale and is taken over. A lock file that names another host is
// never taken over, as flock cannot tell whether a process of another
// machine still runs: InspectLock and LockFile.Remove clear it once a
// person has checked. The lock file is never opened through a symbolic
// link, nor when it is not a regular file.
type Lock struct {
	// Info is what the lock file says of this holder.
	Info LockInfo
	// Stale is the holder named by an abandoned lock file that Acquire
	// took over (its process, of this host, gone); nil when there was
	// none.
	Stale *LockInfo

	path string // the lock file
	f    *os.File
}

// Acquire takes the lock of the state file path. While another process
// holds it, Acquire tries again until timeout has passed (at once for a
// timeout of 0), then fails with an *Error wrapping a *LockedError that
// names the holder; errors.Is(err, ErrLocked) holds for it. A lock file
// of a process of another host counts as held (LockedError.OtherHost).
func Acquire(path string, timeout time.Duration) (*Lock, error) {
	lockPath := path + ".lock"
	start := time.Now()
	delay := 10 * time.Millisecond
	for {
		l, locked, err := tryLock(lockPath)
		if err != nil {
			return nil, &Error{Op: "lock", Path: path, Err: err}
		}
		if l != nil {
			return l, nil
		}
		waited := time.Since(start)
		if waited >= timeout {
			if timeout > 0 {
				locked.Waited = timeout
			}
			return nil, &Error{Op: "lock", Path: path, Err: locked}
		}
		time.Sleep(min(delay, timeout-waited))
		delay = min(2*delay, 250*time.Millisecond)
	}
}

// tryLock makes one attempt: the lock, or who holds it.
func tryLock(lockPath string) (*Lock, *LockedError, error) {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	// The holder is whoever holds the flock of the file now at lockPath.
	// Creating the file confers nothing by itself: a file found in place
	// may be one just created by another process, or one abandoned.
	for range 100 {
		f, err := createExcl(lockPath)
		created := err == nil
		if errors.Is(err, fs.ErrExist) {
			f, err = openRegular(lockPath, os.O_RDWR)
			if errors.Is(err, fs.ErrNotExist) {
				continue // released meanwhile
			}
		}
		if err != nil {
			return nil, nil, err
		}
		ok, err := lockFile(f, created)
		if err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("locking %s: %w", lockPath, err)
		}
		if !ok {
			holder := readLockInfo(f)
			f.Close()
			// Without flock, a lock file is all there is to go by.
			other := !haveFlock && holder != nil && holder.Host != host
			return nil, &LockedError{LockPath: lockPath, Holder: holder, OtherHost: other}, nil
		}
		if !isFileAt(f, lockPath) {
			// Released (removed) after we opened it: start over.
			f.Close()
			continue
		}
		var stale *LockInfo
		if !created {
			stale = readLockInfo(f)
			if stale != nil && stale.Host != host {
				// Nobody of this host holds it, which says nothing of a
				// process of another host: leave it as it is.
				f.Close()
				return nil, &LockedError{LockPath: lockPath, Holder: stale, OtherHost: true}, nil
			}
		}
		l := &Lock{path: lockPath, f: f, Stale: stale,
			Info: LockInfo{PID: os.Getpid(), Host: host, StartedAt: time.Now().UTC().Truncate(time.Second)}}
		if err := writeLockInfo(f, l.Info); err != nil {
			l.Release()
			return nil, nil, fmt.Errorf("writing %s: %w", lockPath, err)
		}
		return l, nil, nil
	}
	return nil, nil, fmt.Errorf("%s keeps changing: another process is locking and releasing it", lockPath)
}

// isFileAt reports whether f is the file now at path.
func isFileAt(f *os.File, path string) bool {
	fi1, err := f.Stat()
	if err != nil {
		return false
	}
	fi2, err := os.Stat(path)
	return err == nil && os.SameFile(fi1, fi2)
}

func writeLockInfo(f *os.File, info LockInfo) error {
	data, err := json.Marshal(info)
	if err != nil {
		return err
	}
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt(append(data, '\n'), 0); err != nil {
		return err
	}
	return f.Sync()
}

// readLockInfo reads who holds a lock file; nil when it does not say (yet).
func readLockInfo(f *os.File) *LockInfo {
	for try := 0; ; try++ {
		data, err := readLock(f)
		var info LockInfo
		if err == nil && json.Unmarshal(data, &info) == nil && info.PID != 0 {
			info.ID = lockID(data)
			return &info
		}
		if try == 3 {
			return nil
		}
		time.Sleep(10 * time.Millisecond) // the holder may be writing it
	}
}

// lockID is the id of a lock file's content: 12 hex digits of its SHA-256.
func lockID(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:6])
}

// Release gives up the lock and removes its file. It is safe to call more
// than once.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	f := l.f
	l.f = nil
	var rmErr error
	remove := func() {
		if isFileAt(f, l.path) {
			rmErr = os.Remove(l.path)
		}
	}
	if haveFlock {
		// Whoever opened the file meanwhile and gets its flock next sees
		// it is no longer the lock file and starts over.
		remove()
	}
	closeErr := f.Close() // drops the flock
	if !haveFlock {
		remove()
	}
	if err := errors.Join(rmErr, closeErr); err != nil {
		return &Error{Op: "unlock", Path: strings.TrimSuffix(l.path, ".lock"), Err: err}
	}
	return nil
}

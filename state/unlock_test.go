package state

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
)

// otherHostLock is a lock file of a process of another host.
const otherHostLock = `{"host":"build-7.other-host.invalid","pid":4242,"started_at":"2026-12-01T23:00:00Z"}` + "\n"

// writeLock writes content as the lock file of a new state and returns
// the state's path.
func writeLock(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "officectl.state")
	if err := os.WriteFile(path+".lock", []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func lockUnchanged(t *testing.T, path, content string) {
	t.Helper()
	if got, err := os.ReadFile(path + ".lock"); err != nil || string(got) != content {
		t.Errorf("the lock file changed: %q, %v", got, err)
	}
}

// TestLockOtherHostNeverTakenOver: no process of this host holds the lock
// file's flock, but the file names another host, where its process may
// run: Acquire fails, says so and what to do, and leaves the file.
func TestLockOtherHostNeverTakenOver(t *testing.T) {
	path := writeLock(t, otherHostLock)
	_, err := Acquire(path, 0)
	var le *LockedError
	if !errors.Is(err, ErrLocked) || !errors.As(err, &le) {
		t.Fatalf("Acquire of another host's lock: %v", err)
	}
	if !le.OtherHost || le.Holder == nil || le.Holder.PID != 4242 || le.Holder.Host != "build-7.other-host.invalid" {
		t.Errorf("LockedError %+v", le)
	}
	id := lockID([]byte(otherHostLock))
	want := path + ": state locked by pid 4242 on host build-7.other-host.invalid since 2026-12-01T23:00:00Z, another host: " +
		"officectl cannot tell whether that process still runs, so it never takes the lock over; wait for it to finish or pass --lock-timeout; " +
		"if it is no longer running, clear the lock with `officectl state unlock --state " + path + " --lock-id " + id + "`"
	if err.Error() != want {
		t.Errorf("error:\n%s\nwant\n%s", err, want)
	}
	lockUnchanged(t, path, otherHostLock)

	start := time.Now()
	_, err = Acquire(path, 200*time.Millisecond)
	if !errors.Is(err, ErrLocked) || time.Since(start) < 200*time.Millisecond {
		t.Errorf("Acquire with a timeout: %v after %v", err, time.Since(start))
	}
	if _, err := Open(path, Options{}); !errors.Is(err, ErrLocked) {
		t.Errorf("Open: %v", err)
	}
	lockUnchanged(t, path, otherHostLock)
}

// TestLockHostileHolder: what a lock file says of its holder reaches a
// terminal or a CI log only as plain text: no control character, no line
// of its own (such as a GitHub workflow command).
func TestLockHostileHolder(t *testing.T) {
	content := `{"host":"x\u001b]0;owned\u0007\n::error::pwned\u202e` + strings.Repeat("h", 300) + `","pid":1,"started_at":"2026-12-01T23:00:00Z"}`
	path := writeLock(t, content)
	_, err := Acquire(path, 0)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("Acquire: %v", err)
	}
	lf, ierr := InspectLock(path)
	if ierr != nil {
		t.Fatal(ierr)
	}
	defer lf.Close()
	for _, msg := range []string{err.Error(), lf.Describe()} {
		if i := strings.IndexFunc(msg, func(r rune) bool { return !unicode.IsPrint(r) }); i >= 0 {
			t.Errorf("unprintable %q in %q", msg[i:i+1], msg)
		}
		if !strings.Contains(msg, `"x\x1b]0;owned\a\n::error::pwned\u202e`) || strings.Contains(msg, strings.Repeat("h", 256)) {
			t.Errorf("host not quoted and cut: %s", msg)
		}
	}
}

// TestInspectLock: what state unlock sees and does with each kind of lock.
func TestInspectLock(t *testing.T) {
	t.Run("none", func(t *testing.T) {
		lf, err := InspectLock(filepath.Join(t.TempDir(), "officectl.state"))
		if lf != nil || err != nil {
			t.Errorf("InspectLock without a lock: %v, %v", lf, err)
		}
	})

	t.Run("other host", func(t *testing.T) {
		path := writeLock(t, otherHostLock)
		lf, err := InspectLock(path)
		if err != nil {
			t.Fatal(err)
		}
		defer lf.Close()
		id := lockID([]byte(otherHostLock))
		if lf.ID != id || !lf.OtherHost || lf.Holder == nil || lf.Holder.PID != 4242 || lf.Holder.ID != id {
			t.Errorf("LockFile %+v", lf)
		}
		if want := "pid 4242 on host build-7.other-host.invalid since 2026-12-01T23:00:00Z, another host: officectl cannot tell whether it still runs"; lf.Describe() != want {
			t.Errorf("Describe: %s", lf.Describe())
		}
		if haveFlock {
			// While inspected, the lock is held: no process of this host takes it.
			if _, err := Acquire(path, 0); !errors.Is(err, ErrLocked) {
				t.Errorf("Acquire while inspected: %v", err)
			}
		}
		err = lf.Remove("0123456789ab")
		if !errors.Is(err, ErrLockID) || !strings.Contains(err.Error(), `"0123456789ab" is not the id of the lock now in `+path+".lock") {
			t.Errorf("Remove with a wrong id: %v", err)
		}
		lockUnchanged(t, path, otherHostLock)

		lf, err = InspectLock(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := lf.Remove(id); err != nil {
			t.Fatalf("Remove: %v", err)
		}
		if _, err := os.Lstat(path + ".lock"); !os.IsNotExist(err) {
			t.Errorf("lock file still there: %v", err)
		}
		l, err := Acquire(path, 0)
		if err != nil {
			t.Fatalf("Acquire after unlock: %v", err)
		}
		l.Release()
	})

	t.Run("changed since inspected", func(t *testing.T) {
		path := writeLock(t, otherHostLock)
		lf, err := InspectLock(path)
		if err != nil {
			t.Fatal(err)
		}
		changed := strings.Replace(otherHostLock, "4242", "4343", 1)
		if err := os.WriteFile(path+".lock", []byte(changed), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := lf.Remove(lf.ID); !errors.Is(err, ErrLockID) {
			t.Errorf("Remove of a changed lock: %v", err)
		}
		lockUnchanged(t, path, changed)
	})

	t.Run("no holder", func(t *testing.T) {
		path := writeLock(t, "")
		lf, err := InspectLock(path)
		if err != nil {
			t.Fatal(err)
		}
		if lf.Holder != nil || lf.ID != lockID(nil) || lf.Describe() != "an unknown holder (the lock file does not say who)" {
			t.Errorf("LockFile %+v: %s", lf, lf.Describe())
		}
		if err := lf.Remove(lf.ID); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("in use", func(t *testing.T) {
		if !haveFlock {
			t.Skip("no flock: a lock in use is not detected")
		}
		path := filepath.Join(t.TempDir(), "officectl.state")
		h := startHolder(t, path)
		before, _ := os.ReadFile(path + ".lock")
		lf, err := InspectLock(path)
		if lf != nil || !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "is running on this host: a lock in use is never cleared") {
			t.Fatalf("InspectLock of a lock in use: %v, %v", lf, err)
		}
		lockUnchanged(t, path, string(before))
		h.release(t)
	})

	t.Run("stale on this host", func(t *testing.T) {
		if !haveFlock {
			t.Skip("no flock")
		}
		path := filepath.Join(t.TempDir(), "officectl.state")
		h := startHolder(t, path)
		h.cmd.Process.Kill()
		h.cmd.Wait()
		lf, err := InspectLock(path)
		if err != nil {
			t.Fatal(err)
		}
		defer lf.Close()
		if lf.OtherHost || lf.Holder == nil || lf.Holder.PID != h.cmd.Process.Pid || !strings.HasSuffix(lf.Describe(), ", this host: no longer running") {
			t.Errorf("LockFile %+v: %s", lf, lf.Describe())
		}
	})
}

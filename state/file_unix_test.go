//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package state

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// victim makes a file that a symbolic link beside the state points at,
// and returns its path and a check that it is unchanged (or, with absent,
// that it was never created).
func victim(t *testing.T, absent bool) (string, func()) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "victim")
	const content = "do not touch\n"
	if !absent {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return path, func() {
		t.Helper()
		got, err := os.ReadFile(path)
		switch {
		case absent && !os.IsNotExist(err):
			t.Errorf("the link's target was created: %q, %v", got, err)
		case !absent && (err != nil || string(got) != content):
			t.Errorf("the link's target changed: %q, %v", got, err)
		}
		if fi, err := os.Stat(path); !absent && err == nil && fi.Mode().Perm() != 0o644 {
			t.Errorf("the link's target's mode changed to %v", fi.Mode().Perm())
		}
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// wantRefused checks that err is an *Error wrapping kind that names the
// file name and the state's path.
func wantRefused(t *testing.T, err error, kind error, name string) {
	t.Helper()
	var se *Error
	if !errors.As(err, &se) || !errors.Is(err, kind) {
		t.Fatalf("got %v, want an *Error wrapping %q", err, kind)
	}
	if !strings.Contains(err.Error(), name+" is ") {
		t.Errorf("error does not name %s:\n%v", name, err)
	}
}

// savedState saves a small state at dir/officectl.state and returns its
// path and a check that the file still holds what was saved.
func savedState(t *testing.T, dir string) (string, func()) {
	t.Helper()
	path := filepath.Join(dir, "officectl.state")
	if err := Save(path, sampleState()); err != nil {
		t.Fatal(err)
	}
	saved, _ := os.ReadFile(path)
	return path, func() {
		t.Helper()
		if got, _ := os.ReadFile(path); string(got) != string(saved) {
			t.Error("the state file changed")
		}
	}
}

// TestStateFileSymlinkRefused: a state file that is a symbolic link is
// neither read nor written, even when it points at a valid state.
func TestStateFileSymlinkRefused(t *testing.T) {
	target, _ := savedState(t, t.TempDir())
	data, _ := os.ReadFile(target)
	path := filepath.Join(t.TempDir(), "officectl.state")
	symlink(t, target, path)
	_, err := Load(path)
	wantRefused(t, err, ErrSymlink, path)
	if !strings.Contains(err.Error(), "pass --state with the real path") {
		t.Errorf("error does not say what to do: %v", err)
	}
	_, err = Open(path, Options{})
	wantRefused(t, err, ErrSymlink, path)
	err = Save(path, sampleState())
	wantRefused(t, err, ErrSymlink, path)
	if got, _ := os.ReadFile(target); string(got) != string(data) {
		t.Error("the link's target changed")
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced")
	}
	if _, err := os.Lstat(path + ".lock"); !os.IsNotExist(err) {
		t.Errorf("Open left a lock file: %v", err)
	}

	// A link to a file that does not exist is no missing state either.
	dangling := filepath.Join(t.TempDir(), "officectl.state")
	victimPath, unchanged := victim(t, true)
	symlink(t, victimPath, dangling)
	_, err = Load(dangling)
	wantRefused(t, err, ErrSymlink, dangling)
	unchanged()
}

// TestBackupSymlinkRefused: a save, and Open, refuse a backup that is a
// symbolic link, and leave its target, the link and the state alone.
func TestBackupSymlinkRefused(t *testing.T) {
	for _, absent := range []bool{false, true} {
		dir := t.TempDir()
		path, stateUnchanged := savedState(t, dir)
		target, unchanged := victim(t, absent)
		symlink(t, target, path+".backup")
		_, err := Open(path, Options{})
		wantRefused(t, err, ErrSymlink, path+".backup")
		s, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		s.Delete("munich")
		err = Save(path, s)
		wantRefused(t, err, ErrSymlink, path+".backup")
		unchanged()
		stateUnchanged()
		if fi, err := os.Lstat(path + ".backup"); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Error("the link was replaced")
		}
		if _, err := os.Lstat(path + ".lock"); !os.IsNotExist(err) {
			t.Errorf("Open left a lock file: %v", err)
		}
	}
}

// TestLockSymlinkRefused: a lock file that is a symbolic link is not
// followed: the target is not locked, truncated, written or created.
func TestLockSymlinkRefused(t *testing.T) {
	for _, absent := range []bool{false, true} {
		dir := t.TempDir()
		path, stateUnchanged := savedState(t, dir)
		target, unchanged := victim(t, absent)
		symlink(t, target, path+".lock")
		_, err := Acquire(path, 0)
		wantRefused(t, err, ErrSymlink, path+".lock")
		_, err = Open(path, Options{})
		wantRefused(t, err, ErrSymlink, path+".lock")
		_, err = InspectLock(path)
		wantRefused(t, err, ErrSymlink, path+".lock")
		unchanged()
		stateUnchanged()
	}
}

// TestTempFileSymlinkRefused: the temporary files of a save (the new
// state, and the hard link or copy that becomes the backup) are never
// created through a symbolic link found at their name.
func TestTempFileSymlinkRefused(t *testing.T) {
	for _, infix := range []string{tmpInfix, backupInfix} {
		t.Run(strings.Trim(infix, ".-"), func(t *testing.T) {
			dir := t.TempDir()
			path, stateUnchanged := savedState(t, dir)
			target, unchanged := victim(t, false)
			name := filepath.Join(dir, ".officectl.state"+infix+"planted")
			symlink(t, target, name)
			hooks := saveHooks{tempName: func(dir, prefix string) (string, error) {
				return filepath.Join(dir, prefix+"planted"), nil
			}}
			s, _ := Load(path)
			s.Delete("munich")
			var enc encoder
			err := save(path, s, &enc, hooks)
			wantRefused(t, err, ErrSymlink, name)
			unchanged()
			stateUnchanged()
		})
	}
}

// TestSpecialFilesRefused: a named pipe or a device where a state file,
// its backup or its lock belongs is refused at once: nothing blocks
// reading a pipe or reads /dev/zero forever.
func TestSpecialFilesRefused(t *testing.T) {
	within := func(t *testing.T, what string, f func()) {
		t.Helper()
		done := make(chan struct{})
		go func() {
			defer close(done)
			f()
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s still running after 5 s", what)
		}
	}
	fifo := func(t *testing.T, name string) {
		t.Helper()
		if err := syscall.Mkfifo(name, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("state fifo", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "officectl.state")
		fifo(t, path)
		within(t, "Load", func() {
			_, err := Load(path)
			wantRefused(t, err, ErrNotRegular, path)
			if !strings.Contains(err.Error(), "is a named pipe") {
				t.Errorf("error does not say what the file is: %v", err)
			}
		})
	})
	t.Run("state device", func(t *testing.T) {
		within(t, "Load", func() {
			_, err := Load(os.DevNull)
			wantRefused(t, err, ErrNotRegular, os.DevNull)
		})
	})
	t.Run("state link to /dev/zero", func(t *testing.T) {
		if _, err := os.Stat("/dev/zero"); err != nil {
			t.Skip(err)
		}
		path := filepath.Join(t.TempDir(), "officectl.state")
		symlink(t, "/dev/zero", path)
		within(t, "Load", func() {
			_, err := Load(path)
			wantRefused(t, err, ErrSymlink, path)
		})
	})
	t.Run("lock fifo", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "officectl.state")
		fifo(t, path+".lock")
		within(t, "Acquire", func() {
			_, err := Acquire(path, 0)
			wantRefused(t, err, ErrNotRegular, path+".lock")
		})
		within(t, "InspectLock", func() {
			_, err := InspectLock(path)
			wantRefused(t, err, ErrNotRegular, path+".lock")
		})
	})
	t.Run("backup fifo", func(t *testing.T) {
		path, unchanged := savedState(t, t.TempDir())
		fifo(t, path+".backup")
		within(t, "Save", func() {
			err := Save(path, sampleState())
			wantRefused(t, err, ErrNotRegular, path+".backup")
		})
		unchanged()
	})
}

// TestLoadTooLarge: a state file over MaxFileSize is refused before it is
// read (a sparse file, so the test writes nothing).
func TestLoadTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "officectl.state")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.Truncate(path, MaxFileSize+1); err != nil {
		t.Skip("no sparse file:", err)
	}
	start := time.Now()
	_, err = Load(path)
	wantRefused(t, err, ErrTooLarge, path)
	if !strings.Contains(err.Error(), "over the 1 GiB limit of a state file") {
		t.Errorf("error does not give the limit: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("refusing took %v: was the file read?", d)
	}
}

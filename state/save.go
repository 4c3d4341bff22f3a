package state

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
)

// Save writes s to path atomically and durably, then records the save in
// s: Serial grows by one and a Lineage is chosen if s has none (Version is
// set if zero). The bytes go to a temporary file in the same folder,
// which is synced and renamed over path; the previous file is kept as
// path+".backup"; the folder is synced. A failure at any step leaves the
// old file or the new one, never a torn one, and leaves s unchanged. The
// file's mode is 0600. Save refuses a state that fails Validate.
//
// Save does not lock: one writer at a time is the caller's business
// (Acquire, or a Store, which does both).
func Save(path string, s *State) error {
	var enc encoder
	return save(path, s, &enc, saveHooks{})
}

// The temporary files of a save are named "."+base+infix+random, hidden
// from the config loader, and removed by the next Open if a crash left
// them.
const (
	tmpInfix    = ".tmp-"
	backupInfix = ".backup-"
)

// saveHooks lets tests fail a save at a chosen step.
type saveHooks struct {
	// beforeRename runs after the temporary file is written and synced,
	// before the backup is made and the file renamed; an error aborts.
	beforeRename func() error
	// tempName, if set, names the temporary files in place of tempName.
	tempName func(dir, prefix string) (string, error)
}

// name returns a name for a new temporary file in dir.
func (h saveHooks) name(dir, prefix string) (string, error) {
	if h.tempName != nil {
		return h.tempName(dir, prefix)
	}
	return tempName(dir, prefix)
}

// save encodes the next version of s and writes it to path; on success it
// records the new serial and lineage in s.
func save(path string, s *State, enc *encoder, hooks saveHooks) error {
	next, data, err := encodeNext(path, s, enc, nil)
	if err != nil {
		return err
	}
	if err := writeAtomic(path, data, hooks); err != nil {
		return &Error{Op: "save", Path: path, Err: err}
	}
	s.Serial, s.Lineage, s.Version = next.Serial, next.Lineage, next.Version
	return nil
}

// encodeNext returns the header of the next save of s (serial+1, a
// lineage chosen if s has none) and that save's bytes, appended to buf[:0].
func encodeNext(path string, s *State, enc *encoder, buf []byte) (State, []byte, error) {
	next := *s
	next.Serial++
	if next.Version == 0 {
		next.Version = Version
	}
	if next.Lineage == "" {
		lineage, err := newUUID()
		if err != nil {
			return next, buf, &Error{Op: "save", Path: path, Err: fmt.Errorf("choosing a lineage: %w", err)}
		}
		next.Lineage = lineage
	}
	data, err := enc.encode(buf[:0], &next, true)
	if err != nil {
		return next, buf, &Error{Op: "save", Path: path, Err: &reasonError{kind: ErrInvalid, msg: err.Error() + " (the file was left unchanged)", cause: err}}
	}
	return next, data, nil
}

// writeAtomic replaces path with data: temporary file, fsync, backup of
// the old file, rename, fsync of the folder. It refuses a state or backup
// that is a symbolic link or not a regular file, and never writes through
// a link: the temporary files are created with O_EXCL and O_NOFOLLOW, and
// renames replace a name without following it.
func writeAtomic(path string, data []byte, hooks saveHooks) (err error) {
	if err := refuseLinks(path, path+".backup"); err != nil {
		return err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := createTemp(dir, "."+base+tmpInfix, hooks)
	if err != nil {
		return fmt.Errorf("creating a temporary file: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if hooks.beforeRename != nil {
		if err := hooks.beforeRename(); err != nil {
			return err
		}
	}
	if err := backup(path, hooks); err != nil {
		return fmt.Errorf("keeping the previous state as %s.backup: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// backup makes path+".backup" a copy of path, if path exists: a hard link
// made under a temporary name and renamed over the old backup, so that
// there is always a whole backup. Where hard links fail, it copies.
func backup(path string, hooks saveHooks) error {
	if _, err := os.Lstat(path); os.IsNotExist(err) {
		return nil
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	name, err := hooks.name(dir, "."+base+backupInfix)
	if err != nil {
		return err
	}
	if err := os.Link(path, name); err != nil {
		if err := copyFile(path, name); err != nil {
			os.Remove(name)
			return err
		}
	}
	if err := os.Rename(name, path+".backup"); err != nil {
		os.Remove(name)
		return err
	}
	return nil
}

// createTemp creates a new file in dir named prefix and random letters,
// with mode 0600, never through a symbolic link: a link found at a chosen
// name is refused, as someone is putting links beside the state.
func createTemp(dir, prefix string, hooks saveHooks) (*os.File, error) {
	for range 100 {
		name, err := hooks.name(dir, prefix)
		if err != nil {
			return nil, err
		}
		f, err := createExcl(name)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("no unused name for a temporary file in %s", dir)
}

// tempName returns an unused name for a file in dir.
func tempName(dir, prefix string) (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return filepath.Join(dir, fmt.Sprintf("%s%x", prefix, b)), nil
}

func copyFile(from, to string) error {
	in, err := openRegular(from, os.O_RDONLY)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := createExcl(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// syncDir makes a rename in dir durable. Windows cannot sync a folder, and
// some file systems refuse to: there, a rename is as durable as it gets.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("syncing folder %s: %w", dir, err)
	}
	return nil
}

// newUUID returns a random (version 4) UUID.
func newUUID() (string, error) {
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		return "", err
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:]), nil
}

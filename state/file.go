package state

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxFileSize is the largest state file Load reads: 1 GiB, about four
// times a state of 100,000 offices with full specs (about 2.5 KB an
// entry, 250 MB in all). A bigger file is not a state officectl wrote.
const MaxFileSize = 1 << 30

// maxLockFileSize bounds what is read of a lock file, which holds one
// short LockInfo.
const maxLockFileSize = 1 << 16

// The files of a state: the state itself, PATH.backup, PATH.lock and the
// temporary files of a save. officectl reads and writes each of them only
// as a regular file at that very path: never through a symbolic link
// (which a repository or another user could point at any file), never a
// named pipe or a device (which could block or never end).

// readRegular reads the regular file at path, at most limit bytes,
// without following a symbolic link and without blocking on a named pipe.
func readRegular(path string, limit int64) ([]byte, error) {
	f, err := openRegular(path, os.O_RDONLY)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, tooLargeError(path, limit)
	}
	var b bytes.Buffer
	b.Grow(int(fi.Size()) + 512)
	n, err := b.ReadFrom(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit { // it grew while being read
		return nil, tooLargeError(path, limit)
	}
	return b.Bytes(), nil
}

// openRegular opens the file at path with flag (O_CREATE is not allowed),
// refusing a symbolic link or anything but a regular file. The file is
// checked before it is opened, so that a named pipe or a device is never
// opened, and again once open, so that a file swapped in meanwhile is
// refused too.
func openRegular(path string, flag int) (*os.File, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if err := checkRegular(path, fi.Mode()); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, flag|oNoFollow|oNonblock, 0)
	if err != nil {
		return nil, classify(path, err)
	}
	if fi, err = f.Stat(); err == nil {
		err = checkRegular(path, fi.Mode())
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// createExcl creates the file name, which must not exist, for writing
// with mode 0600, never through a symbolic link.
func createExcl(name string) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL|oNoFollow, 0o600)
	if err != nil {
		return nil, classify(name, err)
	}
	return f, nil
}

// refuseLinks checks that each of names is absent or a regular file: a
// save replaces them by renaming, which never follows a link, but a link
// or a pipe where officectl keeps its files is refused rather than
// silently replaced.
func refuseLinks(names ...string) error {
	for _, name := range names {
		fi, err := os.Lstat(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := checkRegular(name, fi.Mode()); err != nil {
			return err
		}
	}
	return nil
}

// classify turns the error of opening name into a clear one when name is
// a symbolic link (O_NOFOLLOW fails with ELOOP, EMLINK or EFTYPE, and
// O_EXCL with EEXIST) or not a regular file.
func classify(name string, err error) error {
	if fi, lerr := os.Lstat(name); lerr == nil {
		if cerr := checkRegular(name, fi.Mode()); cerr != nil {
			return cerr
		}
	}
	return err
}

// checkRegular refuses a mode other than a regular file's.
func checkRegular(name string, mode fs.FileMode) error {
	switch {
	case mode&fs.ModeSymlink != 0:
		return &reasonError{kind: ErrSymlink, msg: fmt.Sprintf(
			"%s is a symbolic link, and officectl never reads or writes its state, backup, lock or temporary files through one "+
				"(it could point at any file): remove the link, or, for the state file itself, replace the link with the file it points to "+
				"or pass --state with the real path", name)}
	case !mode.IsRegular():
		return &reasonError{kind: ErrNotRegular, msg: fmt.Sprintf(
			"%s is %s, and officectl reads and writes its state, backup, lock and temporary files only as regular files: "+
				"remove it, or pass --state with the path of the state file", name, describeMode(mode))}
	}
	return nil
}

func describeMode(mode fs.FileMode) string {
	switch {
	case mode.IsDir():
		return "a folder"
	case mode&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	case mode&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

func tooLargeError(path string, limit int64) error {
	return &reasonError{kind: ErrTooLarge, msg: fmt.Sprintf(
		"%s is over the %d GiB limit of a state file (a state of 100,000 offices is about 250 MB), "+
			"so it is not a state officectl wrote: restore %s.backup or check what replaced the file (it was left unchanged)",
		path, limit>>30, path)}
}

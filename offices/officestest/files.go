package officestest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// The simulator's files (--data, --people) are treated as officectl
// treats its own: read and replaced only as regular files at that very
// path, never through a symbolic link (a data file is renamed over, which
// would replace the link, and a link can point at any file), never a
// named pipe or a device (which could block for ever or never end), and
// never more than a bound.

// errFileKind is wrapped by the errors of readFile and checkReplaceable
// for a path that is a symbolic link or not a regular file.
var errFileKind = errors.New("not a regular file")

// readFile reads the regular file at path, at most max bytes. It does
// not follow a symbolic link, never blocks on a named pipe or a device,
// and never reads more than max+1 bytes whatever the file claims or
// becomes while it is read. A missing file is fs.ErrNotExist.
func readFile(path string, max int64) ([]byte, error) {
	before, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if err := checkKind(before.Mode()); err != nil {
		return nil, err
	}
	// O_NONBLOCK: a named pipe swapped in after the check does not block
	// the open; the check after it refuses it.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := checkKind(fi.Mode()); err != nil {
		return nil, err
	}
	if !os.SameFile(before, fi) {
		return nil, fmt.Errorf("%w: it was replaced while opened (a symbolic link?)", errFileKind)
	}
	if fi.Size() > max {
		return nil, fmt.Errorf("larger than %d MiB", max>>20)
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("larger than %d MiB (it grew while read)", max>>20)
	}
	return b, nil
}

// checkReplaceable checks that path, which a save renames a new file
// over, is absent or a regular file: a symbolic link or anything else is
// refused rather than replaced.
func checkReplaceable(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return checkKind(fi.Mode())
}

// checkKind refuses a mode other than a regular file's, naming what it is
// and what to do.
func checkKind(m fs.FileMode) error {
	switch {
	case m&fs.ModeSymlink != 0:
		return fmt.Errorf("%w: a symbolic link, which the simulator never reads or replaces (it could point at any file): give the path of the file itself", errFileKind)
	case m.IsDir():
		return fmt.Errorf("%w: a folder: give the path of a file", errFileKind)
	case m&fs.ModeNamedPipe != 0:
		return fmt.Errorf("%w: a named pipe: give the path of a regular file", errFileKind)
	case m&(fs.ModeDevice|fs.ModeCharDevice) != 0:
		return fmt.Errorf("%w: a device: give the path of a regular file", errFileKind)
	case !m.IsRegular():
		return fmt.Errorf("%w (%s): give the path of a regular file", errFileKind, m.Type())
	}
	return nil
}

package load

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// DefaultMaxFileSize bounds each config file officectl reads: far above
// any real office file (the 10,000-office bench files are a few KiB each),
// far below what would strain memory.
const DefaultMaxFileSize = 8 << 20

// MaxFileSizeEnv names the environment variable that overrides
// DefaultMaxFileSize, e.g. OFFICECTL_MAX_FILE_SIZE=32MiB.
const MaxFileSizeEnv = "OFFICECTL_MAX_FILE_SIZE"

// ErrNotRegular is wrapped by ReadRegularFile's error for a path that is
// not a regular file: a FIFO, a device, a socket, a directory.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is wrapped by ReadRegularFile's error for a file over the
// size limit.
var ErrTooLarge = errors.New("file too large")

// ReadRegularFile reads path, which must be a regular file (after
// symbolic links) of at most max bytes. It never blocks on a FIFO or a
// device and never reads more than max+1 bytes, whatever the file claims
// or becomes while it is read. Its errors name the path.
func ReadRegularFile(path string, max int64) ([]byte, error) {
	// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
	// writer. It changes nothing for a regular file.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (%s)", ErrNotRegular, fileKind(fi.Mode()))}
	}
	if fi.Size() > max {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w: %s, over the limit of %s", ErrTooLarge, FormatSize(fi.Size()), FormatSize(max))}
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w: grew over the limit of %s while read", ErrTooLarge, FormatSize(max))}
	}
	return b, nil
}

// fileKind names the type of a file that is not regular.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "type " + m.Type().String()
}

// FormatSize writes n bytes for people: "512 bytes", "8 MiB", "200.5 MiB".
func FormatSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	v, suffix := float64(n), ""
	for _, s := range []string{"KiB", "MiB", "GiB", "TiB"} {
		v /= unit
		suffix = s
		if v < unit {
			break
		}
	}
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d %s", int64(v), suffix)
	}
	return fmt.Sprintf("%.1f %s", v, suffix)
}

// ParseSize reads a size in bytes written as a number with an optional
// unit: "8388608", "512KiB", "8MiB", "1GiB" (KB, MB, GB and K, M, G mean the
// same binary units). It refuses zero and negative sizes.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffixes []string
		mult     int64
	}{
		{[]string{"GiB", "GB", "G"}, 1 << 30},
		{[]string{"MiB", "MB", "M"}, 1 << 20},
		{[]string{"KiB", "KB", "K"}, 1 << 10},
		{[]string{"B"}, 1},
	} {
		found := false
		for _, suf := range u.suffixes {
			if len(t) > len(suf) && strings.EqualFold(t[len(t)-len(suf):], suf) {
				t, mult, found = strings.TrimSpace(t[:len(t)-len(suf)]), u.mult, true
				break
			}
		}
		if found {
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("size %q: give a positive number of bytes, optionally with KiB, MiB or GiB (e.g. 8MiB)", s)
	}
	return n * mult, nil
}

// configReader reads the files of the config directories (and files)
// given: regular files only, each under a size limit, and no symbolic link
// that leads out of the directory it was found in.
type configReader struct {
	dirs     []string // the config directories as given, for messages
	realDirs []string // the same with every symbolic link resolved
	max      int64
}

func newConfigReader(max int64) *configReader {
	if max <= 0 {
		max = DefaultMaxFileSize
	}
	return &configReader{max: max}
}

// addRoot lets the reader read files inside dir (given as path on the
// command line); symbolic links that lead out of every root are refused.
func (r *configReader) addRoot(dir, path string) error {
	real, err := filepath.EvalSymlinks(dir)
	if err == nil {
		real, err = filepath.Abs(real)
	}
	if err != nil {
		return fmt.Errorf("config directory: %w", err)
	}
	r.dirs = append(r.dirs, path)
	r.realDirs = append(r.realDirs, real)
	return nil
}

// inside reports whether path (absolute, clean) is inside a root.
func (r *configReader) inside(path string) bool {
	for _, d := range r.realDirs {
		if within(d, path) {
			return true
		}
	}
	return false
}

// read reads one config file found under the directory. Its error is the
// message of a diagnostic at that file: it says what is wrong and what to
// do, without repeating the file's name. A nil reader (in tests) checks
// type and size, not symbolic links.
func (r *configReader) read(name string) ([]byte, error) {
	max := int64(DefaultMaxFileSize)
	if r != nil {
		max = r.max
	}
	if fi, err := os.Lstat(name); r != nil && err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(name)
		if err != nil {
			return nil, fmt.Errorf("cannot read: a symbolic link that leads nowhere (%v)", unwrapPath(err))
		}
		if abs, err := filepath.Abs(target); err == nil {
			target = abs
		}
		if !r.inside(target) {
			return nil, fmt.Errorf("a symbolic link to %s, outside the config directory %s: officectl reads only files inside it; copy the file into the directory, or remove the link", target, strings.Join(r.dirs, ", "))
		}
	}
	b, err := ReadRegularFile(name, max)
	switch {
	case errors.Is(err, ErrNotRegular):
		return nil, fmt.Errorf("cannot read: %v: a config file must be a regular file; remove it, or rename it so that it does not end in .cue, .yaml, .yml or .json", unwrapPath(err))
	case errors.Is(err, ErrTooLarge) && filepath.Ext(name) != ".cue" && SniffPlanFile(name):
		return nil, errPlanFile // skipped whatever its size
	case errors.Is(err, ErrTooLarge):
		return nil, fmt.Errorf("cannot read: %v per config file; split the offices over several files, or raise the limit with the environment variable %s (e.g. %s=32MiB)", unwrapPath(err), MaxFileSizeEnv, MaxFileSizeEnv)
	case err != nil:
		return nil, fmt.Errorf("cannot read: %v", unwrapPath(err))
	}
	return b, nil
}

// unwrapPath is err without the path an fs.PathError adds: diagnostics
// name the file already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// within reports whether path is dir or inside it; both are absolute and
// clean.
func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

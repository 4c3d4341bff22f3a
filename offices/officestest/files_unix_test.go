//go:build unix

package officestest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRunFiles: the --data and --people files are regular files only,
// bounded, never read through or replaced as a symbolic link; a named
// pipe or a device fails at once instead of hanging or filling memory.
func TestRunFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	target := filepath.Join(dir, "target.json")
	if err := os.WriteFile(target, []byte("keep\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge.json")
	if err := os.WriteFile(huge, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, maxDataFile+1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"data fifo", Options{DataFile: fifo}, "named pipe"},
		{"people fifo", Options{PeopleFile: fifo}, "named pipe"},
		{"data device", Options{DataFile: os.DevNull}, "device"},
		{"people device", Options{PeopleFile: "/dev/zero"}, "device"},
		{"data link", Options{DataFile: link}, "symbolic link"},
		{"people link", Options{PeopleFile: link}, "symbolic link"},
		{"data folder", Options{DataFile: dir}, "folder"},
		{"data too large", Options{DataFile: huge}, "larger than 256 MiB"},
		{"people too large", Options{PeopleFile: huge}, "larger than 16 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- Run(ctx, "127.0.0.1:0", tc.opts, nil) }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("Run = %v, want an error saying %q", err, tc.want)
				}
			case <-time.After(5 * time.Second):
				cancel()
				t.Fatalf("Run still running after 5s, want it to refuse the file at once")
			}
		})
	}
	if b, err := os.ReadFile(target); err != nil || string(b) != "keep\n" {
		t.Errorf("the link's target = %q, %v; want it untouched", b, err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link = %v, %v; want it still a link", fi, err)
	}
}

// TestSaveDataFileRefusesLink: a data file that became a symbolic link
// while the simulator ran is not replaced by the next save.
func TestSaveDataFileRefusesLink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "elsewhere")
	if err := os.WriteFile(target, []byte("keep\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "data.json")
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
	err := saveDataFile(New(Options{}), path)
	if !errors.Is(err, errFileKind) {
		t.Fatalf("saveDataFile over a link = %v, want it refused", err)
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link = %v, %v; want it still a link", fi, err)
	}
}

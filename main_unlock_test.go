//go:build linux

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// openPTY returns a new pseudo-terminal: what is written to master is
// read from slave, a terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skip("no pseudo-terminal:", err)
	}
	t.Cleanup(func() { m.Close() })
	ioctl := func(req uintptr, arg unsafe.Pointer) {
		if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), req, uintptr(arg)); e != 0 {
			t.Skip("no pseudo-terminal:", e)
		}
	}
	var n uint32
	ioctl(syscall.TIOCGPTN, unsafe.Pointer(&n))
	var unlock int32
	ioctl(syscall.TIOCSPTLCK, unsafe.Pointer(&unlock))
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skip("no pseudo-terminal:", err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

// TestStateUnlockAsksOnTerminal: on a terminal, state unlock shows the
// holder and clears the lock only when "yes" is typed.
func TestStateUnlockAsksOnTerminal(t *testing.T) {
	const lock = `{"host":"build-7.other-host.invalid","pid":4242,"started_at":"2026-12-01T23:00:00Z"}` + "\n"
	path := filepath.Join(t.TempDir(), "o.state")
	if err := os.WriteFile(path+".lock", []byte(lock), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, answer := range []string{"no", "yes"} {
		master, slave := openPTY(t)
		if _, err := master.WriteString(answer + "\n"); err != nil {
			t.Fatal(err)
		}
		var out, errOut strings.Builder
		code := run([]string{"state", "unlock", "--state", path}, stdio{slave, &out, &errOut, os.Getenv})
		for _, want := range []string{
			"The lock of " + path + " is held by pid 4242 on host build-7.other-host.invalid since 2026-12-01T23:00:00Z, another host",
			"Clear the lock? Only 'yes' is accepted: ",
		} {
			if !strings.Contains(errOut.String(), want) {
				t.Errorf("answer %s: stderr does not say %q:\n%s", answer, want, errOut.String())
			}
		}
		_, statErr := os.Stat(path + ".lock")
		switch answer {
		case "no":
			if code != exitError || statErr != nil || !strings.Contains(errOut.String(), "Unlock cancelled: the lock is still there.") {
				t.Errorf("answer no: exit %d, lock file: %v\n%s", code, statErr, errOut.String())
			}
		case "yes":
			if code != exitOK || !os.IsNotExist(statErr) || !strings.Contains(out.String(), "Cleared the lock of "+path) {
				t.Errorf("answer yes: exit %d, lock file: %v\n%s%s", code, statErr, out.String(), errOut.String())
			}
		}
	}
}

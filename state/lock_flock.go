//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package state

import (
	"errors"
	"os"
	"syscall"
)

// haveFlock: a lock is held with flock(2), so a stale lock file is
// detected, and Release removes the file before dropping the flock.
const haveFlock = true

// lockFile takes f's flock without waiting and reports whether it got it.
func lockFile(f *os.File, created bool) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		case errors.Is(err, syscall.EINTR):
			continue
		default:
			return false, err
		}
	}
}

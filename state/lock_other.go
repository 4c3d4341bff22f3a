//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly)

package state

import "os"

// haveFlock is false: a lock is held by having created the lock file, and
// Release closes it before removing it (an open file may not be removable).
const haveFlock = false

// lockFile, without flock, holds the lock only by having created the file:
// a lock file left by a killed process stays until someone removes it.
func lockFile(f *os.File, created bool) (bool, error) {
	return created, nil
}

//go:build unix

package state

import "syscall"

// Opening flags: never follow a symbolic link in the last element of the
// path, never block on a named pipe.
const (
	oNoFollow = syscall.O_NOFOLLOW
	oNonblock = syscall.O_NONBLOCK
)

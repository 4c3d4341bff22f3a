//go:build !unix

package state

// Without O_NOFOLLOW and O_NONBLOCK, openRegular's check before opening
// and after it are what refuses a link or a special file.
const (
	oNoFollow = 0
	oNonblock = 0
)

// Package state owns the officectl state file: what officectl remembers of
// the offices, departments and call centers it has created (their Dialpad
// ids, the spec last applied, the operators it applied), its versioned
// JSON format, atomic saves with a backup, and the exclusive lock that
// allows one writer at a time.
//
// Version 2 holds the maps offices, departments and callcenters (see Kind;
// an empty group map is left out), a key unique across all three. A
// version 1 state (offices only) is read as version 2 and written as
// version 2 by its next save, which keeps the version 1 file as the
// backup.
//
// The file is JSON (see State), indented by two spaces with every key
// sorted and a trailing newline, so that it reads well in Git; its mode is
// 0600. Load reads its "version" first and refuses a newer one
// (ErrNewerVersion) or a file that is not a valid state (ErrCorrupt),
// leaving the file as it is. Save writes a temporary file, syncs it, keeps
// the previous state as PATH.backup, renames, and syncs the folder, so a
// crash leaves the old state or the new one. Acquire takes the lock file
// PATH.lock; a second writer fails at once with ErrLocked, naming the
// holder. A Store puts it together for apply: it holds the lock and saves
// after every change, in groups when changes come concurrently.
//
// The files are untrusted (a state is edited and merged in Git): two
// entries with one Dialpad id, of any kinds, are refused (ErrDuplicateID);
// the state, its backup, its lock and the temporary files of a save are
// read and written only as regular files, never through a symbolic link
// (ErrSymlink, ErrNotRegular), and a state over MaxFileSize is refused
// unread (ErrTooLarge). A lock file of another host is never taken over,
// as flock cannot see a process of another machine: InspectLock and
// LockFile.Remove clear it once a person has checked.
package state

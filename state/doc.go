// Package state owns the officectl state file: what officectl remembers of
// the offices it has created (their Dialpad ids and the spec last applied),
// its versioned JSON format, atomic saves with a backup, and the exclusive
// lock that allows one writer at a time.
package state

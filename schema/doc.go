// Package schema owns the CUE schema of an officectl config (office.cue,
// embedded), compiles it into a CUE context, validates decoded config files
// against it, and turns CUE's errors into positioned, human diagnostics:
// one line per problem, at the file, line and column where the user wrote
// it, with the field path and a message that says what to do.
package schema

// Package load reads a config directory into desired offices: it finds
// the config files (hidden files, the state file and its companions, and
// plan files left out), reads each within a size and a time limit,
// validates YAML and JSON files on a fast path and CUE files with the
// schema, runs the checks across files (duplicate keys and names,
// references to unknown keys, reference cycles) and writes diagnostics as
// text, JSON or GitHub annotations. Its Config and Desired are what the
// plan is made from.
//
// It imports schema and offices, and nothing else of officectl: the other
// engine packages build on it.
package load

// Package writeback edits config files in place so that they describe
// new values: the core of `officectl drift --write`, which accepts into
// the files the changes made in Dialpad's console.
//
// An Edit names a value by its path from the top of a file
// (departments, berlin-sales, hold_queue, max_hold_count) and gives its
// new value as JSON, or deletes it. Apply makes a file's edits and
// changes only the bytes of the values that differ; every other line
// (comments, key order, quoting, indentation) stays byte for byte:
//
//   - YAML is read into yaml.v3's node tree, whose positions locate each
//     value; only the changed values' bytes are replaced, and new values
//     are encoded by yaml.v3 in the file's indentation. A scalar keeps its
//     quoting where it can; a flow collection ({…}, […]) is written again
//     on its line; block mappings and lists are edited member by member
//     (a removed field or object goes with the comment lines above it);
//     list elements equal to the new ones stay (the longest common
//     subsequence), so adding an operator adds one line.
//   - JSON is read by a scanner that keeps positions: objects and lists
//     over several lines are edited member by member in the file's
//     indentation, new keys at the end of their object; those on one
//     line are written again on one line.
//   - CUE is read into cue/ast. A plain literal (or a struct or list of
//     them) is replaced at its position, new fields go at the end of
//     their struct, larger new values written by cue/format. A value
//     that is a reference, an interpolation, a comprehension, a
//     disjunction or unification, a call, said in several places, or set
//     for every object by a policy constraint (Options.Policy, such as
//     offices: [string]: auto_call_recording: true) is not written:
//     Apply reports it as a Manual with its file, line and column. YAML
//     anchors and aliases and JSON never need that but for anchors.
//
// New objects and fields are written in the style of import --generate:
// objects as blocks (YAML) or over several lines (JSON, CUE); references
// ({department: KEY}), lists of hours and operators on one line. For
// YAML a caller may pass a node tree it built (Edit.Node) to be written
// exactly, so that import --generate's own encoder writes new objects.
//
// Apply does not decide what may be written: values officectl refuses
// (a name over 100 characters, an enum value the schema lacks) are the
// caller's to find. Validate loads the config directory with the edited
// files in place, as `officectl validate` does, so that the caller can
// refuse an edit with the same diagnostics and write the rest.
//
// It imports engine/load and schema (for Validate), nothing above.
package writeback

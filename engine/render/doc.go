// Package render writes plans and drift reports for people: text for a
// terminal (coloured only when asked) and markdown for a pull-request
// comment or an issue, trimmed under GitHub's comment limit. The JSON
// forms, which the plan file reuses, are package plan's.
//
// It imports engine/plan and offices (to sanitise text from outside), and
// nothing that talks to the API or writes the state.
package render

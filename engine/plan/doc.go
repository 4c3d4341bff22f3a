// Package plan turns desired offices and a state into a Plan, a value: one
// Change per office with its Action, in dependency order. It owns the
// plan's JSON form (the plan file is that form with the paths it was made
// from), reading and binding a saved plan to the config, state and
// company it was made from, drift (comparing the live offices with their
// last applied specs, and folding drift into a plan for plan --refresh),
// and the rules around them: which company a state belongs to, which
// refreshed plan may not be saved. Its Invocation (the directory and
// --state a command was given, carried by Plan and DriftReport) is what
// the commands printed in render's, apply's and engine's hints name.
//
// It imports engine/load (for Config), offices and state. render and
// apply build on it; it imports neither.
package plan

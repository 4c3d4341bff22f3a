// Package engine turns config files into offices and offices into actions:
// it loads and validates the config directory (with the CUE schema of
// package schema), diffs the desired offices against the state file into a
// Plan, renders plans as text, markdown and JSON, and applies them through
// the Dialpad client. It also adopts offices that already exist into the
// state (Import, GenerateConfigs) and compares the live offices with the
// state (CheckDrift, MergeDrift).
package engine

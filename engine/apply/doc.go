// Package apply carries out a plan through the Dialpad API: approval
// (the --max-creates rule, then --auto-approve or a person's yes), the
// scheduler (an office after those it refers to, up to Parallelism in
// flight, Ctrl-C starting nothing new), the work on each office with its
// write-ahead pending entry and the listings that find out whether a
// create happened, and what a run reports: events, progress lines and
// the summaries.
//
// It imports engine/plan, offices and state; nothing imports it but the
// command line.
package apply

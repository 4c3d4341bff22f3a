// Package apply carries out a plan through the Dialpad API: approval
// (the --max-creates rule, then --auto-approve or a person's yes), the
// company check a plan that acts needs (CheckCompany), and the run.
//
// A run is one job per change (run.go: an object after those it refers
// to, deletes last, a kind change's create before its delete, up to
// Parallelism in flight, Ctrl-C starting nothing new) and one write
// protocol for every kind (lifecycle.go): the write-ahead pending entry
// of a create, adoption by (office, kind, exact name) from one listing
// per office and kind (listing.go), answers checked before they reach
// the state, the target check before every write to an existing object,
// moves of renamed keys, and every step recorded as it succeeds. What
// differs between offices, departments and call centers is a small
// interface per kind (kinds.go); memberships are resolved and checked for
// the whole plan before any is sent (members.go). It also reports what a
// run did: events, progress lines and the summaries.
//
// It imports engine/plan, offices and state; nothing imports it but the
// command line and tests.
package apply

package main

// The long help of every command and subcommand: what `officectl help
// COMMAND` and `officectl COMMAND --help` print after the usage line, and
// what docs/commands/*.md show (go generate writes them from this help;
// TestCommandDocs fails when they differ). Each text says what the
// command does to every kind it touches: offices, departments, call
// centers and operators. Examples are command lines that
// TestHelpExamples parses against the command's flags.

// help is a command's description and examples.
type help struct {
	// text is the description: paragraphs separated by blank lines,
	// wrapped at about 72 columns.
	text string
	// examples are command lines, each optionally followed by "  # what it does".
	examples []string
}

// helps holds the help of each command, by name ("plan"), and of each
// subcommand, by command and subcommand ("state rm").
var helps = map[string]help{
	"validate": {
		text: `Loads every .cue, .yaml, .yml and .json file of the directories and
files given (the current directory by default) as one config and checks
its offices, departments, call centers and operators against the CUE
schema of the Dialpad API and officectl's own rules: time zones,
references, a group's office, cycles, and duplicate keys and names across
files. Every problem of every file is reported at its file:line:col.
Nothing is sent to Dialpad and no state file is read.

Exit status: 0 valid (warnings allowed), 1 invalid.`,
		examples: []string{
			"officectl validate offices",
			"officectl validate offices generated/paris.yaml  # a generated file checked with the config",
			"officectl validate offices --format github  # annotations in a pull request",
		},
	},
	"export": {
		text: `Prints the effective config as one JSON file: every office, department
and call center with the schema's defaults filled in, and the operators as
written. The output is a config file itself: it validates again, and
plans the same. Nothing is sent to Dialpad.`,
		examples: []string{
			"officectl export offices > effective.json",
		},
	},
	"plan": {
		text: `Compares the config with the state file and prints what apply would do,
in dependency order: offices to create or whose E911 address to update
(the API cannot change an office's other fields: those are "manual"),
departments and call centers to create, update or delete, and operators
to add, remove or change. Nothing is sent to Dialpad unless --refresh is
given, which also fetches what the state records and shows what changed
in Dialpad since the last apply (drift).

--out saves the plan for "officectl apply PLANFILE", which applies
exactly that plan or refuses it when the config or the state changed.

Exit status: 0 success, 1 error; with --detailed-exitcode, 0 no changes,
2 changes.`,
		examples: []string{
			"officectl plan offices",
			"officectl plan offices --format markdown > plan.md  # a pull-request comment",
			"officectl plan offices --out plan.json  # then: officectl apply plan.json",
			"officectl plan offices --refresh  # also what changed in Dialpad",
			"officectl plan offices --detailed-exitcode  # exit 2 when something would change",
		},
	},
	"apply": {
		text: `Plans the config against the state file (or takes a PLANFILE saved by
plan --out) and carries the plan out through the Dialpad API: creates
offices, updates their E911 addresses, creates, updates and deletes
departments and call centers, and adds and removes operators, each after
what it depends on, inside one rate limit. Every step is recorded in the
state file as it succeeds; a create is recorded as pending before it is
sent, so nothing is created twice, even after a crash.

It refuses more than --max-creates new offices (each one changes the
bill) and more than --max-deletes deletes (default 0; protect: true
groups never), asks for "yes" on a terminal and needs --auto-approve
elsewhere. Manual changes and orphans are left alone and listed.

Exit status: 0 success, 1 a change failed or an error, 130 interrupted;
with --detailed-exitcode, 2 when manual changes or orphans were left.`,
		examples: []string{
			"officectl apply offices",
			"officectl apply plan.json  # exactly the plan saved by plan --out",
			"officectl apply offices --auto-approve --max-creates 40 --adopt-existing  # in CI",
			"officectl apply offices --max-deletes 2  # allow two deletes",
		},
	},
	"import": {
		text: `Lists the company's offices and, for each office of the config that the
state does not record and whose name exactly one live office has,
records that office in the state: adopted, never created again. Then the
departments and call centers of those offices, by office, kind and exact
name, with their operators when the config lists operators. Nothing is
created or changed in Dialpad.

It reports what it adopted, what apply will create, what it could not
adopt, and the live offices no config describes; --generate writes a
config file for each of those, with TODOs for the fields the API does not
return. --dry-run changes nothing.`,
		examples: []string{
			"officectl import offices --generate generated  # adopt, and write files for the rest",
			"officectl import offices --dry-run",
			"officectl import offices --state ci/officectl.state",
		},
	},
	"drift": {
		text: `Fetches every office, department and call center the state records (and
their operators where officectl manages them) and compares each with the
spec last applied: fields changed in Dialpad's console, objects deleted
there, operators added or removed. Nothing is changed: "plan --refresh"
plans the way back, "drift" reports, for a scheduled job.

--write accepts the drift instead: it edits the config files in place so
that they say what is live (only the changed values' lines differ;
comments, key order and quoting stay), removes objects deleted in
Dialpad from their files, writes each department and call center
created in Dialpad in an office the config manages into a new file named
for it (as import --generate writes groups), checks the result as
validate does, and records the live objects in the state, so that the
next plan is empty.
A value the file does not say plainly (a CUE reference, a policy) is
listed to change by hand; a live value officectl would refuse is not
written, and said why.

Exit status: 0 no drift (with --write: all of it written), 2 drift (with
--write: some left to do by hand), 1 error.`,
		examples: []string{
			"officectl drift offices",
			"officectl drift offices --format markdown > drift.md  # for an issue",
			"officectl drift offices --write && git diff offices/",
		},
	},
	"state": {
		text: `Reads and repairs the state file: the record of which Dialpad object each
key of the config is. The state file is --state, else officectl.state in
DIR (the current directory by default).`,
		examples: []string{
			"officectl state list offices",
			"officectl state show berlin offices",
			"officectl state rm berlin offices",
			"officectl state unlock offices",
		},
	},
	"state list": {
		text: `Prints one line per entry of the state: key, status (created or pending),
Dialpad id (- while pending) and name, tab-separated; offices first, then
departments and call centers, whose lines end with their kind.`,
		examples: []string{
			"officectl state list offices",
			"officectl state list --state ci/officectl.state",
		},
	},
	"state show": {
		text: `Prints the state entry of KEY (an office, department or call center) as
JSON: its Dialpad id, the spec last applied and the operators.`,
		examples: []string{
			"officectl state show berlin offices",
			"officectl state show berlin-sales --state ci/officectl.state",
		},
	},
	"state rm": {
		text: `Forgets KEY (an office, department or call center): its entry leaves the
state file, and the object stays in Dialpad, no longer managed. Use it
for an office removed from the config (offices cannot be deleted through
the API), before adopting a changed object again with import, or to
create again an object deleted in Dialpad. Takes the state lock.`,
		examples: []string{
			"officectl state rm berlin offices",
			"officectl state rm berlin --state ci/officectl.state",
		},
	},
	"state unlock": {
		text: `Clears a lock left on the state file by an officectl that no longer
runs (a lock of this host whose process is gone is taken over anyway; a
lock of another host never is). It shows the holder, then asks for "yes"
on a terminal; elsewhere it needs --lock-id, the id it shows. It never
clears a lock that a running process of this host holds.`,
		examples: []string{
			"officectl state unlock offices",
			"officectl state unlock offices --lock-id 3f2a9c",
		},
	},
	"schema": {
		text: `Prints the CUE schema officectl checks configs against (offices,
departments, call centers, operators), for the stock cue CLI, or with
--format jsonschema a JSON Schema (draft 2020-12) for YAML and JSON
editors. Some rules only "officectl validate" checks: time zones,
references, cycles, duplicate names across files.`,
		examples: []string{
			"officectl schema > offices.cue",
			"officectl schema --format jsonschema > offices.schema.json",
		},
	},
	"sim": {
		text: `Runs the Dialpad API simulator on a loopback address until interrupted:
offices, departments, call centers, operators, users and rooms, with
Dialpad's request validation, cursor paging and rate limit, and faults
on demand. It prints its URL; point officectl at it with DIALPAD_API_URL.
It accepts $DIALPAD_API_KEY, else the key officectl-demo-token.

"sim edit" and "sim delete" change a running simulator's objects as an
admin would in Dialpad's web app, to try drift.`,
		examples: []string{
			"officectl sim --addr 127.0.0.1:8089",
			"officectl sim --addr 127.0.0.1:0 --faults 5xx=0.1,drop=0.05 --data /tmp/sim.json",
			"officectl sim edit 5100000000000001 ring_seconds=45",
		},
	},
	"sim edit": {
		text: `Changes fields of an office (or, with KIND department or callcenter, of
that group) in a running simulator, as an admin would in Dialpad's web
app, and prints the object as it is now. PATH is a field of the API's
object, dotted into objects (ring_seconds, e911_address.zip,
routing_options.open.action); JSON is its new value, strings quoted. ID
is the Dialpad id that "officectl state list" shows.`,
		examples: []string{
			"officectl sim edit 5100000000000001 ring_seconds=45 'name=\"Berlin HQ\"'",
			"officectl sim edit department 5100000000000014 ring_seconds=45",
			"officectl sim edit 5100000000000001 'state=\"cancelled\"' --url http://127.0.0.1:8089",
		},
	},
	"sim delete": {
		text: `Deletes an office (or, with KIND department or callcenter, that group)
in a running simulator, as an admin would in Dialpad's web app: GET
then answers 404, and drift reports it deleted.`,
		examples: []string{
			"officectl sim delete 5100000000000003",
			"officectl sim delete callcenter 5100000000000009 --url http://127.0.0.1:8089",
		},
	},
	"init": {
		text: `Writes a complete, commented example config of three offices into DIR
(the current directory by default; a new or empty directory: it never
writes over config files), to edit and validate.`,
		examples: []string{
			"officectl init offices",
		},
	},
	"version": {
		text: `Prints the version officectl was built as, with the VCS revision and
commit time ("modified" for a build from a changed tree).`,
		examples: []string{
			"officectl version",
		},
	},
}

#!/usr/bin/env bash
# make demo: officectl on the example config, end to end, against the
# simulator on a free loopback port: validate, plan, apply, then drift made
# through the simulator's admin surface (a changed and a deleted office),
# found, planned (RE-CREATE) and resolved; then a change to the
# departments and operators: an update, and a delete refused without
# --max-deletes, applied with it, a protected department kept; then a
# console change accepted into the config with drift --write. Nothing
# leaves this machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
. testdata/lib/sim.sh
bin=./officectl
example=testdata/example
[ -x "$bin" ] || go build -o "$bin" .

# Commands in bold on a terminal, plain elsewhere and with NO_COLOR.
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
	step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
else
	step() { printf '\n$ %s\n' "$*"; }
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/officectl-demo.XXXXXX")
state="$work/officectl.state"
simlog="$work/simulator.log"
# The simulator's key: a made-up one, as is every office it holds.
export DIALPAD_API_KEY=officectl-demo-token

# The simulator picks a free loopback port (127.0.0.1:0) and prints its URL.
step "officectl sim --addr 127.0.0.1:0 --latency 50ms &"
$bin sim --addr 127.0.0.1:0 --latency 50ms 2>"$simlog" &
sim=$!
trap 'kill "$sim" 2>/dev/null || true; wait "$sim" 2>/dev/null || true; rm -rf "$work"' EXIT
if ! url=$(sim_url "$simlog" "$sim"); then
	echo "the simulator did not start:" >&2
	cat "$simlog" >&2
	exit 1
fi
head -n 1 "$simlog"
export DIALPAD_API_URL=$url

step officectl validate $example
$bin validate $example

step officectl plan $example --state "$state"
$bin plan $example --state "$state"

step officectl apply $example --state "$state" --auto-approve
$bin apply $example --state "$state" --auto-approve

step officectl plan $example --state "$state" --detailed-exitcode
$bin plan $example --state "$state" --detailed-exitcode

step officectl state list --state "$state"
$bin state list --state "$state"

# Drift: an admin changes offices in Dialpad's web app, outside Git. The
# simulator's admin surface (officectl sim edit|delete) stands for it.
# (Sydney, which has no departments: drift of a deleted office with
# groups fails today, listing its groups answers 404.)
id_of() { $bin state show "$1" --state "$state" | sed -n 's/^  "id": "\([0-9]*\)",$/\1/p'; }
berlin=$(id_of berlin)
sydney=$(id_of sydney)

step officectl sim edit "$berlin" ring_seconds=45 "'monday_hours=[\"09:00\",\"17:00\"]'"
$bin sim edit "$berlin" ring_seconds=45 'monday_hours=["09:00","17:00"]' >/dev/null
step officectl sim delete "$sydney"
$bin sim delete "$sydney"

step officectl drift $example --state "$state"
status=0
$bin drift $example --state "$state" || status=$?
echo "(exit $status: drift found)"
[ "$status" = 2 ]

step officectl plan $example --state "$state" --refresh
$bin plan $example --state "$state" --refresh

# Sydney is created again once the state forgets the deleted office; Berlin
# is set back in Dialpad (the API cannot change it).
step officectl state rm sydney --state "$state"
$bin state rm sydney --state "$state"
step officectl apply $example --state "$state" --auto-approve
$bin apply $example --state "$state" --auto-approve
step officectl sim edit "$berlin" ring_seconds=30 "'monday_hours=[\"08:00\",\"12:00\",\"13:00\",\"18:00\"]'"
$bin sim edit "$berlin" ring_seconds=30 'monday_hours=["08:00","12:00","13:00","18:00"]' >/dev/null
step officectl drift $example --state "$state"
$bin drift $example --state "$state"

# Departments, call centers and operators change week to week. A copy of
# the example stands for the next pull request: Berlin's Sales rings
# longer, user3 becomes an admin of it, and two departments leave the
# config: Tokyo's front desk, and Berlin's reception, which is protected.
config="$work/config"
cp -R "$example" "$config"
step "edit $config/groups.yaml"
sed -e 's/^    ring_seconds: 25$/    ring_seconds: 35/' \
	-e 's/^      - {user: user3@example.com}$/      - {user: user3@example.com, role: admin}/' \
	-e '/^  berlin-reception:$/,/^    protect: true$/d' \
	-e '/^  tokyo-front-desk:$/,/^    operators: \[\]$/d' \
	"$example/groups.yaml" >"$config/groups.yaml"
diff -u "$example/groups.yaml" "$config/groups.yaml" | sed -n '3,$p' || true

step officectl plan "$config" --state "$state"
$bin plan "$config" --state "$state"

# A deleted department cannot be brought back: apply refuses deletes
# beyond --max-deletes (default 0), before any request.
step officectl apply "$config" --state "$state" --auto-approve
status=0
$bin apply "$config" --state "$state" --auto-approve || status=$?
echo "(exit $status: refused)"
[ "$status" = 1 ]

step officectl apply "$config" --state "$state" --auto-approve --max-deletes 1
$bin apply "$config" --state "$state" --auto-approve --max-deletes 1

# The protected reception is still managed, though no longer in the config.
step officectl state list --state "$state"
$bin state list --state "$state"

step officectl drift "$config" --state "$state"
$bin drift "$config" --state "$state"

# Accepting a console change instead: an admin lengthens Berlin's ring time
# and gives Sales a longer queue and shorter Monday hours in Dialpad's web
# app. drift --write edits the config files in place (only those values'
# lines change, comments stay) and records Dialpad in the state: the plan
# is empty. The scheduled workflow makes this a pull request.
sales=$(id_of berlin-sales)
step officectl sim edit "$berlin" ring_seconds=40
$bin sim edit "$berlin" ring_seconds=40 >/dev/null
step officectl sim edit department "$sales" hold_queue.max_hold_count=25 "'monday_hours=[\"09:00\",\"17:00\"]'"
$bin sim edit department "$sales" hold_queue.max_hold_count=25 'monday_hours=["09:00","17:00"]' >/dev/null
before="$work/before"
cp -R "$config" "$before"
step officectl drift "$config" --state "$state" --write
$bin drift "$config" --state "$state" --write
step "diff -ru before/ config/"
(cd "$work" && diff -ru before config) || true
step officectl plan "$config" --state "$state" --detailed-exitcode
$bin plan "$config" --state "$state" --detailed-exitcode

printf '\nThe simulator answered %s requests. Demo done.\n' "$(grep -c ' /api/v2/' "$simlog" || true)"

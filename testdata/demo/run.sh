#!/usr/bin/env bash
# make demo: officectl on the example config, end to end, against the
# simulator on a free loopback port: validate, plan, apply, then drift made
# through the simulator's admin surface (a changed and a deleted office),
# found, planned (RE-CREATE) and resolved. Nothing leaves this machine.
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
id_of() { $bin state show "$1" --state "$state" | sed -n 's/^  "id": "\([0-9]*\)",$/\1/p'; }
berlin=$(id_of berlin)
tokyo=$(id_of tokyo)

step officectl sim edit "$berlin" ring_seconds=45 "'monday_hours=[\"09:00\",\"17:00\"]'"
$bin sim edit "$berlin" ring_seconds=45 'monday_hours=["09:00","17:00"]' >/dev/null
step officectl sim delete "$tokyo"
$bin sim delete "$tokyo"

step officectl drift $example --state "$state"
status=0
$bin drift $example --state "$state" || status=$?
echo "(exit $status: drift found)"
[ "$status" = 2 ]

step officectl plan $example --state "$state" --refresh
$bin plan $example --state "$state" --refresh

# Tokyo is created again once the state forgets the deleted office; Berlin
# is set back in Dialpad (the API cannot change it).
step officectl state rm tokyo --state "$state"
$bin state rm tokyo --state "$state"
step officectl apply $example --state "$state" --auto-approve
$bin apply $example --state "$state" --auto-approve
step officectl sim edit "$berlin" ring_seconds=30 "'monday_hours=[\"08:00\",\"12:00\",\"13:00\",\"18:00\"]'"
$bin sim edit "$berlin" ring_seconds=30 'monday_hours=["08:00","12:00","13:00","18:00"]' >/dev/null
step officectl drift $example --state "$state"
$bin drift $example --state "$state"

printf '\nThe simulator answered %s requests. Demo done.\n' "$(grep -c ' /api/v2/' "$simlog" || true)"

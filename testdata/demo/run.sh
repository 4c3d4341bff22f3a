#!/usr/bin/env bash
# make demo: officectl on the example config, end to end, against the
# simulator on a free loopback port. Nothing leaves this machine.
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

printf '\nThe simulator answered %s requests. Demo done.\n' "$(grep -c ' /api/v2/' "$simlog" || true)"

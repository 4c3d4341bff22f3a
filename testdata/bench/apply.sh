#!/usr/bin/env bash
# Apply throughput, end to end: `officectl apply` against `officectl sim`
# answering after 100 ms with a limit of 6,000 requests a minute, the
# client's --rate 6000. One line per parallelism:
#
#   apply parallelism=16: 0.96 of limit, 0 429s (1000 offices, 10.4 s)
#
# OFFICECTL (default: built here), APPLY_BENCH_N (offices, default 1000:
# some 10 s at the limit, so that the first listing and the last answers
# weigh little in the pace; the naive parallelism=1 baseline applies at
# most 50: at 10 a second its fraction does not depend on N). make bench
# calls it from run.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
. testdata/lib/sim.sh
N=${APPLY_BENCH_N:-1000}
LIMIT=6000
work=$(mktemp -d "${TMPDIR:-/tmp}/officectl-apply-bench.XXXXXX")
sim=
trap '[ -n "$sim" ] && kill "$sim" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
bin=${OFFICECTL:-}
if [ -z "$bin" ]; then
	bin="$work/officectl"
	go build -o "$bin" .
fi
export DIALPAD_API_KEY=officectl-bench-token NO_COLOR=1

# config N DIR: N offices in one YAML file.
config() {
	mkdir -p "$2"
	{
		echo "offices:"
		for i in $(seq -w 1 "$1"); do
			printf '  office-%s:\n    name: Office %s\n    country: DE\n    currency: EUR\n    plan_period: monthly\n    invoiced: false\n    unified_billing: true\n    annual_commit_monthly_billing: false\n    billing_address: {address_line_1: "%s Main St", city: Berlin, country: DE, postal_code: "10117", region: Berlin}\n' "$i" "$i" "$i"
		done
	} > "$2/offices.yaml"
}

# row P N: a fresh simulator, N offices at parallelism P.
row() {
	local p=$1 n=$2 dir="$work/p$1"
	config "$n" "$dir/cfg"
	"$bin" sim --addr 127.0.0.1:0 --rate "$LIMIT" --latency 100ms 2>"$dir/sim.log" &
	sim=$!
	local url
	url=$(sim_url "$dir/sim.log" "$sim") || { echo "apply parallelism=$p: the simulator did not start"; return 1; }
	DIALPAD_API_URL=$url "$bin" apply "$dir/cfg" --state "$dir/officectl.state" --auto-approve \
		--max-creates "$n" --rate "$LIMIT" --parallelism "$p" --format json >"$dir/events" 2>"$dir/stderr" ||
		{ echo "apply parallelism=$p: apply failed: $(tail -n 3 "$dir/stderr")"; kill "$sim"; return 1; }
	kill "$sim"
	wait "$sim" 2>/dev/null || true
	sim=
	local summary requests throttled elapsed sim429
	summary=$(grep '"type":"summary"' "$dir/events")
	requests=$(sed -n 's/.*"requests":\([0-9]*\).*/\1/p' <<<"$summary")
	throttled=$(sed -n 's/.*"throttled":\([0-9]*\).*/\1/p' <<<"$summary")
	elapsed=$(sed -n 's/.*"elapsed_seconds":\([0-9.e-]*\).*/\1/p' <<<"$summary")
	sim429=$(grep -c ' 429 ' "$dir/sim.log" || true)
	awk -v p="$p" -v r="$requests" -v t="${throttled:-0}" -v s="$sim429" -v e="$elapsed" -v l="$LIMIT" -v n="$n" \
		'BEGIN { printf "apply parallelism=%d: %.2f of limit, %d 429s (%d offices, %.1f s)\n", p, r / e * 60 / l, (t > s ? t : s), n, e }'
}

row 1 $((N < 50 ? N : 50))
row 8 "$N"
row 16 "$N"

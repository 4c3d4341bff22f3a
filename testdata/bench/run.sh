#!/usr/bin/env bash
# make bench: one table, every row measured side by side in this run on
# this machine. Ratios are the numbers to quote; seconds move with load.
#
#   BENCH_N=10000 (offices, one file each)   BENCH_RUNS=1 (median of runs)
#   BENCH_GROUPS=1000 (groups applied in row 6; 0 skips rows 6 to 9)
#   BENCH_ROWS=1,2,3,4,5,6,7,8,9 (the rows to run, e.g. BENCH_ROWS=6,8,9:
#   the request-efficiency rows alone; rows 8 and 9 start from row 6's
#   apply, so they run it too)
set -euo pipefail
cd "$(dirname "$0")/../.."
. testdata/lib/sim.sh
N=${BENCH_N:-10000}
RUNS=${BENCH_RUNS:-1}
ROWS=,${BENCH_ROWS:-1,2,3,4,5,6,7,8,9},
# want ROW: whether the row is to run.
want() { [[ $ROWS == *,$1,* ]]; }
work=$(mktemp -d "${TMPDIR:-/tmp}/officectl-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
: > "$work/results"

go build -o "$work/officectl" .
go build -o "$work/tool" ./testdata/bench/tool
if want 1 || want 2 || want 4; then
	"$work/tool" gen -n "$N" -invalid 0 -out "$work/valid" >/dev/null
fi
cuever=$(go list -m -f '{{.Version}}' cuelang.org/go)
if want 1 || want 2; then
	# The cue CLI of the same cuelang.org/go version, in a temporary GOBIN.
	GOBIN="$work/bin" go install "cuelang.org/go/cmd/cue@$cuever"
	cue="$work/bin/cue"
	bad=$("$work/tool" gen -n "$N" -invalid 0.05 -seed 2 -out "$work/mixed" | awk '{print $3}')
	"$work/officectl" schema > "$work/schema.cue"
	"$work/tool" state "$work/valid" "$work/valid.state"
fi

# once NAME CMD...: one run's wall seconds and peak RSS, kept for NAME.
once() {
	local name=$1; shift
	"$work/tool" measure -- "$@" 2>/dev/null >> "$work/raw.$name"
}
# summarize NAME: the median wall seconds and peak RSS (MiB) of its runs.
summarize() {
	python3 -c '
import json,sys,statistics
rows=[json.loads(l) for l in open(sys.argv[2])]
print("%s %.2f %.0f %d" % (sys.argv[1], statistics.median(r["wall_s"] for r in rows),
      statistics.median(r["maxrss_kib"] for r in rows)/1024, rows[-1]["exit"]))' "$1" "$work/raw.$1" >> "$work/results"
}

# The runs interleave (cue vet, validate, ... then again), so that a busy
# moment on a shared machine falls on both sides of a ratio.
if want 1 || want 2; then
	for _ in $(seq "$RUNS"); do
		once cue_vet "$cue" vet -c -d '#Config' "$work/schema.cue" "$work/valid"/*
		once validate "$work/officectl" validate "$work/valid"
		once validate_mixed "$work/officectl" validate "$work/mixed"
		once floor "$work/tool" floor "$work/valid"
		once plan "$work/officectl" plan "$work/valid" --state "$work/valid.state" --format json
	done
	for name in cue_vet validate validate_mixed floor plan; do summarize "$name"; done
	reported=$("$work/officectl" validate --format json "$work/mixed" 2>/dev/null | python3 -c 'import json,sys; print(len({d["file"] for d in json.load(sys.stdin) if d["severity"]=="error"}))' || true)
	planstep=$("$work/tool" planstep "$work/valid" "$work/valid.state")
fi
apply_rows=""
if want 3 && [ -x testdata/bench/apply.sh ]; then
	apply_rows=$(OFFICECTL="$work/officectl" BENCH_N="$N" testdata/bench/apply.sh || echo "apply bench failed")
fi

# Row 4: apply all N offices from an empty state against the simulator
# (100 ms latency, 6,000/min), peak RSS and pace. At this size the state
# file (about 2.4 KB an office) is rewritten and fsynced after each batch of
# changes, so --parallelism 64 lets more changes share a save.
apply_big() {
	local dir="$work/applybig" url=
	mkdir -p "$dir"
	DIALPAD_API_KEY=officectl-bench-token "$work/officectl" sim --addr 127.0.0.1:0 --rate 6000 --latency 100ms 2>"$dir/sim.log" &
	local sim=$!
	url=$(sim_url "$dir/sim.log" "$sim") || { kill "$sim" 2>/dev/null; echo "apply_big 0 0 failed"; return; }
	DIALPAD_API_URL=$url DIALPAD_API_KEY=officectl-bench-token NO_COLOR=1 "$work/tool" measure -- \
		"$work/officectl" apply "$work/valid" --state "$dir/officectl.state" --auto-approve \
		--max-creates "$N" --rate 6000 --parallelism 64 --format json >"$dir/out" 2>"$dir/events" || true
	kill "$sim" 2>/dev/null; wait "$sim" 2>/dev/null || true
	python3 - "$dir/out" "$dir/events" "$(grep -c ' 429 ' "$dir/sim.log" || true)" <<'PY'
import json,sys
rows=[json.loads(l) for f in sys.argv[1:3] for l in open(f) if l.startswith('{')]
m=[r for r in rows if "maxrss_kib" in r][-1]
s=[r for r in rows if r.get("type")=="summary"]
if not s or m["exit"]!=0:
    print("apply_big %.2f %.0f failed" % (m["wall_s"], m["maxrss_kib"]/1024)); sys.exit()
s=s[-1]
print("apply_big %.2f %.0f %.2f %d %d %.1f" % (m["wall_s"], m["maxrss_kib"]/1024,
      s["requests"]/s["elapsed_seconds"]*60/6000, int(sys.argv[3]), s["counts"]["created"], s["elapsed_seconds"]))
PY
}
if want 4 && [ "${BENCH_APPLY_BIG:-1}" = 1 ]; then
	apply_big >> "$work/results"
fi

# Row 5: drift of BENCH_DRIFT_N offices (default 2000) against the
# simulator answering after 100 ms, at Dialpad's 1,200 requests a minute.
# The offices are applied first with no rate limit into a simulator that
# keeps them in a data file; the measured drift runs against a simulator
# started again on that file. Requests are counted from its log.
drift_big() {
	local dn=${BENCH_DRIFT_N:-2000} dir="$work/drift" url= sim=
	mkdir -p "$dir"
	"$work/tool" gen -n "$dn" -invalid 0 -seed 3 -out "$dir/offices" >/dev/null
	DIALPAD_API_KEY=officectl-bench-token "$work/officectl" sim --addr 127.0.0.1:0 --rate -1 --data "$dir/sim.json" 2>"$dir/setup.log" &
	sim=$!
	url=$(sim_url "$dir/setup.log" "$sim") || { kill "$sim" 2>/dev/null; echo "drift_big 0 0 failed"; return; }
	DIALPAD_API_URL=$url DIALPAD_API_KEY=officectl-bench-token "$work/officectl" apply "$dir/offices" --auto-approve \
		--max-creates "$dn" --rate 600000 --parallelism 64 --format json >/dev/null 2>&1 || true
	kill "$sim" 2>/dev/null; wait "$sim" 2>/dev/null || true
	DIALPAD_API_KEY=officectl-bench-token "$work/officectl" sim --addr 127.0.0.1:0 --latency 100ms --data "$dir/sim.json" 2>"$dir/sim.log" &
	sim=$!
	url=$(sim_url "$dir/sim.log" "$sim") || { kill "$sim" 2>/dev/null; echo "drift_big 0 0 failed"; return; }
	DIALPAD_API_URL=$url DIALPAD_API_KEY=officectl-bench-token "$work/tool" measure -- \
		"$work/officectl" drift "$dir/offices" --format json >"$dir/out" 2>"$dir/err" || true
	kill "$sim" 2>/dev/null; wait "$sim" 2>/dev/null || true
	python3 - "$dir/out" "$dir/err" "$(grep -c ' /api/v2/offices ' "$dir/sim.log" || true)" "$(grep -c ' /api/v2/offices/' "$dir/sim.log" || true)" "$dn" <<'PY'
import json,sys
m=json.loads(open(sys.argv[1]).read())
text=open(sys.argv[2]).read()
try:
    rep=json.JSONDecoder().raw_decode(text[text.index('{'):])[0]
except ValueError:
    rep={}
sys.argv.pop(1)
ok=m["exit"]==0 and rep.get("checked")==int(sys.argv[4]) and not rep.get("drifts")
print("drift_big %.2f %.0f %s %s %s %s" % (m["wall_s"], m["maxrss_kib"]/1024, sys.argv[2], sys.argv[3], rep.get("checked"), "ok" if ok else "failed"))
PY
}
if want 5 && [ "${BENCH_DRIFT:-1}" = 1 ]; then
	drift_big >> "$work/results"
fi

# Row 6: apply BENCH_GROUPS departments and call centers (default 1000,
# half each, 1 to 3 operators each; 0 skips rows 6 to 9) over
# BENCH_GROUPS_OFFICES offices (default 50) applied just before, against the
# simulator (100 ms latency, 6,000/min) at --rate 6000 and --parallelism
# BENCH_GROUPS_PARALLELISM (default 64: a group's create and operator adds
# are one after the other, so more groups are kept in flight than for
# offices). Pace and 429s count the groups' apply alone (the simulator's log
# lines after the offices'). Requests are counted from the simulator's log
# against the minimum the plan needs (`tool minimum`: writes, membership
# writes, one listing per office and kind, one look-up per distinct email
# or one users listing when fewer, the company check).
# Row 8: then every group changed (ring_seconds, wrap-up, operators: the
# same generator with another seed); row 9: then the last 200 deleted.
apply_groups() {
	local ng=$BENCH_GROUPS no=${BENCH_GROUPS_OFFICES:-50} dir="$work/applygroups" url= sim=
	mkdir -p "$dir"
	"$work/tool" gen -n "$no" -invalid 0 -seed 4 -out "$dir/cfg" >/dev/null
	DIALPAD_API_KEY=officectl-bench-token "$work/officectl" sim --addr 127.0.0.1:0 --rate 6000 --latency 100ms 2>"$dir/sim.log" &
	sim=$!
	url=$(sim_url "$dir/sim.log" "$sim") || { kill "$sim" 2>/dev/null; echo "apply_groups 0 0 failed"; return; }
	DIALPAD_API_URL=$url DIALPAD_API_KEY=officectl-bench-token NO_COLOR=1 "$work/officectl" apply "$dir/cfg" --state "$dir/officectl.state" \
		--auto-approve --max-creates "$no" --rate 6000 --parallelism 16 >/dev/null 2>&1 || { kill "$sim" 2>/dev/null; echo "apply_groups 0 0 failed"; return; }
	"$work/tool" groups -offices "$no" -n "$ng" -out "$dir/cfg" >/dev/null
	groups_row apply_groups "$url" "$dir"
	if want 8 || want 9; then
		rm -f "$dir"/cfg/groups-*.yaml
		"$work/tool" groups -offices "$no" -n "$ng" -seed 2 -out "$dir/cfg" >/dev/null
		groups_row update_groups "$url" "$dir"
	fi
	if want 9; then
		rm -f "$dir"/cfg/groups-*.yaml
		"$work/tool" groups -offices "$no" -n "$((ng > 200 ? ng - 200 : 0))" -seed 2 -out "$dir/cfg" >/dev/null
		groups_row delete_groups "$url" "$dir"
	fi
	kill "$sim" 2>/dev/null; wait "$sim" 2>/dev/null || true
}
# groups_row NAME URL DIR: one measured apply of DIR/cfg against the
# simulator at URL, its requests (from the log) against the plan's minimum.
groups_row() {
	local name=$1 url=$2 dir=$3 skip
	skip=$(wc -l <"$dir/sim.log")
	"$work/tool" minimum "$dir/cfg" "$dir/officectl.state" >"$dir/min.$name"
	DIALPAD_API_URL=$url DIALPAD_API_KEY=officectl-bench-token NO_COLOR=1 "$work/tool" measure -- \
		"$work/officectl" apply "$dir/cfg" --state "$dir/officectl.state" --auto-approve \
		--max-creates "$BENCH_GROUPS" --max-deletes "$BENCH_GROUPS" --rate 6000 --parallelism "${BENCH_GROUPS_PARALLELISM:-64}" --format json >"$dir/out.$name" 2>"$dir/events.$name" || true
	sleep 0.2 # the simulator's last log lines
	"$work/tool" requests "$dir/sim.log" "$skip" >"$dir/req.$name"
	python3 - "$name" "$dir/out.$name" "$dir/events.$name" "$dir/req.$name" "$dir/min.$name" "$work/by.$name" <<'PY'
import json,sys
name=sys.argv[1]
rows=[json.loads(l) for f in sys.argv[2:4] for l in open(f) if l.startswith('{')]
req=json.load(open(sys.argv[4])); mn=json.load(open(sys.argv[5]))
open(sys.argv[6],"w").write("requests %s; minimum %s\n" % (req["by"], ", ".join("%s=%d" % kv for kv in mn.items())))
m=[r for r in rows if "maxrss_kib" in r][-1]
s=[r for r in rows if r.get("type")=="summary"]
if not s or m["exit"]!=0:
    print("%s %.2f %.0f failed" % (name, m["wall_s"], m["maxrss_kib"]/1024)); sys.exit()
s=s[-1]; c=s["counts"]
print("%s %.2f %.0f %.2f %d %d %.1f %d %d %.2f %d %d" % (name, m["wall_s"], m["maxrss_kib"]/1024,
      s["requests"]/s["elapsed_seconds"]*60/6000, req["throttled"], c.get("created",0), s["elapsed_seconds"],
      req["requests"], mn["total"], mn["total"]/max(req["requests"],1), c.get("updated",0), c.get("deleted",0)))
PY
}
# Row 7: plan of BENCH_GROUPS_PLAN_OFFICES offices (default 2000) and
# BENCH_GROUPS_PLAN groups (default 10000) against a state in which all
# exist: the plan step alone against validate, as in row 2.
plan_groups() {
	local no=${BENCH_GROUPS_PLAN_OFFICES:-2000} ng=${BENCH_GROUPS_PLAN:-10000} dir="$work/plangroups"
	mkdir -p "$dir"
	"$work/tool" gen -n "$no" -invalid 0 -seed 5 -out "$dir/cfg" >/dev/null
	"$work/tool" groups -offices "$no" -n "$ng" -out "$dir/cfg" >/dev/null
	"$work/tool" state "$dir/cfg" "$dir/officectl.state"
	"$work/tool" measure -- "$work/officectl" plan "$dir/cfg" --state "$dir/officectl.state" --format json --detailed-exitcode >"$dir/out" 2>/dev/null || true
	"$work/tool" planstep "$dir/cfg" "$dir/officectl.state" >"$dir/step"
	python3 - "$dir/out" "$dir/step" "$no" "$ng" <<'PY'
import json,sys
m=json.loads(open(sys.argv[1]).read().splitlines()[-1])
d=json.loads(open(sys.argv[2]).read())
print("plan_groups %.2f %.0f %.3f %.1f %d %s %s %s" % (m["wall_s"], m["maxrss_kib"]/1024, d["plan_s"],
      100*d["plan_s"]/d["validate_s"], d["changes"], sys.argv[3], sys.argv[4], "no-changes" if m["exit"]==0 else "exit-%d" % m["exit"]))
PY
}
BENCH_GROUPS=${BENCH_GROUPS:-1000}
if [ "$BENCH_GROUPS" != 0 ]; then
	if want 6 || want 8 || want 9; then
		apply_groups >> "$work/results"
	fi
	if want 7; then
		plan_groups >> "$work/results"
	fi
fi

get() { awk -v n="$1" -v f="$2" '$1==n {print $f}' "$work/results"; }
ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
echo "officectl bench — $(date -u +%Y-%m-%d) — ${cpu:-unknown CPU}, $(nproc) cores, $(go version | awk '{print $3}'), cue $cuever, N=$N, runs=$RUNS"
echo
printf '%-58s %10s %10s %s\n' "row" "wall s" "RSS MiB" "ratio / note"
want 1 && printf '%-58s %10s %10s %s\n' "1. cue vet -c -d '#Config' (valid files; stops at 1st error)" "$(get cue_vet 2)" "$(get cue_vet 3)" "baseline"
want 1 && printf '%-58s %10s %10s %s\n' "   officectl validate (same files)" "$(get validate 2)" "$(get validate 3)" "wall $(ratio "$(get validate 2)" "$(get cue_vet 2)")x, RSS $(ratio "$(get validate 3)" "$(get cue_vet 3)")x of cue vet (targets <=0.25, <=0.22)"
want 1 && printf '%-58s %10s %10s %s\n' "   officectl validate ($bad of $N files invalid)" "$(get validate_mixed 2)" "$(get validate_mixed 3)" "$reported of $bad invalid files reported"
want 1 && printf '%-58s %10s %10s %s\n' "   CUE decode alone (Extract+Build), no schema" "$(get floor 2)" "$(get floor 3)" "$(ratio "$(get floor 2)" "$(get cue_vet 2)")x of cue vet"
want 2 && printf '%-58s %10s %10s %s\n' "2. officectl plan, $N offices vs $N-entry state" "$(get plan 2)" "$(get plan 3)" "plan step alone: $(python3 -c "import json; d=json.loads('$planstep'); print('%.3f s = %.1f%% of validate (target <5%%)' % (d['plan_s'], 100*d['plan_s']/d['validate_s']))")"
if [ -n "$apply_rows" ]; then
	echo "$apply_rows" | sed 's/^/3. /'
fi
if grep -q '^apply_big' "$work/results"; then
	printf '%-58s %10s %10s %s\n' "4. officectl apply, $N offices from an empty state (p=64)" "$(get apply_big 2)" "$(get apply_big 3)" \
		"$(get apply_big 6) created, $(get apply_big 4) of limit over $(get apply_big 7) s, $(get apply_big 5) 429s; plan RSS in row 2"
fi
if grep -q '^drift_big' "$work/results"; then
	printf '%-58s %10s %10s %s\n' "5. officectl drift, $(get drift_big 6) offices (100 ms latency)" "$(get drift_big 2)" "$(get drift_big 3)" \
		"$(get drift_big 4) listing pages + $(get drift_big 5) single GETs; no drift found: $(get drift_big 7) (target <10 s)"
fi
if grep -q '^apply_groups' "$work/results"; then
	printf '%-58s %10s %10s %s\n' "6. officectl apply, $BENCH_GROUPS groups with operators (p=${BENCH_GROUPS_PARALLELISM:-64})" "$(get apply_groups 2)" "$(get apply_groups 3)" \
		"$(get apply_groups 6) created, $(get apply_groups 4) of limit over $(get apply_groups 7) s, $(get apply_groups 5) 429s (target >=0.95, 0); $(get apply_groups 8) requests, $(get apply_groups 9) necessary: $(get apply_groups 10) (target >=0.95)"
fi
if grep -q '^plan_groups' "$work/results"; then
	printf '%-58s %10s %10s %s\n' "7. officectl plan, $(get plan_groups 7) offices + $(get plan_groups 8) groups vs state" "$(get plan_groups 2)" "$(get plan_groups 3)" \
		"plan step alone: $(get plan_groups 4) s = $(get plan_groups 5)% of validate (target <5%); $(get plan_groups 9)"
fi
if grep -q '^update_groups' "$work/results"; then
	printf '%-58s %10s %10s %s\n' "8. officectl apply, $BENCH_GROUPS groups changed (p=${BENCH_GROUPS_PARALLELISM:-64})" "$(get update_groups 2)" "$(get update_groups 3)" \
		"$(get update_groups 11) updated, $(get update_groups 4) of limit, $(get update_groups 5) 429s; $(get update_groups 8) requests, $(get update_groups 9) necessary: $(get update_groups 10) (target >=0.95)"
fi
if grep -q '^delete_groups' "$work/results"; then
	printf '%-58s %10s %10s %s\n' "9. officectl apply, 200 of them deleted (p=${BENCH_GROUPS_PARALLELISM:-64})" "$(get delete_groups 2)" "$(get delete_groups 3)" \
		"$(get delete_groups 12) deleted, $(get delete_groups 4) of limit, $(get delete_groups 5) 429s; $(get delete_groups 8) requests, $(get delete_groups 9) necessary: $(get delete_groups 10) (target >=0.95)"
fi
# The requests of rows 6, 8 and 9 by method and path, and their minimum.
for name in apply_groups update_groups delete_groups; do
	[ -f "$work/by.$name" ] && echo "   $name: $(cat "$work/by.$name")"
done
true

#!/usr/bin/env bash
# Crash safety: kill -9 PerfWatch under heavy ingest, restart it on the same data folder, repeat.
#
#   scripts/crash-cycles.sh [N] [--build DIR] [--rate EVENTS_PER_S] [--keys K] [--connections C]
#                           [--batch B] [--quick] [--seed S] [--keep DIR]
#
# N cycles (default 50). Each cycle starts `perfwatch --headless` on the same --data-dir, drives
# it with perfwatch-loadgen, takes a "durable" snapshot of the summary, keeps the load on for at
# least GRACE = F + D seconds (F = 10 s flush interval, D = 5 s for one flush to run), then sends
# SIGKILL at a random moment. Checked after every kill and restart:
#   - `PRAGMA integrity_check` of the files as the kill left them (a copy) is "ok";
#   - the process starts cleanly: it listens within 30 s, reports no damaged history, and
#     /health says persistence is enabled and healthy;
#   - history never goes backwards: every key's count after the restart (summary and, straight
#     from SQLite, the rollup tables) is >= its count in the durable snapshot. That snapshot was
#     answered >= GRACE s before the kill, so this is "a crash loses at most one flush interval";
#   - the loss window: at every /health poll, now - persistence.saved_up_to_ms <= GRACE s;
#   - nothing is counted twice: stored events <= events acknowledged (202) + the events of the
#     requests in flight at each kill (connections x batch per cycle).
# --quick shortens the random waits (CTest runs 5 cycles this way). Exit 0 when every cycle passed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/perfwatch-port.sh
source "$root/scripts/lib/perfwatch-port.sh"
cycles=50
build="$root/build/dev"
rate=20000
keys=300
connections=4
batch=100
quick=0
seed=""
keep=""
if [[ $# -gt 0 && $1 != -* ]]; then cycles=$1; shift; fi
while (($#)); do
    case $1 in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --keys) keys=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    --seed) seed=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    -h | --help) sed -n '2,23s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "crash-cycles: unknown option $1" >&2; exit 2 ;;
    esac
done

flush_s=10 # EngineConfig::flushIntervalMs
flush_run_s=5
grace=$((flush_s + flush_run_s))
perfwatch=$build/app/perfwatch
loadgen=$build/bench/perfwatch-loadgen
for tool in "$perfwatch" "$loadgen"; do
    [[ -x $tool ]] || { echo "crash-cycles: $tool is not built (cmake --build $build)" >&2; exit 2; }
done
command -v sqlite3 >/dev/null || { echo "crash-cycles: needs the sqlite3 CLI (apt-get install sqlite3)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "crash-cycles: needs python3" >&2; exit 2; }
command -v curl >/dev/null || { echo "crash-cycles: needs curl" >&2; exit 2; }

[[ -n $seed ]] || seed=$((($(date +%s) ^ $$) % 32768))
RANDOM=$seed
work=$(mktemp -d "${TMPDIR:-/tmp}/perfwatch-crash.XXXXXX")
data=$work/data
mkdir -p "$data" "$work/home"
# Saved settings of whoever runs this must not leak in.
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config QT_QPA_PLATFORM=offscreen

pw=""
lg=""
cleanup() {
    [[ -n $lg ]] && kill -TERM "$lg" 2>/dev/null || true
    [[ -n $pw ]] && kill -KILL "$pw" 2>/dev/null || true
    wait 2>/dev/null || true
    if [[ -n $keep ]]; then mkdir -p "$keep" && cp -r "$work"/. "$keep"/; fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
    echo "crash-cycles: FAIL in cycle $cycle: $*" >&2
    [[ -f $work/perfwatch.err ]] && sed 's/^/  perfwatch stderr: /' "$work/perfwatch.err" | tail -5 >&2
    exit 1
}
now_ms() { date +%s%3N; }
# Random number in [lo, hi] (integers).
between() { echo $(($1 + RANDOM % ($2 - $1 + 1))); }

# Flattens a summary answer to {"<section>/<key>": count}, or a rollup query's "kind|name|count" lines.
counts_from_summary() {
    python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
out = {}
for section, field in (("api_requests", "request_count"), ("database_operations", "operation_count"),
                       ("processing", "operation_count")):
    for key, v in s.get(section, {}).items():
        out[section + "/" + key] = v[field]
json.dump(out, open(sys.argv[2], "w"), sort_keys=True)' "$1" "$2"
}
counts_from_sqlite() {
    sqlite3 -readonly -json "$1" "SELECT k.kind AS kind, k.name AS name, SUM(r.count) AS count FROM keys k JOIN (
        SELECT key_id, count FROM rollup_1m UNION ALL SELECT key_id, count FROM rollup_5m) r ON r.key_id = k.id
        WHERE k.scope = 'key' GROUP BY k.id" | python3 -c '
import json, sys
section = {"api": "api_requests", "db": "database_operations", "processing": "processing"}
text = sys.stdin.read().strip()
rows = json.loads(text) if text else []
out = {section[r["kind"]] + "/" + r["name"]: r["count"] for r in rows if r["kind"] in section}
json.dump(out, open(sys.argv[1], "w"), sort_keys=True)' "$2"
}
# Prints "<keys below> <largest shortfall> <total new> <total old>" of counts file $1 against $2.
compare_counts() {
    python3 -c '
import json, sys
new, old = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
below = [k for k in old if new.get(k, 0) < old[k]]
short = max([old[k] - new.get(k, 0) for k in old] + [0])
print(len(below), short, sum(new.values()), sum(old.values()))
for k in below[:5]:
    print("  %s: %d now, %d before" % (k, new.get(k, 0), old[k]), file=sys.stderr)' "$1" "$2"
}
json_get() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); [v := v[k] for k in sys.argv[2].split(".")]; print(v)' "$1" "$2"; }

get() { curl -sf --max-time 10 -o "$2" "http://127.0.0.1:$port$1"; }

start_perfwatch() {
    : >"$work/perfwatch.out"
    : >"$work/perfwatch.err"
    local t0
    t0=$(now_ms)
    "$perfwatch" --headless --port 0 --statsd-port 0 --grpc-port 0 --data-dir "$data" >"$work/perfwatch.out" 2>"$work/perfwatch.err" &
    pw=$!
    if ! wait_for_port "$work/perfwatch.out" "$pw" 30; then
        kill -0 "$pw" 2>/dev/null || fail "perfwatch exited while starting"
        fail "perfwatch did not listen within 30 s"
    fi
    startup_ms=$(($(now_ms) - t0))
    ! grep -qi "damaged\|corrupt" "$work/perfwatch.err" || fail "perfwatch reported a damaged history after a kill"
}

# Polls /health until $1 ms since the epoch; tracks the largest loss window (now - saved_up_to).
watch_until() {
    local until=$1 saved t
    while (($(now_ms) < until)); do
        if get /api/performance/health "$work/health.json"; then
            saved=$(json_get "$work/health.json" persistence.saved_up_to_ms)
            [[ $(json_get "$work/health.json" persistence.healthy) == True ]] || fail "persistence unhealthy under load"
            t=$(now_ms)
            if ((saved > 0 && t - saved > window_max)); then window_max=$((t - saved)); fi
        fi
        sleep 0.5
    done
}

echo "crash-cycles: $cycles cycles, seed $seed, load ${rate} events/s over $keys keys ($connections connections," \
    "batch $batch), grace ${grace} s, data in $data"
acked=0
kept_before=0
accepted=0
measured_rate=0
in_flight_allowance=0
max_startup=0
max_window=0
total_lost=0
max_lost=0
startup_kills=0
for cycle in $(seq 1 $((cycles + 1))); do
    # Every fifth cycle is also killed while starting (opening, checking and restoring the history).
    if ((cycle > 1 && cycle % 5 == 0)); then
        "$perfwatch" --headless --port 0 --statsd-port 0 --grpc-port 0 --data-dir "$data" >/dev/null 2>&1 &
        pw=$!
        sleep "0.$(printf '%03d' "$(between 0 250)")"
        kill -KILL "$pw" 2>/dev/null || true
        wait "$pw" 2>/dev/null || true
        pw=""
        startup_kills=$((startup_kills + 1))
    fi
    # Cycle N + 1 only restarts, to check the last kill.
    start_perfwatch
    ((startup_ms > max_startup)) && max_startup=$startup_ms
    get /api/performance/health "$work/health.json" || fail "no answer from /health after the restart"
    [[ $(json_get "$work/health.json" persistence.enabled) == True ]] || fail "persistence is off"
    [[ $(json_get "$work/health.json" persistence.healthy) == True ]] || fail "persistence unhealthy after restart"

    # History after the restart, before any new load.
    get "/api/performance/summary?hours=24" "$work/summary.json" || fail "no summary after the restart"
    counts_from_summary "$work/summary.json" "$work/after.json"
    if ((cycle > 1)); then
        read -r below short total_after total_durable < <(compare_counts "$work/after.json" "$work/durable.json")
        ((below == 0)) || fail "history went backwards: $below keys below the durable snapshot (by up to $short)"
        ((total_after <= acked + in_flight_allowance)) ||
            fail "$total_after events stored but only $acked acknowledged (+$in_flight_allowance in flight): counted twice?"
        # Acknowledged before the kill but not in the history now: what the kill cost.
        lost=$((kept_before + accepted - total_after))
        total_lost=$((total_lost + (lost > 0 ? lost : 0)))
        ((lost > max_lost)) && max_lost=$lost
        lost_s=$(awk -v l="$lost" -v r="$measured_rate" 'BEGIN {printf "%.1f", (r > 0 ? l / r : 0)}')
        printf 'cycle %3d: killed %4.1f s after the durable snapshot, %5d ms after saved_up_to (max %5d), integrity ok;' \
            $((cycle - 1)) "$(awk -v a="$killed_at" -v b="$durable_at" 'BEGIN {print (a - b) / 1000}')" \
            "$window_at_kill" "$window_max"
        printf ' restart %4d ms: kept %d of %d acknowledged, lost %d (%s s of load)\n' "$startup_ms" "$total_after" \
            $((kept_before + accepted)) "$lost" "$lost_s"
    fi
    kept_before=$(python3 -c 'import json,sys; print(sum(json.load(open(sys.argv[1])).values()))' "$work/after.json")
    if ((cycle > cycles)); then
        kill -TERM "$pw"
        wait "$pw" || fail "perfwatch did not stop cleanly on SIGTERM"
        pw=""
        break
    fi

    # Heavy ingest, then a durable snapshot, then at least GRACE seconds more before the kill.
    "$loadgen" --url "http://127.0.0.1:$port" --rate "$rate" --keys "$keys" --connections "$connections" \
        --batch "$batch" --duration 3600 --seed "$cycle" --json >"$work/loadgen.json" 2>/dev/null &
    lg=$!
    if ((quick)); then sleep "$(between 1 3)"; else sleep "$(between 2 9)"; fi
    get "/api/performance/summary?hours=24" "$work/summary.json" || fail "no summary under load"
    durable_at=$(now_ms)
    counts_from_summary "$work/summary.json" "$work/durable.json"
    window_max=0
    extra=$((quick ? $(between 0 3000) : $(between 0 $((flush_s * 1000)))))
    watch_until $((durable_at + grace * 1000 + extra))
    # A random moment within the next second, so kills land anywhere in the flush cycle; the last
    # /health just before it says how much the kill can cost.
    sleep "0.$(printf '%03d' "$(between 0 999)")"
    window_at_kill=0
    if get /api/performance/health "$work/health.json"; then
        window_at_kill=$(($(now_ms) - $(json_get "$work/health.json" persistence.saved_up_to_ms)))
        ((window_at_kill > window_max)) && window_max=$window_at_kill
    fi
    kill -KILL "$pw"
    wait "$pw" 2>/dev/null || true
    pw=""
    killed_at=$(now_ms)
    ((window_max > max_window)) && max_window=$window_max
    ((window_max <= grace * 1000)) || fail "loss window ${window_max} ms exceeds the grace of ${grace} s"
    kill -TERM "$lg" 2>/dev/null || true
    wait "$lg" 2>/dev/null || true
    lg=""
    accepted=$(json_get "$work/loadgen.json" events_accepted 2>/dev/null || echo 0)
    [[ $accepted == None ]] && accepted=0
    measured_rate=$(awk -v a="$accepted" -v d="$(json_get "$work/loadgen.json" duration_s 2>/dev/null || echo 0)" \
        'BEGIN {printf "%.0f", (d > 0 ? a / d : 0)}')
    acked=$((acked + accepted))
    in_flight_allowance=$((in_flight_allowance + connections * batch))

    # The files exactly as the kill left them (a copy: opening them here would replay the WAL).
    rm -rf "$work/copy" && mkdir -p "$work/copy"
    cp "$data"/perfwatch.sqlite* "$work/copy/"
    integrity=$(sqlite3 "$work/copy/perfwatch.sqlite" "PRAGMA integrity_check" 2>&1 | head -3)
    [[ $integrity == ok ]] || fail "integrity_check after the kill: $integrity"
    counts_from_sqlite "$work/copy/perfwatch.sqlite" "$work/rollups.json"
    read -r below short _ _ < <(compare_counts "$work/rollups.json" "$work/durable.json")
    ((below == 0)) || fail "the rollup tables lost durable data: $below keys short (by up to $short)"
done

echo "crash-cycles: PASS: $cycles kill -9 cycles under load (+ $startup_kills while starting), integrity ok every time, history never went backwards;" \
    "events acknowledged $acked, kept $kept_before; lost to kills: $total_lost in total, at most $max_lost in one" \
    "cycle (all younger than the ${grace} s grace); largest loss window ${max_window} ms; slowest start ${max_startup} ms"

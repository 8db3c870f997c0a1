#!/usr/bin/env bash
# Crash safety: kill -9 PerfWatch under load, restart it on the same data folder, repeat.
#
#   scripts/reliability/crash-cycles.sh [N] [--build DIR] [--rate EVENTS_PER_S] [--keys K]
#                                       [--connections C] [--batch B] [--quick] [--seed S] [--keep DIR]
#
# N cycles (default 50). Each cycle starts `perfwatch --headless` on the same --data-dir and
# drives it with lib/acked-sender.py, which counts per key every event answered 202 and
# every event of a request that was in flight when the server died. Odd cycles kill at a random
# moment; even cycles kill within microseconds of a 202 (the sender sends SIGKILL as soon as it
# has read one). Every fifth cycle also kills PerfWatch while it is starting. Checked after every
# kill and restart:
#   - `PRAGMA integrity_check` of the files as the kill left them (a copy) is "ok";
#   - the process starts cleanly: it listens within 30 s, reports no damaged history or journal,
#     and /health says persistence is healthy and the journal durable;
#   - nothing acknowledged is lost and nothing is counted twice: for every key,
#       acknowledged (all cycles so far) <= count after the restart <= acknowledged + in flight.
# --quick shortens the random waits (CTest runs 5 cycles this way). Exit 0 when every cycle passed.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib/perfwatch-port.sh
source "$root/scripts/reliability/lib/perfwatch-port.sh"
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
    -h | --help) sed -n '2,19s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "crash-cycles: unknown option $1" >&2; exit 2 ;;
    esac
done

perfwatch=$build/app/perfwatch
sender_py=$root/scripts/reliability/lib/acked-sender.py
[[ -x $perfwatch ]] || { echo "crash-cycles: $perfwatch is not built (cmake --build $build)" >&2; exit 2; }
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

# Flattens a summary answer to {"api_requests/<key>": count, ...} for the sender's keys.
counts_from_summary() {
    python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
out = {k: v["request_count"] for k, v in s.get("api_requests", {}).items() if k.startswith("GET:/crash/")}
json.dump(out, open(sys.argv[2], "w"), sort_keys=True)' "$1" "$2"
}
counts_from_sqlite() {
    sqlite3 -readonly -json "$1" "SELECT k.name AS name, SUM(r.count) AS count FROM keys k JOIN (
        SELECT key_id, count FROM rollup_1m UNION ALL SELECT key_id, count FROM rollup_5m) r ON r.key_id = k.id
        WHERE k.scope = 'key' AND k.kind = 'api' GROUP BY k.id" | python3 -c '
import json, sys
text = sys.stdin.read().strip()
rows = json.loads(text) if text else []
json.dump({r["name"]: r["count"] for r in rows if r["name"].startswith("GET:/crash/")}, open(sys.argv[1], "w"))' "$2"
}
# Adds a sender's report ($2) to the running totals ($1: {"acked": {}, "maybe": {}}).
add_report() {
    python3 -c '
import json, sys
total, report = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for table in ("acked", "maybe"):
    for k, n in report[table].items():
        total[table][k] = total[table].get(k, 0) + n
json.dump(total, open(sys.argv[1], "w"), sort_keys=True)' "$1" "$2"
}
# Checks counts ($1) against the totals ($2): prints "<acked> <stored> <lost> <extra> <in flight>"
# and exits non-zero (naming keys) when a key is below its acknowledged count or above it plus
# what was in flight.
check_counts() {
    python3 -c '
import json, sys
counts, total = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
acked, maybe = total["acked"], total["maybe"]
bad, lost, extra = [], 0, 0
for k in sorted(set(counts) | set(acked) | set(maybe)):
    have, a, m = counts.get(k, 0), acked.get(k, 0), maybe.get(k, 0)
    if have < a:
        lost += a - have
        bad.append("%s: %d stored, %d acknowledged" % (k, have, a))
    elif have > a + m:
        extra += have - a - m
        bad.append("%s: %d stored, only %d acknowledged + %d in flight" % (k, have, a, m))
    else:
        extra += have - a
print(sum(acked.values()), sum(counts.values()), lost, extra, sum(maybe.values()))
for line in bad[:5]:
    print("  " + line, file=sys.stderr)
sys.exit(1 if bad else 0)' "$1" "$2"
}
json_get() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); [v := v[k] for k in sys.argv[2].split(".")]; print(v)' "$1" "$2"; }

get() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); [v := v[k] for k in sys.argv[2].split(".")]; print(v)' "$1" "$2"; }

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

echo "crash-cycles: $cycles cycles, seed $seed, load ${rate} events/s over $keys keys ($connections connections," \
    "batch $batch), data in $data"
echo '{"acked": {}, "maybe": {}}' >"$work/total.json"
max_startup=0
max_replay=0
startup_kills=0
gaps=()
for cycle in $(seq 1 $((cycles + 1))); do
    # Every fifth cycle is also killed while starting (opening the history, replaying the journal).
    if ((cycle > 1 && cycle % 5 == 0)); then
        "$perfwatch" --headless --port 0 --statsd-port 0 --grpc-port 0 --data-dir "$data" >/dev/null 2>&1 &
        pw=$!
        sleep "0.$(printf '%03d' "$(between 0 250)")"
        kill -KILL "$pw" 2>/dev/null || true
        { wait "$pw"; } 2>/dev/null || true
        pw=""
        startup_kills=$((startup_kills + 1))
    fi
    # Cycle N + 1 only restarts, to check the last kill.
    start_perfwatch
    ((startup_ms > max_startup)) && max_startup=$startup_ms
    get /api/performance/health "$work/health.json" || fail "no answer from /health after the restart"
    [[ $(json_get "$work/health.json" persistence.enabled) == True ]] || fail "persistence is off"
    [[ $(json_get "$work/health.json" persistence.healthy) == True ]] || fail "persistence unhealthy after restart"
    [[ $(json_get "$work/health.json" journal.durable) == True ]] || fail "the journal is not durable after restart"
    [[ $(json_get "$work/health.json" journal.replay.damaged) == False ]] || fail "the journal was damaged by a kill"
    replay_ms=$(json_get "$work/health.json" journal.replay.duration_ms)
    replayed=$(json_get "$work/health.json" journal.replay.events)
    ((replay_ms > max_replay)) && max_replay=$replay_ms

    # What the restarted process counts, before any new load.
    get "/api/performance/summary?hours=24" "$work/summary.json" || fail "no summary after the restart"
    counts_from_summary "$work/summary.json" "$work/after.json"
    if ((cycle > 1)); then
        if ! check_counts "$work/after.json" "$work/total.json" >"$work/check.txt"; then
            read -r total_acked stored lost extra in_flight <"$work/check.txt"
            fail "counts after the restart differ from what was acknowledged (lost $lost, beyond in flight $extra)"
        fi
        read -r total_acked stored lost extra in_flight <"$work/check.txt"
        how="at a random moment"
        [[ $gap != None ]] && how="$(printf '%5d' "$gap") us after a 202"
        printf 'cycle %3d: killed %s, integrity ok; restart %4d ms (journal replay %4d ms, %7d events): acknowledged %d, stored %d, lost %d, in flight %d of which stored %d\n' \
            $((cycle - 1)) "$how" "$startup_ms" "$replay_ms" "$replayed" "$total_acked" "$stored" "$lost" "$in_flight" "$extra"
    fi
    if ((cycle > cycles)); then
        kill -TERM "$pw"
        wait "$pw" || fail "perfwatch did not stop cleanly on SIGTERM"
        pw=""
        break
    fi

    # Load, then the kill: by the sender right after a 202 (even cycles) or here at a random moment.
    run_s=$((quick ? $(between 2 5) : $(between 3 25)))
    gap=None
    if ((cycle % 2 == 0)); then
        python3 "$sender_py" --port "$port" --out "$work/sent.json" --rate "$rate" --keys "$keys" \
            --connections "$connections" --batch "$batch" --seed "$cycle" --kill-pid "$pw" --kill-after "$run_s" &
        lg=$!
        wait "$lg" || fail "the sender failed"
        lg=""
        { wait "$pw"; } 2>/dev/null || true
        gap=$(json_get "$work/sent.json" kill_gap_us)
        [[ $gap != None ]] || fail "the sender never saw a 202 to kill after"
        gaps+=("$gap")
    else
        python3 "$sender_py" --port "$port" --out "$work/sent.json" --rate "$rate" --keys "$keys" \
            --connections "$connections" --batch "$batch" --seed "$cycle" &
        lg=$!
        sleep "$run_s.$(printf '%03d' "$(between 0 999)")"
        kill -KILL "$pw"
        { wait "$pw"; } 2>/dev/null || true
        wait "$lg" || fail "the sender failed"
        lg=""
    fi
    pw=""
    [[ $(json_get "$work/sent.json" other_status) == "{}" ]] ||
        fail "answers other than 202 under load: $(json_get "$work/sent.json" other_status)"
    add_report "$work/total.json" "$work/sent.json"

    # The files exactly as the kill left them (a copy: opening them here would replay the WAL).
    rm -rf "$work/copy" && mkdir -p "$work/copy"
    cp "$data"/perfwatch.sqlite* "$work/copy/"
    integrity=$(sqlite3 "$work/copy/perfwatch.sqlite" "PRAGMA integrity_check" 2>&1 | head -3)
    [[ $integrity == ok ]] || fail "integrity_check after the kill: $integrity"
done

check_counts "$work/after.json" "$work/total.json" >"$work/check.txt"
read -r total_acked stored _ _ in_flight <"$work/check.txt"
max_gap=$(printf '%s\n' "${gaps[@]:-0}" | sort -n | tail -1)
echo "crash-cycles: PASS: $cycles kill -9 cycles under load (+ $startup_kills while starting, ${#gaps[@]} within ${max_gap} us of a 202)," \
    "integrity ok every time; events acknowledged $total_acked, stored $stored, lost 0 (in flight at the kills: $in_flight);" \
    "slowest start ${max_startup} ms, slowest journal replay ${max_replay} ms"

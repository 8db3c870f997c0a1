#!/usr/bin/env bash
# Soak: PerfWatch under a steady load for a long time; RSS and open descriptors must be flat
# after warm-up. With --measure-only it is the memory benchmark of docs/PERFORMANCE.md instead.
#
#   scripts/reliability/soak.sh [--build DIR] [--minutes M] [--warmup-minutes W] [--rate EVENTS_PER_S]
#                               [--keys K] [--batch B] [--connections C] [--interval S]
#                               [--out FILE.csv] [--measure-only]
#
# Defaults: 112 minutes at 5,000 events/s over 1,000 keys (100-event batches, 2 connections), a
# sample every 30 s (RSS, descriptors, threads, /health latency, SQLite's heap, last flush time):
# 82 minutes of warm-up, then the 30 minutes that must be flat. The warm-up is that long because
# the in-memory minute tier keeps 80 minutes per key: RSS grows with the minutes held (about
# 0.5 MB a minute at 1,000 keys, per key and minute, not per event); after that nothing may grow.
# Passes when, after warm-up, descriptors stay within +-2 of their first value, RSS grows by at
# most 10 MB (and at most 0.5 MB per 10 minutes by least squares), every answer is 202 and
# /health always answers. Prints RSS at 10, 30, 45, 60, 82 and 112 minutes (those reached).
# --measure-only samples and reports the same but skips the flatness verdict (a run shorter than
# the warm-up, as the memory benchmark's hour is); every answer must still be 202.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib/perfwatch-port.sh
source "$root/scripts/reliability/lib/perfwatch-port.sh"
build="$root/build/dev"
minutes=112
warmup=82
rate=5000
keys=1000
interval=30
batch=100
connections=2
measure_only=0
out=""
while (($#)); do
    case $1 in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --minutes) minutes=$2; shift 2 ;;
    --warmup-minutes) warmup=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --keys) keys=$2; shift 2 ;;
    --interval) interval=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --measure-only) measure_only=1; shift ;;
    --out) out=$2; shift 2 ;;
    -h | --help) sed -n '2,19s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "soak: unknown option $1" >&2; exit 2 ;;
    esac
done
perfwatch=$build/app/perfwatch
loadgen=$build/bench/perfwatch-loadgen
for tool in "$perfwatch" "$loadgen"; do
    [[ -x $tool ]] || { echo "soak: $tool is not built" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/perfwatch-soak.XXXXXX")
mkdir -p "$work/data" "$work/home"
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config QT_QPA_PLATFORM=offscreen
pw=""
lg=""
cleanup() {
    [[ -n $lg ]] && kill -TERM "$lg" 2>/dev/null || true
    [[ -n $pw ]] && kill -TERM "$pw" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() {
    echo "soak: FAIL: $*" >&2
    exit 1
}

"$perfwatch" --headless --port 0 --statsd-port 0 --grpc-port 0 --data-dir "$work/data" >"$work/perfwatch.out" 2>&1 &
pw=$!
wait_for_port "$work/perfwatch.out" "$pw" 20 || fail "perfwatch did not start"

"$loadgen" --url "http://127.0.0.1:$port" --keys "$keys" --rate "$rate" --batch "$batch" --connections "$connections" \
    --duration $((minutes * 60)) --json >"$work/loadgen.json" 2>"$work/loadgen.err" &
lg=$!

samples=$work/samples.csv
echo "minute,rss_mb,fds,threads,health_ms,keys,sqlite_mb,flush_ms" >"$samples"
echo "soak: ${minutes} min at $rate events/s over $keys keys ($batch-event batches, $connections connections);" \
    "a sample every ${interval} s"
start=$(date +%s)
while kill -0 "$lg" 2>/dev/null; do
    sleep "$interval"
    kill -0 "$pw" 2>/dev/null || fail "perfwatch exited"
    kill -0 "$lg" 2>/dev/null || break
    rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pw/status")
    threads=$(awk '/^Threads/ {print $2}' "/proc/$pw/status")
    fds=$(find "/proc/$pw/fd" -mindepth 1 -maxdepth 1 | wc -l)
    health=$(curl -s -o "$work/health.json" -w '%{time_total}' --max-time 10 \
        "http://127.0.0.1:$port/api/performance/health") || fail "/health did not answer"
    nkeys=$(curl -s --max-time 10 "http://127.0.0.1:$port/api/performance/summary?hours=1" |
        python3 -c 'import json,sys; s=json.load(sys.stdin); print(sum(len(s[k]) for k in ("api_requests","database_operations","processing")))')
    # SQLite's heap (all connections) and the last flush's duration, from the /health answer.
    read -r sqlite_bytes flush_ms < <(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["persistence"]
print(p.get("sqlite_memory_bytes", 0), p.get("last_flush_duration_ms", 0))' "$work/health.json")
    minute=$(awk -v s="$start" -v n="$(date +%s)" 'BEGIN {printf "%.1f", (n - s) / 60}')
    line=$(awk -v m="$minute" -v r="$rss_kb" -v f="$fds" -v t="$threads" -v h="$health" -v k="$nkeys" \
        -v q="$sqlite_bytes" -v fl="$flush_ms" \
        'BEGIN {printf "%s,%.1f,%d,%d,%.1f,%s,%.1f,%d", m, r / 1024, f, t, h * 1000, k, q / 1048576, fl}')
    echo "$line" >>"$samples"
    echo "t=${minute} min rss=$(cut -d, -f2 <<<"$line") MB fds=$fds threads=$threads" \
        "health=$(cut -d, -f5 <<<"$line") ms keys=$nkeys sqlite=$(cut -d, -f7 <<<"$line") MB flush=${flush_ms} ms"
done
wait "$lg" || fail "the loadgen failed: $(tail -1 "$work/loadgen.err")"
lg=""
[[ -n $out ]] && cp "$samples" "$out"

python3 - "$samples" "$work/loadgen.json" "$warmup" "$measure_only" <<'PY'
import csv, json, sys
rows = [{k: float(v) for k, v in r.items()} for r in csv.DictReader(open(sys.argv[1]))]
load = json.load(open(sys.argv[2]))
warmup = float(sys.argv[3])
measure_only = sys.argv[4] == "1"
after = [r for r in rows if r["minute"] >= warmup]
failures = []
# RSS at the minutes docs/PERFORMANCE.md and docs/RELIABILITY.md tabulate: the first sample there.
at = []
for m in (10, 30, 45, 60, 82, 112):
    first = next((r for r in rows if r["minute"] >= m), None)
    if first:
        at.append("%d min %.1f MB" % (m, first["rss_mb"]))
if rows:
    print("RSS at " + ", ".join(at + ["end (%.1f min) %.1f MB" % (rows[-1]["minute"], rows[-1]["rss_mb"])]))
if len(after) < 3:
    if not measure_only:
        failures.append("too few samples after the warm-up")
else:
    xs = [r["minute"] for r in after]
    ys = [r["rss_mb"] for r in after]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    fds = [int(r["fds"]) for r in after]
    growth = ys[-1] - ys[0]
    health = sorted(r["health_ms"] for r in rows)
    sq = [r.get("sqlite_mb", 0) for r in after]
    flush = sorted(r.get("flush_ms", 0) for r in after)
    print("after %.0f min warm-up: RSS %.1f -> %.1f MB (%+.1f MB, slope %+.2f MB per 10 min), "
          "descriptors %d-%d, threads %d-%d; /health max %.0f ms"
          % (warmup, ys[0], ys[-1], growth, slope * 10, min(fds), max(fds), min(int(r["threads"]) for r in rows),
             max(int(r["threads"]) for r in rows), health[-1]))
    print("SQLite heap %.1f -> %.1f MB (max %.1f); flush median %.0f ms, max %.0f ms"
          % (sq[0], sq[-1], max(sq), flush[len(flush) // 2], flush[-1]))
    if measure_only:
        pass
    elif growth > 10:
        failures.append("RSS grew %.1f MB after the warm-up" % growth)
    if slope * 10 > 0.5:
        failures.append("RSS grows %.2f MB per 10 minutes" % (slope * 10))
    if max(fds) - fds[0] > 2 or fds[0] - min(fds) > 2:
        failures.append("descriptors moved from %d to %d-%d" % (fds[0], min(fds), max(fds)))
status = {int(k): v for k, v in load["status"].items()}
print("load: %d events at %s events/s, answers %s, errors %s"
      % (load["events"], load["events_per_s"], json.dumps(load["status"]), json.dumps(load["errors"])))
if set(status) - {202}:
    failures.append("answers other than 202: %s" % load["status"])
if sum(load["errors"].values()):
    failures.append("connection errors: %s" % load["errors"])
for f in failures:
    print("soak: FAIL: " + f, file=sys.stderr)
sys.exit(1 if failures else 0)
PY
echo "soak: PASS"

#!/usr/bin/env bash
# Memory under sustained load: starts perfwatch, drives it with perfwatch-loadgen at a steady rate
# over many keys, and samples the server's RSS (and open file descriptors) every interval.
#
#   bench/memory-soak.sh [BUILD_DIR] [--minutes M] [--keys K] [--rate EVENTS_PER_S] [--batch N]
#                        [--interval S] [--out FILE.csv]
#
# Prints one line per sample and, at the end, RSS after warm-up vs at the end.
set -euo pipefail
# shellcheck source=../scripts/reliability/lib/perfwatch-port.sh
source "$(cd "$(dirname "$0")/.." && pwd)/scripts/reliability/lib/perfwatch-port.sh"

build=build/release
minutes=60
keys=1000
rate=20000
batch=100
interval=30
out=""
if [[ $# -gt 0 && $1 != -* ]]; then build=$1; shift; fi
while [[ $# -gt 0 ]]; do
    case $1 in
    --minutes) minutes=$2; shift 2 ;;
    --keys) keys=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --interval) interval=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h | --help) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "memory-soak: unknown option $1" >&2; exit 2 ;;
    esac
done
perfwatch=$build/app/perfwatch
loadgen=$build/bench/perfwatch-loadgen
[[ -x $perfwatch && -x $loadgen ]] || { echo "memory-soak: build perfwatch and perfwatch-loadgen in $build first" >&2; exit 2; }

data=$(mktemp -d)
log=$(mktemp)
cleanup() {
    [[ -n ${lg:-} ]] && kill "$lg" 2>/dev/null || true
    [[ -n ${pw:-} ]] && kill "$pw" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$data" "$log"
}
trap cleanup EXIT INT TERM

"$perfwatch" --headless --port 0 --data-dir "$data" >"$log" 2>&1 &
pw=$!
wait_for_port "$log" "$pw" 10 || { echo "memory-soak: perfwatch did not start:" >&2; cat "$log" >&2; exit 1; }

"$loadgen" --url "http://127.0.0.1:$port" --keys "$keys" --rate "$rate" --batch "$batch" \
    --duration $((minutes * 60)) --connections 2 >/dev/null &
lg=$!

[[ -n $out ]] && echo "minute,rss_mb,fds,keys" >"$out"
start=$(date +%s)
first=""
while kill -0 "$lg" 2>/dev/null; do
    sleep "$interval"
    kill -0 "$pw" 2>/dev/null || { echo "memory-soak: perfwatch exited" >&2; exit 1; }
    rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pw/status")
    fds=$(ls "/proc/$pw/fd" | wc -l)
    nkeys=$(curl -s --max-time 10 "http://127.0.0.1:$port/api/performance/summary?hours=1" | python3 -c \
        'import json,sys; s=json.load(sys.stdin); print(sum(len(s[k]) for k in ("api_requests","database_operations","processing")))' \
        2>/dev/null || true)
    minute=$(awk -v s="$start" -v n="$(date +%s)" 'BEGIN {printf "%.1f", (n - s) / 60}')
    rss_mb=$(awk -v k="$rss_kb" 'BEGIN {printf "%.1f", k / 1024}')
    echo "t=${minute}min rss=${rss_mb}MB fds=$fds keys=${nkeys:-?}"
    [[ -n $out ]] && echo "$minute,$rss_mb,$fds,${nkeys:-}" >>"$out"
    [[ -z $first ]] && awk -v m="$minute" 'BEGIN {exit !(m >= 10)}' && first=$rss_mb
done
echo "summary: keys=$keys rate=$rate/s minutes=$minutes rss_after_10min=${first:-n/a}MB rss_end=${rss_mb:-n/a}MB"

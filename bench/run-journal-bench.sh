#!/usr/bin/env bash
# What the ingest journal costs: the real perfwatch with and without it, and the start-up replay.
#
#   bench/run-journal-bench.sh [BUILD_DIR] [--duration S] [--warmup S] [--rounds N]
#
# BUILD_DIR defaults to build/release. For batched native JSON (1,000 events per request, 4
# connections) and OTLP/HTTP protobuf (512 spans per export, 16 connections), perfwatch is started
# fresh with its journal (the default, synced every 1000 ms) and with --no-journal, alternating
# for N rounds (default 2) so drift of the machine hits both; each row is the median of its
# rounds and the ratio is journal / no journal. Then perfwatch-bench-journal-replay writes a
# journal of 60 s of the measured journaled native rate (and of the span rate) and times its
# replay at start-up. See docs/PERFORMANCE.md.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build/release"
duration=10
warmup=2
rounds=2
die() {
    echo "run-journal-bench: $*" >&2
    exit 1
}
while (($#)); do
    case "$1" in
    --duration) duration=${2:?}; shift 2 ;;
    --warmup) warmup=${2:?}; shift 2 ;;
    --rounds) rounds=${2:?}; shift 2 ;;
    -h | --help) sed -n '2,13s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) build=$(cd "$1" && pwd) || die "no build directory $1"; shift ;;
    esac
done
loadgen="$build/bench/perfwatch-loadgen"
replay="$build/bench/perfwatch-bench-journal-replay"
perfwatch="$build/app/perfwatch"
for f in "$loadgen" "$replay" "$perfwatch"; do
    [[ -x "$f" ]] || die "missing $f (cmake --build $build)"
done
work=$(mktemp -d "${TMPDIR:-/tmp}/perfwatch-journal-bench.XXXXXX")
pid=""
cleanup() {
    [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# run NAME ROUND [perfwatch flags] -- [loadgen flags]: prints events/s
run() {
    local name=$1 round=$2
    shift 2
    local flags=()
    while [[ $1 != -- ]]; do flags+=("$1"); shift; done
    shift
    local dir="$work/$name-$round"
    mkdir -p "$dir"
    XDG_CONFIG_HOME="$dir/config" "$perfwatch" --headless --port 0 --grpc-port off --statsd-port 0 \
        --data-dir "$dir/data" "${flags[@]}" >"$dir/out.log" 2>&1 &
    pid=$!
    local port=""
    for _ in $(seq 100); do
        port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$dir/out.log" | grep -o '[0-9]*$' || true)
        [[ -n $port ]] && break
        sleep 0.1
    done
    [[ -n $port ]] || die "perfwatch did not start: $(cat "$dir/out.log")"
    local line
    line=$("$loadgen" --url "http://127.0.0.1:$port" --duration "$duration" --warmup "$warmup" --json "$@")
    kill -TERM "$pid" && wait "$pid" || true
    pid=""
    python3 -c 'import json,sys; print(round(json.loads(sys.argv[1])["events_per_s"]))' "$line"
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "perfwatch ingest journal: ${duration} s measured after ${warmup} s, $rounds rounds; $(nproc) CPUs; $(date -u +%Y-%m-%dT%H:%M:%SZ)"
declare -A rates
native=(--batch 1000 --connections 4 --keys 300)
otlp=(--otlp traces --batch 512 --connections 16)
for round in $(seq "$rounds"); do
    # Alternate which goes first, so neither always runs on a warmer (or hotter) machine.
    if ((round % 2)); then order=(journal off); else order=(off journal); fi
    for mode in "${order[@]}"; do
        flags=()
        [[ $mode == off ]] && flags=(--no-journal)
        rates[native-$mode]+=" $(run "native-$mode" "$round" "${flags[@]}" -- "${native[@]}")"
        rates[otlp-$mode]+=" $(run "otlp-$mode" "$round" "${flags[@]}" -- "${otlp[@]}")"
    done
done
printf '\n%-34s %16s %16s %8s\n' scenario "journal (ev/s)" "none (ev/s)" ratio
for s in native otlp; do
    # shellcheck disable=SC2086
    j=$(median ${rates[$s-journal]})
    # shellcheck disable=SC2086
    n=$(median ${rates[$s-off]})
    label="native JSON, 1000/batch"
    [[ $s == otlp ]] && label="OTLP/HTTP protobuf, 512 spans"
    printf '%-34s %16s %16s %8s   (rounds: journal%s; none%s)\n' "$label" "$j" "$n" \
        "$(python3 -c "print(f'{$j / $n:.2f}')")" "${rates[$s-journal]}" "${rates[$s-off]}"
done

echo
jn=$(median ${rates[native-journal]})
js=$(median ${rates[otlp-journal]})
echo "replay of a 60 s journal at the journaled rates above:"
"$replay" --events "$(python3 -c "print(int($jn * 60))")" --batch 1000
"$replay" --events "$(python3 -c "print(int($js * 60))")" --batch 512 --kind spans

#!/usr/bin/env bash
# Measures OpenTelemetry ingest end to end: the real perfwatch program, fed over loopback by
# perfwatch-loadgen (OTLP/HTTP) and perfwatch-grpc-loadgen (OTLP/gRPC) with SDK-sized exports.
#
#   bench/run-otlp-bench.sh [BUILD_DIR] [--duration S] [--warmup S] [--connections N] [--batch N]
#
# BUILD_DIR defaults to build/release. Each scenario gets a fresh perfwatch (its own data folder)
# so none inherits another's keys: OTLP/HTTP protobuf, OTLP/JSON, protobuf + gzip, OTLP/gRPC
# (protobuf), and protobuf histogram data points. The table gives spans (or points) per second
# and the ratio to the protobuf run of the same invocation, and checks that perfwatch accepted
# every span sent (/api/performance/health). See docs/PERFORMANCE.md.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build/release"
duration=10
warmup=2
connections=16
batch=512

die() {
    echo "run-otlp-bench: $*" >&2
    exit 1
}

while (($#)); do
    case "$1" in
    --duration) duration=${2:?--duration needs a value}; shift 2 ;;
    --warmup) warmup=${2:?--warmup needs a value}; shift 2 ;;
    --connections) connections=${2:?--connections needs a value}; shift 2 ;;
    --batch) batch=${2:?--batch needs a value}; shift 2 ;;
    -h | --help) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) build=$(cd "$1" && pwd) || die "no build directory $1"; shift ;;
    esac
done

loadgen="$build/bench/perfwatch-loadgen"
grpcgen="$build/bench/perfwatch-grpc-loadgen"
perfwatch="$build/app/perfwatch"
for f in "$loadgen" "$grpcgen" "$perfwatch"; do
    [[ -x "$f" ]] || die "missing $f (cmake --build $build)"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/perfwatch-otlp-bench.XXXXXX")
pid=""
cleanup() {
    [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

start_perfwatch() {
    local dir="$work/$1"
    mkdir -p "$dir"
    XDG_CONFIG_HOME="$dir/config" "$perfwatch" --headless --port 0 --grpc-port 0 --statsd-port 0 \
        --data-dir "$dir/data" >"$dir/out.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do
        http_port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$dir/out.log" | grep -o '[0-9]*$' || true)
        grpc_port=$(grep -o 'OTLP/gRPC listening on 127.0.0.1:[0-9]*' "$dir/out.log" | grep -o '[0-9]*$' || true)
        [[ -n "$http_port" && -n "$grpc_port" ]] && return 0
        sleep 0.1
    done
    die "perfwatch did not start: $(cat "$dir/out.log")"
}

stop_perfwatch() {
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=""
}

# accepted events as /health counts them: HTTP and gRPC
accepted() {
    curl -s "http://127.0.0.1:$http_port/api/performance/health" | python3 -c '
import json, sys
i = json.load(sys.stdin)["ingest"]
print(i["accepted_events"] + i["grpc"]["accepted_events"], i["rejected_events"] + i["grpc"]["rejected_events"])'
}

declare -A rate
run() {
    local name=$1
    shift
    start_perfwatch "$name"
    local line
    if [[ $1 == grpc ]]; then
        shift
        line=$("$grpcgen" --target "127.0.0.1:$grpc_port" --calls "$connections" --batch "$batch" \
            --duration "$duration" --warmup "$warmup" "$@")
        rate[$name]=$(sed -n 's/.* events (\([0-9]*\)\/s).*/\1/p' <<<"$line")
    else
        line=$("$loadgen" --url "http://127.0.0.1:$http_port" --connections "$connections" --batch "$batch" \
            --duration "$duration" --warmup "$warmup" --json "$@")
        rate[$name]=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(round(r["events_per_s"]))' "$line")
    fi
    read -r ok bad < <(accepted)
    stop_perfwatch
    printf '%-28s %12s/s   accepted %s, rejected %s\n' "$name" "${rate[$name]}" "$ok" "$bad"
}

echo "perfwatch OTLP ingest: $batch spans per export (8 attributes each), $connections connections or calls,"
echo "${duration} s measured after ${warmup} s; $(nproc) CPUs; $(date -u +%Y-%m-%dT%H:%M:%SZ)"
run "http/protobuf" --otlp traces
run "http/json" --otlp traces-json
run "http/protobuf gzip" --otlp traces --gzip
run "grpc" grpc --otlp traces
run "grpc gzip" grpc --otlp traces --gzip
run "http/protobuf metrics" --otlp metrics

base=${rate["http/protobuf"]}
echo
printf '%-28s %14s %10s\n' scenario "per second" "ratio"
for name in "http/protobuf" "http/json" "http/protobuf gzip" "grpc" "grpc gzip" "http/protobuf metrics"; do
    printf '%-28s %14s %10s\n' "$name" "${rate[$name]}" "$(python3 -c "print(f'{${rate[$name]} / $base:.2f}')")"
done
echo "(ratios to http/protobuf; the metrics row counts histogram data points)"

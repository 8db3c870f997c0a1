#!/usr/bin/env bash
# Measures ingest throughput: PerfWatch against the parse-only baseline server, same load for both.
#
#   bench/run-ingest-bench.sh [BUILD_DIR] [--duration S] [--warmup S] [--connections N] [--keys K]
#                             [--pin] [--qjson] [--out DIR]
#
# BUILD_DIR defaults to build/release. For every scenario (1,000-event batches, then single events)
# each server is started fresh, driven by perfwatch-loadgen, and stopped; the table shows events/s,
# the ratio to the baseline and p99 latency. Without a built perfwatch only the baseline runs.
# See docs/PERFORMANCE.md for how to read the numbers.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build/release"
duration=10
warmup=2
connections=4
keys=100
pin=0
qjson=0
out=""

die() {
    echo "run-ingest-bench: $*" >&2
    exit 1
}

while (($#)); do
    case "$1" in
    --duration) duration=${2:?--duration needs a value}; shift 2 ;;
    --warmup) warmup=${2:?--warmup needs a value}; shift 2 ;;
    --connections) connections=${2:?--connections needs a value}; shift 2 ;;
    --keys) keys=${2:?--keys needs a value}; shift 2 ;;
    --pin) pin=1; shift ;;
    --qjson) qjson=1; shift ;;
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    -h | --help) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) build=$(cd "$1" && pwd) || die "no build directory $1"; shift ;;
    esac
done

loadgen="$build/bench/perfwatch-loadgen"
baseline="$build/bench/perfwatch-baseline-server"
perfwatch="$build/app/perfwatch"
[[ -x "$loadgen" ]] || die "missing $loadgen (cmake --build $build --target perfwatch-loadgen)"
[[ -x "$baseline" ]] || die "missing $baseline (cmake --build $build --target perfwatch-baseline-server)"

work=$(mktemp -d "${TMPDIR:-/tmp}/perfwatch-bench.XXXXXX")
server_pid=""
server_port=""
loadgen_pid=""

stop_server() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=""
}
cleanup() {
    [[ -n "$loadgen_pid" ]] && kill -TERM "$loadgen_pid" 2>/dev/null
    stop_server
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# On request, keep the generator and the server off each other's cores: the generator gets the
# last CPU, servers the others.
server_cpu=()
loadgen_cpu=()
if ((pin)); then
    command -v taskset >/dev/null || die "--pin needs taskset (util-linux)"
    cpus=$(nproc)
    ((cpus >= 2)) || die "--pin needs at least 2 CPUs"
    server_cpu=(taskset -c "0-$((cpus - 2))")
    loadgen_cpu=(taskset -c "$((cpus - 1))")
fi

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A port nothing listens on, for servers that take --port (PerfWatch).
free_port() {
    local p
    for _ in $(seq 100); do
        p=$((20000 + RANDOM % 30000))
        port_open "$p" || { echo "$p"; return 0; }
    done
    die "no free port found"
}

# Waits until $1 accepts connections while process $server_pid lives; $2 names its log.
wait_for_port() {
    for _ in $(seq 150); do
        port_open "$1" && return 0
        kill -0 "$server_pid" 2>/dev/null || { cat "$2" >&2; die "server exited before listening"; }
        sleep 0.1
    done
    cat "$2" >&2
    die "server did not listen on 127.0.0.1:$1 within 15 s"
}

# Starts a server by name and sets server_pid and server_port. Not to be called in a subshell:
# the EXIT trap must see the pid to stop the server.
start_server() {
    local name=$1 log="$work/$1.log" port=""
    case "$name" in
    baseline | baseline-qjson)
        local extra=()
        [[ "$name" == baseline-qjson ]] && extra=(--qjson)
        "${server_cpu[@]}" "$baseline" --port 0 "${extra[@]}" >"$work/$name.out" 2>"$log" &
        server_pid=$!
        for _ in $(seq 150); do
            port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$work/$name.out" 2>/dev/null || true)
            [[ -n "$port" ]] && break
            kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; die "$name exited before listening"; }
            sleep 0.1
        done
        [[ -n "$port" ]] || die "$name printed no port within 15 s"
        ;;
    perfwatch)
        port=$(free_port)
        mkdir -p "$work/perfwatch-data"
        "${server_cpu[@]}" "$perfwatch" --headless --port "$port" --statsd-port "$(free_port)" --grpc-port 0 \
            --data-dir "$work/perfwatch-data" >"$log" 2>&1 &
        server_pid=$!
        wait_for_port "$port" "$log"
        ;;
    esac
    server_port=$port
}

json_field() { sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p" "$1"; }
json_p99() { sed -n 's/.*"p99":\([0-9.]*\).*/\1/p' "$1"; }
# Responses that were not 2xx, and client-side errors, summed from the loadgen JSON.
json_non2xx() {
    sed -n 's/.*"status":{\([^}]*\)}.*/\1/p' "$1" | tr ',' '\n' | awk -F: '$1 !~ /"2/ {n += $2} END {print n + 0}'
}
json_errors() { sed -n 's/.*"errors":{\([^}]*\)}.*/\1/p' "$1" | tr ',' '\n' | awk -F: '{n += $2} END {print n + 0}'; }

servers=(baseline)
((qjson)) && servers+=(baseline-qjson)
if [[ -x "$perfwatch" ]]; then
    servers+=(perfwatch)
else
    echo "run-ingest-bench: $perfwatch is not built yet: running the baseline only" >&2
fi

scenarios=("batch1000:--batch 1000" "single:--batch 1")

echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
pinned=""
((pin)) && pinned=", generator and servers pinned to separate CPUs"
echo "load: $connections connections, $keys keys, ${warmup} s warm-up + ${duration} s per run$pinned"
echo

rows=()
for scenario in "${scenarios[@]}"; do
    label=${scenario%%:*}
    read -r -a args <<<"${scenario#*:}"
    for server in "${servers[@]}"; do
        start_server "$server"
        result="$work/$server-$label.json"
        # In the background, so that a signal to this script is handled at once (wait is interruptible).
        "${loadgen_cpu[@]}" "$loadgen" --url "http://127.0.0.1:$server_port" --connections "$connections" \
            --keys "$keys" --duration "$duration" --warmup "$warmup" "${args[@]}" --json \
            >"$result" 2>"$work/loadgen.err" &
        loadgen_pid=$!
        if ! wait "$loadgen_pid"; then
            echo "run-ingest-bench: $server/$label: $(tail -1 "$work/loadgen.err")" >&2
        fi
        loadgen_pid=""
        stop_server
        [[ -n "$out" ]] && mkdir -p "$out" && cp "$result" "$out/"
        rows+=("$label $server $result")
    done
done

printf '%-10s %-15s %14s %8s %10s %8s %7s\n' scenario server events/s ratio "p99 ms" non-2xx errors
for row in "${rows[@]}"; do
    read -r label server result <<<"$row"
    eps=$(json_field "$result" events_per_s)
    base=$(json_field "$work/baseline-$label.json" events_per_s)
    ratio=$(awk -v a="${eps:-0}" -v b="${base:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
    printf '%-10s %-15s %14s %8s %10s %8s %7s\n' "$label" "$server" "${eps:--}" "$ratio" "$(json_p99 "$result")" \
        "$(json_non2xx "$result")" "$(json_errors "$result")"
done

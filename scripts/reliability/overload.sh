#!/usr/bin/env bash
# Overload: perfwatch-loadgen at 3x PerfWatch's measured capacity, plus a flood of maximum-size
# bodies, for 2 minutes; then how fast normal service returns.
#
#   scripts/reliability/overload.sh [--build DIR] [--duration S] [--factor F] [--connections N]
#                                   [--quick] [--body-connections N] [--rss-cap MB]
#                                   [--perfwatch BINARY] [--window]
#
#   1. capacity: the loadgen as fast as it can (1,000-event batches, 4 connections) for 10 s;
#   2. overload for --duration s (default 120; --quick 15), at the same time:
#        - events at F x capacity (default 3) in 1,000-event batches over N connections (64);
#        - 50,000-event bodies (about 6.5 MB each, the size limit is 8 MiB) as fast as possible
#          over 128 connections (--body-connections): unbounded, they could hold 128 x 6.5 MB;
#      a probe samples /health latency, RSS and open descriptors every 0.5 s;
#   3. recovery: after the load stops, the time until /health and a 100-event ingest both answer
#      within 100 ms five times in a row.
# Passes when every answer was 202, 429 or 503, every 429/503 carried Retry-After (the loadgen
# counts those it backed off on), no connection failed, peak RSS stayed under --rss-cap MB
# (default 512) and normal service returned within 10 s.
# --window runs PerfWatch with its window (offscreen) and its GUI event-loop lag probe
# (PERFWATCH_LAG_PROBE_SECONDS) over the capacity and overload stages instead of the recovery
# stage: the window must stay responsive, its event loop late by p99 < 100 ms.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib/perfwatch-port.sh
source "$root/scripts/reliability/lib/perfwatch-port.sh"
build="$root/build/dev"
duration=120
factor=3
connections=64
body_connections=128
rss_cap=512
perfwatch=""
quick=0
window=0
while (($#)); do
    case $1 in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --factor) factor=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --body-connections) body_connections=$2; shift 2 ;;
    --rss-cap) rss_cap=$2; shift 2 ;;
    --perfwatch) perfwatch=$2; shift 2 ;;
    --quick) quick=1; duration=15; shift ;;
    --window) window=1; shift ;;
    -h | --help) sed -n '2,24s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "overload: unknown option $1" >&2; exit 2 ;;
    esac
done
[[ -n $perfwatch ]] || perfwatch=$build/app/perfwatch
loadgen=$build/bench/perfwatch-loadgen
for tool in "$perfwatch" "$loadgen"; do
    [[ -x $tool ]] || { echo "overload: $tool is not built" >&2; exit 2; }
done
command -v python3 >/dev/null || { echo "overload: needs python3" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/perfwatch-overload.XXXXXX")
mkdir -p "$work/data" "$work/home"
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config QT_QPA_PLATFORM=offscreen
pids=()
pw=""
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    [[ -n $pw ]] && kill -KILL "$pw" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() {
    echo "overload: FAIL: $*" >&2
    exit 1
}

capacity_s=$((quick ? 5 : 10))
if ((window)); then
    # The probe quits PerfWatch when the load ends (2 s for starting the loadgens).
    PERFWATCH_LAG_PROBE_SECONDS=$((capacity_s + duration + 3)) \
        "$perfwatch" --port 0 --statsd-port 0 --grpc-port 0 --data-dir "$work/data" >"$work/perfwatch.out" 2>&1 &
else
    "$perfwatch" --headless --port 0 --statsd-port 0 --grpc-port 0 --data-dir "$work/data" >"$work/perfwatch.out" 2>&1 &
fi
pw=$!
wait_for_port "$work/perfwatch.out" "$pw" 20 || fail "perfwatch did not start"
url=http://127.0.0.1:$port

# Samples /health latency, RSS and descriptors until $work/stop exists; one CSV line per sample.
python3 - "$port" "$pw" "$work" <<'PY' &
import http.client, os, sys, time
port, pid, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
out = open(os.path.join(work, "probe.csv"), "w")
out.write("t,health_ms,status,rss_mb,fds\n")
t0 = time.time()
while not os.path.exists(os.path.join(work, "stop")):
    start = time.time()
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request("GET", "/api/performance/health")
        r = c.getresponse()
        r.read()
        status = r.status
        c.close()
    except Exception:
        status = 0
    ms = (time.time() - start) * 1000
    try:
        rss = [int(l.split()[1]) for l in open("/proc/%s/status" % pid) if l.startswith("VmRSS")][0] / 1024
        fds = len(os.listdir("/proc/%s/fd" % pid))
    except OSError:
        rss, fds = 0, 0
    out.write("%.1f,%.1f,%d,%.1f,%d\n" % (time.time() - t0, ms, status, rss, fds))
    out.flush()
    time.sleep(max(0, 0.5 - (time.time() - start)))
PY
probe=$!
pids+=("$probe")

"$loadgen" --url "$url" --batch 1000 --connections 4 --duration "$capacity_s" --json >"$work/capacity.json"
capacity=$(python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["events_per_s"]))' "$work/capacity.json")
((capacity > 0)) || fail "capacity measurement failed"
target=$((capacity * factor))
echo "capacity: $capacity events/s (1,000-event batches, 4 connections); offering ${factor}x = $target events/s" \
    "over $connections connections plus 6.5 MB bodies over $body_connections connections for ${duration} s"

"$loadgen" --url "$url" --batch 1000 --connections "$connections" --rate "$target" --keys 1000 \
    --duration "$duration" --timeout 30 --json >"$work/events.json" 2>"$work/events.err" &
events=$!
pids+=("$events")
"$loadgen" --url "$url" --batch 50000 --connections "$body_connections" --keys 1000 --seed 7 \
    --duration "$duration" --timeout 30 --json >"$work/bodies.json" 2>"$work/bodies.err" &
bodies=$!
pids+=("$bodies")
wait "$events" || fail "the event loadgen failed: $(tail -1 "$work/events.err")"
wait "$bodies" || fail "the body loadgen failed: $(tail -1 "$work/bodies.err")"
stopped=$(date +%s%3N)
if ((window)); then
    # The probe ends the run: its line, then a clean exit.
    wait "$pw" || fail "perfwatch with its window did not exit cleanly after the probe"
    pw=""
    lag=$(sed -n 's/.*GUI event loop late by \(.*\)/\1/p' "$work/perfwatch.out")
    [[ -n $lag ]] || fail "no GUI lag line from the probe: $(tail -2 "$work/perfwatch.out")"
    echo "window: GUI event loop late by $lag"
    p99=$(sed -n 's/.*p99 \([0-9.]*\) ms.*/\1/p' <<<"$lag")
    awk -v p="$p99" 'BEGIN {exit !(p < 100)}' || fail "the window was not responsive: p99 lag $p99 ms"
fi
kill -0 "$pw" 2>/dev/null || ((window)) || fail "perfwatch died under overload"

# Recovery: /health and a small ingest, both within 100 ms, five times in a row.
recovered=skipped
((window)) || recovered=$(python3 - "$port" "$stopped" <<'PY'
import http.client, json, sys, time
port, stopped = int(sys.argv[1]), int(sys.argv[2]) / 1000
body = json.dumps([{"type": "api", "method": "GET", "route": "/after", "duration_ms": 1, "status": 200}] * 100)
good = 0
while time.time() - stopped < 30:
    ok = True
    for method, path, payload in (("GET", "/api/performance/health", None), ("POST", "/api/performance/ingest", body)):
        t = time.time()
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request(method, path, payload, {"Content-Type": "application/json"} if payload else {})
            r = c.getresponse()
            r.read()
            c.close()
            ok = ok and r.status in (200, 202) and (time.time() - t) < 0.1
        except Exception:
            ok = False
    good = good + 1 if ok else 0
    if good == 5:
        print("%.1f" % (time.time() - stopped))
        sys.exit(0)
    time.sleep(0.2)
print("never")
PY
)
touch "$work/stop"
wait "$probe" 2>/dev/null || true

python3 - "$work" "$duration" "$rss_cap" "$recovered" <<'PY'
import csv, json, os, sys
work, duration, rss_cap, recovered = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
failures = []
for name in ("events", "bodies"):
    r = json.load(open(os.path.join(work, name + ".json")))
    status = {int(k): v for k, v in r["status"].items()}
    other = {k: v for k, v in status.items() if k not in (202, 429, 503)}
    shed = status.get(429, 0) + status.get(503, 0)
    errors = r["errors"]
    print("%-7s offered %s, answers %s, throttled with Retry-After %d, events accepted %s/s, p99 %s ms, errors %s"
          % (name, "%d events/s" % r["target_rate"] if r["target_rate"] else "as fast as possible",
             json.dumps(r["status"]), r["throttled"], r["events_per_s"],
             r["latency_ms"]["p99"] if r["latency_ms"] else "-", json.dumps(errors)))
    if other:
        failures.append("%s: answers other than 202/429/503: %s" % (name, other))
    if r["throttled"] != shed:
        failures.append("%s: %d answers 429/503 but only %d with Retry-After" % (name, shed, r["throttled"]))
    if sum(errors.values()):
        failures.append("%s: connection errors %s (last: %s)" % (name, errors, r["last_error"]))
rows = list(csv.DictReader(open(os.path.join(work, "probe.csv"))))
load = [r for r in rows if float(r["t"]) <= duration + 12]
rss = max(float(r["rss_mb"]) for r in rows)
fds = max(int(r["fds"]) for r in rows)
lat = sorted(float(r["health_ms"]) for r in load)
p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
print("probe   /health during the run: p50 %.0f ms, p99 %.0f ms, max %.0f ms (%d samples, %d not 200);"
      " peak RSS %.0f MB (cap %.0f), peak descriptors %d"
      % (p(0.5), p(0.99), lat[-1], len(lat), sum(1 for r in load if r["status"] != "200"), rss, rss_cap, fds))
if recovered != "skipped":
    print("recovery: normal service (/health and a 100-event ingest < 100 ms, 5 times in a row) %s s after the load"
          " stopped" % recovered)
if rss > rss_cap:
    failures.append("peak RSS %.0f MB over the cap of %.0f MB" % (rss, rss_cap))
if recovered != "skipped" and (recovered == "never" or float(recovered) > 10):
    failures.append("normal service did not return within 10 s (%s)" % recovered)
for f in failures:
    print("overload: FAIL: " + f, file=sys.stderr)
sys.exit(1 if failures else 0)
PY
echo "overload: PASS"

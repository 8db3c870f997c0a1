#!/usr/bin/env bash
# Disk trouble end to end: PerfWatch's data folder on a small tmpfs that really fills up.
#
#   scripts/reliability/disk-trouble.sh [--build DIR] [--quick] [--full-seconds S]
#
# Needs root (it mounts a 24 MiB tmpfs); exits 77 ("skipped") when it cannot mount one.
#   1. perfwatch runs under a steady load (a python sender that counts every 202 per key);
#   2. the tmpfs is filled: /health must turn persistence.healthy=false with last_error within
#      60 s (SQLite fails once its -wal must grow), and for --full-seconds (default 70, --quick 25) ingest keeps answering 202, the summary
#      keeps growing, /health keeps answering and pending_rows stays bounded;
#   3. the space is freed: persistence must be healthy again with pending_rows=0 within 25 s;
#   4. after a clean stop and a restart every key's count equals what the sender got 202 for:
#      nothing accepted while the disk was full was lost;
#   5. PerfWatch started on a full disk, then on a read-only folder (the history exists in both)
#      serves live data, says the history is unavailable, opens and writes it once the disk
#      takes writes again; after a last restart the history holds exactly what was acknowledged.
# A folder that turns read-only while PerfWatch runs cannot be made here (the kernel refuses to
# remount a file system read-only while files on it are open for writing); tests/reliability/
# tst_disktrouble covers it in the process with PRAGMA query_only.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib/perfwatch-port.sh
source "$root/scripts/reliability/lib/perfwatch-port.sh"
build="$root/build/dev"
full_seconds=70
while (($#)); do
    case $1 in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --quick) full_seconds=25; shift ;;
    --full-seconds) full_seconds=$2; shift 2 ;;
    -h | --help) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "disk-trouble: unknown option $1" >&2; exit 2 ;;
    esac
done
perfwatch=$build/app/perfwatch
[[ -x $perfwatch ]] || { echo "disk-trouble: $perfwatch is not built" >&2; exit 2; }
for tool in python3 curl; do
    command -v "$tool" >/dev/null || { echo "disk-trouble: needs $tool" >&2; exit 2; }
done
if [[ $(id -u) -ne 0 ]]; then
    echo "disk-trouble: skipped: needs root to mount a tmpfs"
    exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/perfwatch-disk.XXXXXX")
mnt=$work/mnt
mkdir -p "$mnt" "$work/home"
if ! mount -t tmpfs -o size=24m tmpfs "$mnt" 2>"$work/mount.err"; then
    echo "disk-trouble: skipped: cannot mount a tmpfs here ($(head -1 "$work/mount.err"))"
    rm -rf "$work"
    exit 77
fi
data=$mnt/data
mkdir -p "$data"
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config QT_QPA_PLATFORM=offscreen

pw=""
sender=""
cleanup() {
    [[ -n $sender ]] && kill -TERM "$sender" 2>/dev/null || true
    [[ -n $pw ]] && kill -KILL "$pw" 2>/dev/null || true
    wait 2>/dev/null || true
    umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
    echo "disk-trouble: FAIL: $*" >&2
    sed 's/^/  perfwatch: /' "$work/perfwatch.err" 2>/dev/null | tail -5 >&2
    exit 1
}
now_ms() { date +%s%3N; }
get() { curl -sf --max-time 5 -o "$2" "http://127.0.0.1:$port$1"; }
json_get() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); [v := v[k] for k in sys.argv[2].split(".")]; print(v)' "$1" "$2"; }
health() {
    get /api/performance/health "$work/health.json" || fail "/health did not answer within 5 s"
    healthy=$(json_get "$work/health.json" persistence.healthy)
    pending=$(json_get "$work/health.json" persistence.pending_rows)
    last_error=$(json_get "$work/health.json" persistence.last_error)
}
rss_mb() { awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$pw/status"; }
summary_total() {
    get "/api/performance/summary?hours=24" "$work/summary.json" || fail "no summary"
    python3 -c 'import json,sys; print(sum(v["request_count"] for v in json.load(open(sys.argv[1]))["api_requests"].values()))' \
        "$work/summary.json"
}

start_perfwatch() {
    "$perfwatch" --headless --port 0 --statsd-port 0 --grpc-port 0 --data-dir "$data" >"$work/perfwatch.out" 2>"$work/perfwatch.err" &
    pw=$!
    if ! wait_for_port "$work/perfwatch.out" "$pw" 20; then
        kill -0 "$pw" 2>/dev/null || fail "perfwatch exited while starting"
        fail "perfwatch did not listen within 20 s"
    fi
}
stop_perfwatch() {
    kill -TERM "$pw"
    wait "$pw" || fail "perfwatch did not stop cleanly"
    pw=""
}

# Sends 200 api events per request (keys /disk/k0../disk/k999, a new set of 50 every 2 s so the
# database keeps needing new pages) as fast as 20 requests/s; counts 202s per key; on SIGTERM
# writes {"acked": {key: n}, "other_status": {status: n}} to $1.
start_sender() {
    python3 - "$1" "$port" <<'PY' &
import http.client, json, signal, sys, time
out, port = sys.argv[1], int(sys.argv[2])
acked, other, stop = {}, {}, False
def on_term(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
start, n = time.time(), 0
while not stop:
    base = 50 * int((time.time() - start) / 2)
    keys = ["/disk/k%d" % ((base + i) % 1000) for i in range(50)]
    events = [{"type": "api", "method": "GET", "route": keys[i % 50], "duration_ms": 5 + i % 17, "status": 200}
              for i in range(200)]
    try:
        conn.request("POST", "/api/performance/ingest", json.dumps(events), {"Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        if r.status == 202:
            for e in events:
                k = "GET:" + e["route"]
                acked[k] = acked.get(k, 0) + 1
        else:
            other[str(r.status)] = other.get(str(r.status), 0) + 1
    except (OSError, http.client.HTTPException) as exc:
        other[type(exc).__name__] = other.get(type(exc).__name__, 0) + 1
        conn.close()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    n += 1
    time.sleep(max(0, start + n / 20 - time.time()))
json.dump({"acked": acked, "other_status": other}, open(out, "w"))
PY
    sender=$!
}
stop_sender() {
    kill -TERM "$sender"
    wait "$sender" || fail "the sender failed"
    sender=""
    [[ $(json_get "$1" other_status) == "{}" ]] || fail "answers other than 202 while sending: $(json_get "$1" other_status)"
}
fill_disk() {
    dd if=/dev/zero of="$mnt/filler" bs=1M 2>/dev/null || true
    dd if=/dev/zero of="$mnt/filler-small" bs=4k 2>/dev/null || true
}
free_disk() { rm -f "$mnt/filler" "$mnt/filler-small"; }
wait_for() { # $1 = expected healthy value, $2 = seconds; sets waited_ms
    local t0 deadline
    t0=$(now_ms)
    deadline=$((t0 + $2 * 1000))
    while :; do
        health
        [[ $healthy == "$1" ]] && break
        (($(now_ms) < deadline)) || fail "persistence.healthy did not become $1 within $2 s (last_error: $last_error)"
        sleep 0.5
    done
    waited_ms=$(($(now_ms) - t0))
}

echo "disk-trouble: data folder on a 24 MiB tmpfs at $mnt"
start_perfwatch
start_sender "$work/acked1.json"
wait_for True 30
while [[ $(json_get "$work/health.json" persistence.saved_up_to_ms) == 0 ]]; do sleep 1; health; done
echo "healthy: first flush done, rss $(rss_mb) MB"

fill_disk
echo "disk full: $(df -k --output=avail "$mnt" | tail -1 | tr -d ' ') KiB free"
wait_for False 60
echo "persistence.healthy=false ${waited_ms} ms after the disk filled: \"$last_error\""
[[ $last_error == *full* ]] || fail "last_error does not say the disk is full: $last_error"
before=$(summary_total)
max_pending=0
max_health_ms=0
end=$(($(now_ms) + full_seconds * 1000))
while (($(now_ms) < end)); do
    t0=$(now_ms)
    health
    ((($(now_ms) - t0) > max_health_ms)) && max_health_ms=$(($(now_ms) - t0))
    [[ $healthy == False ]] || fail "persistence claims to be healthy on a full disk"
    ((pending > max_pending)) && max_pending=$pending
    sleep 2
done
after=$(summary_total)
((after > before)) || fail "live data stopped while the disk was full ($before -> $after)"
echo "full for ${full_seconds} s: live summary grew $before -> $after events, /health answered in <= ${max_health_ms} ms," \
    "pending_rows <= $max_pending, rss $(rss_mb) MB"

free_disk
wait_for True 25
recovered_ms=$waited_ms
health
((pending == 0)) || fail "$pending rows still pending after recovery"
echo "space returned: healthy again after ${recovered_ms} ms, pending_rows 0"

stop_sender "$work/acked1.json"
stop_perfwatch
start_perfwatch
get "/api/performance/summary?hours=24" "$work/summary.json" || fail "no summary after the restart"
python3 - "$work/acked1.json" "$work/summary.json" <<'PY' || fail "the history after the restart differs from what was acknowledged"
import json, sys
acked = json.load(open(sys.argv[1]))["acked"]
stored = {k: v["request_count"] for k, v in json.load(open(sys.argv[2]))["api_requests"].items()}
diff = {k: (acked.get(k, 0), stored.get(k, 0)) for k in set(acked) | set(stored) if acked.get(k, 0) != stored.get(k, 0)}
for k, (a, s) in sorted(diff.items())[:10]:
    print("  %s: %d acknowledged, %d stored" % (k, a, s), file=sys.stderr)
print("after a restart: %d keys, %d events, exactly what was acknowledged" % (len(stored), sum(stored.values())))
sys.exit(1 if diff else 0)
PY

# Started on a full disk, with the history there: SQLite cannot even create its -shm and -wal.
stop_perfwatch
fill_disk
start_perfwatch
grep -q "serving live data without history" "$work/perfwatch.err" ||
    fail "no notice that the history is unavailable at start"
echo "started on a full disk: \"$(head -1 "$work/perfwatch.err")\""
start_sender "$work/acked2.json"
wait_for False 5
sleep 12
health
[[ $healthy == False ]] || fail "healthy on a full disk"
free_disk
wait_for True 25
echo "space returned: history opened and written ${waited_ms} ms later"
stop_sender "$work/acked2.json"
stop_perfwatch

# Started on a read-only folder (it can be remounted now that nothing has files open on it).
# Leave the -wal and -shm behind as a crashed reader would: with them SQLite opens the file
# read-only without complaint, and only the first write fails.
python3 -c 'import os, sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("PRAGMA journal_mode=WAL").fetchall(); c.execute("SELECT count(*) FROM sqlite_master").fetchall(); os._exit(0)' \
    "$data/perfwatch.sqlite"
[[ -e $data/perfwatch.sqlite-wal && -e $data/perfwatch.sqlite-shm ]] || fail "could not leave a -wal and -shm behind"
mount -o remount,ro "$mnt" || fail "cannot remount the tmpfs read-only"
start_perfwatch
grep -q "serving live data without history" "$work/perfwatch.err" ||
    fail "no notice that the history is unavailable on a read-only folder"
echo "started on a read-only folder: \"$(head -1 "$work/perfwatch.err")\""
start_sender "$work/acked3.json"
wait_for False 5
sleep 12
health
[[ $healthy == False ]] || fail "healthy on a read-only folder"
mount -o remount,rw "$mnt" || fail "cannot remount the tmpfs read-write"
wait_for True 25
echo "folder writable again: history opened and written ${waited_ms} ms later"
stop_sender "$work/acked3.json"
stop_perfwatch

start_perfwatch
get "/api/performance/summary?hours=24" "$work/summary.json" || fail "no summary after the last restart"
python3 - "$work/summary.json" "$work"/acked*.json <<'PY' || fail "the history differs from what was acknowledged"
import json, sys
stored = {k: v["request_count"] for k, v in json.load(open(sys.argv[1]))["api_requests"].items()}
acked = {}
for f in sys.argv[2:]:
    for k, n in json.load(open(f))["acked"].items():
        acked[k] = acked.get(k, 0) + n
diff = {k: (acked.get(k, 0), stored.get(k, 0)) for k in set(acked) | set(stored) if acked.get(k, 0) != stored.get(k, 0)}
for k, (a, s) in sorted(diff.items())[:10]:
    print("  %s: %d acknowledged, %d stored" % (k, a, s), file=sys.stderr)
print("after all phases and a restart: %d keys, %d events, exactly what was acknowledged"
      % (len(stored), sum(stored.values())))
sys.exit(1 if diff else 0)
PY
stop_perfwatch
echo "disk-trouble: PASS"

#!/usr/bin/env python3
"""Slow and idle clients against a running PerfWatch (issue 6 item 4).

    scripts/reliability/slow-clients.py (--port P | --perfwatch BINARY) [--slow 500] [--cap 256]
                                        [--timeout 15] [--duration 30]

With --perfwatch it starts that binary itself (headless, port 0, a scratch data folder).

While one normal client posts a 10-event batch every 50 ms on a keep-alive connection, SLOW
connections are opened at once, in turn of three kinds:
  idle     connects and sends nothing;
  headers  sends "POST ... HTTP/1.1\\r\\n" and then one header byte per second;
  body     sends complete headers with Content-Length: 1000 and then one body byte per second.
Checked:
  - the first CAP - 1 slow connections are admitted (the normal client holds one slot) and each is
    closed by the server TIMEOUT s (+ 3 s for the 1 s sweep and scheduling) after it started,
    idle ones silently, trickling ones after a 408 answer;
  - the others are refused cleanly: a 503 with Retry-After, then the server closes;
  - the normal client gets 202 every time, p99 latency under 100 ms;
  - afterwards a fresh connection is served again.
Prints one line per finding and exits 1 when a check fails.
"""

import argparse
import http.client
import json
import os
import re
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time


class Slow:
    def __init__(self, index, kind, sock, started):
        self.index, self.kind, self.sock, self.started = index, kind, sock, started
        self.script = b""
        self.sent = 0
        self.received = b""
        self.closed_at = None
        self.reset = False


def normal_client(port, stop, latencies, failures):
    body = json.dumps([{"type": "api", "method": "GET", "route": "/normal", "duration_ms": 4, "status": 200}] * 10)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    next_at = time.time()
    while not stop.is_set():
        start = time.time()
        try:
            conn.request("POST", "/api/performance/ingest", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            if response.status != 202:
                failures.append("status %d" % response.status)
        except (OSError, http.client.HTTPException) as exc:
            failures.append(type(exc).__name__)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        latencies.append((time.time() - start) * 1000)
        next_at += 0.05
        time.sleep(max(0, next_at - time.time()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int)
    parser.add_argument("--perfwatch", help="start this perfwatch binary instead of using --port")
    parser.add_argument("--slow", type=int, default=500)
    parser.add_argument("--cap", type=int, default=256)
    parser.add_argument("--timeout", type=float, default=15.0, help="the server's idle and request timeout, s")
    parser.add_argument("--duration", type=float, default=30.0)
    args = parser.parse_args()
    if args.perfwatch:
        work = tempfile.mkdtemp(prefix="perfwatch-slow.")
        env = dict(os.environ, HOME=work, XDG_CONFIG_HOME=work + "/.config", QT_QPA_PLATFORM="offscreen")
        server = subprocess.Popen([args.perfwatch, "--headless", "--port", "0", "--statsd-port", "0", "--grpc-port", "0", "--data-dir",
                                   work + "/data"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
        try:
            line = server.stdout.readline()
            match = re.search(r"listening on http://[^:]+:(\d+)", line)
            if not match:
                print("slow-clients: perfwatch did not start: " + line.strip(), file=sys.stderr)
                return 2
            args.port = int(match.group(1))
            return run(args)
        finally:
            server.terminate()
            server.wait(timeout=30)
            shutil.rmtree(work, ignore_errors=True)
    if not args.port:
        parser.error("--port or --perfwatch is needed")
    return run(args)


def run(args):
    stop = threading.Event()
    latencies, normal_failures = [], []
    normal = threading.Thread(target=normal_client, args=(args.port, stop, latencies, normal_failures))
    normal.start()
    time.sleep(0.5)  # the normal client holds its slot first

    sel = selectors.DefaultSelector()
    slow = []
    kinds = ("idle", "headers", "body")
    t0 = time.time()
    for i in range(args.slow):
        s = socket.create_connection(("127.0.0.1", args.port), timeout=5)
        s.setblocking(False)
        c = Slow(i, kinds[i % 3], s, time.time())
        if c.kind == "headers":
            c.script = b"POST /api/performance/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"y" * 100
        elif c.kind == "body":
            head = (b"POST /api/performance/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 1000\r\n\r\n")
            s.send(head)
            c.script = b" " * 1000
        slow.append(c)
        sel.register(s, selectors.EVENT_READ, c)
    opened_in = time.time() - t0

    next_trickle = time.time() + 1
    while time.time() - t0 < args.duration and any(c.closed_at is None for c in slow):
        for key, _ in sel.select(timeout=0.1):
            c = key.data
            try:
                data = c.sock.recv(65536)
            except ConnectionResetError:
                data, c.reset = b"", True
            except BlockingIOError:
                continue
            if data:
                c.received += data
                continue
            c.closed_at = time.time()
            sel.unregister(c.sock)
            c.sock.close()
        if time.time() >= next_trickle:
            next_trickle += 1
            for c in slow:
                if c.closed_at is None and c.sent < len(c.script):
                    try:
                        c.sock.send(c.script[c.sent:c.sent + 1])
                        c.sent += 1
                    except OSError:
                        pass
    stop.set()
    normal.join()

    failures = []
    refused = [c for c in slow if c.received.startswith(b"HTTP/1.1 503") and b"too many open connections" in c.received]
    admitted = [c for c in slow if c not in refused]
    print("opened %d slow connections in %.1f s: %d admitted, %d refused with 503 at the cap"
          % (args.slow, opened_in, len(admitted), len(refused)))
    expected_admitted = min(args.slow, args.cap - 1)
    if len(admitted) != expected_admitted:
        failures.append("%d admitted, expected %d (cap %d, one slot held by the normal client)"
                        % (len(admitted), expected_admitted, args.cap))
    for c in refused:
        if b"Retry-After: 1" not in c.received or c.closed_at is None or c.reset:
            failures.append("connection %d: refused without Retry-After, reset or left open" % c.index)
            break
    if refused:
        closed = max(c.closed_at - c.started for c in refused)
        print("refused: all answered 503 with Retry-After and closed; the last %.1f s after it connected" % closed)

    limit = args.timeout + 3
    for kind in kinds:
        group = [c for c in admitted if c.kind == kind]
        if not group:
            continue
        still_open = [c for c in group if c.closed_at is None]
        times = sorted(c.closed_at - c.started for c in group if c.closed_at is not None)
        answered = sum(1 for c in group if c.received.startswith(b"HTTP/1.1 408"))
        silent = sum(1 for c in group if not c.received)
        resets = sum(1 for c in group if c.reset)
        print("%-7s %3d admitted: closed after %.1f-%.1f s (limit %.0f s); %d answered 408, %d closed silently, "
              "%d reset, %d still open"
              % (kind, len(group), times[0] if times else 0, times[-1] if times else 0, limit, answered, silent,
                 resets, len(still_open)))
        if still_open:
            failures.append("%d %s connections still open after %.0f s" % (len(still_open), kind, args.duration))
        if times and times[-1] > limit:
            failures.append("%s connections closed after up to %.1f s (limit %.0f s)" % (kind, times[-1], limit))
        if times and times[0] < args.timeout - 1:
            failures.append("%s connections closed already after %.1f s" % (kind, times[0]))
        if kind != "idle" and answered != len(group):
            failures.append("%d of %d %s connections closed without a 408" % (len(group) - answered, len(group), kind))

    lat = sorted(latencies)
    p99 = lat[min(len(lat) - 1, int(0.99 * len(lat)))] if lat else float("inf")
    print("normal client: %d requests, p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d failed"
          % (len(lat), lat[len(lat) // 2] if lat else 0, p99, lat[-1] if lat else 0, len(normal_failures)))
    if normal_failures:
        failures.append("the normal client failed: %s" % normal_failures[:3])
    if p99 >= 100:
        failures.append("the normal client's p99 is %.1f ms (limit 100 ms)" % p99)

    try:
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=5)
        conn.request("GET", "/api/performance/health")
        status = conn.getresponse().status
    except (OSError, http.client.HTTPException) as exc:
        status = str(exc)
    print("afterwards: a fresh connection gets /health %s" % status)
    if status != 200:
        failures.append("a fresh connection afterwards got %s" % status)

    for f in failures:
        print("slow-clients: FAIL: " + f, file=sys.stderr)
    print("slow-clients: " + ("FAIL" if failures else "PASS"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

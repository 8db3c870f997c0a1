#!/usr/bin/env python3
"""Sends native api batches to PerfWatch and counts, per key, what was acknowledged.

    acked-sender.py --port P --out FILE [--rate EVENTS_PER_S] [--keys K] [--connections C]
                    [--batch B] [--seed S] [--kill-pid PID --kill-after SECONDS]

Each connection posts B-event batches over the keys GET:/crash/k0 .. k<K-1>. A 202 adds the
batch's events to "acked" per key; a request that failed after it was sent (the server died
with it in flight) adds them to "maybe": it may or may not have been stored. With --kill-pid,
the first 202 after --kill-after seconds is followed at once by SIGKILL to PID (the gap between
reading that 202 and the kill is reported as kill_gap_us), so a batch answered just before a
crash must survive it. Stops on SIGTERM, or by itself once the server is gone, and writes
{"acked": {key: n}, "maybe": {key: n}, "requests": n, "kill_gap_us": n|null,
 "other_status": {status: n}} to FILE.
"""
import argparse
import http.client
import json
import os
import signal
import socket
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--out", required=True)
parser.add_argument("--rate", type=float, default=20000)
parser.add_argument("--keys", type=int, default=300)
parser.add_argument("--connections", type=int, default=4)
parser.add_argument("--batch", type=int, default=100)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--kill-pid", type=int, default=0)
parser.add_argument("--kill-after", type=float, default=0)
args = parser.parse_args()

lock = threading.Lock()
acked, maybe, other = {}, {}, {}
state = {"requests": 0, "kill_gap_us": None, "killed": False}
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
started = time.monotonic()


def add(table, counts):
    for key, n in counts.items():
        table[key] = table.get(key, 0) + n


def body_for(first):
    counts, events = {}, []
    for i in range(args.batch):
        k = (first + i) % args.keys
        events.append('{"type":"api","method":"GET","route":"/crash/k%d","duration_ms":%d,"status":200}'
                      % (k, 3 + (first + i) % 41))
        key = "GET:/crash/k%d" % k
        counts[key] = counts.get(key, 0) + 1
    return ("[" + ",".join(events) + "]").encode(), counts


def sender(index):
    per_request = args.batch * args.connections / max(args.rate, 1.0)  # seconds between requests
    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)
    n = 0
    next_at = time.monotonic()
    while not stop.is_set():
        first = (args.seed * 7919 + index * 104729 + n * args.batch) % args.keys
        body, counts = body_for(first)
        sent = False
        try:
            conn.putrequest("POST", "/api/performance/ingest")
            conn.putheader("Content-Type", "application/json")
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders()
            conn.send(body)
            sent = True
            response = conn.getresponse()
            response.read()
            answered_ns = time.monotonic_ns()
            status = response.status
        except (OSError, http.client.HTTPException, socket.timeout):
            with lock:
                if sent or not state["killed"]:
                    add(maybe, counts)  # it may have been stored before the server went
            stop.set()  # the server is gone (killed): nothing more to send
            break
        with lock:
            state["requests"] += 1
            if status == 202:
                add(acked, counts)
            else:
                other[str(status)] = other.get(str(status), 0) + 1
            if (status == 202 and args.kill_pid and not state["killed"]
                    and time.monotonic() - started >= args.kill_after):
                os.kill(args.kill_pid, signal.SIGKILL)
                state["kill_gap_us"] = (time.monotonic_ns() - answered_ns) // 1000
                state["killed"] = True
        n += 1
        next_at += per_request
        delay = next_at - time.monotonic()
        if delay > 0:
            stop.wait(delay)
    conn.close()


threads = [threading.Thread(target=sender, args=(i,), daemon=True) for i in range(args.connections)]
for t in threads:
    t.start()
while any(t.is_alive() for t in threads):
    stop.wait(0.2)
    if stop.is_set():
        break
for t in threads:
    t.join(15)
with lock:
    json.dump({"acked": acked, "maybe": maybe, "requests": state["requests"], "kill_gap_us": state["kill_gap_us"],
               "other_status": other}, open(args.out, "w"), sort_keys=True)

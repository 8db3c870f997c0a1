"""End to end: a FastAPI app under uvicorn, instrumented with perfwatch_client, reporting to a
real PerfWatch process. Both peers run as separate processes on free loopback ports.

1. Exact counts: PerfWatch's summary shows the app's route templates, database keys and
   processing steps with exactly the number of requests sent, errors where the app raised.
2. Correlation: the N+1 endpoint's request ids reach PerfWatch, which recommends batching.
3. Never blocks: while PerfWatch is frozen (SIGSTOP: connections hang) and then gone (killed:
   connections refused), every request still succeeds, none takes as long as the sender's
   HTTP timeout, and the median latency stays near the median measured with PerfWatch up.
4. Retry: PerfWatch restarted on the same port receives exactly the events of the outage.
5. Exit: events recorded just before the app shuts down are flushed on the way out.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import unittest
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional, Tuple

sys.path.insert(0, os.path.dirname(__file__))
from support import PYTHON_CLIENT, REPO, PerfWatchProcess, get_json, wait_until  # noqa: E402

APP_DIR = os.path.join(REPO, "tests", "clients", "fastapi_app")
SENDER_TIMEOUT_S = 2.0  # the app's HTTP timeout towards PerfWatch

_missing = [name for name in ("fastapi", "uvicorn") if importlib.util.find_spec(name) is None]
if _missing:  # CTest reports exit code 77 as skipped
    print(f"SKIP: {', '.join(_missing)} not installed (Debian: python3-fastapi python3-uvicorn)")
    sys.exit(77)


class App:
    """The trips app in its own uvicorn process."""

    def __init__(self, perfwatch_url: str) -> None:
        env = dict(os.environ)
        env.update(
            PYTHONPATH=PYTHON_CLIENT,
            PERFWATCH_URL=perfwatch_url,
            PERFWATCH_SERVICE="trips-api",
            TRIPS_PERFWATCH_OPTIONS=json.dumps({"timeout": SENDER_TIMEOUT_S, "backoff_initial": 0.2,
                                                "backoff_max": 1.0}),
        )
        env.pop("PERFWATCH_TOKEN", None)
        self.proc = subprocess.Popen([sys.executable, os.path.join(APP_DIR, "serve.py")], cwd=APP_DIR, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("listening "):
            self.proc.kill()
            raise RuntimeError(f"app did not start: {line} {self.proc.stderr.read() if self.proc.stderr else ''}")
        self.port = int(line.split()[1])
        self._local = threading.local()
        self._conns: List[http.client.HTTPConnection] = []

    def request(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Tuple[int, bytes, float]:
        """(status, body, seconds) over a keep-alive connection of the calling thread."""
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        for attempt in (1, 2):
            conn = getattr(self._local, "conn", None)
            fresh = conn is None
            if fresh:
                conn = self._local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self._conns.append(conn)
            start = time.perf_counter()
            try:
                conn.request(method, path, body=payload, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # uvicorn closes a connection after an application exception; the request sent on
                # it next was never read, so it is sent again on a new connection.
                conn.close()
                self._local.conn = None
                if fresh or attempt == 2:
                    raise
                continue
            elapsed = time.perf_counter() - start
            if response.will_close:
                conn.close()
                self._local.conn = None
            return response.status, data, elapsed
        raise AssertionError("unreachable")

    def control(self, method: str, path: str) -> Dict[str, Any]:
        status, data, _ = self.request(method, path)
        assert status == 200, (status, data)
        return json.loads(data)

    def flush(self) -> Dict[str, Any]:
        answer = self.control("POST", "/_test/flush")
        assert answer["ok"], answer
        return answer["stats"]

    def stop(self) -> int:
        for conn in self._conns:
            conn.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # uvicorn shuts down gracefully; atexit flushes
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
        return self.proc.returncode


class FastApiEndToEndTest(unittest.TestCase):
    def setUp(self) -> None:
        self.perfwatch = PerfWatchProcess()
        self.addCleanup(lambda: self.perfwatch.stop())
        self.app = App(self.perfwatch.url)
        self.addCleanup(self.app.stop)

    def send_traffic(self) -> None:
        """The exact traffic the summary assertions count, from 4 client threads at once."""
        calls: List[Tuple[str, str, Optional[Dict[str, Any]], int]] = []
        calls += [("GET", f"/api/trips?user_id=u{i % 3}", None, 200) for i in range(12)]
        calls += [("GET", f"/api/trips/t{i + 1}", None, 200) for i in range(30)]
        calls += [("GET", f"/api/trips/missing-{i}", None, 404) for i in range(3)]
        calls += [("GET", f"/api/trips/t{i + 1}/points", None, 200) for i in range(4)]
        calls += [("POST", "/api/trips/upload",
                   {"user_id": "u1", "points": [[48.1 + k / 1000, 11.5 + k / 1000] for k in range(20)]}, 201)
                  for _ in range(5)]
        calls += [("GET", f"/api/trips/t{i + 1}/fail", None, 500) for i in range(3)]
        calls += [("GET", f"/no/such/path/{i}", None, 404) for i in range(2)]

        def call(c):
            method, path, body, expected = c
            status, data, _ = self.app.request(method, path, body)
            return path, expected, status

        with ThreadPoolExecutor(4) as pool:
            for path, expected, status in pool.map(call, calls):
                self.assertEqual(status, expected, path)

    def test_counts_correlation_never_blocks_retry_and_exit(self) -> None:
        # 1. Exact counts ----------------------------------------------------------------------
        self.send_traffic()
        stats = self.app.flush()
        self.assertEqual((stats["dropped"], stats["failed"], stats["rejected"], stats["invalid"]), (0, 0, 0, 0))
        summary = self.perfwatch.summary()

        api = summary["api_requests"]
        self.assertEqual(sorted(api), sorted([
            "GET:/api/trips", "GET:/api/trips/{trip_id}", "GET:/api/trips/{trip_id}/points",
            "POST:/api/trips/upload", "GET:/api/trips/{trip_id}/fail", "GET:/{unmatched}"]))
        counts = {k: (v["request_count"], v["error_count"]) for k, v in api.items()}
        self.assertEqual(counts, {
            "GET:/api/trips": (12, 0),
            "GET:/api/trips/{trip_id}": (33, 0),  # 30 found + 3 not found (404 is not an error)
            "GET:/api/trips/{trip_id}/points": (4, 0),
            "POST:/api/trips/upload": (5, 0),
            "GET:/api/trips/{trip_id}/fail": (3, 3),
            "GET:/{unmatched}": (2, 0),
        })
        self.assertTrue(all(v["service"] == "trips-api" for v in api.values()))
        self.assertGreater(api["GET:/api/trips"]["avg_duration_ms"], 0)

        db = {k: (v["operation_count"], v["error_count"]) for k, v in summary["database_operations"].items()}
        self.assertEqual(db, {
            "find:trips": (12, 0),
            "find_one:trips": (33, 0),
            "find_one:points": (24, 0),
            "insert_one:trips": (5, 0),
            "update:trips": (3, 3),
        })
        # u0, u1, u2 own 16, 17 and 17 of the 50 trips; 4 lists each.
        self.assertEqual(summary["database_operations"]["find:trips"]["documents"], 4 * 16 + 4 * 17 + 4 * 17)

        processing = summary["processing"]
        self.assertEqual({k: v["operation_count"] for k, v in processing.items()},
                         {"map_matching": 5, "validate_points": 5, "geocode": 5})
        self.assertEqual(processing["map_matching"]["items_processed"], 100)
        self.assertGreater(processing["map_matching"]["items_per_second"], 0)

        # 2. Correlation: request ids made it through (also from sync endpoints' worker threads).
        def n_plus_one() -> List[Dict[str, Any]]:
            report = get_json(f"{self.perfwatch.url}/api/performance/report")
            return [r for r in report.get("recommendations", []) if r.get("id", "").startswith("n_plus_one")]

        self.assertTrue(wait_until(lambda: bool(n_plus_one()), timeout=20, interval=0.5),
                        "no N+1 recommendation: request_id did not correlate the db events")
        recommendation = n_plus_one()[0]
        self.assertEqual(recommendation["target"], "GET:/api/trips/{trip_id}/points")
        self.assertIn("find_one:points", recommendation["id"])

        # 3. Never blocks ------------------------------------------------------------------------
        def measure(seconds: float) -> List[float]:
            """Sequential GETs for `seconds`, at most one per 10 ms; every one must succeed."""
            latencies = []
            end = time.monotonic() + seconds
            i = 0
            while time.monotonic() < end:
                status, _, elapsed = self.app.request("GET", f"/api/trips/t{i % 50 + 1}")
                self.assertEqual(status, 200)
                latencies.append(elapsed)
                i += 1
                time.sleep(0.01)
            return latencies

        up = measure(2.0)
        self.app.flush()  # nothing in flight when PerfWatch freezes
        before = self.app.control("GET", "/_test/stats")

        # Frozen for longer than the batching interval plus the sender's timeout, so the app's
        # sender is stuck in a POST that hangs while these requests are served.
        self.perfwatch.freeze()
        frozen = measure(1.0 + SENDER_TIMEOUT_S + 1.0)
        during_freeze = self.app.control("GET", "/_test/stats")
        self.assertGreater(during_freeze["retries"], before["retries"], "the sender never tried while frozen")
        self.assertIn("timed out", during_freeze["last_error"] or "")

        port = self.perfwatch.port
        self.perfwatch.stop()  # killed: connections are refused now
        down = measure(2.0)
        after = self.app.control("GET", "/_test/stats")
        self.assertGreater(after["retries"], during_freeze["retries"])
        outage_requests = len(frozen) + len(down)
        self.assertEqual(after["queued"], 2 * outage_requests)  # one api + one db event per request
        self.assertEqual(after["sent"], before["sent"])

        median_up = statistics.median(up)
        print(f"latency median/max: up {median_up * 1000:.2f}/{max(up) * 1000:.1f} ms, "
              f"frozen {statistics.median(frozen) * 1000:.2f}/{max(frozen) * 1000:.1f} ms, "
              f"down {statistics.median(down) * 1000:.2f}/{max(down) * 1000:.1f} ms "
              f"({len(up)}, {len(frozen)}, {len(down)} requests)")
        for name, phase in (("frozen", frozen), ("down", down)):
            # Robust bounds: a client that waited on PerfWatch would take the sender's timeout
            # (2 s) per blocked request; scheduler noise on 2 shared cores is milliseconds.
            self.assertLess(max(phase), SENDER_TIMEOUT_S / 2,
                            f"a request took {max(phase):.3f} s while PerfWatch was {name}")
            self.assertLess(statistics.median(phase), 3 * median_up + 0.02,
                            f"median {statistics.median(phase) * 1000:.1f} ms while PerfWatch was {name}, "
                            f"{median_up * 1000:.1f} ms while it ran")

        # 4. Retry: a new PerfWatch on the same port gets exactly the outage's events ------------
        self.perfwatch = PerfWatchProcess(port=port)
        stats = self.app.flush()
        self.assertEqual(stats["queued"], 0)
        self.assertEqual(stats["sent"], before["sent"] + 2 * outage_requests)
        self.assertEqual(stats["dropped"], 0)
        summary = self.perfwatch.summary()
        self.assertEqual(list(summary["api_requests"]), ["GET:/api/trips/{trip_id}"])
        self.assertEqual(summary["api_requests"]["GET:/api/trips/{trip_id}"]["request_count"], outage_requests)
        self.assertEqual(summary["database_operations"]["find_one:trips"]["operation_count"], outage_requests)

        # 5. Exit: recorded, not flushed, then a graceful shutdown delivers them ------------------
        for i in range(3):
            self.assertEqual(self.app.request("GET", "/api/trips?user_id=u2")[0], 200)
        self.assertEqual(self.app.stop(), 0)
        summary = self.perfwatch.summary()
        self.assertEqual(summary["api_requests"]["GET:/api/trips"]["request_count"], 3)
        self.assertEqual(summary["database_operations"]["find:trips"]["operation_count"], 3)


if __name__ == "__main__":
    unittest.main()

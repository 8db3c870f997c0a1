"""Unit tests of perfwatch_client against a local capturing HTTP server (no PerfWatch needed)."""

from __future__ import annotations

import asyncio
import json
import math
import os
import socket
import subprocess
import sys
import textwrap
import time
import unittest
from email.utils import formatdate

sys.path.insert(0, os.path.dirname(__file__))
from support import PYTHON_CLIENT, CapturingServer, free_port, wait_until  # noqa: E402

sys.path.insert(0, PYTHON_CLIENT)
import perfwatch_client as pw  # noqa: E402
from perfwatch_client import _sender  # noqa: E402

# Fast retries for tests; the defaults are 0.5 s doubling to 30 s.
FAST = {"backoff_initial": 0.02, "backoff_max": 0.1, "timeout": 2.0}


class ClientTestCase(unittest.TestCase):
    def setUp(self) -> None:
        self.server = CapturingServer()
        self.clients: list = []

    def tearDown(self) -> None:
        for client in self.clients:
            client.close(timeout=0.5)
        self.server.close()

    def client(self, url: str = "", **options) -> pw.Client:
        options.setdefault("service", "svc")
        options.setdefault("flush_interval", 30.0)  # only flush() or a full batch sends
        merged = {**FAST, **options}
        client = pw.Client(url=url or self.server.url, **merged)
        self.clients.append(client)
        return client

    def assertTimestamp(self, event: dict) -> None:
        self.assertIsInstance(event.pop("timestamp"), int)


class EventFieldsTest(ClientTestCase):
    """The exact JSON of every event kind (docs/DESIGN.md §4)."""

    def test_every_kind_has_exactly_its_fields(self) -> None:
        c = self.client(token="s3cret")
        before = int(time.time() * 1000)
        c.api("get", "/api/trips/{trip_id}", 12.5, 200)
        c.db("find", "trips", 3.25, ["user_id", "start_time"], error=True, documents=7)
        c.db("insert", "trips", 1)
        c.processing("map_matching", 100, items_processed=50)
        c.gauge("db.pool.in_use", 7)
        c.gauge("process.memory.rss_bytes", 1.5e9)
        c.gauge("load", 0.25)
        c.cache("trip_cache", 90, 10)
        self.assertTrue(c.flush(5))
        after = int(time.time() * 1000)

        self.assertEqual(len(self.server.requests), 1)
        request = self.server.requests[0]
        self.assertEqual(request.path, "/api/performance/ingest")
        self.assertEqual(request.headers["content-type"], "application/json")
        self.assertEqual(request.headers["authorization"], "Bearer s3cret")
        events = request.events
        for event in events:
            self.assertTrue(before <= event["timestamp"] <= after)
            del event["timestamp"]
        self.assertEqual(events, [
            {"type": "api", "method": "GET", "route": "/api/trips/{trip_id}", "duration_ms": 12.5, "status": 200,
             "service": "svc"},
            {"type": "db", "operation": "find", "collection": "trips", "duration_ms": 3.25,
             "fields": ["user_id", "start_time"], "error": True, "documents": 7, "service": "svc"},
            {"type": "db", "operation": "insert", "collection": "trips", "duration_ms": 1.0, "service": "svc"},
            {"type": "processing", "name": "map_matching", "duration_ms": 100.0, "items_processed": 50,
             "service": "svc"},
            {"type": "gauge", "name": "db.pool.in_use", "value": 7, "service": "svc"},
            {"type": "gauge", "name": "process.memory.rss_bytes", "value": 1500000000, "service": "svc"},
            {"type": "gauge", "name": "load", "value": 0.25, "service": "svc"},
            {"type": "cache", "name": "trip_cache", "hits": 90, "misses": 10, "service": "svc"},
        ])
        self.assertEqual(c.stats()["sent"], 8)
        self.assertEqual(c.stats()["queued"], 0)

    def test_no_authorization_without_token_and_url_prefix_kept(self) -> None:
        c = self.client(url=self.server.url + "/behind/proxy/", token="")
        c.processing("step", 1)
        self.assertTrue(c.flush(5))
        request = self.server.requests[0]
        self.assertEqual(request.path, "/behind/proxy/api/performance/ingest")
        self.assertNotIn("authorization", request.headers)

    def test_module_functions_use_the_configured_default_client(self) -> None:
        pw.configure(service="trips-api", url=self.server.url, token="t0k", flush_interval=30.0, **FAST)
        pw.log_request_timing("/api/trips", "post", 20, 201)
        pw.log_database_operation("find", "trips", 4.5, fields=["user_id"])
        pw.log_processing_step("data_validation", 8, items_processed=120)
        pw.record_gauge("db.pool.size", 20)
        pw.record_cache("geo_cache", 3, 1)
        self.assertTrue(pw.flush(5))
        events = self.server.events()
        for event in events:
            self.assertTimestamp(event)
        self.assertEqual(events, [
            {"type": "api", "method": "POST", "route": "/api/trips", "duration_ms": 20.0, "status": 201,
             "service": "trips-api"},
            {"type": "db", "operation": "find", "collection": "trips", "duration_ms": 4.5, "fields": ["user_id"],
             "service": "trips-api"},
            {"type": "processing", "name": "data_validation", "duration_ms": 8.0, "items_processed": 120,
             "service": "trips-api"},
            {"type": "gauge", "name": "db.pool.size", "value": 20, "service": "trips-api"},
            {"type": "cache", "name": "geo_cache", "hits": 3, "misses": 1, "service": "trips-api"},
        ])
        self.assertEqual(self.server.requests[0].headers["authorization"], "Bearer t0k")
        self.assertGreaterEqual(pw.stats()["sent"], 5)

    def test_environment_configures_a_new_client(self) -> None:
        saved = {k: os.environ.get(k) for k in ("PERFWATCH_URL", "PERFWATCH_TOKEN", "PERFWATCH_SERVICE")}
        os.environ.update(PERFWATCH_URL=self.server.url, PERFWATCH_TOKEN="envtoken", PERFWATCH_SERVICE="env-svc")
        try:
            c = pw.Client(flush_interval=30.0)
            self.clients.append(c)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        c.gauge("g", 1)
        self.assertTrue(c.flush(5))
        self.assertEqual(self.server.requests[0].headers["authorization"], "Bearer envtoken")
        self.assertEqual(self.server.events()[0]["service"], "env-svc")

    def test_request_id_is_carried_inside_a_request_context(self) -> None:
        c = self.client()
        with pw.request_context("req-1") as rid:
            self.assertEqual(rid, "req-1")
            self.assertEqual(pw.current_request_id(), "req-1")
            c.db("find", "trips", 1)
            c.api("GET", "/x", 1, 200)
        c.db("find", "trips", 1)
        self.assertTrue(c.flush(5))
        events = self.server.events()
        self.assertEqual(events[0]["request_id"], "req-1")
        self.assertEqual(events[1]["request_id"], "req-1")
        self.assertNotIn("request_id", events[2])

    def test_odd_strings_are_sent_as_valid_utf8(self) -> None:
        c = self.client()
        name = 'quote" backslash\\ tab\t nl\n nul\x00 bell\x07 é 漢字 😀'
        c.processing(name, 1)
        c.processing("surrogate-\udcff", 1)  # from a file name decoded with surrogateescape
        self.assertTrue(c.flush(5))
        body = self.server.requests[0].body
        events = json.loads(body.decode("utf-8"))  # strict UTF-8: raises on anything invalid
        self.assertEqual(events[0]["name"], name)
        self.assertEqual(events[1]["name"], "surrogate-?")


class InvalidArgumentsTest(ClientTestCase):
    def test_bad_arguments_are_counted_never_raised(self) -> None:
        c = self.client()
        c.api("GET", "/x", float("nan"), 200)
        c.api("GET", "/x", "slow", 200)
        c.api("GET", "/x", 1, "OK")
        c.db("find", "trips", math.inf)
        c.processing("p", 1, items_processed=-3)
        c.gauge("g", float("inf"))
        c.cache("c", -1, 0)
        c.db("find", "trips", 1, fields=[object()])  # str() of anything is a field name
        c.api("GET", "/x", -5, 200)  # a clock step backwards: clamped to 0, not dropped
        self.assertTrue(c.flush(5))
        stats = c.stats()
        self.assertEqual(stats["invalid"], 7)
        events = self.server.events()
        self.assertEqual(len(events), 2)
        self.assertEqual(events[1]["duration_ms"], 0.0)


class TimersTest(ClientTestCase):
    def test_performance_timer_categories(self) -> None:
        c = self.client()
        with pw.PerformanceTimer("map_matching", client=c) as first:
            time.sleep(0.02)
            first.items_processed = 40
        self.assertGreaterEqual(first.duration_ms, 19.0)
        with pw.PerformanceTimer("GET /api/trips/{trip_id}", "api", client=c):
            pass
        with self.assertRaises(KeyError):
            with pw.PerformanceTimer("POST:/api/trips", "api", client=c):
                raise KeyError("boom")
        with pw.PerformanceTimer("export", "api", client=c) as t:
            t.status_code = 404
        with pw.PerformanceTimer("find:trips", "database", fields=["user_id"], client=c):
            pass
        with self.assertRaises(RuntimeError):
            with pw.PerformanceTimer("aggregate trips", "db", client=c):
                raise RuntimeError("db down")
        with pw.PerformanceTimer("vacuum", "db", client=c):
            pass
        with pw.PerformanceTimer("resize", "images", client=c):
            pass
        self.assertTrue(c.flush(5))
        events = self.server.events()
        self.assertEqual(events[0]["type"], "processing")
        self.assertEqual(events[0]["name"], "map_matching")
        self.assertEqual(events[0]["items_processed"], 40)
        self.assertEqual(events[0]["duration_ms"], first.duration_ms)
        self.assertEqual([(e["method"], e["route"], e["status"]) for e in events[1:4]],
                         [("GET", "/api/trips/{trip_id}", 200), ("POST", "/api/trips", 500), ("CALL", "export", 404)])
        db_events = events[4:7]
        self.assertEqual([(e["operation"], e["collection"], e.get("error", False), e.get("fields")) for e in db_events],
                         [("find", "trips", False, ["user_id"]), ("aggregate", "trips", True, None),
                          ("vacuum", "unknown", False, None)])
        self.assertEqual((events[7]["type"], events[7]["name"]), ("processing", "resize"))

    def test_database_operation_marks_errors_and_reraises(self) -> None:
        c = self.client()
        with pw.database_operation("find", "trips", fields=["user_id"], client=c) as op:
            op.documents = 3
        with self.assertRaises(ValueError):
            with pw.database_operation("update", "trips", client=c):
                raise ValueError("conflict")
        self.assertTrue(c.flush(5))
        a, b = self.server.events()
        self.assertEqual((a["operation"], a["collection"], a["fields"], a["documents"]),
                         ("find", "trips", ["user_id"], 3))
        self.assertNotIn("error", a)
        self.assertEqual((b["operation"], b["collection"], b["error"]), ("update", "trips", True))

    def test_decorators_sync_and_async(self) -> None:
        c = self.client()

        @pw.monitor_performance("processing", client=c)
        def clean(rows):
            return [r for r in rows if r]

        @pw.monitor_performance("db", name="find:trips", client=c)
        async def load():
            await asyncio.sleep(0.01)
            return 5

        @pw.monitor_performance("api", name="GET /api/health", client=c)
        async def health():
            raise ConnectionError("down")

        @pw.PerformanceTimer("tile_render", client=c)
        def render():
            return "png"

        @pw.monitor_performance
        def bare():
            return 1

        self.assertEqual(clean([1, 0, 2]), [1, 2])
        self.assertEqual(clean.__name__, "clean")
        self.assertEqual(asyncio.run(load()), 5)
        with self.assertRaises(ConnectionError):
            asyncio.run(health())
        self.assertEqual(render(), "png")
        self.assertEqual(render(), "png")
        self.assertEqual(bare(), 1)

        async def timed():
            async with pw.async_performance_timer("geocode", client=c) as t:
                await asyncio.sleep(0.01)
            return t.duration_ms

        self.assertGreaterEqual(asyncio.run(timed()), 9.0)
        self.assertTrue(c.flush(5))
        events = self.server.events()
        summary = [(e["type"], e.get("name") or e.get("route") or e.get("operation")) for e in events]
        self.assertEqual(summary, [
            ("processing", "TimersTest.test_decorators_sync_and_async.<locals>.clean"),
            ("db", "find"),
            ("api", "/api/health"),
            ("processing", "tile_render"),
            ("processing", "tile_render"),
            ("processing", "geocode"),
        ])
        self.assertGreaterEqual(events[1]["duration_ms"], 9.0)
        self.assertEqual(events[2]["status"], 500)
        # bare() went to the default client, not this one.


class BatchingTest(ClientTestCase):
    def test_at_most_1000_events_per_post(self) -> None:
        c = self.client(max_queue=5000)
        for i in range(2500):
            c.processing("step", i)
        self.assertTrue(c.flush(10))
        sizes = [len(r.events) for r in self.server.requests]
        self.assertEqual(sizes, [1000, 1000, 500])
        self.assertEqual([e["duration_ms"] for e in self.server.events()], [float(i) for i in range(2500)])

    def test_a_full_batch_goes_without_waiting_for_the_interval(self) -> None:
        c = self.client(batch_size=100)
        for _ in range(250):
            c.gauge("g", 1)
        self.assertTrue(self.server.wait_for_requests(2, timeout=5))
        self.assertTrue(wait_until(lambda: c.stats()["sent"] == 200, timeout=5))
        self.assertEqual([len(r.events) for r in self.server.requests], [100, 100])
        self.assertEqual(c.stats()["queued"], 50)

    def test_interval_sends_a_partial_batch(self) -> None:
        c = self.client(flush_interval=0.3)
        start = time.monotonic()
        for _ in range(3):
            c.gauge("g", 1)
        self.assertTrue(self.server.wait_for_requests(1, timeout=5))
        elapsed = self.server.requests[0].at - start
        self.assertGreaterEqual(elapsed, 0.25)
        self.assertLess(elapsed, 2.0)
        self.assertEqual(len(self.server.requests[0].events), 3)


class QueueTest(ClientTestCase):
    def test_full_queue_drops_and_counts(self) -> None:
        c = self.client(max_queue=10)
        for _ in range(15):
            c.gauge("g", 1)
        stats = c.stats()
        self.assertEqual((stats["queued"], stats["dropped"]), (10, 5))
        self.assertTrue(c.flush(5))
        self.assertEqual(len(self.server.events()), 10)
        self.assertEqual(c.stats()["sent"], 10)


class RetryTest(ClientTestCase):
    def test_retries_after_refused_connections_then_delivers_once(self) -> None:
        port = free_port()
        c = self.client(url=f"http://127.0.0.1:{port}")
        for i in range(5):
            c.processing("step", i)
        self.assertFalse(c.flush(0.5))  # nothing listens: stays queued
        stats = c.stats()
        self.assertGreaterEqual(stats["retries"], 2)
        self.assertEqual((stats["queued"], stats["sent"], stats["failed"]), (5, 0, 0))
        self.assertIn("ConnectionRefused", stats["last_error"])
        late = CapturingServer(port)
        try:
            self.assertTrue(c.flush(10))
            self.assertEqual(len(late.requests), 1)
            self.assertEqual([e["duration_ms"] for e in late.events()], [0.0, 1.0, 2.0, 3.0, 4.0])
            self.assertEqual(c.stats()["sent"], 5)
        finally:
            late.close()

    def test_retry_after_seconds_is_honoured(self) -> None:
        for status in (503, 429):
            with self.subTest(status=status):
                server = CapturingServer()
                try:
                    server.answers.append((status, {"Retry-After": "1"}, b'{"error":"busy"}'))
                    c = self.client(url=server.url)  # back-off alone would retry within 20 ms
                    c.gauge("g", 1)
                    self.assertTrue(c.flush(10))
                    self.assertEqual(len(server.requests), 2)
                    gap = server.requests[1].at - server.requests[0].at
                    self.assertGreaterEqual(gap, 0.95)
                    self.assertLess(gap, 3.0)
                    self.assertEqual(c.stats()["sent"], 1)
                    self.assertEqual(c.stats()["retries"], 1)
                finally:
                    server.close()

    def test_retry_after_http_date(self) -> None:
        self.assertAlmostEqual(_sender._parse_retry_after(formatdate(time.time() + 30, usegmt=True)), 30, delta=2)
        self.assertEqual(_sender._parse_retry_after("2"), 2.0)
        self.assertIsNone(_sender._parse_retry_after("soon"))
        self.assertIsNone(_sender._parse_retry_after(None))

    def test_500_without_retry_after_uses_backoff(self) -> None:
        self.server.answers.extend([(500, {}, b"{}"), (502, {}, b"{}")])
        c = self.client()
        c.gauge("g", 1)
        self.assertTrue(c.flush(10))
        self.assertEqual(len(self.server.requests), 3)
        self.assertEqual(c.stats()["retries"], 2)

    def test_400_drops_the_batch_and_counts_it(self) -> None:
        self.server.answers.append((400, {}, b'{"error":"malformed_body"}'))
        c = self.client()
        for _ in range(3):
            c.gauge("g", 1)
        self.assertTrue(c.flush(5))
        stats = c.stats()
        self.assertEqual((stats["failed"], stats["sent"], stats["queued"], stats["retries"]), (3, 0, 0, 0))
        self.assertIn("400", stats["last_error"])
        c.gauge("g", 2)
        c.gauge("g", 3)
        self.assertTrue(c.flush(5))
        self.assertEqual(len(self.server.requests), 2)  # the refused batch was not sent again
        self.assertEqual([e["value"] for e in self.server.requests[1].events], [2, 3])
        self.assertEqual(c.stats()["sent"], 2)

    def test_partially_rejected_batch_is_counted(self) -> None:
        self.server.answers.append((202, {}, b'{"accepted":2,"rejected":1,"errors":[]}'))
        c = self.client()
        for _ in range(3):
            c.gauge("g", 1)
        self.assertTrue(c.flush(5))
        self.assertEqual((c.stats()["sent"], c.stats()["rejected"]), (2, 1))

    def test_stale_keep_alive_connection_is_replaced_without_backoff(self) -> None:
        def close_after(capture):
            return (202, {"Connection": "close"}, b'{"accepted":1,"rejected":0,"errors":[]}')

        c = self.client()
        c.gauge("g", 1)
        self.assertTrue(c.flush(5))
        c.gauge("g", 2)
        self.assertTrue(c.flush(5))
        self.server.answers.append(close_after)
        c.gauge("g", 3)
        self.assertTrue(c.flush(5))
        c.gauge("g", 4)
        self.assertTrue(c.flush(5))
        self.assertEqual(c.stats()["retries"], 0)
        self.assertEqual(c.stats()["sent"], 4)


class NeverBlocksTest(ClientTestCase):
    def test_recording_stays_fast_while_perfwatch_hangs(self) -> None:
        # A listening socket nobody accepts from: connects succeed, requests never get answers.
        hole = socket.socket()
        hole.bind(("127.0.0.1", 0))
        hole.listen(16)
        try:
            c = self.client(url=f"http://127.0.0.1:{hole.getsockname()[1]}", timeout=1.0, flush_interval=0.05,
                            batch_size=10)
            slowest = 0.0
            start = time.monotonic()
            while time.monotonic() - start < 1.5:  # spans several 1-s send timeouts
                t0 = time.perf_counter()
                c.api("GET", "/x", 1, 200)
                with pw.database_operation("find", "trips", client=c):
                    pass
                slowest = max(slowest, time.perf_counter() - t0)
                time.sleep(0.001)
            self.assertLess(slowest, 0.05)
            self.assertFalse(c.flush(0.2))
            self.assertEqual(c.stats()["sent"], 0)
            self.assertGreaterEqual(c.stats()["retries"], 1)
        finally:
            hole.close()

    def test_nothing_raises_when_perfwatch_is_down(self) -> None:
        pw.configure(url=f"http://127.0.0.1:{free_port()}", **FAST)
        try:
            pw.log_request_timing("/x", "GET", 1, 200)
            pw.log_database_operation("find", "x", 1)
            pw.log_processing_step("p", 1)
            pw.record_gauge("g", 1)
            pw.record_cache("c", 1, 1)
            with pw.PerformanceTimer("t"):
                pass
            self.assertFalse(pw.flush(0.2))
        finally:
            pw.configure(url=self.server.url)
        self.assertTrue(pw.flush(5))

    def test_bad_url_is_refused_not_raised(self) -> None:
        c = self.client(url="http://[::1")
        c.gauge("g", 1)
        self.assertTrue(c.flush(5))
        self.assertEqual(c.stats()["failed"], 1)


class MiddlewareTest(ClientTestCase):
    """PerfWatchMiddleware with hand-made ASGI scopes (FastAPI itself: test_fastapi_e2e.py)."""

    class Route:
        def __init__(self, path):
            self.path = path

    def run_app(self, middleware, path="/api/trips/42", route="/api/trips/{trip_id}", headers=()):
        sent = []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": path, "root_path": "", "headers": list(headers)}
        asyncio.run(middleware(scope, receive, send))
        return sent

    def test_route_template_status_and_request_id(self) -> None:
        c = self.client()
        seen_ids = []

        async def app(scope, receive, send):
            scope["route"] = MiddlewareTest.Route("/api/trips/{trip_id}")  # what FastAPI's router does
            seen_ids.append(pw.current_request_id())
            with pw.database_operation("find_one", "trips", client=c):
                pass
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b""})

        mw = pw.PerfWatchMiddleware(app, client=c)
        self.run_app(mw, headers=[(b"x-request-id", b"abc123")])
        self.run_app(mw)
        self.assertTrue(c.flush(5))
        db1, api1, db2, api2 = self.server.events()
        self.assertEqual((api1["method"], api1["route"], api1["status"]), ("GET", "/api/trips/{trip_id}", 404))
        self.assertEqual(db1["request_id"], "abc123")
        self.assertEqual(api1["request_id"], "abc123")
        self.assertEqual(len(db2["request_id"]), 32)
        self.assertEqual(db2["request_id"], api2["request_id"])
        self.assertEqual(seen_ids[1], db2["request_id"])
        self.assertIsNone(pw.current_request_id())

    def test_raising_app_is_a_500_and_the_exception_propagates(self) -> None:
        c = self.client()

        async def app(scope, receive, send):
            scope["route"] = MiddlewareTest.Route("/api/trips/{trip_id}/fail")
            raise RuntimeError("bug")

        with self.assertRaises(RuntimeError):
            self.run_app(pw.PerfWatchMiddleware(app, client=c), path="/api/trips/9/fail")
        self.assertTrue(c.flush(5))
        (event,) = self.server.events()
        self.assertEqual((event["route"], event["status"]), ("/api/trips/{trip_id}/fail", 500))

    def test_background_work_after_the_response_is_not_counted(self) -> None:
        c = self.client()

        async def app(scope, receive, send):
            scope["route"] = MiddlewareTest.Route("/api/trips/upload")
            await send({"type": "http.response.start", "status": 201, "headers": []})
            await send({"type": "http.response.body", "body": b"{}"})
            await asyncio.sleep(0.3)  # e.g. FastAPI BackgroundTasks

        self.run_app(pw.PerfWatchMiddleware(app, client=c))
        self.assertTrue(c.flush(5))
        (event,) = self.server.events()
        self.assertEqual(event["status"], 201)
        self.assertLess(event["duration_ms"], 150)

    def test_unmatched_excluded_and_non_http(self) -> None:
        c = self.client()

        async def app(scope, receive, send):
            if scope["type"] == "http":
                await send({"type": "http.response.start", "status": 404, "headers": []})

        mw = pw.PerfWatchMiddleware(app, client=c, exclude_paths=("/healthz", "/internal/"))
        self.run_app(mw, path="/wp-admin/setup.php")
        self.run_app(mw, path="/healthz")
        self.run_app(mw, path="/internal/flush")
        asyncio.run(mw({"type": "lifespan"}, None, None))
        self.assertTrue(c.flush(5))
        (event,) = self.server.events()
        self.assertEqual((event["route"], event["status"]), ("/{unmatched}", 404))


class ProcessTest(ClientTestCase):
    def run_python(self, code: str, env_extra: dict, timeout: float = 20) -> subprocess.CompletedProcess:
        env = dict(os.environ, PYTHONPATH=PYTHON_CLIENT, **env_extra)
        return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, timeout=timeout,
                              capture_output=True, text=True)

    def test_exit_flushes_what_is_queued(self) -> None:
        result = self.run_python("""
            import perfwatch_client as pw
            for i in range(3):
                pw.log_processing_step("exit_step", i)
        """, {"PERFWATCH_URL": self.server.url, "PERFWATCH_SERVICE": "batch-job"})
        self.assertEqual(result.returncode, 0, result.stderr)
        events = self.server.events()
        self.assertEqual([(e["name"], e["service"]) for e in events], [("exit_step", "batch-job")] * 3)

    def test_exit_is_quick_while_perfwatch_is_down_or_hangs(self) -> None:
        hole = socket.socket()  # listening, never accepting: requests hang
        hole.bind(("127.0.0.1", 0))
        hole.listen(16)
        try:
            for url in (f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{hole.getsockname()[1]}"):
                with self.subTest(url=url):
                    start = time.monotonic()
                    result = self.run_python("""
                        import perfwatch_client as pw
                        pw.configure(backoff_initial=5.0, timeout=30.0)
                        pw.log_processing_step("lost", 1)
                        pw.flush(1.5)  # the first attempt is under way when the exit starts
                    """, {"PERFWATCH_URL": url})
                    self.assertEqual(result.returncode, 0, result.stderr)
                    # interpreter start + 1.5 s + at most exit_timeout (2 s), not the 30-s timeout
                    self.assertLess(time.monotonic() - start, 6.0)
        finally:
            hole.close()

    @unittest.skipUnless(hasattr(os, "fork"), "needs fork")
    def test_forked_child_sends_its_own_events_only(self) -> None:
        c = self.client()
        c.processing("parent", 1)
        pid = os.fork()
        if pid == 0:  # child: the parent's queued event is not ours to send
            ok = False
            try:
                c.processing("child", 1)
                ok = c.flush(5) and c.stats()["sent"] == 1
            finally:
                os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        self.assertTrue(c.flush(5))
        self.assertEqual(sorted(e["name"] for e in self.server.events()), ["child", "parent"])


if __name__ == "__main__":
    unittest.main()

"""Peers for the client tests: a capturing HTTP server and a real PerfWatch process."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PYTHON_CLIENT = os.path.join(REPO, "clients", "python")


class Capture:
    """One request the capturing server received."""

    def __init__(self, method: str, path: str, headers: Dict[str, str], body: bytes, at: float) -> None:
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.at = at

    @property
    def events(self) -> List[Dict[str, Any]]:
        return json.loads(self.body.decode("utf-8"))


class CapturingServer:
    """An HTTP server on 127.0.0.1 that records every request and answers from a script.

    ``answers`` is consumed one per request: (status, headers, body) or a callable returning
    one; when it is empty the server answers like PerfWatch: 202 with the accepted count.
    """

    def __init__(self, port: int = 0) -> None:
        self.requests: List[Capture] = []
        self.answers: List[Any] = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                capture = Capture("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body,
                                  time.monotonic())
                with outer._lock:
                    answer = outer.answers.pop(0) if outer.answers else None
                if callable(answer):
                    answer = answer(capture)
                if answer is None:
                    try:
                        n = len(json.loads(body))
                    except Exception:
                        n = 0
                    answer = (202, {}, json.dumps({"accepted": n, "rejected": 0, "errors": []}).encode())
                status, headers, payload = answer
                # Recorded before answering, so a client's flush() returning implies it is here.
                with outer._arrived:
                    outer.requests.append(capture)
                    outer._arrived.notify_all()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def events(self) -> List[Dict[str, Any]]:
        with self._lock:
            return [e for r in self.requests for e in r.events]

    def wait_for_requests(self, n: int, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.requests) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._arrived.wait(left)
            return True

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str, timeout: float = 10.0) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


class PerfWatchProcess:
    """A real ``perfwatch --headless`` on 127.0.0.1, its port read from its first line of output."""

    LISTENING = re.compile(r"PerfWatch \S+ listening on http://127\.0\.0\.1:(\d+)")

    def __init__(self, binary: Optional[str] = None, port: int = 0, data_dir: Optional[str] = None,
                 extra_args: Tuple[str, ...] = ()) -> None:
        self.binary = binary or os.environ.get("PERFWATCH_BINARY") or os.path.join(
            REPO, "build", "dev", "app", "perfwatch")
        self._tmp = None
        if data_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="perfwatch-test-")
            data_dir = self._tmp.name
        env = dict(os.environ)
        env.pop("PERFWATCH_TOKEN", None)
        env["QT_QPA_PLATFORM"] = "offscreen"
        # StatsD gets a port of its own so parallel tests never collide on 8125.
        args = [self.binary, "--headless", "--port", str(port), "--statsd-port", str(free_udp_port()), "--grpc-port", "0",
                "--data-dir", data_dir, *extra_args]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                     start_new_session=True)
        lines: "queue.Queue[Optional[str]]" = queue.Queue()

        def pump() -> None:
            assert self.proc.stdout is not None
            for raw in self.proc.stdout:
                lines.put(raw.decode("utf-8", "replace"))
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + 30
        self.port = 0
        seen = []
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            seen.append(line)
            match = self.LISTENING.search(line)
            if match:
                self.port = int(match.group(1))
                break
        if not self.port:
            self.stop()
            err = self.proc.stderr.read().decode("utf-8", "replace") if self.proc.stderr else ""
            raise RuntimeError(f"perfwatch did not start: {''.join(seen)} {err}")
        self.url = f"http://127.0.0.1:{self.port}"

    def summary(self, hours: int = 1) -> Dict[str, Any]:
        return get_json(f"{self.url}/api/performance/summary?hours={hours}")

    def freeze(self) -> None:
        """SIGSTOP: the port still accepts connections (kernel backlog) but nothing answers."""
        self.proc.send_signal(signal.SIGSTOP)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL if self._frozen() else signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def _frozen(self) -> bool:
        try:
            with open(f"/proc/{self.proc.pid}/stat") as stat:
                return stat.read().rsplit(")", 1)[1].split()[0] == "T"
        except OSError:
            return False


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()

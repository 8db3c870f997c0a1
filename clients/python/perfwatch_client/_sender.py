"""The event queue and the background thread that delivers it to PerfWatch.

Everything an application thread does here is an O(1) append under a short lock. Encoding,
HTTP, retries and back-off all happen on one daemon thread per client, so a slow, frozen or
absent PerfWatch never delays the application.
"""

from __future__ import annotations

import atexit
import collections
import http.client
import json
import logging
import os
import random
import socket
import ssl
import threading
import time
import weakref
from email.utils import parsedate_to_datetime
from typing import Any, Deque, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

__all__ = ["Sender", "DEFAULT_URL", "INGEST_PATH"]

DEFAULT_URL = "http://127.0.0.1:4318"
INGEST_PATH = "/api/performance/ingest"
USER_AGENT = "perfwatch-python/0.1"

#: PerfWatch takes at most 1,000 events per request from this client (its own limit is 50,000).
MAX_BATCH = 1000

log = logging.getLogger("perfwatch_client")
log.addHandler(logging.NullHandler())  # a library does not print unless the application configures logging

# Outcomes of one POST.
_SENT, _RETRY, _REFUSED = "sent", "retry", "refused"

# Statuses worth retrying: PerfWatch (or a proxy before it) is busy or restarting.
_RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})

# Every live sender, for the at-exit flush and the fork handler. Weak: a dropped client goes away.
_live: "weakref.WeakSet[Sender]" = weakref.WeakSet()


class Sender:
    """A bounded queue of events and the thread that POSTs them in batches.

    ``url``, ``token`` and ``timeout`` may be changed at any time (``configure``); the thread
    reads them for each request.
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        token: Optional[str] = None,
        *,
        max_queue: int = 10000,
        batch_size: int = MAX_BATCH,
        flush_interval: float = 1.0,
        timeout: float = 5.0,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
        retry_after_max: float = 300.0,
        exit_timeout: float = 2.0,
    ) -> None:
        self.url = url
        self.token = token
        self.max_queue = max(1, int(max_queue))
        self.batch_size = max(1, min(int(batch_size), MAX_BATCH))
        self.flush_interval = float(flush_interval)
        self.timeout = float(timeout)
        self.backoff_initial = float(backoff_initial)
        self.backoff_max = float(backoff_max)
        self.retry_after_max = float(retry_after_max)
        self.exit_timeout = float(exit_timeout)
        self._reset_state()
        _live.add(self)

    # -- state -------------------------------------------------------------------------------

    def _reset_state(self) -> None:
        """Fresh lock, queue and counters: at construction and in a forked child."""
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._queue: Deque[Dict[str, Any]] = collections.deque()
        self._thread: Optional[threading.Thread] = None
        self._closing = False
        self._closed = False
        self._deadline = 0.0  # monotonic time by which a closing sender gives up
        self._enqueued = 0  # events ever accepted into the queue
        self._done = 0  # events ever finished with: sent, refused or abandoned
        self._flush_target = 0  # the sender sends at once until _taken reaches this
        self._taken = 0  # events ever taken off the queue by the thread
        self._in_flight = 0
        self._sent = 0
        self._rejected = 0
        self._dropped = 0
        self._failed = 0
        self._invalid = 0
        self._retries = 0
        self._last_error: Optional[str] = None
        self._conn: Optional[http.client.HTTPConnection] = None
        self._conn_key: Optional[Tuple[str, str, int]] = None
        self._conn_used_at = 0.0
        self._down_logged = False

    # -- application side (any thread, never blocks for long, never raises) -------------------

    def enqueue(self, event: Dict[str, Any]) -> bool:
        """Queues one event; False (and counted) when the queue is full or the sender closed."""
        with self._lock:
            if self._closed or len(self._queue) >= self.max_queue:
                self._dropped += 1
                return False
            self._queue.append(event)
            self._enqueued += 1
            if self._thread is None and not self._start_thread():
                self._queue.pop()
                self._enqueued -= 1
                self._dropped += 1
                return False
            pending = len(self._queue)
            if pending == 1 or pending == self.batch_size:
                self._cond.notify_all()  # start the interval timer, or send a full batch now
            return True

    def count_invalid(self) -> None:
        with self._lock:
            self._invalid += 1

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Sends what was queued before the call; True when all of it was delivered or refused.

        Blocks the calling thread (up to ``timeout`` seconds; None waits for as long as it
        takes). While PerfWatch is down the events stay queued and the call times out.
        """
        deadline = None if timeout is None else time.monotonic() + max(0.0, timeout)
        with self._cond:
            target = self._enqueued
            if self._done >= target:
                return True
            self._flush_target = max(self._flush_target, target)
            self._cond.notify_all()
            while self._done < target:
                if self._thread is None or not self._thread.is_alive():
                    return False
                if deadline is None:
                    self._cond.wait(1.0)
                else:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    self._cond.wait(left)
            return True

    def close(self, timeout: Optional[float] = None) -> bool:
        """Flushes for up to ``timeout`` seconds (default ``exit_timeout``), then stops the thread.

        Events still queued at the deadline are counted as dropped. Returns True when nothing
        was lost.
        """
        timeout = self.exit_timeout if timeout is None else timeout
        with self._cond:
            if self._closed:
                return True
            self._closing = True
            self._deadline = time.monotonic() + max(0.0, timeout)
            self._flush_target = max(self._flush_target, self._enqueued)
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(max(0.0, self._deadline - time.monotonic()))
            if thread.is_alive():
                # Stuck in a request to a PerfWatch that does not answer: cut it short.
                conn = self._conn
                sock = conn.sock if conn is not None else None
                if sock is not None:
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                thread.join(0.5)
        with self._cond:
            self._closed = True
            lost = len(self._queue)
            self._dropped += lost
            self._done += lost
            self._queue.clear()
            self._cond.notify_all()
            return lost == 0 and self._in_flight == 0

    def stats(self) -> Dict[str, Any]:
        """Counters since start (or since fork, in a child process).

        sent: events PerfWatch accepted. rejected: events PerfWatch answered as invalid one by
        one in an accepted batch. failed: events in batches PerfWatch refused as a whole (400,
        401, 404, 413, 415). dropped: events never delivered because the queue was full or the
        client shut down first. invalid: calls whose arguments could not form an event.
        queued: events waiting or in flight. retries: attempts repeated after an error.
        """
        with self._lock:
            return {
                "sent": self._sent,
                "rejected": self._rejected,
                "failed": self._failed,
                "dropped": self._dropped,
                "invalid": self._invalid,
                "queued": len(self._queue) + self._in_flight,
                "retries": self._retries,
                "last_error": self._last_error,
            }

    # -- the thread ----------------------------------------------------------------------------

    def _start_thread(self) -> bool:
        # Called with the lock held.
        thread = threading.Thread(target=self._run, name="perfwatch-sender", daemon=True)
        try:
            thread.start()
        except RuntimeError:  # interpreter shutting down
            return False
        self._thread = thread
        return True

    def _next_batch(self) -> Optional[List[Dict[str, Any]]]:
        """Waits until a batch is due (full, flushed, or its first event is flush_interval old).

        None when the sender should stop.
        """
        with self._cond:
            first_seen = time.monotonic() if self._queue else None
            while True:
                pending = len(self._queue)
                if self._closing:
                    if pending == 0 or time.monotonic() >= self._deadline:
                        return None
                    break
                if pending >= self.batch_size or (pending and self._flush_target > self._taken):
                    break
                if pending:
                    now = time.monotonic()
                    if first_seen is None:
                        first_seen = now
                    if now - first_seen >= self.flush_interval:
                        break
                    self._cond.wait(self.flush_interval - (now - first_seen))
                else:
                    first_seen = None
                    self._cond.wait()
            n = min(pending, self.batch_size)
            batch = [self._queue.popleft() for _ in range(n)]
            self._taken += n
            self._in_flight = n
            return batch

    def _run(self) -> None:
        try:
            while True:
                batch = self._next_batch()
                if batch is None:
                    break
                try:
                    self._deliver(batch)
                except Exception as exc:  # never let the thread die on a bug of ours
                    log.debug("perfwatch: dropping a batch after an unexpected error: %r", exc)
                    self._finish(len(batch), dropped=len(batch), error=repr(exc))
        finally:
            self._close_connection()

    def _finish(self, n: int, *, sent: int = 0, rejected: int = 0, failed: int = 0, dropped: int = 0,
                error: Optional[str] = None) -> None:
        with self._cond:
            self._sent += sent
            self._rejected += rejected
            self._failed += failed
            self._dropped += dropped
            self._in_flight = 0
            self._done += n
            if error is not None:
                self._last_error = error
            self._cond.notify_all()

    def _deliver(self, batch: List[Dict[str, Any]]) -> None:
        body, invalid = _encode(batch)
        n = len(batch)
        if invalid:
            with self._lock:
                self._invalid += invalid
        if body is None:
            self._finish(n)
            return
        attempt = 0
        while True:
            outcome, detail, retry_after, counts = self._post(body)
            if outcome == _SENT:
                accepted, rejected = counts if counts is not None else (n - invalid, 0)
                if self._down_logged:
                    log.info("perfwatch: reachable again at %s", self.url)
                    self._down_logged = False
                self._finish(n, sent=accepted, rejected=rejected)
                return
            if outcome == _REFUSED:
                log.warning("perfwatch: %s refused %d events: %s", self.url, n - invalid, detail)
                self._finish(n, failed=n - invalid, error=detail)
                return
            # Retry: PerfWatch is down, busy or restarting.
            if not self._down_logged:
                log.warning("perfwatch: cannot deliver to %s (%s); retrying in the background", self.url, detail)
                self._down_logged = True
            delay = retry_after if retry_after is not None else self._backoff(attempt)
            attempt += 1
            with self._cond:
                self._retries += 1
                self._last_error = detail
                if not self._wait_or_give_up(delay):
                    self._in_flight = 0
                    self._dropped += n - invalid
                    self._done += n
                    self._cond.notify_all()
                    return

    def _wait_or_give_up(self, delay: float) -> bool:
        """Sleeps before a retry (lock held); False when the sender is closing past its deadline.

        A closing sender does not sit out a long back-off: it retries every 0.2 s until its
        deadline, so an exit delivers what it can and never waits longer than exit_timeout.
        """
        start = time.monotonic()
        until = start + delay
        while True:
            now = time.monotonic()
            if self._closing:
                if now >= self._deadline:
                    return False
                end = min(until, start + 0.2, self._deadline)
            else:
                end = until
            if now >= end:
                return True
            self._cond.wait(end - now)

    def _backoff(self, attempt: int) -> float:
        """Exponential back-off with "equal jitter": half fixed, half random, capped."""
        base = min(self.backoff_max, self.backoff_initial * (2 ** min(attempt, 30)))
        return base / 2 + random.uniform(0, base / 2)

    # -- HTTP ---------------------------------------------------------------------------------

    def _post(self, body: bytes) -> Tuple[str, str, Optional[float], Optional[Tuple[int, int]]]:
        """One POST: (outcome, detail, retry_after, (accepted, rejected) when PerfWatch said)."""
        try:
            parts = urlsplit(self.url)
            scheme = (parts.scheme or "http").lower()
            host = parts.hostname or "127.0.0.1"
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError as exc:
            return _REFUSED, f"bad PERFWATCH_URL {self.url!r}: {exc}", None, None
        path = parts.path.rstrip("/") + INGEST_PATH
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        token = self.token
        if token:
            headers["Authorization"] = "Bearer " + token

        # A keep-alive connection PerfWatch closed while idle fails on first use; one immediate
        # retry on a fresh connection tells that apart from PerfWatch being down.
        for fresh in (False, True):
            reused = False
            try:
                conn, reused = self._connection(scheme, host, port, force_new=fresh)
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                status = response.status
                payload = response.read()
                retry_after_header = response.getheader("Retry-After")
                if response.will_close:
                    self._close_connection()
                else:
                    self._conn_used_at = time.monotonic()
            except (OSError, http.client.HTTPException) as exc:
                self._close_connection()
                if reused and not fresh and isinstance(exc, (ConnectionError, http.client.RemoteDisconnected,
                                                             http.client.BadStatusLine)):
                    continue
                return _RETRY, _describe(exc), None, None
            break

        if 200 <= status < 300:
            return _SENT, "", None, _counts(payload)
        detail = f"HTTP {status}: {payload[:200].decode('utf-8', 'replace')}"
        if status in _RETRY_STATUSES:
            retry_after = _parse_retry_after(retry_after_header)
            if retry_after is not None:
                retry_after = min(retry_after, self.retry_after_max)
            return _RETRY, detail, retry_after, None
        return _REFUSED, detail, None, None

    def _connection(self, scheme: str, host: str, port: int,
                    force_new: bool) -> Tuple[http.client.HTTPConnection, bool]:
        key = (scheme, host, port)
        idle = time.monotonic() - self._conn_used_at
        # PerfWatch closes connections idle for about 15 s; do not race it.
        if self._conn is not None and (force_new or key != self._conn_key or idle > 10.0):
            self._close_connection()
        timeout = self.timeout
        if self._closing:  # at exit, never wait past the deadline
            timeout = max(0.05, min(timeout, self._deadline - time.monotonic()))
        if self._conn is not None:
            self._conn.timeout = timeout
            if self._conn.sock is not None:
                self._conn.sock.settimeout(timeout)
            return self._conn, True
        if scheme == "https":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(host, port, timeout=timeout)
        conn.connect()
        if conn.sock is not None:
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._conn, self._conn_key = conn, key
        return conn, False

    def _close_connection(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
        self._conn = None
        self._conn_key = None

    # -- fork ---------------------------------------------------------------------------------

    def _before_fork(self) -> None:
        self._lock.acquire()

    def _after_fork_parent(self) -> None:
        self._lock.release()

    def _after_fork_child(self) -> None:
        # The parent owns what was queued; the child starts empty with its own thread, lazily.
        settings = (self.url, self.token)
        self._close_connection()  # our copy of the parent's socket; the parent's stays open
        self._reset_state()
        self.url, self.token = settings


def _encode(batch: List[Dict[str, Any]]) -> Tuple[Optional[bytes], int]:
    """The batch as a JSON array: (body, number of events left out because they would not encode).

    Strings are written as UTF-8; anything that is not valid UTF-8 (lone surrogates, for
    example from file names) becomes "?", because PerfWatch refuses a whole body over one
    invalid escape.
    """
    try:
        text = json.dumps(batch, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return text.encode("utf-8", "replace"), 0
    except (TypeError, ValueError):
        pass
    parts = []
    for event in batch:
        try:
            parts.append(json.dumps(event, ensure_ascii=False, separators=(",", ":"), allow_nan=False))
        except (TypeError, ValueError):
            continue
    invalid = len(batch) - len(parts)
    if not parts:
        return None, invalid
    return ("[" + ",".join(parts) + "]").encode("utf-8", "replace"), invalid


def _counts(payload: bytes) -> Optional[Tuple[int, int]]:
    try:
        answer = json.loads(payload)
        return int(answer["accepted"]), int(answer.get("rejected", 0))
    except Exception:
        return None


def _parse_retry_after(value: Optional[str]) -> Optional[float]:
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _close_all_at_exit() -> None:
    for sender in list(_live):
        try:
            sender.close()
        except Exception:
            pass


# The senders whose locks are held across a fork, so the same ones are released after it.
_forking: List[Sender] = []


def _before_fork() -> None:
    _forking[:] = list(_live)
    for sender in _forking:
        sender._before_fork()


def _after_fork_parent() -> None:
    for sender in _forking:
        sender._after_fork_parent()
    _forking.clear()


def _after_fork_child() -> None:
    for sender in _forking:
        sender._after_fork_child()
    _forking.clear()


atexit.register(_close_all_at_exit)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_parent,
                        after_in_child=_after_fork_child)

"""Client: builds PerfWatch events (docs/DESIGN.md §4) and hands them to its Sender."""

from __future__ import annotations

import contextvars
import math
import os
import threading
import time
from typing import Any, Dict, Iterable, Optional

from ._sender import DEFAULT_URL, Sender

__all__ = ["Client", "get_client", "configure", "current_request_id", "request_id_var"]

#: The id of the request being served, set by PerfWatchMiddleware (or ``request_context``).
#: Database events recorded while it is set carry it as ``request_id``, so PerfWatch can tell
#: which endpoint spends its time in which queries and spot N+1 patterns.
request_id_var: "contextvars.ContextVar[Optional[str]]" = contextvars.ContextVar(
    "perfwatch_request_id", default=None)


def current_request_id() -> Optional[str]:
    return request_id_var.get()


def _now_ms() -> int:
    return int(time.time() * 1000)


def _duration(value: Any) -> float:
    d = float(value)
    if not math.isfinite(d):
        raise ValueError("duration_ms must be finite")
    return d if d > 0.0 else 0.0  # a clock step backwards is not an error of the caller's


def _count(value: Any) -> int:
    n = int(value)
    if n < 0:
        raise ValueError("counts must be >= 0")
    return n


class Client:
    """One connection to PerfWatch: a service name, a bounded queue and a sender thread.

    Every recording method is an O(1) append that never blocks and never raises; invalid
    arguments are counted (``stats()["invalid"]``) and dropped. The module-level functions of
    ``perfwatch_client`` use a default Client configured from the environment.
    """

    def __init__(
        self,
        url: Optional[str] = None,
        token: Optional[str] = None,
        service: Optional[str] = None,
        *,
        enabled: Optional[bool] = None,
        **sender_options: Any,
    ) -> None:
        env = os.environ
        self.service = service or env.get("PERFWATCH_SERVICE") or "default"
        if enabled is None:
            enabled = env.get("PERFWATCH_ENABLED", "1").strip().lower() not in ("0", "false", "no", "off")
        self.enabled = enabled
        self._sender = Sender(url or env.get("PERFWATCH_URL") or DEFAULT_URL,
                              token if token is not None else (env.get("PERFWATCH_TOKEN") or None),
                              **sender_options)

    # -- configuration ------------------------------------------------------------------------

    def configure(self, service: Optional[str] = None, url: Optional[str] = None, token: Optional[str] = None,
                  *, enabled: Optional[bool] = None, **sender_options: Any) -> "Client":
        """Changes settings in place; events already queued keep the service they were recorded with."""
        if service is not None:
            self.service = service
        if enabled is not None:
            self.enabled = enabled
        if url is not None:
            self._sender.url = url
        if token is not None:
            self._sender.token = token or None
        for name, value in sender_options.items():
            if name not in ("timeout", "flush_interval", "backoff_initial", "backoff_max", "retry_after_max",
                            "exit_timeout", "max_queue", "batch_size"):
                raise TypeError(f"configure() got an unexpected keyword argument {name!r}")
            if name == "batch_size":
                value = max(1, min(int(value), 1000))
            setattr(self._sender, name, value)
        return self

    @property
    def url(self) -> str:
        return self._sender.url

    @property
    def sender(self) -> Sender:
        return self._sender

    # -- events -------------------------------------------------------------------------------

    def _emit(self, event: Dict[str, Any]) -> None:
        event["service"] = self.service
        event["timestamp"] = _now_ms()
        self._sender.enqueue(event)

    def _invalid(self) -> None:
        self._sender.count_invalid()

    def api(self, method: str, route: str, duration_ms: float, status: int,
            request_id: Optional[str] = None) -> None:
        """An HTTP request served: key ``METHOD:route`` (use the route template)."""
        if not self.enabled:
            return
        try:
            event = {"type": "api", "method": str(method).upper(), "route": str(route),
                     "duration_ms": _duration(duration_ms), "status": int(status)}
            rid = request_id if request_id is not None else request_id_var.get()
            if rid is not None:
                event["request_id"] = str(rid)
            self._emit(event)
        except Exception:
            self._invalid()

    def db(self, operation: str, collection: str, duration_ms: float, fields: Optional[Iterable[str]] = None,
           *, error: bool = False, documents: Optional[int] = None, request_id: Optional[str] = None) -> None:
        """A database operation: key ``operation:collection``; ``fields`` feed index advice."""
        if not self.enabled:
            return
        try:
            event: Dict[str, Any] = {"type": "db", "operation": str(operation), "collection": str(collection),
                                     "duration_ms": _duration(duration_ms)}
            if fields:
                event["fields"] = [str(f) for f in fields]
            if error:
                event["error"] = True
            if documents is not None:
                event["documents"] = _count(documents)
            rid = request_id if request_id is not None else request_id_var.get()
            if rid is not None:
                event["request_id"] = str(rid)
            self._emit(event)
        except Exception:
            self._invalid()

    def processing(self, name: str, duration_ms: float, items_processed: int = 1) -> None:
        """A processing step: key ``name``; ``items_processed`` gives throughput (items/s)."""
        if not self.enabled:
            return
        try:
            self._emit({"type": "processing", "name": str(name), "duration_ms": _duration(duration_ms),
                        "items_processed": _count(items_processed)})
        except Exception:
            self._invalid()

    def gauge(self, name: str, value: float) -> None:
        """A resource reading, e.g. ``db.pool.in_use`` or ``process.memory.rss_bytes``."""
        if not self.enabled:
            return
        try:
            v = float(value)
            if not math.isfinite(v):
                raise ValueError("gauge value must be finite")
            self._emit({"type": "gauge", "name": str(name), "value": int(v) if v.is_integer() else v})
        except Exception:
            self._invalid()

    def cache(self, name: str, hits: int, misses: int) -> None:
        """Cache lookups since the previous report of this cache."""
        if not self.enabled:
            return
        try:
            self._emit({"type": "cache", "name": str(name), "hits": _count(hits), "misses": _count(misses)})
        except Exception:
            self._invalid()

    # -- delivery -----------------------------------------------------------------------------

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Blocks until everything recorded so far is delivered (True) or ``timeout`` passes (False)."""
        return self._sender.flush(timeout)

    def close(self, timeout: Optional[float] = None) -> bool:
        """Flushes for up to ``timeout`` seconds and stops the sender; later events are dropped."""
        return self._sender.close(timeout)

    def stats(self) -> Dict[str, Any]:
        """sent, rejected, failed, dropped, invalid, queued, retries, last_error (see Sender.stats)."""
        return self._sender.stats()


_default: Optional[Client] = None
_default_lock = threading.Lock()


def get_client() -> Client:
    """The client the module-level functions use, created from the environment on first use."""
    global _default
    client = _default
    if client is None:
        with _default_lock:
            if _default is None:
                _default = Client()
            client = _default
    return client


def configure(service: Optional[str] = None, url: Optional[str] = None, token: Optional[str] = None,
              **options: Any) -> Client:
    """Sets the default client's service, PerfWatch URL and token (and sender options).

    Without a call, ``PERFWATCH_SERVICE``, ``PERFWATCH_URL`` (default http://127.0.0.1:4318)
    and ``PERFWATCH_TOKEN`` apply. Options: ``timeout`` (HTTP, 5 s), ``flush_interval`` (1 s),
    ``batch_size`` (≤ 1000), ``max_queue`` (10,000), ``backoff_initial`` (0.5 s),
    ``backoff_max`` (30 s), ``exit_timeout`` (2 s), ``enabled``.
    """
    return get_client().configure(service=service, url=url, token=token, **options)

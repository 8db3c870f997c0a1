"""PerfWatch client: send API, database, processing, gauge and cache metrics to PerfWatch.

Standard library only. Events are queued (O(1), never blocking, never raising) and a background
thread POSTs them in batches of up to 1,000 events, or every second, to
``$PERFWATCH_URL/api/performance/ingest`` (default http://127.0.0.1:4318), with
``Authorization: Bearer $PERFWATCH_TOKEN`` when that is set. While PerfWatch is down the thread
retries with capped, jittered exponential back-off; when the queue (10,000 events) is full new
events are dropped and counted. At interpreter exit it flushes for up to two seconds.

    from perfwatch_client import PerformanceTimer, database_operation, PerfWatchMiddleware

    app.add_middleware(PerfWatchMiddleware)          # FastAPI / Starlette: one api event per request
    with database_operation("find", "trips", fields=["user_id"]):
        rows = trips.find({"user_id": uid})
    with PerformanceTimer("map_matching") as t:
        t.items_processed = match(points)
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

from ._client import Client, configure, current_request_id, get_client, request_id_var
from ._context import request_context
from ._timing import (DatabaseOperation, PerformanceTimer, async_performance_timer, database_operation,
                      monitor_performance)
from .asgi import PerfWatchMiddleware, route_template

__version__ = "0.1.0"

__all__ = [
    "Client", "configure", "get_client", "current_request_id", "request_id_var", "request_context",
    "PerformanceTimer", "DatabaseOperation", "async_performance_timer", "database_operation",
    "monitor_performance", "PerfWatchMiddleware", "route_template",
    "log_request_timing", "log_database_operation", "log_processing_step", "record_gauge", "record_cache",
    "flush", "aflush", "stats",
]


def log_request_timing(endpoint: str, method: str, duration_ms: float, status_code: int) -> None:
    """Records an ``api`` event (key ``METHOD:endpoint``; pass the route template)."""
    get_client().api(method, endpoint, duration_ms, status_code)


def log_database_operation(operation: str, collection: str, duration_ms: float,
                           fields: Optional[Iterable[str]] = None, *, error: bool = False,
                           documents: Optional[int] = None) -> None:
    """Records a ``db`` event (key ``operation:collection``), with the current request id if any."""
    get_client().db(operation, collection, duration_ms, fields, error=error, documents=documents)


def log_processing_step(step_name: str, duration_ms: float, items_processed: int = 1) -> None:
    """Records a ``processing`` event (key ``step_name``)."""
    get_client().processing(step_name, duration_ms, items_processed)


def record_gauge(name: str, value: float) -> None:
    """Records a ``gauge`` reading, e.g. ``db.pool.in_use``."""
    get_client().gauge(name, value)


def record_cache(name: str, hits: int, misses: int) -> None:
    """Records ``cache`` lookups since the previous report of this cache."""
    get_client().cache(name, hits, misses)


def flush(timeout: Optional[float] = None) -> bool:
    """Blocks until everything recorded so far is delivered (True) or ``timeout`` seconds pass (False)."""
    return get_client().flush(timeout)


async def aflush(timeout: Optional[float] = None) -> bool:
    """``flush`` for async code: waits in a worker thread, not on the event loop."""
    import asyncio

    return await asyncio.get_running_loop().run_in_executor(None, flush, timeout)


def stats() -> Dict[str, Any]:
    """The default client's counters: sent, rejected, failed, dropped, invalid, queued, retries."""
    return get_client().stats()

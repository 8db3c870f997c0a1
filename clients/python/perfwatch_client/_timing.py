"""Timers, decorators and context managers that record PerfWatch events."""

from __future__ import annotations

import functools
import inspect
import re
import time
from types import TracebackType
from typing import Any, Callable, Iterable, List, Optional, Type, TypeVar

from ._client import Client, get_client

__all__ = ["PerformanceTimer", "DatabaseOperation", "async_performance_timer", "monitor_performance",
           "database_operation"]

F = TypeVar("F", bound=Callable[..., Any])

# "GET /api/trips" or "GET:/api/trips": a method token, then the route.
_METHOD_ROUTE = re.compile(r"^([A-Za-z]+)[ :]\s*(\S.*)$")


class _Timer:
    """Measures a block (``with`` / ``async with``) or every call of a decorated function.

    ``duration_ms`` holds the measured time once the block has exited.
    """

    def __init__(self, client: Optional[Client]) -> None:
        self._client = client
        self._start: Optional[float] = None
        self.duration_ms: Optional[float] = None

    # The event is recorded here; ``exc`` is the exception leaving the block, if any.
    def _record(self, client: Client, duration_ms: float, exc: Optional[BaseException]) -> None:
        raise NotImplementedError

    def _copy(self) -> "_Timer":
        raise NotImplementedError

    def __enter__(self) -> Any:
        self.duration_ms = None
        self._start = time.perf_counter()
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        if self._start is None:
            return None
        self.duration_ms = (time.perf_counter() - self._start) * 1000.0
        self._start = None
        try:
            self._record(self._client or get_client(), self.duration_ms, exc)
        except Exception:
            pass  # recording never raises into the application
        return None  # never swallows the block's exception

    async def __aenter__(self) -> Any:
        return self.__enter__()

    async def __aexit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                        tb: Optional[TracebackType]) -> None:
        return self.__exit__(exc_type, exc, tb)

    def __call__(self, func: F) -> F:
        """As a decorator: times every call (a fresh timer per call, so it is re-entrant)."""
        return _wrap(func, self._copy)


def _wrap(func: F, make_timer: Callable[[], _Timer]) -> F:
    if inspect.iscoroutinefunction(func):
        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            with make_timer():
                return await func(*args, **kwargs)

        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with make_timer():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


class PerformanceTimer(_Timer):
    """Times a block and records it under ``category``.

    ==========================  ==================================================================
    category                    event
    ==========================  ==================================================================
    ``"processing"`` (default)  ``processing``: step ``name``, ``items_processed`` (set it in the
                                block: ``t.items_processed = len(rows)``; default 1)
    ``"api"``                   ``api``: ``name`` is ``"METHOD /route"`` (or ``"METHOD:/route"``;
                                without a method it is ``CALL``), status ``status_code`` when set,
                                else 500 if the block raised, else 200
    ``"db"``, ``"database"``    ``db``: ``name`` is ``"operation:collection"`` (or
                                ``"operation collection"``; without one the collection is
                                ``unknown``), ``fields``, ``documents``, ``error`` when it raised
    anything else               ``processing`` named ``name``
    ==========================  ==================================================================

    Works with ``with``, ``async with`` and as a decorator.
    """

    def __init__(self, name: str, category: str = "processing", *, items_processed: int = 1,
                 fields: Optional[Iterable[str]] = None, status_code: Optional[int] = None,
                 documents: Optional[int] = None, client: Optional[Client] = None) -> None:
        super().__init__(client)
        self.name = name
        self.category = category
        self.items_processed = items_processed
        self.fields: Optional[List[str]] = list(fields) if fields is not None else None
        self.status_code = status_code
        self.documents = documents

    def _copy(self) -> "PerformanceTimer":
        return PerformanceTimer(self.name, self.category, items_processed=self.items_processed,
                                fields=self.fields, status_code=self.status_code, documents=self.documents,
                                client=self._client)

    def _record(self, client: Client, duration_ms: float, exc: Optional[BaseException]) -> None:
        category = (self.category or "processing").lower()
        if category == "api":
            method, route = _split_api_name(str(self.name))
            status = self.status_code if self.status_code is not None else (500 if exc is not None else 200)
            client.api(method, route, duration_ms, status)
        elif category in ("db", "database"):
            operation, collection = _split_db_name(str(self.name))
            client.db(operation, collection, duration_ms, self.fields, error=exc is not None,
                      documents=self.documents)
        else:
            client.processing(self.name, duration_ms, self.items_processed)


class DatabaseOperation(_Timer):
    """Times one database call as ``operation:collection``; error=True when the block raises.

    The exception is re-raised. Set ``documents`` in the block to report how many documents
    the operation returned or touched.
    """

    def __init__(self, operation: str, collection: str, fields: Optional[Iterable[str]] = None, *,
                 documents: Optional[int] = None, client: Optional[Client] = None) -> None:
        super().__init__(client)
        self.operation = operation
        self.collection = collection
        self.fields: Optional[List[str]] = list(fields) if fields is not None else None
        self.documents = documents
        self.error = False

    def _copy(self) -> "DatabaseOperation":
        return DatabaseOperation(self.operation, self.collection, self.fields, documents=self.documents,
                                 client=self._client)

    def _record(self, client: Client, duration_ms: float, exc: Optional[BaseException]) -> None:
        self.error = self.error or exc is not None
        client.db(self.operation, self.collection, duration_ms, self.fields, error=self.error,
                  documents=self.documents)


def _split_api_name(name: str) -> "tuple[str, str]":
    match = _METHOD_ROUTE.match(name.strip())
    if match:
        return match.group(1).upper(), match.group(2).strip()
    return "CALL", name


def _split_db_name(name: str) -> "tuple[str, str]":
    for separator in (":", " "):
        operation, found, collection = name.partition(separator)
        if found and operation.strip() and collection.strip():
            return operation.strip(), collection.strip()
    return name, "unknown"


def async_performance_timer(name: str, category: str = "processing", **options: Any) -> PerformanceTimer:
    """``async with async_performance_timer("geocode") as t: ...`` (same mapping as PerformanceTimer)."""
    return PerformanceTimer(name, category, **options)


def database_operation(operation: str, collection: str, fields: Optional[Iterable[str]] = None, *,
                       client: Optional[Client] = None) -> DatabaseOperation:
    """``with database_operation("find", "trips", fields=["user_id"]) as op: rows = ...``"""
    return DatabaseOperation(operation, collection, fields, client=client)


def monitor_performance(category: Any = "processing", name: Optional[str] = None, *,
                        client: Optional[Client] = None, **options: Any) -> Any:
    """Decorator timing every call of a sync or async function, mapped like PerformanceTimer.

    The event name defaults to the function's qualified name; for ``"api"`` pass
    ``name="GET /api/trips"`` (FastAPI endpoints are better served by PerfWatchMiddleware,
    which knows the real route and status). Also usable bare: ``@monitor_performance``.
    """
    if callable(category):  # @monitor_performance without arguments
        return monitor_performance("processing")(category)

    def decorate(func: F) -> F:
        label = name or getattr(func, "__qualname__", None) or getattr(func, "__name__", "function")
        return _wrap(func, lambda: PerformanceTimer(label, category, client=client, **options))

    return decorate

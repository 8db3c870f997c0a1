"""ASGI middleware for FastAPI and Starlette (no import of either is needed)."""

from __future__ import annotations

import time
import uuid
from typing import Any, Awaitable, Callable, Dict, Iterable, MutableMapping, Optional

from ._client import Client, get_client, request_id_var

__all__ = ["PerfWatchMiddleware", "route_template"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The route recorded for requests no route matched (404s of scanners would otherwise mint a key
#: per probed path).
UNMATCHED_ROUTE = "/{unmatched}"


def route_template(scope: Scope, root_path_before: str = "") -> Optional[str]:
    """The template of the route that served ``scope`` (``/api/trips/{trip_id}``), if routing matched.

    FastAPI stores the matched route in ``scope["route"]``. Plain Starlette does not, so its
    application's routes are asked which one matches the (already routed) scope. Mounted
    sub-applications contribute the prefix they consumed.
    """
    route = scope.get("route")
    if route is None:
        route = _starlette_route(scope)
        if route is None:
            return None
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if not isinstance(template, str):
        return None
    # A Mount moves the matched prefix into root_path (Starlette < 0.33 strips it from path).
    root_path = scope.get("root_path", "") or ""
    if root_path.startswith(root_path_before) and len(root_path) > len(root_path_before):
        template = root_path[len(root_path_before):].rstrip("/") + template
    return template or "/"


def _starlette_route(scope: Scope) -> Any:
    endpoint = scope.get("endpoint")
    app = scope.get("app")
    routes = getattr(getattr(app, "router", None), "routes", None) or getattr(app, "routes", None)
    if endpoint is None or not routes:
        return None
    for route in routes:
        if getattr(route, "endpoint", None) is endpoint:
            return route
    return None


class PerfWatchMiddleware:
    """Records every HTTP request as an ``api`` event: method, route template, status, duration.

    ``app.add_middleware(PerfWatchMiddleware)`` (FastAPI/Starlette) or ``PerfWatchMiddleware(app)``
    for any ASGI application. The route is the template (``/api/trips/{trip_id}``), never the
    raw path; requests no route matched are recorded as ``/{unmatched}``. A request whose
    application raised is recorded with status 500. While a request is served its id
    (the ``X-Request-ID`` header, or a new one) is the current ``request_id`` of database
    events, so PerfWatch can attribute query time to endpoints.

    ``exclude_paths``: raw paths (exact, or prefixes ending in ``/``) not to record, such as
    health checks.
    """

    def __init__(self, app: ASGIApp, client: Optional[Client] = None, *,
                 exclude_paths: Iterable[str] = (), request_id_header: str = "x-request-id") -> None:
        self.app = app
        self.client = client
        self.exclude_exact = frozenset(p for p in exclude_paths if not p.endswith("/"))
        self.exclude_prefixes = tuple(p for p in exclude_paths if p.endswith("/"))
        self.request_id_header = request_id_header.lower().encode("latin-1")

    def _excluded(self, path: str) -> bool:
        return path in self.exclude_exact or (bool(self.exclude_prefixes) and path.startswith(self.exclude_prefixes))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http" or self._excluded(scope.get("path", "")):
            await self.app(scope, receive, send)
            return

        start = time.perf_counter()
        root_path_before = scope.get("root_path", "") or ""
        status: Dict[str, int] = {}
        finished: Dict[str, float] = {}

        async def send_wrapper(message: Message) -> None:
            kind = message.get("type")
            if kind == "http.response.start":
                status["code"] = int(message.get("status", 0))
            await send(message)
            if kind == "http.response.body" and not message.get("more_body", False):
                # The client has its answer; background tasks that run after it do not count.
                finished["at"] = time.perf_counter()

        request_id = self._request_id(scope)
        token = request_id_var.set(request_id)
        failure: Optional[BaseException] = None
        try:
            await self.app(scope, receive, send_wrapper)
        except BaseException as exc:
            failure = exc
            raise
        finally:
            request_id_var.reset(token)
            duration_ms = (finished.get("at") or time.perf_counter()) - start
            duration_ms *= 1000.0
            try:
                code = self._status(status.get("code"), failure)
                route = route_template(scope, root_path_before) or UNMATCHED_ROUTE
                (self.client or get_client()).api(scope.get("method", "GET"), route, duration_ms, code,
                                                  request_id=request_id)
            except Exception:
                pass

    @staticmethod
    def _status(sent: Optional[int], failure: Optional[BaseException]) -> int:
        if failure is None:
            return sent or 500  # an application that returned without answering failed
        if isinstance(failure, Exception):
            return 500
        # Cancelled (the client went away) or exiting: not a server error.
        return sent or 499

    def _request_id(self, scope: Scope) -> str:
        for name, value in scope.get("headers") or ():
            if name == self.request_id_header and value:
                return value[:128].decode("latin-1")
        return uuid.uuid4().hex

"""Request correlation outside ASGI (workers, other frameworks)."""

from __future__ import annotations

import contextlib
import uuid
from typing import Iterator, Optional

from ._client import request_id_var

__all__ = ["request_context"]


@contextlib.contextmanager
def request_context(request_id: Optional[str] = None) -> Iterator[str]:
    """Makes ``request_id`` (or a new one) the current request id for the block.

    Database events recorded inside carry it, as they do inside PerfWatchMiddleware.
    """
    rid = request_id or uuid.uuid4().hex
    token = request_id_var.set(rid)
    try:
        yield rid
    finally:
        request_id_var.reset(token)

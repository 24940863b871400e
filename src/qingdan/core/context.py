"""Per-request (or per-job) context: who is acting and under which request id.

Services take ``acting_user`` explicitly; the request id is ambient because it is metadata of the
change log, not an input of any rule.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("qingdan_request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


@contextmanager
def request_context(request_id: str | None = None) -> Iterator[str]:
    """Run a block (a request, a job, a CLI command) under one request id."""
    rid = request_id or uuid.uuid4().hex
    token = _request_id.set(rid)
    try:
        yield rid
    finally:
        _request_id.reset(token)

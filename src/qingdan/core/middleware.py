from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from qingdan.core.context import request_context

_VALID_RID = re.compile(r"^[0-9a-fA-F-]{16,64}$")


class RequestContextMiddleware:
    """Give every request an id (honouring a well-formed X-Request-ID from a proxy)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _VALID_RID.match(incoming) else None
        with request_context(rid) as request_id:
            request.request_id = request_id  # type: ignore[attr-defined]
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response

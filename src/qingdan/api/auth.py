"""Token login for API clients, throttled by the same lockout as the back-office login."""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response


class ThrottledTokenView(ObtainAuthToken):
    """POST username and password, get a token; locked out like the login page after failures."""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        credentials = {"username": str(request.data.get("username", ""))[:150]}
        if AxesProxyHandler.is_locked(request._request, credentials):
            return Response(
                {"detail": "登录失败次数过多，该账号在本地址已临时锁定，请稍后再试。"},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        return super().post(request, *args, **kwargs)

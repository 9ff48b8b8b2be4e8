"""In-process faults for the state machine: central as an ASGI app behind a faulty transport.

The same faults as the TCP proxy, without sockets, so hundreds of examples run in seconds.
``crash`` forwards (central commits) and then raises ``Crash``, which nothing in the app
catches: the test then drops the app's objects and reopens the store, as after a SIGKILL.
"""

from __future__ import annotations

import collections

import httpx

FAULTS = ("drop", "error500", "timeout", "refused", "duplicate")


class Crash(BaseException):  # BaseException: nothing in the app may catch a death
    """The app died here (after central committed, before the answer was recorded)."""


class FaultTransport(httpx.AsyncBaseTransport):
    def __init__(self, app, *, fault_prefix: str = "/referrals/batch") -> None:
        self.app = app
        self.fault_prefix = fault_prefix
        self.plan: collections.deque[str] = collections.deque()
        self.down = False  # every request refused (the network is gone)
        self.delivered = 0

    def _inner(self) -> httpx.ASGITransport:
        return httpx.ASGITransport(app=self.app)

    async def _deliver(self, request: httpx.Request) -> httpx.Response:
        copy = httpx.Request(
            request.method, request.url, headers=request.headers, content=request.content
        )
        if request.url.path.startswith(self.fault_prefix):
            self.delivered += 1
        response = await self._inner().handle_async_request(copy)
        body = await response.aread()
        return httpx.Response(response.status_code, headers=response.headers, content=body)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        fault = "pass"
        if request.url.path.startswith(self.fault_prefix) and self.plan:
            fault = self.plan.popleft()
        if fault == "refused":
            raise httpx.ConnectError("connection refused", request=request)
        if fault == "error500":
            return httpx.Response(500, json={"detail": "fault"})
        response = await self._deliver(request)
        if fault == "duplicate":
            response = await self._deliver(request)
        if fault == "drop":
            raise httpx.RemoteProtocolError("server disconnected", request=request)
        if fault == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if fault == "crash":
            raise Crash()
        return response

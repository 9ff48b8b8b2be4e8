"""A fault-injecting HTTP proxy on loopback, between the app and a real central process.

Real sockets, real timeouts: it forwards each request on a fresh upstream connection and can,
per request,

* ``drop``      forward, let central commit, then close the client's connection unanswered
* ``error500``  answer 500 itself without forwarding
* ``delay``     wait ``delay_s`` before forwarding (the client times out; central still gets it)
* ``refuse``    reset this connection and stop listening for ``refuse_s`` (connections refused)
* ``duplicate`` deliver the request to central twice, answer with the second response
* ``hold``      forward, then keep the answer until ``release()``; the connection is then dropped
* ``portal413`` (or ``portal400``/``portal415``/``portal422``) answer that status itself with an
  HTML page, as a captive portal or a size-limiting proxy does, without forwarding

Faults apply to requests whose path starts with ``fault_prefix`` (the batch endpoint by
default), either from a queue (``plan``) or at random (``random_rate`` with a seeded rng).
Runs its own event loop in a thread, so it works under sync and async tests and the bench.
"""

from __future__ import annotations

import asyncio
import collections
import random
import socket
import struct
import threading
from collections.abc import Iterable

FAULTS = ("drop", "error500", "delay", "refuse", "duplicate")

_500 = (
    b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\n"
    b"content-length: 24\r\nconnection: close\r\n\r\n"
    b'{"detail":"proxy fault"}'
)


def _portal(status: int) -> bytes:
    page = b"<html><body>Please sign in to the network</body></html>"
    return (
        f"HTTP/1.1 {status} Refused\r\ncontent-type: text/html\r\n"
        f"content-length: {len(page)}\r\nconnection: close\r\n\r\n"
    ).encode("latin-1") + page


class FaultProxy:
    def __init__(
        self,
        upstream_port: int,
        *,
        fault_prefix: str = "/referrals/batch",
        delay_s: float = 1.0,
        refuse_s: float = 0.3,
        random_rate: float = 0.0,
        random_faults: Iterable[str] = FAULTS,
        seed: int = 0,
    ) -> None:
        self.upstream_port = upstream_port
        self.fault_prefix = fault_prefix
        self.delay_s = delay_s
        self.refuse_s = refuse_s
        self.random_rate = random_rate
        self.random_faults = tuple(random_faults)
        self._rng = random.Random(seed)
        self._plan: collections.deque[str] = collections.deque()
        self._lock = threading.Lock()
        self.port = 0
        self.requests = 0  # requests on the fault path seen
        self.delivered = 0  # deliveries to central on the fault path (duplicates count twice)
        self.applied: collections.Counter[str] = collections.Counter()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.AbstractServer | None = None
        self._held: asyncio.Event | None = None
        self.holding = threading.Event()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    # --- control (any thread) -------------------------------------------------------------

    def start(self) -> FaultProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(5)
        return self

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
            if self._held is not None:
                self._held.set()
            current = asyncio.current_task()
            others = [t for t in asyncio.all_tasks() if t is not current]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def plan(self, *faults: str) -> None:
        """Faults for the next requests on the fault path, in order ("pass" for none)."""
        with self._lock:
            self._plan.extend(faults)

    def clear(self) -> None:
        with self._lock:
            self._plan.clear()
            self.random_rate = 0.0

    def release(self) -> None:
        """Let a held answer go (it is dropped: the client never sees it)."""

        def go() -> None:
            if self._held is not None:
                self._held.set()

        self._loop.call_soon_threadsafe(go)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- the proxy (its own loop) ---------------------------------------------------------

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(
            self._handle, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    def _next_fault(self, path: str) -> str:
        if not path.startswith(self.fault_prefix):
            return "pass"
        with self._lock:
            self.requests += 1
            if self._plan:
                fault = self._plan.popleft()
            elif self.random_rate and self._rng.random() < self.random_rate:
                fault = self._rng.choice(self.random_faults)
            else:
                fault = "pass"
            if fault != "pass":
                self.applied[fault] += 1
            return fault

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                return
            lines = head.decode("latin-1").split("\r\n")
            _method, path, _version = lines[0].split(" ", 2)
            headers = [line for line in lines[1:] if line]
            length = 0
            kept = []
            for line in headers:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
                if name.strip().lower() != "connection":
                    kept.append(line)
            body = await reader.readexactly(length) if length else b""
            # One request per connection both ways keeps message boundaries trivial.
            request = (
                "\r\n".join([lines[0], *kept, "Connection: close"]).encode("latin-1")
                + b"\r\n\r\n"
                + body
            )
            fault = self._next_fault(path)
            if fault == "error500":
                writer.write(_500)
                await writer.drain()
                return
            if fault.startswith("portal"):
                writer.write(_portal(int(fault.removeprefix("portal"))))
                await writer.drain()
                return
            if fault == "refuse":
                await self._refuse(writer)
                return
            if fault == "delay":
                await asyncio.sleep(self.delay_s)
            response = await self._forward(request, path)
            if fault == "duplicate":
                response = await self._forward(request, path)
            if fault == "drop":
                return
            if fault == "hold":
                self._held = asyncio.Event()
                self.holding.set()
                await self._held.wait()
                self.holding.clear()
                return
            writer.write(response)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass
        finally:
            writer.close()

    async def _forward(self, request: bytes, path: str) -> bytes:
        if path.startswith(self.fault_prefix):
            with self._lock:
                self.delivered += 1
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        try:
            up_writer.write(request)
            await up_writer.drain()
            return await up_reader.read()  # to EOF: the request said Connection: close
        finally:
            up_writer.close()

    async def _refuse(self, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:  # RST instead of FIN: the client sees a reset connection
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        if self._server is not None:
            self._server.close()
            self._server = None
            self._loop.call_later(self.refuse_s, lambda: asyncio.ensure_future(self._listen()))

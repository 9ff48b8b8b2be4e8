"""``duty-central serve`` as a real process on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.sync.helpers import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CentralProcess:
    """``db_url`` None: central's default database (in the user data dir of ``env``).
    ``log_path``: central's stderr goes to that file (for tests that read what it logs; a
    pipe nobody reads could fill and stall the service)."""

    def __init__(
        self,
        db_url: str | None,
        port: int | None = None,
        *,
        log_path: Path | None = None,
        env: dict[str, str] | None = None,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.db_url = db_url
        self.port = port or free_port()
        self.log_path = log_path
        self.env = env or {}
        self.extra_args = extra_args
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> CentralProcess:
        command = [
            sys.executable, "-m", "central", "serve",
            *(["--db", self.db_url] if self.db_url else []),
            "--port", str(self.port), "--log-level", "warning", "--no-access-log",
            *self.extra_args,
        ]  # fmt: skip
        # Appended to, so what a process logged survives its restart.
        stderr = self.log_path.open("ab") if self.log_path else subprocess.PIPE
        try:
            self.process = subprocess.Popen(
                command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr,
                env={**os.environ, **self.env, "PYTHONUNBUFFERED": "1"},
                # Its own process group, so kill() takes uvicorn's workers (--workers) too.
                start_new_session=True,
            )  # fmt: skip
        finally:
            if self.log_path:
                stderr.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("duty-central exited: " + self.stderr_text()[-2000:])
            try:
                if httpx.get(f"{self.url}/health", timeout=0.5).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError("duty-central did not become healthy")

    def stderr_text(self) -> str:
        """What central wrote to stderr: the log file, or the pipe once the process is gone."""
        if self.log_path:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        if self.process is not None and self.process.stderr is not None:
            return self.process.stderr.read().decode(errors="replace")
        return ""

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flushing, like a power cut of the service."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()
        self.process = None

    def restart(self) -> None:
        self.kill()
        self.start()

    def __enter__(self) -> CentralProcess:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.kill()

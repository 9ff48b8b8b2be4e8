"""The real ``duty-tui`` in a pseudo-terminal, read back through a terminal emulator.

What tmux does for a person at the keyboard, for tests and the benchmark: the app runs as its
own process on a pty that is its controlling terminal (so closing it sends SIGHUP, as closing a
terminal window does); what it draws is fed to ``pyte``, so a test waits for text on the screen
(``wait_for``) instead of sleeping, and sends keys as the bytes a terminal would.

Several may run at once, one per thread: each closes its own terminal at once and for good
(the reader is woken and joined first, so no thread ever reads a descriptor number that a
terminal opened since has been given).
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pyte

# What a terminal sends for each key (xterm, as tmux and most terminals do).
KEYS: dict[str, str] = {
    "enter": "\r",
    "tab": "\t",
    "shift+tab": "\x1b[Z",
    "backspace": "\x7f",
    "escape": "\x1b",
    "end": "\x1b[F",
    "home": "\x1b[H",
    "up": "\x1b[A",
    "down": "\x1b[B",
    "right": "\x1b[C",
    "left": "\x1b[D",
    "ctrl+down": "\x1b[1;5B",
    "ctrl+up": "\x1b[1;5A",
    "ctrl+q": "\x11",
    "ctrl+s": "\x13",
    "ctrl+l": "\x0c",
    "ctrl+u": "\x15",
    "ctrl+n": "\x0e",
    "f1": "\x1bOP",
}


def key_bytes(keys: Iterable[str]) -> bytes:
    """Key names (as ``KEYS``) and single characters to the bytes a terminal would send."""
    return "".join(KEYS.get(key, key) for key in keys).encode("utf-8")


class ScreenTimeout(AssertionError):
    """What was waited for did not appear; the message holds the screen as it was."""


class PtyApp:
    def __init__(
        self,
        argv: list[str],
        *,
        env: Mapping[str, str] | None = None,
        size: tuple[int, int] = (120, 40),
        cwd: Path | None = None,
        program: list[str] | None = None,
    ) -> None:
        """``argv`` as for ``duty-tui``; ``program`` replaces ``-m duty_tui.cli`` (a launcher
        script that changes something from outside first)."""
        self.columns, self.lines = size
        self._screen = pyte.Screen(self.columns, self.lines)
        self._stream = pyte.ByteStream(self._screen)
        self._changed = threading.Condition()
        self._bytes_seen = 0
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.lines, self.columns, 0, 0))
        full_env = dict(os.environ if env is None else env)
        full_env.setdefault("TERM", "xterm-256color")
        # A language given: the app does not stop to ask English / Cymraeg after unlock.
        full_env.setdefault("DUTY_TUI_LANG", "en")
        self._raw = bytearray()
        self.process = subprocess.Popen(
            [sys.executable, *(program or ["-m", "duty_tui.cli"]), *argv],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=full_env,
            cwd=cwd,
            start_new_session=True,
            # The pty becomes the controlling terminal, as in a terminal window: closing it
            # hangs up the app (SIGHUP), and /dev/tty works.
            preexec_fn=_take_controlling_tty,
        )
        os.close(slave)
        self.master: int | None = master
        # Written to stop the reader: closing the terminal must not wait for the app to draw.
        self._wake_r, self._wake_w = os.pipe()
        self._reader = threading.Thread(target=self._read, daemon=True, name="pty-reader")
        self._reader.start()

    # --- what the app draws ------------------------------------------------------------------

    def _read(self) -> None:
        fd = self.master
        assert fd is not None
        try:
            while True:
                ready, _, _ = select.select([fd, self._wake_r], [], [])
                if self._wake_r in ready:
                    return
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                with self._changed:
                    self._stream.feed(chunk)
                    self._raw.extend(chunk)
                    self._bytes_seen += len(chunk)
                    self._changed.notify_all()
        finally:
            with self._changed:
                self._changed.notify_all()  # a waiter learns the screen will not change again

    def raw(self) -> bytes:
        """Every byte the app wrote to the terminal (escape sequences and all)."""
        with self._changed:
            return bytes(self._raw)

    def text(self) -> str:
        with self._changed:
            return "\n".join(line.rstrip() for line in self._screen.display)

    def wait_for(self, wanted: str | Callable[[str], bool], *, timeout: float = 30.0) -> str:
        """Wait until ``wanted`` (text, or a test of the screen text) is on the screen."""
        test = wanted if callable(wanted) else (lambda screen: wanted in screen)
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                screen = "\n".join(line.rstrip() for line in self._screen.display)
                if test(screen):
                    return screen
                left = deadline - time.monotonic()
                if left <= 0 or (self.process.poll() is not None and not self._reader.is_alive()):
                    raise ScreenTimeout(f"waited {timeout} s for {wanted!r}; screen:\n{screen}")
                self._changed.wait(min(left, 0.5))

    def wait_quiet(self, quiet_s: float = 0.3, *, timeout: float = 30.0) -> None:
        """Wait until the app has drawn nothing for ``quiet_s`` (it has caught up)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            seen = self._bytes_seen
            while time.monotonic() < deadline:
                self._changed.wait(quiet_s)
                if self._bytes_seen == seen:
                    return
                seen = self._bytes_seen
        raise ScreenTimeout(f"the app kept drawing for {timeout} s")

    # --- the keyboard ------------------------------------------------------------------------

    def write(self, data: bytes | str) -> None:
        assert self.master is not None, "the terminal is closed"
        payload = data.encode("utf-8") if isinstance(data, str) else data
        view = memoryview(payload)
        while view:
            view = view[os.write(self.master, view) :]

    def press(self, *keys: str, gap_s: float = 0.0) -> None:
        """Keys as one write (gap_s 0: a burst in one read) or one write per key, gap_s apart."""
        if not gap_s:
            self.write(key_bytes(keys))
            return
        for key in keys:
            self.write(key_bytes([key]))
            time.sleep(gap_s)  # typing speed, not waiting for the app

    # --- ending ------------------------------------------------------------------------------

    def close_terminal(self) -> None:
        """Close the terminal window, now: the app is hung up (SIGHUP; EIO on its tty)."""
        fd, self.master = self.master, None
        if fd is None:
            return
        os.write(self._wake_w, b"x")
        self._reader.join()
        os.close(fd)  # the last reference: the kernel hangs the pty up here
        os.close(self._wake_r)
        os.close(self._wake_w)

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def wait(self, timeout: float = 30.0) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        """Leave nothing behind: the app, its process group, the terminal."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)
        self.close_terminal()

    def __enter__(self) -> PtyApp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _take_controlling_tty() -> None:
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class CpuHog:
    """Other work on the laptop: ``yes`` into /dev/null on every core, killed by PID."""

    def __init__(self, processes: int = 2, *, limit_s: float = 600) -> None:
        self._limit_s = limit_s
        self._processes: list[subprocess.Popen[bytes]] = []
        for _ in range(processes):
            self._processes.append(
                subprocess.Popen(
                    ["timeout", str(int(limit_s)), "yes"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    # A group of its own: killing `timeout` alone would orphan `yes`, which
                    # then spins for ever (seen: hogs left behind by earlier runs).
                    start_new_session=True,
                )
            )

    def stop(self) -> None:
        for process in self._processes:
            try:
                os.killpg(process.pid, signal.SIGKILL)  # `timeout` and its `yes`
            except ProcessLookupError:
                pass
            process.wait(timeout=10)
        self._processes.clear()

    def __enter__(self) -> CpuHog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

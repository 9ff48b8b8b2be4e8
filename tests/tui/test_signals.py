"""A closed terminal (SIGHUP) or a system shutting down (SIGTERM) loses nothing typed: the app
runs in a real pseudo-terminal, a field is typed into, and the signal arrives before the
debounce has committed it."""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import threading
import time

import pytest

from .conftest import PASSPHRASE, read_cases


def _drain(fd: int, stop: threading.Event, seen: bytearray) -> None:
    # The app blocks if nobody reads what it draws; what it drew tells the test it has the keys.
    while not stop.is_set():
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return
        if not chunk:
            return
        seen.extend(chunk)
        del seen[: max(0, len(seen) - 1_000_000)]


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM])
def test_signal_flushes_what_was_typed(stored, tmp_path, signum):
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = os.environ | {"TERM": "xterm-256color", "DUTY_TUI_CONFIG_DIR": str(tmp_path / "cfg")}
    process = subprocess.Popen(
        [sys.executable, "-m", "duty_tui.cli", "run", "--data-dir", str(stored)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    stop = threading.Event()
    seen = bytearray()
    reader = threading.Thread(target=_drain, args=(master, stop, seen), daemon=True)
    reader.start()

    def type_(text: str, pause: float = 0.3) -> None:
        os.write(master, text.encode())
        time.sleep(pause)

    try:
        time.sleep(2.5)  # start-up
        type_(PASSPHRASE + "\r", 2.0)
        type_("/", 0.5)
        type_("p00001", 0.8)
        type_("\r", 1.5)  # the one match opens
        type_("\t\t", 0.5)  # to the court field, its text selected
        mark = len(seen)
        type_("Typed Before The Signal", 0)
        # Signal as soon as the last key is on screen (the app has it), which on any machine
        # but a very slow one is inside the debounce, before the edit is committed. Keys still
        # in the terminal's buffer, never read by the app, were never typed into it.
        deadline = time.monotonic() + 10
        while b"Signal" not in bytes(seen[mark:]) and time.monotonic() < deadline:
            time.sleep(0.005)
        process.send_signal(signum)
        code = process.wait(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
        stop.set()
        os.close(master)
    assert code == 128 + signum or code == -signum, code
    assert read_cases(stored)["case0000"].court == "Typed Before The Signal"

"""A closed terminal ends the app: Textual's Linux driver, made safe for a terminal that goes.

Closing the terminal (a closed window, ``tmux kill-session``, a dropped ssh session) left
``duty-tui`` hung for hours, holding the store's lock, through two behaviours of Textual 8.2:

* the driver writes through a ``WriterThread`` with a bounded queue (30). Once the terminal is
  gone its write raises EIO and the thread dies; nothing drains the queue any more, so after 30
  more writes every ``write`` (a repaint: the event loop itself) and ``LinuxDriver.close`` (at
  exit) block in ``Queue.put`` for good (tests/tui/test_hangup.py reproduces it);
* the kernel sends SIGCONT with the SIGHUP of a hang-up, and the driver answers every SIGCONT by
  starting application mode again, suspended or not: a second writer thread that dies at once
  and fills up the same way, and a second input thread.

:class:`HangupSafeDriver` writes through a :class:`SafeWriterThread`, which never blocks once
its file is gone, resumes application mode only after a suspend of its own, and tells the app
when the terminal has gone (a hang-up seen on the tty (Linux), or a write that failed) even if
no SIGHUP reaches it (``nohup``, ``setsid``). The app then saves and exits
(DutyApp.terminal_closed). :func:`arm_hard_exit`, armed once everything typed is on disk, ends
the process should anything still hang.
"""

from __future__ import annotations

import asyncio
import os
import queue
import select
import sys
import threading
import time
from typing import IO, Any

from textual.drivers._writer_thread import WriterThread
from textual.drivers.linux_driver import LinuxDriver

# How long a stop waits for what is queued to reach a terminal that is still there but not
# reading (a stalled ssh session); the writer is a daemon thread and is left behind after.
STOP_WAIT_S = 2.0
# A write waiting for room in the queue looks this often whether the terminal has gone.
PUT_WAIT_S = 0.1
# The tty is watched for a hang-up this often.
WATCH_EVERY_MS = 250
# The last resort: after the session is closed (everything on disk), the process ends this
# long after whatever still runs (Textual's shutdown) if it has not ended by itself.
HARD_EXIT_S = 3.0


class SafeWriterThread(WriterThread):
    """Textual's writer thread, that never blocks a caller once its file has gone.

    A write that fails (EIO: the terminal has gone) marks the file gone and calls ``on_gone``
    once; from then on what is queued is dropped and writes return at once. A writer that has
    died of anything else counts as gone too: nothing would ever drain its queue."""

    def __init__(self, file: IO[str], on_gone: Any = None) -> None:
        super().__init__(file)
        self._gone = threading.Event()
        self._on_gone = on_gone
        # Stopped on purpose (exit, Ctrl+Z): later writes go nowhere, and nobody is told.
        self._stopping = False

    @property
    def gone(self) -> bool:
        return self._gone.is_set()

    def mark_gone(self) -> None:
        if self._gone.is_set():
            return
        self._gone.set()
        if self._on_gone is not None:
            self._on_gone()

    def write(self, text: str) -> None:
        while not (self._gone.is_set() or self._stopping):
            try:
                self._queue.put(text, timeout=PUT_WAIT_S)
                return
            except queue.Full:
                if not self.is_alive() and not self._stopping:
                    self.mark_gone()

    def run(self) -> None:
        get = self._queue.get
        while True:
            text = get()
            if text is None:
                break
            if self._gone.is_set():
                continue  # drained, so that no writer ever waits for room
            try:
                self._file.write(text)
                if self._queue.qsize() == 0:
                    self._file.flush()
            except (OSError, ValueError):  # EIO: the terminal has gone; ValueError: closed
                self.mark_gone()
        if not self._gone.is_set():
            try:
                self._file.flush()
            except (OSError, ValueError):
                self.mark_gone()

    def stop(self) -> None:
        """Stop the thread once what is queued is written (dropped, if the file has gone);
        wait at most STOP_WAIT_S."""
        self._stopping = True
        deadline = time.monotonic() + STOP_WAIT_S
        while self.is_alive():
            try:
                self._queue.put(None, timeout=PUT_WAIT_S)
                break
            except queue.Full:
                if time.monotonic() > deadline:
                    return
        self.join(max(0.0, deadline - time.monotonic()))


class HangupSafeDriver(LinuxDriver):
    """Textual's Linux driver, for an app that must end when its terminal goes.

    The app is told through ``terminal_closed()`` if it has one (else it is asked to exit),
    on its event loop, once."""

    def __init__(self, app: Any, **kwargs: Any) -> None:
        self._safe_writer: SafeWriterThread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._gone_lock = threading.Lock()
        self._gone_reported = False
        self._stopped_by_us = False
        self._watch_stop = threading.Event()
        super().__init__(app, **kwargs)

    # LinuxDriver.start_application_mode makes a WriterThread, stores it here and starts it:
    # ours takes its place (same file) before it is started.
    @property  # type: ignore[override]
    def _writer_thread(self) -> SafeWriterThread | None:
        return self._safe_writer

    @_writer_thread.setter
    def _writer_thread(self, thread: WriterThread | None) -> None:
        self._safe_writer = (
            None if thread is None else SafeWriterThread(self._file, self._terminal_gone)
        )

    def start_application_mode(self) -> None:
        self._loop = asyncio.get_running_loop()
        super().start_application_mode()
        # Linux only: macOS's poll() does not work on terminals (it reports POLLNVAL).
        if sys.platform.startswith("linux") and os.isatty(self.fileno):
            self._watch_stop.clear()
            threading.Thread(
                target=self._watch_tty,
                args=(self.fileno, self._watch_stop),
                daemon=True,
                name="duty-tui-hangup-watch",
            ).start()

    def stop_application_mode(self) -> None:
        self._watch_stop.set()
        super().stop_application_mode()

    def _watch_tty(self, fd: int, stop: threading.Event) -> None:
        """A hung-up tty reports POLLHUP (and POLLERR) whatever events were asked for: no
        input is taken from the input thread, and nothing needs to be drawn to notice."""
        poller = select.poll()
        poller.register(fd, 0)
        while not stop.is_set():
            if poller.poll(WATCH_EVERY_MS) and not stop.is_set():
                self._terminal_gone()
                return

    def _terminal_gone(self) -> None:
        """From any thread: the terminal has gone. Nothing more is written; the app is told."""
        with self._gone_lock:
            if self._gone_reported:
                return
            self._gone_reported = True
        writer = self._safe_writer
        if writer is not None:
            writer.mark_gone()
        loop = self._loop
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(self._tell_app)
        except RuntimeError:
            pass  # the loop has closed: the app is ending anyway

    def _tell_app(self) -> None:
        closed = getattr(self._app, "terminal_closed", None)
        if closed is not None:
            closed()
        else:
            self._app.exit()

    # The kernel sends SIGCONT along with every hang-up's SIGHUP (and anyone may send one):
    # only a stop of our own (Ctrl+Z) has an application mode to resume.
    def _sigtstp_application(self, *args: Any) -> None:
        self._stopped_by_us = True
        super()._sigtstp_application(*args)

    def _sigcont_application(self, *args: Any) -> None:
        if not self._stopped_by_us:
            return
        self._stopped_by_us = False
        super()._sigcont_application(*args)


_hard_exit_lock = threading.Lock()
_hard_exit_armed = False


def arm_hard_exit(code: int, after_s: float = HARD_EXIT_S) -> None:
    """End the process with ``code`` in ``after_s`` if it has not ended by then. Only for
    after everything typed is on disk and the store is closed: nothing is lost by it."""
    global _hard_exit_armed
    with _hard_exit_lock:
        if _hard_exit_armed:
            return
        _hard_exit_armed = True
    timer = threading.Timer(after_s, os._exit, args=(code,))
    timer.daemon = True  # a process that ends by itself does not wait for it
    timer.name = "duty-tui-hard-exit"
    timer.start()

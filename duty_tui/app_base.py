"""What the duty app needs of Textual beyond keys in order: ending safely and saying little.

* A closed terminal (SIGHUP, EIO on the tty) or a shutdown (SIGTERM) puts everything typed on
  disk first, then ends the app, even where Textual would hang (duty_tui/hangup.py).
* A crash says what and where, never a local variable: Textual's report would print every
  frame's locals (the case, the passphrase; duty_tui/crash.py).

Subclasses say how to put everything on disk in :meth:`SafeApp.close_session`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from typing import TYPE_CHECKING, Any

from duty_tui.keyorder import OrderedKeysApp

if TYPE_CHECKING:
    from textual.driver import Driver

log = logging.getLogger(__name__)

_SIGNALS = (signal.SIGHUP, signal.SIGTERM)


class SafeApp(OrderedKeysApp[int]):
    def __init__(self, *, handle_signals: bool = True) -> None:
        super().__init__()
        self._handle_signals = handle_signals
        # Quit, a hang-up or a shutdown has begun: a store that finishes opening now is closed.
        self._ending = False
        # A hang-up or a shutdown has begun (not quit): see _handle_exception.
        self._terminating = False

    def close_session(self) -> None:
        """Put everything typed on disk and release the store. Idempotent."""

    @property
    def session_closed(self) -> bool:
        """Nothing of the officer's is left in memory only (no session, or it is closed)."""
        return True

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this platform; on Linux and macOS one that ends the app when
        its terminal goes instead of hanging (duty_tui/hangup.py)."""
        driver_class = super().get_driver_class()
        if os.name == "posix":
            from textual.drivers.linux_driver import LinuxDriver

            if driver_class is LinuxDriver:
                from duty_tui.hangup import HangupSafeDriver

                return HangupSafeDriver
        return driver_class

    def _watch_signals(self, on: bool) -> None:
        if not self._handle_signals:
            return
        loop = asyncio.get_running_loop()
        for signum in _SIGNALS:
            try:
                if on:
                    loop.add_signal_handler(signum, self._on_terminate, signum)
                else:
                    loop.remove_signal_handler(signum)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread, or not a platform with these signals

    def _on_terminate(self, signum: int) -> None:
        """The terminal closed (SIGHUP) or the system is shutting down (SIGTERM, e.g. a flat
        battery): put everything typed on disk before anything else, then go.

        Once it is on disk and the store closed (its lock released), a timer ends the process
        if it is still here a few seconds on: nothing is left to lose, and a process hung on a
        terminal that has gone would keep the officer out of the store (duty_tui/hangup.py)."""
        from duty_tui.hangup import arm_hard_exit

        self._ending = self._terminating = True
        try:
            self.close_session()
            arm_hard_exit(128 + signum)
        finally:
            self.exit(return_code=128 + signum)

    def terminal_closed(self) -> None:
        """The driver saw the terminal go (a hang-up on the tty, or a write that failed):
        a hang-up, whether or not SIGHUP reaches us (nohup, setsid) or has yet."""
        self._on_terminate(signal.SIGHUP)

    def _handle_exception(self, error: Exception) -> None:
        """Textual's report would print every frame's locals (the case, the passphrase): say
        only what and where (duty_tui/crash.py). Tests still get the exception itself.

        After a hang-up or a shutdown, with the session already on disk, a screen caught
        half-built by the app coming down (the duty list of an unlock that finished as the
        terminal closed) may fail: that ends nothing the officer has, so it is not reported as
        the app's failure (exit status 1, a traceback on a terminal that may be gone)."""
        from rich.text import Text

        from duty_tui.crash import summary

        if self._terminating and self.session_closed:
            log.warning("while ending after a signal: %s", type(error).__name__)
            return
        self._return_code = 1
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        self.panic(Text(summary(error)))

    def panic(self, *renderables: Any) -> None:
        from rich.text import Text
        from rich.traceback import Traceback

        from duty_tui.crash import message

        safe: list[Any] = []
        for renderable in renderables:
            if isinstance(renderable, Traceback):
                # The terminal's input thread failed (a closed terminal, say): no frames shown.
                stacks = renderable.trace.stacks
                kind = stacks[-1].exc_type if stacks else "error"
                safe.append(Text(message(kind, "the terminal's input")))
            else:
                safe.append(renderable)
        super().panic(*safe)

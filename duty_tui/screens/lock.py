"""The lock screen: opaque, full screen, no case data, until the passphrase is typed again.

It covers every other screen (a plain Screen, not a modal: nothing underneath shows through).
The store stays open and the screens underneath keep what was typed; the passphrase is checked
against the store's keyfile in a thread, with the same growing delay as the unlock screen.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Input, Static

from duty_tui.desk_access import DeskAccess
from duty_tui.i18n import N_, _, ngettext
from duty_tui.screens.unlock import retry_delay
from duty_tui.widgets.plain import plain


class LockScreen(DeskAccess, Screen[bool]):
    help_title = N_("Locked")
    AUTO_FOCUS = "#lock-passphrase"

    def __init__(self) -> None:
        super().__init__()
        self.failures = 0
        self._wait_timer: Any = None

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="lock-box"):
            yield Static(_("duty-tui is locked"), id="lock-title")
            yield Static(
                _(
                    "Type the passphrase and press Enter to carry on where you were. "
                    "Nothing typed has been lost."
                ),
                classes="explain",
            )
            yield Input(
                compact=True, password=True, id="lock-passphrase", placeholder=_("passphrase")
            )
            yield Static("", id="lock-message")

    def _message(self, text: str, *, error: bool = True) -> None:
        widget = self.query_one("#lock-message", Static)
        widget.update(plain(text))
        widget.set_class(error, "-error")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if self._wait_timer is not None or not event.value:
            return
        self.run_worker(self._verify(event.value), exclusive=True, group="lock")

    async def _verify(self, passphrase: str) -> None:
        field = self.query_one("#lock-passphrase", Input)
        field.disabled = True
        self._message(_("Checking…"), error=False)
        try:
            ok = await asyncio.to_thread(self.desk.verify_passphrase, passphrase)
        except Exception as exc:
            ok = False
            self._message(_("The passphrase cannot be checked: {problem}").format(problem=exc))
        field.value = ""
        if ok:
            self.dismiss(True)
            return
        self.failures += 1
        self._wait(retry_delay(self.failures))

    def _wait(self, seconds: int) -> None:
        remaining = [seconds]
        field = self.query_one("#lock-passphrase", Input)

        def tick() -> None:
            remaining[0] -= 1
            if remaining[0] <= 0:
                if self._wait_timer is not None:
                    self._wait_timer.stop()
                self._wait_timer = None
                field.disabled = False
                field.focus()
                self._message(_("That passphrase is not right. Try again."))
            else:
                self._show_wait(remaining[0])

        self._show_wait(seconds)
        self._wait_timer = self.set_interval(1, tick)

    def _show_wait(self, seconds: int) -> None:
        self._message(
            ngettext(
                "That passphrase is not right. Try again in {seconds} second.",
                "That passphrase is not right. Try again in {seconds} seconds.",
                seconds,
            ).format(seconds=seconds)
        )

"""The lock: after the officer has been away for a while (or at ctrl+l), every screen is
covered until the passphrase is typed again; the store stays open and nothing typed is lost.

While locked nothing that may name a case is shown: toasts are held back until unlocked, and
the command palette (which lists cases) stays shut.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events

from duty_tui.app_base import SafeApp

# How often the idle lock looks at the clock; the lock comes at most this late.
IDLE_CHECK_S = 1.0


class LockingApp(SafeApp):
    clock: Callable[[], float]
    idle_lock_seconds: float

    def __init__(self, *, clock: Callable[[], float], handle_signals: bool = True) -> None:
        super().__init__(handle_signals=handle_signals)
        self.clock = clock
        self.locked = False
        self._held_notifications: list[tuple[str, dict[str, Any]]] = []
        self._last_activity = clock()

    @property
    def unlocked(self) -> bool:
        """The store is open and the lock screen is not up."""
        return not self.session_closed and not self.locked

    def commit_edits(self) -> None:
        """Have every screen commit what is waiting for its debounce."""

    def start_idle_watch(self) -> None:
        self._last_activity = self.clock()
        self.set_interval(
            min(IDLE_CHECK_S, max(self.idle_lock_seconds / 4, 0.05)), self.check_idle_lock
        )

    async def on_event(self, event: events.Event) -> None:
        # Any key, click or scroll is the officer at the laptop: the idle lock starts again.
        # Keys typed while the first screen is still being built wait for it (OrderedKeysApp).
        if isinstance(event, events.Key | events.MouseDown | events.MouseScrollDown) or isinstance(
            event, events.MouseScrollUp | events.Paste
        ):
            self._last_activity = self.clock()
        await super().on_event(event)

    def check_idle_lock(self) -> None:
        if self.unlocked and self.clock() - self._last_activity >= self.idle_lock_seconds:
            self.lock_now()

    def action_lock(self) -> None:
        self.lock_now()

    def lock_now(self) -> None:
        """Cover every screen with the lock screen. What was being typed stays where it was;
        it is committed (and saved if valid) now."""
        from duty_tui.screens.lock import LockScreen

        if not self.unlocked:
            return
        self.locked = True
        self.commit_edits()
        # A toast may name a case; none survives the lock, nor one already on its way.
        self.clear_notifications()
        self.push_screen(LockScreen(), self._unlocked_again)
        self.call_later(self.clear_notifications)

    def _unlocked_again(self, _result: bool | None) -> None:
        self.locked = False
        self._last_activity = self.clock()
        held, self._held_notifications = self._held_notifications, []
        for message, kwargs in held:
            self.notify(message, **kwargs)

    def notify(self, message: str, **kwargs: Any) -> None:
        """As App.notify, but held back while locked: a toast may name a case."""
        if self.locked:
            self._held_notifications.append((message, kwargs))
            return
        super().notify(message, **kwargs)

    def action_command_palette(self) -> None:
        # Before unlock and while locked the palette would list cases: it stays shut.
        if self.unlocked:
            super().action_command_palette()

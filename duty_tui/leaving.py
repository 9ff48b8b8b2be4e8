"""Leaving the session: quitting, locking at ctrl+l, or the app ending some other way.

Whatever ends the session first commits what is being typed and writes what waits. If the disk
refuses (full, failing), quitting or locking does not pretend: it names what is not on disk and
asks the officer (screens/unsaved.py) to try again, stay, or leave without it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from duty_tui.locking import LockingApp

if TYPE_CHECKING:
    from duty_tui.desk import Desk
    from duty_tui.sync_ui import SyncUI

log = logging.getLogger(__name__)


class LeavingApp(LockingApp):
    desk: Desk | None
    sync_ui: SyncUI | None

    @property
    def session_closed(self) -> bool:
        return self.desk is None or self.desk.closed

    def commit_edits(self) -> None:
        """Have every open case screen commit what is waiting for its debounce."""
        from duty_tui.screens.case import CaseScreen

        for screen in self.screen_stack:
            if isinstance(screen, CaseScreen):
                screen.commit_pending()

    def close_session(self) -> None:
        """Commit what is being typed, write everything waiting, close the store. Idempotent;
        also called by ``duty-tui run`` after the app has stopped, whatever stopped it."""
        desk = self.desk
        if desk is None or desk.closed:
            return
        if self.sync_ui is not None:
            self.sync_ui.close()  # before the store closes: no sync write may race the closing
        try:
            self.commit_edits()
        except Exception as exc:
            # The writes below matter more than a UI that is already coming apart.
            log.warning("committing edits at close failed (%s)", type(exc).__name__)
        desk.close()

    def lock_now(self) -> None:
        was_unlocked = self.unlocked
        super().lock_now()
        if was_unlocked and self.locked and self.desk is not None:
            self.desk.audit("locked")

    def _unlocked_again(self, result: bool | None) -> None:
        super()._unlocked_again(result)
        if self.desk is not None and not self.desk.closed:
            self.desk.audit("unlocked")

    def action_quit(self) -> None:
        if self._all_written():
            self._quit()
        else:  # in a worker: it waits for the officer's answer (push_screen_wait)
            self.run_worker(self._ask_then(self._quit, "quit"), group="leave", exclusive=True)

    def action_lock(self) -> None:
        # Asked for, the lock first says what could not be written (the idle lock locks
        # whatever the disk says: the officer is away, and the saver keeps trying).
        if self._all_written():
            self.lock_now()
        else:
            self.run_worker(self._ask_then(self.lock_now, "lock"), group="leave", exclusive=True)

    def _quit(self) -> None:
        self._ending = True
        self.close_session()
        self.exit(return_code=0)

    def _all_written(self) -> bool:
        """Everything typed is on disk (what waited is written now, in this thread)."""
        desk = self.desk
        if desk is None or desk.closed or self.locked:
            return True
        self.commit_edits()
        return desk.saver.flush()

    async def _ask_then(self, leave: Callable[[], None], leaving: Literal["quit", "lock"]) -> None:
        """Say what could not be written and ask until it is written, or the officer chooses
        to stay or to leave anyway."""
        from duty_tui.screens.unsaved import UnsavedScreen, describe_unsaved

        desk = self.desk
        while desk is not None and not desk.closed:
            unsaved = desk.saver.unsaved()
            numbers = {case_id: desk.index.case_number(case_id) for case_id in unsaved}
            lines = describe_unsaved(unsaved, numbers)
            choice = await self.push_screen_wait(UnsavedScreen(lines, leaving=leaving))
            if choice == "stay":
                return
            if choice == "leave" or await asyncio.to_thread(desk.saver.flush):
                break
        leave()

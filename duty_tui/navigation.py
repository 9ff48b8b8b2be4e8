"""Where the officer is: the duty list at the bottom, one case open on it at a time, dialogs
above. Opening a case or making a new one goes back to the list first; leaving a case commits
what was typed in it (CaseScreen.commit_pending).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from duty_tui.i18n import _
from duty_tui.leaving import LeavingApp
from duty_tui.messages import OpenCase

if TYPE_CHECKING:
    from duty_tui.desk import Desk
    from records.model import Case


class NavigatingApp(LeavingApp):
    desk: Desk | None

    def today(self) -> dt.date:
        return dt.date.today()

    def on_open_case(self, message: OpenCase) -> None:
        from duty_tui.screens.case import CaseScreen

        if self.desk is None or self.locked:
            return
        self._back_to_list()
        try:
            case = self.desk.load_case(message.case_id)
        except Exception as exc:
            self.notify(
                _("That case cannot be opened: {problem}").format(problem=exc),
                severity="error",
                markup=False,
            )
            return
        self.push_screen(CaseScreen(case))

    def open_case(self, case_id: str) -> None:
        self.post_message(OpenCase(case_id))

    def action_new_case(self) -> None:
        from duty_tui.screens.duty_list import DutyListScreen
        from duty_tui.screens.new_case import NewCaseScreen

        if self.desk is None or self.locked:
            return
        screen = self.screen
        day = screen.day if isinstance(screen, DutyListScreen) else self.today()
        self.push_screen(NewCaseScreen(self.desk.profile, day), self._new_case_made)

    def _new_case_made(self, case: Case | None) -> None:
        from duty_tui.screens.case import CaseScreen

        if case is None or self.desk is None:
            return
        self.desk.save_case(case)
        self._back_to_list()
        self.push_screen(CaseScreen(case))

    def _back_to_list(self) -> None:
        """Close case screens and dialogs down to the duty list (one case open at a time;
        leaving a case commits its edits, see CaseScreen)."""
        from duty_tui.screens.case import CaseScreen
        from duty_tui.screens.duty_list import DutyListScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, DutyListScreen):
            if isinstance(self.screen, CaseScreen):
                self.screen.commit_pending()
            self.pop_screen()

    def action_go_today(self) -> None:
        from duty_tui.screens.duty_list import DutyListScreen

        if not self.unlocked:
            return
        self._back_to_list()
        if isinstance(self.screen, DutyListScreen):
            self.screen.action_today()

    def action_help(self) -> None:
        from duty_tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen.for_screen(self.screen))

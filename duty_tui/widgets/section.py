"""A titled part of a screen. The case screen is a column of these, one per part of the
record; services added later (suitability, referrals, sync) mount their content into theirs."""

from __future__ import annotations

from typing import Any

from textual.containers import Vertical

from duty_tui.i18n import _


class Section(Vertical):
    DEFAULT_CSS = """
    Section { height: auto; }
    """

    def __init__(self, title: str, *children: Any, **kwargs: Any) -> None:
        """``title``: an English msgid (``N_``), shown in the officer's language."""
        super().__init__(*children, **kwargs)
        self.msgid = title
        # A fixed title chosen here, never data: border titles are read as markup.
        self.border_title = self.title = _(title)

    def say_again(self) -> None:
        self.border_title = self.title = _(self.msgid)

"""A titled part of a screen. The case screen is a column of these, one per part of the
record; services added later (suitability, referrals, sync) mount their content into theirs."""

from __future__ import annotations

from typing import Any

from textual.containers import Vertical


class Section(Vertical):
    DEFAULT_CSS = """
    Section { height: auto; }
    """

    def __init__(self, title: str, *children: Any, **kwargs: Any) -> None:
        super().__init__(*children, **kwargs)
        # A fixed title chosen here, never data: border titles are read as markup.
        self.border_title = title
        self.title = title

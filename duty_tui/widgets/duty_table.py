"""The duty list's table: one row per hearing, whole-row cursor, left/right change the day."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from duty_tui.i18n import N_


class DutyTable(DataTable[object]):
    help_name = N_("the list of hearings")

    # A row cursor has no use for left/right: they move between days instead, which is what
    # an officer paging through the week expects.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", N_("Open the case"), id="duty.open"),
        Binding("left", "screen.prev_day", N_("Previous day"), show=False),
        Binding("right", "screen.next_day", N_("Next day"), show=False),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]

"""The sync log: what happened to queued referrals, newest first (``Outbox.log``).

Queued, acknowledged (a line per batch, with the count), rejected (a line per referral, with
central's reason), retries and sync runs. Every cell is plain text: central's reasons come
from the network and may quote what was typed.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from duty_tui.widgets.plain import plain

if TYPE_CHECKING:
    from store.outbox import LogEntry

# Enough for a few days of duty; the outbox keeps them all.
LOG_LINES = 500

_EVENT_STYLES = {"rejected": "bold red", "acknowledged": "green", "retry": "yellow"}


def format_time(at: float) -> str:
    try:
        return dt.datetime.fromtimestamp(at).strftime("%d/%m/%Y %H:%M:%S")
    except (OverflowError, OSError, ValueError):
        return "?"


class SyncLogScreen(ModalScreen[None]):
    CSS_PATH = "dialog.tcss"
    DEFAULT_CSS = """
    #sync-log-box { width: 100%; height: 100%; padding: 0 1; border: round $primary; }
    #sync-log-box DataTable { height: 1fr; }
    """

    AUTO_FOCUS = "#sync-log-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="sync_log.close"),
    ]
    help_title = "Sync log"

    def __init__(self, lines: list[LogEntry], case_numbers: dict[str, str], pending: int) -> None:
        """``case_numbers`` maps case id to its number, to show which case a line is about."""
        super().__init__()
        self.lines = lines
        self.case_numbers = case_numbers
        self.pending = pending

    def compose(self) -> ComposeResult:
        with Vertical(id="sync-log-box"):
            yield Static("Sync log: newest first", classes="dialog-title")
            plural = "" if self.pending == 1 else "s"
            yield Static(
                f"{self.pending} referral{plural} not yet acknowledged by central records.",
                classes="explain",
            )
            yield DataTable(id="sync-log-table", cursor_type="row", zebra_stripes=True)
            yield Static("Escape closes.", classes="explain")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("When", "Event", "Case", "Referral", "Detail")
        for line in self.lines:
            table.add_row(*self.cells(line))
        if not self.lines:
            table.add_row(Text(""), Text("nothing yet", style="dim"), "", "", "")

    def cells(self, line: LogEntry) -> tuple[Text, ...]:
        referral = f"{line.referral_id} r{line.revision}" if line.referral_id else ""
        detail = line.detail
        if line.count and not line.referral_id:
            plural = "" if line.count == 1 else "s"
            counted = f"{line.count} referral{plural}"
            detail = f"{counted}: {detail}" if detail else counted
        return (
            Text(format_time(line.at)),
            plain(line.event, _EVENT_STYLES.get(line.event, "")),
            plain(self.case_numbers.get(line.case_id, "")),
            plain(referral),
            plain(detail),
        )

    def action_close(self) -> None:
        self.dismiss(None)

"""The sync log: what happened to queued referrals, newest first (``Outbox.log``).

Each line says, in words, what happened (queued as a new referral, an amendment or a
withdrawal; acknowledged; refused, with central's reason; not delivered and to be tried again;
central unreachable or back), and which referral: the case number, the activity, the party and
the revision, never a raw id. Long details wrap instead of being cut. Every cell is plain text:
central's reasons come from the network and may quote what was typed.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from duty_tui.widgets.plain import plain, plain_str

if TYPE_CHECKING:
    from store.outbox import LogEntry

# Enough for a few days of duty; the outbox keeps them all.
LOG_LINES = 500

_EVENT_STYLES = {
    "rejected": "bold red",
    "acknowledged": "green",
    "retry": "yellow",
    "unreachable": "yellow",
    "reachable": "green",
}
_QUEUED = {"refer": "a new referral", "withdraw": "a withdrawal"}
# "When" is this wide; "What happened" and "Referral" share what is left.
WHEN_WIDTH = 11


def format_time(at: float) -> str:
    try:
        return dt.datetime.fromtimestamp(at).strftime("%d/%m %H:%M")
    except (OverflowError, OSError, ValueError):
        return "?"


def _referrals(count: int) -> str:
    return f"{count} referral{'' if count == 1 else 's'}"


def event_words(line: LogEntry) -> tuple[str, str]:
    """What happened, in the officer's words, and the detail under it."""
    event, detail, count = line.event, line.detail, line.count
    if event == "queued":
        # An amendment is the referral sent again (action "refer") as a later revision.
        if detail == "refer" and line.revision > 1:
            return "Queued: an amendment", ""
        return f"Queued: {_QUEUED.get(detail, detail)}", ""
    if event == "acknowledged":
        return "Central acknowledged", _referrals(count) if count else detail
    if event == "rejected":
        return "Central refused it", detail
    if event == "retry":
        what = f"{_referrals(count)} not delivered" if count else "Not delivered"
        return what + "; will try again", detail
    if event == "unreachable":
        waiting = f"; {_referrals(count)} waiting" if count else "; nothing waiting"
        return "Central unreachable", detail + waiting
    if event == "reachable":
        return "Central answers again", f"{_referrals(count)} waiting" if count else ""
    if event == "sync":
        return f"Sync: {_referrals(count)} sent", detail
    if event == "status":
        return "Central's status", detail
    if event == "renumbered":
        held = detail.removeprefix("central holds r")
        if held.isdigit():
            detail = f"central already held revision {held}; sent as the next"
        return "Sent as a new revision", detail
    if event == "reopened":
        return "Sent again (central had lost it)", detail
    return event.capitalize(), detail


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

    def __init__(
        self,
        lines: list[LogEntry],
        case_numbers: dict[str, str],
        pending: int,
        referral_names: dict[str, str] | None = None,
    ) -> None:
        """``case_numbers`` maps case id to its number and ``referral_names`` referral id to
        "activity for party": which case and referral a line is about."""
        super().__init__()
        self.lines = lines
        self.case_numbers = case_numbers
        self.referral_names = referral_names or {}
        self.pending = pending
        self._width = 0

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
        self._fill()

    def on_resize(self, _event: events.Resize) -> None:
        if self.size.width != self._width:
            self._fill()

    def _fill(self) -> None:
        """The table at this width: long details wrap within their column."""
        self._width = self.size.width
        table = self.query_one(DataTable)
        table.clear(columns=True)
        # Border, padding, the focus edge and each column's padding (1 each side).
        free = max(40, self._width - 6 - 2 * 3 - WHEN_WIDTH)
        what = free * 11 // 20
        table.add_column("When", width=WHEN_WIDTH)
        table.add_column("What happened", width=what)
        table.add_column("Referral", width=free - what)
        for line in self.lines:
            table.add_row(*self.cells(line), height=None)
        if not self.lines:
            table.add_row(Text(""), Text("nothing yet", style="dim"), "")

    def cells(self, line: LogEntry) -> tuple[Text, ...]:
        what, detail = event_words(line)
        happened = plain(what, _EVENT_STYLES.get(line.event, ""))
        if detail:
            happened.append("\n" + plain_str(detail), style="dim")
        referral = plain(self.case_numbers.get(line.case_id, ""), "bold")
        if line.referral_id:
            name = self.referral_names.get(line.referral_id)
            # A referral no longer in its case (or an unreadable case) still gets a short id.
            referral.append("\n" if referral.plain else "")
            referral.append(plain_str(name) if name else f"referral {line.referral_id[:8]}")
            if line.revision:
                referral.append(f", revision {line.revision}", style="dim")
        return (Text(format_time(line.at)), happened, referral)

    def action_close(self) -> None:
        self.dismiss(None)

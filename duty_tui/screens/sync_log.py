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

from duty_tui.i18n import N_, _, ngettext
from duty_tui.screens.translated import Relabel, translate_bindings
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
_QUEUED = {"refer": N_("Queued: a new referral"), "withdraw": N_("Queued: a withdrawal")}
# "When" is this wide; "What happened" and "Referral" share what is left.
WHEN_WIDTH = 11


def format_time(at: float) -> str:
    try:
        return dt.datetime.fromtimestamp(at).strftime("%d/%m %H:%M")
    except (OverflowError, OSError, ValueError):
        return "?"


def event_words(line: LogEntry) -> tuple[str, str]:
    """What happened, in the officer's words, and the detail under it."""
    event, detail, count = line.event, line.detail, line.count
    if event == "queued":
        # An amendment is the referral sent again (action "refer") as a later revision.
        if detail == "refer" and line.revision > 1:
            return _("Queued: an amendment"), ""
        queued = _QUEUED.get(detail)
        return (_(queued) if queued else _("Queued: {what}").format(what=detail)), ""
    if event == "acknowledged":
        if count:
            return _("Central acknowledged"), ngettext(
                "{count} referral", "{count} referrals", count
            ).format(count=count)
        return _("Central acknowledged"), detail
    if event == "rejected":
        return _("Central refused it"), detail
    if event == "retry":
        if count:
            what = ngettext(
                "{count} referral not delivered; will try again",
                "{count} referrals not delivered; will try again",
                count,
            ).format(count=count)
        else:
            what = _("Not delivered; will try again")
        return what, detail
    if event == "unreachable":
        if count:
            waiting = ngettext(
                "{detail}; {count} referral waiting", "{detail}; {count} referrals waiting", count
            ).format(detail=detail, count=count)
        else:
            waiting = _("{detail}; nothing waiting").format(detail=detail)
        return _("Central unreachable"), waiting
    if event == "reachable":
        waiting = (
            ngettext("{count} referral waiting", "{count} referrals waiting", count).format(
                count=count
            )
            if count
            else ""
        )
        return _("Central answers again"), waiting
    if event == "sync":
        return ngettext(
            "Sync: {count} referral sent", "Sync: {count} referrals sent", count
        ).format(count=count), detail
    if event == "status":
        return _("Central's status"), detail
    if event == "renumbered":
        held = detail.removeprefix("central holds r")
        if held.isdigit():
            detail = _("central already held revision {revision}; sent as the next").format(
                revision=held
            )
        return _("Sent as a new revision"), detail
    if event == "reopened":
        return _("Sent again (central had lost it)"), detail
    return event.capitalize(), detail


class SyncLogScreen(Relabel, ModalScreen[None]):
    CSS_PATH = "dialog.tcss"
    DEFAULT_CSS = """
    #sync-log-box { width: 100%; height: 100%; padding: 0 1; border: round $primary; }
    #sync-log-box DataTable { height: 1fr; }
    """

    AUTO_FOCUS = "#sync-log-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", N_("Close"), id="sync_log.close"),
    ]
    help_title = N_("Sync log")

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
            yield Static(_("Sync log: newest first"), classes="dialog-title", id="sync-log-title")
            yield Static(self._pending_words(), classes="explain", id="sync-log-pending")
            yield DataTable(id="sync-log-table", cursor_type="row", zebra_stripes=True)
            yield Static(_("Escape closes."), classes="explain", id="sync-log-keys")

    def _pending_words(self) -> str:
        return ngettext(
            "{count} referral not yet acknowledged by central records.",
            "{count} referrals not yet acknowledged by central records.",
            self.pending,
        ).format(count=self.pending)

    def on_mount(self) -> None:
        translate_bindings(self)
        self._fill()

    def relabel(self) -> None:
        self.query_one("#sync-log-title", Static).update(_("Sync log: newest first"))
        self.query_one("#sync-log-pending", Static).update(self._pending_words())
        self.query_one("#sync-log-keys", Static).update(_("Escape closes."))
        table = self.query_one(DataTable)
        row = table.cursor_row
        self._fill()
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

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
        table.add_column(_("When"), width=WHEN_WIDTH)
        table.add_column(_("What happened"), width=what)
        table.add_column(_("Referral"), width=free - what)
        for line in self.lines:
            table.add_row(*self.cells(line), height=None)
        if not self.lines:
            table.add_row(Text(""), Text(_("nothing yet"), style="dim"), "")

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
            referral.append(
                plain_str(name)
                if name
                else _("referral {short_id}").format(short_id=line.referral_id[:8])
            )
            if line.revision:
                referral.append(
                    _(", revision {revision}").format(revision=line.revision), style="dim"
                )
        return (Text(format_time(line.at)), happened, referral)

    def action_close(self) -> None:
        self.dismiss(None)

"""The home screen: the day's hearings at the officer's court.

Rows come from the store's index (no case is decrypted to list it). ``/`` filters as you type
across every day; ``[`` and ``]`` (or left/right on the list) move between days. The table only
ever holds the rows on show, so it stays quick with 10,000 cases in the store.
"""

from __future__ import annotations

import datetime as dt
import gc
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static

from duty_tui.desk_access import DeskAccess
from duty_tui.i18n import N_, _, ngettext
from duty_tui.messages import OpenCase, ReferralsChanged
from duty_tui.screens.translated import Relabel
from duty_tui.services.duty_index import DutyRow
from duty_tui.widgets.case_fields import format_date
from duty_tui.widgets.dates import capitalised, day_and_month, long_date, short_date
from duty_tui.widgets.duty_table import DutyTable
from duty_tui.widgets.footer import KeyLine
from duty_tui.widgets.plain import plain
from duty_tui.widgets.sync_status import SyncStatus
from records.monitoring import state_of

# Typing has paused: time for the garbage collector (see _filter_changed).
COLLECT_AFTER_S = 0.4
# Widest a court's name is shown in the list (the rest is an ellipsis).
COURT_WIDTH = 24
# Parties are cut (with an ellipsis) only below this width, and never below the minimum.
PARTIES_WIDE = 40
PARTIES_MIN = 16


def _badge_words(row: DutyRow, today: dt.date) -> list[tuple[str, str]]:
    """(words, style) of each note on a row, in the officer's language. The same notes as
    ``DutyRow.badges`` (English, for the command line), from the same fields."""
    badges: list[tuple[str, str]] = []
    if not row.screening_complete:
        badges.append((_("screening incomplete"), "bold yellow"))
    if row.referrals_queued:
        words = ngettext(
            "{count} referral queued", "{count} referrals queued", row.referrals_queued
        ).format(count=row.referrals_queued)
        badges.append((words, "bold cyan"))
    if not row.children:
        badges.append((_("no child recorded"), "dim"))
    if row.purge_on is not None:
        badges.append((_("purge {date}").format(date=format_date(row.purge_on)), ""))
    # s11G: what the officer owes the court.
    state, when = state_of(row.monitoring, today)
    if state == "overdue" and when is not None:
        badges.append(
            (_("monitoring overdue since {date}").format(date=format_date(when)), "bold red")
        )
    elif state and when is not None:
        badges.append((_("monitoring due {date}").format(date=format_date(when)), "bold"))
    return badges


def _badges(row: DutyRow, today: dt.date) -> Text:
    text = Text()
    for index, (badge, style) in enumerate(_badge_words(row, today)):
        if index:
            text.append(" · ", style="dim")
        text.append(badge, style=style)
    return text


class DutyFilter(Input):
    help_name = N_("the filter")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "screen.clear_filter", N_("Clear the filter"), id="duty.clear_filter"),
        Binding("down", "screen.focus_table", N_("To the list"), show=False),
    ]


FILTER_PLACEHOLDER = N_("/ filter: case number, name, court or date (across all days)")
# Column keys are these English words; the headings are their translation.
COLUMNS = {
    "Date": N_("Date"),
    "Case number": N_("Case number"),
    "Parties": N_("Parties"),
    "Children": N_("Children"),
    "Court": N_("Court"),
    "Notes": N_("Notes"),
}


class DutyListScreen(Relabel, DeskAccess, Screen[None]):
    CSS_PATH = "duty_list.tcss"

    help_title = N_("Duty list")
    AUTO_FOCUS = "#duty-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", N_("Filter"), id="duty.filter"),
        Binding("n", "app.new_case", N_("New case"), id="duty.new_case"),
        Binding("left_square_bracket", "prev_day", N_("Day before"), id="duty.prev_day"),
        Binding("right_square_bracket", "next_day", N_("Day after"), id="duty.next_day"),
        # Not in the footer (it is full); the status line mentions them when they help.
        Binding("t", "today", N_("Today"), id="duty.today", show=False),
        Binding("c", "toggle_courts", N_("All courts"), id="duty.courts", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.day: dt.date = dt.date.today()
        self.all_courts = False
        self.query_text = ""
        # What the table shows now (columns, home court, rows): a keystroke whose result is
        # the same rows leaves the table (and its cursor) alone.
        self._shown: tuple[object, ...] | None = None
        self._collect_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="duty-top"):
            yield Static("", id="duty-day")
            yield Static("", id="duty-officer")
        yield DutyFilter(
            compact=True,
            id="duty-filter",
            placeholder=_(FILTER_PLACEHOLDER),
        )
        yield Static("", id="duty-status")
        yield DutyTable(id="duty-table")
        yield SyncStatus()
        yield KeyLine()

    def on_mount(self) -> None:
        self.day = self.desk.today()
        self._show_officer()
        self.refresh_rows()

    def _show_officer(self) -> None:
        profile = self.desk.profile
        self.query_one("#duty-officer", Static).update(
            plain(
                f"{profile.officer.name} · {profile.officer.role.value} · "
                f"{profile.jurisdiction.service}"
            )
        )

    def relabel(self) -> None:
        """The new language: headings, notes and the filter's hint drawn again; what is typed
        in the filter, the row under the cursor and the focus stay."""
        self.query_one(DutyFilter).placeholder = _(FILTER_PLACEHOLDER)
        self._columns = ()  # the headings are words: rebuilt
        self._shown = None
        self.refresh_rows()

    def on_resize(self) -> None:
        if self.is_mounted:
            self.refresh_rows()  # the heading fits itself to the width

    def on_screen_resume(self) -> None:
        # Back from a case: its row may have changed (saved summaries update the index).
        if self.is_mounted:
            self.refresh_rows()

    # --- what is shown -----------------------------------------------------------------------

    @property
    def court(self) -> str | None:
        return None if self.all_courts else self.desk.profile.court

    def on_referrals_changed(self, _message: ReferralsChanged) -> None:
        self.refresh_rows()

    def refresh_rows(self) -> None:
        index = self.desk.index
        table = self.query_one(DutyTable)
        keep = self.selected_case_id()
        today = self.desk.today()
        searching = bool(self.query_text.strip())
        if searching:
            # A search looks at every court: the case asked about may be listed elsewhere.
            rows, total = index.search(self.query_text, near=self.day)
        else:
            rows = index.day(self.day, self.court)
            total = len(rows)
        columns = (
            *(("Date",) if searching else ()),
            "Case number",
            "Parties",
            "Children",
            *(("Court",) if self.all_courts or searching else ()),
            "Notes",
        )
        home = self.desk.profile.court
        narrow = self._parties_width(searching)
        # DutyRow is a frozen record: equal rows show equal cells (a changed case is a new row).
        shown = (columns, home, narrow, today, tuple(rows))
        if shown == self._shown:
            self._show_heading(rows, total, searching)
            return
        self._shown = shown
        cells_of_rows: list[tuple[str, list[Text]]] = []
        for row in rows:
            cells: list[Text] = []
            if searching:
                cells.append(Text(format_date(row.hearing_date)))
            parties = plain(row.parties)
            if narrow is not None:
                parties.truncate(narrow, overflow="ellipsis")
            cells += [plain(row.case_number), parties, Text(str(row.children))]
            if self.all_courts or searching:
                # Every row names its court (a blank cell read as "court unknown"); the
                # officer's own court is dimmed so the other courts stand out.
                court = plain(row.court, "dim" if row.court == home else "")
                # A long court name would push the notes off a narrow screen.
                court.truncate(COURT_WIDTH, overflow="ellipsis")
                cells.append(court)
            cells.append(_badges(row, today))
            cells_of_rows.append((row.case_id, cells))
        table.set_rows([_(COLUMNS[c]) for c in columns], cells_of_rows, keep=keep)
        self._show_heading(rows, total, searching)

    def _parties_width(self, searching: bool) -> int | None:
        """How wide the Parties column may be on a narrow terminal so that the notes
        ("screening incomplete") still show; None when there is room for every name."""
        # Case number, Children and Notes (each with its padding), the table's edge and
        # scrollbar, and the Date and Court columns when they show.
        others = 13 + 10 + 22 + 3 + (12 if searching else 0)
        if self.all_courts or searching:
            others += COURT_WIDTH + 2
        room = self.app.size.width - others
        return None if room >= PARTIES_WIDE else max(PARTIES_MIN, room)

    def _show_heading(self, rows: list[DutyRow], total: int, searching: bool) -> None:
        today = self.desk.today()
        court = self.court or _("All courts")
        relative = {
            today: N_("{date} (today) · {court}"),
            today + dt.timedelta(days=1): N_("{date} (tomorrow) · {court}"),
            today - dt.timedelta(days=1): N_("{date} (yesterday) · {court}"),
        }.get(self.day, N_("{date} · {court}"))
        heading = capitalised(_(relative).format(date=long_date(self.day), court=court))
        officer = self.query_one("#duty-officer", Static)
        room = self.app.size.width - 2
        wide = cell_len(heading) + cell_len(officer.render().plain) + 2 <= room
        if not wide:
            # 80 columns: the court matters more than the officer's own name, which went on
            # showing while the court was cut off. A shorter date, and the officer's line goes.
            heading = capitalised(_(relative).format(date=short_date(self.day), court=court))
        officer.display = wide
        self.query_one("#duty-day", Static).update(plain(heading))
        status = self.query_one("#duty-status", Static)
        if searching:
            if total > len(rows):
                message = _(
                    "{total} cases match; the {shown} nearest this day are shown. "
                    "Keep typing to narrow. Escape clears."
                ).format(total=total, shown=len(rows))
            elif total == 1:
                message = _("1 case matches. Enter opens it; Escape clears.")
            elif total:
                message = ngettext(
                    "{total} case matches. Escape clears.",
                    "{total} cases match. Escape clears.",
                    total,
                ).format(total=total)
            else:
                message = _("No case matches. Escape clears the filter.")
        else:
            count = len(rows)
            when = day_and_month(self.day)
            if count:
                message = ngettext(
                    "{count} hearing on {day}.", "{count} hearings on {day}.", count
                ).format(count=count, day=when)
            else:
                message = _("No hearings on {day}.").format(day=when)
            # Each addition is a sentence of its own.
            if self.day != today:
                message += " " + _("t goes back to today.")
            if self.all_courts:
                message += " " + _("c shows only your court.")
            else:
                elsewhere = len(self.desk.index.day(self.day)) - count
                if elsewhere:
                    message += " " + ngettext(
                        "{count} more at other courts: c shows all courts.",
                        "{count} more at other courts: c shows all courts.",
                        elsewhere,
                    ).format(count=elsewhere)
        # A Welsh line may begin with the day's name ("dydd Llun 30/11: ...").
        status.update(plain(capitalised(message)))

    def selected_case_id(self) -> str | None:
        return self.query_one(DutyTable).cursor_key

    # --- actions -----------------------------------------------------------------------------

    def action_filter(self) -> None:
        self.query_one(DutyFilter).focus()

    def action_focus_table(self) -> None:
        self.query_one(DutyTable).focus()

    def action_clear_filter(self) -> None:
        self.query_one(DutyFilter).value = ""
        self.query_one(DutyTable).focus()

    @on(Input.Changed, "#duty-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        # Keys typed faster than the list is drawn pile up: a change the filter has already
        # moved past is skipped, as the change that moved it is queued behind this one and
        # shows the final query. The last keystroke is never delayed (no debounce).
        if event.value != event.input.value:
            return
        # Each keystroke builds the list's rows again, and Textual's rendering leaves cyclic
        # garbage; a full collection in the middle of typing is a visible stall with 10,000
        # cases loaded. So the collector waits while the officer types and runs when the
        # typing pauses.
        gc.disable()
        if self._collect_timer is not None:
            self._collect_timer.stop()
        self._collect_timer = self.set_timer(COLLECT_AFTER_S, self._collect_garbage)
        self.apply_filter(event.value)

    def apply_filter(self, text: str) -> None:
        """What one keystroke in the filter costs: search every case (within the last
        keystroke's matches when typing on), and give the table its new rows unless they are
        the same (the table then draws only the rows on screen)."""
        self.query_text = text
        self.refresh_rows()

    def _collect_garbage(self) -> None:
        self._collect_timer = None
        gc.enable()
        gc.collect()

    def on_screen_suspend(self) -> None:
        if self._collect_timer is not None:
            self._collect_timer.stop()
            self._collect_garbage()

    @on(Input.Submitted, "#duty-filter")
    def _filter_done(self) -> None:
        table = self.query_one(DutyTable)
        table.focus()
        if table.row_count == 1:
            self._open(self.selected_case_id())

    @on(DutyTable.RowSelected, "#duty-table")
    def _row_selected(self, event: DutyTable.RowSelected) -> None:
        self._open(event.key)

    def _open(self, case_id: str | None) -> None:
        if case_id:
            self.post_message(OpenCase(case_id))

    def _move(self, days: int) -> None:
        self.day += dt.timedelta(days=days)
        self.refresh_rows()

    def action_prev_day(self) -> None:
        self._move(-1)

    def action_next_day(self) -> None:
        self._move(1)

    def action_today(self) -> None:
        self.day = self.desk.today()
        self.refresh_rows()

    def action_toggle_courts(self) -> None:
        self.all_courts = not self.all_courts
        self.refresh_rows()

    def show_case(self, case_id: str) -> None:
        """Show the day of ``case_id`` with it under the cursor (the palette's "go to")."""
        row = self.desk.index.get(case_id)
        if row is None or row.hearing_date is None:
            return
        self.query_one(DutyFilter).value = ""
        self.query_text = ""
        self.day = row.hearing_date
        if row.court != self.desk.profile.court:
            self.all_courts = True
        self.refresh_rows()
        table = self.query_one(DutyTable)
        table.move_cursor_to(case_id)
        table.focus()

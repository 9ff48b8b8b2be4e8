"""Record the court's s11G request to monitor a direction, and each session's attendance.

Children Act 1989 s11G(2): the court may ask the officer to monitor the person's compliance with
an activity direction or condition and to report any failure to the court. The officer records
who asked and when, the period, each session (date; attended / did not attend / in part; who
said so) and, once a failure is recorded, when the court expects the report and when it was
made. What falls due is the rules' (duty_tui/services/monitoring.py), shown on the direction's
card and the duty list.

Keyboard only: Tab between fields, Enter in the last session field adds the session, ctrl+s
keeps, Escape cancels. Returns a :class:`MonitoringChange` or None (nothing changed).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import attrs
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from duty_tui.i18n import N_, _
from duty_tui.screens.translated import translate_bindings
from duty_tui.services.catalogue import entry
from duty_tui.services.record_text import activity_name, capitalised, label, record_message
from duty_tui.widgets.case_fields import format_date
from duty_tui.widgets.field import FieldRow
from duty_tui.widgets.plain import plain, plain_str
from records.entry import check_monitoring, check_not_future
from records.model import (
    Attendance,
    Case,
    Direction,
    Monitoring,
    RecordError,
    SessionRecord,
)

# The record's field names (RecordError.field) -> the row that shows the reason.
ROW_OF = {
    "monitoring asked by": "row-asked-by",
    "monitoring asked on": "row-asked-on",
    "monitoring from": "row-from",
    "monitoring to": "row-to",
    "report due on": "row-report-due",
    "reported on": "row-reported",
    "sessions": "row-session-on",
    "session date": "row-session-on",
    "attendance": "row-attendance",
    "attendance source": "row-session-source",
}


@attrs.frozen
class MonitoringChange:
    """What to keep on the direction: the request, or None to remove it."""

    monitoring: Monitoring | None


class MonitoringScreen(ModalScreen[MonitoringChange | None]):
    CSS_PATH = "dialog.tcss"
    help_title = N_("s11G monitoring")
    AUTO_FOCUS = "#monitoring-asked-by"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="monitoring.cancel"),
        Binding("ctrl+s", "save", N_("Keep"), id="monitoring.save"),
    ]

    def __init__(self, case: Case, direction: Direction, today: dt.date) -> None:
        super().__init__()
        self.case = case
        self.direction = direction
        self.today = today
        self.sessions: list[SessionRecord] = (
            list(direction.monitoring.sessions) if direction.monitoring else []
        )

    @staticmethod
    def _input(text: str, name: str, value: str, placeholder: str = "") -> FieldRow:
        control = Input(
            value, placeholder=placeholder or _("DD/MM/YYYY"), compact=True, id=f"monitoring-{name}"
        )
        return FieldRow(text, control, id=f"row-{name}")

    def on_mount(self) -> None:
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        d = self.direction
        m = d.monitoring
        party = self.case.party(d.party_id)
        asked_on = m.asked_on if m else (d.directed_on or self.case.hearing.date)
        with Vertical(id="monitoring-box", classes="dialog tall"):
            yield Static(
                plain(
                    _("Monitoring (s11G): {activity} for {name}").format(
                        activity=activity_name(entry(d.activity).name), name=party.name
                    )
                ),
                classes="dialog-title",
            )
            yield Static(
                _(
                    "The court may ask you to monitor compliance and report any failure to it "
                    "(Children Act 1989 s11G). Record the request, then each session."
                ),
                classes="explain",
            )
            with VerticalScroll(id="monitoring-form"):
                yield self._input(
                    _("Asked by"), "asked-by", m.asked_by if m else "", _("the judge or bench")
                )
                yield self._input(_("Asked on"), "asked-on", format_date(asked_on))
                yield self._input(
                    _("Monitor from"), "from", format_date(m.period_from if m else asked_on)
                )
                yield self._input(_("Monitor to"), "to", format_date(m.period_to if m else None))
                yield self._input(
                    _("Report due on"),
                    "report-due",
                    format_date(m.report_due_on if m else None),
                    _("DD/MM/YYYY, when the court expects a failure reported"),
                )
                yield self._input(
                    _("Reported on"), "reported", format_date(m.reported_on if m else None)
                )
                yield Static(self._sessions_text(), id="monitoring-sessions")
                yield self._input(_("Session on"), "session-on", "")
                yield FieldRow(
                    _("Attendance"),
                    Select(
                        [(capitalised(label(a)), a.value) for a in Attendance],
                        value=Attendance.ATTENDED.value,
                        allow_blank=False,
                        compact=True,
                        id="monitoring-attendance",
                    ),
                    id="row-attendance",
                )
                yield self._input(
                    _("Said by"),
                    "session-source",
                    "",
                    _("who reported it, e.g. provider's register (Enter adds)"),
                )
                with Horizontal(classes="buttons"):
                    yield Button(_("Add session"), id="add-session", compact=True)
                    yield Button(_("Remove last session"), id="remove-session", compact=True)
            with Horizontal(classes="buttons"):
                yield Button(_("Keep (ctrl+s)"), id="save", variant="primary", compact=True)
                if m is not None:
                    yield Button(_("Remove monitoring"), id="remove", compact=True)
                yield Button(_("Cancel"), id="cancel", compact=True)

    def _sessions_text(self) -> Text:
        if not self.sessions:
            return Text(_("No session recorded yet."), style="dim")
        text = Text(_("Sessions:"), style="bold")
        for s in sorted(self.sessions, key=lambda s: s.on):
            style = "red" if s.attendance.failure else ""
            text.append(f"\n  {s.on:%d/%m/%Y} ", style=style)
            text.append(plain_str(f"{label(s.attendance)} · {s.source}"), style=style)
        return text

    def _value(self, name: str) -> str:
        return self.query_one(f"#monitoring-{name}", Input).value

    def _clear_errors(self) -> None:
        for row in self.query(FieldRow):
            row.show_error(None)

    def _show_error(self, exc: RecordError) -> None:
        row = self.query_one(f"#{ROW_OF.get(exc.field, 'row-asked-by')}", FieldRow)
        row.show_error(record_message(exc))
        self.set_focus(row.control)

    # --- sessions ------------------------------------------------------------------------------

    @on(Input.Submitted, "#monitoring-session-source")
    @on(Button.Pressed, "#add-session")
    def add_session(self) -> None:
        self._clear_errors()
        try:
            session = SessionRecord(
                on=self._value("session-on"),
                attendance=str(self.query_one("#monitoring-attendance", Select).value),
                source=self._value("session-source"),
            )
            check_not_future("session date", session.on, today=self.today)
        except RecordError as exc:
            self._show_error(exc)
            return
        self.sessions.append(session)
        self.query_one("#monitoring-sessions", Static).update(self._sessions_text())
        self.query_one("#monitoring-session-on", Input).value = ""
        self.query_one("#monitoring-session-source", Input).value = ""
        self.set_focus(self.query_one("#monitoring-session-on", Input))

    @on(Button.Pressed, "#remove-session")
    def remove_session(self) -> None:
        if self.sessions:
            self.sessions.pop()
            self.query_one("#monitoring-sessions", Static).update(self._sessions_text())

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        if event.input.id != "monitoring-session-source":
            self.focus_next()

    # --- keeping -------------------------------------------------------------------------------

    def read(self) -> Monitoring:
        monitoring = Monitoring(
            asked_by=self._value("asked-by"),
            asked_on=self._value("asked-on"),
            period_from=self._value("from"),
            period_to=self._value("to"),
            sessions=tuple(self.sessions),
            report_due_on=self._value("report-due"),
            reported_on=self._value("reported"),
        )
        check_monitoring(monitoring, today=self.today)
        return monitoring

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self._clear_errors()
        try:
            monitoring = self.read()
        except RecordError as exc:
            self._show_error(exc)
            return
        self.dismiss(MonitoringChange(monitoring))

    @on(Button.Pressed, "#remove")
    def remove_monitoring(self) -> None:
        self.dismiss(MonitoringChange(None))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

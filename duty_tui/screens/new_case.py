"""New case: the few facts a case cannot exist without, returned as a ``Case`` (or None).

Court, jurisdiction and officer come from the officer's profile; the hearing date defaults to
the day on screen. The parties' names are optional here, to save a trip through the case form.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from duty_tui.desk_access import DeskAccess
from duty_tui.i18n import N_, _
from duty_tui.screens.translated import translate_bindings
from duty_tui.services.jurisdiction import court_mismatch
from duty_tui.services.record_text import record_message
from duty_tui.widgets.case_fields import format_date
from duty_tui.widgets.field import FieldRow
from duty_tui.widgets.plain import plain
from records.model import (
    Case,
    Hearing,
    Party,
    PartyRole,
    RecordError,
    parse_case_number,
)

if TYPE_CHECKING:
    from duty_tui.config import OfficerProfile


class NewCaseScreen(DeskAccess, ModalScreen[Case | None]):
    CSS_PATH = "dialog.tcss"

    AUTO_FOCUS = "#new-number"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="new_case.cancel")
    ]
    help_title = N_("New case")

    def __init__(self, profile: OfficerProfile, day: dt.date) -> None:
        super().__init__()
        self.profile = profile
        self.day = day

    def on_mount(self) -> None:
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="new-case-box", classes="dialog"):
            yield Static(_("New case"), classes="dialog-title")
            yield Static(
                plain(f"{self.profile.court} · {self.profile.jurisdiction.service} · FHDRA"),
                classes="explain",
            )
            # JUR-COURT: the profile's court reads as the other side of the border.
            mismatch = court_mismatch(self.profile.court, self.profile.jurisdiction)
            if mismatch:
                yield Static(plain(f"! {mismatch}"), classes="explain", id="new-jurisdiction")
            yield FieldRow(
                _("Case number"),
                Input(
                    compact=True,
                    id="new-number",
                    placeholder=_("e.g. CF24P01234 or 1234-5678-9012-3456"),
                ),
                id="row-new-number",
            )
            yield FieldRow(
                _("Hearing date"),
                Input(
                    format_date(self.day), id="new-date", placeholder=_("DD/MM/YYYY"), compact=True
                ),
                id="row-new-date",
            )
            yield FieldRow(
                _("Applicant"),
                Input(compact=True, id="new-applicant", placeholder=_("name (can wait)")),
                id="row-new-applicant",
            )
            yield FieldRow(
                _("Respondent"),
                Input(compact=True, id="new-respondent", placeholder=_("name (can wait)")),
                id="row-new-respondent",
            )
            with Horizontal(classes="buttons"):
                yield Button(_("Create"), id="create", variant="primary", compact=True)
                yield Button(_("Cancel"), id="cancel", compact=True)
            yield Static(_("Enter moves on · Escape cancels"), classes="explain")

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        if event.input.id == "new-respondent":
            self.create()
        else:
            self.focus_next()

    @on(Button.Pressed, "#create")
    def _create(self) -> None:
        self.create()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def _error(self, row: str, message: str) -> None:
        field_row = self.query_one(row, FieldRow)
        field_row.show_error(message)
        self.set_focus(field_row.control)

    def create(self) -> None:
        for row in self.query(FieldRow):
            row.show_error(None)
        value = {name: self.query_one(f"#new-{name}", Input).value for name in
                 ("number", "date", "applicant", "respondent")}  # fmt: skip
        try:
            number = parse_case_number(value["number"])
        except RecordError as exc:
            self._error("#row-new-number", record_message(exc))
            return
        existing = self.desk.index.find_number(number)
        if existing is not None:
            when = format_date(existing.hearing_date)
            self._error(
                "#row-new-number",
                _("{number} is already on the list (hearing {date})").format(
                    number=number, date=when
                ),
            )
            return
        try:
            hearing = Hearing(date=value["date"])
        except RecordError as exc:
            self._error("#row-new-date", record_message(exc))
            return
        parties: list[Party] = []
        for name, role in (
            ("applicant", PartyRole.APPLICANT),
            ("respondent", PartyRole.RESPONDENT),
        ):
            if not value[name].strip():
                continue
            try:
                parties.append(Party(name=value[name], role=role))
            except RecordError as exc:
                self._error(f"#row-new-{name}", record_message(exc))
                return
        self.dismiss(
            Case(
                case_number=number,
                court=self.profile.court,
                jurisdiction=self.profile.jurisdiction,
                hearing=hearing,
                officer=self.profile.officer,
                parties=parties,
            )
        )

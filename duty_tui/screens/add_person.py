"""Add a party or a child: who they are and their name (and a child's date of birth).

Returns the new ``Party`` or ``Child`` record, or None. A record cannot exist without a valid
name (and date of birth), so the dialog asks for those; everything else is filled in on the case
form, saved as it is typed.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from duty_tui.i18n import N_, _
from duty_tui.screens.translated import translate_bindings
from duty_tui.services.record_text import record_message
from duty_tui.widgets.field import FieldRow
from records.entry import parse_date_of_birth
from records.model import Child, Party, PartyRole, RecordError

CHILD = "child"
KINDS: list[tuple[str, str]] = [
    (N_("Applicant"), PartyRole.APPLICANT.value),
    (N_("Respondent"), PartyRole.RESPONDENT.value),
    (N_("Other family member"), PartyRole.OTHER_FAMILY_MEMBER.value),
    (N_("Child"), CHILD),
]


class AddPersonScreen(ModalScreen[Party | Child | None]):
    CSS_PATH = "dialog.tcss"

    AUTO_FOCUS = "#person-kind"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="add_person.cancel")
    ]
    help_title = N_("Add a person")

    def __init__(self, kind: str | None = None, *, today: dt.date, hearing_date: dt.date) -> None:
        super().__init__()
        # Chosen already (an "Add child" button): straight to the name; otherwise ask who.
        if kind is not None:
            self.AUTO_FOCUS = "#person-name"
        self.kind = kind or PartyRole.APPLICANT.value
        self.today = today
        # A child is one under 18 at this hearing (records/entry.py).
        self.hearing_date = hearing_date

    def on_mount(self) -> None:
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="add-person-box", classes="dialog"):
            yield Static(_("Add a person to the case"), classes="dialog-title")
            yield FieldRow(
                _("Who"),
                Select(
                    [(_(kind), value) for kind, value in KINDS],
                    value=self.kind,
                    allow_blank=False,
                    id="person-kind",
                    compact=True,
                ),
                id="row-person-kind",
            )
            yield FieldRow(_("Name"), Input(compact=True, id="person-name"), id="row-person-name")
            yield FieldRow(
                _("Date of birth"),
                Input(compact=True, id="person-born", placeholder=_("DD/MM/YYYY")),
                id="row-person-born",
                classes="" if self.kind == CHILD else "-hidden",
            )
            with Horizontal(classes="buttons"):
                yield Button(_("Add"), id="add", variant="primary", compact=True)
                yield Button(_("Cancel"), id="cancel", compact=True)
            yield Static(_("Enter adds · Escape cancels"), classes="explain")

    @on(Select.Changed, "#person-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        self.kind = str(event.value)
        self.query_one("#row-person-born").set_class(self.kind != CHILD, "-hidden")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "person-name" and self.kind == CHILD:
            self.focus_next()
        else:
            self.add()

    @on(Button.Pressed, "#add")
    def _add(self) -> None:
        self.add()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def add(self) -> None:
        for row in self.query(FieldRow):
            row.show_error(None)
        name = self.query_one("#person-name", Input).value
        if self.kind != CHILD:
            try:
                self.dismiss(Party(name=name, role=self.kind))
            except RecordError as exc:
                self._error("#row-person-name", record_message(exc))
            return
        born_text = self.query_one("#person-born", Input).value
        born: dt.date | None = None
        try:
            born = parse_date_of_birth(born_text, today=self.today, hearing_date=self.hearing_date)
        except RecordError as exc:
            born_error = record_message(exc)
        try:
            child = Child(name=name, date_of_birth=born or self.today)
        except RecordError as exc:
            if exc.field == "name" or born is not None:
                self._error("#row-person-name", record_message(exc))
                return
        if born is None:
            self._error("#row-person-born", born_error)
            return
        self.dismiss(child)

    def _error(self, row: str, message: str) -> None:
        field_row = self.query_one(row, FieldRow)
        field_row.show_error(message)
        self.set_focus(field_row.control)

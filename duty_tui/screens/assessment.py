"""Record the officer's own assessment for supervised contact or a Child Contact Intervention.

domain.md (Suitability): supervised contact and CCI depend on the officer's judgement; the tool
records who made it, when and why, and quotes it in the verdict. It never makes it. Returns the
new ``Assessment`` or None.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from duty_tui.i18n import N_, _
from duty_tui.screens.translated import translate_bindings
from duty_tui.services.catalogue import entry
from duty_tui.services.record_text import activity_name, record_message
from duty_tui.widgets.case_fields import format_date
from duty_tui.widgets.field import FieldRow
from duty_tui.widgets.plain import plain
from records.entry import check_not_future
from records.model import Activity, Assessment, Party, RecordError

ROWS = {"assessed by": "#row-assessed-by", "assessed on": "#row-assessed-on", "reason": "#row-why"}


class AssessmentScreen(ModalScreen[Assessment | None]):
    CSS_PATH = "dialog.tcss"
    help_title = N_("Record an assessment")
    AUTO_FOCUS = "#assessed-why"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="assessment.cancel"),
    ]

    def __init__(
        self, party: Party, activity: Activity, *, officer_name: str, today: dt.date
    ) -> None:
        super().__init__()
        self.party = party
        self.activity = activity
        self.officer_name = officer_name
        self.today = today

    def on_mount(self) -> None:
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        name = activity_name(entry(self.activity).name)
        with Vertical(id="assessment-box", classes="dialog"):
            yield Static(
                plain(
                    _("Your assessment: {activity} for {name}").format(
                        activity=name, name=self.party.name
                    )
                ),
                classes="dialog-title",
            )
            yield Static(
                _(
                    "Record the judgement you made (who, when, why). The tool quotes it; it "
                    "does not make it."
                ),
                classes="explain",
            )
            yield FieldRow(
                _("Assessed by"),
                Input(self.officer_name, compact=True, id="assessed-by"),
                id="row-assessed-by",
            )
            yield FieldRow(
                _("Assessed on"),
                Input(format_date(self.today), compact=True, id="assessed-on"),
                id="row-assessed-on",
            )
            yield FieldRow(
                _("Why"),
                Input(compact=True, id="assessed-why", placeholder=_("what you weighed, briefly")),
                id="row-why",
            )
            with Horizontal(classes="buttons"):
                yield Button(_("Record"), id="record", variant="primary", compact=True)
                yield Button(_("Cancel"), id="cancel", compact=True)
            yield Static(_("Enter records · Escape cancels"), classes="explain")

    @on(Input.Submitted)
    @on(Button.Pressed, "#record")
    def record(self) -> None:
        for row in self.query(FieldRow):
            row.show_error(None)
        try:
            assessment = Assessment(
                activity=self.activity,
                assessed_by=self.query_one("#assessed-by", Input).value,
                assessed_on=self.query_one("#assessed-on", Input).value,
                reason=self.query_one("#assessed-why", Input).value,
                party_id=self.party.id,
            )
            check_not_future("assessed on", assessment.assessed_on, today=self.today)
        except RecordError as exc:
            row = self.query_one(ROWS.get(exc.field, "#row-why"), FieldRow)
            row.show_error(record_message(exc))
            self.set_focus(row.control)
            return
        self.dismiss(assessment)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

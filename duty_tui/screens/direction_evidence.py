"""The direction dialog's evidence rows (issue 11, items 6 and 7).

Contact route (a) is funded only when "court ordered at a First Hearing Dispute Resolution
Appointment (FHDRA) after consultation with the ... FCA or FCSW on court duty and agreed with
both parties" (Welsh Government ATISN 16942): for a contact centre, each parent's answer (not
asked / yes / no), the day they gave it and a note, and the officer's note of the consultation.
For a fee-paying activity (WT4C, the mediation session): the day the party was told financial
assistance exists, and after a refusal the day they confirmed they will pay (recorded by the
case's officer).

Rows are built and read here so the dialog (direction.py) only places them. Widget ids:
``direction-agreed-<party id>``, ``direction-agreed-on-<party id>``,
``direction-agreed-note-<party id>``, ``direction-consultation``, ``direction-told-on``,
``direction-pays-on``; each in the row ``row-<same suffix>``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from textual.widget import Widget
from textual.widgets import Input, Select, Static

from duty_tui.i18n import _
from duty_tui.services.record_text import capitalised, label, record_message
from duty_tui.widgets.case_fields import format_date
from duty_tui.widgets.field import FieldRow
from records.model import (
    Activity,
    Agreed,
    Case,
    Direction,
    PartyAgreement,
    PartyRole,
    RecordError,
)

CONTACT = (Activity.CONTACT_SUPPORTED, Activity.CONTACT_SUPERVISED)
# RecordError.field -> the row that shows it (the dialog also has its own table).
ROW_OF = {
    "consultation note": "row-consultation",
    "told of assistance on": "row-told-on",
    "will pay confirmed on": "row-pays-on",
}


class Form(Protocol):
    def _value(self, widget_id: str) -> str | None: ...


def principal_parties(case: Case) -> list[Any]:
    return [p for p in case.parties if p.role in (PartyRole.APPLICANT, PartyRole.RESPONDENT)]


def _input(label: str, name: str, value: str, placeholder: str) -> FieldRow:
    control = Input(value, placeholder=placeholder, compact=True, id=f"direction-{name}")
    return FieldRow(label, control, id=f"row-{name}")


def rows(case: Case, d: Direction) -> list[Widget]:
    """Route (a)'s evidence rows, for a contact centre."""
    out: list[Widget] = []
    if d.activity in CONTACT:
        out.append(
            Static(
                _("Route (a): each parent's agreement, and your note of the court's consultation"),
                classes="section-note",
            )
        )
        for party in principal_parties(case):
            a = d.agreement_of(party.id)
            control = Select(
                [(capitalised(label(answer)), answer.value) for answer in Agreed],
                value=a.agreed.value,
                allow_blank=False,
                compact=True,
                id=f"direction-agreed-{party.id}",
            )
            out.append(
                FieldRow(
                    _("{name} agreed").format(name=party.name),
                    control,
                    id=f"row-agreed-{party.id}",
                )
            )
            out.append(
                _input(
                    _("  agreed on"),
                    f"agreed-on-{party.id}",
                    format_date(a.agreed_on),
                    _("DD/MM/YYYY"),
                )
            )
            out.append(_input(_("  note"), f"agreed-note-{party.id}", a.note, _("what they said")))
        out.append(
            _input(
                _("Consultation note"),
                "consultation",
                d.consultation_note,
                _("e.g. the judge asked me about contact before ordering it"),
            )
        )
    return out


def told_row(d: Direction) -> FieldRow:
    """When the party was told financial assistance can be applied for (before applying)."""
    told = format_date(d.assistance_told_on)
    return _input(_("Told of assistance on"), "told-on", told, _("DD/MM/YYYY: told they may apply"))


def pays_row(d: Direction) -> FieldRow:
    """After a refusal: when the party confirmed they will pay (recorded by the officer)."""
    when = format_date(d.pays_confirmed_on)
    return _input(_("Will pay: confirmed on"), "pays-on", when, _("DD/MM/YYYY: after a refusal"))


def read(form: Form, case: Case, d: Direction, *, today: dt.date, officer: str) -> dict[str, Any]:
    """The evidence fields as the form stands, as changes for ``attrs.evolve(direction)``.
    RecordError's field is a key of ROW_OF or ``agreed on:<party id>``."""
    changes: dict[str, Any] = {}
    if d.activity in CONTACT:
        agreements = []
        for party in principal_parties(case):
            agreed = form._value(f"direction-agreed-{party.id}")
            if agreed is None:
                continue
            try:
                agreement = PartyAgreement(
                    party_id=party.id,
                    agreed=agreed,
                    agreed_on=form._value(f"direction-agreed-on-{party.id}"),
                    note=form._value(f"direction-agreed-note-{party.id}") or "",
                )
            except RecordError as exc:
                raise RecordError(
                    field=f"agreed on:{party.id}", message=record_message(exc)
                ) from None
            if agreement.agreed_on is not None and agreement.agreed_on > today:
                raise RecordError(
                    field=f"agreed on:{party.id}",
                    message=_("{date} is in the future").format(
                        date=f"{agreement.agreed_on:%d/%m/%Y}"
                    ),
                )
            if agreement != PartyAgreement(party_id=party.id):
                agreements.append(agreement)
        # Agreements of anyone no longer a parent of the case are kept as recorded.
        shown = {p.id for p in principal_parties(case)}
        kept = [a for a in d.agreements if a.party_id not in shown]
        changes["agreements"] = (*kept, *agreements)
        consultation = form._value("direction-consultation")
        if consultation is not None:
            changes["consultation_note"] = consultation
    told = form._value("direction-told-on")
    if told is not None:
        changes["assistance_told_on"] = told
    pays = form._value("direction-pays-on")
    if pays is not None:
        changes["pays_confirmed_on"] = pays
        # Recorded by the case's officer: the one who heard the party say it.
        changes["pays_confirmed_by"] = officer if pays.strip() else ""
    return changes


def check_dates(d: Direction, today: dt.date) -> None:
    """What the party was told and said is recorded after it happened."""
    for field, day in (
        ("told of assistance on", d.assistance_told_on),
        ("will pay confirmed on", d.pays_confirmed_on),
    ):
        if day is not None and day > today:
            raise RecordError(field, _("{date} is in the future").format(date=f"{day:%d/%m/%Y}"))


def row_of(field: str) -> str | None:
    if field.startswith("agreed on:"):
        return f"row-agreed-on-{field.removeprefix('agreed on:')}"
    return ROW_OF.get(field)

"""Capture an activity direction from a chosen option: status, funding, delivery, dates.

The wording the order would carry (services.wording.direction_text) is shown as the officer
types, with anything s11A forbids refused beside the field; ctrl+y copies it. Below it, whether
the referral could be queued as things stand (services.assessment.readiness) and why not.
Returns the ``Direction`` to keep (new or changed), or None.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import attrs
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from duty_tui.i18n import N_, _
from duty_tui.screens import direction_evidence as evidence
from duty_tui.screens.translated import translate_bindings
from duty_tui.services.assessment import ReadinessStatus, readiness
from duty_tui.services.catalogue import Effect, entry
from duty_tui.services.options import Directory
from duty_tui.services.record_text import activity_name, capitalised, label, record_message
from duty_tui.services.wording import check_s11a, direction_text
from duty_tui.widgets.case_fields import format_date
from duty_tui.widgets.field import FieldRow
from duty_tui.widgets.plain import plain, plain_str
from duty_tui.widgets.reasons import reasons_text
from records.model import (
    AssistanceDecision,
    Case,
    Direction,
    DirectionStatus,
    FundingRoute,
    OrderType,
    Provision,
    RecordError,
)

NOT_DECIDED = "-"
# Marked here, translated when the dialog is built (in the language of that moment).
FUNDING_LABELS = {
    FundingRoute.LEGAL_AID: N_("Legal aid (free)"),
    FundingRoute.PAID: N_("The party pays the fee"),
    FundingRoute.FINANCIAL_ASSISTANCE: N_("Financial assistance applied for"),
    FundingRoute.FHDRA_AGREED: N_("(a) ordered at the FHDRA, both parties agreed"),
    FundingRoute.REPORT_OR_INVOLVEMENT: N_("(b) report recommendation or active involvement"),
    FundingRoute.SERVICE_FUNDED: N_("Funded by the service"),
    FundingRoute.SELF_REFERRAL: N_("Self-referral: the parties pay"),
}
STATUS_CHOICES = [
    (N_("Proposed (not yet ordered)"), DirectionStatus.PROPOSED.value),
    (N_("Directed by the court"), DirectionStatus.DIRECTED.value),
]


def _choices(members: list[Any]) -> list[tuple[str, str]]:
    # Not str.capitalize(): it would write "s11a".
    return [(capitalised(label(m)), m.value) for m in members]


# The record's field names (RecordError.field) -> the row that shows the reason.
ROW_OF = {
    "directed on": "row-directed-on",
    "assistance applied on": "row-assistance-on",
    "session on": "row-session-on",
    "completed on": "row-completed-on",
    "session": "row-session",
    "notes": "row-terms",
    "order type": "row-provision",
    "hours directed": "row-hours",
}


class DirectionScreen(ModalScreen[Direction | None]):
    CSS_PATH = "dialog.tcss"
    help_title = N_("Activity direction")
    AUTO_FOCUS = "#direction-status"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="direction.cancel"),
        Binding("ctrl+s", "save", N_("Keep the direction"), id="direction.save"),
        Binding("ctrl+y", "copy", N_("Copy the wording"), id="direction.copy"),
    ]

    def __init__(
        self, case: Case, direction: Direction, directory: Directory, today: dt.date
    ) -> None:
        super().__init__()
        self.case = case
        self.original = direction
        self.direction = direction
        self.directory = directory
        self.today = today
        self.entry = entry(direction.activity)

    # --- the form ------------------------------------------------------------------------------

    # Each field is the widget "direction-<name>" in the row "row-<name>" (see ROW_OF).

    @staticmethod
    def _select(label: str, name: str, choices: list[tuple[str, str]], value: str) -> FieldRow:
        control = Select(
            choices, value=value, allow_blank=False, compact=True, id=f"direction-{name}"
        )
        return FieldRow(label, control, id=f"row-{name}")

    @staticmethod
    def _input(label: str, name: str, value: str, placeholder: str = "") -> FieldRow:
        control = Input(value, placeholder=placeholder, compact=True, id=f"direction-{name}")
        return FieldRow(label, control, id=f"row-{name}")

    def _date(self, label: str, name: str, value: dt.date | None, hint: str = "") -> FieldRow:
        return self._input(label, name, format_date(value), hint or _("DD/MM/YYYY"))

    def compose(self) -> ComposeResult:
        d = self.direction
        party = self.case.party(d.party_id)
        provider = self.directory.get(d.provider_id) if d.provider_id else None
        funding = [(_(FUNDING_LABELS[r]), r.value) for r in self.entry.funding_routes]
        funding.insert(0, (_("Not decided yet"), NOT_DECIDED))
        modes = list(self.entry.delivery)
        if d.delivery not in modes:
            modes.append(d.delivery)
        deliveries = _choices(modes)
        name = activity_name(self.entry.name)
        with Vertical(id="direction-box", classes="dialog tall"):
            yield Static(
                plain(
                    _("{activity} for {name} ({role})").format(
                        activity=name, name=party.name, role=label(party.role).lower()
                    )
                ),
                classes="dialog-title",
            )
            yield Static(
                plain(
                    _("Provider: {name}").format(name=provider.name)
                    if provider
                    else _("Provider: none chosen")
                ),
                id="direction-provider",
            )
            with VerticalScroll(id="direction-form"):
                statuses = [(_(text), value) for text, value in STATUS_CHOICES]
                yield self._select(_("Status"), "status", statuses, d.status.value)
                yield self._date(
                    _("Directed on"),
                    "directed-on",
                    d.directed_on,
                    _("DD/MM/YYYY (the day the court made it)"),
                )
                yield self._select(_("Delivery"), "delivery", deliveries, d.delivery.value)
                chosen = d.funding.value if d.funding else NOT_DECIDED
                yield self._select(_("Funding"), "funding", funding, chosen)
                # Route (a)'s evidence and what the party was told and said about paying
                # (issue 11, items 6-7).
                yield from evidence.rows(self.case, d)
                if FundingRoute.FINANCIAL_ASSISTANCE in self.entry.funding_routes:
                    yield evidence.told_row(d)
                    yield self._date(
                        _("Assistance applied on"),
                        "assistance-on",
                        d.assistance_applied_on,
                        _("DD/MM/YYYY (received)"),
                    )
                    decision = d.assistance_decision.value
                    yield self._select(
                        _("Assistance decision"),
                        "decision",
                        _choices(list(AssistanceDecision)),
                        decision,
                    )
                    yield evidence.pays_row(d)
                if self.entry.funded_hours:
                    # A Child Contact Intervention: Cafcass funds up to 12 hours.
                    hours = "" if d.hours_directed is None else str(d.hours_directed)
                    yield self._input(
                        _("Hours directed"),
                        "hours",
                        hours,
                        _("whole hours; up to {hours} funded").format(
                            hours=self.entry.funded_hours
                        ),
                    )
                yield self._input(
                    _("Group or session"), "session", d.session, _("e.g. group B, Tuesday")
                )
                yield self._date(_("Session on"), "session-on", d.session_on)
                yield self._date(_("Completed on"), "completed-on", d.completed_on)
                yield self._input(
                    _("Extra terms"), "terms", d.notes, _("added to the wording; s11A-checked")
                )
                # Children Act 1989 s11A(7) / s11C: what the court made decides the wording.
                orders = _choices(list(OrderType))
                yield self._select(_("Order"), "order-type", orders, d.order_type.value)
                provisions = _choices(list(Provision))
                yield self._select(_("Made as"), "provision", provisions, d.provision.value)
            yield Static("", id="direction-wording")
            yield Static("", id="direction-readiness")
            with Horizontal(classes="buttons"):
                yield Button(_("Keep (ctrl+s)"), id="save", variant="primary", compact=True)
                yield Button(_("Copy wording (ctrl+y)"), id="copy", compact=True)
                yield Button(_("Cancel"), id="cancel", compact=True)

    def on_mount(self) -> None:
        translate_bindings(self)
        self._preview()

    # --- reading the form ----------------------------------------------------------------------

    def _value(self, widget_id: str) -> str | None:
        found = self.query(f"#{widget_id}")
        if not found:
            return None
        widget = found.first()
        if isinstance(widget, Input):
            return widget.value
        if isinstance(widget, Select):
            return str(widget.value)
        return None

    def read(self) -> Direction:
        """The direction as the form stands; RecordError names the field that is wrong."""
        changes: dict[str, Any] = {
            "status": self._value("direction-status"),
            "directed_on": self._value("direction-directed-on"),
            "delivery": self._value("direction-delivery"),
            "session": self._value("direction-session"),
            "session_on": self._value("direction-session-on"),
            "completed_on": self._value("direction-completed-on"),
            "notes": self._value("direction-terms"),
            "order_type": self._value("direction-order-type"),
            "provision": self._value("direction-provision"),
        }
        funding = self._value("direction-funding")
        changes["funding"] = None if funding in (None, NOT_DECIDED) else funding
        hours = self._value("direction-hours")
        if hours is not None:
            changes["hours_directed"] = hours
        changes.update(
            evidence.read(
                self, self.case, self.original, today=self.today, officer=self.case.officer.name
            )
        )
        applied = self._value("direction-assistance-on")
        if applied is not None:
            changes["assistance_applied_on"] = applied
            changes["assistance_decision"] = self._value("direction-decision")
        direction = attrs.evolve(self.original, **changes)
        for field, day in (
            ("directed on", direction.directed_on),
            ("assistance applied on", direction.assistance_applied_on),
        ):
            if day is not None and day > self.today:
                raise RecordError(
                    field, _("{date} is in the future").format(date=f"{day:%d/%m/%Y}")
                )
        if direction.order_type is OrderType.FINAL and direction.provision is Provision.DIRECTION:
            raise RecordError(
                field="order type",
                message=_(
                    "a final order takes an activity condition (s11C), not a direction "
                    "(Children Act 1989 s11A(7)); or choose interim if proceedings go on"
                ),
            )
        evidence.check_dates(direction, self.today)
        # The order's date is the officer's to enter: never assumed from the hearing's, or
        # "ordered at the FHDRA" (contact route (a)) would be met by default (issue 11, item 6).
        return direction

    def _with(self, direction: Direction) -> Case:
        others = [d for d in self.case.directions if d.id != direction.id]
        return attrs.evolve(self.case, directions=(*others, direction))

    # --- showing -------------------------------------------------------------------------------

    def _clear_errors(self) -> None:
        for row in self.query(FieldRow):
            row.show_error(None)

    def _show_error(self, exc: RecordError) -> FieldRow:
        row_id = ROW_OF.get(exc.field) or evidence.row_of(exc.field) or "row-terms"
        row = self.query_one(f"#{row_id}", FieldRow)
        row.show_error(record_message(exc))
        return row

    def _preview(self) -> None:
        try:
            direction = self.read()
        except RecordError as exc:
            if exc.field == "order type":
                # Say it at once: the officer has just chosen it, and nothing else shows why;
                # the reason sits on the next row, which a tall form may have below the fold.
                # (after the next layout: the reason makes the row taller).
                self.call_after_refresh(self._show_error(exc).scroll_visible)
            return  # keep showing the last good preview; the reason shows on ctrl+s / Enter
        self.query_one("#row-provision", FieldRow).show_error(None)
        undated = direction.status is DirectionStatus.DIRECTED and direction.directed_on is None
        # Said at once, not only on ctrl+s: blank until the officer enters it.
        self.query_one("#row-directed-on", FieldRow).show_error(
            _("enter it: never assumed") if undated else None
        )
        self.direction = direction
        provider = self.directory.get(direction.provider_id) if direction.provider_id else None
        words = direction_text(self.case, direction, provider, direction.notes)
        if words.cy is None:
            wording = Text(_("Wording: "), style="bold")
        else:
            # A case in Wales: the order is bilingual whatever the screens' language.
            wording = Text(_("Wording, Cymraeg: "), style="bold")
            wording.append(plain_str(words.cy))
            wording.append("\n")
            wording.append(_("Wording, English: "), style="bold")
        wording.append(plain_str(words.text))
        refusals = [
            r
            for r in words.reasons
            if r.rule_id.startswith("S11A-NO-") or r.rule_id == "S11A-INTERIM"
        ]
        if refusals:
            wording.append("\n")
            wording.append_text(reasons_text(refusals))
        self.query_one("#direction-wording", Static).update(wording)
        ready = readiness(self._with(direction), direction, self.directory, today=self.today)
        label = {
            ReadinessStatus.READY: (_("Referral: ready to queue"), "green"),
            ReadinessStatus.WAITING: (_("Referral: waiting"), "yellow"),
            ReadinessStatus.BLOCKED: (_("Referral: cannot be made as it stands"), "red"),
        }[ready.status]
        text = Text(label[0], style=f"bold {label[1]}")
        text.append(f" · {plain_str(ready.funding.who_pays)}\n")
        shown = [r for r in ready.reasons if r.effect.value not in ("met", "info")]
        text.append_text(
            reasons_text(shown, sources=False) if shown else Text(_("Nothing missing."))
        )
        self.query_one("#direction-readiness", Static).update(text)

    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self) -> None:
        self._preview()

    # --- actions -------------------------------------------------------------------------------

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.focus_next()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self._clear_errors()
        try:
            direction = self.read()
        except RecordError as exc:
            self.set_focus(self._show_error(exc).control)
            return
        # Near-the-line phrases are warnings shown with the wording; only a refusal stops here.
        refusals = [r for r in check_s11a(direction.notes) if r.effect is Effect.BLOCKS]
        if refusals:
            row = self.query_one("#row-terms", FieldRow)
            row.show_error(_("s11A: {reasons}").format(reasons="; ".join(r.text for r in refusals)))
            self.set_focus(row.control)
            return
        # The words of the order go with the direction, and with its referral to the provider.
        provider = self.directory.get(direction.provider_id) if direction.provider_id else None
        words = direction_text(self.case, direction, provider, direction.notes)
        self.dismiss(attrs.evolve(direction, wording=words.text, wording_cy=words.cy or ""))

    @on(Button.Pressed, "#copy")
    def action_copy(self) -> None:
        self._preview()
        provider = (
            self.directory.get(self.direction.provider_id) if self.direction.provider_id else None
        )
        words = direction_text(self.case, self.direction, provider, self.direction.notes)
        if words.refused:
            self.notify(
                _(
                    "Not copied: the wording cannot go into an order as it stands "
                    "(see the reasons)."
                ),
                severity="warning",
                markup=False,
            )
            return
        self.app.copy_to_clipboard(words.bilingual)
        self.notify(_("Wording copied to the clipboard."), markup=False)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

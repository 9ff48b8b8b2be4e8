"""Follow-ups: what must happen after a direction, and by when.

- attendance confirmed to the court or practitioner, and the evaluation form (001_, WT4C);
- the contact six months after WT4C completion (001_);
- the PTfC trainer's call, up to six weeks after the workshop (003_);
- the financial-assistance decision, 5 working days after receipt (000_);
- s11G monitoring asked by the court: the period, and the report of a failure
  (services/monitoring.py).

A follow-up whose anchor date (completion, workshop) is not recorded yet is still listed, with no
due date, so it is not forgotten.
"""

from __future__ import annotations

import calendar
import datetime as dt
from enum import StrEnum

import attrs

from duty_tui.i18n import _
from duty_tui.i18n_format import format_date
from duty_tui.services.catalogue import Effect, Reason, reason
from duty_tui.services.funding import assistance_decision_due
from duty_tui.services.monitoring import DueKind, due_items
from duty_tui.services.suitability import live_directions
from records.model import (
    Activity,
    AssistanceDecision,
    Case,
    Direction,
    DirectionStatus,
)

PTFC_CALL_WITHIN = dt.timedelta(weeks=6)  # 003_: "up to six weeks after the workshop"
SIX_MONTHS = 6  # 001_: "six months post completion"


class FollowUpKind(StrEnum):
    ATTENDANCE = "attendance"
    EVALUATION = "evaluation"
    SIX_MONTH_CONTACT = "six_month_contact"
    PTFC_CALL = "ptfc_call"
    ASSISTANCE_DECISION = "assistance_decision"
    MONITORING_PERIOD = "monitoring_period"
    MONITORING_REPORT = "monitoring_report"


@attrs.frozen
class FollowUp:
    kind: FollowUpKind
    direction_id: str
    party_id: str
    activity: Activity
    due: dt.date | None  # None: its anchor date is not recorded yet
    text: str
    reason: Reason
    overdue: bool


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, or the month's last day (31/08 + 6 months -> 28/02)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def followups(case: Case, *, today: dt.date) -> tuple[FollowUp, ...]:
    """Every follow-up of the case's live directions, soonest first (undated last). Pure."""
    items: list[FollowUp] = []
    for d in live_directions(case):
        items += _for_direction(case, d, today)
    by_id = {d.id: d for d in case.directions}
    for due in due_items(case, today=today):
        d = by_id[due.direction_id]
        kind = (
            FollowUpKind.MONITORING_REPORT
            if due.kind is DueKind.REPORT
            else FollowUpKind.MONITORING_PERIOD
        )
        items.append(
            FollowUp(kind, d.id, d.party_id, d.activity, due.due, due.text, due.reason, due.overdue)
        )
    return tuple(
        sorted(
            items, key=lambda f: (f.due is None, f.due or dt.date.max, f.kind.value, f.direction_id)
        )
    )


def _item(
    kind: FollowUpKind,
    d: Direction,
    due: dt.date | None,
    text: str,
    rule_id: str,
    today: dt.date,
    *,
    officers: bool = True,
) -> FollowUp:
    """``officers`` False: someone else's step (the PTfC trainer's call), shown for the officer's
    information, never waiting on them and never overdue."""
    return FollowUp(
        kind,
        d.id,
        d.party_id,
        d.activity,
        due,
        text,
        reason(rule_id, text, Effect.WAITING if officers else Effect.INFO),
        officers and due is not None and due < today,
    )


def _for_direction(case: Case, d: Direction, today: dt.date) -> list[FollowUp]:
    out: list[FollowUp] = []
    received = d.assistance_applied_on
    if (
        received is not None
        and received <= today
        and d.assistance_decision is AssistanceDecision.PENDING
    ):
        due = assistance_decision_due(received, case.jurisdiction)
        out.append(
            _item(
                FollowUpKind.ASSISTANCE_DECISION,
                d,
                due,
                _("financial-assistance decision due (received {date}, 5 working days)").format(
                    date=format_date(received)
                ),
                "FA-DECISION",
                today,
            )
        )
    if d.status is not DirectionStatus.DIRECTED:
        return out
    if d.activity is Activity.WT4C:
        anchor = d.completed_on or d.session_on
        out.append(
            _item(
                FollowUpKind.ATTENDANCE,
                d,
                anchor,
                _("confirm attendance to the court or the practitioner")
                if anchor
                else _(
                    "confirm attendance to the court or the practitioner (session date not "
                    "recorded yet)"
                ),
                "FU-ATTENDANCE",
                today,
            )
        )
        out.append(
            _item(
                FollowUpKind.EVALUATION,
                d,
                d.completed_on,
                _("evaluation form completed by the participant")
                if d.completed_on
                else _(
                    "evaluation form completed by the participant (at completion; not recorded yet)"
                ),
                "FU-EVALUATION",
                today,
            )
        )
        six = add_months(d.completed_on, SIX_MONTHS) if d.completed_on else None
        out.append(
            _item(
                FollowUpKind.SIX_MONTH_CONTACT,
                d,
                six,
                _("contact the participant six months after completion")
                if six
                else _(
                    "contact the participant six months after completion (completion not "
                    "recorded yet)"
                ),
                "FU-SIX-MONTHS",
                today,
            )
        )
    elif d.activity is Activity.PTFC:
        call = d.session_on + PTFC_CALL_WITHIN if d.session_on else None
        out.append(
            _item(
                FollowUpKind.PTFC_CALL,
                d,
                call,
                # 003_: "for some parents, you may receive a follow up call from a trainer":
                # the trainer's, and optional; the officer has nothing to chase.
                _(
                    "the trainer may call some parents, up to six weeks after the workshop (the "
                    "trainer's, optional; never overdue)"
                )
                if call
                else _(
                    "the trainer may call some parents, up to six weeks after the workshop (the "
                    "trainer's, optional; never overdue) (workshop date not recorded yet)"
                ),
                "FU-PTFC-CALL",
                today,
                officers=False,
            )
        )
    return out

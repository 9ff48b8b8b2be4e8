"""s11G monitoring: what the officer owes the court once asked to monitor a direction.

Children Act 1989 s11G(2): the court may ask the officer to monitor compliance with an activity
direction or condition (a) and to report to the court any failure to comply (b); s11G(3): the
officer must do as asked. Two things fall due (docs/rules.md, s11G monitoring):

- a failure recorded (did not attend, attended in part) and not yet reported: the report is due
  by the date the court expects (``report_due_on``), or at once when no date is recorded
  (``MONITOR-REPORT``, the tool's reading);
- the monitoring period: due at its end; a period that ends with no session recorded is
  overdue (``MONITOR-PERIOD``, the tool's reading). A period that ends with every session
  attended owes nothing: s11G asks for a report of failures only.

Pure: (direction, today) in, records out; no I/O, no clock.
"""

from __future__ import annotations

import datetime as dt

import attrs

from duty_tui.i18n import N_, _
from duty_tui.i18n_format import format_date
from duty_tui.services.catalogue import Effect, Reason, reason
from records.model import Attendance, Case, Direction, DirectionStatus, Monitoring
from records.monitoring import DueKind, marks


@attrs.frozen
class MonitoringDue:
    direction_id: str
    kind: DueKind
    due: dt.date
    text: str
    overdue: bool
    reason: Reason


def due_items(case: Case, *, today: dt.date) -> tuple[MonitoringDue, ...]:
    """Every monitoring item owed on ``today`` across the case's directions, soonest first."""
    items: list[MonitoringDue] = []
    for d in case.directions:
        if d.monitoring is None or d.status is DirectionStatus.WITHDRAWN:
            continue
        items += _for_direction(d, d.monitoring, today)
    return tuple(sorted(items, key=lambda i: (i.due, i.kind.value, i.direction_id)))


# records.model words these (Attendance.label) without gettext: the same words, marked.
ATTENDANCE_WORDS = {
    Attendance.ATTENDED: N_("attended"),
    Attendance.DID_NOT_ATTEND: N_("did not attend"),
    Attendance.PARTLY: N_("attended in part"),
}


def _missed(m: Monitoring) -> str:
    return ", ".join(
        _("{date} {attendance}").format(
            date=format_date(s.on), attendance=_(ATTENDANCE_WORDS[s.attendance])
        )
        for s in m.failures
    )


def _for_direction(d: Direction, m: Monitoring, today: dt.date) -> list[MonitoringDue]:
    out: list[MonitoringDue] = []
    for mark in marks(m):
        state = mark.state(today)
        if not state:
            continue
        overdue = state == "overdue"
        if mark.kind is DueKind.REPORT:
            text = (
                _("report the failure to comply to the court by {date}: {sessions}").format(
                    date=format_date(m.report_due_on), sessions=_missed(m)
                )
                if m.report_due_on
                else _(
                    "report the failure to comply to the court now (no date from the court "
                    "recorded): {sessions}"
                ).format(sessions=_missed(m))
            )
            rule_id = "MONITOR-REPORT"
        elif mark.recorded or not overdue:
            text = _(
                "monitoring compliance for the court until {date}: record each session's attendance"
            ).format(date=format_date(m.period_to))
            rule_id = "MONITOR-PERIOD"
        else:
            text = _("the monitoring period ended {date} with no attendance recorded").format(
                date=format_date(m.period_to)
            )
            rule_id = "MONITOR-PERIOD"
        out.append(
            MonitoringDue(
                d.id,
                mark.kind,
                mark.due,
                text,
                overdue,
                reason(rule_id, text, Effect.WAITING),
            )
        )
    return out


def check(d: Direction) -> tuple[Reason, ...]:
    """What to say about a direction's monitoring beside the direction (not what is due)."""
    m = d.monitoring
    if m is None:
        return ()
    reasons = [
        reason(
            "MONITOR-S11G",
            _(
                "the court ({judge}, {asked_on}) asked for compliance to be monitored from "
                "{start} to {end}"
            ).format(
                judge=m.asked_by,
                asked_on=format_date(m.asked_on),
                start=format_date(m.period_from),
                end=format_date(m.period_to),
            ),
            Effect.INFO,
        )
    ]
    if d.status is not DirectionStatus.DIRECTED:
        reasons.append(
            reason(
                "MONITOR-S11G",
                _("monitoring is recorded, but the direction is not recorded as made by the court"),
                Effect.WARNING,
            )
        )
    if m.failures and m.reported_on is None and m.report_due_on is None:
        reasons.append(
            reason(
                "MONITOR-REPORT",
                _("a failure to comply is recorded: record the date the court expects the report"),
                Effect.WARNING,
            )
        )
    return tuple(reasons)

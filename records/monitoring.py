"""Monitoring an activity direction or condition when the court asks (Children Act 1989 s11G).

s11G(2): where the court makes an activity direction or a child arrangements order with an
activity condition, it may ask an officer of the Service (Cafcass) or a Welsh family
proceedings officer (Cafcass Cymru) to monitor the person's compliance and to report to the
court any failure to comply; s11G(3) makes complying with the request the officer's duty.

The record says who asked and when, the period monitored, each session's attendance (with its
date and who said so), and, once a failure is recorded, the date the court expects the report
and the date it was made. What is due and overdue is worked out by the rules
(duty_tui/services/monitoring.py), not stored.

``records.model`` imports this module (a direction carries its monitoring), so the shared
parsers are looked up when a value is converted, not at import.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from typing import Any

import attrs

# A monitoring period is weeks or months; more sessions than this is not one record.
MAX_SESSIONS = 200


class Attendance(StrEnum):
    """What the provider (or the party) reported for one session."""

    ATTENDED = "attended"
    DID_NOT_ATTEND = "did_not_attend"
    PARTLY = "partly"

    @property
    def label(self) -> str:
        return {
            Attendance.ATTENDED: "attended",
            Attendance.DID_NOT_ATTEND: "did not attend",
            Attendance.PARTLY: "attended in part",
        }[self]

    @property
    def failure(self) -> bool:
        """Not attending, or attending only in part, is a failure to comply to report (s11G)."""
        return self is not Attendance.ATTENDED


def _error(field: str, message: str) -> Exception:
    from records.model import RecordError

    return RecordError(field, message)


def _text(field: str, max_length: int = 120, *, required: bool = False) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        from records.model import TEXT_MAX
        from records.model import _text as model_text

        return model_text(field, min(max_length, TEXT_MAX), required=required)(value)

    return convert


def _date(field: str) -> Callable[[Any], dt.date]:
    def convert(value: Any) -> dt.date:
        from records.model import parse_date

        return parse_date(value, field=field)

    return convert


def _optional_date(field: str) -> Callable[[Any], dt.date | None]:
    def convert(value: Any) -> dt.date | None:
        from records.model import parse_optional_date

        return parse_optional_date(value, field=field)

    return convert


def _id(value: Any) -> str:
    from records.model import parse_id

    return parse_id(value)


def _attendance(value: Any) -> Attendance:
    try:
        return Attendance(value)
    except ValueError:
        allowed = ", ".join(member.value for member in Attendance)
        raise _error("attendance", f"attendance {value!r} is not one of: {allowed}") from None


@attrs.frozen
class SessionRecord:
    """One session of the activity: its date, whether the person attended, and who said so."""

    on: dt.date = attrs.field(converter=_date("session date"))
    attendance: Attendance = attrs.field(converter=_attendance)
    # Who reported it: "provider's attendance record", "the centre's email", "the party".
    source: str = attrs.field(converter=_text("attendance source", required=True))
    id: str = attrs.field(factory=lambda: uuid.uuid4().hex, converter=_id)


def _sessions(value: Any) -> tuple[SessionRecord, ...]:
    return tuple(value)


@attrs.frozen
class Monitoring:
    """The court's s11G request for one direction, and what the officer has recorded since."""

    # Who asked (the judge or bench) and when: s11G(2) is a request of the court.
    asked_by: str = attrs.field(converter=_text("monitoring asked by", required=True))
    asked_on: dt.date = attrs.field(converter=_date("monitoring asked on"))
    period_from: dt.date = attrs.field(converter=_date("monitoring from"))
    period_to: dt.date = attrs.field(converter=_date("monitoring to"))
    sessions: tuple[SessionRecord, ...] = attrs.field(default=(), converter=_sessions)
    # When the court expects the report of a failure (set by the court or the officer once a
    # failure is recorded), and when it was made.
    report_due_on: dt.date | None = attrs.field(
        default=None, converter=_optional_date("report due on")
    )
    reported_on: dt.date | None = attrs.field(default=None, converter=_optional_date("reported on"))

    @sessions.validator
    def _check_sessions(self, _attribute: Any, value: tuple[Any, ...]) -> None:
        if len(value) > MAX_SESSIONS:
            raise _error("sessions", f"at most {MAX_SESSIONS} sessions are recorded")
        if not all(isinstance(item, SessionRecord) for item in value):
            raise _error("sessions", "each session is a date, an attendance and its source")
        ids = [item.id for item in value]
        if len(ids) != len(set(ids)):
            raise _error("sessions", "two sessions share one id")

    def __attrs_post_init__(self) -> None:
        if self.period_to < self.period_from:
            raise _error("monitoring to", "the monitoring period ends before it starts")
        if self.period_from < self.asked_on:
            # The court asks at the hearing (or later); a period before the request was not
            # monitored under it.
            raise _error("monitoring from", "the monitoring period starts before it was asked for")

    @property
    def failures(self) -> tuple[SessionRecord, ...]:
        return tuple(s for s in self.sessions if s.attendance.failure)


# --- what is owed, whatever the date (the rules: duty_tui/services/monitoring.py) -----------


class DueKind(StrEnum):
    REPORT = "report"  # report a failure to the court
    PERIOD = "period"  # the monitoring period runs to this date


@attrs.frozen
class DueMark:
    """What a due item needs to be judged on another day, without the case (the duty list
    reads these from the store's index): its date, its kind, whether any session is recorded."""

    due: dt.date
    kind: DueKind
    recorded: bool

    def state(self, today: dt.date) -> str:
        """On ``today``: "overdue", "due", or "" when nothing is owed."""
        if self.kind is DueKind.REPORT:
            return "overdue" if self.due < today else "due"
        if today <= self.due:
            return "due"
        return "" if self.recorded else "overdue"


def marks(monitoring: Monitoring) -> tuple[DueMark, ...]:
    """What is owed under one request, whatever the date (state() says when)."""
    found: list[DueMark] = []
    failures = monitoring.failures
    if failures and monitoring.reported_on is None:
        # No date from the court: due from the first failure, so it shows at once.
        due = monitoring.report_due_on or min(s.on for s in failures)
        found.append(DueMark(due, DueKind.REPORT, True))
    if not failures:
        found.append(DueMark(monitoring.period_to, DueKind.PERIOD, bool(monitoring.sessions)))
    return tuple(found)


# --- the store's index (the duty list) ---------------------------------------------------------


def summary_marks(requests: Iterable[Monitoring]) -> list[dict[str, Any]]:
    """Plain JSON for the store's index: what each live request owes, for the duty list."""
    return [
        {"due": mark.due.isoformat(), "kind": mark.kind.value, "recorded": mark.recorded}
        for m in requests
        for mark in marks(m)
    ]


def marks_from_summary(value: Any) -> tuple[DueMark, ...]:
    """The index is data, not code: anything malformed is skipped, never raised."""
    found: list[DueMark] = []
    if not isinstance(value, list):
        return ()
    for item in value:
        if not isinstance(item, Mapping):
            continue
        try:
            found.append(
                DueMark(
                    dt.date.fromisoformat(str(item.get("due"))),
                    DueKind(item.get("kind")),
                    item.get("recorded") is True,
                )
            )
        except ValueError:
            continue
    return tuple(found)


def state_of(found: Iterable[DueMark], today: dt.date) -> tuple[str, dt.date | None]:
    """The worst state of ``found`` on ``today`` ("overdue" > "due" > "") and its date."""
    worst, when = "", None
    for mark in sorted(found, key=lambda m: m.due):
        state = mark.state(today)
        if state == "overdue":
            return "overdue", mark.due
        if state == "due" and not worst:
            worst, when = "due", mark.due
    return worst, when

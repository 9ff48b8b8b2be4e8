"""What an s11G monitoring request owes the court, whatever the date.

The record (``records.model.Monitoring``) says who asked, the period, each session's attendance
and the report; this says what falls due from it, as plain data the store's index can hold so
the duty list can mark monitoring due or overdue without opening the case. The rules that cite
their source and speak to the officer are in duty_tui/services/monitoring.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

import attrs

from records.model import Monitoring


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

"""The duty list's rows: built once from the store's summaries, then filtered per keystroke.

Filtering has to keep up with typing over 10,000 cases, so each row carries a lowercase
"haystack" made once, and a keystroke is a substring test per row plus, when there are more
matches than the table shows, picking those nearest the day on screen. No Textual here.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from duty_tui.services.fold import fold
from records.monitoring import DueMark, marks_from_summary, state_of
from records.text import plain_str

# More rows than a screen holds, fewer than would slow a keystroke down (each row is built and
# the visible ones rendered per keystroke); the screen says how many more matched.
SHOW_AT_MOST = 50


@attrs.frozen(slots=True)
class DutyRow:
    case_id: str
    hearing_date: dt.date | None
    case_number: str
    parties: str
    court: str
    children: int
    screening_complete: bool
    directions: int
    referrals_queued: int
    haystack: str
    # Settled: the day the purge takes the case off the laptop (services/purge.py), if known.
    purge_on: dt.date | None = None

    # s11G monitoring owed (records/monitoring.py): judged against the day shown.
    monitoring: tuple[DueMark, ...] = ()

    def monitoring_badge(self, today: dt.date) -> str:
        """The duty-list badge on ``today``: monitoring overdue since a date, due by one, or ""."""
        state, when = state_of(self.monitoring, today)
        if not state or when is None:
            return ""
        if state == "overdue":
            return f"monitoring overdue since {when:%d/%m/%Y}"
        return f"monitoring due {when:%d/%m/%Y}"

    @property
    def badges(self) -> tuple[str, ...]:
        badges: list[str] = []
        if not self.screening_complete:
            badges.append("screening incomplete")
        if self.referrals_queued:
            plural = "s" if self.referrals_queued != 1 else ""
            badges.append(f"{self.referrals_queued} referral{plural} queued")
        if not self.children:
            badges.append("no child recorded")
        if self.purge_on is not None:
            badges.append(f"purge {self.purge_on:%d/%m/%Y}")
        return tuple(badges)

    @property
    def sort_key(self) -> tuple[dt.date, str]:
        return (self.hearing_date or dt.date.min, self.case_number)


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def row_from_summary(case_id: str, summary: Mapping[str, Any]) -> DutyRow:
    """A row from one index summary. The index is data, not code: every value is checked."""
    try:
        hearing = dt.date.fromisoformat(str(summary.get("hearing_date", "")))
    except ValueError:
        hearing = None
    names = summary.get("parties", [])
    if not isinstance(names, list):
        names = []
    number = plain_str(summary.get("case_number", ""))
    parties = " v ".join(plain_str(n) for n in names)
    court = plain_str(summary.get("court", ""))
    when = f"{hearing:%d/%m/%Y} {hearing.isoformat()}" if hearing else ""
    # Folded (services/fold.py): "gwenllian" finds "Gwenllïan", "pyr" finds "Pŷr".
    haystack = fold(" ".join([number, number.replace("-", ""), parties, court, when]))
    return DutyRow(
        case_id=case_id,
        hearing_date=hearing,
        case_number=number,
        parties=parties,
        court=court,
        children=_int(summary.get("children")),
        screening_complete=summary.get("screening_complete") is True,
        directions=_int(summary.get("directions")),
        referrals_queued=_int(summary.get("referrals_queued")),
        haystack=haystack,
        monitoring=marks_from_summary(summary.get("monitoring")),
    )


class DutyIndex:
    """Every case's row, by id and by hearing day."""

    def __init__(self, summaries: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._rows: dict[str, DutyRow] = {}
        self._by_day: dict[dt.date | None, list[DutyRow]] | None = None
        self._ordered: list[DutyRow] | None = None
        # (query, court, every row it matched): the next keystroke searches within these.
        self._last_search: tuple[str, str | None, tuple[DutyRow, ...]] | None = None
        for case_id, summary in (summaries or {}).items():
            self._rows[case_id] = row_from_summary(case_id, summary)

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, case_id: object) -> bool:
        return case_id in self._rows

    def get(self, case_id: str) -> DutyRow | None:
        return self._rows.get(case_id)

    def case_number(self, case_id: str) -> str:
        """The case's number, or "" if the index does not know the case (deleted, unreadable)."""
        row = self._rows.get(case_id)
        return row.case_number if row is not None else ""

    def update(self, case_id: str, summary: Mapping[str, Any]) -> DutyRow:
        row = row_from_summary(case_id, summary)
        self._rows[case_id] = row
        self._by_day = self._ordered = None  # rebuilt on next use
        self._last_search = None
        return row

    def remove(self, case_id: str) -> None:
        """The case left the store (purged)."""
        if self._rows.pop(case_id, None) is not None:
            self._by_day = self._ordered = None
            self._last_search = None

    def mark_purge(self, days: Mapping[str, dt.date]) -> None:
        """The days settled cases will be purged (every other mark goes): a saved case's row
        is built again from its summary, unmarked until the next plan says otherwise."""
        for case_id, row in list(self._rows.items()):
            on = days.get(case_id)
            if row.purge_on != on:
                self._rows[case_id] = attrs.evolve(row, purge_on=on)
                self._by_day = self._ordered = None
                self._last_search = None

    def _ensure(self) -> None:
        if self._ordered is None:
            self._ordered = sorted(self._rows.values(), key=lambda r: r.sort_key)
            by_day: dict[dt.date | None, list[DutyRow]] = {}
            for row in self._ordered:
                by_day.setdefault(row.hearing_date, []).append(row)
            self._by_day = by_day

    def day(self, day: dt.date, court: str | None = None) -> list[DutyRow]:
        self._ensure()
        assert self._by_day is not None
        rows = self._by_day.get(day, [])
        return [r for r in rows if r.court == court] if court else list(rows)

    def days(self, court: str | None = None) -> list[dt.date]:
        self._ensure()
        assert self._by_day is not None
        return sorted(
            day
            for day, rows in self._by_day.items()
            if day and any(not court or r.court == court for r in rows)
        )

    def find_number(self, case_number: str) -> DutyRow | None:
        for row in self._rows.values():
            if row.case_number == case_number:
                return row
        return None

    def courts(self) -> set[str]:
        return {r.court for r in self._rows.values()}

    def search(
        self,
        query: str,
        *,
        near: dt.date,
        court: str | None = None,
        limit: int = SHOW_AT_MOST,
    ) -> tuple[list[DutyRow], int]:
        """Rows holding every word of ``query``, at most ``limit`` of them (those nearest the
        day ``near``), in hearing order; and how many matched in all."""
        self._ensure()
        assert self._ordered is not None
        lowered = fold(query)
        terms = lowered.split()
        rows: Iterable[DutyRow] = self._ordered
        last = self._last_search
        if last is not None and last[1] == court and lowered.startswith(last[0]):
            # Typing on: every row that holds the longer query held the shorter one, so only
            # the last keystroke's matches need looking at (a few, not 10,000); and each of
            # them holds every word of the shorter query, so those words need no look again.
            rows = last[2]
            held = set(last[0].split())
            terms = [t for t in terms if t not in held]
        elif court:
            rows = (r for r in rows if r.court == court)
        matches = list(rows)
        # One word at a time, each a tight loop over fewer rows than the one before (a
        # generator of words per row was the slowest keystroke of the benchmark).
        for term in dict.fromkeys(terms):
            matches = [r for r in matches if term in r.haystack]
        self._last_search = (lowered, court, tuple(matches))
        total = len(matches)
        if total > limit:
            matches = nearest(matches, near, limit)
        return matches, total


def _distance(row: DutyRow, near: dt.date) -> int:
    return abs((row.hearing_date - near).days) if row.hearing_date else 10**6


def nearest(rows: list[DutyRow], near: dt.date, limit: int) -> list[DutyRow]:
    """The ``limit`` rows whose hearing is nearest ``near`` (ties: in ``rows``' order), in
    hearing order: exactly ``heapq.nsmallest(limit, rows, key=distance)`` re-sorted, without
    computing 10,000 distances on every keystroke of a broad filter.

    ``rows`` must be in sort_key order (undated first, then by date), as the index keeps them.
    """
    undated = _undated_count(rows)
    split = bisect.bisect_left(rows, near, lo=undated, key=_date)
    # Walk outwards from ``near`` to find the distance of the limit-th nearest row.
    left, right, taken, cutoff = split - 1, split, 0, 0
    while taken < limit and (left >= undated or right < len(rows)):
        d_left = _distance(rows[left], near) if left >= undated else None
        d_right = _distance(rows[right], near) if right < len(rows) else None
        if d_right is None or (d_left is not None and d_left <= d_right):
            cutoff, left = d_left or 0, left - 1
        else:
            cutoff, right = d_right, right + 1
        taken += 1
    if taken < limit:  # every dated row fits: the rest comes from the undated ones
        return [*rows[: min(limit - taken, undated)], *rows[undated:]]
    # Every row within ``cutoff`` days, in order; at exactly ``cutoff`` only as many as fit,
    # earliest in the list first (as nsmallest breaks ties).
    low = bisect.bisect_left(rows, near - dt.timedelta(days=cutoff), lo=undated, key=_date)
    high = bisect.bisect_right(rows, near + dt.timedelta(days=cutoff), lo=undated, key=_date)
    window = rows[low:high]
    inside = sum(1 for r in window if _distance(r, near) < cutoff)
    room = limit - inside
    picked: list[DutyRow] = []
    for row in window:
        if _distance(row, near) < cutoff:
            picked.append(row)
        elif room > 0:
            picked.append(row)
            room -= 1
    return picked


def _date(row: DutyRow) -> dt.date:
    return row.hearing_date or dt.date.min


def _undated_count(rows: list[DutyRow]) -> int:
    count = 0
    for row in rows:  # undated rows come first, and there are few (none in a normal store)
        if row.hearing_date is not None:
            break
        count += 1
    return count

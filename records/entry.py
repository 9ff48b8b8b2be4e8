"""Checks made when data is entered, each against the date that matters.

A record holds what was true when it was entered: the child was under 18 at the hearing, the
screening answer was not dated in the future. Time moves on (a child turns 18, a laptop's clock
is set back), so these checks run where data comes in (the case form, the Add person and
assessment dialogs, ``duty-tui import`` and ``duty-tui assess``) and never where a stored record
is read: a stored case opens whatever the date (records.py holds only the checks that do not
depend on the calendar).

The messages are the ones officers have always seen beside the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from records.model import (
    Assessment,
    Direction,
    Monitoring,
    Participation,
    RecordError,
    ScreeningAnswer,
    parse_date,
    parse_optional_date,
)

# Children Act 1989 s105(1): "child" means a person under the age of eighteen.
ADULT_AGE = 18


def age_on(born: dt.date, day: dt.date) -> int:
    """Whole years from ``born`` to ``day``; someone born on 29 February is a year older on
    1 March in a year without one."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def birthday(born: dt.date, age: int) -> dt.date:
    """The day someone born on ``born`` reaches ``age`` (1 March for 29 February)."""
    try:
        return born.replace(year=born.year + age)
    except ValueError:  # 29 February in a year without one
        return dt.date(born.year + age, 3, 1)


def is_child_on(born: dt.date, day: dt.date) -> bool:
    """Under 18 on ``day`` (Children Act 1989 s105(1))."""
    return age_on(born, day) < ADULT_AGE


def age_note(born: dt.date, *, hearing_date: dt.date, today: dt.date) -> str:
    """What the case screen says about a recorded child who is not (or no longer) a child; ""
    for a child. The record is kept as entered: the officer decides what to do about it."""
    eighteen = birthday(born, ADULT_AGE)
    if not is_child_on(born, hearing_date):
        return (
            f"18 on {eighteen:%d/%m/%Y}, by the hearing on {hearing_date:%d/%m/%Y}: not a child "
            "for this case. Check the date of birth and the hearing date."
        )
    if not is_child_on(born, today):
        return (
            f"18 since {eighteen:%d/%m/%Y}: no longer a child. Under 18 at the hearing on "
            f"{hearing_date:%d/%m/%Y}; kept as recorded."
        )
    return ""


def parse_date_of_birth(value: Any, *, today: dt.date, hearing_date: dt.date) -> dt.date:
    """A child's date of birth as entered: not after ``today``, and a child at the hearing."""
    born = parse_date(value, field="date of birth")
    check_born(born, today=today, hearing_date=hearing_date)
    return born


def check_born(born: dt.date, *, today: dt.date, hearing_date: dt.date | None) -> None:
    """``hearing_date`` None: the hearing's date could not be read (its own problem is reported),
    so only the future is checked."""
    if born > today:
        raise RecordError.of("date of birth", "{value:%d/%m/%Y} is in the future", value=born)
    if hearing_date is not None and not is_child_on(born, hearing_date):
        raise RecordError.of(
            "date of birth", "{value:%d/%m/%Y} is 18 or more years ago: not a child", value=born
        )


def check_not_future(field: str, value: dt.date | None, *, today: dt.date) -> None:
    """A date that records something already done (an answer, a letter, an assessment)."""
    if value is not None and value > today:
        raise RecordError.of(field, "{field} {value:%d/%m/%Y} is in the future", value=value)


def parse_past_date(value: Any, *, field: str, today: dt.date) -> dt.date | None:
    """An optional date as entered, refused if it is after ``today``."""
    parsed = parse_optional_date(value, field=field)
    check_not_future(field, parsed, today=today)
    return parsed


def check_answer(answer: ScreeningAnswer, *, today: dt.date) -> None:
    check_not_future("answered on", answer.answered_on, today=today)


def check_letter(received_on: dt.date | None, *, today: dt.date) -> None:
    check_not_future("safeguarding letter date", received_on, today=today)


def check_assessment(assessment: Assessment, *, today: dt.date) -> None:
    check_not_future("assessed on", assessment.assessed_on, today=today)


def check_direction_dates(direction: Direction, *, today: dt.date) -> None:
    """Issue 11 items 6-7: what a party said and was told is recorded after it happened."""
    for agreement in direction.agreements:
        check_not_future("agreed on", agreement.agreed_on, today=today)
    check_not_future("told of assistance on", direction.assistance_told_on, today=today)
    check_not_future("will pay confirmed on", direction.pays_confirmed_on, today=today)
    if direction.court_override is not None:
        # Issue 13, item 10: the court's direction against the advice is recorded once made.
        check_not_future("recorded on", direction.court_override.recorded_on, today=today)


def check_monitoring(monitoring: Monitoring, *, today: dt.date) -> None:
    """An s11G request as entered: asked, attended and reported are things already done; the
    period and the report's due date may lie ahead."""
    check_not_future("monitoring asked on", monitoring.asked_on, today=today)
    for session in monitoring.sessions:
        check_not_future("session date", session.on, today=today)
    check_not_future("reported on", monitoring.reported_on, today=today)


def check_participation(participation: Participation, *, today: dt.date) -> None:
    check_not_future("Welsh offer on", participation.welsh_offer_on, today=today)

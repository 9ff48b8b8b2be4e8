"""Dates and money in the officer's language (duty_tui/i18n_format.py, issue 12)."""

from __future__ import annotations

import datetime as dt

import pytest
from babel.dates import format_date as babel_date

from duty_tui import i18n
from duty_tui.i18n_format import CY_DAYS, CY_MONTHS, format_date, format_money

MONDAY = dt.date(2026, 11, 30)


def test_the_issues_welsh_date() -> None:
    assert format_date(MONDAY, "full", lang="cy") == "dydd Llun 30 Tachwedd 2026"
    assert format_date(MONDAY, "long", lang="cy") == "30 Tachwedd 2026"
    assert format_date(MONDAY, "full", lang="en") == "Monday 30 November 2026"
    assert format_date(MONDAY, "short", lang="cy") == "30/11/2026"


def test_the_language_of_the_moment_is_the_default() -> None:
    try:
        i18n.set_language("cy")
        assert format_date(dt.date(2027, 2, 6), "full") == "dydd Sadwrn 6 Chwefror 2027"
    finally:
        i18n.set_language("en")
    assert format_date(dt.date(2027, 2, 6), "full") == "Saturday 6 February 2027"


@pytest.mark.parametrize("month", range(1, 13))
def test_welsh_month_names_are_cldrs(month: int) -> None:
    day = dt.date(2026, month, 1)
    assert CY_MONTHS[month - 1] == babel_date(day, "MMMM", locale="cy")


@pytest.mark.parametrize("offset", range(7))
def test_welsh_day_names_are_cldrs(offset: int) -> None:
    day = MONDAY + dt.timedelta(days=offset)
    # CLDR writes "Dydd Llun"; after "dydd" in a sentence the name stands alone.
    assert babel_date(day, "EEEE", locale="cy") == f"Dydd {CY_DAYS[day.weekday()]}"


@pytest.mark.parametrize(
    ("pence", "shown"),
    [(15000, "£150.00"), (6000, "£60.00"), (5, "£0.05"), (150000, "£1,500.00"), (-1250, "-£12.50")],
)
def test_money(pence: int, shown: str) -> None:
    assert format_money(pence) == shown

"""Working days for the financial-assistance decision: weekends and bank holidays skipped."""

from __future__ import annotations

import datetime as dt

import pytest

from duty_tui.services.funding import (
    add_working_days,
    assistance_decision_due,
    bank_holidays,
    is_working_day,
)
from records.model import Jurisdiction

W, E = Jurisdiction.WALES, Jurisdiction.ENGLAND
D = dt.date


@pytest.mark.parametrize(
    ("received", "due", "why"),
    [
        (D(2026, 11, 23), D(2026, 11, 30), "Monday: plain week"),
        (D(2026, 11, 20), D(2026, 11, 27), "Friday: over one weekend"),
        (D(2026, 11, 21), D(2026, 11, 27), "Saturday: counting starts Monday"),
        (D(2026, 11, 22), D(2026, 11, 27), "Sunday: counting starts Monday"),
        (D(2025, 12, 19), D(2025, 12, 30), "Christmas Day and Boxing Day skipped"),
        (D(2025, 12, 24), D(2026, 1, 5), "Christmas, Boxing Day and New Year's Day skipped"),
        (
            D(2026, 12, 23),
            D(2027, 1, 4),
            "Boxing Day on Saturday: substitute Monday 28/12; New Year's Day Friday",
        ),
        (
            D(2022, 12, 23),
            D(2023, 1, 4),
            "Christmas on Sunday: substitute Tuesday 27/12; "
            "New Year's Day on Sunday: substitute Monday 02/01",
        ),
        (D(2026, 4, 2), D(2026, 4, 13), "Good Friday and Easter Monday skipped"),
        (D(2025, 4, 17), D(2025, 4, 28), "Easter 2025"),
        (D(2026, 5, 1), D(2026, 5, 11), "early May bank holiday"),
        (D(2026, 8, 28), D(2026, 9, 7), "late summer bank holiday"),
        (D(2023, 5, 5), D(2023, 5, 15), "one-off: coronation of Charles III, 08/05/2023"),
        (D(2022, 9, 16), D(2022, 9, 26), "one-off: state funeral, 19/09/2022"),
    ],
)
@pytest.mark.parametrize("jurisdiction", [W, E])
def test_decision_due_five_working_days_after_receipt(received, due, why, jurisdiction):
    assert assistance_decision_due(received, jurisdiction) == due, why


def test_england_and_wales_share_their_bank_holidays():
    # Checked, not assumed: a Welsh-only bank holiday would change the arithmetic.
    for year in range(2018, 2031):
        days = [D(year, 1, 1) + dt.timedelta(days=n) for n in range(366)]
        assert [d for d in days if d in bank_holidays(W)] == [
            d for d in days if d in bank_holidays(E)
        ]


def test_st_davids_day_is_not_a_bank_holiday_in_wales():
    assert is_working_day(D(2027, 3, 1), W)  # a Monday


def test_zero_days_is_the_day_itself_and_negative_is_refused():
    assert add_working_days(D(2026, 12, 25), 0, W) == D(2026, 12, 25)
    with pytest.raises(ValueError):
        add_working_days(D(2026, 1, 5), -1, W)


def test_weekends_and_holidays_are_not_working_days():
    assert not is_working_day(D(2026, 11, 21), E)  # Saturday
    assert not is_working_day(D(2026, 12, 28), E)  # Boxing Day substitute
    assert is_working_day(D(2026, 12, 29), E)

"""Dates in words, in the officer's language: "Monday 30 November 2026", "dydd Llun 30
Tachwedd 2026".

``strftime``'s names follow the C locale, which is English on every court laptop whatever
language the officer chose, so day and month names come from the catalogs instead. Welsh day and
month names need no mutation in these shapes (docs/cymraeg.md, Decisions). Numeric dates
(31/12/2026) are the same in both languages and stay with ``format_date``.
"""

from __future__ import annotations

import datetime as dt

from duty_tui.i18n import N_, _

# Monday first, as ``date.weekday()`` counts.
DAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
SHORT_DAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)


def day_name(day: dt.date) -> str:
    return _(DAYS[day.weekday()])


def long_date(day: dt.date) -> str:
    """ "Monday 30 November 2026"; in Welsh "dydd Llun 30 Tachwedd 2026"."""
    return _("{weekday} {day} {month} {year}").format(
        weekday=day_name(day), day=day.day, month=_(MONTHS[day.month - 1]), year=day.year
    )


def short_date(day: dt.date) -> str:
    """ "Mon 30/11/2026"; in Welsh "Llun 30/11/2026" (80 columns)."""
    return _("{weekday} {date}").format(
        weekday=_(SHORT_DAYS[day.weekday()]), date=f"{day:%d/%m/%Y}"
    )


def day_and_month(day: dt.date) -> str:
    """ "Monday 30/11"; in Welsh "dydd Llun 30/11"."""
    return _("{weekday} {date}").format(weekday=day_name(day), date=f"{day:%d/%m}")


def capitalised(text: str) -> str:
    """A line that begins with a Welsh day name ("dydd Llun") begins with a capital."""
    return text[:1].upper() + text[1:]

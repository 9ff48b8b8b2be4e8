"""Dates and money in the officer's language (issue 12): "dydd Llun 30 Tachwedd 2026", "£150.00".

A short table, not Babel: Babel's CLDR data is 36 MB installed and its first Welsh date costs
about 80 ms of import and load (measured: 64 ms importing babel.dates and babel.numbers, 14 ms
for the first format), paid at every start-up, for three date shapes and one currency. The
table's names are CLDR's for the ``cy`` locale (Unicode CLDR, locale cy, "format-wide" day and
month names, as Babel ships them); tests/test_i18n_format.py checks every one against Babel,
which the tests have.

- ``short``: 30/11/2026 in both languages (what the screens and reasons show today);
- ``long``: 30 November 2026 / 30 Tachwedd 2026;
- ``full``: Monday 30 November 2026 / dydd Llun 30 Tachwedd 2026. In Welsh the day is named
  with "dydd" before it, lower case (as Welsh Government and HMCTS Welsh pages write dates:
  "dydd Llun i ddydd Iau"); the name after "dydd" keeps its capital and needs no mutation.

Money is whole pence everywhere, never a float. en-GB and cy write it alike (CLDR: the pound
sign first, a comma between thousands, a point before the pence): "£1,500.00".

No Textual here: services and the command line use it.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from duty_tui.i18n import WELSH, thread_language

Style = Literal["short", "long", "full"]

_EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# Unicode CLDR, locale cy: days (format, wide) without "Dydd", months (format, wide).
CY_DAYS = ("Llun", "Mawrth", "Mercher", "Iau", "Gwener", "Sadwrn", "Sul")
CY_MONTHS = (
    "Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin",
    "Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr",
)  # fmt: skip


def format_date(day: dt.date, style: Style = "short", *, lang: str | None = None) -> str:
    """``day`` as the officer reads it, in ``lang`` (default: the language of the moment)."""
    language = lang or thread_language()
    if style == "short":
        return f"{day:%d/%m/%Y}"
    welsh = language == WELSH
    month = (CY_MONTHS if welsh else _EN_MONTHS)[day.month - 1]
    long = f"{day.day} {month} {day.year}"
    if style == "long":
        return long
    if welsh:
        return f"dydd {CY_DAYS[day.weekday()]} {long}"
    return f"{_EN_DAYS[day.weekday()]} {long}"


def format_money(pence: int) -> str:
    """15000 -> "£150.00"; -1250 -> "-£12.50". The same in English and in Welsh."""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{rest:02d}"

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from records.model import parse_date
from records.text import TextError, clean_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Gwenllïan Ŵyn Pŷr", "Gwenllïan Ŵyn Pŷr"),
        ("Sio\u0302n", "Siôn"),  # combining circumflex folds to the precomposed letter
        ("  two   spaces\tand\ttabs ", "two spaces and tabs"),
        ("red\x1b[31m text\x1b[0m", "red text"),
        ("title\x1b]0;pwned\x07 here", "title here"),
        ("osc8 \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "osc8 link"),
        ("c1 csi \x9b2J gone", "c1 csi gone"),
        ("bell\x07 null\x00 del\x7f", "bell null del"),
        ("rtl \u202eevil\u202c name", "rtl evil name"),
        ("[red]x[/]", "[red]x[/]"),  # markup is just text here; screens show it literally
        (None, ""),
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw, field="name", max_length=100) == expected


def test_multiline_keeps_line_breaks_only():
    assert clean_text("a  b\n\n c\r", field="notes", max_length=50, multiline=True) == "a b\n\nc"


def test_too_long_is_refused_with_the_length():
    with pytest.raises(TextError, match="name is 121 characters long; the most allowed is 120"):
        clean_text("x" * 121, field="name", max_length=120)


def test_not_text_is_refused():
    with pytest.raises(TextError, match="name must be text"):
        clean_text(42, field="name", max_length=10)


@given(st.text(max_size=60) | st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_the_already_clean_shortcut_answers_as_the_full_cleaning_does(text):
    """Clean printable ASCII is returned as it is, without the letter-by-letter pass; a NUL
    added at the end forces that pass (and is removed by it): both must agree."""
    for multiline in (False, True):
        fast = clean_text(text, field="name", max_length=10_000, multiline=multiline)
        full = clean_text(text + "\x00", field="name", max_length=10_000, multiline=multiline)
        assert fast == full


@given(st.dates(min_value=dt.date(1, 1, 1)))
def test_an_iso_date_reads_as_strptime_reads_it(day):
    text = day.isoformat()
    assert parse_date(text) == dt.datetime.strptime(text, "%Y-%m-%d").date() == day


@given(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40),
    st.integers(min_value=1, max_value=40),
    st.booleans(),
)
def test_printable_ascii_comes_out_as_the_general_path_makes_it(raw, limit, multiline):
    # A zero-width space (a format character, always dropped) sends the same text down the
    # char-by-char path, which printable ASCII alone skips.
    def cleaned(value: str) -> str:
        try:
            return clean_text(value, field="name", max_length=limit, multiline=multiline)
        except TextError as exc:
            return f"refused: {exc}"

    assert cleaned(raw) == cleaned(raw + "\u200b")

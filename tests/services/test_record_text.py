"""The record's validation messages reach a Welsh-speaking officer in Welsh, with every detail.

records/ may not import the app, so its messages are English there and translated where they
are shown (duty_tui/services/record_text.py). These guard the boundary: every sentence and
field name records/ raises is known to the app, and a translated message keeps what the
English one says (the typed text, the date, the field).
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from duty_tui import i18n
from duty_tui.services import record_text
from records.entry import check_born
from records.model import Child, Delivery, Party, RecordError, parse_case_number, parse_date

RECORDS = Path(__file__).resolve().parents[2] / "records"


@pytest.fixture
def welsh() -> Iterator[None]:
    i18n.set_language(i18n.WELSH)
    yield
    i18n.set_language(i18n.ENGLISH)


def _raised() -> tuple[set[str], set[str]]:
    """(templates, field names) of every RecordError.of and TextError raised in records/."""
    templates: set[str] = set()
    fields: set[str] = set()
    for path in RECORDS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            is_of = isinstance(func, ast.Attribute) and func.attr == "of"
            is_text = isinstance(func, ast.Name) and func.id == "TextError"
            args = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if is_of and len(node.args) >= 2:
                if isinstance(node.args[1], ast.Constant):
                    templates.add(node.args[1].value)
                if isinstance(node.args[0], ast.Constant):
                    fields.add(node.args[0].value)
            elif is_text and args:
                templates.add(args[0])
            # Field names given to the converters: _text("name"), _enum(X, "role"), field="..."
            if (
                isinstance(func, ast.Name)
                and func.id == "_text"
                and isinstance(node.args[0], ast.Constant)
            ):
                fields.add(node.args[0].value)
            if isinstance(func, ast.Name) and func.id == "_enum" and len(node.args) > 1:
                if isinstance(node.args[1], ast.Constant):
                    fields.add(node.args[1].value)
            for keyword in node.keywords:
                if keyword.arg == "field" and isinstance(keyword.value, ast.Constant):
                    fields.add(keyword.value.value)
    return templates, fields


def test_every_sentence_records_raises_is_known_to_the_app() -> None:
    templates, fields = _raised()
    assert len(templates) > 30  # the scan found them
    assert templates <= record_text.TEMPLATES, templates - record_text.TEMPLATES
    assert fields <= set(record_text.FIELDS), fields - set(record_text.FIELDS)


def test_no_record_error_in_records_is_left_without_its_template() -> None:
    """A bare RecordError(field, "...") in records/ would reach a Welsh officer in English."""
    bare = []
    for path in RECORDS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "RecordError"
                and not any(k.arg == "template" for k in node.keywords)
            ):
                bare.append(f"{path.name}:{node.lineno}")
    assert not bare


def test_a_case_number_refused_in_welsh_quotes_what_was_typed(welsh: None) -> None:
    with pytest.raises(RecordError) as caught:
        parse_case_number("cf24x")
    assert caught.value.message.startswith("'CF24X' is not a case number")  # English kept
    assert record_text.record_message(caught.value) == (
        "nid yw 'CF24X' yn rhif achos: disgwylir rhywbeth fel CF24P01234 neu 1234-5678-9012-3456"
    )


def test_the_field_is_named_in_welsh(welsh: None) -> None:
    with pytest.raises(RecordError) as caught:
        Party(name="  ", role="applicant")
    assert record_text.record_message(caught.value) == "rhaid llenwi: enw"
    with pytest.raises(RecordError) as caught:
        parse_date("31/02/2026", field="hearing date")
    assert record_text.record_message(caught.value) == (
        "nid yw '31/02/2026' yn ddyddiad: defnyddiwch DD/MM/BBBB neu BBBB-MM-DD"
    )


def test_a_date_keeps_its_format_in_welsh(welsh: None) -> None:
    with pytest.raises(RecordError) as caught:
        check_born(dt.date(2030, 1, 2), today=dt.date(2026, 12, 4), hearing_date=None)
    assert record_text.record_message(caught.value) == "mae 02/01/2030 yn y dyfodol"


def test_too_long_text_says_both_numbers_in_welsh(welsh: None) -> None:
    with pytest.raises(RecordError) as caught:
        Child(name="x" * 200, date_of_birth="01/01/2020")
    assert record_text.record_message(caught.value) == (
        "enw: mae’n 200 nod o hyd; 120 yw’r mwyaf a ganiateir"
    )


def test_english_is_the_message_as_records_wrote_it() -> None:
    with pytest.raises(RecordError) as caught:
        Party(name="Ffug", role="applicant", postcode="nowhere")
    assert record_text.record_message(caught.value) == caught.value.message
    assert caught.value.message == "'nowhere' is not a UK postcode (like CF10 1AA)"


def test_an_error_without_a_template_is_shown_as_it_is(welsh: None) -> None:
    assert record_text.record_message(RecordError("x", "already said")) == "already said"


def test_labels_follow_the_language(welsh: None) -> None:
    assert record_text.label(Delivery.FACE_TO_FACE) == "wyneb yn wyneb"
    i18n.set_language(i18n.ENGLISH)
    assert record_text.label(Delivery.FACE_TO_FACE) == "face to face"

"""Age and date checks run where data is entered, against the date that matters; a stored case
is read whatever the date (a child who has turned 18 since, a laptop clock set back)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest

from duty_tui.widgets import case_fields as cf
from records.caseformat import CaseFormatError, case_from_dict, load_cases
from records.entry import (
    age_note,
    age_on,
    birthday,
    check_answer,
    check_assessment,
    check_letter,
    parse_date_of_birth,
)
from records.model import RecordError
from records.summary import case_summary
from store import KdfParams, Store
from store.cases import CaseRepository

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "case.json"
HEARING = dt.date(2026, 11, 23)  # the example's hearing
REAL_TODAY = dt.date.today()


def example_case() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))["cases"][0]


def aged_document() -> dict:
    """A case as stored years ago: its child has turned 18 since the hearing and (the laptop's
    clock having been set back since) its answers, letter and assessment are dated after the
    real today. Every one of these values was valid when it was entered."""
    doc = example_case()
    doc["hearing"]["date"] = "2017-06-01"
    doc["children"][0]["date_of_birth"] = "2000-01-01"  # 17 at the hearing, 18 since 2018
    later = (REAL_TODAY + dt.timedelta(days=3)).isoformat()
    doc["screening"]["police_check"]["answered_on"] = later
    doc["screening"]["safeguarding_letter_on"] = later
    doc["assessments"] = [
        {
            "activity": "contact_supervised",
            "assessed_by": "Demo Officer Gwyn",
            "assessed_on": later,
            "reason": "Supervision keeps the handover safe.",
            "party_id": "party-respondent-1",
            "id": "assessment-1",
        }
    ]
    return doc


def test_a_stored_case_is_read_whatever_the_date():
    case = case_from_dict(aged_document())
    assert case.children[0].date_of_birth == dt.date(2000, 1, 1)
    assert case.screening.police_check.answered_on > REAL_TODAY
    assert case.assessments[0].assessed_on > REAL_TODAY


def test_the_store_opens_a_case_whose_child_has_turned_18(tmp_path):
    doc = aged_document()
    store = Store.create(
        tmp_path / "data", "correct horse battery staple", kdf=KdfParams.for_tests()
    )
    try:
        store.save_case(doc["id"], doc, case_summary(case_from_dict(example_case())))
        case = CaseRepository(store).get(doc["id"])
    finally:
        store.close()
    assert case.children[0].name == "Pryderi Ffug"
    assert case.children[0].date_of_birth == dt.date(2000, 1, 1)


def test_a_child_is_one_under_18_at_the_hearing():
    born = dt.date(2008, 11, 25)  # 18 on 25/11/2026
    # Under 18 at a past hearing, though 18 now: entered for that hearing, it is accepted.
    assert parse_date_of_birth(born, today=dt.date(2026, 11, 30), hearing_date=HEARING) == born
    # Under 18 today, 18 by a later hearing: not a child for this case.
    with pytest.raises(RecordError, match="18 or more years ago: not a child") as err:
        parse_date_of_birth(born, today=dt.date(2026, 11, 20), hearing_date=dt.date(2026, 12, 1))
    assert err.value.field == "date of birth"
    assert err.value.message == "25/11/2008 is 18 or more years ago: not a child"
    # The future is today's: a birth after today is refused whatever the hearing date.
    with pytest.raises(RecordError, match="25/11/2026 is in the future"):
        parse_date_of_birth("25/11/2026", today=dt.date(2026, 11, 24), hearing_date=HEARING)


def test_done_things_are_not_dated_after_today():
    case = case_from_dict(aged_document())
    answer = case.screening.police_check
    day_after = answer.answered_on + dt.timedelta(days=1)
    check_answer(answer, today=answer.answered_on)
    with pytest.raises(RecordError, match=r"^answered on \d\d/\d\d/\d{4} is in the future$"):
        check_answer(answer, today=answer.answered_on - dt.timedelta(days=1))
    check_letter(case.screening.safeguarding_letter_on, today=day_after)
    with pytest.raises(RecordError, match=r"safeguarding letter date .* is in the future"):
        check_letter(case.screening.safeguarding_letter_on, today=REAL_TODAY)
    with pytest.raises(RecordError, match=r"assessed on .* is in the future"):
        check_assessment(case.assessments[0], today=REAL_TODAY)


def test_ages_and_birthdays():
    assert age_on(dt.date(2008, 11, 25), dt.date(2026, 11, 24)) == 17
    assert age_on(dt.date(2008, 11, 25), dt.date(2026, 11, 25)) == 18
    assert birthday(dt.date(2008, 2, 29), 18) == dt.date(2026, 3, 1)
    assert age_on(dt.date(2008, 2, 29), dt.date(2026, 2, 28)) == 17
    assert age_on(dt.date(2008, 2, 29), dt.date(2026, 3, 1)) == 18


def test_the_note_for_a_child_who_is_not_or_no_longer_one():
    born = dt.date(2008, 11, 25)
    assert age_note(born, hearing_date=HEARING, today=dt.date(2026, 11, 24)) == ""
    now_18 = age_note(born, hearing_date=HEARING, today=dt.date(2026, 11, 30))
    assert now_18.startswith("18 since 25/11/2026: no longer a child.")
    assert "23/11/2026" in now_18
    at_hearing = age_note(born, hearing_date=dt.date(2026, 12, 1), today=dt.date(2026, 11, 20))
    assert "not a child for this case" in at_hearing


# --- the case form ------------------------------------------------------------------------------


def test_the_form_checks_what_is_typed_against_the_hearing_and_today():
    case = case_from_dict(example_case())  # hearing 23/11/2026
    key = f"child.{case.children[0].id}.date_of_birth"
    today = dt.date(2026, 11, 20)
    edited = cf.apply_edit(case, key, "24/11/2008", today=today)  # 17 until the day after
    assert edited.children[0].date_of_birth == dt.date(2008, 11, 24)
    with pytest.raises(RecordError, match="18 or more years ago: not a child"):
        cf.apply_edit(case, key, "23/11/2008", today=today)  # 18 on the hearing day
    with pytest.raises(RecordError, match="answered on 21/11/2026 is in the future"):
        cf.apply_edit(case, "screening.police_check.answered_on", "21/11/2026", today=today)
    with pytest.raises(RecordError, match="safeguarding letter date 21/11/2026 is in the future"):
        cf.apply_edit(case, "screening.safeguarding_letter_on", "21/11/2026", today=today)
    assert (
        cf.apply_edit(
            case, "screening.safeguarding_letter_on", "20/11/2026", today=today
        ).screening.safeguarding_letter_on
    ) == today


def test_an_aged_stored_value_never_blocks_an_edit_elsewhere():
    case = case_from_dict(aged_document())
    edited = cf.apply_edit(case, "case.court", "Another Court", today=REAL_TODAY)
    assert edited.court == "Another Court"
    edited = cf.apply_edit(
        case, "screening.police_check.answered_by", "PC Example", today=REAL_TODAY
    )
    assert edited.screening.police_check.answered_by == "PC Example"
    child = case.children[0]
    renamed = cf.apply_edit(case, f"child.{child.id}.name", "Pryderi Ffug-Jones", today=REAL_TODAY)
    assert renamed.children[0].date_of_birth == child.date_of_birth


# --- documents arriving whole (import, assess) --------------------------------------------------


def test_a_document_read_as_new_input_lists_every_entry_problem_with_its_place():
    doc = {"format": "duty-tui/cases", "schema_version": 3, "cases": [aged_document()]}
    assert load_cases(doc)[0].id == "case-example-1"  # as written: read
    with pytest.raises(CaseFormatError) as err:
        load_cases(doc, today=REAL_TODAY)
    problems = err.value.problems
    later = f"{REAL_TODAY + dt.timedelta(days=3):%d/%m/%Y}"
    # The child was 17 at the hearing (on 01/06/2017): a child for this case, though 18 now.
    assert problems == [
        f"$.cases[0].screening.police_check: answered on {later} is in the future",
        f"$.cases[0].screening: safeguarding letter date {later} is in the future",
        f"$.cases[0].assessments[0]: assessed on {later} is in the future",
    ]


def test_entry_problems_are_listed_beside_the_others():
    doc = {"format": "duty-tui/cases", "schema_version": 3, "cases": [aged_document()]}
    bad = copy.deepcopy(doc)
    bad["cases"][0]["parties"][0]["postcode"] = "XX1"
    bad["cases"][0]["hearing"]["date"] = "not a date"
    bad["cases"][0]["children"][0]["date_of_birth"] = "1990-01-01"
    with pytest.raises(CaseFormatError) as err:
        load_cases(bad, today=REAL_TODAY)
    problems = err.value.problems
    assert any(p.startswith("$.cases[0].parties[0]: postcode") for p in problems)
    assert any(p.startswith("$.cases[0].hearing: hearing date") for p in problems), problems
    # Without a hearing date the age cannot be judged; the dates after today still are.
    assert not any("not a child" in p for p in problems)
    assert any(p.startswith("$.cases[0].screening.police_check: answered on") for p in problems)

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from records.caseformat import (
    SCHEMA_VERSION,
    CaseFormatError,
    case_from_dict,
    case_to_dict,
    dump_cases,
    dumps_cases,
    load_cases,
)

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "case.json"
HEARING_DAY = dt.date(2026, 11, 23)  # the example's hearing


def example_doc():
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def problems_of(doc, today=HEARING_DAY):
    """The problems of ``doc`` read as new input on ``today`` (as import and assess read it)."""
    with pytest.raises(CaseFormatError) as err:
        load_cases(doc if isinstance(doc, str | bytes) else json.dumps(doc), today=today)
    return err.value.problems


def test_documented_example_loads_and_round_trips():
    cases = load_cases(EXAMPLE.read_bytes())
    assert len(cases) == 1
    assert cases[0].parties[0].name == "Rhiannon Ffug"
    assert load_cases(dumps_cases(cases)) == cases
    assert dump_cases(cases) == example_doc()


def test_every_problem_is_listed_with_its_place():
    doc = example_doc()
    case = doc["cases"][0]
    case["parties"][1]["postcode"] = "XX1"
    case["children"][0]["date_of_birth"] = "2999-01-01"
    case["screening"]["domestic_abuse"] = {"answer": "maybe"}
    problems = problems_of(doc)
    assert "$.cases[0].parties[1]: postcode: 'XX1' is not a UK postcode (like CF10 1AA)" in problems
    assert "$.cases[0].children[0]: date of birth: 01/01/2999 is in the future" in problems
    assert any(
        p.startswith("$.cases[0].screening.domestic_abuse: answer 'maybe'") for p in problems
    )


def test_unknown_and_missing_fields():
    doc = example_doc()
    doc["cases"][0]["parties"][0]["nickname"] = "x"
    del doc["cases"][0]["court"]
    problems = problems_of(doc)
    assert "$.cases[0].parties[0]: unknown field(s): nickname" in problems
    assert "$.cases[0].court: required field 'court' is missing" in problems


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.update(schema_version=99), "$.schema_version: 99 is not supported"),
        (lambda d: d.update(format="other"), "$.format: expected 'duty-tui/cases'"),
        (lambda d: d.update(cases={}), "$.cases: expected a list of cases"),
        (lambda d: d["cases"].append(1), "$.cases[1]: expected an object"),
        (
            lambda d: d["cases"][0]["referrals"].append(
                {
                    "direction_id": "d",
                    "party_id": "party-applicant-1",
                    "activity": "wt4c",
                    "provider_id": "p",
                    "revision": "2",
                }
            ),
            "$.cases[0].referrals[0].revision: number: expected a whole number, got str",
        ),
        (
            lambda d: d["cases"][0]["directions"][0].update(both_parties_agreed="yes"),
            "$.cases[0].directions[0].both_parties_agreed: flag: expected true or false, got str",
        ),
        (
            lambda d: d["cases"].append(copy.deepcopy(d["cases"][0])),
            "$.cases[1]: id repeats case 0",
        ),
    ],
)
def test_document_level_problems(mutate, expected):
    doc = example_doc()
    mutate(doc)
    assert any(p.startswith(expected) for p in problems_of(doc)), problems_of(doc)


def test_broken_json_says_where():
    assert problems_of('{"format": ') == [
        "the file is not valid JSON: Expecting value at line 1, column 12"
    ]
    assert problems_of(b"\xff\xfe") == ["the file is not UTF-8 text (byte 0)"]
    assert problems_of("[" * 100_000) in (
        ["the file is nested too deeply"],
        ["$: expected an object with format, schema_version and a list"],
    )


def test_schema_version_is_one():
    assert SCHEMA_VERSION == example_doc()["schema_version"] == 1


@given(st.text(max_size=300))
def test_any_name_either_loads_clean_or_is_refused_clearly(name):
    doc = example_doc()
    doc["cases"][0]["parties"][0]["name"] = name
    try:
        case = load_cases(json.dumps(doc))[0]
    except CaseFormatError as exc:
        assert all(p.startswith("$.cases[0].parties[0]: name") for p in exc.problems)
        return
    stored = case.parties[0].name
    assert stored.strip() == stored and stored
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in stored)
    assert case_from_dict(case_to_dict(case)) == case

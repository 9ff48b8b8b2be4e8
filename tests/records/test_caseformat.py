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
            # Version 3 replaced the flag by each party's agreement: the old field is unknown.
            lambda d: d["cases"][0]["directions"][0].update(both_parties_agreed=True),
            "$.cases[0].directions[0]: unknown field(s): both_parties_agreed",
        ),
        (
            lambda d: d["cases"][0]["directions"][0].update(
                agreements=[{"party_id": "party-applicant-1", "agreed": "maybe"}]
            ),
            "$.cases[0].directions[0].agreements[0]: agreed 'maybe' is not one of: not_asked",
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


def test_schema_version_is_three():
    assert SCHEMA_VERSION == example_doc()["schema_version"] == 3


V1_EXAMPLE = Path(__file__).parent / "data" / "case_v1.json"


def test_version_1_document_is_migrated_to_version_2():
    # The documented example as schema version 1 wrote it (before issue 11).
    v1 = json.loads(V1_EXAMPLE.read_text(encoding="utf-8"))
    assert v1["schema_version"] == 1
    (case,) = load_cases(json.dumps(v1), today=HEARING_DAY)
    # Version 1 wrote every direction "Under section 11A": an interim activity direction.
    assert [(d.order_type.value, d.provision.value) for d in case.directions] == [
        ("interim", "direction")
    ] * len(case.directions)
    # Nothing was recorded on residence: not yet known, never "yes".
    assert {p.habitually_resident.value for p in case.parties} == {"unknown"}
    assert not any(p.is_child for p in case.parties)
    # Everything version 1 held is kept: written back out, only the new fields differ.
    out = dump_cases([case])
    assert out["schema_version"] == 3
    for old, new in zip(v1["cases"][0]["parties"], out["cases"][0]["parties"], strict=True):
        assert {k: new[k] for k in old} == old
    for old, new in zip(v1["cases"][0]["directions"], out["cases"][0]["directions"], strict=True):
        # both_parties_agreed became each party's agreement in version 3 (tested below).
        assert {k: new[k] for k in old if k != "both_parties_agreed"} == {
            k: v for k, v in old.items() if k != "both_parties_agreed"
        }
    assert load_cases(dumps_cases([case])) == [case]


def test_version_1_document_may_not_hold_version_2_fields():
    v1 = json.loads(V1_EXAMPLE.read_text(encoding="utf-8"))
    v1["cases"][0]["directions"][0]["order_type"] = "final"
    assert problems_of(v1) == [
        "$.cases[0].directions[0]: order_type is a schema version 2 field: set schema_version to 2"
    ]


def test_version_2_reads_order_type_and_refuses_a_bad_one():  # and version 3 still does
    doc = example_doc()
    doc["cases"][0]["directions"][0]["order_type"] = "final"
    doc["cases"][0]["directions"][0]["provision"] = "condition"
    (case,) = load_cases(json.dumps(doc))
    assert case.directions[0].order_type.value == "final"
    doc["cases"][0]["directions"][0]["order_type"] = "perhaps"
    (problem,) = problems_of(doc)
    assert "order type 'perhaps' is not one of: interim, final" in problem


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


V2_EXAMPLE = Path(__file__).parent / "data" / "case_v2.json"


def _v2_with_route_a(agreed):
    """The documented example as schema version 2 wrote it, with a contact-centre direction
    whose route (a) agreement was the bare flag."""
    v2 = json.loads(V2_EXAMPLE.read_text(encoding="utf-8"))
    assert v2["schema_version"] == 2
    contact = dict(v2["cases"][0]["directions"][0])
    contact.update(
        id="direction-contact",
        activity="contact_supported",
        funding="fhdra_agreed",
        both_parties_agreed=agreed,
    )
    v2["cases"][0]["directions"][0]["both_parties_agreed"] = False
    v2["cases"][0]["directions"].append(contact)
    return v2


def test_version_2_document_is_migrated_to_version_3():
    v2 = _v2_with_route_a(True)
    (case,) = load_cases(json.dumps(v2), today=HEARING_DAY)
    wt4c, contact = case.directions
    # "Both parties agreed" becomes each parent's "yes", undated and noted as migrated: route
    # (a) then asks the officer for the dates instead of the tool inventing them.
    assert [(a.party_id, a.agreed.value, a.agreed_on) for a in contact.agreements] == [
        ("party-applicant-1", "yes", None),
        ("party-respondent-1", "yes", None),
    ]
    assert all("before schema version 3" in a.note for a in contact.agreements)
    assert wt4c.agreements == ()  # false: nothing recorded, "not asked"
    # Version 2 had no per-person checks and nothing on PD12J / s16A: not yet known.
    assert case.screening.people == ()
    assert case.screening.fact_finding_needed.answer.value == "unknown"
    # Everything else version 2 held is kept, and the case reads back as version 3.
    out = dump_cases([case])
    assert out["schema_version"] == 3
    old = {k: v for k, v in v2["cases"][0]["directions"][1].items() if k != "both_parties_agreed"}
    assert {k: out["cases"][0]["directions"][1][k] for k in old} == old
    assert load_cases(dumps_cases([case])) == [case]


def test_the_current_documents_of_every_version_still_import():
    for path in (V1_EXAMPLE, V2_EXAMPLE, EXAMPLE):
        (case,) = load_cases(path.read_bytes(), today=HEARING_DAY)
        assert case.parties and case.directions


def test_a_case_stored_before_version_3_opens():
    """The store keeps each case without a schema version: one stored by version 2 (with
    ``both_parties_agreed``) is migrated by its shape when it is read."""
    stored = _v2_with_route_a(True)["cases"][0]
    case = case_from_dict(stored)
    assert [a.agreed.value for a in case.directions[1].agreements] == ["yes", "yes"]
    assert case_from_dict(case_to_dict(case)) == case


def test_version_2_document_may_not_hold_version_3_fields():
    v2 = _v2_with_route_a(False)
    v2["cases"][0]["directions"][0]["consultation_note"] = "x"
    v2["cases"][0]["screening"]["people"] = []
    assert problems_of(v2) == [
        "$.cases[0].directions[0]: consultation_note is a schema version 3 field: "
        "set schema_version to 3",
        "$.cases[0].screening: people is a schema version 3 field: set schema_version to 3",
    ]


def test_version_3_checks_each_person_and_what_was_entered():
    doc = example_doc()
    case = doc["cases"][0]
    yes = {"answer": "yes", "answered_on": "2026-11-20", "answered_by": "Officer"}
    case["screening"]["people"] = [
        {"person_id": "party-respondent-1", "police_check": yes},
        {"person_id": case["children"][0]["id"], "local_authority_check": yes},
    ]
    case["directions"][0]["assistance_told_on"] = "2026-11-23"
    (loaded,) = load_cases(json.dumps(doc), today=HEARING_DAY)
    assert loaded.screening.checks_of("party-respondent-1").police_check.answer.value == "yes"
    # A child is checked with the local authority only; a person must be in the case; dates
    # of what was said are not in the future (as new input).
    case["screening"]["people"][1]["police_check"] = yes
    case["screening"]["people"].append({"person_id": "nobody"})
    case["directions"][0]["assistance_told_on"] = "2026-12-25"
    problems = problems_of(doc)
    assert any("a child's checks hold the local-authority check only" in p for p in problems)
    assert any(
        "directions[0]: told of assistance on 25/12/2026 is in the future" in p for p in problems
    ), problems

"""Provider directories from CSV and JSON: all or nothing, every bad row named with its number."""

from __future__ import annotations

import json

import pytest

from duty_tui.services.options import (
    Directory,
    DirectoryError,
    load_directory,
    providers_from_csv,
    providers_from_json,
    sample_directory,
)
from records.caseformat import CaseFormatError, dump_providers
from records.model import Accreditation, Activity, Delivery, Language

HEADER = (
    "id,name,activities,jurisdiction,areas,venue_postcode,delivery,languages,"
    "accreditation,next_available,phone,email,sample\n"
)
GOOD = (
    'afon,"Sample: Afon, Cardiff",wt4c;mediation_info,wales,CF;NP20,CF10 9ZZ,'
    "remote;face_to_face,welsh;english,none,2026-12-01,029 2018 0001,a@afon.example,true\n"
)
CENTRE = (
    "ty,Sample: Ty,contact_supported;contact_supervised,wales,CF,,face_to_face,english,"
    "enhanced,,,,no\n"
)


def test_csv_reads_every_column():
    (afon, ty) = providers_from_csv(HEADER + GOOD + CENTRE)
    assert afon.name == "Sample: Afon, Cardiff"
    assert afon.activities == (Activity.WT4C, Activity.MEDIATION_INFO)
    assert afon.areas == ("CF", "NP20")
    assert afon.delivery == (Delivery.REMOTE, Delivery.FACE_TO_FACE)
    assert afon.languages == (Language.WELSH, Language.ENGLISH)
    assert afon.next_available.isoformat() == "2026-12-01"
    assert afon.sample is True
    assert ty.accreditation is Accreditation.ENHANCED
    assert ty.next_available is None and ty.sample is False


def test_csv_optional_columns_may_be_left_out_and_bom_and_blank_lines_are_fine():
    raw = ("\ufeffid,name,activities,jurisdiction\n\nx,Sample: X,ptfc,england\n\n").encode()
    (x,) = providers_from_csv(raw)
    assert x.delivery == (Delivery.REMOTE,) and x.languages == (Language.ENGLISH,)


def test_bad_rows_are_all_reported_with_their_numbers_and_nothing_is_imported():
    raw = (
        HEADER
        + GOOD
        + "b1,Sample: B,mediation,wales,,,,,,,,,\n"  # row 3: unknown activity
        + "b2,Sample: C,wt4c,wales,CF,XX,,,,,,,\n"  # row 4: bad postcode
        + "afon,Sample: D,wt4c,wales,,,,,,,,,\n"  # row 5: id repeats row 2
        + "b4,Sample: E,wt4c,wales,,,,,,31/02/2026,,,\n"  # row 6: not a date
        + "b5,Sample: F,wt4c,wales,,,,,,,,,maybe\n"  # row 7: sample flag
        + "b6,,wt4c,wales,,,,,,,,,\n"  # row 8: no name
        + "b7,Sample: G,,wales,,,,,,,,,\n"  # row 9: no activity
        + "b8,Sample: H,wt4c,wales,,,,,,,,,,extra\n"
    )  # row 10: too many cells
    with pytest.raises(DirectoryError) as caught:
        providers_from_csv(raw)
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == [
        "row 3",
        "row 4",
        "row 5",
        "row 6",
        "row 7",
        "row 8",
        "row 9",
        "row 10",
    ]
    assert "activity 'mediation' is not one of" in problems[0]
    assert "'XX' is not a UK postcode" in problems[1]
    assert "id 'afon' repeats row 2" in problems[2]
    assert isinstance(caught.value, CaseFormatError)  # callers may catch the general error


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", "the file is empty"),
        ("id,name\n", "row 1: missing column(s): activities, jurisdiction"),
        ("id,name,activities,jurisdiction,colour\n", "row 1: unknown column(s): colour"),
        ("id,name,activities,jurisdiction,id\n", "row 1: a column name repeats"),
        (b"id,name\xff", "not UTF-8"),
    ],
)
def test_csv_header_and_encoding_problems(raw, expected):
    with pytest.raises(DirectoryError) as caught:
        providers_from_csv(raw)
    assert any(expected in p for p in caught.value.problems), caught.value.problems


def test_json_round_trip_of_the_sample_directory():
    providers = sample_directory().providers
    assert providers_from_json(json.dumps(dump_providers(providers))) == providers


def test_json_bad_providers_are_all_reported():
    doc = dump_providers(sample_directory().providers[:3])
    doc["providers"][0]["venue_postcode"] = "XX"
    doc["providers"][2]["id"] = doc["providers"][1]["id"]
    doc["providers"][1]["accreditation"] = "gold"
    with pytest.raises(DirectoryError) as caught:
        providers_from_json(json.dumps(doc))
    problems = caught.value.problems
    assert any(p.startswith("$.providers[0]") and "postcode" in p for p in problems)
    assert any(p.startswith("$.providers[1]") and "gold" in p for p in problems)
    doc["providers"][1]["accreditation"] = "standard"
    doc["providers"][0]["venue_postcode"] = ""
    with pytest.raises(DirectoryError) as caught:
        providers_from_json(json.dumps(doc))
    assert caught.value.problems == [
        f"$.providers[2]: id {doc['providers'][1]['id']!r} repeats $.providers[1]"
    ]


def test_json_not_json_and_wrong_format():
    with pytest.raises(DirectoryError, match="not valid JSON"):
        providers_from_json("{nope")
    with pytest.raises(DirectoryError, match="format"):
        providers_from_json('{"format": "duty-tui/cases", "schema_version": 1}')


def test_load_directory_by_suffix(tmp_path):
    csv_path = tmp_path / "providers.CSV"
    csv_path.write_text(HEADER + GOOD, encoding="utf-8")
    assert load_directory(csv_path).get("afon") is not None
    json_path = tmp_path / "providers.json"
    json_path.write_text(json.dumps(dump_providers(sample_directory().providers)), encoding="utf-8")
    directory = load_directory(json_path)
    assert directory.source == "providers.json" and directory.sample


def test_a_directory_refuses_repeated_ids():
    p = sample_directory().providers[0]
    with pytest.raises(DirectoryError):
        Directory([p, p])

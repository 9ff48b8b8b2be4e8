"""`duty-tui assess CASE.json`: one case in, the assessment as JSON out; bad input exits 2."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from duty_tui.cli import main
from duty_tui.services.options import sample_directory
from records.caseformat import dump_providers

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "case.json"


def example() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def write(tmp_path: Path, doc: dict | str, name: str = "case.json") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def assess(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["assess", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_documented_example(capsys):
    code, out, err = assess(capsys, str(EXAMPLE), "--today", "2026-11-23")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["today"] == "2026-11-23"
    assert data["case"]["id"] == "case-example-1"
    assert data["directory"]["sample"] is True
    assert {p["id"] for p in data["parties"]} == {"party-applicant-1", "party-respondent-1"}
    cells = {(c["party_id"], c["activity"]): c for c in data["matrix"]}
    assert len(cells) == 12
    # Other harm is not yet known in the example: WT4C is "?", never "✓".
    wt4c = cells[("party-applicant-1", "wt4c")]
    assert wt4c["status"] == "needs_screening" and wt4c["options"] is None
    assert any(r["rule"] == "UNKNOWN-NOT-NO" and r["source"] for r in wt4c["reasons"])
    assert wt4c["funding"]["route"] == "legal_aid"
    assert cells[("party-applicant-1", "ptfc")]["status"] == "blocked"
    (d,) = data["directions"]
    assert d["direction_id"] == "direction-1" and d["status"] == "waiting"
    assert "Sample: Afon Family Centre" in d["wording"]
    # The example's court asked for s11G monitoring to 23/02/2027: dated, so listed first.
    assert [f["kind"] for f in data["followups"]] == [
        "monitoring_period",
        "attendance",
        "evaluation",
        "six_month_contact",
    ]


def test_options_ranked_for_eligible_cells(capsys, tmp_path):
    doc = example()
    doc["cases"][0]["screening"]["other_harm"] = {
        "answer": "no",
        "answered_on": "2026-11-12",
        "answered_by": "Demo Officer Gwyn",
    }
    code, out, _ = assess(capsys, str(write(tmp_path, doc)), "--today", "2026-11-23")
    assert code == 0
    cells = {(c["party_id"], c["activity"]): c for c in json.loads(out)["matrix"]}
    applicant = cells[("party-applicant-1", "wt4c")]
    assert applicant["status"] == "eligible"
    ranked = [o["provider_id"] for o in applicant["options"]]
    # Welsh speaker in Cardiff: the Welsh-language Cardiff provider first.
    assert ranked[0] == "sample-wt4c-cardiff"
    respondent = cells[("party-respondent-1", "wt4c")]
    # The applicant is directed to Afon: the respondent is steered elsewhere.
    assert respondent["options"][-1]["provider_id"] == "sample-wt4c-cardiff"
    assert any(w["rule"] == "SEPARATE-PROVIDER" for w in respondent["options"][-1]["warnings"])


def test_providers_from_a_csv_file(capsys, tmp_path):
    providers = tmp_path / "mine.csv"
    providers.write_text(
        "id,name,activities,jurisdiction,areas,delivery,languages\n"
        "real-1,Real One,wt4c,wales,CF,remote,welsh\n",
        encoding="utf-8",
    )
    doc = example()
    doc["cases"][0]["screening"]["other_harm"] = {
        "answer": "no",
        "answered_on": "2026-11-12",
        "answered_by": "Demo Officer Gwyn",
    }
    code, out, _ = assess(
        capsys, str(write(tmp_path, doc)), "--today", "2026-11-23", "--providers", str(providers)
    )
    assert code == 0
    data = json.loads(out)
    assert data["directory"] == {"source": "mine.csv", "sample": False}
    cell = next(c for c in data["matrix"] if c["activity"] == "wt4c")
    assert [o["provider_id"] for o in cell["options"]] == ["real-1"]


def test_providers_from_json(capsys, tmp_path):
    path = write(tmp_path, dump_providers(sample_directory().providers[:2]), "p.json")
    code, out, _ = assess(capsys, str(EXAMPLE), "--providers", str(path))
    assert code == 0 and json.loads(out)["directory"]["source"] == "p.json"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read"),
        ("{not json", "not valid JSON"),
        ('{"format": "duty-tui/cases", "schema_version": 1, "cases": []}', "holds no case"),
    ],
)
def test_bad_input_exits_2(capsys, tmp_path, content, expected):
    path = tmp_path / "missing.json" if content is None else write(tmp_path, content)
    code, out, err = assess(capsys, str(path))
    assert code == 2 and out == ""
    assert expected in err and err.startswith("duty-tui: ")


def test_several_cases_are_refused_naming_how_many(capsys, tmp_path):
    doc = example()
    second = json.loads(json.dumps(doc["cases"][0]))
    second["id"] = "case-example-2"
    second["case_number"] = "ZZ26P00002"
    doc["cases"].append(second)
    code, out, err = assess(capsys, str(write(tmp_path, doc)))
    assert code == 2 and out == ""
    assert "holds 2 cases" in err and "exactly one case" in err


def test_every_problem_of_an_invalid_case_is_listed(capsys, tmp_path):
    doc = example()
    doc["cases"][0]["parties"][1]["postcode"] = "XX1"
    doc["cases"][0]["screening"]["domestic_abuse"] = {"answer": "maybe"}
    code, out, err = assess(capsys, str(write(tmp_path, doc)))
    assert code == 2 and out == ""
    assert "$.cases[0].parties[1]: postcode: 'XX1' is not a UK postcode" in err
    assert "$.cases[0].screening.domestic_abuse: answer 'maybe'" in err


def test_a_bad_provider_file_is_refused_with_row_numbers(capsys, tmp_path):
    providers = tmp_path / "bad.csv"
    providers.write_text("id,name,activities,jurisdiction\nx,X,wt4c,mars\n", encoding="utf-8")
    code, out, err = assess(capsys, str(EXAMPLE), "--providers", str(providers))
    assert code == 2 and out == ""
    assert "row 2: jurisdiction 'mars'" in err


def test_a_bad_date_is_an_argument_error(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["assess", str(EXAMPLE), "--today", "23/11/2026"])
    assert caught.value.code == 2
    assert "use YYYY-MM-DD" in capsys.readouterr().err


def test_as_a_real_subprocess(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "duty_tui.cli", "assess", str(EXAMPLE), "--today", "2026-11-23"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["case"]["case_number"] == "ZZ26P00001"
    bad = subprocess.run(
        [sys.executable, "-m", "duty_tui.cli", "assess", str(tmp_path / "nope.json")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "cannot read" in bad.stderr and bad.stdout == ""


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def test_assess_judges_ages_at_the_hearing_and_the_future_on_the_given_day(capsys, tmp_path):
    real_today = dt.date.today()
    hearing = real_today - dt.timedelta(days=20)
    doc = example()
    case = doc["cases"][0]
    case["hearing"]["date"] = hearing.isoformat()
    # 17 at the hearing, 18 five days after it: 18 by the wall clock, a child for this case.
    born = _years_before(hearing + dt.timedelta(days=5), 18)
    case["children"][0]["date_of_birth"] = born.isoformat()
    # Answered after the real today (a laptop clock ahead) but before the day assessed as.
    answered = real_today + dt.timedelta(days=3)
    case["screening"]["police_check"]["answered_on"] = answered.isoformat()
    for answer in ("local_authority_check", "domestic_abuse"):
        case["screening"][answer]["answered_on"] = hearing.isoformat()
    case["screening"]["safeguarding_letter_on"] = hearing.isoformat()
    path = str(write(tmp_path, doc))
    later = (real_today + dt.timedelta(days=10)).isoformat()
    code, out, err = assess(capsys, path, "--today", later)
    assert (code, err) == (0, "")
    assert json.loads(out)["today"] == later
    # Assessed as on a day before the answer was given: that answer is in the future.
    code, out, err = assess(capsys, path, "--today", hearing.isoformat())
    assert code == 2 and out == ""
    assert f"police_check: answered on {answered:%d/%m/%Y} is in the future" in err


def test_assess_reports_the_order_and_whom_the_court_may_direct(capsys, tmp_path):
    """Issue 11: order type, provision and order date per direction; s11B answers per party.
    A version 1 file is read too (migrated: an interim s11A direction, residence unknown)."""
    doc = example()
    doc["cases"][0]["directions"][0]["order_type"] = "final"
    code, out, err = assess(capsys, str(write(tmp_path, doc)), "--today", "2026-11-23")
    assert (code, err) == (0, "")
    (d,) = json.loads(out)["directions"]
    assert (d["order_type"], d["provision"], d["directed_on"]) == (
        "final",
        "direction",
        "2026-11-23",
    )
    assert d["status"] == "blocked"
    assert any(r["rule"] == "S11A-INTERIM" and r["effect"] == "blocks" for r in d["reasons"])
    applicant = json.loads(out)["parties"][0]
    assert (applicant["habitually_resident"], applicant["is_child"]) == ("yes", False)

    v1 = Path(__file__).parents[1] / "records" / "data" / "case_v1.json"
    code, out, err = assess(capsys, str(v1), "--today", "2026-11-23")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert [(d["order_type"], d["provision"]) for d in data["directions"]] == [
        ("interim", "direction")
    ]
    assert {p["habitually_resident"] for p in data["parties"]} == {"unknown"}


def test_assess_reports_per_person_safeguarding_agreement_and_assistance(capsys, tmp_path):
    """Issue 11, items 5-7: each person's checks (own or case-wide), the court's PD12J / s16A
    answers, whose answers a direction turns on, route (a)'s evidence and what the party was
    told about financial assistance."""
    doc = example()
    case = doc["cases"][0]
    yes = {"answer": "yes", "answered_on": "2026-11-20", "answered_by": "Demo Officer Gwyn"}
    case["screening"]["people"] = [{"person_id": "party-respondent-1", "police_check": yes}]
    contact = dict(case["directions"][0])
    contact.update(
        id="direction-2",
        activity="contact_supported",
        funding="fhdra_agreed",
        provider_id="sample-contact-ty-chwarae",
        agreements=[
            {"party_id": "party-applicant-1", "agreed": "yes", "agreed_on": "2026-11-23"},
            {"party_id": "party-respondent-1", "agreed": "not_asked"},
        ],
        consultation_note="Consulted by the judge before the order.",
        assistance_told_on="2026-11-23",
    )
    case["directions"].append(contact)
    code, out, err = assess(capsys, str(write(tmp_path, doc)), "--today", "2026-11-23")
    assert (code, err) == (0, "")
    data = json.loads(out)
    people = {p["person_id"]: p for p in data["safeguarding"]["people"]}
    assert people["party-respondent-1"]["police_check"] == {**yes, "own": True}
    assert people["party-applicant-1"]["police_check"]["own"] is False  # the case-wide answer
    assert set(people["child-1"]) == {"person_id", "name", "kind", "local_authority_check"}
    assert data["safeguarding"]["court"]["s16a_risk_assessment"]["answer"] == "unknown"
    wt4c, centre = data["directions"]
    # WT4C for the applicant is not judged on the respondent's police check; contact is.
    assert wt4c["involves"] == ["party-applicant-1", "child-1"]
    assert centre["involves"] == ["party-applicant-1", "party-respondent-1", "child-1"]
    assert centre["status"] == "blocked"
    assert any(
        r["rule"] == "CONTACT-NO-RISK" and "Pwyll Ffug" in r["text"] and r["effect"] == "blocks"
        for r in centre["reasons"]
    )
    assert centre["agreement"]["parties"][1] == {
        "party_id": "party-respondent-1",
        "agreed": "not_asked",
        "agreed_on": None,
        "note": "",
    }
    waiting = [r["text"] for r in centre["funding"]["reasons"] if r["rule"] == "CONTACT-FUND-A"]
    assert waiting == ["route (a) waits for: Pwyll Ffug's agreement (not asked)"]
    assert centre["financial_assistance"]["told_on"] == "2026-11-23"


def test_human_words_follow_lang_and_the_data_does_not(capsys):
    """--lang cy: the reasons and follow-ups a person reads are Welsh; the ids, statuses, rules
    and the order's words (English and, in Wales, Welsh) are the same in either language."""
    from duty_tui import i18n

    try:
        code, out, err = assess(capsys, str(EXAMPLE), "--today", "2026-11-23", "--lang", "cy")
        assert (code, err) == (0, "")
        welsh = json.loads(out)
        code, out, _err = assess(capsys, str(EXAMPLE), "--today", "2026-11-23", "--lang", "en")
        english = json.loads(out)
    finally:
        i18n.set_language("en")
    cells = {(c["party_id"], c["activity"]): c for c in welsh["matrix"]}
    texts = [r["text"] for r in cells[("party-applicant-1", "wt4c")]["reasons"]]
    assert "Niwed neu risg arall i blentyn neu oedolyn: heb ei wybod eto" in " ".join(texts)
    assert any("yng Nghymru; mae'r achos hwn yng Nghymru" in t for t in texts)
    (d,) = welsh["directions"]
    assert any(
        f["text"].startswith("cadarnhewch bresenoldeb i'r llys neu i'r ymarferydd")
        for f in welsh["followups"]
    )
    # The order's words are the order's, not the officer's language: both, in Wales.
    (e,) = english["directions"]
    assert (d["wording"], d["wording_cy"]) == (e["wording"], e["wording_cy"])
    assert d["wording_cy"].startswith("O dan adran 11A o Ddeddf Plant 1989, rhaid i Rhiannon Ffug")

    def data(doc: dict) -> object:
        """Everything but the human words."""
        if isinstance(doc, dict):
            return {k: data(v) for k, v in doc.items() if k not in ("text", "who_pays")}
        if isinstance(doc, list):
            return [data(v) for v in doc]
        return doc

    assert data(welsh) == data(english)

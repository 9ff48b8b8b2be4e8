"""`duty-tui import` and `duty-tui list` as a script would use them."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from duty_tui.cli import main

from .conftest import EXAMPLE, PASS, two_case_doc


def test_first_import_creates_the_store_and_list_prints_it(env, tmp_path, capsys):
    assert main(["import", str(two_case_doc(tmp_path)), "--data-dir", str(env)]) == 0
    assert "imported 2 cases" in capsys.readouterr().out
    assert main(["list", "--data-dir", str(env)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "ZZ26P00001\t2026-11-23",
        "ZZ26P00002\t2026-11-24",
    ]
    raw = b"".join(p.read_bytes() for p in env.rglob("*") if p.is_file())
    for secret in ("Rhiannon Ffug", "Pwyll", "Pryderi", "ZZ26P00001"):
        assert secret.encode() not in raw


def test_data_dir_from_environment(env, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DUTY_TUI_DATA_DIR", str(env))
    assert main(["import", str(EXAMPLE)]) == 0
    capsys.readouterr()
    assert main(["list", "--json"]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line == {
        "id": "case-example-1",
        "case_number": "ZZ26P00001",
        "hearing_date": "2026-11-23",
    }


def test_bad_file_is_refused_whole_with_reasons(env, tmp_path, capsys):
    doc = json.loads(two_case_doc(tmp_path).read_text())
    doc["cases"][1]["parties"][0]["postcode"] = "nowhere"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    assert main(["import", str(bad), "--data-dir", str(env)]) == 2
    err = capsys.readouterr().err
    assert "refused, nothing imported" in err
    assert "$.cases[1].parties[0]: postcode: 'nowhere' is not a UK postcode" in err
    assert not env.exists(), "a refused first import must not even create the store"


def test_clash_with_stored_case_refuses_the_whole_file(env, tmp_path, capsys):
    assert main(["import", str(EXAMPLE), "--data-dir", str(env)]) == 0
    assert main(["import", str(two_case_doc(tmp_path)), "--data-dir", str(env)]) == 2
    assert "$.cases[0]: case ZZ26P00001 is already stored (same id)" in capsys.readouterr().err
    main(["list", "--data-dir", str(env)])
    assert capsys.readouterr().out.splitlines() == ["ZZ26P00001\t2026-11-23"]


def test_wrong_passphrase_and_missing_store(env, tmp_path, capsys, monkeypatch):
    assert main(["list", "--data-dir", str(env)]) == 2
    assert "no store at" in capsys.readouterr().err
    assert main(["import", str(EXAMPLE), "--data-dir", str(env)]) == 0
    monkeypatch.setenv("DUTY_TUI_PASSPHRASE", "not it")
    assert main(["list", "--data-dir", str(env)]) == 2
    err = capsys.readouterr().err
    assert "passphrase" in err.lower()
    assert "Rhiannon" not in err


def test_no_passphrase_without_a_terminal(env, capsys, monkeypatch):
    monkeypatch.delenv("DUTY_TUI_PASSPHRASE")
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    assert main(["import", str(EXAMPLE), "--data-dir", str(env)]) == 2
    assert "DUTY_TUI_PASSPHRASE" in capsys.readouterr().err


def test_console_script_runs(env, tmp_path):
    environ = {**os.environ, "DUTY_TUI_PASSPHRASE": PASS}
    exe = Path(sys.executable).with_name("duty-tui")
    done = subprocess.run(
        [str(exe), "import", str(EXAMPLE), "--data-dir", str(env)],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    listed = subprocess.run(
        [str(exe), "list", "--data-dir", str(env)],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listed.stdout == "ZZ26P00001\t2026-11-23\n"


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def test_import_judges_a_child_at_the_hearing_and_refuses_dates_after_today(env, tmp_path, capsys):
    today = dt.date.today()
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    case = doc["cases"][0]
    # Under 18 today, 18 ten days from now: the hearing in a month is not a child's.
    case["hearing"]["date"] = (today + dt.timedelta(days=30)).isoformat()
    born = _years_before(today + dt.timedelta(days=10), 18)
    case["children"][0]["date_of_birth"] = born.isoformat()
    tomorrow = today + dt.timedelta(days=1)
    case["screening"]["police_check"]["answered_on"] = tomorrow.isoformat()
    path = tmp_path / "adult.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["import", str(path), "--data-dir", str(env)]) == 2
    err = capsys.readouterr().err
    assert "refused, nothing imported" in err
    assert (
        f"$.cases[0].children[0]: date of birth: {born:%d/%m/%Y} is 18 or more years ago: "
        "not a child" in err
    )
    assert (
        f"$.cases[0].screening.police_check: answered on {tomorrow:%d/%m/%Y} is in the future"
        in err
    )
    assert not env.exists()


def test_import_takes_a_child_who_has_turned_18_since_the_hearing(env, tmp_path, capsys):
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    doc["cases"][0]["hearing"]["date"] = "2017-06-01"
    doc["cases"][0]["children"][0]["date_of_birth"] = "2000-01-01"  # 17 then
    for answer in doc["cases"][0]["screening"].values():
        if isinstance(answer, dict) and answer["answered_on"]:
            answer["answered_on"] = "2017-05-20"
    doc["cases"][0]["screening"]["safeguarding_letter_on"] = "2017-05-25"
    doc["cases"][0]["directions"][0]["directed_on"] = "2017-06-01"
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["import", str(path), "--data-dir", str(env)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert main(["list", "--data-dir", str(env)]) == 0
    assert capsys.readouterr().out == "ZZ26P00001\t2017-06-01\n"

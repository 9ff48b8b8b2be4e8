"""`duty-tui import` and `duty-tui list` as a script would use them."""

import json
import os
import subprocess
import sys
from pathlib import Path

from duty_tui.cli import main

from .conftest import EXAMPLE, PASS, two_case_doc


def test_first_import_creates_the_store_and_list_prints_it(env, tmp_path, capsys):
    assert main(["import", str(two_case_doc(tmp_path)), "--data-dir", str(env)]) == 0
    assert "imported 2 case(s)" in capsys.readouterr().out
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

"""`duty-tui export` prints what is stored in the case format, on stdout only: a round trip
through `import` is lossless."""

from __future__ import annotations

import json

from duty_tui.cli import main
from records.caseformat import load_cases

from .conftest import two_case_doc


def test_round_trip_is_lossless(env, tmp_path, capsys):
    source = two_case_doc(tmp_path)
    assert main(["import", str(source), "--data-dir", str(env)]) == 0
    capsys.readouterr()
    before = set(tmp_path.rglob("*"))
    assert main(["export", "--data-dir", str(env)]) == 0
    exported = capsys.readouterr().out
    assert set(tmp_path.rglob("*")) == before, "export writes no file"
    assert load_cases(exported) == load_cases(source.read_bytes())
    again = tmp_path / "again.json"
    again.write_text(exported, encoding="utf-8")
    other = tmp_path / "other-store"
    assert main(["import", str(again), "--data-dir", str(other)]) == 0
    capsys.readouterr()
    assert main(["export", "--data-dir", str(other)]) == 0
    assert capsys.readouterr().out == exported


def test_export_by_case_number(env, tmp_path, capsys):
    assert main(["import", str(two_case_doc(tmp_path)), "--data-dir", str(env)]) == 0
    capsys.readouterr()
    assert main(["export", "zz26p00002", "--data-dir", str(env)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [case["case_number"] for case in doc["cases"]] == ["ZZ26P00002"]
    assert main(["export", "ZZ26P09999", "--data-dir", str(env)]) == 2
    assert "no stored case numbered ZZ26P09999" in capsys.readouterr().err


def test_help_says_it_never_writes_a_file(capsys):
    try:
        main(["export", "--help"])
    except SystemExit:
        pass
    assert "never writes a file" in " ".join(capsys.readouterr().out.split())

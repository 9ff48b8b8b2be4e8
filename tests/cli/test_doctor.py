"""A file rolled back, deleted or damaged is named by case number (or by what it holds) in
`duty-tui list` and `duty-tui doctor`, both exit non-zero, and `doctor --accept` records the
officer's decision. `duty-tui sync` will not run on a lost outbox."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from duty_tui.cli import main
from store import Store
from store.outbox import NewEntry, Outbox

from .conftest import EXAMPLE, PASS, two_case_doc


def _imported(env: Path, tmp_path: Path, capsys) -> None:
    assert main(["import", str(two_case_doc(tmp_path)), "--data-dir", str(env)]) == 0
    capsys.readouterr()


def _case_path(env: Path, number: str) -> Path:
    with Store.open(env, PASS) as store:
        [case_id] = [i for i, s in store.summaries().items() if s["case_number"] == number]
        return store.case_path(case_id)


def test_a_healthy_store(env, tmp_path, capsys):
    _imported(env, tmp_path, capsys)
    assert main(["doctor", "--data-dir", str(env)]) == 0
    assert "no problems: 2 cases" in capsys.readouterr().out


def test_a_deleted_case_file_is_named_by_list_and_doctor(env, tmp_path, capsys):
    _imported(env, tmp_path, capsys)
    _case_path(env, "ZZ26P00002").unlink()
    assert main(["list", "--data-dir", str(env)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == ["ZZ26P00001\t2026-11-23", "ZZ26P00002\t2026-11-24"]
    assert "case ZZ26P00002: its file is missing" in err
    assert main(["doctor", "--data-dir", str(env)]) == 1
    out = capsys.readouterr().out
    assert "case ZZ26P00002: its file is missing" in out
    assert "duty-tui doctor --accept ZZ26P00002" in out
    # The officer decides the case is gone (it will be typed again).
    assert main(["doctor", "--data-dir", str(env), "--accept", "zz26p00002"]) == 0
    assert "accepted: case ZZ26P00002" in capsys.readouterr().out
    assert main(["list", "--data-dir", str(env)]) == 0
    assert capsys.readouterr().out.splitlines() == ["ZZ26P00001\t2026-11-23"]


def test_an_older_case_file_is_named(env, tmp_path, capsys):
    _imported(env, tmp_path, capsys)
    path = _case_path(env, "ZZ26P00001")
    old = path.read_bytes()
    with Store.open(env, PASS) as store:
        [case_id] = [i for i, s in store.summaries().items() if s["case_number"] == "ZZ26P00001"]
        store.save_case(case_id, store.load_case(case_id), store.summaries()[case_id])
    path.write_bytes(old)
    assert main(["doctor", "--data-dir", str(env)]) == 1
    assert "case ZZ26P00001: its file is older than the last save" in capsys.readouterr().out
    assert main(["export", "ZZ26P00001", "--data-dir", str(env)]) == 1
    assert "not exported: case ZZ26P00001" in capsys.readouterr().err


def test_a_damaged_case_file_is_quarantined(env, tmp_path, capsys):
    _imported(env, tmp_path, capsys)
    path = _case_path(env, "ZZ26P00001")
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    assert main(["doctor", "--data-dir", str(env)]) == 1
    out = capsys.readouterr().out
    assert "case ZZ26P00001: its file is damaged" in out
    assert "1 file kept in quarantine" in out
    [kept] = list((env / "quarantine").iterdir())
    assert kept.read_bytes() == bytes(data)


def test_a_lost_outbox_stops_sync_until_accepted(env, tmp_path, capsys):
    _imported(env, tmp_path, capsys)
    with Store.open(env, PASS) as store:
        Outbox(store).enqueue_many([NewEntry("ref-1", 1, "case-example-1", {"x": 1})])
    (env / "tables" / "outbox.jnl").unlink()
    assert main(["sync", "--data-dir", str(env), "--central", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert "referrals cannot be sent" in err and "duty-tui doctor" in err
    assert main(["doctor", "--data-dir", str(env)]) == 1
    out = capsys.readouterr().out
    assert "the referral outbox: its file is missing" in out
    assert "sync is stopped until you decide" in out
    assert main(["doctor", "--data-dir", str(env), "--accept", "outbox"]) == 0
    capsys.readouterr()
    assert main(["doctor", "--data-dir", str(env)]) == 0


def test_accepting_what_has_no_problem_is_refused(env, tmp_path, capsys):
    _imported(env, tmp_path, capsys)
    assert main(["doctor", "--data-dir", str(env), "--accept", "ZZ26P00001"]) == 2
    assert "nothing to accept" in capsys.readouterr().err


def test_messages_carry_no_case_content(env, tmp_path, capsys):
    _imported(env, tmp_path, capsys)
    for number in ("ZZ26P00001", "ZZ26P00002"):
        _case_path(env, number).unlink()
    shutil.rmtree(env / "tables", ignore_errors=True)
    main(["list", "--data-dir", str(env)])
    main(["doctor", "--data-dir", str(env)])
    out, err = capsys.readouterr()
    doc = json.loads(EXAMPLE.read_text())
    for party in doc["cases"][0]["parties"]:
        assert party["name"] not in out + err
    assert "case-example" not in out + err, "case ids are not shown: they may hold names"


@pytest.mark.parametrize("first", ["list", "doctor"])
def test_exit_codes_for_scripts(env, tmp_path, capsys, first):
    _imported(env, tmp_path, capsys)
    assert main([first, "--data-dir", str(env)]) == 0

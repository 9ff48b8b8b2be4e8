"""`duty-tui purge [--dry-run]`: what would go is listed and nothing changes; without
--dry-run it goes, the audit trail keeps a line of it, and a trail cut short is reported."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from duty_tui.cli import main
from duty_tui.services.audit import AUDIT_JOURNAL
from duty_tui.services.purge import load_case_retention_days
from store import KdfParams, Store

from .conftest import EXAMPLE, PASS


def _settled_case_file(tmp_path: Path) -> Path:
    """The documented example, heard ten days ago, with no direction: nothing waits on it.
    (The store is made first with a cheap key derivation: every command opens it.)"""
    Store.create(tmp_path / "data", PASS, kdf=KdfParams.for_tests()).close()
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    case = doc["cases"][0]
    case["hearing"]["date"] = (dt.date.today() - dt.timedelta(days=10)).isoformat()
    case["directions"], case["referrals"] = [], []
    path = tmp_path / "settled.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_dry_run_lists_and_changes_nothing_then_purge_removes(env, tmp_path, capsys):
    assert main(["import", str(_settled_case_file(tmp_path)), "--data-dir", str(env)]) == 0
    capsys.readouterr()
    assert main(["purge", "--dry-run", "--data-dir", str(env)]) == 0
    out = capsys.readouterr().out
    on = dt.date.today() + dt.timedelta(days=20)
    assert f"will be purged on {on:%d/%m/%Y}: ZZ26P00001" in out  # 30 days after the hearing
    assert "0 cases would be purged" in out
    assert main(["purge", "--dry-run", "--retention-days", "5", "--data-dir", str(env)]) == 0
    out = capsys.readouterr().out
    assert "would purge ZZ26P00001" in out and "1 case would be purged" in out
    assert main(["list", "--data-dir", str(env)]) == 0
    assert "ZZ26P00001" in capsys.readouterr().out  # a dry run changes nothing
    with Store.open(env, PASS) as store:
        assert load_case_retention_days(store) == 30  # nor the setting

    assert main(["purge", "--retention-days", "5", "--data-dir", str(env)]) == 0
    assert "1 case purged" in capsys.readouterr().out
    assert main(["list", "--data-dir", str(env)]) == 0
    assert capsys.readouterr().out == ""
    assert main(["audit", "--data-dir", str(env)]) == 0
    assert [line.split("  ")[2:4] for line in capsys.readouterr().out.splitlines()] == [
        ["imported", "ZZ26P00001"],
        ["purged", "ZZ26P00001"],
    ]
    with Store.open(env, PASS) as store:
        assert load_case_retention_days(store) == 5


def test_a_retention_period_out_of_bounds_is_refused(env, tmp_path, capsys):
    assert main(["import", str(_settled_case_file(tmp_path)), "--data-dir", str(env)]) == 0
    for bad in ("0", "366"):
        assert main(["purge", "--retention-days", bad, "--data-dir", str(env)]) == 2
        assert "between 1 and 365 days" in capsys.readouterr().err


def test_the_purge_line_cut_from_the_trail_is_reported(env, tmp_path, capsys):
    """The chain cannot show its own last entry gone; the store's manifest can: it recorded
    how long the trail was."""
    assert main(["import", str(_settled_case_file(tmp_path)), "--data-dir", str(env)]) == 0
    path = env / "tables" / f"{AUDIT_JOURNAL}.jnl"
    before = path.read_bytes()
    assert main(["purge", "--retention-days", "1", "--data-dir", str(env)]) == 0
    path.write_bytes(before)  # the trail as it was before the purge line
    os.sync()
    capsys.readouterr()
    assert main(["audit", "--data-dir", str(env)]) == 1
    assert "duty-tui:" in capsys.readouterr().out

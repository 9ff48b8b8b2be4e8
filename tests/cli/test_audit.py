"""`duty-tui audit`: the trail of who did what, printed from the store; a broken chain or a
damaged trail file is reported and exits 1."""

from __future__ import annotations

import os

from duty_tui.cli import main
from duty_tui.services.audit import AUDIT_JOURNAL, AuditLog
from store import Store

from .conftest import PASS, two_case_doc


def _lines(capsys) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_import_and_export_are_in_the_trail(env, tmp_path, capsys):
    assert main(["import", str(two_case_doc(tmp_path)), "--data-dir", str(env)]) == 0
    assert main(["export", "ZZ26P00002", "--data-dir", str(env)]) == 0
    capsys.readouterr()
    assert main(["audit", "--data-dir", str(env)]) == 0
    lines = _lines(capsys)
    assert [line.split("  ")[2:4] for line in lines] == [
        ["imported", "ZZ26P00001"],
        ["imported", "ZZ26P00002"],
        ["exported", "ZZ26P00002"],
    ]
    assert all(line.split("  ")[1] == "duty-tui command line" for line in lines)
    assert main(["audit", "zz26p00001", "--data-dir", str(env)]) == 0
    assert len(_lines(capsys)) == 1


def test_an_edited_entry_breaks_the_chain(env, tmp_path, capsys):
    assert main(["import", str(two_case_doc(tmp_path)), "--data-dir", str(env)]) == 0
    store = Store.open(env, PASS)
    try:
        journal = store.journal(AUDIT_JOURNAL)
        records = [dict(r) for r in journal.read()]
        records[0]["action"] = "exported"  # rewritten with the key: the chain still tells
        journal.rewrite(records)
    finally:
        store.close()
    capsys.readouterr()
    assert main(["audit", "--data-dir", str(env)]) == 1
    assert "broken at entry 2" in capsys.readouterr().out


def test_removed_and_reordered_entries_break_the_chain(env, tmp_path, capsys):
    assert main(["import", str(two_case_doc(tmp_path)), "--data-dir", str(env)]) == 0
    store = Store.open(env, PASS)
    try:
        trail = AuditLog(store, "Officer Ffug")
        trail.record("unlocked")
        journal = store.journal(AUDIT_JOURNAL)
        records = journal.read()
        journal.rewrite([records[0], records[2]])  # the second removed
        assert trail.breaks() == [2]
        journal.rewrite([records[1], records[0], records[2]])  # two swapped
        assert trail.breaks() == [1, 2, 3]
    finally:
        store.close()


def test_a_damaged_trail_file_is_reported(env, tmp_path, capsys):
    assert main(["import", str(two_case_doc(tmp_path)), "--data-dir", str(env)]) == 0
    path = env / "tables" / f"{AUDIT_JOURNAL}.jnl"
    data = bytearray(path.read_bytes())
    data[-5] ^= 0x40  # one flipped byte in the last entry
    path.write_bytes(bytes(data))
    os.sync()
    capsys.readouterr()
    assert main(["audit", "--data-dir", str(env)]) == 1
    out = capsys.readouterr().out
    assert "duty-tui:" in out and "ZZ26P00001" not in out

"""Journals: appended, never rewritten (but by compaction), checked against the manifest like
every other file: an older copy, a deleted one or a damaged one is reported; a torn tail from
a crash is not. See test_crash.py for SIGKILL at every disk call of an append and a rewrite."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from store import KdfParams, Store, TableUnreadable
from store.problems import ProblemKind

from .conftest import PASSPHRASE, snapshot


def _path(data_dir: Path) -> Path:
    return data_dir / "tables" / "outbox.jnl"


def _kinds(store: Store) -> dict[str, ProblemKind]:
    return {p.subject: p.kind for p in store.problems()}


def test_appends_survive_reopening_in_order(store: Store, data_dir: Path):
    journal = store.journal("outbox")
    for n in range(5):
        journal.append([{"n": n}, {"n": n, "second": True}])
    store.close()
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.problems() == []
        records = again.journal("outbox").read()
    assert [r["n"] for r in records] == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]


def test_an_append_touches_only_the_journal_and_the_manifest(store: Store, data_dir: Path):
    journal = store.journal("outbox")
    journal.append([{"n": 0, "pad": "x" * 5000}] * 50)
    before = snapshot(data_dir)
    journal.append([{"n": 1}])
    after = snapshot(data_dir)
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed == {"tables/outbox.jnl", "manifest.log"}
    old, new = before["tables/outbox.jnl"], after["tables/outbox.jnl"]
    assert new[2] == old[2], "appended in place, not rewritten"
    assert new[0].startswith(old[0]) and len(new[0]) - len(old[0]) < 200


def test_a_torn_tail_is_cut_not_reported(store: Store, data_dir: Path):
    store.journal("outbox").append([{"n": 1}])
    store.close()
    with open(_path(data_dir), "ab") as f:
        f.write(b"\x00\x00\x01\x00" + os.urandom(30))
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.problems() == []
        journal = again.journal("outbox")
        assert journal.read() == [{"n": 1}]
        journal.append([{"n": 2}])
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.journal("outbox").read() == [{"n": 1}, {"n": 2}]


@pytest.mark.parametrize("older", ["fewer records", "before compaction"])
def test_an_older_copy_is_reported_and_blocks_a_critical_journal(
    store: Store, data_dir: Path, older: str
):
    journal = store.journal("outbox", critical=True)
    journal.append([{"n": 1}])
    kept = _path(data_dir).read_bytes()
    if older == "fewer records":
        journal.append([{"n": 2}])
    else:
        journal.rewrite([{"n": "compacted"}])
        journal.append([{"n": 3}])
    store.close()
    _path(data_dir).write_bytes(kept)
    with Store.open(data_dir, PASSPHRASE) as again:
        assert _kinds(again) == {"table:outbox": ProblemKind.ROLLED_BACK}
        [problem] = again.problems()
        assert "older than the last save" in problem.detail
        with pytest.raises(TableUnreadable):
            again.journal("outbox", critical=True).read()
        again.accept("table:outbox")
        assert again.journal("outbox").read() == [{"n": 1}]
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.problems() == []


def test_a_deleted_journal_is_reported(store: Store, data_dir: Path):
    store.journal("outbox", critical=True).append([{"n": 1}])
    store.close()
    _path(data_dir).unlink()
    with Store.open(data_dir, PASSPHRASE) as again:
        assert _kinds(again) == {"table:outbox": ProblemKind.MISSING}
        with pytest.raises(TableUnreadable, match="missing"):
            again.journal("outbox", critical=True).read()
        again.accept("table:outbox")
        assert again.journal("outbox").read() == []


@pytest.mark.parametrize("critical", [True, False])
def test_a_damaged_record_is_quarantined(store: Store, data_dir: Path, critical: bool):
    journal = store.journal("sync_log", critical=critical)
    journal.append([{"n": 1}])
    journal.append([{"n": 2}])
    store.close()
    path = data_dir / "tables" / "sync_log.jnl"
    data = bytearray(path.read_bytes())
    data[-5] ^= 0x01
    path.write_bytes(bytes(data))
    with Store.open(data_dir, PASSPHRASE) as again:
        handle = again.journal("sync_log", critical=critical)
        if critical:
            with pytest.raises(TableUnreadable):
                handle.read()
        else:
            assert handle.read() == []
            assert [p.kind for p in again.told()] == [ProblemKind.DAMAGED]
    [moved] = list((data_dir / "quarantine").iterdir())
    assert moved.read_bytes() == bytes(data)


def test_another_stores_journal_is_not_taken(store: Store, data_dir: Path, tmp_path: Path):
    store.journal("outbox").append([{"n": 1}])
    store.close()
    with Store.create(tmp_path / "other", PASSPHRASE, kdf=KdfParams.for_tests()) as other:
        other.journal("outbox").append([{"n": "theirs"}])
    shutil.copy(tmp_path / "other" / "tables" / "outbox.jnl", _path(data_dir))
    with Store.open(data_dir, PASSPHRASE) as again:
        assert _kinds(again) == {"table:outbox": ProblemKind.ROLLED_BACK}
        with pytest.raises(TableUnreadable):
            again.journal("outbox", critical=True).read()


def test_nothing_readable_in_a_journal(store: Store, data_dir: Path):
    store.journal("outbox").append([{"party": "Gwenllïan Ŵyn Pŷr"}])
    raw = _path(data_dir).read_bytes()
    assert "Gwenllïan".encode() not in raw and b"party" not in raw


def test_a_big_record_reads_back_and_one_too_big_is_never_written(store: Store, data_dir: Path):
    """A record the reader would stop at (taking it for one torn by a crash) must never be
    written: a 9,000-referral enqueue of 17 MB once was, and the next sync found the outbox
    "older than its last save"."""
    from store import StoreError
    from store.journal import MAX_RECORD

    journal = store.journal("outbox")
    big = "x" * (20 * 2**20)  # over the old 16 MB limit, under the new one
    journal.append([{"n": 0, "text": big}])
    before = _path(data_dir).read_bytes()
    with pytest.raises(StoreError, match="nothing was written"):
        journal.append([{"n": 1, "text": "y" * MAX_RECORD}])
    assert _path(data_dir).read_bytes() == before
    journal.append([{"n": 2}])
    store.close()
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.problems() == []
        assert [r["n"] for r in again.journal("outbox").read()] == [0, 2]

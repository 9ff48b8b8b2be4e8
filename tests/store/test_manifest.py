"""The manifest: every file's version, so a file that goes missing, goes back to an older version
or comes from elsewhere is reported by name, never quietly re-read or dropped from the list. A
crash at any point is never mistaken for any of these (see also test_crash.py)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import struct
from pathlib import Path

import pytest

from store import CaseUnreadable, KdfParams, Store, TableUnreadable, durable
from store.crypto import LEGACY_HEADER, NONCE_LEN
from store.manifest import COMPACT_MIN_RECORDS, HEADER, ManifestLog
from store.problems import ProblemKind

from .conftest import PASSPHRASE, Faults


def record_spans(log: Path) -> list[tuple[int, int]]:
    data = log.read_bytes()
    assert data.startswith(HEADER)
    spans, pos = [], len(HEADER)
    while pos + 4 <= len(data):
        (length,) = struct.unpack_from(">I", data, pos)
        if pos + 4 + length > len(data):
            break
        spans.append((pos, pos + 4 + length))
        pos += 4 + length
    return spans


def _reopen(store: Store, data_dir: Path) -> Store:
    store.close()
    return Store.open(data_dir, PASSPHRASE)


def _kinds(store: Store) -> dict[str, ProblemKind]:
    return {problem.subject: problem.kind for problem in store.problems()}


# --- what a crash leaves: never a problem ----------------------------------------------------


def test_file_written_but_manifest_record_lost(store: Store, data_dir: Path):
    store.save_case("a", {"v": 1}, {"v": 1})
    store.save_case("b", {"v": 1}, {"v": 1})
    store.save_case("a", {"v": 2}, {"v": 2})
    store.save_case("new", {"v": 1}, {"v": 1})
    store.close()
    log = data_dir / "manifest.log"
    spans = record_spans(log)
    # A crash after each file was in place but before its record: the files are one ahead.
    os.truncate(log, spans[-2][0])
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.problems() == []
        assert again.summaries() == {"a": {"v": 2}, "b": {"v": 1}, "new": {"v": 1}}
        assert again.reindexed == 2, "only the two files the manifest was behind on"
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.reindexed == 0, "the repair was written back"


def test_replace_failing_leaves_the_old_file_and_no_problem(
    store: Store, data_dir: Path, faults: Faults
):
    store.save_case("a", {"v": 0}, {"v": 0})
    faults.arm(None)
    store.save_case("a", {"v": 1}, {"v": 1})
    replace_at = faults.calls.index("replace")
    faults.arm(replace_at)
    with pytest.raises(OSError):
        store.save_case("a", {"v": 2}, {"v": 2})
    faults.disarm()
    assert store.summaries() == {"a": {"v": 1}}
    again = _reopen(store, data_dir)
    assert again.problems() == []
    assert again.load_case("a") == {"v": 1}
    again.close()


def test_torn_tail_ignored_and_cut_off(store: Store, data_dir: Path):
    for i in range(5):
        store.save_case(f"c{i}", {"v": i}, {"v": i})
    store.close()
    log = data_dir / "manifest.log"
    good_size = log.stat().st_size
    with open(log, "ab") as f:
        f.write(struct.pack(">I", 500) + os.urandom(40))  # a record cut short by a crash
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.problems() == []
        assert again.summaries() == {f"c{i}": {"v": i} for i in range(5)}
        assert log.stat().st_size == good_size, "torn tail cut off before appending"
        again.save_case("c9", {"v": 9}, {"v": 9})
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.reindexed == 0
        assert again.summaries()["c9"] == {"v": 9}


@pytest.mark.parametrize("tail", [b"\x00", b"\x00\x00\x00", b"\xff" * 9])
def test_short_tails_are_torn_appends(store: Store, data_dir: Path, tail: bytes):
    store.save_case("a", {"v": 1}, {"v": 1})
    store.close()
    with open(data_dir / "manifest.log", "ab") as f:
        f.write(tail)
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.summaries() == {"a": {"v": 1}}
        assert again.problems() == []


def test_crash_between_tombstone_and_unlink_finishes_the_delete(store: Store, data_dir: Path):
    store.save_case("a", {"v": 1}, {"v": 1})
    kept = store.case_path("a").read_bytes()
    store.delete_case("a")
    store.close()
    path = next((data_dir / "cases").iterdir(), None)
    assert path is None
    # As if the unlink had not happened: the exact last version is back.
    with Store.open(data_dir, PASSPHRASE) as again:
        again.case_path("a").write_bytes(kept)
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.problems() == []
        assert "a" not in again.summaries()
    assert not list((data_dir / "cases").iterdir())


# --- what is not a crash: reported by name, never re-read away ---------------------------------


def test_an_older_case_file_put_back_is_reported(store: Store, data_dir: Path):
    store.save_case("a", {"v": 1}, {"v": 1})
    old = store.case_path("a").read_bytes()
    store.save_case("a", {"v": 2}, {"v": 2})
    store.save_case("a", {"v": 3}, {"v": 3})
    path = store.case_path("a")
    store.close()
    path.write_bytes(old)
    with Store.open(data_dir, PASSPHRASE) as again:
        assert _kinds(again) == {"case:a": ProblemKind.ROLLED_BACK}
        [problem] = again.problems()
        assert "older than the last save (version 1 on disk; version 3 was saved)" in (
            problem.detail
        )
        assert again.summaries() == {"a": {"v": 3}}, "still listed as last saved"
        with pytest.raises(CaseUnreadable) as caught:
            again.load_case("a")
        assert "older than the last save" in str(caught.value)
        assert path.read_bytes() == old, "left as it is for the officer to decide"
        # The officer decides the older version will do.
        again.accept("case:a")
        assert again.load_case("a") == {"v": 1}
        assert again.summaries() == {"a": {"v": 1}}
        again.save_case("a", {"v": 4}, {"v": 4})
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.problems() == []
        assert again.load_case("a") == {"v": 4}


def test_an_older_file_put_back_while_open_is_caught_at_the_read(store: Store):
    store.save_case("a", {"v": 1}, {"v": 1})
    old = store.case_path("a").read_bytes()
    store.save_case("a", {"v": 2}, {"v": 2})
    store.case_path("a").write_bytes(old)
    with pytest.raises(CaseUnreadable) as caught:
        store.load_case("a")
    assert "older than the last save" in caught.value.reason
    assert _kinds(store) == {"case:a": ProblemKind.ROLLED_BACK}


def test_a_deleted_case_file_is_reported_not_dropped(store: Store, data_dir: Path):
    store.save_case("a", {"v": 1}, {"v": 1})
    store.save_case("b", {"v": 1}, {"v": 1})
    path = store.case_path("a")
    store.close()
    path.unlink()
    with Store.open(data_dir, PASSPHRASE) as again:
        assert _kinds(again) == {"case:a": ProblemKind.MISSING}
        assert set(again.summaries()) == {"a", "b"}, "never re-indexed away"
        assert set(again.unreadable_cases()) == {"a"}
        with pytest.raises(CaseUnreadable) as caught:
            again.load_case("a")
        assert "its file is missing" in str(caught.value)
    with Store.open(data_dir, PASSPHRASE) as again:
        assert _kinds(again) == {"case:a": ProblemKind.MISSING}, "until the officer decides"
        again.accept("case:a")
        assert set(again.summaries()) == {"b"}
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.problems() == []


def test_a_deleted_case_file_coming_back_is_quarantined(store: Store, data_dir: Path):
    store.save_case("a", {"v": 1}, {"v": 1})
    old = store.case_path("a").read_bytes()
    store.save_case("a", {"v": 2}, {"v": 2})
    path = store.case_path("a")
    store.delete_case("a")
    store.close()
    path.write_bytes(old)
    with Store.open(data_dir, PASSPHRASE) as again:
        assert _kinds(again) == {"case:a": ProblemKind.REAPPEARED}
        assert "a" not in again.summaries()
        assert not path.exists()
        [moved] = list((data_dir / "quarantine").iterdir())
        assert moved.read_bytes() == old


def test_a_stray_file_is_quarantined_and_reported_until_accepted(store: Store, data_dir: Path):
    store.save_case("a", {"v": 1}, {"v": 1})
    store.close()
    stray = data_dir / "cases" / "0123456789abcdef0123456789abcdef.db"
    stray.write_bytes(b"not ours")
    with Store.open(data_dir, PASSPHRASE) as again:
        assert list(_kinds(again).values()) == [ProblemKind.STRAY]
    assert not stray.exists()
    with Store.open(data_dir, PASSPHRASE) as again:
        [problem] = again.problems()
        again.accept(problem.subject)
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.problems() == []


@pytest.mark.parametrize("critical", [True, False])
def test_a_deleted_table_is_reported(store: Store, data_dir: Path, critical: bool):
    table = store.table("outbox", critical=critical)
    table.insert({"queued": 1})
    store.close()
    (data_dir / "tables" / "outbox.db").unlink()
    with Store.open(data_dir, PASSPHRASE) as again:
        assert _kinds(again) == {"table:outbox": ProblemKind.MISSING}
        table = again.table("outbox", critical=critical)
        if critical:
            # Sync must not carry on as if nothing had been queued: blocked until decided.
            for _ in range(2):
                with pytest.raises(TableUnreadable) as caught:
                    table.all()
                assert "its file is missing" in str(caught.value)
            again.accept("table:outbox")
            assert again.told() == []
        else:
            assert table.all() == []
            assert [p.kind for p in again.told()] == [ProblemKind.MISSING]
        assert again.problems() == []
        table.insert({"queued": 2})
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.problems() == []
        assert again.table("outbox").all() == [{"queued": 2}]


def test_an_older_table_file_is_reported(store: Store, data_dir: Path):
    table = store.table("outbox", critical=True)
    table.insert({"n": 1})
    old = (data_dir / "tables" / "outbox.db").read_bytes()
    table.insert({"n": 2})
    store.close()
    (data_dir / "tables" / "outbox.db").write_bytes(old)
    with Store.open(data_dir, PASSPHRASE) as again:
        assert _kinds(again) == {"table:outbox": ProblemKind.ROLLED_BACK}
        with pytest.raises(TableUnreadable):
            again.table("outbox", critical=True).all()
        again.accept("table:outbox")
        assert again.table("outbox").all() == [{"n": 1}]


def test_damaged_record_in_the_middle_is_reported(store: Store, data_dir: Path):
    for i in range(6):
        store.save_case(f"c{i}", {"v": i}, {"v": i})
    store.close()
    log = data_dir / "manifest.log"
    spans = record_spans(log)
    data = bytearray(log.read_bytes())
    data[spans[2][0] + 20] ^= 0xFF
    log.write_bytes(bytes(data))
    with Store.open(data_dir, PASSPHRASE) as again:
        assert _kinds(again) == {"manifest": ProblemKind.MANIFEST}
        assert again.summaries() == {f"c{i}": {"v": i} for i in range(6)}
        assert again.reindexed == 4, "the files after the damage are read again"
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.reindexed == 0
        assert _kinds(again) == {"manifest": ProblemKind.MANIFEST}, "until accepted"
        again.accept("manifest")
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.problems() == []


@pytest.mark.parametrize("damage", ["missing", "empty", "foreign header"])
def test_manifest_lost(store: Store, data_dir: Path, damage: str):
    for i in range(4):
        store.save_case(f"c{i}", {"v": i}, {"v": i})
    store.close()
    log = data_dir / "manifest.log"
    if damage == "missing":
        log.unlink()
    elif damage == "empty":
        log.write_bytes(b"")
    else:
        log.write_bytes(b"XXXX" + log.read_bytes()[4:])
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.summaries() == {f"c{i}": {"v": i} for i in range(4)}
        assert again.reindexed == 4
        [problem] = again.problems()
        assert problem.kind is ProblemKind.MANIFEST
        assert "cannot be detected" in problem.detail
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.reindexed == 0


# --- damage, permissions, names ---------------------------------------------------------------


def test_file_names_say_nothing_of_the_case(store: Store, data_dir: Path):
    case_id = "Quuxleyfrobnitz-v-Xylophantasm-2018-07-13"
    store.save_case(case_id, {"v": 1}, {"v": 1})
    store.table("settings").insert({"x": 1})
    names = [str(p.relative_to(data_dir)) for p in data_dir.rglob("*")]
    assert not [n for n in names if "Quux" in n or "2018" in n], names
    assert store.load_case(case_id) == {"v": 1}


def test_loose_permissions_are_tightened_on_open(store: Store, data_dir: Path):
    store.save_case("a", {"v": 1}, {"v": 1})
    path = store.case_path("a")
    store.close()
    os.chmod(data_dir, 0o755)
    os.chmod(path, 0o644)
    with Store.open(data_dir, PASSPHRASE):
        pass
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_store_made_before_the_manifest_is_migrated(data_dir: Path):
    """Case files named by their id, blobs without a version, a summaries index: read, written
    again under opaque names, and the old files removed."""
    with Store.create(data_dir, PASSPHRASE, kdf=KdfParams.for_tests()) as store:
        cipher = store._cipher
        store.table("settings").insert({"officer": "Test"})
    (data_dir / "manifest.log").unlink()
    (data_dir / "index.log").write_bytes(b"DTYI\x01")
    for case_id, value in [("Gwenllian-v-Pyr-2019-05-01", 1), ("case2", 2)]:
        record = {"document": {"v": value}, "summary": {"n": value}}
        plaintext = json.dumps({"case": {"1": record}}).encode()
        nonce = os.urandom(NONCE_LEN)
        blob = (
            LEGACY_HEADER
            + nonce
            + cipher._aead.encrypt(nonce, plaintext, LEGACY_HEADER + b"case:" + case_id.encode())
        )
        (data_dir / "cases" / f"{case_id}.db").write_bytes(blob)
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.problems() == []
        assert again.summaries() == {"Gwenllian-v-Pyr-2019-05-01": {"n": 1}, "case2": {"n": 2}}
        assert again.load_case("Gwenllian-v-Pyr-2019-05-01") == {"v": 1}
        assert again.table("settings").all() == [{"officer": "Test"}]
    names = [p.name for p in (data_dir / "cases").iterdir()]
    assert len(names) == 2 and not [n for n in names if "Gwenllian" in n or "case2" in n]
    assert not (data_dir / "index.log").exists()
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.reindexed == 0
        assert again.problems() == []


# --- batches (imports): all or none -----------------------------------------------------------


def test_a_failed_batch_leaves_nothing(store: Store, data_dir: Path):
    store.save_case("before", {"v": 0}, {"v": 0})
    with pytest.raises(RuntimeError), store.batch():
        store.save_case("x1", {"v": 1}, {"v": 1})
        store.save_case("x2", {"v": 2}, {"v": 2})
        raise RuntimeError("stopped")
    assert set(store.summaries()) == {"before"}
    again = _reopen(store, data_dir)
    assert set(again.summaries()) == {"before"}
    assert again.problems() == []
    again.close()


def test_a_batch_cut_off_by_a_crash_is_undone_at_the_next_open(store: Store, data_dir: Path):
    store.save_case("before", {"v": 0}, {"v": 0})
    batch = store.batch()
    batch.__enter__()
    store.save_case("x1", {"v": 1}, {"v": 1})
    store.save_case("x2", {"v": 2}, {"v": 2})
    # No commit: as if the process died here. Close without the context manager's exit.
    store._batch = None
    store.close()
    with Store.open(data_dir, PASSPHRASE) as again:
        assert set(again.summaries()) == {"before"}
        assert again.problems() == []
    assert len(list((data_dir / "cases").iterdir())) == 1


def test_a_completed_batch_stays(store: Store, data_dir: Path):
    with store.batch():
        store.save_case("x1", {"v": 1}, {"v": 1})
        store.save_case("x2", {"v": 2}, {"v": 2})
    again = _reopen(store, data_dir)
    assert set(again.summaries()) == {"x1", "x2"}
    again.close()


# --- compaction -------------------------------------------------------------------------------


def test_compaction_preserves_everything(store: Store, data_dir: Path):
    log = data_dir / "manifest.log"
    for i in range(10):
        store.save_case(f"c{i}", {"v": i}, {"v": i})
    store.delete_case("c3")
    store.table("outbox").insert({"n": 1})
    inode = log.stat().st_ino
    expected = {f"c{i}": {"v": i} for i in range(10) if i != 3}
    rewrites = 0
    for round_ in range(3 * COMPACT_MIN_RECORDS):
        case_id = f"c{round_ % 5}"
        if case_id == "c3":
            continue
        store.save_case(case_id, {"v": round_}, {"v": round_})
        expected[case_id] = {"v": round_}
        if log.stat().st_ino != inode:
            rewrites += 1
            inode = log.stat().st_ino
    assert rewrites >= 2
    assert store.summaries() == expected
    again = _reopen(store, data_dir)
    assert again.summaries() == expected
    assert again.reindexed == 0
    assert again.problems() == []
    assert again.load_case("c1") == expected["c1"]
    assert again.table("outbox").all() == [{"n": 1}]
    again.close()


def test_bloated_log_compacted_on_open(
    store: Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(ManifestLog, "should_compact", lambda self, live: False)
    for i in range(3 * COMPACT_MIN_RECORDS):
        store.save_case(f"c{i % 3}", {"v": i}, {"v": i})
    store.close()
    log = data_dir / "manifest.log"
    assert len(record_spans(log)) == 3 * COMPACT_MIN_RECORDS
    monkeypatch.undo()
    last = 3 * COMPACT_MIN_RECORDS
    expected = {f"c{i % 3}": {"v": i} for i in range(last - 3, last)}
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.summaries() == expected
    assert len(record_spans(log)) == 3
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.summaries() == expected
        assert again.reindexed == 0


def test_compaction_failure_does_not_fail_the_save(
    store: Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    for i in range(COMPACT_MIN_RECORDS):
        store.save_case("only", {"v": i}, {"v": i})
    original_replace = durable.syscalls.replace
    replaces = []

    def replace_failing_second(src, dst):
        replaces.append(dst)
        if len(replaces) == 2:
            raise OSError(28, "No space left on device")
        return original_replace(src, dst)

    monkeypatch.setattr(durable.syscalls, "replace", replace_failing_second)
    store.save_case("only", {"v": "last"}, {"v": "last"})
    monkeypatch.setattr(durable.syscalls, "replace", original_replace)
    assert Path(replaces[1]).name == "manifest.log"
    assert store.load_case("only") == {"v": "last"}
    store.save_case("only", {"v": "after"}, {"v": "after"})
    again = _reopen(store, data_dir)
    assert again.summaries() == {"only": {"v": "after"}}
    assert again.reindexed == 0
    again.close()


def test_leftover_temp_files_removed_on_open(store: Store, data_dir: Path):
    store.save_case("a", {"v": 1}, {"v": 1})
    store.close()
    leftovers = [
        data_dir / "cases" / ".0123.db.0123456789ab.tmp",
        data_dir / "tables" / ".settings.db.0123456789ab.tmp",
        data_dir / ".manifest.log.0123456789ab.tmp",
    ]
    for path in leftovers:
        path.write_bytes(b"partial")
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.summaries() == {"a": {"v": 1}}
        assert again.problems() == []
    assert not any(p.exists() for p in leftovers)


def test_quarantine_keeps_a_damaged_file_byte_for_byte(store: Store, data_dir: Path):
    store.save_case("a", {"v": 1}, {"v": 1})
    path = store.case_path("a")
    store.close()
    data = bytearray(path.read_bytes())
    data[-3] ^= 1
    path.write_bytes(bytes(data))
    with Store.open(data_dir, PASSPHRASE) as again:
        [problem] = again.problems()
        assert problem.kind is ProblemKind.DAMAGED
        moved = data_dir / "quarantine" / problem.quarantined_to
        assert moved.read_bytes() == bytes(data)
        assert stat.S_IMODE((data_dir / "quarantine").stat().st_mode) == 0o700
        shutil.copy(moved, data_dir / "kept-for-the-test")

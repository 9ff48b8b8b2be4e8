"""The index log is a cache of the case files: whatever happens to it, no case is hidden."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from store import Store, durable
from store.index import COMPACT_MIN_RECORDS, HEADER, IndexLog

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


def test_case_written_but_index_record_lost(store: Store, data_dir: Path):
    store.save_case("a", {"v": 1}, {"v": 1})
    store.save_case("b", {"v": 1}, {"v": 1})
    store.save_case("a", {"v": 2}, {"v": 2})
    store.save_case("new", {"v": 1}, {"v": 1})
    store.close()
    log = data_dir / "index.log"
    spans = record_spans(log)
    # Drop the records of the last two saves: the files are newer than the index says.
    os.truncate(log, spans[-2][0])
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.summaries() == {"a": {"v": 2}, "b": {"v": 1}, "new": {"v": 1}}
        assert again.reindexed == 2, "only the two cases the index was wrong about"
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.reindexed == 0, "the repair was written back"


def test_index_record_written_but_case_file_not_renamed(
    store: Store, data_dir: Path, faults: Faults
):
    """The write-ahead record names a file that never took its place: the old one wins."""
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
    assert again.summaries() == {"a": {"v": 1}}
    assert again.load_case("a") == {"v": 1}
    assert again.reindexed == 1, "the last record's fingerprint matched no file"
    again.close()


def test_case_file_deleted_behind_our_back(store: Store, data_dir: Path):
    store.save_case("a", {"v": 1}, {"v": 1})
    store.save_case("b", {"v": 1}, {"v": 1})
    store.close()
    (data_dir / "cases" / "a.db").unlink()
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.summaries() == {"b": {"v": 1}}


def test_torn_tail_ignored_and_cut_off(store: Store, data_dir: Path):
    for i in range(5):
        store.save_case(f"c{i}", {"v": i}, {"v": i})
    store.close()
    log = data_dir / "index.log"
    good_size = log.stat().st_size
    with open(log, "ab") as f:
        f.write(struct.pack(">I", 500) + os.urandom(40))  # a record cut short by a crash
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.summaries() == {f"c{i}": {"v": i} for i in range(5)}
        assert again.reindexed == 0
        assert log.stat().st_size == good_size, "torn tail cut off before appending"
        again.save_case("c9", {"v": 9}, {"v": 9})
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.reindexed == 0
        assert again.summaries()["c9"] == {"v": 9}


@pytest.mark.parametrize("tail", [b"\x00", b"\x00\x00\x00", b"\x00\x00\x00\x05abcde", b"\xff" * 9])
def test_short_or_silly_tails(store: Store, data_dir: Path, tail: bytes):
    store.save_case("a", {"v": 1}, {"v": 1})
    store.close()
    with open(data_dir / "index.log", "ab") as f:
        f.write(tail)
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.summaries() == {"a": {"v": 1}}


def test_damaged_record_in_the_middle(store: Store, data_dir: Path):
    for i in range(6):
        store.save_case(f"c{i}", {"v": i}, {"v": i})
    store.close()
    log = data_dir / "index.log"
    spans = record_spans(log)
    data = bytearray(log.read_bytes())
    data[spans[2][0] + 20] ^= 0xFF
    log.write_bytes(bytes(data))
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.summaries() == {f"c{i}": {"v": i} for i in range(6)}
        assert again.reindexed == 4, "records after the damage are not trusted"
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.reindexed == 0


@pytest.mark.parametrize("damage", ["missing", "empty", "foreign header"])
def test_index_log_lost(store: Store, data_dir: Path, damage: str):
    for i in range(4):
        store.save_case(f"c{i}", {"v": i}, {"v": i})
    store.close()
    log = data_dir / "index.log"
    if damage == "missing":
        log.unlink()
    elif damage == "empty":
        log.write_bytes(b"")
    else:
        log.write_bytes(b"XXXX" + log.read_bytes()[4:])
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.summaries() == {f"c{i}": {"v": i} for i in range(4)}
        assert again.reindexed == 4
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.reindexed == 0


def test_compaction_preserves_everything(store: Store, data_dir: Path):
    log = data_dir / "index.log"
    for i in range(10):
        store.save_case(f"c{i}", {"v": i}, {"v": i})
    store.delete_case("c3")
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
            assert len(record_spans(log)) == len(expected)
    assert rewrites >= 2
    assert len(record_spans(log)) <= COMPACT_MIN_RECORDS + 1
    assert store.summaries() == expected
    again = _reopen(store, data_dir)
    assert again.summaries() == expected
    assert again.reindexed == 0
    assert again.load_case("c1") == expected["c1"]
    again.close()


def test_bloated_log_compacted_on_open(
    store: Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    # A log that grew without compaction, as when compaction kept failing.
    monkeypatch.setattr(IndexLog, "should_compact", lambda self, live: False)
    for i in range(3 * COMPACT_MIN_RECORDS):
        store.save_case(f"c{i % 3}", {"v": i}, {"v": i})
    store.close()
    log = data_dir / "index.log"
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
    # The next save appends the 65th record and triggers a rewrite; fail the rewrite's replace.
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
    assert Path(replaces[1]).name == "index.log"
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
        data_dir / "cases" / ".a.db.0123456789ab.tmp",
        data_dir / "tables" / ".settings.db.0123456789ab.tmp",
        data_dir / ".index.log.0123456789ab.tmp",
    ]
    for path in leftovers:
        path.write_bytes(b"partial")
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.summaries() == {"a": {"v": 1}}
    assert not any(p.exists() for p in leftovers)

"""ENOSPC / EIO at every disk-changing call of an operation.

For each N: the Nth open/write/fsync/replace fails (once, or from then on like a full disk).
The error must reach the caller with its errno, the store must stay usable, what was there
before must still load (or the new version, when the failure came after the atomic rename),
and the next operation must succeed.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path

import pytest

from store import KdfParams, Store, StoreError

from .conftest import PASSPHRASE, Faults

OLD = {"parties": [{"name": "Gwenllïan Ŵyn Pŷr"}], "v": 1}
NEW = {"parties": [{"name": "Gwenllïan Ŵyn Pŷr"}, {"name": "Rhys Llŷr"}], "v": 2}
LATER = {"v": 3}
ERRNOS = [errno.ENOSPC, errno.EIO]


def _prepare(data_dir: Path) -> Store:
    store = Store.create(data_dir, PASSPHRASE, kdf=KdfParams.for_tests())
    store.save_case("a", OLD, {"v": 1})
    store.save_case("b", {"v": "b"}, {"v": "b"})
    store.table("outbox").insert({"n": 1})
    return store


def _no_temp_files(data_dir: Path) -> None:
    assert not [p.name for p in data_dir.rglob("*.tmp")]


def _check_after_reopen(data_dir: Path, expected: dict[str, dict], outbox: list[dict]) -> None:
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.unreadable_cases() == {}
        assert again.summaries() == {k: {"v": v["v"]} for k, v in expected.items()}
        for case_id, document in expected.items():
            assert again.load_case(case_id) == document
        assert again.table("outbox").all() == outbox
    _no_temp_files(data_dir)
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.reindexed == 0, "the index was consistent (or repaired) after reopening"


Scenario = Callable[[Store], None]


def _count_calls(tmp_path: Path, faults: Faults, operation: Scenario) -> list[str]:
    store = _prepare(tmp_path / "probe")
    faults.arm(None)
    operation(store)
    calls = list(faults.calls)
    faults.disarm()
    store.close()
    return calls


def _each_fault(tmp_path: Path, faults: Faults, operation: Scenario):
    calls = _count_calls(tmp_path, faults, operation)
    assert calls, "the operation makes disk calls"
    replace_at = calls.index("replace") if "replace" in calls else None
    runs = 0
    for n in range(len(calls)):
        for err in ERRNOS:
            for persistent in (False, True):
                data_dir = tmp_path / f"n{n}-{err}-{int(persistent)}"
                store = _prepare(data_dir)
                faults.arm(n, err, persistent=persistent)
                with pytest.raises(OSError) as caught:
                    operation(store)
                faults.disarm()
                assert caught.value.errno == err, (n, calls[n])
                assert isinstance(caught.value, StoreError)
                assert "Gwenllïan" not in str(caught.value)
                before_rename = replace_at is None or n <= replace_at
                yield store, data_dir, before_rename
                runs += 1
    assert runs == 4 * len(calls)


def test_save_of_existing_case(tmp_path: Path, faults: Faults):
    def operation(store: Store) -> None:
        store.save_case("a", NEW, {"v": 2})

    for store, data_dir, before_rename in _each_fault(tmp_path, faults, operation):
        current = store.load_case("a")
        if before_rename:
            assert current == OLD
        else:
            assert current in (OLD, NEW)
        assert store.summaries()["a"] == {"v": current["v"]}, "index agrees with the file"
        assert store.load_case("b") == {"v": "b"}
        store.save_case("a", LATER, {"v": 3})
        assert store.load_case("a") == LATER
        store.close()
        _check_after_reopen(data_dir, {"a": LATER, "b": {"v": "b"}}, [{"n": 1}])


def test_save_of_new_case(tmp_path: Path, faults: Faults):
    def operation(store: Store) -> None:
        store.save_case("fresh", NEW, {"v": 2})

    for store, data_dir, before_rename in _each_fault(tmp_path, faults, operation):
        if before_rename:
            assert "fresh" not in store.summaries()
        else:
            assert store.load_case("fresh") == NEW
            assert store.summaries()["fresh"] == {"v": 2}
        store.close()
        with Store.open(data_dir, PASSPHRASE) as again:
            state = again.summaries().get("fresh")
            assert state in ((None,) if before_rename else (None, {"v": 2}))
            again.save_case("fresh", LATER, {"v": 3})
        _check_after_reopen(data_dir, {"a": OLD, "b": {"v": "b"}, "fresh": LATER}, [{"n": 1}])


def test_delete(tmp_path: Path, faults: Faults):
    def operation(store: Store) -> None:
        store.delete_case("a")

    for store, data_dir, _before in _each_fault(tmp_path, faults, operation):
        summaries = store.summaries()
        if "a" in summaries:
            assert store.load_case("a") == OLD
        store.delete_case("a")
        store.close()
        _check_after_reopen(data_dir, {"b": {"v": "b"}}, [{"n": 1}])


def test_table_write(tmp_path: Path, faults: Faults):
    def operation(store: Store) -> None:
        store.table("outbox").insert({"n": 2})

    for store, data_dir, before_rename in _each_fault(tmp_path, faults, operation):
        outbox = store.table("outbox")
        if before_rename:
            assert outbox.all() == [{"n": 1}]
        else:
            assert outbox.all() in ([{"n": 1}], [{"n": 1}, {"n": 2}])
        if len(outbox) == 1:
            outbox.insert({"n": 2})
        outbox.insert({"n": 3})
        store.close()
        _check_after_reopen(data_dir, {"a": OLD, "b": {"v": "b"}}, [{"n": 1}, {"n": 2}, {"n": 3}])


def test_change_passphrase(tmp_path: Path, faults: Faults):
    def operation(store: Store) -> None:
        store.change_passphrase(
            PASSPHRASE, "a new passphrase for the faults", kdf=KdfParams.for_tests()
        )

    for store, data_dir, before_rename in _each_fault(tmp_path, faults, operation):
        store.close()
        passphrases = (
            [PASSPHRASE] if before_rename else [PASSPHRASE, "a new passphrase for the faults"]
        )
        opened = []
        for passphrase in passphrases:
            try:
                with Store.open(data_dir, passphrase) as again:
                    assert again.load_case("a") == OLD
                    opened.append(passphrase)
            except StoreError:
                pass
        assert len(opened) == 1

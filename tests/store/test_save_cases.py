"""Store.save_cases: many cases in one durable step, each its old or its new version."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from store import KdfParams, Store, StoreIOError

from .conftest import PASSPHRASE, Faults


def _doc(case_id: str, revision: str) -> dict:
    return {"id": case_id, "revision": revision}


def _fill(store: Store, count: int, revision: str) -> list[str]:
    ids = [f"case-{i}" for i in range(count)]
    for case_id in ids:
        store.save_case(case_id, _doc(case_id, revision), {"rev": revision})
    return ids


def test_saves_every_case_with_its_summary_and_reopens_without_reindexing(
    store: Store, data_dir: Path
):
    ids = _fill(store, 5, "old")
    store.save_cases([(i, _doc(i, "new"), {"rev": "new"}) for i in [*ids, "case-new"]])
    assert {i: store.load_case(i)["revision"] for i in [*ids, "case-new"]} == dict.fromkeys(
        [*ids, "case-new"], "new"
    )
    assert {s["rev"] for s in store.summaries().values()} == {"new"}
    store.close()
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.problems() == []
        assert again.reindexed == 0, "the manifest names every new version"
        assert again.load_case("case-3")["revision"] == "new"
    assert not list(data_dir.rglob("*.tmp"))


def test_a_case_given_twice_is_saved_once_with_its_last_document(store: Store):
    store.save_cases([("case-1", _doc("case-1", "a"), {}), ("case-1", _doc("case-1", "b"), {})])
    assert store.load_case("case-1")["revision"] == "b"


def test_one_folder_fsync_and_one_manifest_fsync_for_all(store: Store, faults: Faults):
    ids = _fill(store, 20, "old")
    faults.arm(None)
    store.save_cases([(i, _doc(i, "new"), {}) for i in ids])
    # One fsync per new file (written beside its case first), then one for the folder and
    # one for the manifest: 20 separate saves make 60.
    assert faults.calls.count("fsync") == len(ids) + 2
    assert faults.calls.count("replace") == len(ids)


@pytest.mark.parametrize("persistent", [False, True])
def test_a_disk_error_at_any_call_leaves_each_case_old_or_new(
    tmp_path: Path, faults: Faults, persistent: bool
):
    data_dir = tmp_path / "probe"
    with Store.create(data_dir, PASSPHRASE, kdf=KdfParams.for_tests()) as store:
        ids = _fill(store, 6, "old")
        faults.arm(None)
        store.save_cases([(i, _doc(i, "new"), {"rev": "new"}) for i in ids])
        calls = len(faults.calls)
    faults.disarm()
    outcomes: set[str] = set()
    for n in range(calls):
        data_dir = tmp_path / f"fail{n}"
        with Store.create(data_dir, PASSPHRASE, kdf=KdfParams.for_tests()) as store:
            _fill(store, 6, "old")
            faults.arm(n, errno.ENOSPC if persistent else errno.EIO, persistent=persistent)
            with pytest.raises(StoreIOError):
                store.save_cases([(i, _doc(i, "new"), {"rev": "new"}) for i in ids])
            faults.disarm()
            # What the open store says agrees with its files.
            seen = {i: store.load_case(i)["revision"] for i in ids}
            assert {i: s["rev"] for i, s in store.summaries().items()} == seen, n
        with Store.open(data_dir, PASSPHRASE) as again:
            assert again.problems() == [], n
            after = {i: again.load_case(i)["revision"] for i in ids}
            assert after == seen, n
            assert {i: s["rev"] for i, s in again.summaries().items()} == after, n
        assert not list(data_dir.rglob("*.tmp")), n
        outcomes.add("/".join(sorted(set(after.values()))))
    assert outcomes >= {"old", "new"}, outcomes

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from tinydb import Query, TinyDB

from store import (
    CaseNotFound,
    InvalidName,
    KdfParams,
    Store,
    StoreError,
    StoreNotFound,
)
from store import paths as store_paths
from store.crypto import OWASP_MIN_MEMORY_KIB, OWASP_MIN_TIME_COST

from .conftest import PASSPHRASE, snapshot

CASE = {
    "case_number": "CF25P00123",
    "parties": [{"name": "Gwenllïan Ŵyn Pŷr", "role": "applicant"}],
    "children": [{"name": "Nest Pŷr", "date_of_birth": "2018-04-01"}],
    "screening": {"police_check": {"answer": "unknown"}},
    "n": 1.5,
    "flag": True,
    "none": None,
}


def test_kdf_defaults_meet_owasp_minimum():
    params = KdfParams()
    assert params.memory_cost >= OWASP_MIN_MEMORY_KIB == 19456
    assert params.time_cost >= OWASP_MIN_TIME_COST == 2
    assert params.parallelism == 1
    assert params.meets_owasp_minimum()
    assert not KdfParams.for_tests().meets_owasp_minimum()


def test_create_without_kdf_uses_the_defaults(data_dir: Path):
    Store.create(data_dir, PASSPHRASE).close()
    assert Store.kdf_params(data_dir) == KdfParams()
    with Store.open(data_dir, PASSPHRASE) as store:
        assert store.summaries() == {}


def test_exists_create_open(data_dir: Path):
    assert not Store.exists(data_dir)
    with pytest.raises(StoreNotFound):
        Store.open(data_dir, PASSPHRASE)
    assert not data_dir.exists(), "opening a missing store must not create anything"
    Store.create(data_dir, PASSPHRASE, kdf=KdfParams.for_tests()).close()
    assert Store.exists(data_dir)
    with pytest.raises(StoreError, match="already a store"):
        Store.create(data_dir, PASSPHRASE, kdf=KdfParams.for_tests())
    Store.open(data_dir, PASSPHRASE).close()


def test_empty_passphrase_refused(data_dir: Path):
    with pytest.raises(StoreError):
        Store.create(data_dir, "", kdf=KdfParams.for_tests())


def test_save_load_round_trip(store: Store):
    store.save_case("c1", CASE, {"number": "CF25P00123"})
    assert store.load_case("c1") == CASE
    assert store.summaries() == {"c1": {"number": "CF25P00123"}}
    changed = {"case_number": "CF25P00123", "parties": []}
    store.save_case("c1", changed, {"number": "CF25P00123", "parties": 0})
    assert store.load_case("c1") == changed, "a save replaces the document, keys and all"
    assert store.summaries()["c1"] == {"number": "CF25P00123", "parties": 0}


def test_survives_reopen(store: Store, data_dir: Path):
    store.save_case("c1", CASE, {"n": 1})
    store.save_case("c2", {"x": 2}, {"n": 2})
    store.close()
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.reindexed == 0, "the index was up to date; no case file decrypted"
        assert again.summaries() == {"c1": {"n": 1}, "c2": {"n": 2}}
        assert again.load_case("c1") == CASE


def test_case_files_are_tinydb_databases(store: Store, data_dir: Path):
    store.save_case("c1", CASE, {"n": 1})
    db, _storage = store._case_db("c1")
    assert isinstance(db, TinyDB)
    assert db.table("case").get(doc_id=1) == {"id": "c1", "document": CASE, "summary": {"n": 1}}


def test_load_missing_case(store: Store):
    with pytest.raises(CaseNotFound) as caught:
        store.load_case("nope")
    assert isinstance(caught.value, LookupError)


def test_delete(store: Store, data_dir: Path):
    store.save_case("c1", CASE, {"n": 1})
    store.save_case("c2", CASE, {"n": 2})
    store.delete_case("c1")
    store.delete_case("c1")  # no-op
    assert set(store.summaries()) == {"c2"}
    with pytest.raises(CaseNotFound):
        store.load_case("c1")
    assert not store.case_path("c1").exists()
    store.close()
    with Store.open(data_dir, PASSPHRASE) as again:
        assert set(again.summaries()) == {"c2"}
        assert again.reindexed == 0


def test_summaries_are_copies(store: Store):
    store.save_case("c1", CASE, {"tags": ["a"]})
    got = store.summaries()
    got["c1"]["tags"].append("b")
    got["c2"] = {}
    assert store.summaries() == {"c1": {"tags": ["a"]}}


@pytest.mark.parametrize(
    "bad", ["", "../x", "a/b", "..", "a" * 65, "é", "a.b", "a b", "x\x00", None, 5]
)
def test_invalid_case_ids_refused(store: Store, data_dir: Path, bad: object):
    before = snapshot(data_dir)
    with pytest.raises(InvalidName):
        store.save_case(bad, {}, {})  # type: ignore[arg-type]
    with pytest.raises(InvalidName):
        store.load_case(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidName):
        store.delete_case(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidName):
        store.table(bad)  # type: ignore[arg-type]
    assert snapshot(data_dir) == before


def test_valid_ids(store: Store):
    for case_id in ["a", "A-b_9", "x" * 64, "0f8e7c3a2b1d4e5f9a8b7c6d5e4f3a2b"]:
        store.save_case(case_id, {"id": case_id}, {})
        assert store.load_case(case_id) == {"id": case_id}


def test_documents_must_be_dicts(store: Store):
    with pytest.raises(TypeError):
        store.save_case("c1", ["not", "a", "dict"], {})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        store.save_case("c1", {"when": object()}, {})


def test_table_is_a_durable_encrypted_tinydb(store: Store, data_dir: Path):
    settings = store.table("settings")
    assert isinstance(settings, TinyDB)
    assert store.table("settings") is settings
    settings.insert({"key": "officer", "value": "Gwenllïan Ŵyn Pŷr"})
    settings.table("other").insert({"x": 1})
    assert settings.search(Query().key == "officer")[0]["value"] == "Gwenllïan Ŵyn Pŷr"
    store.close()
    with Store.open(data_dir, PASSPHRASE) as again:
        settings = again.table("settings")
        assert settings.all() == [{"key": "officer", "value": "Gwenllïan Ŵyn Pŷr"}]
        assert settings.table("other").all() == [{"x": 1}]
        assert settings.tables() == {"_default", "other"}


def test_closed_store_refuses_work(store: Store):
    settings = store.table("settings")
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.save_case("c1", {}, {})
    with pytest.raises(StoreError, match="closed"):
        store.summaries()
    with pytest.raises(StoreError, match="closed"):
        settings.insert({"x": 1})


def test_threads_share_one_store(store: Store):
    outbox = store.table("outbox")
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(25):
                store.save_case(f"w{worker}-{i % 5}", {"worker": worker, "i": i}, {"i": i})
                store.save_case("shared", {"worker": worker, "i": i}, {"worker": worker, "i": i})
                outbox.insert({"worker": worker, "i": i})
                store.summaries()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(outbox) == 6 * 25, "no insert lost to a read-modify-write race"
    assert len({doc.doc_id for doc in outbox.all()}) == 150
    summaries = store.summaries()
    assert len(summaries) == 6 * 5 + 1
    shared = store.load_case("shared")
    assert summaries["shared"] == shared, "summary and document of the same save"
    for w in range(6):
        assert store.load_case(f"w{w}-4") == {"worker": w, "i": 24}


def test_default_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("DUTY_TUI_DATA_DIR", str(tmp_path / "here"))
    assert store_paths.default_data_dir() == tmp_path / "here"
    monkeypatch.delenv("DUTY_TUI_DATA_DIR")
    import platformdirs

    assert store_paths.default_data_dir() == Path(
        platformdirs.user_data_dir("duty-tui", appauthor=False)
    )


def test_save_touches_only_its_case_and_appends_to_the_manifest(store: Store, data_dir: Path):
    for i in range(20):
        store.save_case(f"c{i}", {"i": i}, {"i": i})
    before = snapshot(data_dir)
    store.save_case("c7", {"i": "seven"}, {"i": "seven"})
    after = snapshot(data_dir)
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed == {f"cases/{store.case_path('c7').name}", "manifest.log"}
    old_log, new_log = before["manifest.log"], after["manifest.log"]
    assert new_log[2] == old_log[2], "manifest appended to in place, not rewritten"
    assert new_log[0].startswith(old_log[0])
    assert len(new_log[0]) - len(old_log[0]) < 200


def test_create_refuses_a_folder_in_use(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("someone's file")
    with pytest.raises(StoreError, match="not empty"):
        Store.create(tmp_path, PASSPHRASE, kdf=KdfParams.for_tests())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_create_again_after_a_half_made_store(data_dir: Path):
    (data_dir / "cases").mkdir(parents=True)
    (data_dir / "lock").touch()
    Store.create(data_dir, PASSPHRASE, kdf=KdfParams.for_tests()).close()
    Store.open(data_dir, PASSPHRASE).close()

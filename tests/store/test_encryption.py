"""Nothing readable without the passphrase; tampering and truncation detected, never papered
over; a wrong passphrase touches nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from store import (
    CaseUnreadable,
    KdfParams,
    Store,
    StoreError,
    TableUnreadable,
    WeakPassphrase,
    WrongPassphrase,
)
from store.crypto import COUNTER, HEADER, NONCE_LEN, TAG_LEN

from .conftest import PASSPHRASE, snapshot

NAMES = ["Gwenllïan Ŵyn Pŷr", "Llŷr Ellis-Ffransis", "Siôn Bryndwrffordd"]
CHILD = "Eluned Tŷ-Gwyn"


def _document(name: str) -> dict:
    return {
        "parties": [{"name": name, "postcode": "SA1 1AA"}, {"name": NAMES[2]}],
        "children": [{"name": CHILD, "date_of_birth": "2017-02-03"}],
    }


def _fill(store: Store) -> None:
    for i, name in enumerate(NAMES):
        store.save_case(f"case{i}", _document(name), {"names": [name, CHILD]})
    store.table("settings").insert({"officer": NAMES[0]})
    store.table("outbox").insert({"party": NAMES[1], "child": CHILD})


def _forms(text: str) -> set[bytes]:
    forms = {text.encode("utf-8"), json.dumps(text).strip('"').encode("ascii")}
    forms.add(text.encode("utf-16-le"))
    # Single words too, but only distinctive ones: two random bytes match "02" often enough.
    for word in (w for w in text.replace("-", " ").split() if len(w) >= 4 and not w.isdigit()):
        forms.add(word.encode("utf-8"))
        forms.add(json.dumps(word).strip('"').encode("ascii"))
    return forms


def test_no_name_readable_anywhere_on_disk(store: Store, data_dir: Path):
    _fill(store)
    store.delete_case("case2")
    store.save_case("case2", _document(NAMES[2]), {"names": [NAMES[2]]})
    store.close()
    Store.open(data_dir, PASSPHRASE).close()  # reconcile and any index rewrite too
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    with Store.open(data_dir, PASSPHRASE) as again:
        case_file = again.case_path("case0").name
    assert {p.name for p in files} >= {"keyfile", "manifest.log", case_file, "settings.db"}
    for path in files:
        raw = path.read_bytes()
        for name in [*NAMES, CHILD, "SA1 1AA", "2017-02-03"]:
            for form in _forms(name):
                assert form not in raw, f"{form!r} readable in {path.name}"


def test_wrong_passphrase_touches_nothing(store: Store, data_dir: Path):
    _fill(store)
    store.close()
    before = snapshot(data_dir)
    listing = sorted(p.name for p in data_dir.rglob("*"))
    dir_mtime = data_dir.stat().st_mtime_ns
    with pytest.raises(WrongPassphrase) as caught:
        Store.open(data_dir, "not the passphrase")
    assert "not the passphrase" not in str(caught.value)
    assert snapshot(data_dir) == before
    assert sorted(p.name for p in data_dir.rglob("*")) == listing
    assert data_dir.stat().st_mtime_ns == dir_mtime
    # and the lock was let go
    Store.open(data_dir, PASSPHRASE).close()


def test_wrong_passphrase_with_default_kdf(data_dir: Path):
    Store.create(data_dir, PASSPHRASE).close()
    with pytest.raises(WrongPassphrase):
        Store.open(data_dir, PASSPHRASE + " ")


def _flip(path: Path, position: int) -> None:
    data = bytearray(path.read_bytes())
    data[position] ^= 0x01
    path.write_bytes(bytes(data))


def _positions(size: int) -> dict[str, int]:
    body = len(HEADER) + COUNTER.size + NONCE_LEN
    return {
        "magic": 0,
        "version": len(HEADER) - 1,
        "counter": len(HEADER) + COUNTER.size - 1,
        "nonce": len(HEADER) + COUNTER.size + 3,
        "ciphertext start": body,
        "ciphertext middle": body + (size - body - TAG_LEN) // 2,
        "tag start": size - TAG_LEN,
        "last byte": size - 1,
    }


def _assert_unreadable_and_kept(store: Store, data_dir: Path, case_id: str, bad: bytes) -> None:
    """Reported by the case id (for the caller to name by case number), never with content or
    the id in the message; the bad file kept byte for byte in quarantine; other cases fine."""
    with pytest.raises(CaseUnreadable) as caught:
        store.load_case(case_id)
    assert caught.value.case_id == case_id
    assert case_id not in str(caught.value)
    for name in [*NAMES, CHILD]:
        assert name not in str(caught.value)
    assert set(store.unreadable_cases()) == {case_id}
    [kept] = list((data_dir / "quarantine").iterdir())
    assert kept.read_bytes() == bad
    assert not store.case_path(case_id).exists()
    for other in {"case0", "case1", "case2"} - {case_id}:
        assert store.load_case(other)["parties"]


@pytest.mark.parametrize("where", list(_positions(1000)))
def test_flipped_byte_in_case_file(store: Store, data_dir: Path, where: str):
    _fill(store)
    path = store.case_path("case1")
    _flip(path, _positions(path.stat().st_size)[where])
    bad = path.read_bytes()
    _assert_unreadable_and_kept(store, data_dir, "case1", bad)
    store.close()
    # A fresh open still reports it (until the officer accepts the loss); the rest is fine.
    with Store.open(data_dir, PASSPHRASE) as again:
        assert set(again.unreadable_cases()) == {"case1"}
        assert set(again.summaries()) == {"case0", "case1", "case2"}
        _assert_unreadable_and_kept(again, data_dir, "case1", bad)
        # Typing the case again saves it afresh.
        again.save_case("case1", {"fresh": True}, {})
        assert again.unreadable_cases() == {}
        assert again.load_case("case1") == {"fresh": True}


def _damage_while_closed(store: Store, data_dir: Path, case_id: str, damage) -> bytes:
    _fill(store)
    path = store.case_path(case_id)
    store.close()
    damage(path)
    return path.read_bytes()


@pytest.mark.parametrize("where", list(_positions(1000)))
def test_flipped_byte_found_at_open(store: Store, data_dir: Path, where: str):
    bad = _damage_while_closed(
        store, data_dir, "case1", lambda p: _flip(p, _positions(p.stat().st_size)[where])
    )
    with Store.open(data_dir, PASSPHRASE) as again:
        _assert_unreadable_and_kept(again, data_dir, "case1", bad)


@pytest.mark.parametrize("keep", [0, 1, 4, 5, 17, 33, -1, -16, "half"])
def test_truncated_case_file(store: Store, data_dir: Path, keep: int | str):
    def truncate(path: Path) -> None:
        data = path.read_bytes()
        cut = len(data) // 2 if keep == "half" else keep
        path.write_bytes(data[:cut])

    bad = _damage_while_closed(store, data_dir, "case2", truncate)
    with Store.open(data_dir, PASSPHRASE) as again:
        _assert_unreadable_and_kept(again, data_dir, "case2", bad)


def test_case_file_swapped_for_another_case(store: Store, data_dir: Path):
    _fill(store)
    shutil.copyfile(store.case_path("case0"), store.case_path("case1"))
    with pytest.raises(CaseUnreadable):
        store.load_case("case1")
    store.close()
    with Store.open(data_dir, PASSPHRASE) as again:
        assert set(again.unreadable_cases()) == {"case1"}
        assert again.load_case("case0") == _document(NAMES[0])


def test_case_file_from_another_store(store: Store, data_dir: Path, tmp_path: Path):
    _fill(store)
    with Store.create(tmp_path / "other", PASSPHRASE, kdf=KdfParams.for_tests()) as other:
        other.save_case("case0", {"other": True}, {})
        foreign = other.case_path("case0")
    shutil.copyfile(foreign, store.case_path("case0"))
    with pytest.raises(CaseUnreadable):
        store.load_case("case0")


def test_unreadable_case_never_listed_empty(store: Store, data_dir: Path):
    """A file with no manifest entry that is not ours is reported, never shown as a case."""
    _fill(store)
    shutil.copyfile(store.case_path("case0"), data_dir / "cases" / "stray.db")
    store.close()
    with Store.open(data_dir, PASSPHRASE) as again:
        assert "stray" not in again.summaries()
        assert [p.subject for p in again.problems()] == ["file:stray.db"]


@pytest.mark.parametrize("where", ["magic", "nonce", "ciphertext middle", "last byte"])
def test_tampered_table(store: Store, data_dir: Path, where: str):
    _fill(store)
    store.close()
    path = data_dir / "tables" / "outbox.db"
    _flip(path, _positions(path.stat().st_size)[where])
    bad = path.read_bytes()
    with Store.open(data_dir, PASSPHRASE) as again:
        outbox = again.table("outbox", critical=True)
        with pytest.raises(TableUnreadable) as caught:
            outbox.all()
        assert "outbox" in str(caught.value)
        with pytest.raises(TableUnreadable):
            outbox.insert({"x": 1})
        assert again.table("settings").all() == [{"officer": NAMES[0]}]
    [kept] = list((data_dir / "quarantine").iterdir())
    assert kept.read_bytes() == bad


def test_tampered_keyfile_parameters(store: Store, data_dir: Path):
    store.close()
    keyfile = data_dir / "keyfile"
    document = json.loads(keyfile.read_text())
    document["kdf"]["time_cost"] += 1
    keyfile.write_text(json.dumps(document))
    with pytest.raises(WrongPassphrase):
        Store.open(data_dir, PASSPHRASE)


def test_malformed_keyfile(store: Store, data_dir: Path):
    store.close()
    (data_dir / "keyfile").write_text("{not json")
    with pytest.raises(StoreError, match="keyfile"):
        Store.open(data_dir, PASSPHRASE)


def test_change_passphrase_rewraps_only_the_key(store: Store, data_dir: Path):
    _fill(store)
    before = snapshot(data_dir)
    with pytest.raises(WrongPassphrase):
        store.change_passphrase("wrong", "new passphrase", kdf=KdfParams.for_tests())
    assert snapshot(data_dir) == before
    store.change_passphrase(PASSPHRASE, "new passphrase", kdf=KdfParams.for_tests())
    after = snapshot(data_dir)
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed == {"keyfile"}, "no data file rewritten"
    assert store.load_case("case0") == _document(NAMES[0])
    store.close()
    with pytest.raises(WrongPassphrase):
        Store.open(data_dir, PASSPHRASE)
    with Store.open(data_dir, "new passphrase") as again:
        assert again.reindexed == 0
        assert again.load_case("case1") == _document(NAMES[1])
        assert again.table("outbox").all() == [{"party": NAMES[1], "child": CHILD}]
    changed = {name for name, v in snapshot(data_dir).items() if v != before.get(name)}
    assert changed == {"keyfile"}


def test_change_passphrase_defaults_to_strong_kdf(store: Store, data_dir: Path):
    store.change_passphrase(PASSPHRASE, "new passphrase")
    assert Store.kdf_params(data_dir) == KdfParams()


def test_verify_passphrase_for_the_lock_screen(store: Store, data_dir: Path) -> None:
    before = snapshot(data_dir)
    assert store.verify_passphrase(PASSPHRASE)
    assert not store.verify_passphrase(PASSPHRASE + " ")
    assert not store.verify_passphrase("")
    assert snapshot(data_dir) == before  # asking writes nothing


def test_verify_passphrase_refuses_a_keyfile_swapped_while_unlocked(
    store: Store, data_dir: Path, tmp_path: Path
) -> None:
    # Someone replaces the keyfile with one from a store whose passphrase they know: the lock
    # screen must not accept that passphrase for the store that is open.
    other_dir = tmp_path / "other"
    Store.create(other_dir, "thief's own passphrase", kdf=KdfParams.for_tests()).close()
    from store.paths import KEYFILE

    shutil.copy(other_dir / KEYFILE, data_dir / KEYFILE)
    assert not store.verify_passphrase("thief's own passphrase")


# --- one passphrase policy; key rotation ----------------------------------------------------


@pytest.mark.parametrize("weak", ["Zq", "Xyzzy", "password1234", "aaaaaaaaaaaaaaaa"])
def test_a_weak_passphrase_is_refused_by_the_store(tmp_path: Path, weak: str):
    data_dir = tmp_path / "weak"
    with pytest.raises(WeakPassphrase) as caught:
        Store.create(data_dir, weak, kdf=KdfParams.for_tests())
    assert weak not in str(caught.value)
    assert not (data_dir / "keyfile").exists()


def test_changing_to_a_weak_passphrase_is_refused(store: Store, data_dir: Path):
    before = snapshot(data_dir)
    with pytest.raises(WeakPassphrase):
        store.change_passphrase(PASSPHRASE, "abc", kdf=KdfParams.for_tests())
    assert snapshot(data_dir) == before


def test_rotation_retires_the_old_key(store: Store, data_dir: Path, tmp_path: Path):
    """ "Change and re-encrypt": a copy of the old keyfile with the old passphrase opens
    nothing of the data afterwards (a plain change leaves it able to)."""
    _fill(store)
    old_keyfile = (data_dir / "keyfile").read_bytes()
    seen: list[tuple[int, int]] = []
    store.change_passphrase(
        PASSPHRASE,
        "rotated passphrase for the test",
        kdf=KdfParams.for_tests(),
        rotate=True,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[-1] == (5, 5), "three cases and two tables"
    assert store.load_case("case1") == _document(NAMES[1])
    store.save_case("case9", _document(NAMES[0]), {"n": 9})  # the store goes on as before
    store.close()
    new_keyfile = (data_dir / "keyfile").read_bytes()
    (data_dir / "keyfile").write_bytes(old_keyfile)
    with Store.open(data_dir, PASSPHRASE) as thief:
        assert thief.summaries() == {}
        assert [p.subject.startswith("file:gen-") for p in thief.problems()] == [True]
    (data_dir / "keyfile").write_bytes(new_keyfile)
    with Store.open(data_dir, "rotated passphrase for the test") as again:
        assert again.problems() == []
        assert set(again.summaries()) == {"case0", "case1", "case2", "case9"}
        assert again.table("outbox").all() == [{"party": NAMES[1], "child": CHILD}]
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    for path in files:
        raw = path.read_bytes()
        for name in NAMES:
            assert name.encode() not in raw


def test_rotation_waits_for_problems_to_be_settled(store: Store, data_dir: Path):
    _fill(store)
    store.case_path("case0").unlink()
    store.close()
    with Store.open(data_dir, PASSPHRASE) as again, pytest.raises(StoreError, match="doctor"):
        again.change_passphrase(
            PASSPHRASE, "rotated passphrase for the test", kdf=KdfParams.for_tests(), rotate=True
        )


def test_a_keyfile_asking_for_absurd_costs_is_refused_at_once(store: Store, data_dir: Path):
    store.close()
    keyfile = data_dir / "keyfile"
    document = json.loads(keyfile.read_text())
    document["kdf"]["time_cost"] = 10**6
    keyfile.write_text(json.dumps(document))
    with pytest.raises(StoreError, match="outside what duty-tui allows"):
        Store.open(data_dir, PASSPHRASE)

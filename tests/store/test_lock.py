"""One Store per data dir: a second open, here or in another process, is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from store import KdfParams, Store, StoreInUse

from .conftest import PASSPHRASE, run_python, snapshot

OPEN_IN_CHILD = """
import sys
from store import Store, StoreInUse
try:
    Store.open(sys.argv[1], sys.argv[2]).close()
except StoreInUse as exc:
    print("StoreInUse:", exc)
    sys.exit(3)
print("opened")
"""


def test_second_open_in_same_process_refused(store: Store, data_dir: Path):
    with pytest.raises(StoreInUse) as caught:
        Store.open(data_dir, PASSPHRASE)
    assert str(data_dir) in str(caught.value)
    assert "already open" in str(caught.value)
    with pytest.raises(StoreInUse):
        Store.open(data_dir, "even with a wrong passphrase")
    store.save_case("c1", {"still": "works"}, {})
    store.close()
    with Store.open(data_dir, PASSPHRASE) as again:
        assert again.load_case("c1") == {"still": "works"}


def test_create_over_an_open_store_refused(store: Store, data_dir: Path):
    with pytest.raises(StoreInUse):
        Store.create(data_dir, PASSPHRASE, kdf=KdfParams.for_tests())


def test_second_process_refused_then_allowed(store: Store, data_dir: Path):
    store.save_case("c1", {"x": 1}, {})
    before = snapshot(data_dir)
    done = run_python(OPEN_IN_CHILD, str(data_dir), PASSPHRASE)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "already open" in done.stdout
    assert snapshot(data_dir) == before
    store.close()
    done = run_python(OPEN_IN_CHILD, str(data_dir), PASSPHRASE)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "opened" in done.stdout

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from store import KdfParams, Store
from store.outbox import Outbox
from tests.central.backends import drop_session_schemas
from tests.sync.helpers import PASSPHRASE


@pytest.fixture(scope="session", autouse=True)
def _drop_leftover_schemas() -> Iterator[None]:
    yield
    drop_session_schemas()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    opened = Store.create(data_dir, PASSPHRASE, kdf=KdfParams.for_tests())
    yield opened
    opened.close()


@pytest.fixture
def outbox(store: Store) -> Outbox:
    return Outbox(store)

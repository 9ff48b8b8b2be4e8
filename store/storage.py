"""TinyDB on encrypted, durable files.

``EncryptedStorage`` is a TinyDB ``Storage`` that holds nothing in memory: every ``read``
decrypts the file, every ``write`` encrypts and replaces it durably before returning. It never
reports an unreadable file as empty: TinyDB would then write ``{}`` over it and the data would
be gone; an unreadable file raises and stays as it is.

``LockedTinyDB`` makes TinyDB's read-modify-write cycles atomic across threads by holding the
store's lock around each table operation (TinyDB itself has no locking).
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from store import durable
from store.crypto import Cipher, Corrupt
from store.durable import Fingerprint
from store.errors import StoreError, StoreIOError

P = ParamSpec("P")
R = TypeVar("R")


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class EncryptedStorage(Storage):
    def __init__(
        self,
        path: Path,
        *,
        cipher: Cipher,
        identity: bytes,
        unreadable: Callable[[str], StoreError],
        what: str,
        lock: threading.RLock,
        check_open: Callable[[], None] = lambda: None,
        dir_fd: int | None = None,
        before_replace: Callable[[Fingerprint], None] | None = None,
    ) -> None:
        self.path = path
        self.lock = lock
        self._cipher = cipher
        self._identity = identity
        self._unreadable = unreadable
        self._what = what
        self._check_open = check_open
        self._dir_fd = dir_fd
        self._before_replace = before_replace
        self.last_fingerprint: Fingerprint | None = None

    def read(self) -> dict[str, dict[str, Any]] | None:
        with self.lock:
            self._check_open()
            blob = durable.read_file(self.path)
        if blob is None:
            return None
        try:
            plaintext = self._cipher.open_blob(blob, self._identity)
        except Corrupt as exc:
            raise self._unreadable(str(exc)) from None
        try:
            data = json.loads(plaintext)
        except ValueError:
            raise self._unreadable("not a database") from None
        if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
            raise self._unreadable("not a database")
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        blob = self._cipher.seal_blob(dumps(data), self._identity)
        with self.lock:
            self._check_open()
            try:
                self.last_fingerprint = durable.atomic_write(
                    self.path, blob, dir_fd=self._dir_fd, before_replace=self._before_replace
                )
            except StoreError:
                raise
            except OSError as exc:
                raise StoreIOError(self._what, exc) from exc


def _locked(method: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        table = args[0]
        assert isinstance(table, Table)
        with table.storage.lock:  # type: ignore[attr-defined]
            return method(*args, **kwargs)

    return wrapper


class LockedTable(Table):
    """A TinyDB table whose every operation holds the store lock from read to write."""

    insert = _locked(Table.insert)
    insert_multiple = _locked(Table.insert_multiple)
    all = _locked(Table.all)
    search = _locked(Table.search)
    get = _locked(Table.get)  # type: ignore[assignment]
    contains = _locked(Table.contains)
    update = _locked(Table.update)
    update_multiple = _locked(Table.update_multiple)
    upsert = _locked(Table.upsert)
    remove = _locked(Table.remove)
    truncate = _locked(Table.truncate)
    count = _locked(Table.count)
    clear_cache = _locked(Table.clear_cache)
    __len__ = _locked(Table.__len__)

    def __iter__(self) -> Iterator[Document]:
        with self.storage.lock:  # type: ignore[attr-defined]
            documents = list(Table.__iter__(self))
        return iter(documents)


class LockedTinyDB(TinyDB):
    table_class = LockedTable

    def table(self, name: str, **kwargs: Any) -> Table:
        with self.storage.lock:  # type: ignore[attr-defined]
            return super().table(name, **kwargs)

    def tables(self) -> set[str]:
        with self.storage.lock:  # type: ignore[attr-defined]
            return super().tables()

    def drop_tables(self) -> None:
        with self.storage.lock:  # type: ignore[attr-defined]
            super().drop_tables()

    def drop_table(self, name: str) -> None:
        with self.storage.lock:  # type: ignore[attr-defined]
            super().drop_table(name)

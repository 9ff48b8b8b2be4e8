"""TinyDB on encrypted, versioned, durable files.

``EncryptedStorage`` is a TinyDB ``Storage`` that holds nothing in memory: every ``read``
decrypts the file, every ``write`` encrypts and replaces it durably before returning. What the
file is (its identity, its version, what to do when it is missing or damaged) is the business of
the :class:`Tracked` it is given, which the store keeps in line with its manifest. It never
reports an unreadable file as empty unless its Tracked says that is what the store decided
(a damaged file of a table that may start again empty, moved to quarantine first).

``LockedTinyDB`` makes TinyDB's read-modify-write cycles atomic across threads by holding the
store's lock around each table operation (TinyDB itself has no locking).
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ParamSpec, Protocol, TypeVar

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


class Tracked(Protocol):
    """One file the store keeps in its manifest (see store.py). Path, identity and cipher are
    asked for at each read and write: a key rotation moves every file under a new key."""

    what: str  # "saving case ...", for error messages

    @property
    def path(self) -> Path: ...

    @property
    def identity(self) -> bytes: ...

    @property
    def cipher(self) -> Cipher: ...

    @property
    def dir_fd(self) -> int | None: ...

    def before_read(self) -> None:
        """Raise if the file must not be read now (a problem the officer has to decide)."""

    def absent(self) -> None:
        """The file is not there: raise if it should be; return to read it as empty."""

    def unreadable(self, reason: str) -> None:
        """It fails authentication or is not a database: raise, or return to read it as empty
        (after moving it aside)."""

    def opened(self, counter: int) -> None:
        """It decrypted as version ``counter``: raise if that is older than the last save."""

    def next_version(self) -> int: ...

    def placed(self, counter: int, fingerprint: Fingerprint) -> None:
        """Version ``counter`` has taken the file's name (not yet known to be durable)."""

    def written(self, counter: int) -> None:
        """Version ``counter`` is durably in place: record it in the manifest."""


class EncryptedStorage(Storage):
    def __init__(
        self,
        tracked: Tracked,
        *,
        lock: threading.RLock,
        check_open: Callable[[], None] = lambda: None,
    ) -> None:
        self.tracked = tracked
        self.lock = lock
        self._check_open = check_open
        self.last_fingerprint: Fingerprint | None = None

    @property
    def path(self) -> Path:
        return self.tracked.path

    def read(self) -> dict[str, dict[str, Any]] | None:
        with self.lock:
            self._check_open()
            self.tracked.before_read()
            blob = durable.read_file(self.tracked.path)
            if blob is None:
                self.tracked.absent()
                return None
            try:
                counter, plaintext = self.tracked.cipher.open_blob(blob, self.tracked.identity)
            except Corrupt as exc:
                self.tracked.unreadable(str(exc))
                return None
            data = _database(plaintext)
            if data is None:
                self.tracked.unreadable("not a database")
                return None
            self.tracked.opened(counter)
            return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        plaintext = dumps(data)
        with self.lock:
            self._check_open()
            counter = self.tracked.next_version()
            blob = self.tracked.cipher.seal_blob(plaintext, self.tracked.identity, counter)
            try:
                self.last_fingerprint = durable.atomic_write(
                    self.tracked.path,
                    blob,
                    dir_fd=self.tracked.dir_fd,
                    after_replace=lambda fp: self.tracked.placed(counter, fp),
                )
            except StoreError:
                raise
            except OSError as exc:
                raise StoreIOError(self.tracked.what, exc) from exc
            self.tracked.written(counter)


def _database(plaintext: bytes) -> dict[str, dict[str, Any]] | None:
    try:
        data = json.loads(plaintext)
    except ValueError:
        return None
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        return None
    return data


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

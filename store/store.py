"""The Store: encrypted, durable, partitioned TinyDB persistence for one data dir.

See docs/store.md for the on-disk layout and the reasoning. In short: one TinyDB file per case
(so a save rewrites one small file whatever the number of cases), an append-only encrypted
index of summaries (so listing cases decrypts no case file), every write durable before the
call returns, and an exclusive lock so only one Store has a data dir open.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from tinydb import TinyDB
from tinydb.table import Document

from store import durable, index
from store.crypto import (
    KEY_LEN,
    BadKeyfile,
    Cipher,
    KdfParams,
    read_keyfile_params,
    unwrap_key,
    wrap_key,
)
from store.durable import Fingerprint, syscalls
from store.errors import (
    CaseNotFound,
    CaseUnreadable,
    StoreError,
    StoreInUse,
    StoreIOError,
    StoreNotFound,
    TableUnreadable,
    WrongPassphrase,
)
from store.index import Entry, IndexLog
from store.paths import (
    CASES_DIR,
    DB_SUFFIX,
    INDEX_LOG,
    KEYFILE,
    LOCKFILE,
    NAME_PATTERN,
    TABLES_DIR,
    check_name,
)
from store.storage import EncryptedStorage, LockedTinyDB, dumps

log = logging.getLogger(__name__)

_LAYOUT = frozenset({KEYFILE, LOCKFILE, INDEX_LOG, CASES_DIR, TABLES_DIR})
CASE_TABLE = "case"
CASE_DOC_ID = 1


def _open_dir(path: Path) -> int:
    return os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)


def _check_passphrase(passphrase: object) -> str:
    if not isinstance(passphrase, str) or not passphrase:
        raise StoreError("the passphrase must be a non-empty string")
    return passphrase


class Store:
    """One open data dir. Create with ``Store.create`` or ``Store.open``; thread-safe."""

    # --- opening ---------------------------------------------------------------------------

    @staticmethod
    def exists(data_dir: str | os.PathLike[str]) -> bool:
        return (Path(data_dir) / KEYFILE).is_file()

    @staticmethod
    def kdf_params(data_dir: str | os.PathLike[str]) -> KdfParams:
        """The Argon2id parameters the data dir's keyfile uses (the keyfile is not secret)."""
        data_dir = Path(data_dir)
        raw = durable.read_file(data_dir / KEYFILE)
        if raw is None:
            raise StoreNotFound(f"no store in {data_dir}")
        try:
            return read_keyfile_params(raw)
        except BadKeyfile as exc:
            raise StoreError(f"the keyfile in {data_dir} cannot be used: {exc}") from None

    @classmethod
    def create(
        cls,
        data_dir: str | os.PathLike[str],
        passphrase: str,
        *,
        kdf: KdfParams | None = None,
    ) -> Store:
        """A new, empty store in data_dir. ``kdf`` defaults to ``KdfParams()`` (above OWASP's
        minimum); pass ``KdfParams.for_tests()`` only in tests."""
        data_dir = Path(data_dir)
        _check_passphrase(passphrase)
        params = kdf if kdf is not None else KdfParams()
        if data_dir.is_dir() and not cls.exists(data_dir):
            strangers = [
                name
                for name in os.listdir(data_dir)
                if name not in _LAYOUT and not name.endswith(durable.TMP_SUFFIX)
            ]
            if strangers:
                # Someone pointed --data-dir at a folder in use (their home, say): scattering
                # store files among theirs would be unkind and confusing.
                raise StoreError(f"{data_dir} is not empty; choose an empty or new folder")
        try:
            durable.make_dir(data_dir)
        except OSError as exc:
            raise StoreIOError(f"creating data dir {data_dir}", exc) from exc
        lock = durable.FileLock(data_dir / LOCKFILE)
        if not lock.acquire():
            raise StoreInUse(cls._in_use_message(data_dir))
        try:
            if cls.exists(data_dir):
                raise StoreError(f"there is already a store in {data_dir}")
            data_key = os.urandom(KEY_LEN)
            try:
                durable.make_dir(data_dir / CASES_DIR)
                durable.make_dir(data_dir / TABLES_DIR)
                durable.atomic_write(data_dir / INDEX_LOG, index.HEADER)
                # The keyfile is written last: until it exists there is no store, and a
                # half-made data dir can simply be created again.
                durable.atomic_write(data_dir / KEYFILE, wrap_key(data_key, passphrase, params))
            except OSError as exc:
                raise StoreIOError(f"creating the store in {data_dir}", exc) from exc
            return cls._start(data_dir, data_key, lock)
        except BaseException:
            lock.release()
            raise

    @classmethod
    def open(cls, data_dir: str | os.PathLike[str], passphrase: str) -> Store:
        """Unlock an existing store. Writes nothing until the passphrase has proved right."""
        data_dir = Path(data_dir)
        _check_passphrase(passphrase)
        if not cls.exists(data_dir):
            raise StoreNotFound(f"no store in {data_dir}")
        lock = durable.FileLock(data_dir / LOCKFILE)
        if not lock.acquire():
            raise StoreInUse(cls._in_use_message(data_dir))
        try:
            raw = durable.read_file(data_dir / KEYFILE)
            if raw is None:
                raise StoreNotFound(f"no store in {data_dir}")
            try:
                data_key = unwrap_key(raw, passphrase)
            except BadKeyfile as exc:
                raise StoreError(f"the keyfile in {data_dir} cannot be used: {exc}") from None
            if data_key is None:
                raise WrongPassphrase(f"wrong passphrase for the store in {data_dir}")
            return cls._start(data_dir, data_key, lock)
        except BaseException:
            lock.release()
            raise

    @staticmethod
    def _in_use_message(data_dir: Path) -> str:
        return (
            f"the store in {data_dir} is already open (in this or another duty-tui process); "
            "close it there first"
        )

    @classmethod
    def _start(cls, data_dir: Path, data_key: bytes, lock: durable.FileLock) -> Store:
        self = cls.__new__(cls)
        self._fds: list[int] = []
        try:
            self._init(data_dir, data_key, lock)
            self._reconcile()
        except BaseException:
            self._release()
            raise
        return self

    def _init(self, data_dir: Path, data_key: bytes, lock: durable.FileLock) -> None:
        self._data_dir = data_dir
        self._file_lock = lock
        self._lock = threading.RLock()
        self._cipher = Cipher(data_key)
        # Enough to recognise the key again (verify_passphrase) without keeping a second copy.
        self._key_digest = hashlib.sha256(data_key).digest()
        self._cases_dir = data_dir / CASES_DIR
        self._tables_dir = data_dir / TABLES_DIR
        try:
            # Recreated if someone removed them: an empty folder is a valid (empty) state.
            durable.make_dir(self._cases_dir)
            durable.make_dir(self._tables_dir)
        except OSError as exc:
            raise StoreIOError(f"opening the store in {data_dir}", exc) from exc
        self._data_dir_fd = self._keep_fd(_open_dir(data_dir))
        self._cases_dir_fd = self._keep_fd(_open_dir(self._cases_dir))
        self._tables_dir_fd = self._keep_fd(_open_dir(self._tables_dir))
        self._log = IndexLog(data_dir / INDEX_LOG, self._cipher, self._data_dir_fd)
        self._entries: dict[str, Entry] = {}
        self._unreadable: dict[str, str] = {}
        self._tables: dict[str, LockedTinyDB] = {}
        self._closed = False
        # How many case files the last open had to decrypt to repair the index (tests, bench).
        self.reindexed = 0

    def _keep_fd(self, fd: int) -> int:
        self._fds.append(fd)
        return fd

    # --- index reconciliation --------------------------------------------------------------

    def _reconcile(self) -> None:
        """Make the index agree with the case files, decrypting only those it is wrong about."""
        contents = index.read_log(self._data_dir / INDEX_LOG, self._cipher)
        entries = dict(contents.entries)
        on_disk: dict[str, Fingerprint] = {}
        for directory in (self._data_dir, self._tables_dir):
            self._remove_temp_files(directory)
        with os.scandir(self._cases_dir) as scan:
            for item in scan:
                name = item.name
                if name.startswith(".") and name.endswith(durable.TMP_SUFFIX):
                    # Left by a crash mid-save; the save never happened.
                    self._remove_quietly(Path(item.path))
                    continue
                case_id = name[: -len(DB_SUFFIX)]
                if not name.endswith(DB_SUFFIX) or not NAME_PATTERN.fullmatch(case_id):
                    continue
                if not item.is_file(follow_symlinks=False):
                    continue
                on_disk[case_id] = Fingerprint.of(item.stat(follow_symlinks=False))

        changes: list[bytes] = []
        for case_id in [c for c in entries if c not in on_disk]:
            del entries[case_id]
            changes.append(index.delete_record(case_id))
        reindexed = 0
        for case_id, fingerprint in on_disk.items():
            entry = entries.get(case_id)
            if entry is not None and entry.fingerprint == fingerprint:
                continue
            reindexed += 1
            try:
                summary = self._read_case_record(case_id)["summary"]
            except CaseNotFound:
                continue
            except CaseUnreadable as exc:
                # Left as it is, for recovery. An older summary, if the index has one, keeps
                # the case visible in the list; opening it reports the damage.
                self._unreadable[case_id] = exc.reason
                continue
            entries[case_id] = Entry(fingerprint, summary)
            changes.append(index.put_record(case_id, fingerprint, dumps(summary).decode()))
        self.reindexed = reindexed
        self._entries = entries

        self._log.open(contents)
        try:
            if self._log.needs_rewrite:
                self._log.rewrite(entries)
            elif changes:
                self._log.append(changes, entries)
            if self._log.should_compact(len(entries)):
                self._log.rewrite(entries)
        except OSError as exc:
            # The index is a cache of the case files: opening must not fail because it could
            # not be repaired. The next open reconciles again.
            log.warning("could not update the store index (%s); continuing", exc.strerror)

    def _remove_temp_files(self, directory: Path) -> None:
        with os.scandir(directory) as scan:
            for item in scan:
                if item.name.startswith(".") and item.name.endswith(durable.TMP_SUFFIX):
                    self._remove_quietly(Path(item.path))

    @staticmethod
    def _remove_quietly(path: Path) -> None:
        try:
            syscalls.unlink(path)
        except OSError:
            pass

    # --- cases -----------------------------------------------------------------------------

    def _case_path(self, case_id: str) -> Path:
        return self._cases_dir / f"{case_id}{DB_SUFFIX}"

    def _case_db(
        self, case_id: str, before_replace: Callable[[Fingerprint], None] | None = None
    ) -> tuple[TinyDB, EncryptedStorage]:
        storage = EncryptedStorage(
            self._case_path(case_id),
            cipher=self._cipher,
            identity=b"case:" + case_id.encode("ascii"),
            unreadable=functools.partial(CaseUnreadable, case_id),
            what=f"saving case {case_id!r}",
            lock=self._lock,
            check_open=self._check_open,
            dir_fd=self._cases_dir_fd,
            before_replace=before_replace,
        )
        return TinyDB(storage=lambda: storage), storage

    def _read_case_record(self, case_id: str) -> dict[str, Any]:
        db, _storage = self._case_db(case_id)
        try:
            record = db.table(CASE_TABLE).get(doc_id=CASE_DOC_ID)
        except CaseUnreadable as exc:
            self._unreadable[case_id] = exc.reason
            raise
        if record is None:
            if self._case_path(case_id).exists():
                raise CaseUnreadable(case_id, "not a case")
            raise CaseNotFound(case_id)
        if not isinstance(record.get("document"), dict) or not isinstance(
            record.get("summary"), dict
        ):
            raise CaseUnreadable(case_id, "not a case")
        return dict(record)

    def save_case(self, case_id: str, document: dict[str, Any], summary: dict[str, Any]) -> None:
        """Store document (and its summary for the index); durable on disk when this returns.

        Raises StoreIOError (an OSError, errno kept) on a disk error, leaving the previous
        version in place; CaseUnreadable if the existing file is damaged (it is not
        overwritten: delete the case first to replace it).
        """
        check_name(case_id)
        if not isinstance(document, dict) or not isinstance(summary, dict):
            raise TypeError("a case document and its summary must be dicts")
        summary_json = dumps(summary).decode("utf-8")
        own_summary = json.loads(summary_json)
        record = {"document": document, "summary": summary}
        with self._lock:
            self._check_open()
            pending: list[Fingerprint] = []

            def log_before_publishing(fingerprint: Fingerprint) -> None:
                # Write-ahead: the index learns the new file's fingerprint before the file
                # takes its name. A crash in between leaves a record that matches no file, and
                # the next open re-reads the old file, which is still there.
                pending.append(fingerprint)
                self._log.append(
                    [index.put_record(case_id, fingerprint, summary_json)], self._entries
                )

            db, storage = self._case_db(case_id, log_before_publishing)
            table = db.table(CASE_TABLE)
            try:
                if self._case_path(case_id).exists():
                    # The record has exactly these two keys, so TinyDB's field update replaces
                    # the whole record in one write.
                    if not table.update(record, doc_ids=[CASE_DOC_ID]):
                        table.insert(Document(record, doc_id=CASE_DOC_ID))
                else:
                    table.insert(Document(record, doc_id=CASE_DOC_ID))
            except StoreIOError:
                self._resync_after_failed_save(case_id, pending, own_summary)
                raise
            except CaseUnreadable as exc:
                self._unreadable[case_id] = exc.reason
                raise
            assert storage.last_fingerprint is not None
            self._entries[case_id] = Entry(storage.last_fingerprint, own_summary)
            self._unreadable.pop(case_id, None)
            self._compact_if_due()

    def _resync_after_failed_save(
        self, case_id: str, pending: list[Fingerprint], summary: dict[str, Any]
    ) -> None:
        # A failure after the rename (the directory fsync) leaves the new file in place.
        if not pending:
            return
        try:
            current = Fingerprint.of(os.stat(self._case_path(case_id)))
        except OSError:
            return
        if current == pending[-1]:
            self._entries[case_id] = Entry(current, summary)

    def _compact_if_due(self) -> None:
        if not self._log.should_compact(len(self._entries)):
            return
        try:
            self._log.rewrite(self._entries)
        except OSError as exc:
            # The save itself is durable; compaction is retried by the next append.
            log.warning("could not compact the store index (%s)", exc.strerror)

    def load_case(self, case_id: str) -> dict[str, Any]:
        """The document last saved for case_id. CaseNotFound / CaseUnreadable(case_id)."""
        check_name(case_id)
        with self._lock:
            self._check_open()
            document: dict[str, Any] = self._read_case_record(case_id)["document"]
            return document

    def delete_case(self, case_id: str) -> None:
        """Remove a case (its file, then its index entry). Deleting a missing case is a no-op."""
        check_name(case_id)
        with self._lock:
            self._check_open()
            try:
                try:
                    syscalls.unlink(self._case_path(case_id))
                except FileNotFoundError:
                    if case_id not in self._entries:
                        return
                self._entries.pop(case_id, None)
                self._unreadable.pop(case_id, None)
                syscalls.fsync(self._cases_dir_fd)
                self._log.append([index.delete_record(case_id)], self._entries)
            except OSError as exc:
                raise StoreIOError(f"deleting case {case_id!r}", exc) from exc
            self._compact_if_due()

    def summaries(self) -> dict[str, dict[str, Any]]:
        """Every case's summary, from the index: no case file is read."""
        with self._lock:
            self._check_open()
            # A deep copy, so callers cannot change the index by editing what they get.
            return json.loads(dumps({k: e.summary for k, e in self._entries.items()}))

    def unreadable_cases(self) -> dict[str, str]:
        """Case ids whose files failed to decrypt (at open or since), with the reason."""
        with self._lock:
            return dict(self._unreadable)

    # --- small collections -----------------------------------------------------------------

    def table(self, name: str) -> TinyDB:
        """An encrypted, durable TinyDB for a small collection; the same instance per name.

        Every write rewrites the whole (small) file atomically before returning.
        """
        check_name(name, "table name")
        with self._lock:
            self._check_open()
            db = self._tables.get(name)
            if db is None:
                db = LockedTinyDB(
                    storage=functools.partial(
                        EncryptedStorage,
                        self._tables_dir / f"{name}{DB_SUFFIX}",
                        cipher=self._cipher,
                        identity=b"table:" + name.encode("ascii"),
                        unreadable=functools.partial(TableUnreadable, name),
                        what=f"writing table {name!r}",
                        lock=self._lock,
                        check_open=self._check_open,
                        dir_fd=self._tables_dir_fd,
                    )
                )
                self._tables[name] = db
            return db

    # --- keys and lifetime -----------------------------------------------------------------

    def verify_passphrase(self, passphrase: str) -> bool:
        """Does ``passphrase`` unwrap this store's data key (the lock screen asks)? Runs
        Argon2, so call it from a thread. Compared against the key in memory, not just "it
        decrypted", so a keyfile swapped on disk while unlocked does not pass."""
        try:
            _check_passphrase(passphrase)
        except StoreError:
            return False
        self._check_open()
        raw = durable.read_file(self._data_dir / KEYFILE)
        if raw is None:
            return False
        try:
            data_key = unwrap_key(raw, passphrase)
        except BadKeyfile:
            return False
        return data_key is not None and hmac.compare_digest(
            hashlib.sha256(data_key).digest(), self._key_digest
        )

    def change_passphrase(self, old: str, new: str, *, kdf: KdfParams | None = None) -> None:
        """Rewrap the data key under ``new``; no data file is rewritten."""
        _check_passphrase(old)
        _check_passphrase(new)
        params = kdf if kdf is not None else KdfParams()
        with self._lock:
            self._check_open()
            keyfile = self._data_dir / KEYFILE
            raw = durable.read_file(keyfile)
            if raw is None:
                raise StoreNotFound(f"the keyfile in {self._data_dir} has gone")
            try:
                data_key = unwrap_key(raw, old)
            except BadKeyfile as exc:
                raise StoreError(f"the keyfile in {self._data_dir} cannot be used: {exc}") from None
            if data_key is None:
                raise WrongPassphrase("the current passphrase is wrong; nothing was changed")
            try:
                durable.atomic_write(
                    keyfile, wrap_key(data_key, new, params), dir_fd=self._data_dir_fd
                )
            except OSError as exc:
                raise StoreIOError("writing the keyfile", exc) from exc

    @property
    def data_dir(self) -> Path:
        return self._data_dir

    @property
    def closed(self) -> bool:
        return self._closed

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"the store in {self._data_dir} is closed")

    def close(self) -> None:
        """Release the data dir. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for db in self._tables.values():
                db.close()
            self._tables.clear()
            self._release()

    def _release(self) -> None:
        # Also called on a half-initialised store when opening fails.
        index_log: IndexLog | None = getattr(self, "_log", None)
        if index_log is not None:
            index_log.close()
        for fd in self._fds:
            os.close(fd)
        self._fds.clear()
        self._file_lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<Store {self._data_dir} ({state})>"

"""The Store: encrypted, durable, versioned TinyDB files for one data dir, and their manifest.

See docs/store.md for the on-disk layout and the reasoning. In short: one TinyDB file per case
(so a save rewrites one small file whatever the number of cases), named by a keyed hash of the
case id (a file name says nothing of the family); small tables (settings, outbox, ...) in files
of their own; every file carries a version counter under its authentication tag; an append-only
encrypted manifest records each file's version as it is written, so a file that goes missing,
goes back to an older version, or comes from somewhere else is reported by name instead of being
quietly re-read; a damaged file is moved aside to ``quarantine/``; every write is durable
before the call returns; an exclusive lock lets one Store at a time have the data dir open.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
import secrets
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any

import attrs
from tinydb import TinyDB

from store import durable, journal, manifest
from store import problems as found
from store.crypto import (
    GENERATION,
    KEY_LEN,
    BadKeyfile,
    Cipher,
    Corrupt,
    KdfParams,
    parse_keyfile,
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
from store.journal import StoreJournal
from store.manifest import CaseState, JournalState, ManifestLog, State, TableState
from store.paths import (
    CASES_DIR,
    DB_SUFFIX,
    KEYFILE,
    LEGACY_INDEX,
    LOCKFILE,
    MANIFEST,
    NAME_PATTERN,
    QUARANTINE_DIR,
    TABLES_DIR,
    check_name,
)
from store.policy import check_new_passphrase
from store.problems import Problem, ProblemKind
from store.storage import EncryptedStorage, LockedTinyDB, dumps

log = logging.getLogger(__name__)

_LAYOUT = frozenset(
    {KEYFILE, LOCKFILE, MANIFEST, LEGACY_INDEX, CASES_DIR, TABLES_DIR, QUARANTINE_DIR}
)
CASE_TABLE = "case"
CASE_DOC_ID = 1
_PRIVATE = 0o077  # group and other permission bits: none of them on anything of ours
# Problems the files cannot show again at the next open: kept in the manifest until accepted.
_REMEMBERED = (ProblemKind.MANIFEST, ProblemKind.STRAY, ProblemKind.REAPPEARED)
ROTATING = "ROTATING"  # in a data folder being written by a key rotation
ACCEPTED = "accepted"
TOLD = "told"
# Temp files fsynced at once by save_cases: enough for the file system to commit them
# together (measured: 4.4 ms a file one by one, 0.6 ms with 8 threads), few enough to be cheap.
_FSYNC_THREADS = 8


def _open_dir(path: Path) -> int:
    return os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)


def _check_passphrase(passphrase: object) -> str:
    if not isinstance(passphrase, str) or not passphrase:
        raise StoreError("the passphrase must be a non-empty string")
    return passphrase


class _TableFile:
    """A table's file as the manifest knows it (store.storage.Tracked)."""

    def __init__(self, store: Store, name: str, *, critical: bool) -> None:
        self._store = store
        self.name = name
        self.subject = manifest.table_subject(name)
        self.critical = critical
        self.identity = b"table:" + name.encode("ascii")
        self.what = f"writing table {name!r}"

    @property
    def path(self) -> Path:
        return self._store._tables_dir / f"{self.name}{DB_SUFFIX}"

    @property
    def cipher(self) -> Cipher:
        return self._store._cipher

    @property
    def dir_fd(self) -> int | None:
        return self._store._tables_dir_fd

    def _problem(self, problem: Problem) -> None:
        """A critical table stays unreadable until the officer decides; any other starts again
        empty (the officer is told through Store.problems())."""
        store = self._store
        store._problems[self.subject] = problem
        if self.critical:
            raise TableUnreadable(self.name, problem.detail)
        store._accept_locked(self.subject, told=True)

    def before_read(self) -> None:
        problem = self._store._problems.get(self.subject)
        if problem is not None and problem.blocks:
            self._problem(problem)

    def absent(self) -> None:
        entry = self._store._state.tables.get(self.name)
        if entry is not None and entry.fp is not None:
            self._problem(found.missing(self.subject, entry.ver))

    def unreadable(self, reason: str) -> None:
        to = self._store._quarantine(self.path, self.subject, reason)
        self._problem(found.damaged(self.subject, reason, to))

    def opened(self, counter: int) -> None:
        entry = self._store._state.tables.get(self.name)
        if entry is not None and counter != entry.ver:
            self._problem(found.rolled_back(self.subject, counter, entry.ver))

    def next_version(self) -> int:
        entry = self._store._state.tables.get(self.name)
        return (entry.high if entry is not None else 0) + 1

    def placed(self, counter: int, fingerprint: Fingerprint) -> None:
        store = self._store
        store._state.tables[self.name] = TableState(counter, counter, fingerprint)
        store._state.quarantined.pop(self.subject, None)
        store._problems.pop(self.subject, None)

    def written(self, counter: int) -> None:
        entry = self._store._state.tables[self.name]
        self._store._record([manifest.table_record(self.name, entry)], self.what)


class _CaseFile:
    """One case's file as the manifest knows it (store.storage.Tracked)."""

    def __init__(self, store: Store, case_id: str) -> None:
        # One operation's worth: made afresh for every read or write, so a rotation (new key,
        # new names) never leaves one behind.
        self._store = store
        self.case_id = case_id
        self.subject = manifest.case_subject(case_id)
        self.file = store.case_file_name(case_id)
        self.path = store._cases_dir / f"{self.file}{DB_SUFFIX}"
        self.identity = case_identity(self.file)
        self.cipher = store._cipher
        self.dir_fd = store._cases_dir_fd
        self.what = "saving a case"
        # What the next write records in the manifest beside the file.
        self.summary_json = "{}"
        self.batch: str | None = None

    def _fail(self, problem: Problem) -> None:
        self._store._problems[self.subject] = problem
        raise CaseUnreadable(self.case_id, problem.detail)

    def before_read(self) -> None:
        problem = self._store._problems.get(self.subject)
        if problem is not None and problem.blocks:
            raise CaseUnreadable(self.case_id, problem.detail)

    def absent(self) -> None:
        entry = self._store._state.cases.get(self.case_id)
        if entry is not None:
            self._fail(found.missing(self.subject, entry.ver))

    def unreadable(self, reason: str) -> None:
        to = self._store._quarantine(self.path, self.subject, reason)
        self._fail(found.damaged(self.subject, reason, to))

    def opened(self, counter: int) -> None:
        entry = self._store._state.cases.get(self.case_id)
        if entry is not None and counter != entry.ver:
            self._fail(found.rolled_back(self.subject, counter, entry.ver))

    def next_version(self) -> int:
        store = self._store
        entry = store._state.cases.get(self.case_id)
        high = entry.high if entry is not None else store._state.gone.get(self.case_id, 0)
        return high + 1

    def placed(self, counter: int, fingerprint: Fingerprint) -> None:
        store = self._store
        store._state.cases[self.case_id] = CaseState(
            self.file, counter, counter, fingerprint, json.loads(self.summary_json), self.batch
        )
        store._state.gone.pop(self.case_id, None)
        store._state.quarantined.pop(self.subject, None)
        store._problems.pop(self.subject, None)

    def written(self, counter: int) -> None:
        entry = self._store._state.cases[self.case_id]
        self._store._record(
            [manifest.case_record(self.case_id, entry, summary_json=self.summary_json)], self.what
        )


def case_identity(file_name: str) -> bytes:
    return b"case-file:" + file_name.encode("ascii")


@attrs.define
class _Scan:
    """What is in a folder: file stem -> stat, plus anything that is not ours to read."""

    files: dict[str, os.stat_result] = attrs.Factory(dict)


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
        check_new_passphrase(passphrase)
        params = kdf if kdf is not None else KdfParams()
        if data_dir.exists() and not data_dir.is_dir():
            raise StoreError(f"{data_dir} is a file, not a folder")
        if data_dir.is_dir() and not cls.exists(data_dir):
            strangers = [
                name
                for name in os.listdir(data_dir)
                if name not in _LAYOUT
                and not name.endswith(durable.TMP_SUFFIX)
                and not GENERATION.fullmatch(name)
            ]
            if strangers:
                # Someone pointed --data-dir at a folder in use (their home, say): scattering
                # store files among theirs would be unkind and confusing.
                raise StoreError(f"{data_dir} is not empty; choose an empty or new folder")
        try:
            durable.make_dir(data_dir)
            _make_private(data_dir)
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
                durable.atomic_write(data_dir / MANIFEST, manifest.HEADER)
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
        try:
            lock = durable.FileLock(data_dir / LOCKFILE)
            acquired = lock.acquire()
        except OSError as exc:
            raise StoreIOError(f"opening the store in {data_dir}", exc) from exc
        if not acquired:
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
            return cls._start(data_dir, data_key, lock, parse_keyfile(raw).generation)
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
    def _start(
        cls,
        data_dir: Path,
        data_key: bytes,
        lock: durable.FileLock,
        generation: str | None = None,
    ) -> Store:
        self = cls.__new__(cls)
        self._fds: list[int] = []
        self._place_fds: list[int] = []
        try:
            self._init(data_dir, data_key, lock, generation)
            with self._lock:
                self._reconcile()
        except BaseException:
            self._release()
            raise
        return self

    def _init(
        self, data_dir: Path, data_key: bytes, lock: durable.FileLock, generation: str | None
    ) -> None:
        self._data_dir = data_dir
        self._file_lock = lock
        self._lock = threading.RLock()
        self._cipher = Cipher(data_key)
        # Enough to recognise the key again (verify_passphrase) without keeping a second copy.
        self._key_digest = hashlib.sha256(data_key).digest()
        self._quarantine_dir = data_dir / QUARANTINE_DIR
        try:
            _make_private(data_dir)
        except OSError as exc:
            raise StoreIOError(f"opening the store in {data_dir}", exc) from exc
        self._data_dir_fd = self._keep_fd(_open_dir(data_dir))
        self._use_generation(generation)
        self._state = State()
        self._problems: dict[str, Problem] = {}
        self._problems_told: list[Problem] = []
        self._tables: dict[str, LockedTinyDB] = {}
        self._table_files: dict[str, _TableFile] = {}
        self._journals: dict[str, StoreJournal] = {}
        self._batch: str | None = None
        self._batch_cases: list[str] = []
        self._closed = False
        # How many files the last open had to decrypt to check them (tests, bench).
        self.reindexed = 0

    def _use_generation(self, generation: str | None) -> None:
        """Where the data is: the data dir itself, or (after a key rotation) the folder the
        keyfile names. The lock, keyfile and quarantine stay in the data dir."""
        self._generation = generation
        base = self._data_dir / generation if generation else self._data_dir
        self._base = base
        self._cases_dir = base / CASES_DIR
        self._tables_dir = base / TABLES_DIR
        try:
            # Recreated if someone removed them: an empty folder is a valid (empty) state.
            for directory in (base, self._cases_dir, self._tables_dir):
                durable.make_dir(directory)
                _make_private(directory)
        except OSError as exc:
            raise StoreIOError(f"opening the store in {self._data_dir}", exc) from exc
        for fd in self._place_fds:
            os.close(fd)
        self._place_fds = [_open_dir(base), _open_dir(self._cases_dir), _open_dir(self._tables_dir)]
        self._base_fd, self._cases_dir_fd, self._tables_dir_fd = self._place_fds
        self._log = ManifestLog(base / MANIFEST, self._cipher, self._base_fd)

    def _remove_superseded(self) -> None:
        """What no key opens any more: the folder of a key rotation cut off before its keyfile
        was written (it still holds the ROTATING mark, or has no manifest yet), and the data
        folders the manifest says a completed rotation replaced. A data folder under another
        key that is neither is reported, never removed: it may be the newer data of a keyfile
        that was put back from an older copy."""
        try:
            for item in self._data_dir.iterdir():
                name = item.name
                if not GENERATION.fullmatch(name):
                    continue
                if name == self._generation:
                    # The keyfile names it: the rotation that wrote it completed.
                    with contextlib.suppress(FileNotFoundError):
                        syscalls.unlink(item / ROTATING)
                elif (
                    (item / ROTATING).exists()
                    or not (item / MANIFEST).exists()
                    or name in self._state.superseded
                ):
                    # Unfinished (a finished one has its manifest and no mark), or replaced.
                    durable.remove_tree(item)
                else:
                    self._note_problem(found.other_key(name))
            if self._generation is not None and "" in self._state.superseded:
                for directory in (CASES_DIR, TABLES_DIR):
                    durable.remove_tree(self._data_dir / directory)
                for file in (MANIFEST, LEGACY_INDEX):
                    with contextlib.suppress(FileNotFoundError):
                        syscalls.unlink(self._data_dir / file)
            syscalls.fsync(self._data_dir_fd)
        except OSError as exc:
            # Unreadable without the old key, and removed at the next open.
            log.warning("could not remove superseded data (%s)", exc.strerror)

    def _keep_fd(self, fd: int) -> int:
        self._fds.append(fd)
        return fd

    # --- checking the files against the manifest --------------------------------------------

    def _reconcile(self) -> None:
        """Check every file against the manifest, decrypting only those whose fingerprint
        changed; report what is missing, older or foreign; finish or undo interrupted work."""
        for directory in {self._data_dir, self._base, self._cases_dir, self._tables_dir}:
            self._remove_temp_files(directory)
        contents = manifest.read_log(self._base / MANIFEST, self._cipher)
        self._state = contents.state
        cases = self._scan(self._cases_dir)
        tables = self._scan(self._tables_dir)
        legacy_index = self._data_dir / LEGACY_INDEX
        self._log.open(contents)
        self._remove_superseded()
        if not contents.found:
            if legacy_index.exists() or not (cases.files or tables.files):
                pass  # a store made before the manifest (migrated below), or an empty one
            else:
                self._note_problem(found.manifest_lost("missing"))
        elif contents.damaged_at is not None:
            self._note_problem(found.manifest_lost(f"damaged after record {contents.damaged_at}"))
        changes: list[bytes] = []
        self.reindexed = 0
        changes += self._undo_open_batches(cases)
        changes += self._check_cases(cases)
        changes += self._check_tables(tables)
        changes += self._check_journals()
        self._remember_quarantined()
        try:
            if self._log.needs_rewrite:
                self._log.rewrite(self._state)
            elif changes:
                self._log.append(changes, self._state)
            if self._log.should_compact(manifest.subjects(self._state)):
                self._log.rewrite(self._state)
        except OSError as exc:
            # Opening must not fail for it (a full disk would lock the officer out): what was
            # found is in memory, and the next write records it.
            log.warning("could not update the store manifest (%s); continuing", exc.strerror)
            self._log.needs_rewrite = True
        if legacy_index.exists():
            self._remove_quietly(legacy_index)

    def _scan(self, directory: Path) -> _Scan:
        scan = _Scan()
        with os.scandir(directory) as entries:
            for item in entries:
                name = item.name
                if not name.endswith(DB_SUFFIX) or not item.is_file(follow_symlinks=False):
                    continue
                stem = name[: -len(DB_SUFFIX)]
                if not NAME_PATTERN.fullmatch(stem):
                    continue
                st = item.stat(follow_symlinks=False)
                if st.st_mode & _PRIVATE:
                    with contextlib.suppress(OSError):
                        os.chmod(item.path, durable.FILE_MODE)
                scan.files[stem] = st
        return scan

    def _undo_open_batches(self, cases: _Scan) -> list[bytes]:
        """Cases saved by a batch (an import) that never completed are removed: all or none."""
        changes: list[bytes] = []
        for case_id, entry in list(self._state.cases.items()):
            if entry.batch is None or entry.batch in self._state.committed:
                continue
            if cases.files.pop(entry.file, None) is not None:
                self._remove_quietly(self._cases_dir / f"{entry.file}{DB_SUFFIX}")
            del self._state.cases[case_id]
            self._state.gone[case_id] = entry.high
            changes.append(manifest.gone_record(case_id, entry.high))
        return changes

    def _check_cases(self, cases: _Scan) -> list[bytes]:
        changes: list[bytes] = []
        expected = {entry.file: case_id for case_id, entry in self._state.cases.items()}
        for case_id, entry in list(self._state.cases.items()):
            subject = manifest.case_subject(case_id)
            if subject in self._state.quarantined:
                continue
            st = cases.files.pop(entry.file, None)
            if st is None:
                self._note_problem(found.missing(subject, entry.ver))
                continue
            fingerprint = Fingerprint.of(st)
            if fingerprint == entry.fp:
                continue
            path = self._cases_dir / f"{entry.file}{DB_SUFFIX}"
            opened = self._decrypt(path, case_identity(entry.file))
            if isinstance(opened, str):
                to = self._quarantine(path, subject, opened)
                self._note_problem(found.damaged(subject, opened, to))
                continue
            counter, record = opened
            if counter == entry.ver or counter == entry.high + 1:
                # The last save (touched), or one whose manifest record a crash cut off.
                updated = self._case_entry(entry.file, counter, fingerprint, record, entry.high)
                if updated is None or record.get("id") != case_id:
                    to = self._quarantine(path, subject, "not this case")
                    self._note_problem(found.damaged(subject, "not this case", to))
                    continue
                self._state.cases[case_id] = updated
                changes.append(manifest.case_record(case_id, updated))
            else:
                self._note_problem(found.rolled_back(subject, counter, entry.ver))
        for stem in sorted(set(cases.files) - set(expected)):
            changes += self._adopt_case_file(stem, cases.files[stem])
        return changes

    def _adopt_case_file(self, stem: str, st: os.stat_result) -> list[bytes]:
        """A case file the manifest does not name: the first save of a case whose manifest
        record a crash cut off, a case of a store made before the manifest (migrated), a
        deleted case's file put back, or a stranger."""
        path = self._cases_dir / f"{stem}{DB_SUFFIX}"
        opened = self._decrypt(path, case_identity(stem))
        if not isinstance(opened, str):
            counter, record = opened
            case_id = record.get("id")
            batch = record.get("batch")
            if batch is not None and batch not in self._state.committed:
                self._remove_quietly(path)  # an import that never completed
                return []
            if not isinstance(case_id, str) or self.case_file_name(case_id) != stem:
                return self._stray(path)
            subject = manifest.case_subject(case_id)
            if case_id in self._state.gone and counter == self._state.gone[case_id]:
                self._remove_quietly(path)  # a delete cut short by a crash: finish it
                return []
            if case_id in self._state.gone and counter < self._state.gone[case_id]:
                to = self._quarantine(path, subject, "deleted")
                self._note_problem(found.reappeared(subject, to))
                return []
            if case_id in self._state.cases:
                return self._stray(path)
            entry = self._case_entry(stem, counter, Fingerprint.of(st), record, counter)
            if entry is None:
                return self._stray(path)
            entry.batch = None
            self._state.cases[case_id] = entry
            return [manifest.case_record(case_id, entry)]
        legacy = self._decrypt(path, b"case:" + stem.encode("ascii"))
        if not isinstance(legacy, str):
            return self._migrate_legacy_case(stem, path, legacy[1])
        return self._stray(path)

    def _migrate_legacy_case(self, case_id: str, path: Path, record: dict[str, Any]) -> list[bytes]:
        """A case file of a store made before file names were opaque: its name is the case id
        (which an import file may have made of names and dates). Written again under an opaque
        name, recorded, then the old file removed."""
        document, summary = record.get("document"), record.get("summary")
        if not isinstance(document, dict) or not isinstance(summary, dict):
            return self._stray(path)
        if case_id not in self._state.cases:
            self._write_case(case_id, document, summary)
        self._remove_quietly(path)
        return []  # _write_case recorded it

    def _stray(self, path: Path) -> list[bytes]:
        to = self._quarantine(path, f"file:{path.name}", "not written by this store")
        self._note_problem(found.stray(path.name, to))
        return []

    def _case_entry(
        self,
        file: str,
        counter: int,
        fingerprint: Fingerprint,
        record: dict[str, Any],
        high: int,
    ) -> CaseState | None:
        summary = record.get("summary")
        if not isinstance(summary, dict) or not isinstance(record.get("document"), dict):
            return None
        return CaseState(file, counter, max(high, counter), fingerprint, summary, None)

    def _decrypt(self, path: Path, identity: bytes) -> tuple[int, dict[str, Any]] | str:
        """(version, the case record) of a case file, or why it cannot be read."""
        self.reindexed += 1
        blob = durable.read_file(path)
        if blob is None:
            return "missing"
        try:
            counter, plaintext = self._cipher.open_blob(blob, identity)
            data = json.loads(plaintext)
            record = data[CASE_TABLE][str(CASE_DOC_ID)]
        except Corrupt as exc:
            return str(exc)
        except (ValueError, KeyError, TypeError):
            return "not a case"
        if not isinstance(record, dict):
            return "not a case"
        return counter, record

    def _check_tables(self, tables: _Scan) -> list[bytes]:
        changes: list[bytes] = []
        for name, entry in list(self._state.tables.items()):
            subject = manifest.table_subject(name)
            if subject in self._state.quarantined:
                continue
            st = tables.files.pop(name, None)
            if st is None:
                if entry.fp is not None:
                    self._note_problem(found.missing(subject, entry.ver))
                continue
            fingerprint = Fingerprint.of(st)
            if fingerprint == entry.fp:
                continue
            counter = self._table_counter(name)
            if isinstance(counter, str):
                path = self._tables_dir / f"{name}{DB_SUFFIX}"
                to = self._quarantine(path, subject, counter)
                self._note_problem(found.damaged(subject, counter, to))
            elif counter == entry.ver or counter == entry.high + 1:
                updated = TableState(counter, max(entry.high, counter), fingerprint)
                self._state.tables[name] = updated
                changes.append(manifest.table_record(name, updated))
            else:
                self._note_problem(found.rolled_back(subject, counter, entry.ver))
        for name, st in sorted(tables.files.items()):
            # A table the manifest does not know: written before the manifest existed, or its
            # first write's record cut off by a crash. Ours if it authenticates as that table.
            counter = self._table_counter(name)
            subject = manifest.table_subject(name)
            if isinstance(counter, str):
                path = self._tables_dir / f"{name}{DB_SUFFIX}"
                to = self._quarantine(path, subject, counter)
                self._note_problem(found.damaged(subject, counter, to))
                continue
            entry = TableState(counter, counter, Fingerprint.of(st))
            self._state.tables[name] = entry
            changes.append(manifest.table_record(name, entry))
        return changes

    def _check_journals(self) -> list[bytes]:
        """Each journal's id and length against the manifest, from its length prefixes only
        (it is decrypted when first used)."""
        changes: list[bytes] = []
        on_disk = {
            path.name[: -len(journal.SUFFIX)]: path
            for path in self._tables_dir.glob(f"*{journal.SUFFIX}")
            if NAME_PATTERN.fullmatch(path.name[: -len(journal.SUFFIX)])
        }
        for name in sorted({*self._state.journals, *on_disk}):
            subject = manifest.table_subject(name)
            entry = self._state.journals.get(name)
            if subject in self._state.quarantined:
                continue
            path = on_disk.get(name)
            try:
                found_scan = journal.scan(path) if path is not None else None
            except journal.JournalCorrupt as exc:
                assert path is not None
                to = self._quarantine(path, subject, str(exc))
                self._note_problem(found.damaged(subject, str(exc), to))
                continue
            if found_scan is None:
                if entry is not None and entry.count:
                    self._note_problem(found.missing(subject, entry.count))
                continue
            if entry is not None and not journal.matches(entry, found_scan.jid, found_scan.count):
                self._note_problem(found.older_journal(subject, found_scan.count, entry.count))
                continue
            current = JournalState(found_scan.jid.hex(), found_scan.count)
            if entry != current:
                self._state.journals[name] = current
                changes.append(manifest.journal_record(name, current))
        return changes

    def _table_counter(self, name: str) -> int | str:
        self.reindexed += 1
        blob = durable.read_file(self._tables_dir / f"{name}{DB_SUFFIX}")
        if blob is None:
            return "missing"
        try:
            counter, _plaintext = self._cipher.open_blob(blob, b"table:" + name.encode("ascii"))
        except Corrupt as exc:
            return str(exc)
        return counter

    def _remember_quarantined(self) -> None:
        """Problems stay until the officer accepts them: files moved to quarantine, and what
        the files alone cannot show again (a lost manifest, a stray or returning file)."""
        for subject, (kind, detail) in self._state.notes.items():
            if detail in (ACCEPTED, TOLD) or subject in self._problems:
                continue
            to = self._state.quarantined.get(subject, ("", ""))[0]
            with contextlib.suppress(ValueError):
                self._problems[subject] = Problem(subject, ProblemKind(kind), detail, to)
        for subject, (to, reason) in self._state.quarantined.items():
            if subject not in self._problems:
                self._problems[subject] = found.damaged(subject, reason, to)

    def _note_problem(self, problem: Problem) -> None:
        # Reported through problems(), never logged: a subject may be a case id made of names.
        self._problems[problem.subject] = problem
        if problem.kind in _REMEMBERED:
            self._state.notes[problem.subject] = (problem.kind.value, problem.detail)
            with contextlib.suppress(OSError):
                self._log.append(
                    [manifest.note_record(problem.subject, problem.kind.value, problem.detail)],
                    self._state,
                )

    def _remove_temp_files(self, directory: Path) -> None:
        with os.scandir(directory) as scan:
            for item in scan:
                if item.name.startswith(".") and item.name.endswith(durable.TMP_SUFFIX):
                    self._remove_quietly(Path(item.path))

    @staticmethod
    def _remove_quietly(path: Path) -> None:
        with contextlib.suppress(OSError):
            syscalls.unlink(path)

    # --- quarantine ------------------------------------------------------------------------

    def _quarantine(self, path: Path, subject: str, reason: str) -> str:
        """Move a damaged file aside, still encrypted and byte for byte, and record it. Returns
        its name in the quarantine folder ("" if it could not be moved: it stays where it is)."""
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        to = f"{stamp}-{secrets.token_hex(3)}-{path.name}"
        try:
            durable.make_dir(self._quarantine_dir)
            syscalls.replace(path, self._quarantine_dir / to)
            durable.fsync_dir(self._quarantine_dir)
            durable.fsync_dir(path.parent)
        except OSError as exc:
            log.warning("could not move a damaged file aside (%s)", exc.strerror)
            return ""
        self._state.quarantined[subject] = (to, reason)
        with contextlib.suppress(OSError):
            self._log.append([manifest.quarantine_record(subject, to, reason)], self._state)
        return to

    # --- the manifest ----------------------------------------------------------------------

    def _record(self, records: list[bytes], what: str) -> None:
        """Append to the manifest after a file is durably in place. A failure is reported as
        the operation's failure; the file is there and the next open accepts it (it is exactly
        one version past the manifest)."""
        try:
            self._log.append(records, self._state)
        except OSError as exc:
            raise StoreIOError(what, exc) from exc
        self._compact_if_due()

    def _compact_if_due(self) -> None:
        if not self._log.should_compact(manifest.subjects(self._state)):
            return
        try:
            self._log.rewrite(self._state)
        except OSError as exc:
            # What was written is durable; compaction is retried by the next append.
            log.warning("could not compact the store manifest (%s)", exc.strerror)

    # --- cases -----------------------------------------------------------------------------

    def case_file_name(self, case_id: str) -> str:
        """The case's file name (without .db): a keyed hash of the id, so it says nothing."""
        return self._cipher.name_for(b"case:", case_id)

    def case_path(self, case_id: str) -> Path:
        check_name(case_id)
        return self._cases_dir / f"{self.case_file_name(case_id)}{DB_SUFFIX}"

    def _case_db(self, case_id: str) -> tuple[TinyDB, EncryptedStorage]:
        tracked = _CaseFile(self, case_id)
        storage = EncryptedStorage(tracked, lock=self._lock, check_open=self._check_open)
        return TinyDB(storage=lambda: storage), storage

    def save_case(self, case_id: str, document: dict[str, Any], summary: dict[str, Any]) -> None:
        """Store document (and its summary for the manifest); durable when this returns.

        Raises StoreIOError (an OSError, errno kept) on a disk error, leaving the previous
        version in place (or the new one, if the error came after it was in place).
        """
        check_name(case_id)
        if not isinstance(document, dict) or not isinstance(summary, dict):
            raise TypeError("a case document and its summary must be dicts")
        with self._lock:
            self._check_open()
            self._write_case(case_id, document, summary)
            if self._batch is not None:
                self._batch_cases.append(case_id)

    def _write_case(self, case_id: str, document: dict[str, Any], summary: dict[str, Any]) -> None:
        summary_json = dumps(summary).decode("utf-8")
        record: dict[str, Any] = {"id": case_id, "document": document, "summary": summary}
        if self._batch is not None:
            record["batch"] = self._batch
        _db, storage = self._case_db(case_id)
        tracked = storage.tracked
        assert isinstance(tracked, _CaseFile)
        tracked.summary_json = summary_json
        tracked.batch = self._batch
        # The whole file is this one record: written as a TinyDB database in one go.
        storage.write({CASE_TABLE: {str(CASE_DOC_ID): record}})

    def save_cases(self, items: Iterable[tuple[str, dict[str, Any], dict[str, Any]]]) -> None:
        """Save many cases (case id, document, summary) in one durable step; durable on return.

        A sync pass writes its results back into hundreds of cases: one ``save_case`` each is
        three fsyncs each (file, folder, manifest), about 17 ms a case. Here every new file
        is written and fsynced beside its case first (the fsyncs run in a few threads, which
        the file system commits together), then each takes its case's name, then one folder
        fsync and one manifest append (one fsync) for all of them.

        Not all-or-nothing: each case independently ends as its old or its new version. A
        crash (even SIGKILL, or a power cut) before the manifest append leaves some files one
        version past the manifest, which the next open accepts as the save it was (as for a
        single save whose manifest record was cut off). On an error nothing is deleted: files
        already renamed stay (they are whole, newer versions) and are recorded if possible;
        StoreIOError is raised. A case id given twice is saved once, with its last document.
        """
        latest: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        for case_id, document, summary in items:
            check_name(case_id)
            if not isinstance(document, dict) or not isinstance(summary, dict):
                raise TypeError("a case document and its summary must be dicts")
            latest[case_id] = (document, summary)
        if not latest:
            return
        with self._lock:
            self._check_open()
            prepared: list[tuple[_CaseFile, int, bytes, Path]] = []
            for case_id, (document, summary) in latest.items():
                tracked = _CaseFile(self, case_id)
                tracked.summary_json = dumps(summary).decode("utf-8")
                tracked.batch = self._batch
                record: dict[str, Any] = {"id": case_id, "document": document, "summary": summary}
                if self._batch is not None:
                    record["batch"] = self._batch
                counter = tracked.next_version()
                plaintext = dumps({CASE_TABLE: {str(CASE_DOC_ID): record}})
                blob = self._cipher.seal_blob(plaintext, tracked.identity, counter)
                prepared.append((tracked, counter, blob, durable.temp_path_for(tracked.path)))
            fingerprints = self._write_temps([(tmp, blob) for _t, _c, blob, tmp in prepared])
            placed: list[_CaseFile] = []
            try:
                for (tracked, counter, _blob, tmp), fingerprint in zip(
                    prepared, fingerprints, strict=True
                ):
                    syscalls.replace(tmp, tracked.path)
                    tracked.placed(counter, fingerprint)
                    placed.append(tracked)
                    if self._batch is not None:
                        self._batch_cases.append(tracked.case_id)
                syscalls.fsync(self._cases_dir_fd)
            except OSError as exc:
                for _tracked, _counter, _blob, tmp in prepared[len(placed) :]:
                    self._remove_quietly(tmp)
                # What took its name is a whole, newer version: recorded if the disk lets us
                # (otherwise the next open accepts it, one version past the manifest).
                with contextlib.suppress(StoreError, OSError):
                    self._record_cases(placed)
                raise StoreIOError("saving cases", exc) from exc
            self._record_cases(placed)

    def _write_temps(self, files: list[tuple[Path, bytes]]) -> list[Fingerprint]:
        """Write and fsync each new file under its temp name; all or none are left on disk."""
        workers = min(_FSYNC_THREADS, len(files))
        try:
            if workers <= 1:
                return [durable.write_new(tmp, blob) for tmp, blob in files]
            with ThreadPoolExecutor(workers, thread_name_prefix="store-save") as pool:
                return list(pool.map(lambda item: durable.write_new(*item), files))
        except OSError as exc:
            for tmp, _blob in files:
                self._remove_quietly(tmp)
            raise StoreIOError("saving cases", exc) from exc
        except BaseException:
            for tmp, _blob in files:
                self._remove_quietly(tmp)
            raise

    def _record_cases(self, placed: list[_CaseFile]) -> None:
        if not placed:
            return
        records = [
            manifest.case_record(
                t.case_id, self._state.cases[t.case_id], summary_json=t.summary_json
            )
            for t in placed
        ]
        self._record(records, "saving cases")

    def load_case(self, case_id: str) -> dict[str, Any]:
        """The document last saved for case_id. CaseNotFound / CaseUnreadable(case_id)."""
        check_name(case_id)
        with self._lock:
            self._check_open()
            db, _storage = self._case_db(case_id)
            record = db.table(CASE_TABLE).get(doc_id=CASE_DOC_ID)
            if record is None:
                raise CaseNotFound(case_id)
            document = record.get("document")
            if record.get("id") != case_id or not isinstance(document, dict):
                raise CaseUnreadable(case_id, "its file holds another case")
            return document

    def delete_case(self, case_id: str) -> None:
        """Remove a case. Its tombstone goes into the manifest first, then the file goes: a crash
        between the two finishes the delete at the next open, and the file of a deleted case
        coming back later is noticed. Deleting a missing case is a no-op."""
        check_name(case_id)
        with self._lock:
            self._check_open()
            entry = self._state.cases.get(case_id)
            subject = manifest.case_subject(case_id)
            if entry is None and subject not in self._problems:
                return
            high = entry.high if entry is not None else self._state.gone.get(case_id, 0)
            # The manifest writes the state as it is now if it has to rewrite itself, so the
            # state changes first and is put back if the tombstone cannot be written.
            before = (self._state.gone.get(case_id), self._state.quarantined.get(subject))
            problem = self._problems.pop(subject, None)
            self._state.cases.pop(case_id, None)
            self._state.gone[case_id] = high
            self._state.quarantined.pop(subject, None)
            try:
                self._record([manifest.gone_record(case_id, high)], "deleting a case")
            except StoreError:
                self._restore_case(case_id, entry, before, problem)
                raise
            try:
                with contextlib.suppress(FileNotFoundError):
                    syscalls.unlink(self.case_path(case_id))
                syscalls.fsync(self._cases_dir_fd)
            except OSError as exc:
                raise StoreIOError("deleting a case", exc) from exc

    def compact_manifest(self) -> None:
        """Rewrite the manifest as the current state: the records of deleted cases' earlier
        versions (their summaries name the parties) leave the disk with it. A purge calls it
        after deleting; atomic, so a crash leaves the old manifest or the new one."""
        with self._lock:
            self._check_open()
            try:
                self._log.rewrite(self._state)
            except OSError as exc:
                raise StoreIOError("compacting the store manifest", exc) from exc

    def _restore_case(
        self,
        case_id: str,
        entry: CaseState | None,
        before: tuple[int | None, tuple[str, str] | None],
        problem: Problem | None,
    ) -> None:
        subject = manifest.case_subject(case_id)
        gone, quarantined = before
        if entry is not None:
            self._state.cases[case_id] = entry
        if gone is None:
            self._state.gone.pop(case_id, None)
        else:
            self._state.gone[case_id] = gone
        if quarantined is not None:
            self._state.quarantined[subject] = quarantined
        if problem is not None:
            self._problems[subject] = problem

    def summaries(self) -> dict[str, dict[str, Any]]:
        """Every case's summary, from the manifest: no case file is read. A case with a
        problem (see problems()) is listed with its last recorded summary."""
        with self._lock:
            self._check_open()
            # A deep copy, so callers cannot change the manifest by editing what they get.
            return json.loads(dumps({k: e.summary for k, e in self._state.cases.items()}))

    def unreadable_cases(self) -> dict[str, str]:
        """Case ids that cannot be read now (missing, older than the last save, damaged),
        with the reason."""
        with self._lock:
            return {
                problem.case_id: problem.detail
                for problem in self._problems.values()
                if problem.case_id is not None and problem.blocks
            }

    @contextlib.contextmanager
    def batch(self) -> Iterator[str]:
        """Saves inside land together or not at all: an exception undoes them here, and a crash
        (even SIGKILL) before the end is undone when the store next opens."""
        with self._lock:
            self._check_open()
            if self._batch is not None:
                raise StoreError("a batch is already open")
            self._batch, self._batch_cases = secrets.token_hex(8), []
            try:
                yield self._batch
                self._record([manifest.commit_record(self._batch)], "completing the import")
                self._state.committed.add(self._batch)
            except BaseException:
                for case_id in reversed(self._batch_cases):
                    with contextlib.suppress(StoreError, OSError):
                        self.delete_case(case_id)
                raise
            finally:
                self._batch, self._batch_cases = None, []

    # --- problems and the officer's decisions ------------------------------------------------

    def check_everything(self) -> list[Problem]:
        """Read every file through (what opening leaves to first use), so damage anywhere is
        found now: every case, table and journal decrypted and checked. For ``duty-tui doctor``;
        nothing is started again empty here, whatever the table."""
        with self._lock:
            self._check_open()
            for case_id in list(self._state.cases):
                with contextlib.suppress(StoreError):
                    self.load_case(case_id)
            for name in list(self._state.tables):
                with contextlib.suppress(StoreError):
                    self.table(name, critical=True).all()
            for name in list(self._state.journals):
                with contextlib.suppress(StoreError):
                    self.journal(name, critical=True).read()
            return self.problems()

    def problems(self) -> list[Problem]:
        """What is wrong with the files (found at open or since), not yet accepted."""
        with self._lock:
            return sorted(self._problems.values(), key=lambda p: (p.kind.value, p.subject))

    def accept(self, subject: str) -> Problem:
        """The officer's decision on a problem: a missing or damaged file is accepted as lost (a
        case leaves the store; a table starts again empty), an older file is accepted as the
        current version. KeyError if there is no such problem."""
        with self._lock:
            self._check_open()
            return self._accept_locked(subject)

    def _accept_locked(self, subject: str, *, told: bool = False) -> Problem:
        problem = self._problems[subject]
        records: list[bytes] = []
        case_id, table = problem.case_id, problem.table
        if problem.kind is ProblemKind.ROLLED_BACK and case_id is not None:
            entry = self._state.cases[case_id]
            path = self.case_path(case_id)
            opened = self._decrypt(path, case_identity(entry.file))
            if isinstance(opened, str):
                raise CaseUnreadable(case_id, f"its file cannot be read ({opened})")
            counter, record = opened
            updated = self._case_entry(
                entry.file, counter, Fingerprint.of(os.stat(path)), record, entry.high
            )
            if updated is None:
                raise CaseUnreadable(case_id, "its file holds no case")
            self._state.cases[case_id] = updated
            records.append(manifest.case_record(case_id, updated))
        elif table is not None and table in self._state.journals:
            records.append(self._accept_journal(table, problem))
        elif problem.kind is ProblemKind.ROLLED_BACK and table is not None:
            path = self._tables_dir / f"{table}{DB_SUFFIX}"
            counter = self._table_counter(table)
            if isinstance(counter, str):
                raise TableUnreadable(table, f"its file cannot be read ({counter})")
            high = self._state.tables[table].high
            updated_table = TableState(counter, high, Fingerprint.of(os.stat(path)))
            self._state.tables[table] = updated_table
            records.append(manifest.table_record(table, updated_table))
        elif case_id is not None:
            entry = self._state.cases.pop(case_id, None)
            high = entry.high if entry is not None else self._state.gone.get(case_id, 0)
            self._state.gone[case_id] = high
            self._state.quarantined.pop(subject, None)
            records.append(manifest.gone_record(case_id, high))
        elif table is not None:
            old = self._state.tables.get(table)
            high = old.high if old is not None else 0
            emptied = TableState(high, high, None)
            self._state.tables[table] = emptied
            self._state.quarantined.pop(subject, None)
            records.append(manifest.table_record(table, emptied))
        detail = TOLD if told else ACCEPTED
        self._state.notes[subject] = (problem.kind.value, detail)
        self._state.quarantined.pop(subject, None)
        records.append(manifest.note_record(subject, problem.kind.value, detail))
        del self._problems[subject]
        self._record(records, "recording a decision")
        if told:
            # Still reported this session: the officer has to be told what was lost.
            self._problems_told.append(problem)
        return problem

    def _accept_journal(self, name: str, problem: Problem) -> bytes:
        """A journal's loss accepted: an older one becomes the current one as it is; a missing
        or damaged one is forgotten and starts again empty."""
        handle = self._journals.get(name)
        if handle is not None:
            handle.forget()
        subject = manifest.table_subject(name)
        self._state.quarantined.pop(subject, None)
        if problem.kind is ProblemKind.ROLLED_BACK:
            scanned = journal.scan(self._tables_dir / f"{name}{journal.SUFFIX}")
            if scanned is not None:
                current = JournalState(scanned.jid.hex(), scanned.count)
                self._state.journals[name] = current
                return manifest.journal_record(name, current)
        self._state.journals.pop(name, None)
        with contextlib.suppress(FileNotFoundError):
            syscalls.unlink(self._tables_dir / f"{name}{journal.SUFFIX}")
        return manifest.journal_gone_record(name)

    def told(self) -> list[Problem]:
        """Problems the store resolved by itself this session (a table that started again
        empty): the officer must still be told of each."""
        with self._lock:
            return list(self._problems_told)

    @property
    def quarantine_dir(self) -> Path:
        return self._quarantine_dir

    # --- small collections -----------------------------------------------------------------

    def table(self, name: str, *, critical: bool = False) -> TinyDB:
        """An encrypted, durable TinyDB for a small collection; the same instance per name.

        Every write rewrites the whole (small) file atomically before returning. A damaged,
        missing or older file of a ``critical`` table raises TableUnreadable until the officer
        accepts the loss (``accept``); any other table starts again empty, and the loss is
        reported by ``told()``.
        """
        check_name(name, "table name")
        with self._lock:
            self._check_open()
            db = self._tables.get(name)
            if db is None:
                tracked = _TableFile(self, name, critical=critical)
                self._table_files[name] = tracked
                storage = EncryptedStorage(tracked, lock=self._lock, check_open=self._check_open)
                db = LockedTinyDB(storage=lambda: storage)
                self._tables[name] = db
            elif critical:
                self._table_files[name].critical = True
            return db

    def journal(self, name: str, *, critical: bool = False) -> StoreJournal:
        """An encrypted append-only journal (store/journal.py): for a collection that changes a
        little at a time and grows (the referral outbox, the sync log). The same instance per
        name. ``critical`` as for ``table``."""
        check_name(name, "journal name")
        with self._lock:
            self._check_open()
            handle = self._journals.get(name)
            if handle is None:
                handle = StoreJournal(self, name, critical=critical)
                self._journals[name] = handle
            elif critical:
                handle.critical = True
            return handle

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

    def change_passphrase(
        self,
        old: str,
        new: str,
        *,
        kdf: KdfParams | None = None,
        rotate: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """Protect the store with ``new`` (the passphrase policy applies: WeakPassphrase).

        Without ``rotate`` the data key is wrapped again and no data file is rewritten: quick,
        but a copy of the old keyfile with the old passphrase still opens the data. With
        ``rotate`` a new data key is made and every file written again under it (``progress``
        is told ``(done, total)``); the old keyfile then opens nothing. Either way the keyfile
        is the one commit point: interrupted at any instant, the store opens with exactly one
        of the two passphrases, all of it.
        """
        _check_passphrase(old)
        check_new_passphrase(new)
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
            if not hmac.compare_digest(hashlib.sha256(data_key).digest(), self._key_digest):
                raise StoreError("the keyfile on disk is not this store's; nothing was changed")
            if rotate:
                self._rotate(new, params, progress)
                return
            try:
                durable.atomic_write(
                    keyfile,
                    wrap_key(data_key, new, params, generation=self._generation),
                    dir_fd=self._data_dir_fd,
                )
            except OSError as exc:
                raise StoreIOError("writing the keyfile", exc) from exc

    def _rotate(
        self, passphrase: str, params: KdfParams, progress: Callable[[int, int], None] | None
    ) -> None:
        """Every file written again under a new data key into a new folder; then the keyfile
        naming that folder replaces the old one (the commit); then the old data goes."""
        if any(problem.blocks for problem in self._problems.values()):
            raise StoreError(
                "some of the store's files need a decision first (duty-tui doctor); "
                "nothing was changed"
            )
        new_key = os.urandom(KEY_LEN)
        cipher = Cipher(new_key)
        generation = f"gen-{secrets.token_hex(8)}"
        base = self._data_dir / generation
        state = State(
            gone=dict(self._state.gone),
            committed=set(self._state.committed),
            quarantined=dict(self._state.quarantined),
            notes=dict(self._state.notes),
            superseded={*self._state.superseded, self._generation or ""} - {generation},
        )
        total = len(self._state.cases) + len(self._state.tables)
        done = 0
        try:
            durable.make_dir(base)
            # Until the keyfile names this folder, this mark says it is unfinished: removed at
            # the next open if a crash comes first.
            durable.write_new(base / ROTATING, b"")
            durable.fsync_dir(base)
            for directory in (base / CASES_DIR, base / TABLES_DIR):
                durable.make_dir(directory)
            for case_id, entry in self._state.cases.items():
                plaintext = self._plaintext(
                    self._cases_dir / f"{entry.file}{DB_SUFFIX}",
                    case_identity(entry.file),
                    entry.ver,
                    lambda reason, case_id=case_id: CaseUnreadable(case_id, reason),
                )
                name = cipher.name_for(b"case:", case_id)
                sealed = cipher.seal_blob(plaintext, case_identity(name), entry.ver)
                fingerprint = durable.write_new(base / CASES_DIR / f"{name}{DB_SUFFIX}", sealed)
                state.cases[case_id] = attrs.evolve(entry, file=name, fp=fingerprint)
                done += 1
                if progress is not None:
                    progress(done, total)
            for name, table in self._state.tables.items():
                fingerprint = None
                if table.fp is not None:
                    identity = b"table:" + name.encode("ascii")
                    plaintext = self._plaintext(
                        self._tables_dir / f"{name}{DB_SUFFIX}",
                        identity,
                        table.ver,
                        lambda reason, name=name: TableUnreadable(name, reason),
                    )
                    sealed = cipher.seal_blob(plaintext, identity, table.ver)
                    fingerprint = durable.write_new(
                        base / TABLES_DIR / f"{name}{DB_SUFFIX}", sealed
                    )
                state.tables[name] = TableState(table.ver, table.high, fingerprint)
                done += 1
                if progress is not None:
                    progress(done, total)
            for name in list(self._state.journals):
                path = self._tables_dir / f"{name}{journal.SUFFIX}"
                try:
                    _jid, content, _end = journal.read_records(path, self._cipher, name)
                except FileNotFoundError:
                    continue  # an empty journal never written: nothing to carry over
                except journal.JournalCorrupt as exc:
                    raise TableUnreadable(name, f"its journal is damaged ({exc})") from None
                new_jid = os.urandom(journal.JID_LEN)
                durable.write_new(
                    base / TABLES_DIR / f"{name}{journal.SUFFIX}",
                    journal.encode(cipher, name, new_jid, content),
                )
                state.journals[name] = JournalState(new_jid.hex(), len(content))
            records = [manifest.frame(cipher, r) for r in manifest.state_records(state)]
            durable.write_new(base / MANIFEST, b"".join([manifest.HEADER, *records]))
            for directory in (base / CASES_DIR, base / TABLES_DIR, base, self._data_dir):
                durable.fsync_dir(directory)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                durable.remove_tree(base)
            if isinstance(exc, OSError) and not isinstance(exc, StoreError):
                raise StoreIOError("writing the store under its new key", exc) from exc
            raise
        committed: list[bool] = []
        try:
            durable.atomic_write(
                self._data_dir / KEYFILE,
                wrap_key(new_key, passphrase, params, generation=generation),
                dir_fd=self._data_dir_fd,
                after_replace=lambda _fp: committed.append(True),
            )
        except OSError as exc:
            if not committed:
                with contextlib.suppress(OSError):
                    durable.remove_tree(base)
                raise StoreIOError("writing the keyfile", exc) from exc
            # In place, not known to be durable: the new key is the one to use from now on.
            log.warning("the new keyfile's folder could not be synced (%s)", exc.strerror)
        with contextlib.suppress(OSError):
            syscalls.unlink(base / ROTATING)  # or at the next open
        self._log.close()
        for handle in self._journals.values():
            handle.forget()
        self._cipher = cipher
        self._key_digest = hashlib.sha256(new_key).digest()
        self._use_generation(generation)
        self._log.open(manifest.read_log(base / MANIFEST, cipher))
        self._state = state
        self._remove_superseded()

    def _plaintext(
        self,
        path: Path,
        identity: bytes,
        version: int,
        unreadable: Callable[[str], StoreError],
    ) -> bytes:
        """A file's plaintext, checked like any read (present, authentic, the version saved)."""
        blob = durable.read_file(path)
        if blob is None:
            raise unreadable("its file is missing")
        try:
            counter, plaintext = self._cipher.open_blob(blob, identity)
        except Corrupt as exc:
            raise unreadable(f"its file is damaged ({exc})") from None
        if counter != version:
            raise unreadable("its file is older than the last save")
        return plaintext

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
            for handle in self._journals.values():
                handle.forget()
            self._release()

    def _release(self) -> None:
        # Also called on a half-initialised store when opening fails.
        manifest_log: ManifestLog | None = getattr(self, "_log", None)
        if manifest_log is not None:
            manifest_log.close()
        for fd in [*self._fds, *self._place_fds]:
            os.close(fd)
        self._fds.clear()
        self._place_fds.clear()
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


def _make_private(directory: Path) -> None:
    """0700 on a folder of ours; refuse one we cannot make private."""
    st = directory.stat()
    if not stat.S_ISDIR(st.st_mode):
        raise StoreError(f"{directory} is a file, not a folder")
    if st.st_mode & _PRIVATE:
        try:
            os.chmod(directory, durable.DIR_MODE)
        except OSError as exc:
            raise StoreError(
                f"{directory} can be read by other users and its permissions cannot be "
                f"changed ({exc.strerror}); use a folder of your own"
            ) from None

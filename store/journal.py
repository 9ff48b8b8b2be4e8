"""Journals: encrypted, append-only logs for collections that change a little at a time.

A TinyDB table is rewritten whole at every change, which is fine for settings and costly for
the referral outbox, whose every queue, send and answer would rewrite every referral ever queued
(150 ms at 1,000). A journal appends one record per change and fsyncs it: the cost of a change
does not grow with history. Compaction (the caller's, when it decides) rewrites it as the
current state under a new journal id.

File format (``tables/<name>.jnl``)::

    magic "DTYJ" | version 0x01 | journal id (16 random bytes)
    record*: length (u32, big-endian) | nonce (12) | AES-GCM ciphertext+tag

Each record is sealed with associated data ``header + journal id + name + sequence number``,
so records cannot be moved between journals or reordered, and one that is cut short by a crash
is recognised as a torn tail. The store's manifest remembers each journal's id and how many
records it held (store.py), so a journal put back to an older copy, or deleted, is reported.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path
from typing import Any

import attrs

from store import durable
from store.crypto import NONCE_LEN, TAG_LEN, Cipher, Corrupt
from store.durable import syscalls
from store.jsonfast import loads

MAGIC = b"DTYJ" + bytes([1])
JID_LEN = 16
HEADER_LEN = len(MAGIC) + JID_LEN
_LENGTH = struct.Struct(">I")
_SEQ = struct.Struct(">Q")
# The largest record written or read. A record the reader would not take (it stops there, as at
# a record torn by a crash) must never be written: _frame refuses it before anything is.
MAX_RECORD = 64 * 1024 * 1024
SUFFIX = ".jnl"


class JournalCorrupt(Exception):
    """Internal: a journal that is not one of ours, or a record that fails authentication."""


@attrs.frozen
class Scan:
    """What the file holds, without decrypting: its id, its complete records, where they end."""

    jid: bytes
    count: int
    good_end: int
    size: int


def scan(path: Path) -> Scan | None:
    """The journal's id and record count from its length prefixes (no decryption); None if
    there is no file. JournalCorrupt if it has no journal header."""
    data = durable.read_file(path)
    if data is None:
        return None
    if len(data) < HEADER_LEN or data[: len(MAGIC)] != MAGIC:
        raise JournalCorrupt("not a journal")
    jid = data[len(MAGIC) : HEADER_LEN]
    pos, count = HEADER_LEN, 0
    while pos + _LENGTH.size <= len(data):
        (length,) = _LENGTH.unpack_from(data, pos)
        end = pos + _LENGTH.size + length
        if length < NONCE_LEN + TAG_LEN or length > MAX_RECORD or end > len(data):
            break
        count += 1
        pos = end
    return Scan(jid, count, pos, len(data))


def _aad(name: str, jid: bytes, seq: int) -> bytes:
    return MAGIC + jid + name.encode("ascii") + _SEQ.pack(seq)


def _frame(cipher: Cipher, name: str, jid: bytes, seq: int, record: Any) -> bytes:
    plaintext = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    sealed = cipher.seal_record(plaintext, _aad(name, jid, seq))
    if len(sealed) > MAX_RECORD:
        from store.errors import StoreError

        raise StoreError(
            f"one change to {name} is {len(sealed) // 2**20} MB, more than the "
            f"{MAX_RECORD // 2**20} MB a journal record may hold: nothing was written"
        )
    return _LENGTH.pack(len(sealed)) + sealed


def read_records(path: Path, cipher: Cipher, name: str) -> tuple[bytes, list[Any], int]:
    """(journal id, every complete record, offset after the last) decrypted and checked; a
    torn last record is left out. JournalCorrupt if any complete record fails."""
    data = durable.read_file(path)
    if data is None:
        raise FileNotFoundError(path)
    if len(data) < HEADER_LEN or data[: len(MAGIC)] != MAGIC:
        raise JournalCorrupt("not a journal")
    jid = data[len(MAGIC) : HEADER_LEN]
    view = memoryview(data)
    records: list[Any] = []
    pos = HEADER_LEN
    while pos + _LENGTH.size <= len(data):
        (length,) = _LENGTH.unpack_from(data, pos)
        end = pos + _LENGTH.size + length
        if end > len(data):
            break  # torn by a crash mid-append
        if length < NONCE_LEN + TAG_LEN or length > MAX_RECORD:
            raise JournalCorrupt("a record of impossible length")
        try:
            sealed = view[pos + _LENGTH.size : end]
            plaintext = cipher.open_record(sealed, _aad(name, jid, len(records)))
            records.append(loads(plaintext))
        except (Corrupt, ValueError) as exc:
            raise JournalCorrupt(f"record {len(records)} fails authentication") from exc
        pos = end
    return jid, records, pos


def encode(cipher: Cipher, name: str, jid: bytes, records: list[Any]) -> bytes:
    """A whole journal file holding ``records``."""
    return b"".join([MAGIC, jid, *(_frame(cipher, name, jid, n, r) for n, r in enumerate(records))])


class Appender:
    """The open end of one journal: appends whole records and fsyncs them."""

    def __init__(self, path: Path, cipher: Cipher, name: str, jid: bytes, count: int, end: int):
        self.path = path
        self.name = name
        self.jid = jid
        self.count = count
        self._cipher = cipher
        self._end = end
        self._fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC)
        size = os.fstat(self._fd).st_size
        if size > end:
            # A torn tail: cut it off, or every later record would be unreadable after it.
            syscalls.ftruncate(self._fd, end)
            syscalls.fsync(self._fd)

    def append(self, records: list[Any], *, sync: bool = True) -> None:
        """All of ``records`` (durably, with ``sync``), or none (rolled back) and the error
        raised."""
        data = b"".join(
            _frame(self._cipher, self.name, self.jid, self.count + n, r)
            for n, r in enumerate(records)
        )
        try:
            durable.write_all(self._fd, data)
            if sync:
                syscalls.fsync(self._fd)
        except BaseException:
            try:
                syscalls.ftruncate(self._fd, self._end)
            except OSError:
                pass
            raise
        self._end += len(data)
        self.count += len(records)

    def close(self) -> None:
        os.close(self._fd)


# --- the store's side: a journal checked against the manifest -----------------------------------


class StoreJournal:
    """One journal of an open Store (``store.journal(name)``), checked against the manifest.

    ``read()`` returns every record (decrypted, in order); ``append`` adds records durably;
    ``rewrite`` replaces them all (compaction). A journal that is missing, older than the
    manifest says, or damaged raises TableUnreadable while ``critical`` (until the officer
    decides, Store.accept); any other starts again empty and the loss is reported by told().
    All of it under the store's lock.
    """

    def __init__(self, store: Any, name: str, *, critical: bool) -> None:
        from store.manifest import table_subject

        self._store = store
        self.name = name
        self.subject = table_subject(name)
        self.critical = critical
        self._appender: Appender | None = None
        self._records: list[Any] | None = None

    @property
    def path(self) -> Path:
        return self._store._tables_dir / f"{self.name}{SUFFIX}"

    # --- problems --------------------------------------------------------------------------

    def _problem(self, problem: Any) -> None:
        from store.errors import TableUnreadable

        store = self._store
        store._problems[self.subject] = problem
        if self.critical:
            raise TableUnreadable(self.name, problem.detail)
        store._accept_locked(self.subject, told=True)

    def _check(self) -> None:
        problem = self._store._problems.get(self.subject)
        if problem is not None and problem.blocks:
            self._problem(problem)

    # --- reading ---------------------------------------------------------------------------

    def read(self) -> list[Any]:
        """Every record, oldest first (a copy of the list; the records themselves are shared:
        do not change them)."""
        with self._store._lock:
            self._store._check_open()
            if self._records is None:
                self._load()
            assert self._records is not None
            return list(self._records)

    def _load(self) -> None:
        from store import problems as found
        from store.manifest import JournalState

        self._check()
        store = self._store
        entry = store._state.journals.get(self.name)
        try:
            jid, records, end = read_records(self.path, store._cipher, self.name)
        except FileNotFoundError:
            if entry is not None and entry.count:
                self._problem(found.missing(self.subject, entry.count))
            self._records = []
            return
        except JournalCorrupt as exc:
            to = store._quarantine(self.path, self.subject, str(exc))
            self._problem(found.damaged(self.subject, str(exc), to))
            self._records = []
            return
        if entry is not None and not matches(entry, jid, len(records)):
            self._problem(found.older_journal(self.subject, len(records), entry.count))
            entry = store._state.journals.get(self.name)  # accepted as it is, if not critical
        self._records = records
        self._appender = Appender(self.path, store._cipher, self.name, jid, len(records), end)
        if entry is None or entry.jid != jid.hex() or entry.count != len(records):
            self._recorded(JournalState(jid.hex(), len(records)), sync=False)

    # --- writing ---------------------------------------------------------------------------

    def append(self, records: list[Any], *, durable: bool = True) -> None:
        """Add ``records`` durably (one write and one fsync, whatever the journal's size).
        Without ``durable``, no fsync: for records whose loss in a power cut is harmless (a
        line of the sync log); they are on disk with the next fsync or within seconds."""
        from store.errors import StoreIOError
        from store.manifest import JournalState

        if not records:
            return
        with self._store._lock:
            self._store._check_open()
            if self._records is None:
                self._load()
            if self._appender is None:
                self._create([])
            assert self._appender is not None and self._records is not None
            try:
                self._appender.append(records, sync=durable)
            except OSError as exc:
                raise StoreIOError(f"writing {self.name}", exc) from exc
            self._records.extend(records)
            state = JournalState(self._appender.jid.hex(), self._appender.count)
            self._recorded(state, sync=False)

    def rewrite(self, records: list[Any]) -> None:
        """Replace every record by ``records``: compaction. Durable on return; a crash at any
        point leaves the old journal or the new one, and the manifest accepts either."""
        with self._store._lock:
            self._store._check_open()
            if self._records is None:
                self._load()
            self._create(records)

    def _create(self, records: list[Any]) -> None:
        from store.errors import StoreIOError
        from store.manifest import JournalState

        store = self._store
        old = store._state.journals.get(self.name)
        jid = os.urandom(JID_LEN)
        # The manifest hears of the new one first (with the old one as an alternative), so
        # whichever is on disk after a crash is recognised as ours.
        prev = (old.jid, old.count) if old is not None else None
        self._recorded(JournalState(jid.hex(), len(records), prev), sync=True)
        cipher = store._cipher
        data = encode(cipher, self.name, jid, records)
        try:
            durable.atomic_write(self.path, data, dir_fd=store._tables_dir_fd)
        except OSError as exc:
            raise StoreIOError(f"writing {self.name}", exc) from exc
        if self._appender is not None:
            self._appender.close()
        self._appender = Appender(self.path, cipher, self.name, jid, len(records), len(data))
        self._records = list(records)
        self._recorded(JournalState(jid.hex(), len(records)), sync=False)

    def _recorded(self, state: Any, *, sync: bool) -> None:
        from store.errors import StoreIOError
        from store.manifest import journal_record

        store = self._store
        store._state.journals[self.name] = state
        store._state.quarantined.pop(self.subject, None)
        store._problems.pop(self.subject, None)
        try:
            store._log.append([journal_record(self.name, state)], store._state, sync=sync)
        except OSError as exc:
            if sync:
                raise StoreIOError(f"writing {self.name}", exc) from exc
            # A lagging count is tolerated: the next record or open brings it up to date.
            store._log.needs_rewrite = True
            return
        store._compact_if_due()

    def forget(self) -> None:
        """Drop what is held in memory (the store was re-keyed or closed)."""
        if self._appender is not None:
            self._appender.close()
        self._appender = None
        self._records = None


def matches(entry: Any, jid: bytes, count: int) -> bool:
    """Is a journal with this id and count the one the manifest knows (or one step ahead of a
    record a crash cut off, or the old one of an interrupted compaction)?"""
    if entry.jid == jid.hex():
        return count >= entry.count
    return entry.prev is not None and entry.prev[0] == jid.hex() and count >= entry.prev[1]

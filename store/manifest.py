"""The manifest: every file of the store, its version and fingerprint, in an append-only log.

It is what lets the store notice a file that went missing, went back to an older version or
came from somewhere else, instead of quietly re-reading whatever is on disk. Each record is
encrypted and authenticated on its own under the data key, so it can neither be read nor forged
without the passphrase.

File format (``manifest.log``)::

    magic "DTYM" | version 0x01
    record*: length (u32, big-endian) | nonce (12) | AES-GCM ciphertext+tag

Record plaintext is JSON, one of:

- ``{"k": "case", "id", "file", "ver", "fp", "summary", "batch"?}``: a case saved;
- ``{"k": "gone", "id", "ver"}``: a case deleted (kept as a tombstone: a deleted case's file
  that comes back is recognised);
- ``{"k": "table", "name", "ver", "fp"}``: a table written (``fp`` null: no file expected);
- ``{"k": "commit", "batch"}``: a batch of case saves (an import) is complete;
- ``{"k": "quarantine", "subject", "to", "reason"}``: a damaged file moved aside;
- ``{"k": "note", "subject", "kind", "detail"}``: a problem the officer has accepted;
- ``{"k": "superseded", "generation"}``: a data folder a key rotation replaced;
- ``{"k": "journal", "name", "jid", "count", "prev"?}``: a journal's id and record count.

A record is appended after the file it describes is durably in place (see store.py): the
manifest may lag a file by one save after a crash, never lead it. The last record for a subject
wins. Compaction rewrites the current state, one record per subject.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from store import durable
from store.crypto import NONCE_LEN, TAG_LEN, Cipher, Corrupt
from store.durable import Fingerprint, syscalls

HEADER = b"DTYM" + bytes([1])
RECORD_AAD = HEADER + b"manifest"
_LENGTH = struct.Struct(">I")
MAX_RECORD = 16 * 1024 * 1024
COMPACT_MIN_RECORDS = 64


@attrs.define
class CaseState:
    """``ver``: the version expected on disk; ``high``: the highest ever written (the next save
    is ``high + 1``, so a version number is never used twice for one file)."""

    file: str
    ver: int
    high: int
    fp: Fingerprint | None
    summary: dict[str, Any]
    batch: str | None = None


@attrs.define
class TableState:
    ver: int
    high: int
    fp: Fingerprint | None  # None: no file expected (never written, or accepted as lost)


@attrs.define
class JournalState:
    """A journal's id and how many records it held when last written; while a compaction is
    under way, also the id and count of the one it replaces (either may be on disk after a
    crash)."""

    jid: str
    count: int
    prev: tuple[str, int] | None = None


@attrs.define
class State:
    """What the manifest says now."""

    cases: dict[str, CaseState] = attrs.Factory(dict)
    gone: dict[str, int] = attrs.Factory(dict)  # deleted case id -> last version
    tables: dict[str, TableState] = attrs.Factory(dict)
    committed: set[str] = attrs.Factory(set)
    # subject -> (quarantine file name, reason); cleared when the subject is written again.
    quarantined: dict[str, tuple[str, str]] = attrs.Factory(dict)
    # subject -> (kind, detail) of problems the officer has been told of and accepted.
    notes: dict[str, tuple[str, str]] = attrs.Factory(dict)
    # Data folders a key rotation replaced ("" is the data dir itself): removed when found.
    superseded: set[str] = attrs.Factory(set)
    journals: dict[str, JournalState] = attrs.Factory(dict)

    def apply(self, record: dict[str, Any]) -> None:
        kind = record["k"]
        if kind == "case":
            case_id = _text(record["id"])
            fp = Fingerprint.from_list(record["fp"]) if record["fp"] is not None else None
            summary = record["summary"]
            if not isinstance(summary, dict):
                raise ValueError("summary")
            ver = _int(record["ver"])
            self.cases[case_id] = CaseState(
                _text(record["file"]),
                ver,
                _int(record.get("high", ver)),
                fp,
                summary,
                record.get("batch"),
            )
            self.gone.pop(case_id, None)
            self.quarantined.pop(case_subject(case_id), None)
        elif kind == "gone":
            case_id = _text(record["id"])
            self.cases.pop(case_id, None)
            self.gone[case_id] = _int(record["ver"])
            self.quarantined.pop(case_subject(case_id), None)
        elif kind == "table":
            name = _text(record["name"])
            fp = Fingerprint.from_list(record["fp"]) if record["fp"] is not None else None
            ver = _int(record["ver"])
            self.tables[name] = TableState(ver, _int(record.get("high", ver)), fp)
            self.quarantined.pop(table_subject(name), None)
        elif kind == "commit":
            self.committed.add(_text(record["batch"]))
        elif kind == "quarantine":
            self.quarantined[_text(record["subject"])] = (
                _text(record["to"]),
                _text(record["reason"]),
            )
        elif kind == "journal":
            name = _text(record["name"])
            prev = record.get("prev")
            self.journals[name] = JournalState(
                _text(record["jid"]),
                _int(record["count"]),
                (_text(prev[0]), _int(prev[1])) if prev else None,
            )
            self.quarantined.pop(table_subject(name), None)
        elif kind == "journal_gone":
            self.journals.pop(_text(record["name"]), None)
        elif kind == "superseded":
            self.superseded.add(_text(record["generation"]))
        elif kind == "note":
            subject, detail = _text(record["subject"]), _text(record["detail"])
            self.notes[subject] = (_text(record["kind"]), detail)
            if detail in ("accepted", "told"):
                self.quarantined.pop(subject, None)
        else:
            raise ValueError(f"unknown record kind {kind!r}")


def case_subject(case_id: str) -> str:
    return f"case:{case_id}"


def table_subject(name: str) -> str:
    return f"table:{name}"


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError("expected a count")
    return value


def _fp(fp: Fingerprint | None) -> list[int] | None:
    return fp.to_list() if fp is not None else None


def case_record(case_id: str, state: CaseState, *, summary_json: str | None = None) -> bytes:
    # summary_json is spliced in already serialised when the caller has it.
    summary = summary_json if summary_json is not None else _dumps(state.summary)
    head: dict[str, Any] = {
        "k": "case",
        "id": case_id,
        "file": state.file,
        "ver": state.ver,
        "high": state.high,
        "fp": _fp(state.fp),
    }
    if state.batch is not None:
        head["batch"] = state.batch
    return (_dumps(head)[:-1] + f',"summary":{summary}}}').encode("utf-8")


def gone_record(case_id: str, ver: int) -> bytes:
    return _dumps({"k": "gone", "id": case_id, "ver": ver}).encode("utf-8")


def table_record(name: str, state: TableState) -> bytes:
    record = {"k": "table", "name": name, "ver": state.ver, "high": state.high, "fp": _fp(state.fp)}
    return _dumps(record).encode("utf-8")


def commit_record(batch: str) -> bytes:
    return _dumps({"k": "commit", "batch": batch}).encode("utf-8")


def quarantine_record(subject: str, to: str, reason: str) -> bytes:
    return _dumps({"k": "quarantine", "subject": subject, "to": to, "reason": reason}).encode()


def note_record(subject: str, kind: str, detail: str) -> bytes:
    return _dumps({"k": "note", "subject": subject, "kind": kind, "detail": detail}).encode()


def journal_record(name: str, state: JournalState) -> bytes:
    record: dict[str, Any] = {"k": "journal", "name": name, "jid": state.jid, "count": state.count}
    if state.prev is not None:
        record["prev"] = list(state.prev)
    return _dumps(record).encode("utf-8")


def journal_gone_record(name: str) -> bytes:
    return _dumps({"k": "journal_gone", "name": name}).encode("utf-8")


def superseded_record(generation: str) -> bytes:
    return _dumps({"k": "superseded", "generation": generation}).encode("utf-8")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def state_records(state: State) -> list[bytes]:
    """The whole state as records, for a compacted log. A committed batch's tag is dropped (the
    case is simply there); one still open keeps its tag, so a crash still undoes it."""
    records = [
        case_record(
            case_id,
            attrs.evolve(entry, batch=None) if entry.batch in state.committed else entry,
        )
        for case_id, entry in state.cases.items()
    ]
    records += [gone_record(case_id, ver) for case_id, ver in state.gone.items()]
    records += [table_record(name, entry) for name, entry in state.tables.items()]
    records += [
        quarantine_record(subject, to, reason)
        for subject, (to, reason) in state.quarantined.items()
    ]
    records += [
        note_record(subject, kind, detail) for subject, (kind, detail) in state.notes.items()
    ]
    records += [superseded_record(generation) for generation in sorted(state.superseded)]
    records += [journal_record(name, entry) for name, entry in state.journals.items()]
    return records


def frame(cipher: Cipher, plaintext: bytes) -> bytes:
    sealed = cipher.seal_record(plaintext, RECORD_AAD)
    return _LENGTH.pack(len(sealed)) + sealed


@attrs.define
class LogContents:
    state: State
    records: int
    good_end: int  # just past the last good record: anything after is a torn or bad tail
    file_size: int
    found: bool  # a manifest with our header was there
    damaged_at: int | None = None  # index of the first record that failed, if not at the end


def read_log(path: Path, cipher: Cipher) -> LogContents:
    data = durable.read_file(path)
    if data is None or data[: len(HEADER)] != HEADER:
        size = 0 if data is None else len(data)
        return LogContents(State(), 0, 0, size, found=False)
    state = State()
    records = 0
    pos = len(HEADER)
    view = memoryview(data)
    damaged_at: int | None = None
    while pos < len(data):
        if pos + _LENGTH.size > len(data):
            break  # a length cut short: a torn append
        (length,) = _LENGTH.unpack_from(data, pos)
        end = pos + _LENGTH.size + length
        if end > len(data):
            break  # a record cut short: a torn append (a crash), not damage
        try:
            if length < NONCE_LEN + TAG_LEN or length > MAX_RECORD:
                raise ValueError("impossible length")
            record = json.loads(cipher.open_record(view[pos + _LENGTH.size : end], RECORD_AAD))
            if not isinstance(record, dict):
                raise ValueError("not a record")
            state.apply(record)
        except (Corrupt, ValueError, KeyError, TypeError):
            damaged_at = records
            break
        records += 1
        pos = end
    return LogContents(state, records, pos, len(data), found=True, damaged_at=damaged_at)


class ManifestLog:
    """The open log: appends (fsynced), torn-tail cut, compaction by atomic rewrite."""

    def __init__(self, path: Path, cipher: Cipher, dir_fd: int) -> None:
        self._path = path
        self._cipher = cipher
        self._dir_fd = dir_fd
        self._fd: int | None = None
        self._end = 0
        self.records = 0
        self.needs_rewrite = False

    def open(self, contents: LogContents) -> None:
        if not contents.found:
            self.needs_rewrite = True
            return
        fd = os.open(self._path, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC)
        self._fd = fd
        self._end = contents.good_end
        self.records = contents.records
        if contents.file_size > contents.good_end:
            try:
                syscalls.ftruncate(fd, contents.good_end)
                syscalls.fsync(fd)
            except OSError:
                self.needs_rewrite = True

    def append(self, plaintexts: Iterable[bytes], state: State, *, sync: bool = True) -> None:
        """Append records and fsync (``sync``); on error roll back and raise. Without
        ``sync`` only for records whose loss in a power cut is harmless (a journal's count:
        the manifest then lags the journal, which it tolerates, and never leads it)."""
        if self.needs_rewrite or self._fd is None:
            self.rewrite(state)
            return  # the rewrite holds the state, these records included
        batch = [frame(self._cipher, p) for p in plaintexts]
        if not batch:
            return
        data = b"".join(batch)
        try:
            durable.write_all(self._fd, data)
            if sync:
                syscalls.fsync(self._fd)
        except BaseException:
            try:
                syscalls.ftruncate(self._fd, self._end)
            except OSError:
                self.needs_rewrite = True
            raise
        self._end += len(data)
        self.records += len(batch)

    def should_compact(self, subjects: int) -> bool:
        return self.records > max(2 * subjects, COMPACT_MIN_RECORDS)

    def rewrite(self, state: State) -> None:
        parts = [HEADER, *(frame(self._cipher, record) for record in state_records(state))]
        data = b"".join(parts)

        def retire_old_log(_fingerprint: Fingerprint) -> None:
            self.close()
            self.needs_rewrite = True

        durable.atomic_write(self._path, data, dir_fd=self._dir_fd, before_replace=retire_old_log)
        self._fd = os.open(self._path, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC)
        self._end = len(data)
        self.records = len(parts) - 1
        self.needs_rewrite = False

    def close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)


def subjects(state: State) -> int:
    return (
        len(state.cases)
        + len(state.gone)
        + len(state.tables)
        + len(state.quarantined)
        + len(state.journals)
    )

"""The index: an append-only log of case summaries, each record encrypted on its own.

Saving a case appends one small record instead of rewriting a file that grows with the number
of cases, so a save costs the same at 10 or 10,000 cases. The log is only a cache of what the
case files hold: each record carries the fingerprint of the case file it describes, and on open
the store compares fingerprints with the files and re-reads any case the log is wrong about.
So a lost, torn or corrupt record costs a decrypt at the next open, never a case.

File format::

    magic "DTYI" | version 0x01
    record*: length (u32, big-endian) | nonce (12) | AES-GCM ciphertext+tag

Record plaintext is JSON: {"id": ..., "fp": [ino, size, mtime_ns], "summary": {...}} for a
saved case, {"id": ..., "deleted": true} for a deleted one. Associated data: header + b"index".
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from store import durable
from store.crypto import NONCE_LEN, TAG_LEN, Cipher, Corrupt
from store.durable import Fingerprint, syscalls

HEADER = b"DTYI" + bytes([1])
RECORD_AAD = HEADER + b"index"
_LENGTH = struct.Struct(">I")
# A summary is a few hundred bytes; a length beyond this is a torn or damaged record.
MAX_RECORD = 16 * 1024 * 1024
# Below this many records compaction is not worth a rewrite even at a low live ratio.
COMPACT_MIN_RECORDS = 64


@attrs.frozen
class Entry:
    fingerprint: Fingerprint
    summary: dict[str, Any]


@attrs.frozen
class LogContents:
    entries: dict[str, Entry]
    records: int
    # Offset just past the last good record. Anything after it is a torn tail.
    good_end: int
    file_size: int
    header_ok: bool


def put_record(case_id: str, fingerprint: Fingerprint, summary_json: str) -> bytes:
    # summary_json is spliced in already serialized: the caller needed it serialized anyway.
    return (
        f'{{"id":{json.dumps(case_id)},"fp":{json.dumps(fingerprint.to_list())},'
        f'"summary":{summary_json}}}'
    ).encode()


def delete_record(case_id: str) -> bytes:
    return json.dumps({"id": case_id, "deleted": True}).encode("utf-8")


def frame(cipher: Cipher, plaintext: bytes) -> bytes:
    sealed = cipher.seal_record(plaintext, RECORD_AAD)
    return _LENGTH.pack(len(sealed)) + sealed


def read_log(path: Path, cipher: Cipher) -> LogContents:
    data = durable.read_file(path)
    if data is None or data[: len(HEADER)] != HEADER:
        return LogContents({}, 0, 0, 0 if data is None else len(data), header_ok=False)
    entries: dict[str, Entry] = {}
    records = 0
    pos = len(HEADER)
    view = memoryview(data)
    while pos + _LENGTH.size <= len(data):
        (length,) = _LENGTH.unpack_from(data, pos)
        end = pos + _LENGTH.size + length
        if length < NONCE_LEN + TAG_LEN or length > MAX_RECORD or end > len(data):
            break
        try:
            plaintext = cipher.open_record(view[pos + _LENGTH.size : end], RECORD_AAD)
            record = json.loads(plaintext)
            case_id = record["id"]
            if not isinstance(case_id, str):
                break
            if record.get("deleted") is True:
                entries.pop(case_id, None)
            else:
                fingerprint = Fingerprint.from_list(record["fp"])
                summary = record["summary"]
                if fingerprint is None or not isinstance(summary, dict):
                    break
                entries[case_id] = Entry(fingerprint, summary)
        except (Corrupt, ValueError, KeyError, TypeError):
            break
        records += 1
        pos = end
    return LogContents(entries, records, pos, len(data), header_ok=True)


class IndexLog:
    """The open log: appends, truncation of a torn tail, and compaction by atomic rewrite."""

    def __init__(self, path: Path, cipher: Cipher, dir_fd: int) -> None:
        self._path = path
        self._cipher = cipher
        self._dir_fd = dir_fd
        self._fd: int | None = None
        self._end = 0
        self.records = 0
        # Set when a failed append could not be rolled back: the next write rewrites the log
        # rather than appending after bytes of unknown state.
        self.needs_rewrite = False

    def open(self, contents: LogContents) -> None:
        """Start appending after the last good record, repairing the file if needed.

        A missing or foreign log is not touched here; ``needs_rewrite`` tells the caller to
        write a fresh one.
        """
        if not contents.header_ok:
            self.needs_rewrite = True
            return
        fd = os.open(self._path, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC)
        self._fd = fd
        self._end = contents.good_end
        self.records = contents.records
        if contents.file_size > contents.good_end:
            # A torn tail from a crash mid-append (or damage): appending after it would hide
            # every later record from the reader, so cut it off.
            try:
                syscalls.ftruncate(fd, contents.good_end)
                syscalls.fsync(fd)
            except OSError:
                self.needs_rewrite = True

    def append(self, plaintexts: Iterable[bytes], live: Mapping[str, Entry]) -> None:
        """Append records and fsync. On error the log is rolled back and the error raised."""
        if self.needs_rewrite or self._fd is None:
            self.rewrite(live)
        if self._fd is None:
            raise RuntimeError("index log is not open")
        batch = [frame(self._cipher, p) for p in plaintexts]
        if not batch:
            return
        data = b"".join(batch)
        try:
            durable.write_all(self._fd, data)
            syscalls.fsync(self._fd)
        except BaseException:
            try:
                syscalls.ftruncate(self._fd, self._end)
            except OSError:
                self.needs_rewrite = True
            raise
        self._end += len(data)
        self.records += len(batch)

    def should_compact(self, live_count: int) -> bool:
        return self.records > max(2 * live_count, COMPACT_MIN_RECORDS)

    def rewrite(self, live: Mapping[str, Entry]) -> None:
        """Replace the log by one record per live case, atomically."""
        parts = [HEADER]
        for case_id, entry in live.items():
            summary_json = json.dumps(entry.summary, ensure_ascii=False, separators=(",", ":"))
            parts.append(frame(self._cipher, put_record(case_id, entry.fingerprint, summary_json)))
        data = b"".join(parts)

        def retire_old_log(_fingerprint: Fingerprint) -> None:
            # Past this point our descriptor may point at a replaced file: until the new one is
            # open, the next append must rewrite again rather than write into the old inode.
            # A failure before it leaves the old log in use, untouched.
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

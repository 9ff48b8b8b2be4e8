"""What the store raises. Every message names a data dir, a file or a table, never a case id
(which an import may have made of names) nor any content, so any of these is safe to show to the
officer and to write to a log."""

from __future__ import annotations

import os


class StoreError(Exception):
    """Base of everything the store raises on purpose."""


class StoreNotFound(StoreError):
    """No store in this data dir (no keyfile)."""


class StoreInUse(StoreError):
    """Another Store (this process or another) has the data dir open."""


class WrongPassphrase(StoreError):
    """The passphrase does not unwrap the data key. Nothing on disk was touched."""


class InvalidName(StoreError, ValueError):
    """A case id or table name that could not safely become a file name."""


class CaseNotFound(StoreError, LookupError):
    def __init__(self, case_id: str) -> None:
        super().__init__("no such case in the store")
        self.case_id = case_id


class CaseUnreadable(StoreError):
    """A case that cannot be read: its file is missing, older than the last save, damaged
    (moved to quarantine) or not this case's. Other cases are unaffected.

    The message does not name the case: an id from an import file may be made of names. The
    caller names it by its case number (``case_id`` is kept for that).
    """

    def __init__(self, case_id: str, reason: str = "its file is damaged") -> None:
        super().__init__(f"a case cannot be read: {reason}")
        self.case_id = case_id
        self.reason = reason


class TableUnreadable(StoreError):
    def __init__(self, name: str, reason: str = "its file is damaged") -> None:
        super().__init__(f"table {name!r} cannot be read: {reason}")
        self.name = name
        self.reason = reason


class StoreIOError(StoreError, OSError):
    """A disk error (ENOSPC, EIO, ...) during a write. ``errno`` is the original one.

    The operation did not complete; the store is still consistent (the previous version of what
    was being written is still there, or, if the error came after the atomic rename, the new one).
    """

    def __init__(self, what: str, cause: OSError) -> None:
        strerror = cause.strerror or os.strerror(cause.errno or 0)
        super().__init__(cause.errno, f"{what}: {strerror}")
        self.what = what

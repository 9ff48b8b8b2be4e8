"""What the store raises. Every message names a data dir, file or case id, never case content,
so any of these is safe to show to the officer and to write to a log."""

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
        super().__init__(f"no case {case_id!r} in the store")
        self.case_id = case_id


class CaseUnreadable(StoreError):
    """A case file that fails authentication: tampered, truncated or from another case/store.

    The file is left exactly as it is, for recovery; other cases are unaffected.
    """

    def __init__(self, case_id: str, reason: str = "damaged or tampered with") -> None:
        super().__init__(f"case {case_id!r} cannot be read: its file is {reason}")
        self.case_id = case_id
        self.reason = reason


class TableUnreadable(StoreError):
    def __init__(self, name: str, reason: str = "damaged or tampered with") -> None:
        super().__init__(f"table {name!r} cannot be read: its file is {reason}")
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

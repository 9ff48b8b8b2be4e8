"""What the store found wrong with its files, in words an officer can act on.

A problem names its subject (a case by id, a table by name, the manifest) and says what happened
to the file, never what the file holds. The app and ``duty-tui doctor`` turn a case id into its
case number for the officer.
"""

from __future__ import annotations

from enum import StrEnum

import attrs


class ProblemKind(StrEnum):
    MISSING = "missing"  # the manifest lists the file; it is not there
    ROLLED_BACK = "rolled back"  # the file is an older version than the last one saved
    DAMAGED = "damaged"  # the file fails authentication; moved to quarantine
    REAPPEARED = "reappeared"  # the file of a deleted case came back; moved to quarantine
    STRAY = "stray"  # a file this store did not write; moved to quarantine
    MANIFEST = "manifest"  # the manifest itself was missing or damaged


@attrs.frozen
class Problem:
    subject: str  # "case:<id>", "table:<name>", "manifest", "file:<name>"
    kind: ProblemKind
    detail: str  # plain words about the file (versions, where it was moved), no content
    quarantined_to: str = ""  # file name in the quarantine folder, if moved there

    @property
    def case_id(self) -> str | None:
        return self.subject.removeprefix("case:") if self.subject.startswith("case:") else None

    @property
    def table(self) -> str | None:
        return self.subject.removeprefix("table:") if self.subject.startswith("table:") else None

    @property
    def blocks(self) -> bool:
        """The subject cannot be read until the officer decides (``Store.accept``)."""
        return self.kind in (ProblemKind.MISSING, ProblemKind.ROLLED_BACK, ProblemKind.DAMAGED)

    def sentence(self) -> str:
        """What happened, as the end of a sentence: "<what>: <sentence>"."""
        return self.detail


def missing(subject: str, ver: int) -> Problem:
    return Problem(
        subject,
        ProblemKind.MISSING,
        f"its file is missing (the last save was version {ver})",
    )


def rolled_back(subject: str, on_disk: int, saved: int) -> Problem:
    return Problem(
        subject,
        ProblemKind.ROLLED_BACK,
        f"its file is older than the last save (version {on_disk} on disk; "
        f"version {saved} was saved)",
    )


def older_journal(subject: str, on_disk: int, written: int) -> Problem:
    return Problem(
        subject,
        ProblemKind.ROLLED_BACK,
        f"its file is older than the last save (an earlier copy: {on_disk} changes on disk, "
        f"{written} were written)",
    )


def damaged(subject: str, reason: str, to: str) -> Problem:
    return Problem(
        subject,
        ProblemKind.DAMAGED,
        f"its file is damaged ({reason}); it was moved to quarantine/{to}",
        to,
    )


def reappeared(subject: str, to: str) -> Problem:
    return Problem(
        subject,
        ProblemKind.REAPPEARED,
        f"the file of this deleted case came back; it was moved to quarantine/{to}",
        to,
    )


def stray(name: str, to: str) -> Problem:
    return Problem(
        f"file:{name}",
        ProblemKind.STRAY,
        f"a file this store did not write was found; it was moved to quarantine/{to}",
        to,
    )


def other_key(folder: str) -> Problem:
    return Problem(
        f"file:{folder}",
        ProblemKind.STRAY,
        f"a folder of this store's data under another key was found ({folder}); it was left "
        "untouched: if the keyfile was put back from an older copy, put the newer one back",
    )


def manifest_lost(why: str) -> Problem:
    return Problem(
        "manifest",
        ProblemKind.MANIFEST,
        f"the manifest was {why}; it was rebuilt from the files, so a file deleted or put "
        "back to an older version before now cannot be detected",
    )

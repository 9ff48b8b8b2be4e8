"""The audit trail: who did what to which case, and when, kept in the store.

Every entry is a record of the store's encrypted, append-only ``audit`` journal (store/journal.py):
the journal already refuses an edited record, one moved or reordered, and the manifest reports a
journal cut short or put back to an older copy. On top of that each entry carries the SHA-256
of the one before it, so the trail checks itself when printed (``duty-tui audit``) even after
compaction or a copy made elsewhere, and a gap or swap is named by its position.

What an entry holds is deliberately thin: the action, the case's id and number, and for an edit
the *names* of the fields that changed, never their values: the trail says that the officer
changed a child's date of birth, not what it became (the case file holds that, encrypted).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import attrs

from duty_tui.i18n import N_, _

if TYPE_CHECKING:
    from records.model import Case
    from store import Store

AUDIT_JOURNAL = "audit"
GENESIS = "0" * 64

# What can happen, as the trail names it: stored in English (the trail's own words, whatever
# language wrote it), shown in the officer's (AuditEntry.line).
ACTIONS = (
    N_("case created"),
    N_("case edited"),
    N_("referral queued"),
    N_("referral amended"),
    N_("referral withdrawn"),
    # Issue 13, item 10: the court directed an activity against the rules' advice.
    N_("court override recorded"),
    N_("court override withdrawn"),
    N_("sync"),
    N_("unlocked"),
    N_("locked"),
    N_("imported"),
    N_("exported"),
    N_("purged"),
)


@attrs.frozen
class AuditEntry:
    at: str  # ISO 8601, UTC
    who: str
    action: str
    case_id: str | None = None
    case_number: str | None = None
    detail: tuple[str, ...] = ()
    prev: str = GENESIS

    def to_record(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "who": self.who,
            "action": self.action,
            "case_id": self.case_id,
            "case_number": self.case_number,
            "detail": list(self.detail),
            "prev": self.prev,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> AuditEntry:
        return cls(
            at=str(record.get("at", "")),
            who=str(record.get("who", "")),
            action=str(record.get("action", "")),
            case_id=record.get("case_id"),
            case_number=record.get("case_number"),
            detail=tuple(str(d) for d in record.get("detail", ())),
            prev=str(record.get("prev", "")),
        )

    def line(self) -> str:
        """One line for a person: when, who, what, which case, which fields; the action in
        the officer's language (the fields are the record's own paths, not words)."""
        action = _(self.action) if self.action in ACTIONS else self.action
        parts = [self.at, self.who, action]
        if self.case_number:
            parts.append(self.case_number)
        text = "  ".join(parts)
        if self.detail:
            text += ": " + ", ".join(self.detail)
        return text


def digest(record: dict[str, Any]) -> str:
    """The SHA-256 of an entry as stored (canonical JSON): the next entry's ``prev``."""
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def chain_breaks(records: Iterable[dict[str, Any]]) -> list[int]:
    """Positions (1-based) of entries whose ``prev`` is not the digest of the entry before."""
    breaks: list[int] = []
    prev = GENESIS
    for position, record in enumerate(records, start=1):
        if record.get("prev") != prev:
            breaks.append(position)
        prev = digest(record)
    return breaks


def changed_fields(old: Case | None, new: Case) -> list[str]:
    """The names (paths) of the fields that differ between two versions of a case: values are
    compared, never returned. ``parties[1].postcode``, ``hearing.date``, ``directions``."""
    if old is None:
        return []
    return sorted(_diff(attrs.asdict(old, recurse=True), attrs.asdict(new, recurse=True), ""))


def _diff(old: Any, new: Any, path: str) -> set[str]:
    if old == new:
        return set()
    if isinstance(old, dict) and isinstance(new, dict):
        found: set[str] = set()
        for key in old.keys() | new.keys():
            found |= _diff(old.get(key), new.get(key), f"{path}.{key}" if path else str(key))
        return found
    if isinstance(old, list | tuple) and isinstance(new, list | tuple) and len(old) == len(new):
        found = set()
        for n, (a, b) in enumerate(zip(old, new, strict=True)):
            found |= _diff(a, b, f"{path}[{n}]")
        return found
    return {path or "case"}


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


class AuditLog:
    """The store's audit trail: append entries, read them back, check the chain."""

    def __init__(self, store: Store, who: str, *, clock: Callable[[], str] = _now) -> None:
        self._journal = store.journal(AUDIT_JOURNAL)
        self.who = who
        self._clock = clock
        # Reading the chain's last entry and appending after it is one step: the sync records
        # its entries from a thread while the officer's edits record theirs from the app, and
        # two appends after the same entry would break the chain.
        self._lock = threading.Lock()

    def record(
        self,
        action: str,
        *,
        case_id: str | None = None,
        case_number: str | None = None,
        detail: Iterable[str] = (),
        durable: bool = True,
    ) -> None:
        """Append one entry. ``durable=False`` for frequent ones (an edit): written at once,
        on disk for certain with the next fsync."""
        self.record_many([(action, case_id, case_number, tuple(detail))], durable=durable)

    def record_many(
        self,
        items: Iterable[tuple[str, str | None, str | None, Iterable[str]]],
        *,
        durable: bool = True,
    ) -> None:
        """Append several entries (action, case id, case number, detail) in one write and one
        fsync: a sync that changed a thousand cases records a thousand entries."""
        wanted = [(action, cid, number, tuple(detail)) for action, cid, number, detail in items]
        for action, *_rest in wanted:
            if action not in ACTIONS:
                raise ValueError(_("unknown audit action {action!r}").format(action=action))
        if not wanted:
            return
        with self._lock:
            records = self._journal.read()
            prev = digest(records[-1]) if records else GENESIS
            new: list[dict[str, Any]] = []
            for action, case_id, case_number, detail in wanted:
                entry = AuditEntry(
                    at=self._clock(),
                    who=self.who,
                    action=action,
                    case_id=case_id,
                    case_number=case_number,
                    detail=detail,
                    prev=prev,
                )
                record = entry.to_record()
                new.append(record)
                prev = digest(record)
            self._journal.append(new, durable=durable)

    def entries(self, case_id: str | None = None) -> list[AuditEntry]:
        entries = [AuditEntry.from_record(r) for r in self._journal.read()]
        if case_id is None:
            return entries
        return [e for e in entries if e.case_id == case_id]

    def breaks(self) -> list[int]:
        """Where the chain is broken (1-based positions); empty when it holds."""
        return chain_breaks(self._journal.read())

"""The referral outbox: queued referrals, frozen until central records acknowledge them.

One entry per key (referral id, revision) in ``store.table("outbox")``. An entry moves

    queued -> sent -> acknowledged
    queued | sent -> rejected          (terminal, with the reason)

and ``sent`` may be sent again (and again) until central answers: central is idempotent on the
key, so resending is always safe, and a crash between "central committed" and "we wrote down
the receipt" costs one resend, never a duplicate.

Queued means frozen: the content (payload, note, supersedes, action), its sha256 and its key
never change; ``enqueue`` refuses to overwrite a key with different content. An amendment or a
withdrawal is a new revision that names the one it replaces. Nothing is deleted before it is
acknowledged (``compact`` only drops the payload of acknowledged entries).

Every method that changes state does it in one TinyDB write, which the store makes durable
before returning, so an entry is never half-updated. The sync log (``store.table("sync_log")``)
is append-only and written after the outbox: the outbox is the truth, the log is the story.

The outbox knows nothing of the domain: a payload is an opaque JSON object.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs
from tinydb import TinyDB

from duty_tui.services.referral_payload import ACTIONS, content_of, content_sha256
from store.errors import StoreError

OUTBOX_TABLE = "outbox"
LOG_TABLE = "sync_log"

QUEUED = "queued"
SENT = "sent"
ACKNOWLEDGED = "acknowledged"
REJECTED = "rejected"
STATES = (QUEUED, SENT, ACKNOWLEDGED, REJECTED)
PENDING = (QUEUED, SENT)
TERMINAL = (ACKNOWLEDGED, REJECTED)

# Which state may follow which; anything else is a bug and refused.
_ALLOWED: dict[str, tuple[str, ...]] = {
    QUEUED: (SENT, REJECTED),
    SENT: (SENT, ACKNOWLEDGED, REJECTED),
    ACKNOWLEDGED: (),
    REJECTED: (),
}

Key = tuple[str, int]


class OutboxError(StoreError):
    """A change the outbox refuses (the message names the key, never the content)."""


@attrs.frozen
class OutboxEntry:
    referral_id: str
    revision: int
    case_id: str
    action: str
    note: str
    supersedes: int | None
    payload: dict[str, Any] | None
    sha256: str
    state: str
    receipt: str = ""
    reason: str = ""
    central_status: str = ""
    attempts: int = 0
    next_attempt_at: float = 0.0
    created_at: float = 0.0
    updated_at: float = 0.0
    sent_at: float | None = None
    acknowledged_at: float | None = None
    seq: int = 0

    @property
    def key(self) -> Key:
        return (self.referral_id, self.revision)

    @property
    def pending(self) -> bool:
        return self.state in PENDING

    def content(self) -> dict[str, Any]:
        """The content the sha256 covers, as sent to central."""
        if self.payload is None:
            raise OutboxError(f"referral {self.referral_id} r{self.revision} has been compacted")
        return content_of(
            self.referral_id,
            self.revision,
            supersedes=self.supersedes,
            action=self.action,
            note=self.note,
            payload=self.payload,
        )

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> OutboxEntry:
        names = {a.name for a in attrs.fields(cls)}
        return cls(**{k: v for k, v in doc.items() if k in names})


@attrs.frozen
class LogEntry:
    at: float
    event: str
    detail: str = ""
    referral_id: str = ""
    revision: int = 0
    case_id: str = ""
    count: int = 0


@attrs.frozen
class Acknowledged:
    key: Key
    receipt: str
    central_status: str = ""


@attrs.frozen
class Rejected:
    key: Key
    reason: str


@attrs.frozen
class Retry:
    """Not delivered this time; try again at ``next_attempt_at`` (epoch seconds)."""

    key: Key
    next_attempt_at: float
    error: str = ""


Outcome = Acknowledged | Rejected | Retry


@attrs.frozen
class NewEntry:
    """What ``enqueue_many`` takes: one frozen revision."""

    referral_id: str
    revision: int
    case_id: str
    payload: dict[str, Any]
    action: str = "refer"
    note: str = ""
    supersedes: int | None = None


class Outbox:
    """The outbox over an open Store. Not a cache: every call reads the (encrypted) table."""

    def __init__(self, store: Any, *, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock
        # Critical: a lost or older outbox must stop sync until the officer decides, never
        # read as "nothing queued" (the store raises TableUnreadable until then).
        self._table: TinyDB = store.table(OUTBOX_TABLE, critical=True)
        self._log: TinyDB = store.table(LOG_TABLE)

    @property
    def store(self) -> Any:
        return self._store

    # --- reading ---------------------------------------------------------------------------

    def _docs(self) -> list[Any]:
        return self._table.all()

    def entries(
        self, case_id: str | None = None, *, states: Iterable[str] | None = None
    ) -> list[OutboxEntry]:
        """Entries in queueing order, optionally of one case and/or in some states."""
        wanted = set(states) if states is not None else None
        found = [
            OutboxEntry.from_doc(doc)
            for doc in self._docs()
            if (case_id is None or doc["case_id"] == case_id)
            and (wanted is None or doc["state"] in wanted)
        ]
        return sorted(found, key=lambda e: e.seq)

    def get(self, referral_id: str, revision: int) -> OutboxEntry | None:
        for doc in self._docs():
            if doc["referral_id"] == referral_id and doc["revision"] == revision:
                return OutboxEntry.from_doc(doc)
        return None

    def latest(self, referral_id: str) -> OutboxEntry | None:
        """The highest revision of a referral: its state is the referral's state."""
        return self.latest_by_referral().get(referral_id)

    def latest_by_referral(self, case_id: str | None = None) -> dict[str, OutboxEntry]:
        latest: dict[str, OutboxEntry] = {}
        for entry in self.entries(case_id):
            current = latest.get(entry.referral_id)
            if current is None or entry.revision > current.revision:
                latest[entry.referral_id] = entry
        return latest

    def pending(self, *, now: float | None = None, limit: int | None = None) -> list[OutboxEntry]:
        """Queued or sent entries, oldest first; only those due by ``now`` if it is given."""
        found = [e for e in self.entries(states=PENDING) if now is None or e.next_attempt_at <= now]
        # Revisions of one referral go in order, so central sees r1 before r2 where it can.
        found.sort(key=lambda e: (e.seq, e.revision))
        return found[:limit] if limit is not None else found

    def pending_count(self) -> int:
        return sum(1 for doc in self._docs() if doc["state"] in PENDING)

    def counts_by_case(self) -> dict[str, int]:
        """case id -> entries not acknowledged (queued, sent or rejected)."""
        counts: Counter[str] = Counter()
        for doc in self._docs():
            if doc["state"] != ACKNOWLEDGED:
                counts[doc["case_id"]] += 1
        return dict(counts)

    def counts_by_state(self) -> dict[str, int]:
        counts = Counter(doc["state"] for doc in self._docs())
        return {state: counts.get(state, 0) for state in STATES}

    def next_due_at(self) -> float | None:
        """When the earliest pending entry may be tried again; None if nothing is pending."""
        due = [doc["next_attempt_at"] for doc in self._docs() if doc["state"] in PENDING]
        return min(due) if due else None

    def verify(self) -> list[Key]:
        """Keys whose stored content no longer matches its sha256 (should always be empty)."""
        bad: list[Key] = []
        for entry in self.entries():
            if entry.payload is not None and content_sha256(entry.content()) != entry.sha256:
                bad.append(entry.key)
        return bad

    # --- queueing --------------------------------------------------------------------------

    def enqueue(
        self,
        referral_id: str,
        revision: int,
        *,
        case_id: str,
        payload: dict[str, Any],
        action: str = "refer",
        note: str = "",
        supersedes: int | None = None,
    ) -> OutboxEntry:
        """Freeze one revision, durable on return.

        Enqueueing the same key with the same content again returns the existing entry (so a
        caller that crashed after enqueueing can simply repeat itself); different content for
        a key that exists is refused.
        """
        item = NewEntry(referral_id, revision, case_id, payload, action, note, supersedes)
        return self.enqueue_many([item])[0]

    def enqueue_many(self, items: Sequence[NewEntry]) -> list[OutboxEntry]:
        """Freeze several revisions in one durable write (all or none)."""
        docs = self._docs()
        by_key = {(d["referral_id"], d["revision"]): d for d in docs}
        latest: dict[str, dict[str, Any]] = {}
        for doc in docs:
            current = latest.get(doc["referral_id"])
            if current is None or doc["revision"] > current["revision"]:
                latest[doc["referral_id"]] = doc
        seq = max((d["seq"] for d in docs), default=0)
        now = self._clock()
        results: list[OutboxEntry | None] = []
        new_docs: list[dict[str, Any]] = []
        for item in items:
            key = (item.referral_id, item.revision)
            content = content_of(
                item.referral_id,
                item.revision,
                supersedes=item.supersedes,
                action=item.action,
                note=item.note,
                payload=item.payload,
            )
            sha = content_sha256(content)  # also proves the payload is plain JSON
            existing = by_key.get(key)
            if existing is not None:
                if existing["sha256"] != sha or existing["case_id"] != item.case_id:
                    raise OutboxError(
                        f"referral {item.referral_id} r{item.revision} is already queued with "
                        "other content: an amendment is a new revision"
                    )
                results.append(OutboxEntry.from_doc(existing))
                continue
            self._check_new(item, latest.get(item.referral_id))
            seq += 1
            doc = {
                "referral_id": item.referral_id,
                "revision": item.revision,
                "case_id": item.case_id,
                "action": item.action,
                "note": item.note,
                "supersedes": item.supersedes,
                "payload": item.payload,
                "sha256": sha,
                "state": QUEUED,
                "receipt": "",
                "reason": "",
                "central_status": "",
                "attempts": 0,
                "next_attempt_at": 0.0,
                "created_at": now,
                "updated_at": now,
                "sent_at": None,
                "acknowledged_at": None,
                "seq": seq,
            }
            new_docs.append(doc)
            by_key[key] = doc
            latest[item.referral_id] = doc
            results.append(None)
        if new_docs:
            self._table.insert_multiple(new_docs)
            self._append_log(
                [self._log_doc("queued", doc, detail=doc["action"], at=now) for doc in new_docs]
            )
        fresh = iter(OutboxEntry.from_doc(doc) for doc in new_docs)
        return [r if r is not None else next(fresh) for r in results]

    @staticmethod
    def _check_new(item: NewEntry, latest: dict[str, Any] | None) -> None:
        name = f"referral {item.referral_id} r{item.revision}"
        if item.action not in ACTIONS:
            raise OutboxError(f"{name}: unknown action {item.action!r}")
        if not isinstance(item.revision, int) or isinstance(item.revision, bool):
            raise OutboxError(f"{name}: the revision must be a whole number")
        if latest is None:
            if item.revision != 1 or item.supersedes is not None:
                raise OutboxError(f"{name}: a referral's first revision is 1 and replaces none")
            if item.action != "refer":
                raise OutboxError(f"{name}: nothing has been queued to withdraw")
            return
        if latest["case_id"] != item.case_id:
            raise OutboxError(f"{name}: the referral belongs to another case")
        if item.revision != latest["revision"] + 1 or item.supersedes != latest["revision"]:
            raise OutboxError(
                f"{name}: must replace the latest revision r{latest['revision']} "
                f"as r{latest['revision'] + 1}"
            )
        if latest["action"] == "withdraw":
            raise OutboxError(f"{name}: the referral has been withdrawn")
        if latest["state"] == REJECTED:
            raise OutboxError(f"{name}: central rejected the referral; make a new one")

    # --- delivery --------------------------------------------------------------------------

    def mark_sent(self, keys: Iterable[Key]) -> None:
        """Before a request goes out: these may now have reached central (durable)."""
        wanted = set(keys)
        if not wanted:
            return
        now = self._clock()

        def change(doc: dict[str, Any]) -> None:
            doc["state"] = SENT
            doc["sent_at"] = now
            doc["updated_at"] = now

        self._update(wanted, lambda _key, state: SENT in _ALLOWED[state], change)

    def record(self, outcomes: Sequence[Outcome]) -> None:
        """What central answered (or failed to), in one durable write, then the log.

        Outcomes for entries already acknowledged or rejected are ignored: an answer that
        arrives twice (a duplicated delivery, an overlapping run) changes nothing.
        """
        if not outcomes:
            return
        now = self._clock()
        by_key: dict[Key, Outcome] = {o.key: o for o in outcomes}

        def allowed(key: Key, state: str) -> bool | None:
            if state in TERMINAL:
                return None
            outcome = by_key[key]
            if isinstance(outcome, Acknowledged):
                return ACKNOWLEDGED in _ALLOWED[state]
            if isinstance(outcome, Rejected):
                return REJECTED in _ALLOWED[state]
            return state in PENDING

        def change(doc: dict[str, Any]) -> None:
            outcome = by_key[(doc["referral_id"], doc["revision"])]
            doc["updated_at"] = now
            if isinstance(outcome, Acknowledged):
                doc["state"] = ACKNOWLEDGED
                doc["receipt"] = outcome.receipt
                doc["central_status"] = outcome.central_status
                doc["reason"] = ""
                doc["acknowledged_at"] = now
            elif isinstance(outcome, Rejected):
                doc["state"] = REJECTED
                doc["reason"] = outcome.reason
            else:
                doc["attempts"] = doc["attempts"] + 1
                doc["next_attempt_at"] = outcome.next_attempt_at
                doc["reason"] = outcome.error

        docs = self._update(set(by_key), allowed, change)
        # The log says what happened to the batch; each entry keeps its own timestamps and
        # receipt. Per-referral lines only for rejections, which the officer must act on.
        applied = [by_key[(d["referral_id"], d["revision"])] for d in docs]
        events: list[dict[str, Any]] = []
        acknowledged = sum(1 for o in applied if isinstance(o, Acknowledged))
        if acknowledged:
            events.append({"at": now, "event": "acknowledged", "count": acknowledged})
        for doc, outcome in zip(docs, applied, strict=True):
            if isinstance(outcome, Rejected):
                events.append(self._log_doc("rejected", doc, detail=outcome.reason, at=now))
        retries = [o for o in applied if isinstance(o, Retry)]
        if retries:
            # One line per failed attempt, not per referral: a day offline must not grow the
            # log by thousands of lines.
            errors = sorted({o.error for o in retries if o.error})
            events.append(
                {
                    "at": now,
                    "event": "retry",
                    "detail": "; ".join(errors)[:500],
                    "count": len(retries),
                }
            )
        self._append_log(events)

    def set_central_status(self, statuses: dict[Key, str]) -> int:
        """Central's own status of acknowledged entries (accepted by the provider, ...)."""
        current = {e.key: e.central_status for e in self.entries(states=[ACKNOWLEDGED])}
        changed = {k: v for k, v in statuses.items() if k in current and current[k] != v}
        if not changed:
            return 0
        now = self._clock()

        def change(doc: dict[str, Any]) -> None:
            doc["central_status"] = changed[(doc["referral_id"], doc["revision"])]
            doc["updated_at"] = now

        self._update(set(changed), lambda _key, state: state == ACKNOWLEDGED, change)
        self._append_log(
            [
                {
                    "at": now,
                    "event": "status",
                    "referral_id": k[0],
                    "revision": k[1],
                    "detail": status,
                }
                for k, status in changed.items()
            ]
        )
        return len(changed)

    def compact(self, *, older_than: float) -> int:
        """Drop the payload (personal data) of entries acknowledged before ``older_than``.

        Key, hash, state and receipt stay, so the referral's history and state are intact.
        """
        keys = {
            e.key
            for e in self.entries(states=[ACKNOWLEDGED])
            if e.payload is not None and (e.acknowledged_at or 0) < older_than
        }
        if not keys:
            return 0

        def change(doc: dict[str, Any]) -> None:
            doc["payload"] = None

        self._update(keys, lambda _key, state: state == ACKNOWLEDGED, change)
        return len(keys)

    def _update(
        self,
        keys: set[Key],
        allowed: Callable[[Key, str], bool | None],
        change: Callable[[dict[str, Any]], None],
    ) -> list[dict[str, Any]]:
        """Apply ``change`` to the docs of ``keys`` in one read and one durable write.

        ``allowed(key, state)`` is asked first for each: True changes it, None skips it,
        False refuses the whole update. A refusal raises inside TinyDB's read-modify-write,
        before its write, so the table is untouched (the store's storage keeps no copy in
        memory that the aborted change could have touched). Returns copies of what was written.
        """
        if not keys:
            return []
        written: list[dict[str, Any]] = []
        seen: set[Key] = set()

        def wanted(doc: Any) -> bool:
            return (doc["referral_id"], doc["revision"]) in keys

        def checked_change(doc: dict[str, Any]) -> None:
            key = (doc["referral_id"], doc["revision"])
            seen.add(key)
            verdict = allowed(key, doc["state"])
            if verdict is None:
                return
            if not verdict:
                raise OutboxError(
                    f"referral {key[0]} r{key[1]} is {doc['state']}; that change is not allowed"
                )
            change(doc)
            written.append(dict(doc))

        self._table.update(checked_change, wanted)
        missing = keys - seen
        if missing:
            referral_id, revision = sorted(missing)[0]
            raise OutboxError(f"referral {referral_id} r{revision} is not in the outbox")
        return written

    # --- the sync log ----------------------------------------------------------------------

    def _log_doc(self, event: str, doc: dict[str, Any], *, detail: str, at: float) -> dict:
        return {
            "at": at,
            "event": event,
            "referral_id": doc["referral_id"],
            "revision": doc["revision"],
            "case_id": doc["case_id"],
            "detail": detail[:500],
        }

    def _append_log(self, events: list[dict[str, Any]]) -> None:
        if events:
            self._log.insert_multiple(events)

    def note(self, event: str, detail: str = "", *, count: int = 0) -> None:
        """A line in the sync log that is not about one entry (a sync run, a probe)."""
        self._append_log(
            [{"at": self._clock(), "event": event, "detail": detail[:500], "count": count}]
        )

    def log(self, *, limit: int = 200, case_id: str | None = None) -> list[LogEntry]:
        """The newest ``limit`` log lines, newest first."""
        names = {a.name for a in attrs.fields(LogEntry)}
        lines = [
            LogEntry(**{k: v for k, v in doc.items() if k in names})
            for doc in self._log.all()
            if case_id is None or doc.get("case_id") == case_id
        ]
        lines.sort(key=lambda line: line.at, reverse=True)
        return lines[:limit]

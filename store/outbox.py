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

Every method that changes state appends one record to the outbox's journal (store/journal.py),
durable before it returns, so an entry is never half-updated, and the cost of a change does not
grow with the number of referrals ever queued (the journal is not rewritten; ``compact``
rewrites it as the current state). The state is kept in memory, built from the journal once and
brought up to date with whatever another Outbox over the same store appended. The sync log (a
journal of its own) is written after the outbox: the outbox is the truth, the log is the story.
Stores made before the journals had TinyDB tables of the same names; they are moved over once.

The outbox knows nothing of the domain: a payload is an opaque JSON object.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

import attrs

from records.payload import ACTIONS, content_of, content_sha256
from store.errors import StoreError
from store.jsonfast import loads

OUTBOX_TABLE = "outbox"
LOG_TABLE = "sync_log"
# The sync log keeps the newest lines only: it is the story of recent syncs, not an archive.
LOG_KEEP = 2000
LOG_REWRITE_AT = 4000

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
# Entries per record when compact rewrites the outbox (about 2 MB each).
_SNAPSHOT_CHUNK = 1000


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
    # Who queued it (the officer of the app's profile; "" before this was recorded): sent to
    # central beside the content, with ``created_at``, for central's record of arrivals. Not
    # part of the content or its sha256: it says who sent the referral, not what it is.
    queued_by: str = ""

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
        # The field names once per class, not once per entry: a 10,000-entry outbox is read
        # whole by every sync, and attrs.fields per call was a third of that read.
        names = _FIELD_NAMES.get(cls)
        if names is None:
            names = _FIELD_NAMES[cls] = frozenset(a.name for a in attrs.fields(cls))
        fields = {k: v for k, v in doc.items() if k in names}
        fields["payload"] = _payload_of(doc)
        return cls(**fields)


_FIELD_NAMES: dict[type, frozenset[str]] = {}


# In memory and in the journal an entry holds its payload as JSON text ("payload_json"), parsed
# only when an entry is built: a sync with nothing to send reads 10,000 entries for their
# states, and parsing every payload into objects was most of its time (a long string is
# scanned, not built). Journals written before hold "payload" objects: converted on replay.
def _payload_text(payload: dict[str, Any] | None) -> str | None:
    if payload is None:
        return None
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _payload_of(doc: dict[str, Any]) -> dict[str, Any] | None:
    if "payload_json" not in doc:
        return doc.get("payload")  # a document in the older form
    text = doc["payload_json"]
    return None if text is None else loads(text)


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
    """The outbox over an open Store. Thread-safe; reads are from memory."""

    def __init__(
        self, store: Any, *, clock: Callable[[], float] = time.time, queued_by: str = ""
    ) -> None:
        self._store = store
        self._clock = clock
        # Recorded on every entry this outbox queues (OutboxEntry.queued_by).
        self.queued_by = queued_by
        # Critical: a lost or older outbox must stop sync until the officer decides, never
        # read as "nothing queued" (the store raises TableUnreadable until then).
        self._journal = store.journal(OUTBOX_TABLE, critical=True)
        self._log_journal = store.journal(LOG_TABLE)
        self._lock = threading.RLock()
        self._docs: dict[Key, dict[str, Any]] = {}
        # Kept alongside, so queueing costs the same at 10 referrals or 10,000.
        self._latest: dict[str, dict[str, Any]] = {}
        self._max_seq = 0
        self._applied = 0
        self._jid: str | None = None
        self._log_seen = (None, 0, 0)  # (journal id, records read, lines in them)
        self._migrated = False

    @property
    def store(self) -> Any:
        return self._store

    # --- the state in memory -------------------------------------------------------------------

    def _current(self) -> dict[Key, dict[str, Any]]:
        """The entries, brought up to date with the journal (call with the lock held)."""
        if not self._migrated:
            self._migrate_tables()
        records = self._journal.read()
        jid = self._journal_id()
        if jid != self._jid or len(records) < self._applied:
            self._docs, self._latest, self._max_seq = {}, {}, 0
            self._applied, self._jid = 0, jid
        for record in records[self._applied :]:
            for doc in _apply(self._docs, record):
                current = self._latest.get(doc["referral_id"])
                if current is None or doc["revision"] >= current["revision"]:
                    self._latest[doc["referral_id"]] = doc
                self._max_seq = max(self._max_seq, doc["seq"])
        self._applied = len(records)
        return self._docs

    def version(self) -> tuple[str | None, int]:
        """(journal id, records applied): changes with every write, so a caller can tell
        cheaply that nothing happened since it last looked (the CLI's reconcile watermark)."""
        with self._lock:
            self._current()
            return self._jid, self._applied

    def _journal_id(self) -> str | None:
        state = self._store._state.journals.get(OUTBOX_TABLE)
        return state.jid if state is not None else None

    def _write(self, record: dict[str, Any]) -> None:
        """Durably, then in memory: nothing applied if the write fails."""
        self._journal.append([record])
        self._current()

    def _migrate_tables(self) -> None:
        """A store made before the journals kept both in TinyDB tables: moved over once."""
        self._migrated = True
        store = self._store
        if store._state.journals.get(OUTBOX_TABLE) is not None:
            return
        tables = store._state.tables
        if OUTBOX_TABLE in tables and tables[OUTBOX_TABLE].fp is not None:
            old = store.table(OUTBOX_TABLE, critical=True)
            docs = [dict(doc) for doc in old.all()]
            self._journal.rewrite([{"op": "snapshot", "docs": docs}])
            old.truncate()
        if LOG_TABLE in tables and tables[LOG_TABLE].fp is not None:
            old_log = store.table(LOG_TABLE)
            lines = [dict(doc) for doc in old_log.all()][-LOG_KEEP:]
            self._log_journal.rewrite([{"op": "lines", "lines": lines}])
            old_log.truncate()

    # --- reading ---------------------------------------------------------------------------

    def _docs_now(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._current().values())

    def entries(
        self, case_id: str | None = None, *, states: Iterable[str] | None = None
    ) -> list[OutboxEntry]:
        """Entries in queueing order, optionally of one case and/or in some states."""
        wanted = set(states) if states is not None else None
        found = [
            OutboxEntry.from_doc(doc)
            for doc in self._docs_now()
            if (case_id is None or doc["case_id"] == case_id)
            and (wanted is None or doc["state"] in wanted)
        ]
        return sorted(found, key=lambda e: e.seq)

    def key_states(self) -> list[tuple[str, int, str]]:
        """(referral id, revision, state) of every entry, no OutboxEntry built: what a
        comparison with central needs, cheap at 10,000 entries."""
        with self._lock:
            return [(d["referral_id"], d["revision"], d["state"]) for d in self._current().values()]

    def central_statuses(self) -> list[tuple[Key, str]]:
        """(key, central's status) of every acknowledged entry, in queueing order, no payload
        parsed: what reading back central's statuses needs."""
        with self._lock:
            docs = sorted(self._current().values(), key=lambda d: d["seq"])
            return [
                ((d["referral_id"], d["revision"]), d["central_status"])
                for d in docs
                if d["state"] == ACKNOWLEDGED
            ]

    def verifiable(self) -> list[tuple[str, int, str]]:
        """(referral id, revision, sha256) of every acknowledged entry that still has its
        content (only those could be resent), in queueing order, no payload parsed."""
        with self._lock:
            docs = sorted(self._current().values(), key=lambda d: d["seq"])
            return [
                (d["referral_id"], d["revision"], d["sha256"])
                for d in docs
                if d["state"] == ACKNOWLEDGED and d["payload_json"] is not None
            ]

    def get(self, referral_id: str, revision: int) -> OutboxEntry | None:
        with self._lock:
            doc = self._current().get((referral_id, revision))
            return OutboxEntry.from_doc(doc) if doc is not None else None

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
        return sum(1 for doc in self._docs_now() if doc["state"] in PENDING)

    def counts_by_case(self) -> dict[str, int]:
        """case id -> entries not acknowledged (queued, sent or rejected)."""
        counts: Counter[str] = Counter()
        for doc in self._docs_now():
            if doc["state"] != ACKNOWLEDGED:
                counts[doc["case_id"]] += 1
        return dict(counts)

    def counts_by_state(self) -> dict[str, int]:
        counts = Counter(doc["state"] for doc in self._docs_now())
        return {state: counts.get(state, 0) for state in STATES}

    def next_due_at(self) -> float | None:
        """When the earliest pending entry may be tried again; None if nothing is pending."""
        due = [doc["next_attempt_at"] for doc in self._docs_now() if doc["state"] in PENDING]
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
        with self._lock:
            docs = self._current()
            # This call's own additions on top of the state, so a failed write changes nothing.
            latest: dict[str, dict[str, Any]] = {}
            seq = self._max_seq
            now = self._clock()
            results: list[OutboxEntry | None] = []
            new_docs: list[dict[str, Any]] = []
            added: dict[Key, dict[str, Any]] = {}
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
                existing = added.get(key) or docs.get(key)
                if existing is not None:
                    if existing["sha256"] != sha or existing["case_id"] != item.case_id:
                        raise OutboxError(
                            f"referral {item.referral_id} r{item.revision} is already queued "
                            "with other content: an amendment is a new revision"
                        )
                    results.append(OutboxEntry.from_doc(existing))
                    continue
                self._check_new(
                    item, latest.get(item.referral_id) or self._latest.get(item.referral_id)
                )
                seq += 1
                doc = {
                    "referral_id": item.referral_id,
                    "revision": item.revision,
                    "case_id": item.case_id,
                    "action": item.action,
                    "note": item.note,
                    "supersedes": item.supersedes,
                    "payload_json": _payload_text(item.payload),
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
                    "queued_by": self.queued_by,
                }
                new_docs.append(doc)
                added[key] = doc
                latest[item.referral_id] = doc
                results.append(None)
            if new_docs:
                self._write({"op": "put", "docs": new_docs})
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
        with self._lock:
            docs = self._current()
            self._require(docs, wanted, lambda _key, state: SENT in _ALLOWED[state])
            self._write(
                {"op": "sent", "keys": [list(k) for k in sorted(wanted)], "at": self._clock()}
            )

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

        with self._lock:
            docs = self._current()
            keys = self._require(docs, set(by_key), allowed)
            if not keys:
                return
            items = [_outcome_item(by_key[key]) for key in sorted(keys)]
            self._write({"op": "outcomes", "at": now, "items": items})
            applied = [by_key[key] for key in sorted(keys)]
            written = [docs[key] for key in sorted(keys)]
        # The log says what happened to the batch; each entry keeps its own timestamps and
        # receipt. Per-referral lines only for rejections, which the officer must act on.
        events: list[dict[str, Any]] = []
        acknowledged = sum(1 for o in applied if isinstance(o, Acknowledged))
        if acknowledged:
            events.append({"at": now, "event": "acknowledged", "count": acknowledged})
        for doc, outcome in zip(written, applied, strict=True):
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

    def reopen(self, keys: Iterable[Key], reason: str) -> list[Key]:
        """Acknowledged entries central no longer holds (its database was restored from an
        older copy): queued again, in one durable write, to be resent as they are (same key,
        same content; central stores them anew). Only entries that still have their payload
        can be; returns the keys reopened."""
        wanted = set(keys)
        with self._lock:
            docs = self._current()
            reopened = sorted(
                k
                for k in wanted
                if k in docs
                and docs[k]["state"] == ACKNOWLEDGED
                and docs[k]["payload_json"] is not None
            )
            if not reopened:
                return []
            now = self._clock()
            record = {"op": "reopen", "keys": [list(k) for k in reopened], "at": now}
            self._write({**record, "reason": reason})
        self._append_log(
            [{"at": now, "event": "reopened", "detail": reason[:500], "count": len(reopened)}]
        )
        return reopened

    def renumber(self, key: Key, after_revision: int) -> OutboxEntry:
        """Move a pending entry's content to revision ``after_revision + 1``, replacing
        ``after_revision``, in one durable write; the old key is dropped.

        For central's 409 "this key was already used for other content" with its latest
        revision: the store went back to an older copy (a restored backup), so this laptop
        reused revision numbers central already holds. Central never stored this content
        under the old key, so nothing it acknowledged is lost; the officer's change goes on
        after what central holds. OutboxError unless the entry is pending and the latest of
        its referral here, and ``after_revision`` is at least its revision.
        """
        with self._lock:
            docs = self._current()
            doc = docs.get(key)
            name = f"referral {key[0]} r{key[1]}"
            if doc is None or doc["state"] not in PENDING:
                raise OutboxError(f"{name}: only a pending entry can be renumbered")
            if self._latest.get(key[0]) is not doc:
                raise OutboxError(f"{name}: a later revision is queued here")
            if not isinstance(after_revision, int) or after_revision < key[1]:
                raise OutboxError(f"{name}: must move after r{key[1]} or later")
            revision = after_revision + 1
            content = content_of(
                key[0],
                revision,
                supersedes=after_revision,
                action=doc["action"],
                note=doc["note"],
                payload=_payload_of(doc),
            )
            now = self._clock()
            moved = {
                **doc,
                "revision": revision,
                "supersedes": after_revision,
                "sha256": content_sha256(content),
                "state": QUEUED,
                "reason": "",
                "attempts": 0,
                "next_attempt_at": 0.0,
                "updated_at": now,
                "sent_at": None,
                "seq": self._max_seq + 1,
            }
            self._write({"op": "renumber", "from": list(key), "doc": moved})
            entry = OutboxEntry.from_doc(moved)
        self._append_log(
            [self._log_doc("renumbered", moved, detail=f"central holds r{after_revision}", at=now)]
        )
        return entry

    def set_central_status(self, statuses: dict[Key, str]) -> int:
        """Central's own status of acknowledged entries (accepted by the provider, ...)."""
        with self._lock:
            docs = self._current()
            changed = {
                k: v
                for k, v in statuses.items()
                if k in docs and docs[k]["state"] == ACKNOWLEDGED and docs[k]["central_status"] != v
            }
            if not changed:
                return 0
            now = self._clock()
            items = [[list(k), v] for k, v in sorted(changed.items())]
            self._write({"op": "status", "at": now, "items": items})
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

    def compact(self, *, older_than: float, case_ids: Collection[str] = ()) -> int:
        """Drop the payload (personal data) of entries acknowledged before ``older_than`` (or
        of a case in ``case_ids``, whenever acknowledged), and rewrite the journal as the
        current state (so the dropped payloads leave the disk too).

        Key, hash, state and receipt stay, so the referral's history and state are intact.
        """
        with self._lock:
            docs = self._current()
            keys = [
                key
                for key, doc in docs.items()
                if doc["state"] == ACKNOWLEDGED
                and doc["payload_json"] is not None
                and ((doc["acknowledged_at"] or 0) < older_than or doc["case_id"] in case_ids)
            ]
            if not keys:
                return 0  # nothing to drop: no rewrite (this runs after every sync pass)
            snapshot = []
            for key, doc in docs.items():
                kept = dict(doc)
                if key in keys:
                    kept["payload_json"] = None
                snapshot.append(kept)
            # Several records, each well under a journal record's limit, in one atomic rewrite:
            # a snapshot of tens of thousands of entries would not fit in one.
            step = _SNAPSHOT_CHUNK
            chunks = [snapshot[i : i + step] for i in range(0, len(snapshot), step)] or [[]]
            records = [{"op": "snapshot", "docs": chunks[0]}]
            records += [{"op": "put", "docs": chunk} for chunk in chunks[1:]]
            self._journal.rewrite(records)
            self._jid = None  # rebuilt from the new journal
            self._current()
            return len(keys)

    def forget_cases(self, case_ids: Collection[str]) -> int:
        """compact() every acknowledged entry of these cases (purged from the laptop): their
        pending entries, if any, keep everything."""
        return self.compact(older_than=float("-inf"), case_ids=frozenset(case_ids))

    def compact_retained(self, retention_s: float) -> int:
        """compact() what was acknowledged (a withdrawal included) more than ``retention_s``
        ago by this outbox's clock: children's names do not stay on the laptop for good."""
        return self.compact(older_than=self._clock() - retention_s)

    @staticmethod
    def _require(
        docs: dict[Key, dict[str, Any]],
        keys: set[Key],
        allowed: Callable[[Key, str], bool | None],
    ) -> list[Key]:
        """The keys a change applies to: ``allowed(key, state)`` True changes it, None skips
        it, False refuses the whole change (nothing written)."""
        missing = keys - set(docs)
        if missing:
            referral_id, revision = sorted(missing)[0]
            raise OutboxError(f"referral {referral_id} r{revision} is not in the outbox")
        chosen: list[Key] = []
        for key in sorted(keys):
            state = docs[key]["state"]
            verdict = allowed(key, state)
            if verdict is None:
                continue
            if not verdict:
                raise OutboxError(
                    f"referral {key[0]} r{key[1]} is {state}; that change is not allowed"
                )
            chosen.append(key)
        return chosen

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
        if not events:
            return
        with self._lock:
            if not self._migrated:
                self._migrate_tables()
            journal = self._log_journal
            # The story, not the truth: a line lost in a power cut costs nothing, an fsync for
            # every line would double the cost of every change.
            journal.append([{"op": "lines", "lines": events}], durable=False)
            if self._log_length() > LOG_REWRITE_AT:
                journal.rewrite([{"op": "lines", "lines": self._log_lines()[-LOG_KEEP:]}])

    def _log_length(self) -> int:
        """How many lines the sync log holds, counted incrementally."""
        records = self._log_journal.read()
        state = self._store._state.journals.get(LOG_TABLE)
        jid = state.jid if state is not None else None
        seen_jid, seen_records, seen_lines = self._log_seen
        if jid != seen_jid or len(records) < seen_records:
            seen_records, seen_lines = 0, 0
        seen_lines += sum(len(r.get("lines", [])) for r in records[seen_records:])
        self._log_seen = (jid, len(records), seen_lines)
        return seen_lines

    def _log_lines(self) -> list[dict[str, Any]]:
        lines: list[dict[str, Any]] = []
        for record in self._log_journal.read():
            lines.extend(record.get("lines", []))
        return lines

    def note(self, event: str, detail: str = "", *, count: int = 0) -> None:
        """A line in the sync log that is not about one entry (a sync run, a probe)."""
        self._append_log(
            [{"at": self._clock(), "event": event, "detail": detail[:500], "count": count}]
        )

    def log(self, *, limit: int = 200, case_id: str | None = None) -> list[LogEntry]:
        """The newest ``limit`` log lines, newest first."""
        names = {a.name for a in attrs.fields(LogEntry)}
        with self._lock:
            if not self._migrated:
                self._migrate_tables()
            all_lines = self._log_lines()
        lines = [
            LogEntry(**{k: v for k, v in doc.items() if k in names})
            for doc in all_lines
            if case_id is None or doc.get("case_id") == case_id
        ]
        lines.sort(key=lambda line: line.at, reverse=True)
        return lines[:limit]


def _outcome_item(outcome: Outcome) -> dict[str, Any]:
    key = list(outcome.key)
    if isinstance(outcome, Acknowledged):
        return {"key": key, "ack": outcome.receipt, "status": outcome.central_status}
    if isinstance(outcome, Rejected):
        return {"key": key, "rejected": outcome.reason}
    return {"key": key, "retry_at": outcome.next_attempt_at, "error": outcome.error}


def _current_form(doc: dict[str, Any]) -> dict[str, Any]:
    """A copy of a journal's entry with its payload as text (older journals hold objects)."""
    copy = dict(doc)
    if "payload" in copy:
        copy["payload_json"] = _payload_text(copy.pop("payload"))
    return copy


def _apply(docs: dict[Key, dict[str, Any]], record: dict[str, Any]) -> list[dict[str, Any]]:
    """One journal record applied to the entries (replay and live changes alike). Returns the
    entries it added."""
    op = record["op"]
    added: list[dict[str, Any]] = []
    # Copies: the journal's own records are replayed again by any other Outbox of the store.
    if op in ("snapshot", "put"):
        if op == "snapshot":
            docs.clear()
        for doc in record["docs"]:
            copy = _current_form(doc)
            docs[(doc["referral_id"], doc["revision"])] = copy
            added.append(copy)
    elif op == "sent":
        at = record["at"]
        for referral_id, revision in record["keys"]:
            doc = docs[(referral_id, revision)]
            doc.update(state=SENT, sent_at=at, updated_at=at)
    elif op == "outcomes":
        at = record["at"]
        for item in record["items"]:
            doc = docs[(item["key"][0], item["key"][1])]
            doc["updated_at"] = at
            if "ack" in item:
                doc.update(
                    state=ACKNOWLEDGED,
                    receipt=item["ack"],
                    central_status=item["status"],
                    reason="",
                    acknowledged_at=at,
                )
            elif "rejected" in item:
                doc.update(state=REJECTED, reason=item["rejected"])
            else:
                doc["attempts"] += 1
                doc["next_attempt_at"] = item["retry_at"]
                doc["reason"] = item["error"]
    elif op == "reopen":
        at = record["at"]
        for referral_id, revision in record["keys"]:
            doc = docs[(referral_id, revision)]
            doc.update(
                state=QUEUED,
                receipt="",
                central_status="",
                reason=record["reason"],
                attempts=0,
                next_attempt_at=0.0,
                acknowledged_at=None,
                updated_at=at,
            )
    elif op == "renumber":
        docs.pop((record["from"][0], record["from"][1]), None)
        copy = _current_form(record["doc"])
        docs[(copy["referral_id"], copy["revision"])] = copy
        added.append(copy)
    elif op == "status":
        at = record["at"]
        for (referral_id, revision), status in record["items"]:
            doc = docs[(referral_id, revision)]
            doc.update(central_status=status, updated_at=at)
    return added

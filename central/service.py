"""What central records does, without HTTP: tokens, idempotent submission, status, providers.

The FastAPI app (central.app) and the CLI (central.cli) are thin faces over this module.

Idempotency: a submission is keyed (referral id, revision), whichever device sends it. The
row is INSERTed inside a savepoint; if the unique constraint fires, the existing row answers:
same sha256, same receipt (a resend); different sha256, 409 (a key can never mean two
things). There is no check-then-insert window: the database decides.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from typing import Any, Literal

import attrs
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.db import Arrival, Device, ProviderRow, StatusEvent, Submission, utcnow
from records import caseformat
from records.caseformat import CaseFormatError
from records.model import Provider, RecordError, Referral
from records.payload import (
    MAX_ITEM_BYTES,
    canonical_json,
    content_of,
    payload_from_dict,
    payload_to_dict,
)

MAX_BATCH = 200
TOKEN_BYTES = 32

# A submission's status at central. received = acknowledged; the provider then accepts it and
# later confirms attendance (domain.md: attendance is confirmed to the court or practitioner).
RECEIVED = "received"
SUPERSEDED = "superseded"
WITHDRAWN = "withdrawn"
ACCEPTED = "accepted"
ATTENDED = "attended"
REJECTED = "rejected"
STATUSES = (RECEIVED, SUPERSEDED, WITHDRAWN, ACCEPTED, ATTENDED, REJECTED)
# A referral whose history holds one of these takes no new revision.
CLOSED = (WITHDRAWN, REJECTED)
# Status changes made by an administrator (or a provider through one).
ADMIN_TRANSITIONS: dict[str, tuple[str, ...]] = {
    RECEIVED: (ACCEPTED, REJECTED),
    ACCEPTED: (ATTENDED, REJECTED),
}

_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
_NOTE = attrs.fields(Referral).reason.converter


class CentralError(Exception):
    """A refused administrative action; the message is safe to print."""


# --- the wire format ---------------------------------------------------------------------------


class ItemAudit(BaseModel):
    """Who queued an item and when, as the device says: kept in central's record of arrivals,
    outside the content and its sha256 (it says who sent the referral, not what it is)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    # An officer's name as the app's profile holds it: no control characters.
    queued_by: str = Field(default="", max_length=120, pattern=r"^[^\x00-\x1f\x7f]*$")
    # ISO 8601, UTC, to the second (the device's clock).
    queued_at: str = Field(
        default="", pattern=r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\+00:00|Z))?$"
    )


class SubmitItem(BaseModel):
    """One referral revision. ``payload`` is validated with the app's own records."""

    model_config = ConfigDict(extra="forbid", strict=True)

    referral_id: str = Field(pattern=_ID_PATTERN)
    revision: int = Field(ge=1, le=100_000)
    supersedes: int | None = Field(default=None, ge=1, le=100_000)
    action: Literal["refer", "withdraw"]
    note: str = Field(default="", max_length=4000)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    payload: dict[str, Any]
    audit: ItemAudit | None = None


class SubmitBatch(BaseModel):
    """The request body as documented. Items are validated one by one (see ``Envelope``)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    items: list[SubmitItem] = Field(max_length=MAX_BATCH)


class Envelope(BaseModel):
    """The request body as first checked: a bad item must not fail the batch, so items are
    only required to be objects here and are validated each on its own by ``prepare``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    items: list[dict[str, Any]] = Field(max_length=MAX_BATCH)


class ItemResult(BaseModel):
    referral_id: str
    revision: int
    # acknowledged: central holds it (receipt); rejected: never will (terminal, reason);
    # retry: not stored this time, send again.
    outcome: Literal["acknowledged", "rejected", "retry"]
    code: int = Field(description="200 stored, 409 conflict/closed, 413 too large, 422 invalid")
    receipt: str = ""
    status: str = ""
    reason: str = ""
    duplicate: bool = False
    # On a 409 because the key holds other content: central's latest revision of the
    # referral, so a device whose store went back to an older copy can go on after it.
    latest_revision: int = 0


class BatchResult(BaseModel):
    results: list[ItemResult]


class StatusKey(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    referral_id: str = Field(pattern=_ID_PATTERN)
    revision: int = Field(ge=1, le=100_000)


class StatusQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    keys: list[StatusKey] = Field(max_length=1000)


class SubmissionStatus(BaseModel):
    referral_id: str
    revision: int
    action: str
    status: str
    reason: str = ""
    receipt: str = ""
    received_at: str = ""
    status_at: str = ""


class StatusResult(BaseModel):
    statuses: list[SubmissionStatus]


class VerifyKey(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    referral_id: str = Field(pattern=_ID_PATTERN)
    revision: int = Field(ge=1, le=100_000)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class VerifyQuery(BaseModel):
    """Keys a device holds as acknowledged, with the sha256 of each one's content."""

    model_config = ConfigDict(extra="forbid", strict=True)

    keys: list[VerifyKey] = Field(max_length=1000)
    # Name the keys central does not hold (asked only when the digest did not match).
    list_missing: bool = False


class VerifyResult(BaseModel):
    # sha256 of "referral_id:revision:sha256\n" lines, sorted, of the asked keys central
    # holds with that content: equal to the device's own digest when it holds them all.
    digest: str
    held: int
    missing: list[StatusKey] = []


def verify_digest(keys: list[tuple[str, int, str]]) -> str:
    lines = "".join(f"{r}:{v}:{s}\n" for r, v, s in sorted(keys))
    return hashlib.sha256(lines.encode("ascii")).hexdigest()


def verify_held(engine: Engine, query: VerifyQuery) -> VerifyResult:
    """Which of these (key, content) pairs central holds, as one digest. Any device may ask:
    the answer says only whether central holds content the asker already has in full (its
    sha256), never anything more; a referral's key is not tied to a device."""
    asked = {(k.referral_id, k.revision, k.sha256) for k in query.keys}
    held: set[tuple[str, int, str]] = set()
    if asked:
        with Session(engine) as session:
            rows = session.execute(
                select(Submission.referral_id, Submission.revision, Submission.sha256).where(
                    Submission.referral_id.in_(sorted({k[0] for k in asked}))
                )
            )
            held = {(r, v, s) for r, v, s in rows if (r, v, s) in asked}
    missing = (
        [StatusKey(referral_id=r, revision=v) for r, v, _s in sorted(asked - held)]
        if query.list_missing
        else []
    )
    return VerifyResult(digest=verify_digest(list(held)), held=len(held), missing=missing)


# --- devices and tokens ------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(engine: Engine, device: str) -> str:
    """A new bearer token for ``device`` (created if new; an existing one's token is replaced).

    Only the sha256 is stored: the token itself exists once, in what this returns.
    """
    name = device.strip()
    if not name or len(name) > 64 or not name.isprintable():
        raise CentralError("a device name is 1-64 printable characters")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with Session(engine) as session, session.begin():
        row = session.scalar(select(Device).where(Device.name == name))
        if row is None:
            session.add(Device(name=name, token_sha256=token_hash(token)))
        else:
            row.token_sha256 = token_hash(token)
            row.revoked_at = None
    return token


def revoke_device(engine: Engine, device: str) -> None:
    with Session(engine) as session, session.begin():
        row = session.scalar(select(Device).where(Device.name == device))
        if row is None:
            raise CentralError(f"no device {device!r}")
        row.revoked_at = utcnow()


def authenticate(engine: Engine, token: str) -> int | None:
    """The device id a bearer token belongs to, or None (unknown, revoked, malformed)."""
    if not token or len(token) > 128 or not token.isascii():
        return None
    # A Core connection, not an ORM session: this runs before every request.
    with engine.connect() as connection:
        row = connection.execute(
            select(Device.id, Device.revoked_at).where(Device.token_sha256 == token_hash(token))
        ).first()
    if row is None or row.revoked_at is not None:
        return None
    return int(row.id)


# --- submission --------------------------------------------------------------------------------


@attrs.frozen
class _Prepared:
    referral_id: str
    revision: int
    supersedes: int | None
    action: str
    note: str
    sha256: str
    content: str


class _Closed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _rejected(referral_id: str, revision: int, code: int, reason: str) -> ItemResult:
    return ItemResult(
        referral_id=referral_id, revision=revision, outcome="rejected", code=code, reason=reason
    )


def _key_of(raw: Any) -> tuple[str, int]:
    """Best-effort key of a malformed item, to say which one was refused."""
    if isinstance(raw, dict):
        rid, rev = raw.get("referral_id"), raw.get("revision")
        if isinstance(rid, str) and len(rid) <= 64 and isinstance(rev, int):
            return rid, rev
    return "", 0


def prepare(raw: Any) -> _Prepared | ItemResult:
    """Validate one item completely, without touching the database. Never trusts ``raw``."""
    referral_id, revision = _key_of(raw)
    if len(canonical_json(raw)) > MAX_ITEM_BYTES:
        return _rejected(referral_id, revision, 413, f"item larger than {MAX_ITEM_BYTES} bytes")
    try:
        item = SubmitItem.model_validate(raw, strict=True)
    except ValidationError as exc:
        # Field names and error kinds only: pydantic's messages can quote the input.
        problems = [f"$.{'.'.join(str(p) for p in e['loc'])}: {e['type']}" for e in exc.errors()]
        return _rejected(referral_id, revision, 422, "; ".join(problems[:10]))
    expected_supersedes = None if item.revision == 1 else item.revision - 1
    if item.supersedes != expected_supersedes:
        return _rejected(
            item.referral_id, item.revision, 422, "supersedes must name the previous revision"
        )
    try:
        payload = payload_from_dict(item.payload)
        note = _NOTE(item.note)
    except CaseFormatError as exc:
        return _rejected(item.referral_id, item.revision, 422, "; ".join(exc.problems[:10]))
    except RecordError as exc:
        return _rejected(item.referral_id, item.revision, 422, f"note: {exc.message}")
    content = content_of(
        item.referral_id,
        item.revision,
        supersedes=item.supersedes,
        action=item.action,
        note=note,
        payload=payload_to_dict(payload),
    )
    # The bytes stored are the bytes hashed: serialised once (content_sha256 would do it again).
    encoded = canonical_json(content)
    sha = hashlib.sha256(encoded).hexdigest()
    if sha != item.sha256:
        # What we would store is not what the device hashed (normalisation or corruption):
        # refusing is the only way a receipt can vouch for the device's own bytes.
        return _rejected(item.referral_id, item.revision, 422, "sha256 does not match content")
    return _Prepared(
        item.referral_id,
        item.revision,
        item.supersedes,
        item.action,
        note,
        sha,
        encoded.decode("utf-8"),
    )


def _new_receipt() -> str:
    return "CR-" + secrets.token_hex(10)


def _acknowledged(row: Submission, *, duplicate: bool) -> ItemResult:
    return ItemResult(
        referral_id=row.referral_id,
        revision=row.revision,
        outcome="acknowledged",
        code=200,
        receipt=row.receipt,
        status=row.status,
        reason=row.status_reason,
        duplicate=duplicate,
    )


def _not_stored(item: _Prepared) -> ItemResult:
    """Nothing stored and nothing promised: the device sends it again."""
    return ItemResult(
        referral_id=item.referral_id,
        revision=item.revision,
        outcome="retry",
        code=503,
        reason="not stored, send again",
    )


def _store(session: Session, device_id: int, item: _Prepared) -> ItemResult:
    # The referral, whichever device sent its revisions (a laptop may get a new token).
    same_referral = Submission.referral_id == item.referral_id
    now = utcnow()
    row = Submission(
        device_id=device_id,
        referral_id=item.referral_id,
        revision=item.revision,
        supersedes=item.supersedes,
        action=item.action,
        note=item.note,
        sha256=item.sha256,
        content=item.content,
        receipt=_new_receipt(),
        status=WITHDRAWN if item.action == "withdraw" else RECEIVED,
        status_reason=item.note if item.action == "withdraw" else "",
        received_at=now,
        status_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
            if item.revision > 1:
                closed = session.scalar(
                    select(Submission.status)
                    .where(same_referral)
                    .where(Submission.revision < item.revision)
                    .where(Submission.status.in_(CLOSED))
                    .limit(1)
                )
                if closed is not None:
                    raise _Closed(f"the referral was {closed}: it takes no new revision")
            newer = session.scalar(
                select(func.max(Submission.revision))
                .where(same_referral)
                .where(Submission.revision > item.revision)
            )
            if newer is not None:
                # A late arrival (r1 after r2): kept, but it is history from the start.
                if row.status == RECEIVED:
                    row.status = SUPERSEDED
            elif item.revision > 1:
                session.execute(
                    update(Submission)
                    .where(same_referral)
                    .where(Submission.revision < item.revision)
                    .where(Submission.status.in_((RECEIVED, ACCEPTED)))
                    .values(status=SUPERSEDED, status_at=now)
                )
            session.flush()
    except IntegrityError:
        existing = session.scalar(
            select(Submission).where(same_referral).where(Submission.revision == item.revision)
        )
        if existing is None:  # some other constraint (a receipt collision): try again later
            return _not_stored(item)
        if existing.sha256 == item.sha256:
            return _acknowledged(existing, duplicate=True)
        result = _rejected(
            item.referral_id, item.revision, 409, "this key was already used for other content"
        )
        latest = session.scalar(select(func.max(Submission.revision)).where(same_referral))
        closed = session.scalar(
            select(Submission.status)
            .where(same_referral)
            .where(Submission.status.in_(CLOSED))
            .limit(1)
        )
        if latest is not None and closed is None:
            # Only while the referral can still take a revision: then the device may go on
            # from central's latest instead of being refused for good.
            result.latest_revision = int(latest)
        return result
    except _Closed as exc:
        return _rejected(item.referral_id, item.revision, 409, exc.reason)
    return _acknowledged(row, duplicate=False)


def submit_batch(engine: Engine, device_id: int, items: list[Any]) -> list[ItemResult]:
    """Store every valid item once; one result per item, in order. One transaction.

    Validation happens first, outside the transaction; each item then gets its own savepoint,
    so a refused item never undoes the others. Receipts are returned only after the commit:
    an exception here means nothing was promised and the whole batch may be sent again.
    """
    resent = _known_resends(engine, items)
    prepared = [resent.get(i) or prepare(raw) for i, raw in enumerate(items)]
    results: list[ItemResult | None] = [
        item if isinstance(item, ItemResult) else None for item in prepared
    ]
    valid = [(i, item) for i, item in enumerate(prepared) if isinstance(item, _Prepared)]
    # First revisions of referrals that appear once in the batch (the common case: a day's new
    # referrals) are inserted together; everything else goes through _store one by one, after
    # them, in the order sent. They touch disjoint referrals, so the order between the two
    # groups changes nothing.
    per_referral: dict[str, int] = {}
    for _, item in valid:
        per_referral[item.referral_id] = per_referral.get(item.referral_id, 0) + 1
    fresh = [(i, it) for i, it in valid if it.revision == 1 and per_referral[it.referral_id] == 1]
    fresh_indexes = {i for i, _ in fresh}
    with Session(engine, expire_on_commit=False) as session, session.begin():
        if fresh:
            for i, result in zip(
                (i for i, _ in fresh),
                _store_first_revisions(session, device_id, [it for _, it in fresh]),
                strict=True,
            ):
                results[i] = result
        for i, item in valid:
            if i not in fresh_indexes:
                results[i] = _store(session, device_id, item)
        assert all(r is not None for r in results)
        done = [r for r in results if r is not None]
        record_arrivals(session, device_id, items, done)
    return done


_ITEM_FIELDS = frozenset(SubmitItem.model_fields)
_SHA256 = re.compile(r"[0-9a-f]{64}")
_ANSWERS_BY_ID_POSTGRESQL = """
    SELECT referral_id, revision, receipt, status, status_reason, sha256 FROM submissions
    WHERE referral_id = ANY(CAST(%(ids)b AS text[]))
"""


def _resend_bytes(raw: Any) -> tuple[str, int, str, bytes] | None:
    """(referral id, revision, claimed sha256, canonical content) of an item that could be a
    resend of one central holds; None when it cannot be (it then goes through ``prepare``)."""
    if not isinstance(raw, dict) or not _ITEM_FIELDS.issuperset(raw):
        return None
    rid, rev, sha = raw.get("referral_id"), raw.get("revision"), raw.get("sha256")
    if not (isinstance(rid, str) and type(rev) is int and isinstance(sha, str)):
        return None
    if "payload" not in raw or "action" not in raw:
        return None
    audit = raw.get("audit")
    if audit is not None:
        try:  # as SubmitItem would: a bad audit refuses the item (prepare's answer)
            ItemAudit.model_validate(audit, strict=True)
        except ValidationError:
            return None
    content = content_of(
        rid,
        rev,
        supersedes=raw.get("supersedes"),
        action=raw["action"],
        note=raw.get("note", ""),
        payload=raw["payload"],
    )
    return rid, rev, sha, canonical_json(content)


def _known_resends(engine: Engine, items: list[Any]) -> dict[int, ItemResult]:
    """Items that are byte for byte a revision central already holds, answered as the
    duplicates they are without validating their payload again.

    Why this is safe: a stored row's sha256 is the hash of the canonical bytes it holds, and
    those bytes passed ``prepare``. An item whose canonical content hashes to the same sha256
    is those same bytes, so ``prepare`` would accept it and ``_store`` answer it as this
    duplicate: the answer is the same, for a tenth of the CPU. A device resends a whole batch
    whenever an answer is lost (a dropped connection at the start of a court day), so that is
    half of central's work in such a morning. Anything else (other content under a held key,
    a bad audit, a malformed item) takes the full path.
    """
    candidates: dict[int, tuple[str, int, str, bytes]] = {}
    for i, raw in enumerate(items):
        found = _resend_bytes(raw)
        if found is not None and _SHA256.fullmatch(found[2]) and len(found[3]) <= MAX_ITEM_BYTES:
            candidates[i] = found
    if not candidates:
        return {}
    ids = sorted({rid for rid, _rev, _sha, _bytes in candidates.values()})
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            rows = connection.exec_driver_sql(_ANSWERS_BY_ID_POSTGRESQL, {"ids": ids})
        else:
            rows = connection.execute(
                select(*_ANSWER_COLUMNS).where(Submission.referral_id.in_(ids))
            )
        held = {(row.referral_id, row.revision): row for row in rows}
    answers: dict[int, ItemResult] = {}
    for i, (rid, rev, sha, encoded) in candidates.items():
        row = held.get((rid, rev))
        if row is not None and row.sha256 == sha and hashlib.sha256(encoded).hexdigest() == sha:
            answers[i] = _acknowledged(row, duplicate=True)
    return answers


def _audit_of(raw: Any) -> ItemAudit:
    """The item's audit, or an empty one if it sent none (or one that is not valid: the item
    is then refused, and its arrival still recorded)."""
    audit = raw.get("audit") if isinstance(raw, dict) else None
    if audit is None:
        return ItemAudit()
    try:
        return ItemAudit.model_validate(audit, strict=True)
    except ValidationError:
        return ItemAudit()


def record_arrivals(
    session: Session, device_id: int, items: list[Any], results: list[ItemResult]
) -> None:
    """Central's append-only record of this batch: one row an item, in one multi-row INSERT,
    in the batch's transaction (what was stored and the record of it commit together)."""
    now = utcnow()
    rows = []
    for raw, result in zip(items, results, strict=True):
        audit = _audit_of(raw)
        outcome = "duplicate" if result.duplicate else result.outcome
        rows.append(
            {
                "device_id": device_id,
                "referral_id": result.referral_id,
                "revision": result.revision,
                "outcome": outcome,
                "code": result.code,
                "queued_by": audit.queued_by,
                "queued_at": audit.queued_at,
                "received_at": now,
            }
        )
    if rows:
        # Core executemany: one cached statement, sent as multi-row INSERTs.
        session.connection().execute(Arrival.__table__.insert(), rows)


class ArrivalLine(BaseModel):
    received_at: str
    device: str
    referral_id: str
    revision: int
    outcome: str
    code: int
    queued_by: str
    queued_at: str


def arrivals(engine: Engine, *, device: str | None = None, limit: int = 1000) -> list[ArrivalLine]:
    """The newest ``limit`` arrivals (of one device, by name, if given), oldest first."""
    query = (
        select(Arrival, Device.name)
        .join(Device, Device.id == Arrival.device_id)
        .order_by(Arrival.id.desc())
        .limit(limit)
    )
    if device is not None:
        query = query.where(Device.name == device)
    with Session(engine) as session:
        found = session.execute(query).all()
    return [
        ArrivalLine(
            received_at=_iso(row.received_at),
            device=name,
            referral_id=row.referral_id,
            revision=row.revision,
            outcome=row.outcome,
            code=row.code,
            queued_by=row.queued_by,
            queued_at=row.queued_at,
        )
        for row, name in reversed(found)
    ]


def _store_first_revisions(
    session: Session, device_id: int, items: list[_Prepared]
) -> list[ItemResult]:
    """Revision 1 of distinct referrals, as _store would answer each: one multi-row INSERT
    ... ON CONFLICT DO NOTHING, which also stores superseded any of them that already have
    later revisions (a late arrival, as _store does), and one SELECT of the rows that were
    already there (a resend: same receipt, or 409 for other content).

    Exactly-once is still the unique constraint's: a key another transaction is inserting
    makes this INSERT wait for it (PostgreSQL) or cannot happen (SQLite's one writer), and
    then skip the row, which the SELECT finds committed. The key is the referral's (id and
    revision), whichever device sends it, as in _store.
    """
    if any(item.revision != 1 for item in items):
        raise ValueError("only first revisions are stored together")
    # In key order: two batches holding the same keys in other orders then wait on each other
    # row by row instead of deadlocking.
    ordered = sorted(items, key=lambda item: item.referral_id)
    receipts = {item.referral_id: _new_receipt() for item in ordered}
    now = utcnow()
    connection = session.connection()
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        inserted = _insert_first_postgresql(connection, device_id, ordered, receipts, now)
    else:
        inserted = _insert_first_generic(connection, device_id, ordered, receipts, now)
    existing: dict[str, Any] = {}
    missing = [item.referral_id for item in items if item.referral_id not in inserted]
    if missing:
        # Core rows, not ORM objects: a resent batch is answered from these columns alone.
        rows = (
            connection.exec_driver_sql(_ANSWERS_POSTGRESQL, {"ids": missing})
            if postgresql
            else connection.execute(
                select(*_ANSWER_COLUMNS)
                .where(Submission.referral_id.in_(missing))
                .where(Submission.revision == 1)
            )
        )
        existing = {row.referral_id: row for row in rows}
    results = []
    for item in items:
        status = inserted.get(item.referral_id)
        if status is not None:
            results.append(
                ItemResult(
                    referral_id=item.referral_id,
                    revision=item.revision,
                    outcome="acknowledged",
                    code=200,
                    receipt=receipts[item.referral_id],
                    status=status,
                    reason=item.note if item.action == "withdraw" else "",
                    duplicate=False,
                )
            )
            continue
        found = existing.get(item.referral_id)
        if found is None:  # some other constraint (a receipt collision): try again later
            results.append(_not_stored(item))
        elif found.sha256 == item.sha256:
            results.append(_acknowledged(found, duplicate=True))
        else:
            # Other content under a stored key: _store's answer, which names central's latest
            # revision while the referral is open (a store restored from an old backup).
            results.append(_store(session, device_id, item))
    return results


def _insert_first_generic(
    connection: Connection,
    device_id: int,
    items: list[_Prepared],
    receipts: dict[str, str],
    now: dt.datetime,
) -> dict[str, str]:
    """SQLite's: which items have later revisions, then one multi-row INSERT. The referral
    ids inserted, each with the status it was stored with."""
    superseded_ids = set(
        connection.scalars(
            select(Submission.referral_id)
            .where(Submission.referral_id.in_([item.referral_id for item in items]))
            .where(Submission.revision > 1)
        )
    )
    rows = []
    for item in items:
        status = WITHDRAWN if item.action == "withdraw" else RECEIVED
        if status == RECEIVED and item.referral_id in superseded_ids:
            status = SUPERSEDED
        rows.append(
            {
                "device_id": device_id,
                "referral_id": item.referral_id,
                "revision": item.revision,
                "supersedes": item.supersedes,
                "action": item.action,
                "note": item.note,
                "sha256": item.sha256,
                "content": item.content,
                "receipt": receipts[item.referral_id],
                "status": status,
                "status_reason": item.note if item.action == "withdraw" else "",
                "received_at": now,
                "status_at": now,
            }
        )
    # Core executemany: SQLAlchemy sends it as multi-row INSERTs from one cached statement.
    table = Submission.__table__
    insert = _insert_for(connection)(table).on_conflict_do_nothing()
    inserted = set(connection.execute(insert.returning(table.c.referral_id), rows).scalars())
    return {row["referral_id"]: row["status"] for row in rows if row["referral_id"] in inserted}


# What a resend is answered from (see _acknowledged), and compared by.
_ANSWER_COLUMNS = (
    Submission.referral_id,
    Submission.revision,
    Submission.receipt,
    Submission.status,
    Submission.status_reason,
    Submission.sha256,
)

# PostgreSQL's statements for a batch of first revisions. Each has one text whatever the
# batch's size (the batch goes as one array per column), so psycopg parses it once and
# PostgreSQL prepares it once per connection. SQLAlchemy's multi-row INSERT spelled out 13
# placeholders a row and its IN lists one a key, a new text for each batch size, which psycopg
# re-parsed on every request: a fifth of a worker's CPU under load (py-spy). The arrays go in
# binary (%(...)b): as text, psycopg escapes every quote of every content in Python, 9 ms a
# 50-item batch where binary takes 0.3 ms. Whether a referral already has later revisions
# (then its first is stored superseded, as _store does for a late arrival) is asked inside
# the INSERT: one round trip, not two.
# ORDER BY keeps the key order the rows are passed in (Python's code-point order, "C").
_INSERT_FIRST_POSTGRESQL = """
    INSERT INTO submissions (device_id, referral_id, revision, supersedes, action, note,
                             sha256, content, receipt, status, status_reason, received_at,
                             status_at)
    SELECT CAST(%(device_id)b AS integer), r.referral_id, 1, NULL, r.action, r.note, r.sha256,
           r.content, r.receipt,
           CASE WHEN r.action = 'withdraw' THEN CAST(%(withdrawn)b AS text)
                WHEN EXISTS (SELECT 1 FROM submissions later
                             WHERE later.referral_id = r.referral_id AND later.revision > 1)
                THEN CAST(%(superseded)b AS text)
                ELSE CAST(%(received)b AS text) END,
           CASE WHEN r.action = 'withdraw' THEN r.note ELSE '' END,
           CAST(%(now)b AS timestamptz), CAST(%(now)b AS timestamptz)
    FROM unnest(CAST(%(referral_id)b AS text[]), CAST(%(action)b AS text[]),
                CAST(%(note)b AS text[]), CAST(%(sha256)b AS text[]),
                CAST(%(content)b AS text[]), CAST(%(receipt)b AS text[]))
         AS r(referral_id, action, note, sha256, content, receipt)
    ORDER BY r.referral_id COLLATE "C"
    ON CONFLICT DO NOTHING
    RETURNING referral_id, status
"""
_ANSWERS_POSTGRESQL = """
    SELECT referral_id, revision, receipt, status, status_reason, sha256 FROM submissions
    WHERE referral_id = ANY(CAST(%(ids)b AS text[])) AND revision = 1
"""


def _insert_first_postgresql(
    connection: Connection,
    device_id: int,
    items: list[_Prepared],
    receipts: dict[str, str],
    now: dt.datetime,
) -> dict[str, str]:
    """The referral ids inserted, each with the status it was stored with (the others are
    keys already stored, by this or another transaction)."""
    parameters = {
        "device_id": device_id,
        "withdrawn": WITHDRAWN,
        "superseded": SUPERSEDED,
        "received": RECEIVED,
        "now": now,
        "referral_id": [item.referral_id for item in items],
        "action": [item.action for item in items],
        "note": [item.note for item in items],
        "sha256": [item.sha256 for item in items],
        "content": [item.content for item in items],
        "receipt": [receipts[item.referral_id] for item in items],
    }
    rows = connection.exec_driver_sql(_INSERT_FIRST_POSTGRESQL, parameters)
    return {referral_id: status for referral_id, status in rows}


def _insert_for(connection: Connection) -> Any:
    """The dialect's INSERT (both have ON CONFLICT DO NOTHING and RETURNING)."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


# --- status ------------------------------------------------------------------------------------


def _status_of(row: Submission) -> SubmissionStatus:
    return SubmissionStatus(
        referral_id=row.referral_id,
        revision=row.revision,
        action=row.action,
        status=row.status,
        reason=row.status_reason,
        receipt=row.receipt,
        received_at=_iso(row.received_at),
        status_at=_iso(row.status_at),
    )


def _iso(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:  # SQLite hands back naive datetimes; they were written as UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat()


def _sent_by(device_id: int) -> Any:
    """The referrals a device may read: those it has stored a revision of (each revision
    whichever device stored it, since a laptop given a new token goes on with its referrals)."""
    return select(Submission.referral_id).where(Submission.device_id == device_id)


def statuses(engine: Engine, device_id: int, keys: list[tuple[str, int]]) -> list[SubmissionStatus]:
    """The status of each of this device's keys that central holds (others are left out)."""
    wanted = set(keys)
    if not wanted:
        return []
    referral_ids = sorted({k[0] for k in wanted})
    found: list[SubmissionStatus] = []
    with Session(engine) as session:
        rows = session.scalars(
            select(Submission)
            .where(Submission.referral_id.in_(referral_ids))
            .where(Submission.referral_id.in_(_sent_by(device_id)))
        )
        for row in rows:
            if (row.referral_id, row.revision) in wanted:
                found.append(_status_of(row))
    return found


class HeldReferral(BaseModel):
    referral_id: str
    revision: int
    receipt: str


class HeldPage(BaseModel):
    """This device's referrals central holds, latest revision each, in referral id order."""

    referrals: list[HeldReferral]
    next_after: str = ""  # pass as ``after`` for the next page; "" when this was the last
    # Over all of them (every page): how many, and sha256 of "id:revision" lines in id order,
    # so a laptop that knows the same set can tell without listing it.
    count: int = 0
    digest: str = ""


def held_digest(keys: list[tuple[str, int]]) -> str:
    lines = "".join(f"{referral_id}:{revision}\n" for referral_id, revision in sorted(keys))
    return hashlib.sha256(lines.encode("ascii")).hexdigest()


def held_referrals(engine: Engine, device_id: int, *, after: str, limit: int) -> HeldPage:
    """Keys and receipts only (no content): enough for a laptop to notice that its outbox has
    forgotten referrals central holds (an outbox lost or restored from an older copy). With
    ``limit`` 0, only the count and digest."""
    with Session(engine) as session:
        everything = session.execute(
            select(Submission.referral_id, func.max(Submission.revision))
            .where(Submission.device_id == device_id)
            .group_by(Submission.referral_id)
        ).all()
    keys = [(row[0], row[1]) for row in everything]
    if limit == 0:
        return HeldPage(referrals=[], count=len(keys), digest=held_digest(keys))
    latest = (
        select(Submission.referral_id, func.max(Submission.revision).label("revision"))
        .where(Submission.device_id == device_id)
        .where(Submission.referral_id > after)
        .group_by(Submission.referral_id)
        .order_by(Submission.referral_id)
        .limit(limit + 1)
        .subquery()
    )
    with Session(engine) as session:
        rows = session.execute(
            select(Submission.referral_id, Submission.revision, Submission.receipt)
            .join(
                latest,
                (Submission.referral_id == latest.c.referral_id)
                & (Submission.revision == latest.c.revision),
            )
            .where(Submission.device_id == device_id)
            .order_by(Submission.referral_id)
        ).all()
    page = [HeldReferral(referral_id=r[0], revision=r[1], receipt=r[2]) for r in rows]
    more = len(page) > limit
    page = page[:limit]
    return HeldPage(
        referrals=page,
        next_after=page[-1].referral_id if more and page else "",
        count=len(keys),
        digest=held_digest(keys),
    )


def referral_history(engine: Engine, device_id: int, referral_id: str) -> list[SubmissionStatus]:
    with Session(engine) as session:
        rows = session.scalars(
            select(Submission)
            .where(Submission.referral_id == referral_id)
            .where(Submission.referral_id.in_(_sent_by(device_id)))
            .order_by(Submission.revision)
        )
        return [_status_of(row) for row in rows]


def set_status(
    engine: Engine,
    referral_id: str,
    revision: int | None,
    status: str,
    *,
    reason: str = "",
    by: str = "admin",
    device: str | None = None,
) -> SubmissionStatus:
    """Advance a submission (the latest revision unless one is named): accepted, attended,
    or rejected with a reason."""
    if status not in STATUSES:
        raise CentralError(f"unknown status {status!r}")
    if status == REJECTED and not reason.strip():
        raise CentralError("a rejection needs its reason")
    with Session(engine) as session, session.begin():
        query = select(Submission).where(Submission.referral_id == referral_id)
        if device is not None:
            query = query.join(Device).where(Device.name == device)
        rows = list(session.scalars(query.order_by(Submission.revision)))
        if not rows:
            raise CentralError(f"no referral {referral_id!r}")
        row = (
            rows[-1]
            if revision is None
            else next((r for r in rows if r.revision == revision), None)
        )
        if row is None:
            raise CentralError(f"no revision {revision} of referral {referral_id!r}")
        if status not in ADMIN_TRANSITIONS.get(row.status, ()):
            raise CentralError(f"a {row.status} referral cannot become {status}")
        row.status = status
        row.status_reason = _NOTE(reason)
        row.status_at = utcnow()
        session.add(
            StatusEvent(submission_id=row.id, status=status, reason=row.status_reason, by=by)
        )
        session.flush()
        return _status_of(row)


# --- providers ---------------------------------------------------------------------------------


def replace_providers(engine: Engine, providers: list[Provider]) -> int:
    """The whole directory, replaced in one transaction (a half-loaded directory never shows)."""
    ids = [p.id for p in providers]
    if len(ids) != len(set(ids)):
        raise CentralError("two providers share one id")
    with Session(engine) as session, session.begin():
        session.execute(delete(ProviderRow))
        for provider in providers:
            document = canonical_json(caseformat.provider_to_dict(provider)).decode("utf-8")
            session.add(ProviderRow(id=provider.id, document=document))
    return len(providers)


def providers_document(engine: Engine) -> tuple[bytes, str]:
    """The directory in the providers format, and its ETag (sha256 of those bytes)."""
    with Session(engine) as session:
        documents = session.scalars(select(ProviderRow.document).order_by(ProviderRow.id))
        providers = [json.loads(d) for d in documents]
    body = canonical_json(
        {
            "format": caseformat.PROVIDERS_FORMAT,
            "schema_version": caseformat.PROVIDERS_SCHEMA_VERSION,
            "providers": providers,
        }
    )
    return body, '"' + hashlib.sha256(body).hexdigest() + '"'

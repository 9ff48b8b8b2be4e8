"""Sending the outbox to central records exactly once. No Textual.

``SyncEngine`` sends batches of pending entries to ``POST /referrals/batch``. Each entry is
marked ``sent`` (durably) before its request leaves, and acknowledged only from central's
answer; central is idempotent on the key, so whatever was lost in between is simply sent again
and answered with the same receipt. Failures back off with full jitter.

Everything is asyncio + httpx; the clock, the random source and sleep are injectable so tests
and the benchmark can run the backoff in virtual or scaled time.

What the officer reads (the sync log's details, a retry's or a refusal's reason, errors) is said
in the officer's language when it happens and kept so: a line written in Welsh stays Welsh.
The log's events ("sync", "unreachable") are codes, never shown as they are.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import inspect
import json
import logging
import random
import re
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import attrs
import httpx

from duty_tui.i18n import _
from duty_tui.services.central_config import (
    RETENTION_DAYS_DEFAULT,
    CentralConfig,
    SyncConfigError,
    SyncError,
)
from duty_tui.services.provider_cache import PROVIDERS_TABLE, directory_doc, store_providers
from duty_tui.services.referrals import reconcile_cases
from records import caseformat
from records.payload import (
    MAX_ITEM_BYTES,
    canonical_json,
    content_sha256,
)
from records.text import network_text as _safe_text
from store.errors import StoreError
from store.outbox import (
    ACKNOWLEDGED,
    Acknowledged,
    Key,
    Outbox,
    OutboxEntry,
    OutboxError,
    Outcome,
    Rejected,
    Retry,
)

log = logging.getLogger(__name__)

MAX_RESPONSE_BYTES = 8 * 1024 * 1024
MAX_REQUEST_BYTES = 1024 * 1024  # central accepts 2 MiB; stay well inside it
_RECEIPT = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
# Central statuses after which nothing more will happen to a submission.
_FINAL_STATUSES = ("attended", "rejected", "superseded", "withdrawn")


# --- backoff ------------------------------------------------------------------------------------


@attrs.frozen
class Backoff:
    """Full-jitter exponential backoff: the n-th retry waits uniform(0, min(cap, base*2^(n-1)))."""

    base_s: float = 1.0
    cap_s: float = 300.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        ceiling = min(self.cap_s, self.base_s * 2 ** min(max(attempt - 1, 0), 30))
        return rng.uniform(0, ceiling)


# --- reports ------------------------------------------------------------------------------------


@attrs.frozen
class SyncProgress:
    """Handed to the progress callback after every batch (and once at the start)."""

    total: int
    done: int
    acknowledged: int
    rejected: int
    retrying: int
    message: str = ""


@attrs.frozen
class Rejection:
    referral_id: str
    revision: int
    case_id: str
    reason: str


@attrs.define
class SyncReport:
    attempted: int = 0
    acknowledged: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = attrs.field(factory=list)
    retrying: int = 0
    # Moved after central's latest revision (this laptop's store was older than central).
    renumbered: int = 0
    remaining: int = 0
    error: str = ""
    # An error that retrying will not cure (token refused, wrong URL): the officer must act.
    fatal: bool = False
    # Cases whose referrals changed state in this run (their views need reconciling).
    case_ids: set[str] = attrs.field(factory=set)

    @property
    def ok(self) -> bool:
        """Everything that was pending is acknowledged and nothing was refused."""
        return not self.rejected and self.remaining == 0 and not self.error

    def add(self, other: SyncReport) -> None:
        self.attempted += other.attempted
        self.acknowledged += other.acknowledged
        self.duplicates += other.duplicates
        self.rejected.extend(other.rejected)
        self.renumbered += other.renumbered
        self.retrying = other.retrying
        self.remaining = other.remaining
        self.error = other.error
        self.fatal = other.fatal
        self.case_ids |= other.case_ids


ProgressCallback = Callable[[SyncProgress], Awaitable[None] | None]


@attrs.frozen
class ProvidersRefresh:
    changed: bool
    count: int


# --- the engine ---------------------------------------------------------------------------------


class _Fatal(Exception):
    pass


class SyncEngine:
    """Sends the outbox to central. One engine per open store; all methods are coroutines
    except ``kick`` and the properties, and must run on one event loop.

    ``transport`` replaces httpx's network transport (tests: httpx.ASGITransport, a fault
    injector). ``clock``/``rng``/``sleep``/``backoff`` make retry timing testable and scalable.
    ``cases`` (a CaseRepository) has each affected case's Referral records reconciled after a
    sync, so a case view catches up with the outbox.
    """

    def __init__(
        self,
        outbox: Outbox,
        config: CentralConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] | None = None,
        rng: random.Random | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        backoff: Backoff = Backoff(),
        cases: Any = None,
        max_request_bytes: int = MAX_REQUEST_BYTES,
        failures_before_giving_up: int = 2,
        retention_s: float | None = RETENTION_DAYS_DEFAULT * 86_400.0,
    ) -> None:
        self.outbox = outbox
        self.config = config
        self._transport = transport
        self._clock = clock
        # Retries are scheduled on a monotonic clock: the wall clock (``clock``) can jump by
        # hours (a laptop's clock corrected, a time zone mishandled), and a wait must not jump
        # with it. A test that injects a virtual wall clock gets it as its monotonic one too.
        self._monotonic = monotonic or (time.monotonic if clock is time.time else clock)
        # key -> when (monotonic) it is due again. Entries not in here (this engine never saw
        # them fail: queued, or failed in an earlier run of the app) are due within the backoff
        # maximum at the latest, whatever wall-clock time the outbox holds for them.
        self._due: dict[Key, float] = {}
        self._rng = rng or random.SystemRandom()
        self._sleep = sleep
        self._backoff = backoff
        self._cases = cases
        self._max_request_bytes = max_request_bytes
        self._failures_before_giving_up = failures_before_giving_up
        self._retention_s = retention_s
        self._client: httpx.AsyncClient | None = None
        self._client_lock = threading.Lock()
        self._lock = asyncio.Lock()
        self._kicked = asyncio.Event()
        # Entries central refused with 409 "key used for other content", and central's latest
        # revision of each: renumbered after it once the batch's outcomes are recorded.
        self._moves: list[tuple[OutboxEntry, int]] = []
        self.reachable: bool | None = None
        self.last_report: SyncReport | None = None

    # --- plumbing ----------------------------------------------------------------------------

    def _http(self) -> httpx.AsyncClient:
        with self._client_lock:  # made in a thread (``_request``): one client, not two
            return self._make_client()

    def _make_client(self) -> httpx.AsyncClient:
        if self._client is None:
            with contextlib.suppress(ImportError):
                # httpcore imports anyio's asyncio backend at its first request, on the event
                # loop (tens of ms of the officer's screen): imported here, in the thread.
                import anyio._backends._asyncio  # noqa: F401

            timeout = httpx.Timeout(self.config.timeout_s, connect=min(self.config.timeout_s, 5))
            self._client = httpx.AsyncClient(
                base_url=self.config.url,
                transport=self._transport,
                timeout=timeout,
                headers={
                    "Authorization": f"Bearer {self.config.token}",
                    "User-Agent": "duty-tui-sync/1",
                },
                follow_redirects=False,  # a redirect could carry the token elsewhere
                trust_env=False,  # nor may an environment variable route it via a proxy
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def __aenter__(self) -> SyncEngine:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def _request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, httpx.Headers, bytes]:
        """One request; the response body is read with a size cap (central is not trusted)."""
        if self._client is None:
            # Off the loop: a new client loads the system's CA certificates (tens of ms).
            await asyncio.to_thread(self._http)
        request_headers = dict(headers or {})
        if body is not None:
            request_headers["Content-Type"] = "application/json"
        async with self._http().stream(
            method, path, content=body, headers=request_headers
        ) as response:
            chunks = bytearray()
            async for chunk in response.aiter_bytes():
                chunks += chunk
                if len(chunks) > MAX_RESPONSE_BYTES:
                    raise httpx.DecodingError(_("central's answer is too large"))
            return response.status_code, response.headers, bytes(chunks)

    async def _io(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run an outbox read or write off the event loop: each decrypts (and may fsync) the
        whole outbox, tens of ms with a thousand entries, which a Textual screen must not feel.
        The store is thread-safe; every outbox change is one locked read-modify-write."""
        return await asyncio.to_thread(function, *args, **kwargs)

    # --- reachability --------------------------------------------------------------------------

    async def probe(self, *, timeout_s: float = 3.0, asked: bool = False) -> bool:
        """Is central reachable and healthy right now? Never raises.

        The sync log tells the outage's story without a line per background probe: a line
        when central stops answering and one when it answers again, and a line for every
        attempt the officer asked for (``asked``) that found it down."""
        why = ""
        try:
            status, _headers, _body = await asyncio.wait_for(
                self._request("GET", "/health"), timeout_s
            )
            reachable = status == 200
            why = "" if reachable else _("central answered {status}").format(status=status)
        except (httpx.HTTPError, TimeoutError, OSError) as exc:
            reachable = False
            why = _unreachable(exc)
        was = self.reachable
        self.reachable = reachable
        if not reachable and (asked or was is not False):
            await self._log_reachability("unreachable", why, asked=asked)
        elif reachable and was is False:
            await self._log_reachability("reachable", _("central answered again"))
        return reachable

    async def _log_reachability(self, event: str, why: str, *, asked: bool = False) -> None:
        """A sync log line about central's reachability, with how many referrals wait. A disk
        error here loses only the line."""
        try:
            waiting = await self._io(self.outbox.pending_count)
            detail = _("{why}; the officer asked to sync").format(why=why) if asked else why
            await self._io(self.outbox.note, event, detail, count=waiting)
        except StoreError as exc:
            log.warning("sync log line not written (%s)", type(exc).__name__)

    # --- sending -------------------------------------------------------------------------------

    def _batches(self, entries: list[OutboxEntry]) -> list[list[tuple[OutboxEntry, bytes]]]:
        batches: list[list[tuple[OutboxEntry, bytes]]] = []
        current: list[tuple[OutboxEntry, bytes]] = []
        size = 0
        for entry in entries:
            item = canonical_json(
                {**entry.content(), "sha256": entry.sha256, "audit": submission_audit(entry)}
            )
            if current and (
                len(current) >= self.config.batch_size or size + len(item) > self._max_request_bytes
            ):
                batches.append(current)
                current, size = [], 0
            current.append((entry, item))
            size += len(item) + 1
        if current:
            batches.append(current)
        return batches

    def _retry(self, entries: Iterable[OutboxEntry], error: str) -> list[Outcome]:
        """Retries for entries that failed together: ONE delay for all of them, so they come
        due together and go out again as one batch (per-entry jitter turned one failed batch
        of 100 into dozens of one-item requests). The jitter still spreads devices apart."""
        entries = list(entries)
        if not entries:
            return []
        attempts = max(e.attempts for e in entries) + 1
        delay = min(self._backoff.delay(attempts, self._rng), self._backoff.cap_s)
        now, due = self._clock(), self._monotonic() + delay
        for entry in entries:
            self._due[entry.key] = due
        # The outbox keeps the wall-clock time for the log and for a later run of the app,
        # which caps it (see ``_due_at``): it is a hint, never a wait longer than the cap.
        return [Retry(e.key, now + delay, error) for e in entries]

    def _due_at(self, entry: OutboxEntry, wall_now: float, mono_now: float) -> float:
        """When (monotonic) ``entry`` may be sent again."""
        due = self._due.get(entry.key)
        if due is None:
            wait = min(max(0.0, entry.next_attempt_at - wall_now), self._backoff.cap_s)
            due = self._due[entry.key] = mono_now + wait
        return due

    def _due_now(self, entries: list[OutboxEntry]) -> list[OutboxEntry]:
        wall_now, mono_now = self._clock(), self._monotonic()
        live = {e.key for e in entries}
        for key in [k for k in self._due if k not in live]:
            del self._due[key]  # acknowledged or rejected meanwhile
        return [e for e in entries if self._due_at(e, wall_now, mono_now) <= mono_now]

    def next_wait(self) -> float | None:
        """Seconds until the earliest pending entry is due (0 if one is now), never more than
        the backoff maximum; None if nothing is pending."""
        return self._next_wait_of(self.outbox.pending())

    async def _next_wait(self) -> float | None:
        """As ``next_wait``, the outbox read off the event loop (the app's background loop
        asks twice a pass, and a read waits for any outbox write in progress)."""
        return self._next_wait_of(await self._io(self.outbox.pending))

    def _next_wait_of(self, entries: list[OutboxEntry]) -> float | None:
        if not entries:
            return None
        wall_now, mono_now = self._clock(), self._monotonic()
        due = min(self._due_at(e, wall_now, mono_now) for e in entries)
        return min(max(0.0, due - mono_now), self._backoff.cap_s)

    async def sync_once(
        self, progress: ProgressCallback | None = None, *, force: bool = False
    ) -> SyncReport:
        """Send what is due (everything pending if ``force``: the officer asked). One run at
        a time; a second caller waits for the first to finish, then runs."""
        async with self._lock:
            report = await self._sync(progress, force=force)
            await self._compact()
        self.last_report = report
        if self._cases is not None and report.case_ids:
            await self._io(reconcile_cases, self._cases, self.outbox, report.case_ids)
        return report

    async def _compact(self) -> None:
        """Drop the content of entries acknowledged longer ago than the retention period, in
        the same run as the sync (the CLI's and the app's): the outbox stays bounded. Only
        acknowledged entries are touched, so nothing that may still be sent loses its
        payload. A disk error here costs nothing but the compaction (retried next pass)."""
        if self._retention_s is None:
            return
        try:
            await self._io(self.outbox.compact_retained, self._retention_s)
        except StoreError as exc:
            log.warning("outbox not compacted (%s)", type(exc).__name__)

    async def _sync(self, progress: ProgressCallback | None, *, force: bool) -> SyncReport:
        report = SyncReport()
        entries = await self._io(self.outbox.pending)
        if not force:
            entries = self._due_now(entries)
        # Hashing and serialising every entry is tens of ms at a thousand: off the loop too.
        local, rejections, batches = await asyncio.to_thread(self._prepare, entries)
        report.rejected.extend(rejections)
        # Local refusals (never sent) are states like any other: the outbox learns first.
        if local:
            await self._io(self.outbox.record, local)
        total = len(entries)
        done = len(local)
        await _call(progress, self._progress(report, total, done, "sending"))
        queue = deque(batches)
        failures_in_a_row = 0
        report.case_ids.update(e.case_id for e in entries)
        while queue:
            batch = queue.popleft()
            try:
                outcomes, split = await self._send(batch, report)
            except _Fatal as exc:
                report.error, report.fatal = str(exc), True
                break
            if split:
                # Central refused the request as a whole: halve it, so one bad item ends up
                # alone and is refused alone, and the others go through.
                middle = len(batch) // 2
                queue.appendleft(batch[middle:])
                queue.appendleft(batch[:middle])
                continue
            await self._io(self.outbox.record, outcomes)
            if self._moves:
                await self._io(self._renumber, report)
            done += len(batch)
            retried = sum(1 for o in outcomes if isinstance(o, Retry))
            report.retrying += retried
            if retried == len(batch):
                failures_in_a_row += 1
                if failures_in_a_row >= self._failures_before_giving_up:
                    # Central is down or the network is: the rest back off too instead of
                    # each waiting out a timeout now (central never saw them; resending
                    # later is as safe as ever).
                    rest = [entry for b in queue for entry, _item in b]
                    await self._io(
                        self.outbox.record, self._retry(rest, _("central unreachable; not tried"))
                    )
                    report.retrying += len(rest)
                    break
            else:
                failures_in_a_row = 0
            await _call(progress, self._progress(report, total, done, "sending"))
        report.remaining = await self._io(self.outbox.pending_count)
        if report.attempted or report.rejected:
            await self._io(
                self.outbox.note,
                "sync",
                (
                    _(
                        "{acknowledged} acknowledged, {rejected} rejected, {retrying} to retry; "
                        "{error}"
                    )
                    if report.error
                    else _("{acknowledged} acknowledged, {rejected} rejected, {retrying} to retry")
                ).format(
                    acknowledged=report.acknowledged,
                    rejected=len(report.rejected),
                    retrying=report.retrying,
                    error=report.error,
                ),
                count=report.attempted,
            )
        await _call(progress, self._progress(report, total, done, "done"))
        return report

    def _prepare(
        self, entries: list[OutboxEntry]
    ) -> tuple[list[Outcome], list[Rejection], list[list[tuple[OutboxEntry, bytes]]]]:
        """Entries refused here (never sent), with their rejections, and the rest in batches."""
        local: list[Outcome] = []
        rejections: list[Rejection] = []
        sendable: list[OutboxEntry] = []
        for entry in entries:
            problem = _local_problem(entry)
            if problem:
                local.append(Rejected(entry.key, problem))
                rejections.append(_rejection(entry, problem))
            else:
                sendable.append(entry)
        return local, rejections, self._batches(sendable)

    @staticmethod
    def _progress(report: SyncReport, total: int, done: int, message: str) -> SyncProgress:
        return SyncProgress(
            total=total,
            done=done,
            acknowledged=report.acknowledged,
            rejected=len(report.rejected),
            retrying=report.retrying,
            message=message,
        )

    async def _send(
        self, batch: list[tuple[OutboxEntry, bytes]], report: SyncReport
    ) -> tuple[list[Outcome], bool]:
        """One request. Returns the outcomes to record, or (_, True) to split the batch."""
        entries = [entry for entry, _item in batch]
        # Durable before the request leaves: after a crash these are resent, never forgotten.
        await self._io(self.outbox.mark_sent, [e.key for e in entries])
        report.attempted += len(entries)
        body = b'{"items":[' + b",".join(item for _entry, item in batch) + b"]}"
        try:
            status, _headers, raw = await self._request("POST", "/referrals/batch", body)
        except httpx.TimeoutException:
            self.reachable = False
            return self._retry(entries, _("central did not answer in time")), False
        except (httpx.TransportError, httpx.DecodingError, OSError) as exc:
            self.reachable = False
            return self._retry(entries, _unreachable(exc)), False
        self.reachable = True
        if status == 200:
            return self._outcomes(entries, raw, report), False
        if status in (401, 403):
            raise _Fatal(_("central refused this device's token: check the token in settings"))
        if status in (404, 405):
            raise _Fatal(
                _("no central records service at {url} (HTTP {status})").format(
                    url=self.config.url, status=status
                )
            )
        if status in (400, 413, 415, 422):
            if not _from_central(status, raw):
                # A proxy or captive portal said no, not central: nothing is wrong with the
                # referrals, so neither split nor refuse them; send the batch again later.
                self.reachable = False
                error = _("HTTP {status} from something other than central").format(status=status)
                return self._retry(entries, error), False
            if len(entries) > 1:
                return [], True
            reason = _("central refused the referral (HTTP {status}): {detail}").format(
                status=status, detail=_detail(raw)
            )
            report.rejected.append(_rejection(entries[0], reason))
            return [Rejected(entries[0].key, reason)], False
        # 5xx, 408, 429 and anything unexpected: central did not promise anything; resend later.
        return self._retry(
            entries, _("central answered HTTP {status}").format(status=status)
        ), False

    def _outcomes(
        self, entries: list[OutboxEntry], raw: bytes, report: SyncReport
    ) -> list[Outcome]:
        """Per-item results, checked: anything central says that does not fit is a retry."""
        results: dict[Key, dict[str, Any]] = {}
        try:
            data = json.loads(raw)
            items = data["results"] if isinstance(data, dict) else None
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict):
                    key = (item.get("referral_id"), item.get("revision"))
                    if isinstance(key[0], str) and isinstance(key[1], int):
                        results[key] = item  # type: ignore[index]
        except (ValueError, KeyError, TypeError, RecursionError):
            results = {}
        outcomes: list[Outcome] = []
        missing: list[OutboxEntry] = []
        for entry in entries:
            item = results.get(entry.key)
            outcome = item.get("outcome") if item else None
            if outcome == "acknowledged" and _RECEIPT.match(str(item.get("receipt", ""))):
                status = _safe_text(item.get("status", ""), 24)
                outcomes.append(Acknowledged(entry.key, str(item["receipt"]), status))
                report.acknowledged += 1
                report.duplicates += bool(item.get("duplicate") is True)
            elif outcome == "rejected" and _moved_after(entry, item) is not None:
                self._moves.append((entry, _moved_after(entry, item) or 0))
            elif outcome == "rejected":
                code = item.get("code")
                reason = _safe_text(item.get("reason", ""), 1500) or _("no reason given")
                if isinstance(code, int) and not isinstance(code, bool):
                    reason = f"{code}: {reason}"
                outcomes.append(Rejected(entry.key, reason))
                report.rejected.append(_rejection(entry, reason))
            else:
                missing.append(entry)
        outcomes.extend(self._retry(missing, _("central did not confirm it")))
        return outcomes

    def _renumber(self, report: SyncReport) -> None:
        """Move each refused entry after central's latest revision (an outbox write each;
        rare: only after a store was put back to an older copy). One that cannot be moved (a
        later revision was queued meanwhile) is rejected with central's reason, as before."""
        moves, self._moves = self._moves, []
        refused: list[Outcome] = []
        for entry, latest in moves:
            try:
                self.outbox.renumber(entry.key, latest)
                report.renumbered += 1
            except OutboxError:
                reason = _("409: this key was already used for other content")
                refused.append(Rejected(entry.key, reason))
                report.rejected.append(_rejection(entry, reason))
        self.outbox.record(refused)

    async def drain(
        self,
        progress: ProgressCallback | None = None,
        *,
        max_time_s: float = 60.0,
        force_first: bool = True,
    ) -> SyncReport:
        """Sync, then keep retrying what failed (sleeping out its backoff) until nothing is
        pending, an error needs the officer, or ``max_time_s`` is up. For the command line."""
        deadline = self._monotonic() + max_time_s
        total = SyncReport()
        force = force_first
        while True:
            report = await self.sync_once(progress, force=force)
            total.add(report)
            force = False
            if report.fatal:
                break
            wait = self.next_wait()
            if wait is None or self._monotonic() + wait > deadline:
                break
            await self._sleep(wait)
        total.remaining = self.outbox.pending_count()
        return total

    # --- the background worker ------------------------------------------------------------------

    def kick(self) -> None:
        """Ask the running worker to sync now (the officer pressed "sync")."""
        self._kicked.set()

    async def run(
        self,
        stop: asyncio.Event,
        *,
        progress: ProgressCallback | None = None,
        on_report: Callable[[SyncReport], Awaitable[None] | None] | None = None,
        probe_interval_s: float = 30.0,
    ) -> None:
        """Probe central in the background; sync whenever it is reachable and something is
        due, at once when it comes back or on ``kick``. Returns when ``stop`` is set."""
        while not stop.is_set():
            was_reachable = self.reachable
            kicked = self._kicked.is_set()
            self._kicked.clear()
            fatal = False
            if await self.probe():
                next_wait = await self._next_wait()
                # Back after an outage, or asked: don't make the officer wait out backoffs.
                force = kicked or was_reachable is False
                if next_wait is not None and (force or next_wait <= 0):
                    report = await self.sync_once(progress, force=force)
                    fatal = report.fatal
                    await _call(on_report, report)
            if fatal:
                # Refused (token, address): sending again at once changes nothing and only
                # hammers central (which then answers 429). Again at the next probe, or when
                # the officer asks (new settings start a new engine).
                await _wait_any(stop, self._kicked, probe_interval_s)
                continue
            wait = probe_interval_s
            next_wait = await self._next_wait()
            if self.reachable and next_wait is not None:
                wait = min(wait, max(0.05, next_wait))
            await _wait_any(stop, self._kicked, wait)

    # --- providers and status ------------------------------------------------------------------

    async def refresh_providers(self) -> ProvidersRefresh:
        """Fetch the provider directory if it changed, validate all of it, store it whole.

        Raises SyncError if central cannot be reached or sends something that is not a valid
        directory; the cached directory is then left as it was.
        """
        table = await self._io(self.outbox.store.table, PROVIDERS_TABLE)
        cached = await self._io(directory_doc, table)
        headers = {"If-None-Match": cached["etag"]} if cached and cached.get("etag") else {}
        try:
            status, response_headers, raw = await self._request("GET", "/providers", None, headers)
        except (httpx.HTTPError, OSError) as exc:
            raise SyncError(_unreachable(exc)) from None
        if status == 304 and cached:
            return ProvidersRefresh(changed=False, count=len(cached.get("providers", [])))
        if status in (401, 403):
            raise SyncConfigError(_("central refused this device's token"))
        if status != 200:
            raise SyncError(_("central answered HTTP {status}").format(status=status))
        try:
            providers = caseformat.load_providers(raw)
        except caseformat.CaseFormatError as exc:
            raise SyncError(
                _("central sent an invalid provider directory: {problem}").format(problem=exc)
            ) from None
        count = await self._io(
            store_providers,
            self.outbox.store,
            providers,
            source="central",
            etag=str(response_headers.get("etag", "")),
            clock=self._clock,
        )
        return ProvidersRefresh(changed=True, count=count)

    async def refresh_status(self) -> int:
        """Read back central's status of acknowledged referrals (accepted, attended, ...).
        Returns how many changed."""
        keys = [
            key
            for key, status in await self._io(self.outbox.central_statuses)
            if status not in _FINAL_STATUSES
        ]
        changed = 0
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            body = canonical_json({"keys": [{"referral_id": r, "revision": v} for r, v in chunk]})
            try:
                status, _headers, raw = await self._request("POST", "/referrals/status", body)
            except (httpx.HTTPError, OSError) as exc:
                raise SyncError(_unreachable(exc)) from None
            if status in (401, 403):
                raise SyncConfigError(_("central refused this device's token"))
            if status != 200:
                continue
            # Parsed and cleaned off the loop: 500 statuses at a time.
            statuses = await asyncio.to_thread(_statuses, raw, set(chunk))
            if statuses is None:
                continue
            changed += await self._io(self.outbox.set_central_status, statuses)
        return changed

    async def verify_acknowledged(self, *, chunk: int = 500) -> list[Key]:
        """Check that central still holds every acknowledged referral (key and content), one
        digest per ``chunk`` keys, and queue again what it does not (a central database put
        back to an older copy): the next sync resends them. Returns the keys requeued.
        Compacted entries (payload dropped) cannot be resent and are not asked about."""
        verifiable = await self._io(self.outbox.verifiable)
        lost: list[Key] = []
        for start in range(0, len(verifiable), chunk):
            keys = verifiable[start : start + chunk]
            mine = _verify_digest(keys)
            answer = await self._verify(keys, list_missing=False)
            if answer.get("digest") == mine:
                continue
            answer = await self._verify(keys, list_missing=True)
            asked = {(r, v) for r, v, _sha in keys}
            missing = answer.get("missing")
            if not isinstance(missing, list):
                raise SyncError(_("central sent an answer that is not a verification"))
            for item in missing:
                if not isinstance(item, dict):
                    continue
                key = (item.get("referral_id"), item.get("revision"))
                if not (isinstance(key[0], str) and type(key[1]) is int):
                    continue
                if key in asked:  # only keys we asked about: central's word is checked
                    lost.append(key)  # type: ignore[arg-type]
        if lost:
            await self._io(
                self.outbox.reopen, lost, _("central no longer held it (acknowledged before)")
            )
            for key in lost:
                self._due.pop(key, None)
        return lost

    async def _ok_body(self, method: str, path: str, body: bytes | None) -> bytes:
        """The body of central's 200 answer; SyncConfigError for a refused token, SyncError
        for anything else (unreachable, another status)."""
        try:
            status, _headers, raw = await self._request(method, path, body)
        except (httpx.HTTPError, OSError) as exc:
            raise SyncError(_unreachable(exc)) from None
        if status in (401, 403):
            raise SyncConfigError(_("central refused this device's token"))
        if status != 200:
            raise SyncError(_("central answered HTTP {status}").format(status=status))
        return raw

    async def _verify(self, keys: list[tuple[str, int, str]], *, list_missing: bool) -> dict:
        body = canonical_json(
            {
                "keys": [{"referral_id": r, "revision": v, "sha256": s} for r, v, s in keys],
                "list_missing": list_missing,
            }
        )
        raw = await self._ok_body("POST", "/referrals/verify", body)
        try:
            answer = json.loads(raw)
        except (ValueError, RecursionError):
            answer = None
        if not isinstance(answer, dict):
            raise SyncError(_("central sent an answer that is not a verification"))
        return answer

    async def forgotten_referrals(self, *, page: int = 1000) -> list[Key]:
        """Referrals central holds from this device that the outbox does not know (latest
        revision each): the sign of an outbox lost or put back to an older copy, which the
        laptop alone cannot see. Keys only; central sends no content here."""
        known: dict[str, int] = {}
        acknowledged: dict[str, int] = {}
        for referral_id, revision, state in await self._io(self.outbox.key_states):
            known[referral_id] = max(revision, known.get(referral_id, 0))
            if state == ACKNOWLEDGED:
                acknowledged[referral_id] = max(revision, acknowledged.get(referral_id, 0))
        # Usually central holds exactly what it has acknowledged to us: one small request.
        lines = "".join(f"{r}:{v}\n" for r, v in sorted(acknowledged.items()))
        mine = hashlib.sha256(lines.encode("ascii")).hexdigest()
        try:
            status, _headers, raw = await self._request("GET", "/referrals?limit=0", None)
            if status == 200 and json.loads(raw).get("digest") == mine:
                return []
        except (httpx.HTTPError, OSError) as exc:
            raise SyncError(_unreachable(exc)) from None
        except (ValueError, AttributeError):
            pass  # compared the long way below
        forgotten: list[Key] = []
        after = ""
        for _attempt in range(100_000 // page + 1):  # bounded, whatever central sends
            query = f"/referrals?limit={page}" + (f"&after={after}" if after else "")
            raw = await self._ok_body("GET", query, None)
            try:
                document = json.loads(raw)
                items = document["referrals"]
                after = str(document.get("next_after", ""))
                for item in items:
                    referral_id, revision = str(item["referral_id"]), int(item["revision"])
                    if not _SAFE_ID.fullmatch(referral_id):
                        continue  # not ours to quote
                    if revision > known.get(referral_id, 0):
                        forgotten.append((referral_id, revision))
            except (ValueError, KeyError, TypeError, AttributeError):
                raise SyncError(_("central sent an answer that is not a referral list")) from None
            if not after or not _SAFE_ID.fullmatch(after):
                break
        return forgotten


# --- helpers ------------------------------------------------------------------------------------


async def _call(callback: Callable[[Any], Any] | None, value: Any) -> None:
    if callback is None:
        return
    result = callback(value)
    if inspect.isawaitable(result):
        await result


async def _wait_any(stop: asyncio.Event, kicked: asyncio.Event, timeout: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(kicked.wait())]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


_SAFE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _from_central(status: int, raw: bytes) -> bool:
    """Is this error answer provably central's own (its structured body, naming the same
    status)? Only then is a refusal final."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return False
    marker = data.get("error") if isinstance(data, dict) else None
    return (
        isinstance(marker, dict)
        and marker.get("service") == "duty-central"
        and marker.get("status") == status
        and "detail" in data
    )


def _verify_digest(keys: list[tuple[str, int, str]]) -> str:
    """As central's ``verify_digest``: sha256 of sorted "id:revision:sha256" lines."""
    lines = "".join(f"{r}:{v}:{s}\n" for r, v, s in sorted(keys))
    return hashlib.sha256(lines.encode("ascii")).hexdigest()


def _statuses(raw: bytes, asked: set[Key]) -> dict[Key, str] | None:
    """Central's status of each key asked about, from its answer (only keys we asked about:
    central's word is checked); None if the answer is not a list of statuses."""
    statuses: dict[Key, str] = {}
    try:
        for item in json.loads(raw).get("statuses", []):
            key = (item["referral_id"], item["revision"])
            if key in asked:
                statuses[key] = _safe_text(item["status"], 24)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return statuses


def _moved_after(entry: OutboxEntry, item: dict[str, Any]) -> int | None:
    """Central's latest revision if it refused ``entry`` only because that revision number
    already holds other content there (and the referral is still open); else None."""
    latest = item.get("latest_revision")
    if item.get("code") != 409 or not isinstance(latest, int) or isinstance(latest, bool):
        return None
    # Checked, not trusted: at or after this revision, and within central's own limit.
    return latest if entry.revision <= latest < 100_000 else None


def _unreachable(exc: BaseException) -> str:
    return _("central unreachable ({error})").format(error=type(exc).__name__)


def _detail(raw: bytes) -> str:
    try:
        detail = json.loads(raw).get("detail", "")
    except (ValueError, AttributeError):
        return ""
    return _safe_text(detail if isinstance(detail, str) else json.dumps(detail), 500)


def _local_problem(entry: OutboxEntry) -> str:
    """Why an entry must not be sent at all (never expected: a frozen entry that changed)."""
    if entry.payload is None:
        return _("the payload was removed before central acknowledged it")
    if content_sha256(entry.content()) != entry.sha256:
        return _("the queued content no longer matches its sha256")
    if len(canonical_json(entry.content())) > MAX_ITEM_BYTES:
        return _("larger than {size} bytes").format(size=MAX_ITEM_BYTES)
    return ""


def _rejection(entry: OutboxEntry, reason: str) -> Rejection:
    return Rejection(entry.referral_id, entry.revision, entry.case_id, reason)


def submission_audit(entry: OutboxEntry) -> dict[str, str]:
    """Who queued the referral and when (UTC, to the second), sent beside its content for
    central's record of arrivals (central/service.py, ItemAudit); no case content."""
    import datetime as dt

    at = dt.datetime.fromtimestamp(entry.created_at, dt.UTC).replace(microsecond=0)
    return {"queued_by": entry.queued_by[:120], "queued_at": at.isoformat()}

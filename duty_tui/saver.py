"""The app's one writer: saves cases and drafts in a background thread, in order.

Every save is durable when ``CaseRepository.save`` returns (an fsync or two), which is too slow
to do between two key presses on a tired laptop disk, so the UI hands the latest valid Case to
:class:`Saver` and carries on. Only the newest version of each case is written; ``flush()``
writes whatever is waiting in the caller's thread and returns when it is on disk (quit, lock,
SIGHUP). No Textual here: results are reported through the callbacks.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from records.model import Case
    from store import Store
    from store.cases import CaseRepository

log = logging.getLogger(__name__)

DRAFTS_TABLE = "drafts"

# A failed save is tried again after this long (a full disk may be cleared meanwhile).
RETRY_S = 5.0

# Cases written together in one durable step (Store.save_cases) when many wait: a sync can
# hand over a thousand. Bounded, because the store's lock is held for the whole step and the
# app's own reads wait behind it: 50 cases is tens of ms.
BATCH = 50

# What of a case may be left unsaved, as the officer is told.
CHANGES = "its changes"
DRAFTS = "text kept for fields"


class Saver:
    def __init__(
        self,
        store: Store,
        repo: CaseRepository,
        *,
        on_saved: Callable[[str], None] = lambda case_id: None,
        on_failed: Callable[[str, str], None] = lambda case_id, reason: None,
    ) -> None:
        self._store = store
        self._repo = repo
        self._on_saved = on_saved
        self._on_failed = on_failed
        self._cv = threading.Condition()
        self._cases: dict[str, Case] = {}
        self._drafts: dict[str, dict[str, str]] = {}
        # What failed to save, tried again after RETRY_S, on the next save or on flush.
        self._retry_cases: dict[str, Case] = {}
        self._retry_drafts: dict[str, dict[str, str]] = {}
        # Taken from the queue and being written now (what ``latest`` still has to answer).
        self._writing: dict[str, Case] = {}
        # What is not on disk after a failed write: case id -> what ("its changes", "text kept
        # for fields") -> the reason. Emptied as each is written.
        self._failed: dict[str, dict[str, str]] = {}
        # Held while writing, by the thread or by a flush, so writes never interleave and a
        # flush returns only after the thread's write in progress has finished too.
        self._io = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="duty-tui-saver", daemon=True)
        self._thread.start()

    # --- what the UI calls -------------------------------------------------------------------

    def save_case(self, case: Case) -> None:
        with self._cv:
            self._cases[case.id] = case
            self._cv.notify()

    def save_cases(self, cases: list[Case]) -> None:
        """Many cases at once (a sync's results): one hand-over, written in batches."""
        with self._cv:
            for case in cases:
                self._cases[case.id] = case
            self._cv.notify()

    def latest(self, case_id: str) -> Case | None:
        """The newest version of the case not known to be on disk (waiting, being written, or
        to be tried again); None if there is none. What a case opened now must show."""
        with self._cv:
            for waiting in (self._cases, self._writing, self._retry_cases):
                if case_id in waiting:
                    return waiting[case_id]
            return None

    def save_drafts(self, case_id: str, fields: dict[str, str]) -> None:
        with self._cv:
            self._drafts[case_id] = dict(fields)
            self._cv.notify()

    @property
    def pending(self) -> int:
        with self._cv:
            return len(self._cases) + len(self._drafts)

    @property
    def failed(self) -> set[str]:
        """Cases with something that a write failed to put on disk (tried again)."""
        with self._cv:
            return set(self._failed)

    def unsaved(self) -> dict[str, dict[str, str]]:
        """What is not on disk: case id -> {what: reason}; what is "its changes" or "text
        kept for fields". Names no content, so it can be shown as it is."""
        with self._cv:
            waiting = {cid: {"its changes": "waiting to be written"} for cid in self._cases}
            for cid in self._drafts:
                waiting.setdefault(cid, {})["text kept for fields"] = "waiting to be written"
            for cid, failures in self._failed.items():
                waiting.setdefault(cid, {}).update(failures)
            return waiting

    def _fail(self, case_id: str, what: str, reason: str) -> None:
        with self._cv:
            self._failed.setdefault(case_id, {})[what] = reason

    def _succeed(self, case_id: str, what: str) -> bool:
        """Forget a failure of ``what``; True if nothing of the case is left failing."""
        with self._cv:
            failures = self._failed.get(case_id)
            if failures is not None:
                failures.pop(what, None)
                if not failures:
                    del self._failed[case_id]
            return case_id not in self._failed

    def flush(self) -> bool:
        """Write everything waiting, in this thread; True if all of it reached the disk."""
        with self._io:
            cases, drafts = self._take()
            return self._write(cases, drafts)

    def close(self) -> bool:
        """Flush, then stop the thread. Idempotent."""
        with self._cv:
            self._closed = True
            self._cv.notify()
        ok = self.flush()
        self._thread.join(timeout=5)
        return ok

    # --- the thread --------------------------------------------------------------------------

    def _take(self) -> tuple[dict[str, Case], dict[str, dict[str, str]]]:
        with self._cv:
            cases = {**self._retry_cases, **self._cases}
            drafts = {**self._retry_drafts, **self._drafts}
            self._cases, self._drafts = {}, {}
            self._retry_cases, self._retry_drafts = {}, {}
            self._writing = dict(cases)
            return cases, drafts

    def _run(self) -> None:
        while True:
            with self._cv:
                while not (self._cases or self._drafts or self._closed):
                    if self._retry_cases or self._retry_drafts:
                        if not self._cv.wait(timeout=RETRY_S):
                            break  # time to try the failed ones again
                    else:
                        self._cv.wait()
                if self._closed:
                    return
            with self._io:
                cases, drafts = self._take()
                self._write(cases, drafts)

    def _write(self, cases: dict[str, Case], drafts: dict[str, dict[str, str]]) -> bool:
        from store import StoreError

        ok = True
        try:
            waiting = list(cases.values())
            while waiting:
                # One case alone: its own save. Several: one durable step per BATCH.
                batch, waiting = waiting[:BATCH], waiting[BATCH:]
                ok = self._write_cases(batch) and ok
        finally:
            with self._cv:
                self._writing = {}
        for case_id, fields in drafts.items():
            try:
                self._write_drafts(case_id, fields)
            except (StoreError, OSError) as exc:
                ok = False
                with self._cv:
                    if case_id not in self._drafts:
                        self._retry_drafts[case_id] = fields
                self._fail(case_id, DRAFTS, disk_reason(exc))
                log.warning("saving drafts of case %s failed: %s", case_id, exc)
                self._on_failed(case_id, disk_reason(exc))
            else:
                if self._succeed(case_id, DRAFTS):
                    self._on_saved(case_id)
        return ok

    def _write_cases(self, cases: list[Case]) -> bool:
        from store import StoreError

        if len(cases) > 1:
            try:
                self._repo.save_many(cases)
            except (StoreError, OSError):
                pass  # each is its old or new version: written again one by one, to say which
            else:
                for case in cases:
                    self._saved(case.id)
                return True
        ok = True
        for case in cases:
            try:
                self._repo.save(case)
            except (StoreError, OSError) as exc:
                ok = False
                with self._cv:
                    # A later edit that arrived meanwhile supersedes this version.
                    if case.id not in self._cases:
                        self._retry_cases[case.id] = case
                self._fail(case.id, CHANGES, disk_reason(exc))
                log.warning("saving case %s failed: %s", case.id, exc)
                self._on_failed(case.id, disk_reason(exc))
            else:
                self._saved(case.id)
        return ok

    def _saved(self, case_id: str) -> None:
        with self._cv:
            self._writing.pop(case_id, None)
        if self._succeed(case_id, CHANGES):
            self._on_saved(case_id)

    def _write_drafts(self, case_id: str, fields: dict[str, str]) -> None:
        from tinydb import Query

        table = self._store.table(DRAFTS_TABLE)
        where = Query().case_id == case_id
        if fields:
            table.upsert({"case_id": case_id, "fields": fields}, where)
        else:
            table.remove(where)


def disk_reason(exc: Exception) -> str:
    """Why a write failed, as the officer reads it: the disk's own words first ("No space left
    on device"), then what was being written, so that a narrow line cut short still says why."""
    if isinstance(exc, OSError) and exc.errno:
        what = getattr(exc, "what", None)
        text = os.strerror(exc.errno)
        return f"{text} ({what})" if what else text
    return str(exc)


def load_drafts(store: Store) -> dict[str, dict[str, str]]:
    """Text typed into fields that did not hold a valid value, by case id and field key."""
    drafts: dict[str, dict[str, str]] = {}
    for doc in store.table(DRAFTS_TABLE).all():
        case_id: Any = doc.get("case_id")
        fields: Any = doc.get("fields")
        if isinstance(case_id, str) and isinstance(fields, dict):
            drafts[case_id] = {str(k): str(v) for k, v in fields.items()}
    return drafts

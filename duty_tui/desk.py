"""The officer's desk: the unlocked store and everything kept alongside it, with no Textual.

One :class:`Desk` lives from unlock to quit. It owns the store, the case repository, the
background saver, the duty list's index, the drafts (text typed that a record could not take),
the provider directory and the referral outbox, and it is the one way to change any of them:
screens ask the desk, never the store. What happens in the background (a case reached the disk,
a save failed) is announced through one plain callback with a :class:`DeskEvent`; the app turns
those into Textual messages for the screens.

Keeping this out of the app lets the same session run under a test, a script or another front
end, and lets the app be about screens, keys and locking.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import attrs

from duty_tui.config import OfficerProfile

if TYPE_CHECKING:
    from duty_tui.saver import Saver
    from duty_tui.services.central_config import CentralConfig
    from duty_tui.services.duty_index import DutyIndex
    from duty_tui.services.health import Finding
    from duty_tui.services.options import Directory
    from records.model import Case
    from store import Store
    from store.cases import CaseRepository
    from store.outbox import Outbox

log = logging.getLogger(__name__)


@attrs.frozen
class CaseSaved:
    """A case is on disk (announced from the saver's thread)."""

    case_id: str


@attrs.frozen
class CaseSaveFailed:
    """A case, or the text kept for its fields, could not be written; the reason names a file
    or an error, never case content. The saver tries again by itself."""

    case_id: str
    reason: str


@attrs.frozen
class StoreTrouble:
    """A file of the store turned out damaged or missing while the session used it (the
    provider directory, say, now started again empty): :meth:`Desk.new_problems` names it."""


DeskEvent = CaseSaved | CaseSaveFailed | StoreTrouble


@attrs.frozen
class PurgeResult:
    """What a purge did: the cases it removed, and the day each settled case left will go."""

    purged: tuple[str, ...] = ()
    later: dict[str, dt.date] = attrs.Factory(dict)


@attrs.frozen
class Reconciled:
    """A stored case with its Referral records brought in line with the outbox, not saved
    yet: its summary for the duty list, and the desk's count of loads and saves of the case
    when it was read (:meth:`Desk.commit_reconcile` saves it only if that has not moved)."""

    case: Case
    summary: dict[str, Any]
    touched: int


class Desk:
    """An unlocked store and what the officer's session keeps alongside it."""

    def __init__(
        self,
        store: Store,
        profile: OfficerProfile,
        *,
        today: Callable[[], dt.date] = dt.date.today,
        on_event: Callable[[DeskEvent], None] = lambda event: None,
        on_queued: Callable[[], None] = lambda: None,
    ) -> None:
        from duty_tui.saver import Saver, load_drafts
        from duty_tui.services.duty_index import DutyIndex
        from store.cases import CaseRepository

        self.store = store
        self.profile = profile
        self._on_event = on_event
        self.today = today
        # Something was queued: the sync (if any) should look now. Set by whoever runs it.
        self.on_queued = on_queued
        self.repo: CaseRepository = CaseRepository(store)
        self.saver: Saver = Saver(
            store,
            self.repo,
            on_saved=lambda case_id: on_event(CaseSaved(case_id)),
            on_failed=lambda case_id, reason: on_event(CaseSaveFailed(case_id, reason)),
        )
        self.index: DutyIndex = DutyIndex(self.repo.summaries())
        # case id -> field key -> text typed that the record could not take (shown with its
        # reason until corrected).
        self.drafts: dict[str, dict[str, str]] = load_drafts(store)
        self._directory: Directory | None = None
        self._outbox: Outbox | None = None
        self._told: list[Any] = []
        # The version of each case last seen, so an edit's audit entry can name what changed.
        self._seen: dict[str, Case] = {}
        # Counts every load and save of a case by the app: a sync's reconcile, worked out in a
        # thread from the case as stored, is saved only if the count has not moved since it
        # read the case (otherwise the officer has it, or saved a newer version meanwhile).
        self._touched: dict[str, int] = {}
        from duty_tui.services.audit import AuditLog

        self.audit_log = AuditLog(store, profile.officer.name)
        self.closed = False

    # --- cases -------------------------------------------------------------------------------

    def load_case(self, case_id: str) -> Case:
        # A version of this case may still be on its way to disk (left a moment ago, or a
        # sync's result): open that one, or the case would open as it was before and the next
        # edit would undo it. Not a flush: behind the one case may wait a thousand others.
        self._touch(case_id)
        case = self.saver.latest(case_id) or self.repo.get(case_id)
        self._seen[case_id] = case
        return case

    def _touch(self, case_id: str) -> None:
        self._touched[case_id] = self._touched.get(case_id, 0) + 1

    def save_case(self, case: Case) -> None:
        """Hand the case to the saver and update the duty list's row at once."""
        from duty_tui.services.audit import changed_fields
        from records.summary import case_summary

        self._touch(case.id)
        created = case.id not in self.index
        fields = changed_fields(self._seen.get(case.id), case)
        self._seen[case.id] = case
        self.index.update(case.id, case_summary(case))
        self.saver.save_case(case)
        if created:
            self.audit("case created", case)
        elif fields:
            self.audit("case edited", case, fields, durable=False)

    def audit(
        self, action: str, case: Case | None = None, detail: Iterable[str] = (), **kw: Any
    ) -> None:
        """Add to the audit trail (services/audit.py). A trail that cannot be written must not
        cost the officer the work itself: the failure is logged by kind and the work goes on."""
        try:
            self.audit_log.record(
                action,
                case_id=case.id if case is not None else None,
                case_number=case.case_number if case is not None else None,
                detail=detail,
                **kw,
            )
        except Exception as exc:
            log.warning("the audit trail could not be written (%s)", type(exc).__name__)

    def set_drafts(self, case_id: str, fields: dict[str, str]) -> None:
        if fields:
            self.drafts[case_id] = dict(fields)
        else:
            self.drafts.pop(case_id, None)
        self.saver.save_drafts(case_id, fields)

    def drafts_of(self, case_id: str) -> dict[str, str]:
        return self.drafts.setdefault(case_id, {})

    # --- the provider directory ----------------------------------------------------------------

    def directory(self) -> Directory:
        """The provider directory the rules choose from: the copy last fetched from central
        (or imported with ``duty-tui providers import``), else the shipped fictional sample."""
        if self._directory is None:
            from duty_tui.services.options import Directory, sample_directory
            from duty_tui.services.provider_cache import cached_providers

            providers, _fetched = cached_providers(self.store)
            self._directory = (
                Directory(providers, source="provider directory")
                if providers
                else sample_directory()
            )
            if any(p not in self._told for p in [*self.store.problems(), *self.store.told()]):
                self._on_event(StoreTrouble())
        return self._directory

    def forget_directory(self) -> None:
        """The stored directory changed (a refresh from central): read it again when asked."""
        self._directory = None

    # --- referrals -----------------------------------------------------------------------------

    def outbox(self) -> Outbox:
        if self._outbox is None:
            from store.outbox import Outbox

            # Every referral queued here names its officer to central (services/sync_engine).
            self._outbox = Outbox(self.store, queued_by=self.profile.officer.name)
        return self._outbox

    def _referral_change(self, case: Case, change: Callable[..., Case], *args: Any) -> Case:
        """Run a queue/amend/withdraw (services/referrals.py) on ``case`` as the officer sees
        it. The saver's copy goes to disk first: the change reads the case from the store, and
        must build the payload from what is on screen, not from a version a moment old.
        Raises PayloadError (problems to show) or StoreError; nothing is half-done then."""
        self.save_case(case)
        if not self.saver.flush():
            from records.payload import PayloadError

            raise PayloadError(["the case could not be saved first; see the save message"])
        updated = change(self.repo, self.outbox(), case.id, *args)
        self.save_case(updated)  # the index (duty-list badge); the file is already current
        self.on_queued()
        return updated

    def queue_referral(
        self, case: Case, direction_id: str, *, against_advice_confirmed: bool = False
    ) -> Case:
        """Queue the referral for a direction, if the rules say it is ready: made by the court,
        provider chosen, funded, nothing unknown or blocking (services.assessment.readiness).
        One the court directed against the rules' advice goes only with
        ``against_advice_confirmed``: the officer's "yes" to a question naming it."""
        from duty_tui.services.assessment import ready_to_queue
        from duty_tui.services.referrals import queue_referral

        case = ready_to_queue(
            case,
            direction_id,
            self.directory(),
            today=self.today(),
            against_advice_confirmed=against_advice_confirmed,
        )
        updated = self._referral_change(case, queue_referral, direction_id)
        detail = [f"direction {direction_id}"]
        if any(d.id == direction_id and d.court_override for d in updated.directions):
            detail.append("court_override")  # the field's name: the reason stays in the case
        self.audit("referral queued", updated, detail)
        return updated

    def record_court_override(self, case: Case, direction_id: str, *, withdrawn: bool) -> None:
        """The audit trail's entry for a court's direction against the rules' advice recorded
        (or its record withdrawn): which direction and field, never the court's words."""
        action = "court override withdrawn" if withdrawn else "court override recorded"
        self.audit(action, case, [f"direction {direction_id}", "court_override"])

    def amend_referral(self, case: Case, referral_id: str) -> Case:
        from duty_tui.services.referrals import amend_referral

        updated = self._referral_change(case, amend_referral, referral_id)
        self.audit("referral amended", updated, [f"referral {referral_id}"])
        return updated

    def withdraw_referral(self, case: Case, referral_id: str, reason: str) -> Case:
        from duty_tui.services.referrals import withdraw_referral

        updated = self._referral_change(case, withdraw_referral, referral_id, reason)
        self.audit("referral withdrawn", updated, [f"referral {referral_id}"])
        return updated

    def reconcile(self, case: Case) -> Case:
        """``case`` with its Referral records brought in line with the outbox."""
        from duty_tui.services.referrals import reconcile_case

        return reconcile_case(case, self.outbox())

    def prepare_reconcile(self, case_ids: Iterable[str]) -> list[Reconciled]:
        """The stored cases (not open on screen: an open one goes through :meth:`reconcile`
        and its screen) whose Referral records differ from the outbox, brought in line but
        not saved, each with the desk's count of its loads and saves when this began. From
        any thread (it only reads: the outbox once, then each case); the app's loop then
        decides with :meth:`commit_reconcile`."""
        from duty_tui.services.referrals import latest_by_case, reconciled_against
        from records.caseformat import CaseFormatError
        from records.summary import case_summary
        from store import StoreError

        wanted = sorted(set(case_ids))
        # Counted before the outbox is read: a referral queued after that read comes with a
        # save of its case, which moves the count, and the case is left to the next round
        # (otherwise the new referral, unknown to this read, would be put back to a draft).
        touched = {case_id: self._touched.get(case_id, 0) for case_id in wanted}
        index = latest_by_case(self.outbox())
        prepared: list[Reconciled] = []
        for case_id in wanted:
            try:
                case = self.saver.latest(case_id) or self.repo.get(case_id)
            except (StoreError, CaseFormatError):
                continue  # an unreadable case has no view to fix (it is reported at unlock)
            updated = reconciled_against(case, index.get(case_id, {}))
            if updated is not case:
                prepared.append(Reconciled(updated, case_summary(updated), touched[case_id]))
        return prepared

    def commit_reconcile(
        self, prepared: Iterable[Reconciled], is_open: Callable[[str], bool]
    ) -> tuple[list[Case], set[str]]:
        """On the thread that edits cases: hand to the saver every prepared case the app has
        not loaded or saved since it was read, and is not open (``is_open``). Returns those
        saved and the ids left out (to be reconciled again from what the officer has)."""
        saved: list[Case] = []
        stale: set[str] = set()
        for item in prepared:
            case = item.case
            if self._touched.get(case.id, 0) != item.touched or is_open(case.id):
                stale.add(case.id)
                continue
            self._touch(case.id)
            self._seen[case.id] = case
            self.index.update(case.id, item.summary)
            saved.append(case)
        if saved:
            self.saver.save_cases(saved)
        return saved, stale

    def audit_sync(self, cases: Iterable[Case]) -> None:
        """One "sync" entry a case (ids and states, no content), in one write. Any thread."""
        items = [("sync", c.id, c.case_number, _referral_states(c)) for c in cases]
        try:
            self.audit_log.record_many(items)
        except Exception as exc:
            log.warning("the audit trail could not be written (%s)", type(exc).__name__)

    # --- keeping only what is needed (services/purge.py) -----------------------------------------

    def purge_due(self, exclude: Iterable[str] = ()) -> PurgeResult:
        """Purge the settled cases past their retention period, but none in ``exclude`` (open
        on screen) or with text waiting in a field; and say when the others will go. Store
        work only: safe in a thread; :meth:`apply_purge` then updates the duty list."""
        from duty_tui.services.purge import plan_purge, purge

        if not self.saver.flush():
            # An edit that has not reached the disk is newer than the case the plan would
            # read: nothing is purged until it has (the saver keeps trying).
            return PurgeResult()
        plan = plan_purge(
            self.store,
            self.outbox(),
            today=self.today(),
            drafts={case_id for case_id, fields in self.drafts.items() if fields},
            exclude=set(exclude),
            load=self.repo.get,
        )
        purged = purge(self.store, self.outbox(), self.audit_log, plan.due)
        later = {p.case_id: p.on for p in plan.later if p.on is not None}
        return PurgeResult(tuple(purged), later)

    def apply_purge(self, result: PurgeResult) -> None:
        """The duty list follows a purge: purged rows go, the others are marked. Event loop."""
        for case_id in result.purged:
            self.index.remove(case_id)
            self._seen.pop(case_id, None)
        self.index.mark_purge(result.later)

    # --- central's settings ----------------------------------------------------------------------

    def central_config(self) -> CentralConfig | None:
        """The stored central settings; None if not set up or unreadable (logged by kind)."""
        from duty_tui.services.central_config import load_central_config

        try:
            return load_central_config(self.store)
        except Exception as exc:
            log.warning("central settings unreadable (%s)", type(exc).__name__)
            return None

    def save_central_config(self, config: CentralConfig) -> None:
        from duty_tui.services.central_config import save_central_config

        save_central_config(self.store, config)

    # --- the store itself ------------------------------------------------------------------------

    def new_problems(self) -> list[Finding]:
        """What is wrong with the store's files that the officer has not been told this
        session (a case named by its number); each is returned once."""
        from duty_tui.services.health import describe_all

        problems = [p for p in [*self.store.problems(), *self.store.told()] if p not in self._told]
        self._told.extend(problems)
        return describe_all(problems, self.store.summaries()) if problems else []

    def save_language(self, language: str) -> None:
        """Keep the officer's language in the profile (the encrypted settings)."""
        import dataclasses

        from duty_tui.config import save_profile

        self.profile = dataclasses.replace(self.profile, language=language)
        save_profile(self.store, self.profile)

    def verify_passphrase(self, passphrase: str) -> bool:
        """Does ``passphrase`` unlock the open store? Runs Argon2: call from a thread."""
        return self.store.verify_passphrase(passphrase)

    def change_passphrase(
        self, old: str, new: str, *, rotate: bool, kdf: Any = None, progress: Any = None
    ) -> None:
        self.store.change_passphrase(
            old, new, kdf=kdf, rotate=rotate, progress=progress if rotate else None
        )

    def close(self) -> bool:
        """Write everything waiting and close the store. Idempotent. True if everything
        reached the disk."""
        if self.closed:
            return True
        self.closed = True
        try:
            return self.saver.close()
        finally:
            self.store.close()


def _referral_states(case: Case) -> list[str]:
    """What the sync left each referral as, for the audit trail: ids and states, no content."""
    return [f"referral {r.id}: {r.state.value}" for r in case.referrals]

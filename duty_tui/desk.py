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
        from duty_tui.services.audit import AuditLog

        self.audit_log = AuditLog(store, profile.officer.name)
        self.closed = False

    # --- cases -------------------------------------------------------------------------------

    def load_case(self, case_id: str) -> Case:
        # A version of this case may still be on its way to disk (left a moment ago): wait for
        # it, or the case would open as it was before and the next edit would undo it. Cheap
        # when nothing is waiting.
        self.saver.flush()
        case = self.repo.get(case_id)
        self._seen[case_id] = case
        return case

    def save_case(self, case: Case) -> None:
        """Hand the case to the saver and update the duty list's row at once."""
        from duty_tui.services.audit import changed_fields
        from records.summary import case_summary

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

            self._outbox = Outbox(self.store)
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

    def queue_referral(self, case: Case, direction_id: str) -> Case:
        """Queue the referral for a direction, if the rules say it is ready: made by the court,
        provider chosen, funded, nothing unknown or blocking (services.assessment.readiness)."""
        from duty_tui.services.assessment import ready_to_queue
        from duty_tui.services.referrals import queue_referral

        case = ready_to_queue(case, direction_id, self.directory(), today=self.today())
        updated = self._referral_change(case, queue_referral, direction_id)
        self.audit("referral queued", updated, [f"direction {direction_id}"])
        return updated

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

    def reconcile_stored(self, case_ids: Iterable[str]) -> None:
        """Bring the stored cases' Referral records in line with the outbox (cases not open
        on screen; an open one goes through :meth:`reconcile` and the screen)."""
        from records.caseformat import CaseFormatError
        from store import StoreError

        self.saver.flush()
        for case_id in sorted(case_ids):
            try:
                case = self.repo.get(case_id)
            except (StoreError, CaseFormatError):
                continue  # an unreadable case has no view to fix (it is reported at unlock)
            updated = self.reconcile(case)
            if updated is not case:
                self.save_case(updated)
                self.audit("sync", updated, _referral_states(updated))

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

"""Purge (services/purge.py): only settled cases go, after the retention period, and wholly.

The rule is checked as a property over case and outbox states (a case with anything central has
not acknowledged is never settled); the purge itself through a real store and outbox: what is
on disk afterwards, what the audit trail says, and that the store still opens clean.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duty_tui.services.audit import AuditLog
from duty_tui.services.purge import (
    CASE_RETENTION_DAYS_DEFAULT,
    DRAFTS,
    NEVER_QUEUED,
    NOT_REFERRED,
    OPEN_FOLLOW_UP,
    PENDING_REFERRAL,
    STALE,
    UNREADABLE,
    RetentionError,
    keep_reasons,
    load_case_retention_days,
    plan_purge,
    purge,
    purge_on,
    save_case_retention_days,
)
from duty_tui.services.referrals import queue_referral, withdraw_referral
from records.model import (
    Activity,
    AssistanceDecision,
    DirectionStatus,
    FundingRoute,
    Referral,
)
from store import CaseNotFound, KdfParams, Store
from store.cases import CaseRepository
from store.outbox import (
    ACKNOWLEDGED,
    PENDING,
    QUEUED,
    REJECTED,
    SENT,
    Acknowledged,
    Outbox,
    OutboxEntry,
)
from tests.services.factories import APP, RESP, direction, make_case
from tests.sync.helpers import case_with_directions

PASS = "purge tests passphrase"
DAY = 86_400.0
TODAY = dt.date(2026, 11, 23)


# --- the rule, as a property over case and outbox states ---------------------------------------

STATES = [QUEUED, SENT, ACKNOWLEDGED, REJECTED]


@st.composite
def case_and_outbox(draw: st.DrawFn):
    """A case with up to three directions (any status, funding), referrals for some of them,
    and an outbox history (any states, withdrawals) for some of those referrals."""
    directions = []
    for n in range(draw(st.integers(0, 3))):
        directions.append(
            direction(
                draw(st.sampled_from([Activity.WT4C, Activity.CONTACT_SUPPORTED, Activity.PTFC])),
                draw(st.sampled_from([APP, RESP])),
                index=n,
                status=draw(st.sampled_from(list(DirectionStatus))),
                funding=draw(
                    st.sampled_from([None, FundingRoute.LEGAL_AID, FundingRoute.SELF_REFERRAL])
                ),
                assistance_applied_on=draw(st.sampled_from([None, TODAY])),
                assistance_decision=draw(st.sampled_from(list(AssistanceDecision))),
            )
        )
    referrals = []
    entries = []
    for n, d in enumerate(directions):
        for m in range(draw(st.integers(0, 2))):
            referral = Referral(
                direction_id=d.id,
                party_id=d.party_id,
                activity=d.activity,
                provider_id="prov",
                id=f"r{n}-{m}",
            )
            referrals.append(referral)
            for revision in range(1, draw(st.integers(0, 3)) + 1):
                state = draw(st.sampled_from(STATES))
                entries.append(
                    OutboxEntry(
                        referral_id=referral.id,
                        revision=revision,
                        case_id="case-1",
                        action=draw(st.sampled_from(["refer", "amend", "withdraw"])),
                        note="",
                        supersedes=None,
                        payload=None,  # compacted: the rule must not need it
                        sha256="0" * 64,
                        state=state,
                        acknowledged_at=1.0 if state == ACKNOWLEDGED else None,
                    )
                )
    case = make_case(directions=tuple(directions), referrals=tuple(referrals))
    return case, entries, draw(st.booleans())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case_and_outbox())
def test_a_case_with_anything_central_has_not_acknowledged_is_never_settled(drawn):
    case, entries, drafts = drawn
    reasons = keep_reasons(case, entries, today=TODAY, drafts=drafts)
    latest: dict[str, OutboxEntry] = {}
    for e in entries:
        if e.referral_id not in latest or e.revision > latest[e.referral_id].revision:
            latest[e.referral_id] = e
    if any(e.state in PENDING for e in entries):
        assert PENDING_REFERRAL in reasons
    if any(r.id not in latest for r in case.referrals):
        assert NEVER_QUEUED in reasons
    if drafts:
        assert DRAFTS in reasons
    for d in case.directions:
        if d.status is DirectionStatus.DIRECTED and d.funding is not FundingRoute.SELF_REFERRAL:
            acked = [
                r
                for r in case.referrals
                if r.direction_id == d.id
                and latest.get(r.id, None) is not None
                and latest[r.id].state == ACKNOWLEDGED
            ]
            if not acked:
                assert NOT_REFERRED in reasons or PENDING_REFERRAL in reasons
        if (
            d.status is not DirectionStatus.WITHDRAWN
            and d.assistance_applied_on is not None
            and d.assistance_decision is AssistanceDecision.PENDING
        ):
            assert OPEN_FOLLOW_UP in reasons  # a decision still to make is not done
    if not reasons:
        # Settled: every referral's last word from central is an acknowledgement or a refusal
        # of one whose direction another acknowledged referral covers, or is no longer live.
        assert all(e.state not in PENDING for e in entries)
        assert all(r.id in latest for r in case.referrals)


def test_a_withdrawn_referral_hands_nothing_to_central():
    """WT4C's follow-ups (attendance, evaluation, six-month contact) go with the referral:
    withdrawn while the direction stands, they are still the officer's."""
    case = case_with_directions(1)
    d = case.directions[0]
    referral = Referral(
        direction_id=d.id, party_id=d.party_id, activity=d.activity, provider_id=d.provider_id
    )
    case = attrs.evolve(case, referrals=(referral,))

    def entry(action: str) -> OutboxEntry:
        return OutboxEntry(referral.id, 1, case.id, action, "", None, None, "0" * 64, ACKNOWLEDGED)

    assert keep_reasons(case, [entry("refer")], today=TODAY) == []
    assert keep_reasons(case, [entry("withdraw")], today=TODAY) == [OPEN_FOLLOW_UP]
    withdrawn = attrs.evolve(case, directions=(attrs.evolve(d, status=DirectionStatus.WITHDRAWN),))
    assert keep_reasons(withdrawn, [entry("withdraw")], today=TODAY) == []


def test_the_retention_period_is_a_bounded_setting(tmp_path: Path):
    with Store.create(tmp_path / "d", PASS, kdf=KdfParams.for_tests()) as store:
        assert load_case_retention_days(store) == CASE_RETENTION_DAYS_DEFAULT == 30
        save_case_retention_days(store, 7)
        assert load_case_retention_days(store) == 7
        for bad in (0, 366, -1, 7.5, True, "7"):
            with pytest.raises(RetentionError):
                save_case_retention_days(store, bad)  # type: ignore[arg-type]
        assert load_case_retention_days(store) == 7


# --- the purge, through a real store -----------------------------------------------------------


def _acknowledge(outbox: Outbox, case_id: str) -> None:
    keys = [e.key for e in outbox.entries(case_id) if e.state in PENDING]
    outbox.mark_sent(keys)
    outbox.record([Acknowledged(key, f"receipt-{key[0][:6]}") for key in keys])


@pytest.fixture
def desk(tmp_path: Path):
    """A store holding four cases of the documented example: settled and past its retention
    ("old"), settled but recent ("recent": heard yesterday), waiting for central ("waiting") and
    one whose file is damaged ("damaged", settled by its summary)."""
    store = Store.create(tmp_path / "data", PASS, kdf=KdfParams.for_tests())
    # Acknowledged 60 days ago by the outbox's clock.
    outbox = Outbox(store, clock=lambda: time.time() - 60 * DAY)
    repo = CaseRepository(store)
    today = dt.date.today()
    for name in ("old", "recent", "waiting", "damaged"):
        case = case_with_directions(1, case_id=name)
        days = 1 if name == "recent" else 45
        hearing = today - dt.timedelta(days=days)
        case = attrs.evolve(
            case,
            case_number=f"ZZ26P0{len(name):04d}"[:10],
            hearing=attrs.evolve(case.hearing, date=hearing),
        )
        repo.save(case)
        queue_referral(repo, outbox, name, case.directions[0].id)
        if name != "waiting":
            _acknowledge(outbox, name)
    yield store, outbox, repo, today
    store.close()


def test_only_settled_cases_past_their_retention_go_and_they_go_wholly(desk):
    store, outbox, repo, today = desk
    blob = store.case_path("damaged").read_bytes()
    store.case_path("damaged").write_bytes(blob[:-5] + b"xxxxx")
    with pytest.raises(Exception):
        repo.get("damaged")  # found damaged (and moved to quarantine)
    plan = plan_purge(store, outbox, today=today)
    assert [p.case_id for p in plan.due] == ["old"]
    assert [(p.case_id, p.on) for p in plan.later] == [("recent", today + dt.timedelta(days=29))]
    kept = {p.case_id: p.kept for p in plan.cases if p.kept}
    assert sorted(kept) == ["damaged", "waiting"]
    assert kept["damaged"] == (UNREADABLE,)
    assert kept["waiting"][0] == PENDING_REFERRAL

    trail = AuditLog(store, "Officer Test")
    assert purge(store, outbox, trail, plan.due) == ["old"]
    with pytest.raises(CaseNotFound):
        store.load_case("old")
    assert not store.case_path("old").exists()
    assert "old" not in store.summaries()
    assert all(e.payload is None for e in outbox.entries("old"))  # the names went too
    assert all(e.payload is not None for e in outbox.entries("waiting"))
    [line] = [e for e in trail.entries() if e.action == "purged"]
    assert (line.case_id, line.detail) == ("old", ())
    assert trail.breaks() == []
    data_dir = store.data_dir
    store.close()
    with Store.open(data_dir, PASS) as again:
        assert [p.subject for p in again.problems()] == ["case:damaged"]
        assert sorted(again.summaries()) == ["damaged", "recent", "waiting"]
        CaseRepository(again).get("recent")


def test_changes_not_sent_keep_a_case(desk):
    store, outbox, repo, today = desk
    case = repo.get("old")
    repo.save(
        attrs.evolve(
            case, parties=(attrs.evolve(case.parties[0], postcode="CF11 9AA"), *case.parties[1:])
        )
    )
    plan = plan_purge(store, outbox, today=today, drafts={"recent"})
    kept = {p.case_id: p.kept for p in plan.cases if p.kept}
    assert kept["old"] == (STALE,)
    assert kept["recent"] == (DRAFTS,)
    withdraw_referral(repo, outbox, "waiting", repo.get("waiting").referrals[0].id, "court said")
    plan = plan_purge(store, outbox, today=today)
    assert {p.case_id: p.kept for p in plan.cases}["waiting"][0] == PENDING_REFERRAL


def test_a_case_goes_the_period_after_its_hearing_or_its_last_acknowledgement():
    hearing = dt.date(2026, 11, 2)

    def acked(day: dt.date) -> OutboxEntry:
        at = dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC).timestamp()
        return OutboxEntry(
            "r", 1, "c", "refer", "", None, None, "0" * 64, ACKNOWLEDGED, acknowledged_at=at
        )

    assert purge_on(hearing, [], 30) == dt.date(2026, 12, 2)
    assert purge_on(hearing, [acked(dt.date(2026, 10, 30))], 30) == dt.date(2026, 12, 2)
    assert purge_on(hearing, [acked(dt.date(2026, 11, 12))], 30) == dt.date(2026, 12, 12)


def test_the_desk_purges_only_what_is_on_disk_closed_and_without_drafts(tmp_path: Path):
    from duty_tui.config import OfficerProfile
    from duty_tui.desk import Desk

    store = Store.create(tmp_path / "data", PASS, kdf=KdfParams.for_tests())
    profile = OfficerProfile.parse("Officer Ffug", "FCA", "Sample Family Court", "wales")
    # Heard on 23/11/2026 with nothing directed: settled, due from 23/12/2026.
    desk = Desk(store, profile, today=lambda: dt.date(2027, 1, 10))
    try:
        case = make_case()
        desk.save_case(case)
        assert desk.purge_due(exclude={case.id}).purged == ()  # open on screen
        desk.set_drafts(case.id, {"hearing.date": "32/13"})
        assert desk.purge_due().purged == ()  # text waiting in a field
        desk.set_drafts(case.id, {})
        flush = desk.saver.flush
        desk.saver.flush = lambda: False  # type: ignore[method-assign]
        assert desk.purge_due().purged == ()  # an edit not on disk yet
        desk.saver.flush = flush  # type: ignore[method-assign]
        result = desk.purge_due()
        assert result.purged == (case.id,)
        assert case.id in desk.index
        desk.apply_purge(result)
        assert case.id not in desk.index
        [line] = [e for e in desk.audit_log.entries() if e.action == "purged"]
        assert (line.who, line.case_number) == ("Officer Ffug", case.case_number)
        assert desk.outbox().queued_by == "Officer Ffug"  # what it queues names its officer
    finally:
        desk.close()

"""The court directs an activity the rules advise against (issue 13, item 10; COURT-OVERRIDE).

The officer records the court's reason; only the blocks that are the service's advice, and only
those the court was told of, become warnings; the referral goes only on an explicit
confirmation and carries ``against_rules_advice`` to central; withdrawing the record puts the
block back.
"""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from duty_tui.config import OfficerProfile
from duty_tui.desk import Desk
from duty_tui.services.assessment import (
    ReadinessStatus,
    assess_case,
    readiness,
    ready_to_queue,
    to_json,
)
from duty_tui.services.options import Directory
from duty_tui.services.suitability import Status, blocks_of, verdict
from records import caseformat
from records.model import (
    Activity,
    Answer,
    Child,
    CourtOverride,
    Jurisdiction,
    OverriddenBlock,
    RecordError,
    Referral,
)
from records.payload import PayloadError, build_payload, payload_from_dict, payload_to_dict
from store import KdfParams, Store

from .factories import APP, TODAY, direction, make_case, party, provider, screening

A = Activity
WT4C = provider("wt4c", activities=[A.WT4C])


def _override(case, activity=A.WT4C, reason="The court found the course appropriate."):
    found = verdict(case, APP, activity, today=TODAY)
    return CourtOverride(reason, TODAY, "Officer Test", blocks_of(found))


def _directed(case, activity=A.WT4C, **changes):
    """``case`` with the court's direction of ``activity`` against the rules' advice."""
    given = _override(case, activity)
    d = direction(activity, provider_id="wt4c", court_override=given, **changes)
    return attrs.evolve(case, directions=(d,))


# A referral names the children (a payload needs one).
CHILDREN = (Child(name="Pryderi Ffug", date_of_birth=dt.date(2019, 5, 1), id="c1"),)
ABUSE = make_case(screen=screening(abuse=Answer.YES), children=CHILDREN)


def test_the_court_direction_lifts_the_advice_it_was_told_of_and_is_marked():
    before = verdict(ABUSE, APP, A.WT4C, today=TODAY)
    assert before.status is Status.BLOCKED and before.may_override
    assert not before.court_directed

    case = _directed(ABUSE)
    after = verdict(case, APP, A.WT4C, today=TODAY)
    assert after.court_directed and after.status is not Status.BLOCKED
    assert [r.rule_id for r in after.lifted] == ["WT4C-NO-RISK"]
    texts = [r.text for r in after.warnings]
    assert any(t.startswith("against this advice: Domestic abuse alleged") for t in texts)
    assert any("The court found the course appropriate." in t for t in texts)
    # Only that party and activity: the other parent's WT4C stays blocked.
    assert verdict(case, "p-resp", A.WT4C, today=TODAY).status is Status.BLOCKED


def test_a_block_the_court_was_not_told_of_stands():
    case = _directed(ABUSE)
    # The police check comes back "yes" after the court's direction: not what it overrode.
    worse = attrs.evolve(case, screening=screening(abuse=Answer.YES, police=Answer.YES))
    found = verdict(worse, APP, A.WT4C, today=TODAY)
    assert found.status is Status.BLOCKED and not found.court_directed
    assert found.override is not None  # still recorded: the dialog offers to record it again
    assert [r.rule_id for r in found.blocking] == ["WT4C-NO-RISK"]
    assert "Police check" in found.blocking[0].text


@pytest.mark.parametrize(
    ("case", "activity"),
    [
        # The jurisdiction: WT4C does not run in England, there is nothing to refer to.
        (make_case(Jurisdiction.ENGLAND, screen=screening(abuse=Answer.YES)), A.WT4C),
        # A contact centre where there is risk: never lifted (CONTACT-NO-RISK).
        (ABUSE, A.CONTACT_SUPPORTED),
    ],
)
def test_blocks_that_are_not_only_advice_cannot_be_overridden(case, activity):
    found = verdict(case, APP, activity, today=TODAY)
    assert found.status is Status.BLOCKED
    assert not found.may_override


def test_not_yet_known_is_never_overridden():
    found = verdict(make_case(screen=screening(abuse=Answer.UNKNOWN)), APP, A.WT4C, today=TODAY)
    assert found.status is Status.NEEDS_SCREENING and not found.may_override


def test_bars_in_law_and_missing_checks_still_hold_for_a_court_direction():
    # s11B: a child who is not a parent cannot be directed, whatever the court records.
    child = attrs.evolve(ABUSE, parties=(party(APP, is_child=True), *ABUSE.parties[1:]))
    ready = readiness(
        _directed(child), _directed(child).directions[0], Directory([WT4C]), today=TODAY
    )
    assert ready.status is ReadinessStatus.BLOCKED
    assert "S11B-CHILD" in {r.rule_id for r in ready.reasons if r.effect.value == "blocks"}
    # PD12B 14.13(d): no safeguarding letter on file, no referral.
    unlettered = attrs.evolve(ABUSE, screening=screening(abuse=Answer.YES, letter=None))
    case = _directed(unlettered)
    ready = readiness(case, case.directions[0], Directory([WT4C]), today=TODAY)
    assert ready.status is ReadinessStatus.WAITING
    assert "PD12B-INTERIM-CHECKS" in {r.rule_id for r in ready.reasons}


def test_queueing_against_advice_needs_the_officers_confirmation():
    case = _directed(ABUSE)
    ready = readiness(case, case.directions[0], Directory([WT4C]), today=TODAY)
    assert ready.status is ReadinessStatus.READY
    with pytest.raises(PayloadError) as refused:
        ready_to_queue(case, "d1", Directory([WT4C]), today=TODAY)
    assert "against the rules' advice" in refused.value.problems[0]
    assert ready_to_queue(case, "d1", Directory([WT4C]), today=TODAY, against_advice_confirmed=True)


def test_the_payload_carries_the_advice_and_the_courts_reason():
    case = ready_to_queue(
        _directed(ABUSE), "d1", Directory([WT4C]), today=TODAY, against_advice_confirmed=True
    )
    referral = Referral(direction_id="d1", party_id=APP, activity=A.WT4C, provider_id="wt4c")
    data = payload_to_dict(build_payload(case, case.directions[0], referral))
    against = data["against_rules_advice"]
    assert against["court_reason"] == "The court found the course appropriate."
    assert against["recorded_by"] == "Officer Test"
    assert against["recorded_on"] == TODAY.isoformat()
    (block,) = against["blocking_reasons"]
    assert block["rule_id"] == "WT4C-NO-RISK"
    assert block["text"].startswith("Domestic abuse alleged or found: yes")
    # Central reads it back with the same records.
    assert payload_to_dict(payload_from_dict(data)) == data


def test_a_payload_without_a_court_direction_is_unchanged():
    """No key at all (not null): a referral queued before the field existed is not taken for
    a changed one."""
    case = make_case(
        directions=(direction(A.WT4C, provider_id="wt4c", funding="paid"),), children=CHILDREN
    )
    referral = Referral(direction_id="d1", party_id=APP, activity=A.WT4C, provider_id="wt4c")
    data = payload_to_dict(build_payload(case, case.directions[0], referral))
    assert "against_rules_advice" not in data
    assert payload_from_dict(data).against_rules_advice is None


def test_withdrawing_the_court_direction_puts_the_block_back():
    case = _directed(ABUSE)
    withdrawn = attrs.evolve(
        case, directions=(attrs.evolve(case.directions[0], court_override=None),)
    )
    assert verdict(withdrawn, APP, A.WT4C, today=TODAY).status is Status.BLOCKED
    with pytest.raises(PayloadError):
        ready_to_queue(
            withdrawn, "d1", Directory([WT4C]), today=TODAY, against_advice_confirmed=True
        )


def test_the_record_survives_the_case_format_and_old_files_still_read():
    case = _directed(ABUSE)
    again = caseformat.load_cases(caseformat.dumps_cases([case]))
    assert again == [case]
    # A version-3 file written before the field existed: no key, no court direction.
    old = caseformat.dump_cases([make_case(directions=(direction(A.WT4C),))])
    for d in old["cases"][0]["directions"]:
        del d["court_override"]
    (read,) = caseformat.load_cases(old)
    assert read.directions[0].court_override is None
    # A version-2 document cannot hold it.
    v2 = caseformat.dump_cases([case])
    v2["schema_version"] = 2
    with pytest.raises(caseformat.CaseFormatError) as refused:
        caseformat.load_cases(v2)
    assert "court_override is a schema version 3 field" in str(refused.value)


def test_an_imported_court_direction_is_not_recorded_in_the_future():
    doc = caseformat.dump_cases([_directed(ABUSE)])
    doc["cases"][0]["directions"][0]["court_override"]["recorded_on"] = "2026-11-30"
    with pytest.raises(caseformat.CaseFormatError) as refused:
        caseformat.load_cases(doc, today=TODAY)
    assert "recorded on" in str(refused.value) and "future" in str(refused.value)


def test_assess_reports_it():
    case = _directed(ABUSE)
    data = to_json(case, assess_case(case, Directory([WT4C]), today=TODAY))
    cell = next(c for c in data["matrix"] if c["party_id"] == APP and c["activity"] == "wt4c")
    assert cell["court_directed"] is True
    (d,) = data["directions"]
    assert d["against_rules_advice"]["court_reason"] == "The court found the course appropriate."


# --- what is typed as the court's reason --------------------------------------------------------


def _reason(text):
    return CourtOverride(text, TODAY, "Officer Test", (OverriddenBlock("WT4C-NO-RISK", "x"),))


def test_the_reason_is_cleaned_and_keeps_welsh_letters():
    given = _reason("Dywedodd y llys\x1b[31m: mae\x07 Ŵyn a Pŷr\u202e yn ddiogel\x00")
    assert given.reason == "Dywedodd y llys: mae Ŵyn a Pŷr yn ddiogel"


@pytest.mark.parametrize("text", ["", "   ", "\x1b[2J\x07"])
def test_an_empty_reason_is_refused(text):
    with pytest.raises(RecordError) as refused:
        _reason(text)
    assert refused.value.message == "the court's reason is required"


def test_a_huge_reason_is_refused_with_a_clear_message():
    with pytest.raises(RecordError) as refused:
        _reason("a" * 50_000)
    assert refused.value.message == (
        "the court's reason is 50000 characters long; the most allowed is 2000"
    )


def test_a_court_direction_names_the_advice_it_went_against():
    with pytest.raises(RecordError):
        CourtOverride("reason", TODAY, "Officer Test", ())


# --- the audit trail ------------------------------------------------------------------------


def test_the_audit_trail_names_the_field_never_the_reason(tmp_path):
    store = Store.create(
        tmp_path / "data", "audit passphrase not secret", kdf=KdfParams.for_tests()
    )
    profile = OfficerProfile.parse("Officer Ffug", "FCA", "Example Family Court", "wales")
    desk = Desk(store, profile)
    try:
        case = _directed(ABUSE)
        desk.record_court_override(case, "d1", withdrawn=False)
        desk.record_court_override(case, "d1", withdrawn=True)
        entries = desk.audit_log.entries(case.id)
        assert [(e.action, e.detail) for e in entries] == [
            ("court override recorded", ("direction d1", "court_override")),
            ("court override withdrawn", ("direction d1", "court_override")),
        ]
        assert "appropriate" not in " ".join(e.line() for e in entries)
    finally:
        desk.close()


@pytest.mark.parametrize(("recorded_in", "read_in"), [("cy", "en"), ("en", "cy"), ("cy", "cy")])
def test_the_court_direction_holds_whatever_language_it_is_recorded_or_read_in(
    recorded_in, read_in
):
    """The reasons are worded in the officer's language; the court's direction records the
    advice it went against in English, so switching language never puts the block back."""
    from duty_tui import i18n

    try:
        i18n.set_language(recorded_in)
        case = _directed(ABUSE)
        assert all(
            b.text.startswith("Domestic abuse") for b in case.directions[0].court_override.blocks
        )
        i18n.set_language(read_in)
        after = verdict(case, APP, A.WT4C, today=TODAY)
        assert after.court_directed and after.status is not Status.BLOCKED
        if read_in == "cy":
            assert not any(r.text.startswith("against this advice") for r in after.reasons)
    finally:
        i18n.set_language("en")

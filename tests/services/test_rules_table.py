"""One row per rule of the domain brief: a situation, the rule it must cite, and the effect.

The last test checks the table covers every rule in the registry, so a new rule without a test
fails here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

from duty_tui.services import jurisdiction
from duty_tui.services import options as options_module
from duty_tui.services.assessment import readiness
from duty_tui.services.catalogue import RULES, Effect, Reason, entry
from duty_tui.services.followups import followups
from duty_tui.services.funding import funding_for
from duty_tui.services.options import Directory, find
from duty_tui.services.suitability import Status, verdict
from duty_tui.services.wording import direction_text
from records.model import (
    Activity,
    Answer,
    Attendance,
    Delivery,
    DirectionStatus,
    FundingRoute,
    Jurisdiction,
    Language,
    Monitoring,
    Need,
    Participation,
    Party,
    PartyRole,
    PersonChecks,
    ScreeningAnswer,
    SessionRecord,
    TimeConstraints,
)
from tests.services.factories import (
    APP,
    RESP,
    TODAY,
    agreed,
    assessment,
    direction,
    make_case,
    party,
    provider,
    screening,
)

W, E = Jurisdiction.WALES, Jurisdiction.ENGLAND
A = Activity


def v(case, activity, party_id=APP):
    result = verdict(case, party_id, activity, today=TODAY)
    return result.reasons, result.status


def opts(case, activity, providers, party_id=APP, **filters):
    found = find(
        case, party_id, activity, Directory(providers), today=TODAY, explain=True, **filters
    )
    reasons = [r for o in found.ranked for r in o.reasons]
    reasons += [r for x in found.excluded for r in x.reasons]
    return [*reasons, *found.notes], None


def ready(case, providers=(), index=0):
    result = readiness(case, case.directions[index], Directory(providers), today=TODAY)
    return result.reasons, result.status.value


def money(case, activity, d=None, party_id=APP):
    return funding_for(case, party_id, activity, d, today=TODAY).reasons, None


def follow(case):
    return [f.reason for f in followups(case, today=TODAY)], None


def words(case, extra, prov=None):
    return direction_text(case, case.directions[0], prov, extra).reasons, None


WT4C_PROV = provider("wt4c-cf", activities=[A.WT4C])
SUPPORTED_NONE = provider("c-none", activities=[A.CONTACT_SUPPORTED], accreditation="none")
SUPPORTED_STD = provider(
    "c-std", activities=[A.CONTACT_SUPPORTED, A.CONTACT_SUPERVISED], accreditation="standard"
)
F2F_BS = provider("f2f-bs", areas=["BS"], delivery=["face_to_face"])


def _f2f_only(monkeypatch):
    only = attrs.evolve(entry(A.WT4C), delivery=(Delivery.FACE_TO_FACE,))
    monkeypatch.setattr(options_module, "entry", lambda activity: only)


def _yes():
    return ScreeningAnswer(Answer.YES, TODAY, "Officer Test")


def _person(person_id, **answers):
    return PersonChecks(person_id, **answers)


def _police_yes(person_id):
    return _person(person_id, police_check=_yes())


def _court_directed(case):
    """``case`` with a WT4C direction the court made against the rules' advice."""
    from duty_tui.services.suitability import blocks_of
    from records.model import CourtOverride

    blocked = verdict(case, APP, A.WT4C, today=TODAY)
    given = CourtOverride("the court's reason", TODAY, "Officer Test", blocks_of(blocked))
    return attrs.evolve(case, directions=(direction(A.WT4C, court_override=given),))


Row = tuple[str, Effect, Callable[..., tuple[list[Reason] | tuple[Reason, ...], object]], object]

ROWS: list[Row] = [
    # s11A / s11E
    (
        "S11A-ACTIVITY",
        Effect.WAITING,
        lambda: ready(make_case(directions=(direction(A.WT4C),))),
        "waiting",
    ),
    (
        "S11A-NO-MEDIATION",
        Effect.BLOCKS,
        lambda: words(
            make_case(directions=(direction(A.MEDIATION_INFO),)),
            "Both parties shall also attend mediation.",
        ),
        None,
    ),
    (
        "S11A-NO-TREATMENT",
        Effect.BLOCKS,
        lambda: words(
            make_case(directions=(direction(A.WT4C),)),
            "The respondent shall undergo a psychiatric assessment.",
        ),
        None,
    ),
    (
        "S11A-INTERIM",
        Effect.BLOCKS,
        lambda: ready(make_case(directions=(direction(A.WT4C, order_type="final"),))),
        "blocked",
    ),
    (
        "S11C-CONDITION",
        Effect.INFO,
        lambda: ready(
            make_case(
                directions=(
                    direction(
                        A.WT4C, provider_id="wt4c-cf", order_type="final", provision="condition"
                    ),
                )
            ),
            [WT4C_PROV],
        ),
        "ready",
    ),
    (
        "S11B-CHILD",
        Effect.BLOCKS,
        lambda: ready(
            make_case(parties=(party(is_child=True),), directions=(direction(A.WT4C),)),
            [WT4C_PROV],
        ),
        "blocked",
    ),
    (
        "S11B-RESIDENCE",
        Effect.BLOCKS,
        lambda: ready(
            make_case(
                parties=(party(habitually_resident=Answer.NO),), directions=(direction(A.WT4C),)
            ),
            [WT4C_PROV],
        ),
        "blocked",
    ),
    ("S11E-TRAVEL", Effect.BLOCKS, lambda: opts(make_case(), A.WT4C, [F2F_BS]), None),
    (
        "S11E-POSTCODE",
        Effect.WARNING,
        lambda: v(make_case(parties=(party(postcode=""),)), A.WT4C),
        Status.ELIGIBLE,
    ),
    (
        "S11E-CIRCUMSTANCES",
        Effect.WARNING,
        lambda: opts(
            make_case(
                parties=(
                    party(constraints=TimeConstraints(religious_observance="Not on Saturdays")),
                )
            ),
            A.WT4C,
            [WT4C_PROV],
        ),
        None,
    ),
    (
        "LOCAL-PROVIDER",
        Effect.MET,
        lambda: opts(make_case(), A.WT4C, [provider(delivery=["face_to_face"])]),
        None,
    ),
    (
        "ORDER-FIRST",
        Effect.WAITING,
        lambda: ready(
            make_case(
                directions=(
                    direction(A.WT4C, provider_id="wt4c-cf", status=DirectionStatus.PROPOSED),
                )
            ),
            [WT4C_PROV],
        ),
        "waiting",
    ),
    (
        "PD12B-LETTER",
        Effect.UNKNOWN,
        lambda: v(make_case(screen=screening(letter=None)), A.CONTACT_SUPPORTED),
        Status.NEEDS_SCREENING,
    ),
    (
        "UNKNOWN-NOT-NO",
        Effect.UNKNOWN,
        lambda: v(make_case(screen=screening(abuse=Answer.UNKNOWN)), A.WT4C),
        Status.NEEDS_SCREENING,
    ),
    (
        "SCREENING-KNOWN",
        Effect.UNKNOWN,
        lambda: v(
            make_case(
                screen=screening(police=Answer.UNKNOWN),
                assessments=(assessment(A.CONTACT_SUPERVISED),),
            ),
            A.CONTACT_SUPERVISED,
        ),
        Status.NEEDS_SCREENING,
    ),
    # where each activity runs
    ("JUR-WT4C", Effect.BLOCKS, lambda: v(make_case(E), A.WT4C), Status.BLOCKED),
    ("JUR-MEDIATION", Effect.BLOCKS, lambda: v(make_case(E), A.MEDIATION_INFO), Status.BLOCKED),
    ("JUR-CONTACT", Effect.MET, lambda: v(make_case(E), A.CONTACT_SUPPORTED), Status.ELIGIBLE),
    ("JUR-PTFC", Effect.BLOCKS, lambda: v(make_case(W), A.PTFC), Status.BLOCKED),
    ("JUR-CCI", Effect.BLOCKS, lambda: v(make_case(W), A.CCI), Status.BLOCKED),
    (
        "PROVIDER-JURISDICTION",
        Effect.BLOCKS,
        lambda: opts(make_case(), A.WT4C, [provider(jurisdiction="england")]),
        None,
    ),
    (
        "PROVIDER-ACTIVITY",
        Effect.BLOCKS,
        lambda: opts(make_case(), A.MEDIATION_INFO, [WT4C_PROV]),
        None,
    ),
    (
        "DIRECTION-DELIVERY",
        Effect.BLOCKS,
        lambda: ready(
            make_case(
                directions=(
                    direction(A.WT4C, provider_id="wt4c-cf", delivery=Delivery.FACE_TO_FACE),
                )
            ),
            [provider("wt4c-cf", delivery=["remote"])],
        ),
        "blocked",
    ),
    ("DELIVERY-MODE", Effect.BLOCKS, "f2f-only", None),  # needs monkeypatch: see below
    # suitability on the screening
    (
        "WT4C-NO-RISK",
        Effect.BLOCKS,
        lambda: v(make_case(screen=screening(abuse=Answer.YES)), A.WT4C),
        Status.BLOCKED,
    ),
    (
        "MEDIATION-NO-CONCERNS",
        Effect.BLOCKS,
        lambda: v(make_case(screen=screening(harm=Answer.YES)), A.MEDIATION_INFO),
        Status.BLOCKED,
    ),
    (
        "CONTACT-NO-RISK",
        Effect.BLOCKS,
        lambda: v(make_case(screen=screening(la=Answer.YES)), A.CONTACT_SUPPORTED),
        Status.BLOCKED,
    ),
    (
        "CONTACT-NACCC",
        Effect.BLOCKS,
        lambda: opts(make_case(), A.CONTACT_SUPPORTED, [SUPPORTED_NONE]),
        None,
    ),
    (
        "SUPPORTED-STANDARD",
        Effect.MET,
        lambda: opts(make_case(), A.CONTACT_SUPPORTED, [SUPPORTED_STD]),
        None,
    ),
    (
        "SUPERVISED-ENHANCED",
        Effect.BLOCKS,
        lambda: opts(make_case(), A.CONTACT_SUPERVISED, [SUPPORTED_STD]),
        None,
    ),
    (
        "SUPERVISED-ASSESSMENT",
        Effect.UNKNOWN,
        lambda: v(make_case(screen=screening(abuse=Answer.YES)), A.CONTACT_SUPERVISED),
        Status.NEEDS_SCREENING,
    ),
    (
        "COURT-OVERRIDE",
        Effect.WARNING,
        lambda: v(_court_directed(make_case(screen=screening(abuse=Answer.YES))), A.WT4C),
        Status.ELIGIBLE,
    ),
    (
        "PTFC-NO-CONCERNS",
        Effect.BLOCKS,
        lambda: v(make_case(E, screen=screening(police=Answer.YES)), A.PTFC),
        Status.BLOCKED,
    ),
    ("CCI-PLAN", Effect.UNKNOWN, lambda: v(make_case(E), A.CCI), Status.NEEDS_SCREENING),
    (
        "ASSESSMENT-CURRENT",
        Effect.WARNING,
        lambda: v(
            make_case(
                screen=screening(abuse=Answer.YES),
                assessments=(assessment(A.CONTACT_SUPERVISED, on=dt.date(2026, 10, 1)),),
            ),
            A.CONTACT_SUPERVISED,
        ),
        Status.ELIGIBLE,
    ),
    # safeguarding per person (issue 11, item 5)
    (
        # The respondent's own police check found concerns: the applicant's WT4C is not
        # judged on it (group courses involve the party and the children), their contact is.
        "PD12B-PERSON",
        Effect.INFO,
        lambda: v(make_case(screen=screening(people=(_police_yes(RESP),))), A.WT4C),
        Status.ELIGIBLE,
    ),
    (
        "PERSON-INVOLVED",
        Effect.INFO,
        lambda: v(make_case(screen=screening(people=(_police_yes(RESP),))), A.WT4C),
        Status.ELIGIBLE,
    ),
    (
        "WT4C-NO-RISK",
        Effect.BLOCKS,
        lambda: v(make_case(screen=screening(people=(_police_yes(APP),))), A.WT4C),
        Status.BLOCKED,
    ),
    (
        "C1A-HARM",
        Effect.BLOCKS,
        lambda: v(
            make_case(screen=screening(people=(_person(RESP, harm_alleged=_yes()),))),
            A.CONTACT_SUPPORTED,
        ),
        Status.BLOCKED,
    ),
    (
        "PD12J-FACT-FINDING",
        Effect.UNKNOWN,
        lambda: v(
            make_case(
                screen=screening(abuse=Answer.YES, fact_finding=Answer.UNKNOWN),
                assessments=(assessment(A.CONTACT_SUPERVISED),),
            ),
            A.CONTACT_SUPERVISED,
        ),
        Status.NEEDS_SCREENING,
    ),
    (
        "S16A-RISK",
        Effect.BLOCKS,
        lambda: v(make_case(screen=screening(s16a=Answer.YES)), A.WT4C),
        Status.BLOCKED,
    ),
    (
        "PD12B-INTERIM-CHECKS",
        Effect.WAITING,
        lambda: ready(
            make_case(
                E,
                screen=screening(letter=None),
                directions=(direction(A.PTFC, provider_id="ptfc", funding="service_funded"),),
            ),
            [provider("ptfc", activities=[A.PTFC], jurisdiction="england", areas=["BS"])],
        ),
        "waiting",
    ),
    # arrangements between the parties
    (
        "SEPARATE-GROUP",
        Effect.BLOCKS,
        lambda: ready(
            make_case(
                directions=(
                    direction(A.WT4C, APP, provider_id="wt4c-cf", session="Tues group", index=1),
                    direction(A.WT4C, RESP, provider_id="wt4c-cf", session="Tues group", index=2),
                )
            ),
            [WT4C_PROV],
        ),
        "blocked",
    ),
    (
        "SEPARATE-PROVIDER",
        Effect.WARNING,
        lambda: opts(
            make_case(directions=(direction(A.WT4C, RESP, provider_id="wt4c-cf"),)),
            A.WT4C,
            [WT4C_PROV],
        ),
        None,
    ),
    (
        "BOTH-ATTEND",
        Effect.WARNING,
        lambda: ready(
            make_case(directions=(direction(A.WT4C, provider_id="wt4c-cf"),)), [WT4C_PROV]
        ),
        "ready",
    ),
    (
        "LANGUAGE",
        Effect.WARNING,
        lambda: opts(make_case(parties=(party(language=Language.WELSH),)), A.WT4C, [WT4C_PROV]),
        None,
    ),
    (
        "AVAILABILITY",
        Effect.INFO,
        lambda: opts(make_case(), A.WT4C, [provider(next_available="2026-12-01")]),
        None,
    ),
    (
        "FILTER",
        Effect.BLOCKS,
        lambda: opts(make_case(), A.WT4C, [WT4C_PROV], language=Language.WELSH),
        None,
    ),
    (
        "SAMPLE-PROVIDER",
        Effect.WARNING,
        lambda: opts(make_case(), A.WT4C, [provider(sample=True)]),
        None,
    ),
    # funding
    ("FEE-WT4C", Effect.MET, lambda: money(make_case(), A.WT4C), None),
    ("FEE-MEDIATION", Effect.MET, lambda: money(make_case(), A.MEDIATION_INFO), None),
    (
        "LEGAL-AID-UNKNOWN",
        Effect.UNKNOWN,
        lambda: money(make_case(parties=(party(legal_aid=Answer.UNKNOWN),)), A.WT4C),
        None,
    ),
    (
        "FA-DECISION",
        Effect.WAITING,
        lambda: money(make_case(), A.WT4C, direction(A.WT4C, assistance_applied_on=TODAY)),
        None,
    ),
    (
        "FA-REFUSED-PAYS",
        Effect.WAITING,
        lambda: money(
            make_case(),
            A.WT4C,
            direction(A.WT4C, assistance_applied_on=TODAY, assistance_decision="refused"),
        ),
        None,
    ),
    (
        "FA-TOLD",
        Effect.WARNING,
        lambda: money(make_case(), A.WT4C, direction(A.WT4C, assistance_told_on=None)),
        None,
    ),
    (
        "WORKING-DAYS",
        Effect.INFO,
        lambda: money(make_case(), A.WT4C, direction(A.WT4C, assistance_applied_on=TODAY)),
        None,
    ),
    (
        "CONTACT-FUND-A",
        Effect.MET,
        lambda: money(
            make_case(),
            A.CONTACT_SUPPORTED,
            direction(A.CONTACT_SUPPORTED, funding=FundingRoute.FHDRA_AGREED, **agreed()),
        ),
        None,
    ),
    (
        "CONTACT-FUND-B",
        Effect.MET,
        lambda: money(
            make_case(),
            A.CONTACT_SUPERVISED,
            direction(A.CONTACT_SUPERVISED, funding=FundingRoute.REPORT_OR_INVOLVEMENT),
        ),
        None,
    ),
    (
        "CONTACT-SELF",
        Effect.BLOCKS,
        lambda: ready(
            make_case(directions=(direction(A.CONTACT_SUPPORTED, provider_id="c-std"),)),
            [SUPPORTED_STD],
        ),
        "blocked",
    ),
    (
        "CONTACT-ENGLAND",
        Effect.INFO,
        lambda: money(
            make_case(E),
            A.CONTACT_SUPPORTED,
            direction(A.CONTACT_SUPPORTED, funding=FundingRoute.FHDRA_AGREED, **agreed()),
        ),
        None,
    ),
    ("PTFC-FREE", Effect.MET, lambda: money(make_case(E), A.PTFC), None),
    ("CCI-FUNDED", Effect.MET, lambda: money(make_case(E), A.CCI), None),
    # follow-ups
    (
        "FU-ATTENDANCE",
        Effect.WAITING,
        lambda: follow(make_case(directions=(direction(A.WT4C, completed_on=TODAY),))),
        None,
    ),
    (
        "FU-EVALUATION",
        Effect.WAITING,
        lambda: follow(make_case(directions=(direction(A.WT4C, completed_on=TODAY),))),
        None,
    ),
    (
        "FU-SIX-MONTHS",
        Effect.WAITING,
        lambda: follow(make_case(directions=(direction(A.WT4C, completed_on=TODAY),))),
        None,
    ),
    (
        "FU-PTFC-CALL",
        Effect.INFO,  # the trainer's call, optional: nothing waits on the officer
        lambda: follow(make_case(E, directions=(direction(A.PTFC, session_on=TODAY),))),
        None,
    ),
    # s11G monitoring
    (
        "MONITOR-S11G",
        Effect.INFO,
        lambda: ready(
            make_case(directions=(direction(A.WT4C, provider_id="wt4c-cf", monitoring=watch()),)),
            [WT4C_PROV],
        ),
        "ready",
    ),
    (
        "MONITOR-REPORT",
        Effect.WAITING,
        lambda: follow(
            make_case(
                directions=(
                    direction(A.WT4C, monitoring=watch(session(Attendance.DID_NOT_ATTEND))),
                )
            )
        ),
        None,
    ),
    (
        "MONITOR-PERIOD",
        Effect.WAITING,
        lambda: follow(make_case(directions=(direction(A.WT4C, monitoring=watch()),))),
        None,
    ),
    # taking part
    (
        "INTERPRETER",
        Effect.WARNING,
        lambda: opts(
            make_case(parties=(needs(interpreter=Need.YES, interpreter_language="Polish"),)),
            A.WT4C,
            [WT4C_PROV],
        ),
        None,
    ),
    (
        "ADJUSTMENTS",
        Effect.WARNING,
        lambda: opts(
            make_case(parties=(needs(adjustments="step-free access"),)), A.WT4C, [WT4C_PROV]
        ),
        None,
    ),
    (
        "SEPARATE-ARRIVAL",
        Effect.BLOCKS,
        lambda: opts(
            make_case(screen=screening(abuse=Answer.YES)),
            A.CONTACT_SUPERVISED,
            [provider("enh", activities=[A.CONTACT_SUPERVISED], accreditation="enhanced")],
        ),
        None,
    ),
    (
        "WELSH-OFFER",
        Effect.WARNING,
        lambda: opts(make_case(parties=(party(participation=Participation()),)), A.WT4C, []),
        None,
    ),
    (
        "ORDER-WELSH",
        Effect.WARNING,
        lambda: words(make_case(directions=(direction(A.WT4C),)), "by 1 March 2027"),
        None,
    ),
    # jurisdiction
    (
        "JUR-COURT",
        Effect.WARNING,
        lambda: (jurisdiction.check(make_case(E, court="Cardiff Family Court")), None),
        None,
    ),
]


def watch(*sessions: SessionRecord) -> Monitoring:
    """An s11G request made at the hearing (TODAY) for eight weeks."""
    return Monitoring(
        asked_by="District Judge Test",
        asked_on=TODAY,
        period_from=TODAY,
        period_to=TODAY + dt.timedelta(weeks=8),
        sessions=sessions,
    )


def session(attendance: Attendance) -> SessionRecord:
    return SessionRecord(on=TODAY, attendance=attendance, source="provider's register")


def needs(**changes: object) -> Party:
    base = party().participation
    return party(participation=attrs.evolve(base, **changes))


@pytest.mark.parametrize(
    ("rule_id", "effect", "produce", "expected"), ROWS, ids=[row[0] for row in ROWS]
)
def test_rule(rule_id, effect, produce, expected, monkeypatch):
    if produce == "f2f-only":
        _f2f_only(monkeypatch)
        produce = lambda: opts(make_case(), A.WT4C, [provider(delivery=["remote"])])  # noqa: E731
    reasons, status = produce()
    cited = [(r.rule_id, r.effect) for r in reasons]
    assert (rule_id, effect) in cited, cited
    for r in reasons:
        assert r.source and r.text
    if expected is not None:
        assert status == expected


def test_the_table_covers_every_rule():
    assert {row[0] for row in ROWS} == set(RULES)


def test_docs_list_every_rule_with_its_source():
    text = (Path(__file__).parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert f"`{rule.id}`" in text, rule.id
        assert rule.source in text, rule.id


def test_every_source_is_a_page_or_named_in_full():
    pages = {
        "000_8963feec634edc05.txt",
        "001_95c0c6c7e8e2434b.txt",
        "002_508de7f0493f5cb2.txt",
        "003_b8fd72bd5a4a86eb.txt",
        "004_f7dfa37d317cb7bf.txt",
    }
    for rule in RULES.values():
        for part in rule.source.split("; "):
            token = part.split(" ")[0]
            if token.endswith(".txt"):
                assert token in pages, rule.id
            else:
                assert len(part) > 8, rule.id  # a public source named in full, not an initial


def test_role_and_party_checks_do_not_leak_between_parties():
    case = make_case(parties=(party(APP), party(RESP, PartyRole.RESPONDENT, postcode="")))
    assert verdict(case, APP, A.WT4C, today=TODAY).warnings == ()
    assert verdict(case, RESP, A.WT4C, today=TODAY).warnings

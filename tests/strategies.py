"""Hypothesis strategies for the case records, for any test that needs arbitrary valid cases.

Every value drawn is valid by construction (the records validate themselves), so a strategy never
has to filter. Dates the records require not to be in the future are drawn up to the real today.

    from tests.strategies import cases, screenings
    @given(cases(jurisdiction=Jurisdiction.WALES, screening=screenings(concern=True)))
"""

from __future__ import annotations

import datetime as dt

import attrs
from hypothesis import strategies as st

from records.model import (
    COURT_QUESTIONS,
    Activity,
    Agreed,
    Answer,
    Assessment,
    AssistanceDecision,
    Case,
    Child,
    Delivery,
    Direction,
    DirectionStatus,
    FundingRoute,
    Hearing,
    Jurisdiction,
    Language,
    Officer,
    OfficerRole,
    OrderType,
    Party,
    PartyAgreement,
    PartyRole,
    PersonChecks,
    Provision,
    Screening,
    ScreeningAnswer,
    TimeConstraints,
)

REAL_TODAY = dt.date.today()
EARLIEST = dt.date(2020, 1, 1)
QUESTIONS = ("police_check", "local_authority_check", "domestic_abuse", "other_harm")

NAMES = (
    "Rhiannon Ffug",
    "Pwyll Ffug",
    "Gwenllïan Ŵyn Ffug",
    "Dafydd Pŷr Ffug",
    "Alex Example",
    "Jordan Example",
    "Sam Sample",
    "Zoë Sample",
)
OFFICERS = ("Demo Officer Gwyn", "Demo Officer Sam")
# Postcodes inside and outside the sample directory's areas, and "not known yet".
POSTCODES = (
    "",
    "CF10 1AA",
    "CF14 3BB",
    "NP20 4EE",
    "SA1 1BB",
    "LL55 1AA",
    "BS1 4DJ",
    "M1 1AE",
    "CH1 2HS",
    "LD1 5AA",
    "SW1A 1AA",
)
PROVIDER_IDS = (
    "",
    "sample-wt4c-cardiff",
    "sample-wt4c-swansea",
    "sample-contact-ty-chwarae",
    "sample-ptfc-online",
    "sample-cci-harbourside",
    "not-in-directory",
)


def past_dates(earliest: dt.date = EARLIEST) -> st.SearchStrategy[dt.date]:
    return st.dates(min_value=earliest, max_value=REAL_TODAY)


def any_dates() -> st.SearchStrategy[dt.date]:
    return st.dates(min_value=EARLIEST, max_value=REAL_TODAY + dt.timedelta(days=400))


@st.composite
def screening_answers(
    draw: st.DrawFn, answer: st.SearchStrategy[Answer] | None = None
) -> ScreeningAnswer:
    chosen = draw(answer if answer is not None else st.sampled_from(Answer))
    if chosen is Answer.UNKNOWN:
        return ScreeningAnswer()
    return ScreeningAnswer(chosen, draw(past_dates()), draw(st.sampled_from(OFFICERS)))


@st.composite
def screenings(draw: st.DrawFn, *, concern: bool | None = None) -> Screening:
    """A screening. ``concern=True``: at least one answer is "yes" or "not yet known";
    ``concern=False``: every answer is "no"; None: anything."""
    if concern is False:
        answers = [Answer.NO] * 4
    else:
        answers = draw(st.lists(st.sampled_from(Answer), min_size=4, max_size=4))
        if concern and all(a is Answer.NO for a in answers):
            index = draw(st.integers(0, 3))
            answers[index] = draw(st.sampled_from((Answer.YES, Answer.UNKNOWN)))
    fields = {
        q: draw(screening_answers(st.just(a))) for q, a in zip(QUESTIONS, answers, strict=True)
    }
    letter = draw(st.none() | past_dates())
    court = {q: draw(screening_answers()) for q in COURT_QUESTIONS}
    return Screening(**fields, safeguarding_letter_on=letter, **court)


@st.composite
def parties(draw: st.DrawFn, party_id: str = "p0", role: PartyRole | None = None) -> Party:
    return Party(
        name=draw(st.sampled_from(NAMES)),
        role=role or draw(st.sampled_from(PartyRole)),
        postcode=draw(st.sampled_from(POSTCODES)),
        language=draw(st.sampled_from(Language)),
        legal_aid=draw(st.sampled_from(Answer)),
        constraints=draw(
            st.sampled_from(
                (
                    TimeConstraints(),
                    TimeConstraints(work="Mon-Fri 9-5"),
                    TimeConstraints(religious_observance="Not Saturdays"),
                )
            )
        ),
        habitually_resident=draw(st.sampled_from(Answer)),
        is_child=draw(st.booleans()),
        child_is_a_parent=draw(st.booleans()),
        id=party_id,
    )


@st.composite
def directions(draw: st.DrawFn, party_ids: list[str], index: int = 0) -> Direction:
    return Direction(
        activity=draw(st.sampled_from(Activity)),
        party_id=draw(st.sampled_from(party_ids)),
        provider_id=draw(st.sampled_from(PROVIDER_IDS)),
        funding=draw(st.none() | st.sampled_from(FundingRoute)),
        delivery=draw(st.sampled_from(Delivery)),
        status=draw(st.sampled_from(DirectionStatus)),
        directed_on=draw(st.none() | any_dates()),
        order_type=draw(st.sampled_from(OrderType)),
        provision=draw(st.sampled_from(Provision)),
        hours_directed=draw(st.none() | st.integers(1, 100)),
        session=draw(st.sampled_from(("", "group-1", "group-2"))),
        assistance_applied_on=draw(st.none() | any_dates()),
        assistance_decision=draw(st.sampled_from(AssistanceDecision)),
        session_on=draw(st.none() | any_dates()),
        completed_on=draw(st.none() | any_dates()),
        id=f"d{index}",
        agreements=draw(
            st.lists(agreements(party_ids), max_size=len(party_ids), unique_by=lambda a: a.party_id)
        ),
        consultation_note=draw(st.sampled_from(("", "Consulted on duty before the order."))),
        assistance_told_on=draw(st.none() | past_dates()),
        **draw(st.sampled_from(({}, {"pays_confirmed_on": REAL_TODAY, "pays_confirmed_by": "X"}))),
    )


@st.composite
def agreements(draw: st.DrawFn, party_ids: list[str]) -> PartyAgreement:
    return PartyAgreement(
        party_id=draw(st.sampled_from(party_ids)),
        agreed=draw(st.sampled_from(Agreed)),
        agreed_on=draw(st.none() | past_dates()),
    )


@st.composite
def person_checks(draw: st.DrawFn, person_id: str, *, child: bool = False) -> PersonChecks:
    """One person's PD12B checks (a child: the local-authority check only)."""
    if child:
        return PersonChecks(person_id, local_authority_check=draw(screening_answers()))
    return PersonChecks(
        person_id,
        police_check=draw(screening_answers()),
        local_authority_check=draw(screening_answers()),
        harm_alleged=draw(screening_answers()),
    )


@st.composite
def assessments(draw: st.DrawFn, party_ids: list[str], index: int = 0) -> Assessment:
    return Assessment(
        activity=draw(st.sampled_from(Activity)),
        assessed_by=draw(st.sampled_from(OFFICERS)),
        assessed_on=draw(past_dates()),
        reason="Safe and beneficial with supervision: recorded for the test",
        party_id=draw(st.none() | st.sampled_from(party_ids)),
        id=f"a{index}",
    )


@st.composite
def cases(
    draw: st.DrawFn,
    *,
    jurisdiction: Jurisdiction | None = None,
    screening: st.SearchStrategy[Screening] | None = None,
    max_parties: int = 4,
    max_directions: int = 4,
    max_assessments: int = 3,
) -> Case:
    """A valid case: 1..max_parties parties (the first two applicant and respondent), with
    screening, assessments and directions that name its own parties."""
    count = draw(st.integers(1, max_parties))
    roles = [PartyRole.APPLICANT, PartyRole.RESPONDENT]
    people = [
        draw(parties(f"p{i}", roles[i] if i < 2 else PartyRole.OTHER_FAMILY_MEMBER))
        for i in range(count)
    ]
    ids = [p.id for p in people]
    hearing_on = draw(any_dates())
    drawn = draw(screening if screening is not None else screenings())
    # Some people have checks of their own (PD12B); the case-wide answers speak for the rest.
    checked = draw(st.lists(st.sampled_from([*ids, "c0"]), unique=True))
    drawn = attrs.evolve(
        drawn, people=[draw(person_checks(pid, child=pid == "c0")) for pid in checked]
    )
    return Case(
        case_number=f"ZZ{draw(st.integers(20, 29))}P{draw(st.integers(0, 99999)):05d}",
        court="Sample Family Court",
        jurisdiction=jurisdiction or draw(st.sampled_from(Jurisdiction)),
        hearing=Hearing(date=hearing_on),
        officer=Officer(name=draw(st.sampled_from(OFFICERS)), role=OfficerRole.FCA),
        parties=people,
        children=[
            Child(name="Sample Child", date_of_birth=REAL_TODAY - dt.timedelta(days=2000), id="c0")
        ],
        screening=drawn,
        assessments=[
            draw(assessments(ids, i)) for i in range(draw(st.integers(0, max_assessments)))
        ],
        directions=[draw(directions(ids, i)) for i in range(draw(st.integers(0, max_directions)))],
        id=f"case-{draw(st.integers(0, 10**6))}",
    )


# --- cases whose directions are ready but for the safeguarding (issue 11, item 5) ---------------

# (jurisdiction, activity, a sample provider that delivers it, a postcode it serves, funding)
READY_SHAPES = (
    (Jurisdiction.WALES, Activity.WT4C, "sample-wt4c-cardiff", "CF10 1AA", FundingRoute.LEGAL_AID),
    (
        Jurisdiction.WALES,
        Activity.MEDIATION_INFO,
        "sample-mediation-pont",
        "CF10 1AA",
        FundingRoute.LEGAL_AID,
    ),
    (
        Jurisdiction.WALES,
        Activity.CONTACT_SUPPORTED,
        "sample-contact-ty-chwarae",
        "CF10 1AA",
        FundingRoute.REPORT_OR_INVOLVEMENT,
    ),
    (
        Jurisdiction.WALES,
        Activity.CONTACT_SUPERVISED,
        "sample-contact-ty-chwarae",
        "CF10 1AA",
        FundingRoute.REPORT_OR_INVOLVEMENT,
    ),
    (
        Jurisdiction.ENGLAND,
        Activity.PTFC,
        "sample-ptfc-severnside",
        "BS1 4DJ",
        FundingRoute.SERVICE_FUNDED,
    ),
    (
        Jurisdiction.ENGLAND,
        Activity.CCI,
        "sample-cci-harbourside",
        "BS1 4DJ",
        FundingRoute.SERVICE_FUNDED,
    ),
)


@st.composite
def mostly_no_answers(draw: st.DrawFn) -> ScreeningAnswer:
    """Mostly "no", so that many drawn cases get as far as the safeguarding rules decide."""
    return draw(screening_answers(st.sampled_from((Answer.NO,) * 4 + (Answer.YES, Answer.UNKNOWN))))


@st.composite
def near_ready_cases(draw: st.DrawFn) -> Case:
    """A case with one direction (for the applicant) that everything but the safeguarding
    answers would let be queued on the real today: ordered, provider local, funded, letter on
    file (or not), both parents; the case-wide and per-person answers mostly "no"."""
    jurisdiction, activity, provider_id, postcode, funding = draw(st.sampled_from(READY_SHAPES))
    people = [
        Party(
            name=NAMES[i],
            role=role,
            postcode=postcode,
            legal_aid=Answer.YES,
            habitually_resident=Answer.YES,
            id=f"p{i}",
        )
        for i, role in enumerate((PartyRole.APPLICANT, PartyRole.RESPONDENT))
    ]
    child = Child(name="Sample Child", date_of_birth=REAL_TODAY - dt.timedelta(days=2000), id="c0")
    questions = {q: draw(mostly_no_answers()) for q in QUESTIONS}
    court = {q: draw(mostly_no_answers()) for q in COURT_QUESTIONS}
    checked = draw(st.lists(st.sampled_from(["p0", "p1", "c0"]), unique=True))
    checks = []
    for pid in checked:
        if pid == "c0":
            checks.append(PersonChecks(pid, local_authority_check=draw(mostly_no_answers())))
        else:
            checks.append(
                PersonChecks(
                    pid,
                    police_check=draw(mostly_no_answers()),
                    local_authority_check=draw(mostly_no_answers()),
                    harm_alleged=draw(mostly_no_answers()),
                )
            )
    letter = draw(st.sampled_from((REAL_TODAY - dt.timedelta(days=3),) * 5 + (None,)))
    hearing_on = REAL_TODAY - dt.timedelta(days=1)
    direction = Direction(
        activity=activity,
        party_id="p0",
        provider_id=provider_id,
        funding=funding,
        delivery=Delivery.REMOTE,
        status=DirectionStatus.DIRECTED,
        directed_on=hearing_on,
        hours_directed=12 if activity is Activity.CCI else None,
        id="d0",
    )
    # Both parents directed to a course both attend, in different sessions.
    other = attrs.evolve(direction, party_id="p1", id="d1", session="group-2")
    return Case(
        case_number=f"ZZ{draw(st.integers(20, 29))}P{draw(st.integers(0, 99999)):05d}",
        court="Sample Family Court",
        jurisdiction=jurisdiction,
        hearing=Hearing(date=hearing_on),
        officer=Officer(name=OFFICERS[0], role=OfficerRole.FCA),
        parties=people,
        children=[child],
        screening=Screening(**questions, **court, people=checks, safeguarding_letter_on=letter),
        assessments=[
            Assessment(
                activity=activity,
                assessed_by=OFFICERS[0],
                assessed_on=REAL_TODAY,
                reason="Safe and beneficial with supervision: recorded for the test",
            )
        ],
        directions=[attrs.evolve(direction, session="group-1"), other],
        id="case-near-ready",
    )

"""A realistic duty list of clearly fictional families, for `make run` and screenshots.

Every name is invented and marked as such: surnames are "Ffug" (Welsh for fake), "Example" or
"Sample"; case numbers use the court code ZZ, which no court has.
"""

from __future__ import annotations

import datetime as dt
import random

from records.model import (
    Answer,
    Case,
    Child,
    Hearing,
    Jurisdiction,
    Language,
    Officer,
    OfficerRole,
    Party,
    PartyRole,
    Screening,
    ScreeningAnswer,
    TimeConstraints,
)

DEMO_PASSPHRASE = "demo-passphrase-not-secret"  # noqa: S105 - printed by make run on purpose
DEMO_OFFICER = Officer(name="Demo Officer Gwyn", role=OfficerRole.FCA)
DEMO_COURT = "Cardiff Civil and Family Justice Centre"

_FAMILIES: list[tuple[str, str, str, Language, str, str]] = [
    # applicant, respondent, children (comma separated), language, applicant pc, respondent pc
    ("Rhiannon Ffug", "Pwyll Ffug", "Pryderi Ffug", Language.WELSH, "CF10 1AA", "CF14 3BB"),
    ("Branwen Ffug", "Matholwch Ffug", "Gwern Ffug", Language.WELSH, "CF5 2DD", "NP20 4EE"),
    (
        "Alex Example",
        "Jordan Example",
        "Casey Example,Riley Example",
        Language.ENGLISH,
        "CF24 0AB",
        "CF23 9XY",
    ),
    ("Sam Sample", "Charlie Sample", "Robin Sample", Language.ENGLISH, "CF62 4QQ", "CF63 1RR"),
    (
        "Gwenllïan Ŵyn Ffug",
        "Dafydd Pŷr Ffug",
        "Nia Ffug,Siôn Ffug",
        Language.WELSH,
        "CF11 6TT",
        "CF37 2UU",
    ),
    ("Morgan Example", "Taylor Example", "Jamie Example", Language.ENGLISH, "NP10 8AA", "CF3 0BB"),
    (
        "Ceridwen Ffug",
        "Tegid Ffug",
        "Morfran Ffug,Creirwy Ffug",
        Language.WELSH,
        "CF31 1AA",
        "SA1 1BB",
    ),
    ("Avery Sample", "Quinn Sample", "Rowan Sample", Language.ENGLISH, "CF15 7LL", "CF72 8NN"),
    ("Blodeuwedd Ffug", "Lleu Ffug", "Dylan Ffug", Language.WELSH, "LL55 1AA", "CF44 9ZZ"),
    ("Drew Example", "Harper Example", "Sky Example", Language.ENGLISH, "CF81 8AA", "NP44 3BB"),
    ("Olwen Ffug", "Culhwch Ffug", "Goreu Ffug", Language.WELSH, "CF46 5AA", "CF48 1BB"),
    (
        "Frankie Sample",
        "Reese Sample",
        "Indigo Sample,Ash Sample",
        Language.ENGLISH,
        "CF64 2AA",
        "CF14 7BB",
    ),
]


def _screening(rng: random.Random, today: dt.date, officer: str) -> Screening:
    def answer(p_yes: float, p_unknown: float) -> ScreeningAnswer:
        roll = rng.random()
        if roll < p_unknown:
            return ScreeningAnswer()
        value = Answer.YES if roll < p_unknown + p_yes else Answer.NO
        return ScreeningAnswer(
            answer=value,
            answered_on=today - dt.timedelta(days=rng.randint(3, 20)),
            answered_by=officer,
        )

    return Screening(
        police_check=answer(0.15, 0.15),
        local_authority_check=answer(0.1, 0.2),
        domestic_abuse=answer(0.2, 0.15),
        other_harm=answer(0.1, 0.15),
        safeguarding_letter_on=today - dt.timedelta(days=rng.randint(1, 10))
        if rng.random() < 0.7
        else None,
    )


def demo_cases(today: dt.date, *, seed: int = 2026) -> list[Case]:
    """Yesterday's, today's and tomorrow's lists at the demo court (most of them today)."""
    rng = random.Random(seed)  # noqa: S311 - repeatable demo data, not secrets
    cases: list[Case] = []
    days = [0] * 8 + [-1] * 2 + [1] * 2
    for serial, (family, offset) in enumerate(zip(_FAMILIES, days, strict=True), start=1):
        applicant, respondent, children, language, pc_a, pc_r = family
        year = today.year % 100
        kids = [
            Child(
                name=name,
                date_of_birth=today - dt.timedelta(days=rng.randint(2 * 365, 15 * 365)),
            )
            for name in children.split(",")
        ]
        parties = [
            Party(
                name=applicant,
                role=PartyRole.APPLICANT,
                postcode=pc_a,
                language=language,
                legal_aid=rng.choice(list(Answer)),
                constraints=TimeConstraints(work="Shifts Mon-Wed" if serial % 3 == 0 else ""),
                phone=f"07700 900{serial:03d}",
            ),
            Party(
                name=respondent,
                role=PartyRole.RESPONDENT,
                postcode=pc_r,
                language=language if serial % 4 else Language.ENGLISH,
                legal_aid=rng.choice(list(Answer)),
                constraints=TimeConstraints(
                    religious_observance="Friday prayers" if serial % 5 == 0 else ""
                ),
            ),
        ]
        cases.append(
            Case(
                case_number=f"ZZ{year:02d}P{serial:05d}",
                court=DEMO_COURT,
                jurisdiction=Jurisdiction.WALES,
                hearing=Hearing(date=today + dt.timedelta(days=offset)),
                officer=DEMO_OFFICER,
                parties=parties,
                children=kids,
                screening=_screening(rng, today, DEMO_OFFICER.name),
            )
        )
    return cases

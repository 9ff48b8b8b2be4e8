"""Does the case's jurisdiction fit its court and its families? (issue 11, item 13.)

Cafcass Cymru (Welsh family proceedings officers) serves children ordinarily resident in Wales,
Cafcass those in England (Children Act 2004 s35). The record holds the jurisdiction the officer
chose; the tool cannot know where the child lives, so it only flags what looks like the other
side of the border (``JUR-COURT``, the tool's reading): a court whose name holds a Welsh court
town with jurisdiction England, or an English one with jurisdiction Wales, and parents whose
postcodes all lie across the border. It never changes the jurisdiction: the officer decides.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import re

from duty_tui.i18n import _
from duty_tui.services.catalogue import Effect, Reason, reason
from records.model import Case, Jurisdiction, PartyRole, postcode_area

# Towns with a family court hearing centre in Wales, and Welsh names for places and the
# country: a court name holding one of these is read as a court in Wales.
_WELSH_COURT_WORDS = (
    "wales",
    "cymru",
    "cardiff",
    "caerdydd",
    "swansea",
    "abertawe",
    "newport",
    "casnewydd",
    "merthyr tydfil",
    "pontypridd",
    "port talbot",
    "llanelli",
    "carmarthen",
    "haverfordwest",
    "aberystwyth",
    "wrexham",
    "mold",
    "caernarfon",
    "llandudno",
    "prestatyn",
    "welshpool",
    "llandrindod",
    "blackwood",
    "cwmbran",
    "bridgend",
    "brecon",
    "dolgellau",
)
# Family court centres in England, those near the border first: not every one, so a court
# named here is read as English, and a court named nowhere says nothing.
_ENGLISH_COURT_WORDS = (
    "england",
    "chester",
    "shrewsbury",
    "telford",
    "hereford",
    "gloucester",
    "bristol",
    "isle of wight",  # a Newport outside Wales
    "london",
    "central family court",
    "birmingham",
    "manchester",
    "liverpool",
    "leeds",
    "sheffield",
    "newcastle",
    "nottingham",
    "leicester",
    "coventry",
    "wolverhampton",
    "worcester",
    "stoke",
    "plymouth",
    "exeter",
    "taunton",
    "swindon",
    "bath",
    "oxford",
    "reading",
    "southampton",
    "portsmouth",
    "bournemouth",
    "brighton",
    "canterbury",
    "cambridge",
    "norwich",
    "york",
    "hull",
    "preston",
    "carlisle",
)


def _words(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b")


_WELSH_COURT = _words(_WELSH_COURT_WORDS)
_ENGLISH_COURT = _words(_ENGLISH_COURT_WORDS)
# Postcode areas wholly or almost wholly in Wales; SY, CH and HR straddle the border and say
# nothing either way.
WELSH_AREAS = frozenset({"CF", "SA", "NP", "LD", "LL"})
BORDER_AREAS = frozenset({"SY", "CH", "HR"})


def court_in_wales(court: str) -> bool | None:
    """True when the name reads as a court in Wales, False as one in England, None when it
    says nothing either way (or both)."""
    name = court.casefold()
    welsh, english = bool(_WELSH_COURT.search(name)), bool(_ENGLISH_COURT.search(name))
    if welsh == english:
        return None
    return welsh


def court_mismatch(court: str, jurisdiction: Jurisdiction) -> str:
    """What to say when ``court`` reads as the other side of the border, or ""."""
    in_wales = court_in_wales(court)
    if in_wales is None or in_wales == (jurisdiction is Jurisdiction.WALES):
        return ""
    # Whole sentences each way: Welsh mutates the place ("yng Nghymru", "yn Lloegr").
    text = (
        _(
            "{court} reads as a court in Wales, but the jurisdiction is England ({service}): "
            "check which service the child's case belongs to"
        )
        if in_wales
        else _(
            "{court} reads as a court in England, but the jurisdiction is Wales ({service}): "
            "check which service the child's case belongs to"
        )
    )
    return text.format(court=court, service=jurisdiction.service)


def check(case: Case) -> tuple[Reason, ...]:
    """Warnings when the jurisdiction looks like the other side of the border; () if not."""
    out: list[Reason] = []
    in_wales = court_in_wales(case.court)
    mismatch = court_mismatch(case.court, case.jurisdiction)
    if mismatch:
        out.append(reason("JUR-COURT", mismatch, Effect.WARNING))
    areas = [
        postcode_area(p.postcode)
        for p in case.parties
        if p.postcode and p.role is not PartyRole.OTHER_FAMILY_MEMBER
    ]
    if areas and not any(a in BORDER_AREAS for a in areas):
        if all(a in WELSH_AREAS for a in areas) and case.jurisdiction is Jurisdiction.ENGLAND:
            out.append(
                reason(
                    "JUR-COURT",
                    _(
                        "every parent's postcode is in Wales, but the jurisdiction is England "
                        "({service})"
                    ).format(service=case.service),
                    Effect.WARNING,
                )
            )
        elif (
            not any(a in WELSH_AREAS for a in areas)
            and case.jurisdiction is Jurisdiction.WALES
            and in_wales is not True
        ):
            out.append(
                reason(
                    "JUR-COURT",
                    _(
                        "every parent's postcode is in England, but the jurisdiction is Wales "
                        "({service})"
                    ).format(service=case.service),
                    Effect.WARNING,
                )
            )
    return tuple(out)

"""Options: the provider directory, and which providers fit a party and an activity, best first.

A provider fits when it delivers the activity in the case's jurisdiction, has the NACCC
accreditation the activity needs, and can reach the party: remote delivery anywhere, face to face
only where the party's postcode area or district is one the provider serves (s11E: a place the
person can reasonably travel to; 000_: local to where they live). Language, availability and the
other parent's provider decide the order, not the fit. Asked to ``explain``, every provider left
out says why, as a list of reasons.

Directories import from JSON (the providers format of docs/case-format.md) and CSV, all or
nothing: one bad row refuses the file and every bad row is reported with its number.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from duty_tui.i18n import N_, _
from duty_tui.services import participation
from duty_tui.services.catalogue import CatalogueEntry, Effect, Reason, entry, reason
from duty_tui.services.record_text import activity_name, field_name, label, record_message
from duty_tui.services.suitability import live_directions
from records.caseformat import (
    MAX_DOCUMENT_BYTES,
    CaseFormatError,
    load_providers,
)
from records.model import (
    Accreditation,
    Activity,
    Case,
    Delivery,
    Language,
    Party,
    Provider,
    RecordError,
    postcode_area,
    postcode_district,
)
from records.text import TooLarge, read_bounded, shown


class DirectoryError(CaseFormatError):
    """A provider file refused whole; ``problems`` lists every bad row with its number."""


# --- the directory -------------------------------------------------------------------------------


@attrs.frozen
class Directory:
    providers: tuple[Provider, ...] = attrs.field(converter=tuple)
    source: str = ""  # where it came from, for display ("sample directory", a file name)
    _by_id: dict[str, Provider] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        index: dict[str, Provider] = {}
        for provider in self.providers:
            if provider.id in index:
                raise DirectoryError([_("provider id {id!r} repeats").format(id=provider.id)])
            index[provider.id] = provider
        object.__setattr__(self, "_by_id", index)

    def get(self, provider_id: str) -> Provider | None:
        return self._by_id.get(provider_id)

    @property
    def sample(self) -> bool:
        """True when every provider is a fictional sample."""
        return bool(self.providers) and all(p.sample for p in self.providers)


# Marked here, shown translated (the directory is made once and kept).
SAMPLE_SOURCE = N_("sample directory (fictional providers)")


@functools.cache
def sample_directory() -> Directory:
    """The shipped directory of clearly fictional providers (each ``sample=True``)."""
    raw = resources.files("duty_tui.data").joinpath("sample_providers.json").read_bytes()
    return Directory(providers_from_json(raw), source=SAMPLE_SOURCE)


def load_directory(path: Path) -> Directory:
    """A directory file: CSV when it ends in .csv, otherwise the JSON providers format.

    Raises :class:`DirectoryError` (every problem listed) or OSError if it cannot be read.
    """
    try:
        raw = read_bounded(path, MAX_DOCUMENT_BYTES)
    except TooLarge:
        raise DirectoryError(
            [_("the file is larger than {size} MiB").format(size=MAX_DOCUMENT_BYTES // 2**20)]
        ) from None
    if path.suffix.lower() == ".csv":
        return Directory(providers_from_csv(raw), source=path.name)
    return Directory(providers_from_json(raw), source=path.name)


def providers_from_json(raw: bytes | str | dict[str, Any]) -> tuple[Provider, ...]:
    try:
        providers = load_providers(raw)
    except DirectoryError:
        raise
    except CaseFormatError as exc:
        raise DirectoryError(exc.problems) from None
    problems = _repeated_ids([(i, f"$.providers[{i}]", p.id) for i, p in enumerate(providers)])
    if problems:
        raise DirectoryError([problem for _i, problem in problems])
    return tuple(providers)


CSV_REQUIRED = ("id", "name", "activities", "jurisdiction")
CSV_OPTIONAL = (
    "areas",
    "venue_postcode",
    "delivery",
    "languages",
    "accreditation",
    "next_available",
    "phone",
    "email",
    "sample",
    "interpreters",
    "separate_arrival",
)
CSV_LISTS = ("activities", "areas", "delivery", "languages")
LIST_SEPARATOR = ";"
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n", ""}


def providers_from_csv(raw: bytes | str) -> tuple[Provider, ...]:
    """Providers from CSV text with a header row (docs/rules.md, Provider directory).

    Rows are numbered as in a spreadsheet: the header is row 1. Lists (activities, areas,
    delivery, languages) are separated by ";". All or nothing.
    """
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise DirectoryError(
            [_("the file is larger than {size} MiB").format(size=MAX_DOCUMENT_BYTES // 2**20)]
        )
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DirectoryError(
                [_("the file is not UTF-8 text (byte {byte})").format(byte=exc.start)]
            ) from None
    reader = csv.reader(io.StringIO(raw, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise DirectoryError([_("the file is empty: expected a header row")]) from None
    except csv.Error as exc:
        raise DirectoryError([_("row {row}: {problem}").format(row=1, problem=exc)]) from None
    columns = [h.strip().lower() for h in header]
    problems: list[str] = []
    missing = [c for c in CSV_REQUIRED if c not in columns]
    unknown = [c for c in columns if c not in CSV_REQUIRED + CSV_OPTIONAL]
    if missing:
        problems.append(_("row 1: missing column(s): {columns}").format(columns=", ".join(missing)))
    if unknown:
        names = ", ".join(shown(name, limit=80) for name in unknown[:10])
        problems.append(_("row 1: unknown column(s): {columns}").format(columns=names))
    if len(set(columns)) != len(columns):
        problems.append(_("row 1: a column name repeats"))
    if problems:
        raise DirectoryError(problems)

    # (row, problem): sorted by the row, as the officer will fix them in a spreadsheet.
    found: list[tuple[int, str]] = []
    providers: list[tuple[int, Provider]] = []
    row_number = 1
    try:
        for row_number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # blank lines are not rows
            if len(cells) > len(columns):
                found.append(
                    (
                        row_number,
                        _("row {row}: {cells} cells, but the header has {columns} columns").format(
                            row=row_number, cells=len(cells), columns=len(columns)
                        ),
                    )
                )
                continue
            row = dict(zip(columns, cells, strict=False))
            try:
                providers.append((row_number, _provider_from_row(row)))
            except RecordError as exc:
                message = record_message(exc)
                if not exc.message.startswith(exc.field):
                    message = _("{field}: {problem}").format(
                        field=field_name(exc.field), problem=message
                    )
                found.append(
                    (row_number, _("row {row}: {problem}").format(row=row_number, problem=message))
                )
    except csv.Error as exc:
        found.append(
            (row_number + 1, _("row {row}: {problem}").format(row=row_number + 1, problem=exc))
        )
    found += _repeated_ids([(n, _("row {row}").format(row=n), p.id) for n, p in providers])
    if found:
        raise DirectoryError([problem for _row, problem in sorted(found, key=lambda f: f[0])])
    return tuple(p for _row, p in providers)


def _provider_from_row(row: dict[str, str]) -> Provider:
    values: dict[str, Any] = {}
    for column, cell in row.items():
        text = (cell or "").strip()
        if column in CSV_LISTS:
            items = [item.strip() for item in text.split(LIST_SEPARATOR) if item.strip()]
            if items or column in ("activities", "areas"):
                values[column] = items
        elif column in ("sample", "interpreters", "separate_arrival"):
            if text.lower() not in _TRUE | _FALSE:
                raise RecordError(
                    column,
                    _("{column} {text!r} is not true or false").format(column=column, text=text),
                )
            values[column] = text.lower() in _TRUE
        elif text or column in CSV_REQUIRED:
            values[column] = text
    if not values.get("activities"):
        raise RecordError(
            field="activities", message=_("activities: at least one activity is required")
        )
    return Provider(**values)


def _repeated_ids(places: list[tuple[int, str, str]]) -> list[tuple[int, str]]:
    """(order, problem) for each (order, place, id) whose id was seen before."""
    seen: dict[str, str] = {}
    problems = []
    for order, place, provider_id in places:
        if provider_id in seen:
            problems.append(
                (
                    order,
                    _("{place}: id {id!r} repeats {first}").format(
                        place=place, id=provider_id, first=seen[provider_id]
                    ),
                )
            )
        else:
            seen[provider_id] = place
    return problems


# --- options -------------------------------------------------------------------------------------


@attrs.frozen
class Option:
    provider: Provider
    delivery: tuple[Delivery, ...]  # the modes this party can use with this provider
    reasons: tuple[Reason, ...]  # why it fits, and what to look at (warnings)

    @property
    def warnings(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.effect is Effect.WARNING)


@attrs.frozen
class Exclusion:
    provider: Provider
    reasons: tuple[Reason, ...]  # every reason it is left out


@attrs.frozen
class Options:
    party_id: str
    activity: Activity
    ranked: tuple[Option, ...]  # best first
    excluded: tuple[Exclusion, ...]  # filled only when asked to explain
    notes: tuple[Reason, ...]  # about the party, whoever the provider (s11E circumstances)

    @property
    def provider_ids(self) -> tuple[str, ...]:
        return tuple(o.provider.id for o in self.ranked)


_LEVEL = {Accreditation.NONE: 0, Accreditation.STANDARD: 1, Accreditation.ENHANCED: 2}


def serves(provider: Provider, postcode: str) -> bool:
    """Does the provider's catchment (areas "CF" or districts "CF10") include the postcode?"""
    if not postcode:
        return False
    return bool({postcode_area(postcode), postcode_district(postcode)} & set(provider.areas))


def find(
    case: Case,
    party_id: str,
    activity: Activity,
    directory: Directory,
    *,
    today: dt.date,
    delivery: Delivery | None = None,
    language: Language | None = None,
    available_by: dt.date | None = None,
    explain: bool = False,
) -> Options:
    """Providers for this party and activity, best first. Pure.

    ``delivery``, ``language`` and ``available_by`` are the officer's filters; without them
    every mode and language is considered, and the party's language only ranks.
    """
    party = case.party(party_id)
    e = entry(activity)
    others = _other_parties_providers(case, party_id)
    fits: list[tuple[tuple[Any, ...], Option]] = []
    excluded: list[Exclusion] = []
    for provider in directory.providers:
        blocks, notes, modes = _evaluate(
            case, party, e, provider, delivery, language, available_by, others, today
        )
        if blocks:
            if explain:
                excluded.append(Exclusion(provider, tuple(blocks)))
            continue
        option = Option(provider, modes, tuple(notes))
        fits.append((_rank_key(case, option, party, provider.id in others, today), option))
    fits.sort(key=lambda pair: pair[0])
    return Options(
        party_id,
        activity,
        tuple(o for _key, o in fits),
        tuple(excluded),
        (*_party_notes(party), *participation.party_notes(case, party)),
    )


def availability(next_available: dt.date | None, today: dt.date) -> str:
    """A provider's next available date in words. The directory's date is when a place was
    next free as last reported: once that day has come it means "now", and "next 27/11" read
    on 30/11 looked like a mistake."""
    if next_available is None:
        return _("no date given")
    if next_available <= today:
        return _("available now")
    return _("next available {date}").format(date=f"{next_available:%d/%m/%Y}")


def _other_parties_providers(case: Case, party_id: str) -> set[str]:
    # Only group courses keep parents apart; a contact centre serves the family together.
    return {
        d.provider_id
        for d in live_directions(case)
        if d.party_id != party_id and d.provider_id and entry(d.activity).separate_attendance
    }


def _evaluate(
    case: Case,
    party: Party,
    e: CatalogueEntry,
    provider: Provider,
    delivery: Delivery | None,
    language: Language | None,
    available_by: dt.date | None,
    others: set[str],
    today: dt.date,
) -> tuple[list[Reason], list[Reason], tuple[Delivery, ...]]:
    blocks: list[Reason] = []
    notes: list[Reason] = []
    if e.activity not in provider.activities:
        blocks.append(
            reason(
                "PROVIDER-ACTIVITY",
                _("does not provide {activity}").format(activity=activity_name(e.name)),
                Effect.BLOCKS,
            )
        )
    if provider.jurisdiction is not case.jurisdiction:
        blocks.append(
            reason(
                "PROVIDER-JURISDICTION",
                _("provides in {provider_country}; the case is in {case_country}").format(
                    provider_country=label(provider.jurisdiction),
                    case_country=label(case.jurisdiction),
                ),
                Effect.BLOCKS,
            )
        )
    if e.accreditation is not None:
        if provider.accreditation is Accreditation.NONE:
            blocks.append(reason("CONTACT-NACCC", _("not accredited by NACCC"), Effect.BLOCKS))
        elif _LEVEL[provider.accreditation] < _LEVEL[e.accreditation]:
            blocks.append(
                reason(
                    e.accreditation_rule or "CONTACT-NACCC",
                    _("NACCC {level} accreditation; {activity} needs {needed}").format(
                        level=label(provider.accreditation),
                        activity=activity_name(e.name).lower(),
                        needed=label(e.accreditation),
                    ),
                    Effect.BLOCKS,
                )
            )
        else:
            notes.append(
                reason(
                    e.accreditation_rule or "CONTACT-NACCC",
                    _("NACCC {level} accreditation").format(level=label(provider.accreditation)),
                    Effect.MET,
                )
            )

    modes, mode_blocks, mode_notes = _modes(party, e, provider, delivery)
    blocks += mode_blocks
    notes += mode_notes

    if language is not None and language not in provider.languages:
        blocks.append(
            reason(
                "FILTER",
                _("does not deliver in {language}").format(language=label(language)),
                Effect.BLOCKS,
            )
        )
    # The party's language, or Welsh when they chose it in the active offer (WELSH-OFFER).
    spoken = participation.preferred_language(case, party)
    if spoken in provider.languages:
        notes.append(
            reason(
                "LANGUAGE",
                _("delivers in {language}, the party's language").format(language=label(spoken)),
                Effect.MET,
            )
        )
    else:
        notes.append(
            reason(
                "LANGUAGE",
                _("does not deliver in {language}, the party's language").format(
                    language=label(spoken)
                ),
                Effect.WARNING,
            )
        )
    needs_blocks, needs_notes = participation.provider_reasons(case, party, e, provider)
    blocks += needs_blocks
    notes += needs_notes
    if available_by is not None and (
        provider.next_available is None or provider.next_available > available_by
    ):
        by = f"{available_by:%d/%m/%Y}"
        blocks.append(
            reason(
                "FILTER",
                _("next available {date}, not by {by}").format(
                    date=f"{provider.next_available:%d/%m/%Y}", by=by
                )
                if provider.next_available
                else _("no date given, not by {by}").format(by=by),
                Effect.BLOCKS,
            )
        )
    elif provider.next_available is not None:
        notes.append(
            reason("AVAILABILITY", availability(provider.next_available, today), Effect.INFO)
        )
    if provider.id in others:
        notes.append(
            reason(
                "SEPARATE-PROVIDER",
                _(
                    "the other party is already directed to this provider: parents are "
                    "normally referred to different ones"
                ),
                Effect.WARNING,
            )
        )
    if provider.sample:
        notes.append(
            reason(
                "SAMPLE-PROVIDER",
                _("sample provider (fictional): not for a real referral"),
                Effect.WARNING,
            )
        )
    return blocks, notes, modes


def _modes(
    party: Party, e: CatalogueEntry, provider: Provider, wanted: Delivery | None
) -> tuple[tuple[Delivery, ...], list[Reason], list[Reason]]:
    """The delivery modes usable, and why others are not."""
    blocks: list[Reason] = []
    notes: list[Reason] = []
    offered = [m for m in provider.delivery if m in e.delivery]
    if not offered:
        blocks.append(
            reason(
                "DELIVERY-MODE",
                _("delivers only {modes}").format(modes=_modes_text(provider.delivery)),
                Effect.BLOCKS,
            )
        )
        return (), blocks, notes
    if wanted is not None:
        if wanted not in offered:
            blocks.append(
                reason(
                    "FILTER",
                    _("does not deliver {mode}").format(mode=label(wanted)),
                    Effect.BLOCKS,
                )
            )
            return (), blocks, notes
        offered = [wanted]
    usable: list[Delivery] = []
    dropped: list[Reason] = []
    for mode in offered:
        if mode is Delivery.REMOTE:
            usable.append(mode)
            notes.append(
                reason("S11E-TRAVEL", _("remote: open wherever the party lives"), Effect.MET)
            )
        elif not party.postcode:
            dropped.append(
                reason(
                    "S11E-POSTCODE",
                    _("face to face, but the party's postcode is not recorded"),
                    Effect.BLOCKS,
                )
            )
        elif serves(provider, party.postcode):
            usable.append(mode)
            notes.append(
                reason(
                    "LOCAL-PROVIDER",
                    _("face to face, serving {district}").format(
                        district=postcode_district(party.postcode)
                    ),
                    Effect.MET,
                )
            )
        else:
            dropped.append(
                reason(
                    "S11E-TRAVEL",
                    _("face to face, but does not serve {district}").format(
                        district=postcode_district(party.postcode)
                    ),
                    Effect.BLOCKS,
                )
            )
    if not usable:
        blocks += dropped
    else:
        # Still a fit through another mode: say what is not available, without blocking.
        notes += [attrs.evolve(r, effect=Effect.INFO) for r in dropped]
    return tuple(usable), blocks, notes


def _modes_text(modes: tuple[Delivery, ...]) -> str:
    names = [label(m) for m in modes]
    if not names:
        return _("nothing")
    if len(names) == 1:
        return names[0]
    return _("{first} and {second}").format(first=", ".join(names[:-1]), second=names[-1])


def _rank_key(
    case: Case, option: Option, party: Party, other_party_there: bool, today: dt.date
) -> tuple[Any, ...]:
    provider = option.provider
    nxt = provider.next_available
    availability = (0, max(nxt, today)) if nxt is not None else (1, dt.date.max)
    spoken = participation.preferred_language(case, party)
    return (
        provider.sample,  # a real provider before a fictional one
        other_party_there,  # normally not the other parent's provider (000_)
        participation.interpreter_short(party, provider),  # INTERPRETER: one who works with them
        spoken not in provider.languages,  # the party's language first (WELSH-OFFER)
        availability,  # soonest first; no date given last
        provider.name.casefold(),
        provider.id,
    )


def _party_notes(party: Party) -> tuple[Reason, ...]:
    c = party.constraints
    times = [
        _("{what}: {times}").format(what=_(what), times=text)
        for what, text in (
            (N_("work"), c.work),
            (N_("education"), c.education),
            (N_("religious observance"), c.religious_observance),
        )
        if text
    ]
    if not times:
        return ()
    return (
        reason(
            "S11E-CIRCUMSTANCES",
            _("check the session times against {times}").format(times="; ".join(times)),
            Effect.WARNING,
        ),
    )
